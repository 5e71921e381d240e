"""Request routing around tenants: health on any host, and who may enter a workspace."""

import copy
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
    JsonResponse,
)
from django.urls import reverse
from django_tenants.middleware.main import TenantMainMiddleware

from observability.endpoint import METRICS_PATH, metrics_response
from observability.middleware import OPS_ENDPOINT_ATTRIBUTE
from tenants.health import health_report, readiness_report
from tenants.selectors import workspace_access_for

HEALTH_PATH = "/healthz"
READINESS_PATH = "/readyz"
# Answered on any host, before tenant routing, by HealthCheckMiddleware.
OPS_ENDPOINTS = {HEALTH_PATH: "healthz", READINESS_PATH: "readyz", METRICS_PATH: "metrics"}

# Paths that a person who is not (yet) a member may reach on a workspace host. The API
# authenticates with keys of its own (api app) and never with the session.
WORKSPACE_OPEN_PREFIXES = ("/accounts/", "/static/", "/api/", "/favicon.ico", "/consent/")


class TenantRoutingMiddleware(TenantMainMiddleware):
    """django-tenants' host routing with a short per-process memory of host -> client.

    Looking the host up costs a query (and a switch to the public schema) on every request;
    remembered for TENANT_ROUTING_CACHE_SECONDS (default 10; 0 turns it off), a busy host
    costs one query per process per period. Saving or deleting a client or a domain forgets
    everything in this process at once; other processes follow within the period. Unknown
    hosts are never remembered. Each request gets its own copy of the client object.
    """

    _remembered: dict[str, tuple[float, Any]] = {}
    _lock = threading.Lock()
    MAX_HOSTS = 2000

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        _routing.from_memory = False
        response = super().process_request(request)
        if response is None and _routing.from_memory:
            _keep_search_path()
        return response

    def get_tenant(self, domain_model: Any, hostname: str) -> Any:
        seconds = float(getattr(settings, "TENANT_ROUTING_CACHE_SECONDS", 10))
        if seconds <= 0:
            return super().get_tenant(domain_model, hostname)
        now = time.monotonic()
        hit = self._remembered.get(hostname)
        if hit is not None and hit[0] > now:
            _routing.from_memory = True
            return copy.copy(hit[1])
        tenant = super().get_tenant(domain_model, hostname)
        with self._lock:
            if len(self._remembered) >= self.MAX_HOSTS:
                self._remembered.clear()
            self._remembered[hostname] = (now + seconds, tenant)
        return copy.copy(tenant)

    @classmethod
    def forget(cls, **kwargs: Any) -> None:
        with cls._lock:
            cls._remembered.clear()


# Per thread: whether this request's host was routed from the memory (no public query).
_routing = threading.local()


def _keep_search_path() -> None:
    """A request routed from memory ran no query in the public schema; when the connection
    is still in the schema this workspace needs, django-tenants is told so and skips the
    `SET search_path` round trip that set_tenant would cost every request
    (tenants.postgresql_backend)."""
    keep = getattr(connection, "keep_search_path_in_effect", None)
    if keep is not None:
        keep()


def _forget_routing(sender: Any, **kwargs: Any) -> None:
    # At once (this process must not route to what was just changed) and again after commit
    # (a request in between could have remembered the row as it was before the change).
    TenantRoutingMiddleware.forget()
    transaction.on_commit(TenantRoutingMiddleware.forget)


for _model in ("tenants.Client", "tenants.Domain"):
    post_save.connect(_forget_routing, sender=_model, dispatch_uid=f"routing-save-{_model}")
    post_delete.connect(_forget_routing, sender=_model, dispatch_uid=f"routing-delete-{_model}")


NUL_REFUSAL = (
    "The address, its query string or a form field holds a NUL character, which no page "
    "accepts. Check the link or the form and try again."
)
FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _holds_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path_info or "\x00" in request.path:
        return True
    # Keys and values, as Django decodes them (%00 becomes a NUL).
    if any(
        "\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()
    ):
        return True
    if request.method == "POST" and request.content_type in FORM_CONTENT_TYPES:
        # Form fields only: an uploaded file (a PDF resume) may hold NULs and is checked by
        # the code that reads it.
        return any(
            "\x00" in key or any("\x00" in v for v in values)
            for key, values in request.POST.lists()
        )
    return False


class NulRefusalMiddleware:
    """First in the chain: a NUL byte anywhere in the path, the query string or a form field
    answers 400 before routing or any view. PostgreSQL cannot store or compare a NUL in text,
    so one that reached a query would be a 500 (/accounts/unsubscribe/x%00y/ was, without
    signing in). JSON bodies of the partner API are checked by its parser (api/parsers.py).
    Under /api/ the answer is a problem document like every other API error."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _holds_nul(request):
            return self.get_response(request)
        if request.path_info.startswith("/api/"):
            body = {
                "type": "https://docs.aihiring.example/problems/nul_character",
                "title": "Invalid request",
                "status": 400,
                "detail": NUL_REFUSAL,
                "code": "nul_character",
                "errors": {},
            }
            return JsonResponse(body, status=400, content_type="application/problem+json")
        return HttpResponseBadRequest(NUL_REFUSAL, content_type="text/plain; charset=utf-8")


class HealthCheckMiddleware:
    """Answers the operators' endpoints on any host, before tenant routing: /healthz
    (database, Redis, workers; ?scope=web skips the workers), /readyz (database and Redis:
    what a load balancer routes by) and /metrics (bearer token, observability.endpoint)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        endpoint = OPS_ENDPOINTS.get(request.path.rstrip("/"))
        if endpoint is None or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        setattr(request, OPS_ENDPOINT_ATTRIBUTE, endpoint)
        if endpoint == "metrics":
            return metrics_response(request)
        if endpoint == "readyz":
            status, report = readiness_report()
        else:
            status, report = health_report(include_workers=request.GET.get("scope") != "web")
        return JsonResponse(report, status=status)


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
