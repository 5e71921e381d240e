"""Single sign-on on a workspace host: off to the client's identity provider and back
(accounts.sso)."""

from authlib.integrations.base_client.errors import OAuthError
from django.conf import settings
from django.contrib.auth import login, logout
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from accounts.models import SignInMethod
from accounts.policy import SSO_SESSION_KEY
from accounts.sessions import sign_in_method_set
from accounts.sso import SsoUnavailable, enabled_provider_of, sso_client, sso_person_resolve
from audit.errors import ConflictError
from tenants.signin_steps import safe_next

NEXT_SESSION_KEY = "sso_next"


def _refused(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "accounts/sso_problem.html", {"message": message}, status=status)


def _provider(request: HttpRequest) -> object:
    tenant = getattr(request, "tenant", None)
    provider = None if tenant is None or tenant.is_public else enabled_provider_of(tenant)
    if provider is None:
        raise Http404("No such page.")
    return provider


@never_cache
def sso_start(request: HttpRequest) -> HttpResponse:
    provider = _provider(request)
    try:
        app = sso_client(provider)  # type: ignore[arg-type]
        request.session[NEXT_SESSION_KEY] = safe_next(request, request.GET.get("next"))
        return app.authorize_redirect(
            request, redirect_uri=request.build_absolute_uri(reverse("sso_callback"))
        )
    except SsoUnavailable as problem:
        return _refused(
            request, f"Single sign-on is not available right now: {problem.message}", 503
        )


@never_cache
def sso_callback(request: HttpRequest) -> HttpResponse:
    provider = _provider(request)
    try:
        app = sso_client(provider)  # type: ignore[arg-type]
        token = app.authorize_access_token(request)
    except SsoUnavailable as problem:
        return _refused(
            request, f"Single sign-on is not available right now: {problem.message}", 503
        )
    except (OAuthError, ValueError, KeyError) as error:
        detail = getattr(error, "description", "") or getattr(error, "error", "") or ""
        return _refused(
            request,
            "The sign-in through your identity provider did not complete"
            + (f" ({str(detail)[:120]})" if detail else "")
            + ". Start again from the sign-in page.",
            400,
        )
    claims = token.get("userinfo")
    if not claims:
        return _refused(request, "The identity provider sent no ID token.", 400)
    try:
        person = sso_person_resolve(provider=provider, claims=dict(claims))  # type: ignore[arg-type]
    except ConflictError as error:
        return _refused(request, error.message, 403)
    next_url = request.session.pop(NEXT_SESSION_KEY, "/")
    if request.user.is_authenticated and request.user.pk != person.user.pk:
        logout(request)
    sign_in_method_set(request, SignInMethod.SSO)
    login(request, person.user, backend=settings.AUTHENTICATION_BACKENDS[0])
    request.session[SSO_SESSION_KEY] = provider.client_id  # type: ignore[attr-defined]
    return HttpResponseRedirect(safe_next(request, next_url))
