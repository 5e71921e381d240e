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
from tenants.selectors import (
    agencies_of_user,
    engagements_of_agencies_administered,
    workspaces_for_user,
)
from tenants.signin_devices import known_device_remember


def throttled_response(response: HttpResponse, form: Any) -> HttpResponse:
    """A refused sign-in form: 429 with Retry-After when the throttle refused it."""
    wait = getattr(form, "throttled_seconds", 0)
    if wait:
        response.status_code = 429
        response["Retry-After"] = str(wait)
    return response


@method_decorator([sensitive_post_parameters(), csrf_protect, never_cache], name="dispatch")
class SignInView(auth_views.LoginView):
    form_class = EmailSignInForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        known_device_remember(response, request=self.request, user=form.get_user())
        return response

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_invalid(form)
        return throttled_response(response, form)


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
            "agency_engagements": engagements_of_agencies_administered(
                user=request.user  # type: ignore[arg-type]
            ),
            "scheme": request.scheme,
            "port_suffix": port_suffix,
        },
    )
