"""The first middleware: request id, log context and the latency metric of every request."""

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.log import log_response
from structlog.contextvars import bind_contextvars, clear_contextvars

from observability.context import (
    ACCESS_FIELDS_ENVIRON_KEY,
    REQUEST_ID_HEADER,
    current_request,
    request_id_accept,
    request_id_new,
    request_log_fields,
    request_safe_path,
)
from observability.metrics import http_request_observe

# Set by middleware that answers a request itself (health, readiness, metrics) to name it.
OPS_ENDPOINT_ATTRIBUTE = "ops_endpoint"


def request_route(request: HttpRequest) -> str:
    """The metric label of a request: its URL name (namespace:name), never the raw path."""
    match = getattr(request, "resolver_match", None)
    if match is not None and match.view_name:
        return str(match.view_name)
    endpoint = request.__dict__.get(OPS_ENDPOINT_ATTRIBUTE)
    if endpoint:
        return str(endpoint)
    if settings.STATIC_URL and request.path.startswith(str(settings.STATIC_URL)):
        return "static"
    return "unmatched"


class RequestContextMiddleware:
    """Accepts a well-formed X-Request-ID from the caller (else makes one), returns it on the
    response, binds it to every log line of the request, observes the request's latency by
    route, and leaves the request's log fields in the WSGI environ for gunicorn's access line
    (observability.gunicorn_logging), which is written after Django has returned."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_accept(request.headers.get(REQUEST_ID_HEADER)) or request_id_new()
        request.request_id = request_id  # type: ignore[attr-defined]
        clear_contextvars()
        bind_contextvars(request_id=request_id)
        token = current_request.set(request)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            route = request_route(request)
            http_request_observe(
                route=route,
                method=str(request.method),
                status=response.status_code,
                seconds=time.perf_counter() - started,
            )
            fields: dict[str, Any] = {
                "request_id": request_id,
                "route": route,
                "path": request_safe_path(request),
                **request_log_fields(request),
            }
            request.META[ACCESS_FIELDS_ENVIRON_KEY] = fields
            if response.status_code >= 400:
                # Django logs error responses after the middleware chain has returned, outside
                # this context; logged here, the line has the request's id, tenant and actor
                # (log_response marks the response, so Django does not log it again).
                log_response(
                    "%s: %s",
                    response.reason_phrase,
                    request.path,
                    response=response,
                    request=request,
                )
            return response
        finally:
            current_request.reset(token)
            clear_contextvars()
