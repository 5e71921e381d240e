"""Middleware of people and sign-in (settings.MIDDLEWARE)."""

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from accounts.policy import SSO_SESSION_KEY, needs_second_factor_here, needs_sso_here


class SessionScopeMiddleware:
    """A session started through a client's single sign-on is that client's only: on any
    other host (the public one included) it counts as signed out. Host-only cookies already
    keep it there; this holds even if the cookie were shared between hosts."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        scope = request.session.get(SSO_SESSION_KEY) if hasattr(request, "session") else None
        if scope is not None:
            tenant = getattr(request, "tenant", None)
            if tenant is None or tenant.pk != scope:
                request.user = AnonymousUser()
        return self.get_response(request)


# Sign-in steps themselves and static files are never held back by the workspace's rules.
EXEMPT_PREFIXES = ("/accounts/", "/static/", "/api/", "/favicon.ico", "/consent/")


class WorkspaceSignInPolicyMiddleware:
    """After WorkspaceAccessMiddleware: members the workspace's rules cover go through the
    missing step first (accounts.policy)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        access = getattr(request, "workspace_access", None)
        tenant = getattr(request, "tenant", None)
        if (
            access is None
            or tenant is None
            or tenant.schema_name == settings.PUBLIC_SCHEMA_NAME
            or request.path.startswith(EXEMPT_PREFIXES)
        ):
            return self.get_response(request)
        query = urlencode({"next": request.get_full_path()})
        if needs_sso_here(request, tenant, access):
            return HttpResponseRedirect(f"{reverse('sso_start')}?{query}")
        if needs_second_factor_here(request, tenant, access):
            return HttpResponseRedirect(f"{reverse('two_factor')}?{query}")
        return self.get_response(request)
