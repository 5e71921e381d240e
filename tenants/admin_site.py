"""The platform admin (/admin/ on the public host): Django's admin with the product's sign-in.

Its login form is `AdminSignInForm`, so a password guessed at /admin/login/ counts against
the same throttle as every other sign-in, a blocked attempt answers 429 with Retry-After, and
a successful one marks the browser as a known device like the product's own sign-in page.
Installed as the default admin site by `tenants.admin_apps.PlatformAdminConfig`
(INSTALLED_APPS). The models are registered where their services are: tenants/admin.py
(clients with provisioning, domains, people, memberships, agencies), administration/admin.py
(engagements, changed through the audited services), api/admin.py (API keys, revoked through
api.keys). Every registration derives from `StaffModelAdmin`.
"""

from typing import Any

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache

from tenants.forms import AdminSignInForm
from tenants.signin_devices import known_device_remember
from tenants.views import throttled_response


class PlatformAdminSite(admin.AdminSite):
    site_header = "AI Hiring platform administration"
    login_form = AdminSignInForm

    @method_decorator(never_cache)
    @method_decorator(login_not_required)
    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        response: HttpResponse = super().login(request, extra_context)
        if request.method != "POST":
            return response
        context = getattr(response, "context_data", None) or {}
        if "form" in context:
            return throttled_response(response, context["form"])
        if response.status_code == 302 and request.user.is_authenticated:
            known_device_remember(response, request=request, user=request.user)
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
