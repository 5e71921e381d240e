"""The platform admin (/admin/ on the public host): Django's admin with the product's sign-in.

Its login form is `AdminSignInForm` in the product's sign-in view, so a password guessed at
/admin/login/ counts against the same throttle as every other sign-in, a blocked attempt
answers 429 with Retry-After, a right password goes on to the second factor (platform staff
always need one, tenants.signin_steps) and only a finished sign-in marks the browser as a
known device.
Installed as the default admin site by `tenants.admin_apps.PlatformAdminConfig`
(INSTALLED_APPS). The models are registered where their services are: tenants/admin.py
(clients with provisioning, domains, people, memberships, agencies), administration/admin.py
(engagements, changed through the audited services), api/admin.py (API keys, revoked through
api.keys). Every registration derives from `StaffModelAdmin`.
"""

from typing import Any

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache

from tenants.forms import AdminSignInForm
from tenants.signin_steps import safe_next
from tenants.views import SignInView


class PlatformAdminSite(admin.AdminSite):
    """Platform staff always sign in with a second factor (tenants.signin_steps): the password
    step sends them on to the code, and the admin opens only for a session that passed one
    (`is_verified`, django-otp's middleware)."""

    site_header = "AI Hiring platform administration"
    login_form = AdminSignInForm

    def has_permission(self, request: HttpRequest) -> bool:
        user: Any = request.user
        verified = getattr(user, "is_verified", None)
        return bool(super().has_permission(request) and verified is not None and verified())

    @method_decorator(never_cache)
    @method_decorator(login_not_required)
    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        # Django's AdminSite.login, with the product's sign-in view (throttle, second step).
        redirect_url = safe_next(
            request,
            request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME),
            default=reverse("admin:index", current_app=self.name),
        )
        if request.method == "GET" and self.has_permission(request):
            return HttpResponseRedirect(redirect_url)
        context = {
            **self.each_context(request),
            "title": "Log in",
            "subtitle": None,
            "app_path": request.get_full_path(),
            "username": request.user.get_username(),
            REDIRECT_FIELD_NAME: redirect_url,
        }
        context.update(extra_context or {})
        request.current_app = self.name
        response: HttpResponseBase = SignInView.as_view(
            extra_context=context,
            authentication_form=self.login_form,
            template_name=self.login_template or "admin/login.html",
            redirect_authenticated_user=False,
        )(request)
        return response


class StaffModelAdmin(admin.ModelAdmin):
    """The platform's models in the admin: every platform operator (`is_staff`) may use them.

    The product has no per-model Django permissions (roles are memberships), so the staff
    flag is the permission; what a model must not allow (deleting a client, editing a key)
    its admin class refuses for everyone."""

    @staticmethod
    def _is_operator(request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._is_operator(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_operator(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._is_operator(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_operator(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_operator(request)
