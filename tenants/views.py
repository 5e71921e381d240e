"""Public-host pages (landing, dashboard) and sign-in, which every host serves."""

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
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
from tenants.signin_steps import signin_completed, signin_pending_begin
from tenants.signin_throttle import client_address


def throttled_response(response: HttpResponse, form: Any) -> HttpResponse:
    """A refused sign-in form: 429 with Retry-After when the throttle refused it."""
    wait = getattr(form, "throttled_seconds", 0)
    if wait:
        response.status_code = 429
        response["Retry-After"] = str(wait)
    return response


@method_decorator([sensitive_post_parameters(), csrf_protect, never_cache], name="dispatch")
class SignInView(auth_views.LoginView):
    """The password step of every sign-in. When a second factor must follow
    (tenants.signin_steps), no session starts here: the browser goes on to the second step."""

    form_class = EmailSignInForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        tenant = getattr(self.request, "tenant", None)
        # The host already names the workspace (unknown hosts answer 404), so its sign-in
        # page may say which workspace it is.
        if tenant is not None and tenant.schema_name != settings.PUBLIC_SCHEMA_NAME:
            context["sign_in_workspace"] = tenant
        return context

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        if getattr(form, "second_factor_needed", False):
            signin_pending_begin(
                self.request,
                user=user,
                backend=getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[0]),
                next_url=self.get_success_url(),
                address=client_address(self.request),
            )
            query = urlencode({"next": self.get_success_url()})
            return HttpResponseRedirect(f"{reverse('two_factor')}?{query}")
        response = super().form_valid(form)
        signin_completed(response, request=self.request, user=user)
        return response

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_invalid(form)
        return throttled_response(response, form)


class SignOutView(auth_views.LogoutView):
    """Signing out ends this browser's sessions on every host it opened from the dashboard
    (accounts.sessions) and says so on the sign-in page."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        was_signed_in = request.user.is_authenticated
        response = super().post(request, *args, **kwargs)
        if was_signed_in:
            messages.info(request, "You are signed out.")
        return response


def public_home(request: HttpRequest) -> HttpResponse:
    """Landing page for visitors; for a signed-in person, the list of their workspaces."""
    if not request.user.is_authenticated:
        return render(request, "public/landing.html")
    return _dashboard(request)


@login_required
def _dashboard(request: HttpRequest) -> HttpResponse:
    # "Open workspace" goes through the signed hand-off (accounts/handoff.py).
    return render(
        request,
        "public/dashboard.html",
        {
            "workspaces": workspaces_for_user(user=request.user),  # type: ignore[arg-type]
            "agency_memberships": agencies_of_user(user=request.user),  # type: ignore[arg-type]
            "agency_engagements": engagements_of_agencies_administered(
                user=request.user  # type: ignore[arg-type]
            ),
        },
    )
