"""Request routing around tenants: health on any host, and who may enter a workspace."""

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse

from tenants.health import health_report
from tenants.selectors import workspace_access_for

HEALTH_PATH = "/healthz"

# Paths that a person who is not (yet) a member may reach on a workspace host. The API
# authenticates with keys of its own (api app) and never with the session.
WORKSPACE_OPEN_PREFIXES = ("/accounts/", "/static/", "/api/", "/favicon.ico")


class HealthCheckMiddleware:
    """Answers /healthz on any host, before tenant routing; ?scope=web skips the worker ping
    (for a load balancer that should keep web processes in rotation while workers restart)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.rstrip("/") == HEALTH_PATH and request.method in ("GET", "HEAD"):
            status, report = health_report(include_workers=request.GET.get("scope") != "web")
            return JsonResponse(report, status=status)
        return self.get_response(request)


class WorkspaceAccessMiddleware:
    """On a client's host, only its members and its engaged agencies' people get in.

    Everyone else gets the same 404 as an unknown page: the workspace's existence is not
    confirmed to strangers. Sets request.workspace_access for views.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.workspace_access = None  # type: ignore[attr-defined]
        tenant = getattr(request, "tenant", None)
        if tenant is None or tenant.schema_name == settings.PUBLIC_SCHEMA_NAME:
            return self.get_response(request)
        if request.path.startswith(WORKSPACE_OPEN_PREFIXES):
            return self.get_response(request)
        if not request.user.is_authenticated:
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse('login')}?{query}")
        access = workspace_access_for(user=request.user, client=tenant)
        if access is None:
            raise Http404("No such page.")
        request.workspace_access = access  # type: ignore[attr-defined]
        return self.get_response(request)
