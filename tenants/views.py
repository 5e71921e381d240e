"""Public-host pages (landing, dashboard) and sign-in, which every host serves."""

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from tenants.forms import EmailSignInForm
from tenants.selectors import agencies_of_user, workspaces_for_user
from tenants.signin_throttle import (
    signin_failure_record,
    signin_retry_after,
    signin_success_reset,
)


def _client_address(request: HttpRequest) -> str:
    # Behind a proxy, configure it to set REMOTE_ADDR (gunicorn --forwarded-allow-ips).
    return request.META.get("REMOTE_ADDR", "unknown")


@method_decorator([sensitive_post_parameters(), csrf_protect, never_cache], name="dispatch")
class SignInView(auth_views.LoginView):
    form_class = EmailSignInForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        email = request.POST.get("username", "")
        retry_after = signin_retry_after(address=_client_address(request), email=email)
        if retry_after:
            form = self.get_form()
            form.errors.clear()
            response = self.render_to_response(
                self.get_context_data(form=form, throttled_seconds=retry_after)
            )
            response.status_code = 429
            response["Retry-After"] = str(retry_after)
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        signin_success_reset(
            address=_client_address(self.request), email=form.cleaned_data["username"]
        )
        return super().form_valid(form)

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        signin_failure_record(
            address=_client_address(self.request), email=self.request.POST.get("username", "")
        )
        return super().form_invalid(form)


class SignOutView(auth_views.LogoutView):
    pass


def public_home(request: HttpRequest) -> HttpResponse:
    """Landing page for visitors; for a signed-in person, the list of their workspaces."""
    if not request.user.is_authenticated:
        return render(request, "public/landing.html")
    return _dashboard(request)


@login_required
def _dashboard(request: HttpRequest) -> HttpResponse:
    port = request.get_port()
    port_suffix = "" if port in ("80", "443") else f":{port}"
    return render(
        request,
        "public/dashboard.html",
        {
            "workspaces": workspaces_for_user(user=request.user),  # type: ignore[arg-type]
            "agency_memberships": agencies_of_user(user=request.user),  # type: ignore[arg-type]
            "scheme": request.scheme,
            "port_suffix": port_suffix,
        },
    )
