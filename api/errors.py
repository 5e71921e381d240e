"""Every error of the partner API is an RFC 9457 problem document.

    {"type": "https://docs.aihiring.example/problems/<code>", "title": "...", "status": 400,
     "detail": "...", "code": "<code>", "errors": {"field": ["message", ...]}}

served as application/problem+json. `code` is stable and meant for programs; `title` and
`detail` are for people. `errors` lists field errors (dotted paths for nested input, e.g.
"candidate.email"); it is empty when the problem is not about fields.
"""

import logging
import math
from typing import Any

import orjson
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from rest_framework import exceptions, status
from rest_framework.response import Response

from audit.errors import ConflictError, NotFoundError

logger = logging.getLogger(__name__)

PROBLEM_TYPE_BASE = "https://docs.aihiring.example/problems/"
PROBLEM_CONTENT_TYPE = "application/problem+json"
NON_FIELD_KEY = "non_field_errors"
AUTHENTICATE_HEADER = 'Bearer realm="api"'

TITLES = {
    400: "Invalid request",
    401: "Authentication required",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Idempotency key reused with a different request",
    429: "Too many requests",
    500: "Server error",
}


# --- errors the API raises itself ---------------------------------------------------------


class KeyRefused(exceptions.AuthenticationFailed):
    """401: no usable key (missing, unknown, revoked, expired, wrong host, in the URL)."""

    def __init__(self, detail: str, *, code: str) -> None:
        super().__init__(detail=detail, code=code)


class ApiForbidden(exceptions.PermissionDenied):
    """403: a valid key that may not do this (missing scope, wrong kind of key, ended
    engagement)."""

    def __init__(self, detail: str, *, code: str) -> None:
        super().__init__(detail=detail, code=code)


class BodyTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "body_too_large"


class IdempotencyKeyMismatch(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = (
        "This Idempotency-Key was already used with a different request (method, path or "
        "body). Use a new key for a new request."
    )
    default_code = "idempotency_key_mismatch"


class IdempotencyKeyInUse(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = (
        "A request with this Idempotency-Key is still being processed. Retry after it "
        "finishes to receive its response."
    )
    default_code = "idempotency_key_in_use"


# --- mapping -------------------------------------------------------------------------------


def problem_body(
    *, status_code: int, code: str, detail: str, errors: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    return {
        "type": PROBLEM_TYPE_BASE + code,
        "title": TITLES.get(status_code, "Error"),
        "status": status_code,
        "detail": detail,
        "code": code,
        "errors": errors or {},
    }


def problem_response(
    *, status_code: int, code: str, detail: str, errors: dict[str, list[str]] | None = None
) -> HttpResponse:
    """A problem document outside DRF views (URL not found, for example)."""
    body = problem_body(status_code=status_code, code=code, detail=detail, errors=errors)
    return HttpResponse(orjson.dumps(body), status=status_code, content_type=PROBLEM_CONTENT_TYPE)


def flatten_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error structure as {"dotted.path": [messages]}."""
    flat: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = NON_FIELD_KEY if key in ("__all__", NON_FIELD_KEY) and not prefix else str(key)
            flat.update(flatten_errors(value, f"{prefix}.{name}" if prefix else name))
    elif isinstance(detail, list | tuple):
        if all(not isinstance(item, dict | list | tuple) for item in detail):
            flat.setdefault(prefix or NON_FIELD_KEY, []).extend(str(item) for item in detail)
        else:
            for index, item in enumerate(detail):
                if item:
                    flat.update(flatten_errors(item, f"{prefix}.{index}" if prefix else str(index)))
    else:
        flat.setdefault(prefix or NON_FIELD_KEY, []).append(str(detail))
    return flat


def django_validation_errors(error: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {
            (NON_FIELD_KEY if field == "__all__" else field): list(messages)
            for field, messages in error.message_dict.items()
        }
    return {NON_FIELD_KEY: list(error.messages)}


def _validation_detail(errors: dict[str, list[str]]) -> str:
    general = errors.get(NON_FIELD_KEY)
    if general:
        return general[0]
    names = ", ".join(sorted(errors)[:5])
    return f"Some fields are invalid ({names}): see errors."


def _response(
    status_code: int,
    code: str,
    detail: str,
    errors: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    return Response(
        problem_body(status_code=status_code, code=code, detail=detail, errors=errors),
        status=status_code,
        headers=headers,
        content_type=PROBLEM_CONTENT_TYPE,
    )


def _api_exception_code(exc: exceptions.APIException, fallback: str) -> str:
    codes = exc.get_codes()
    return codes if isinstance(codes, str) else fallback


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """DRF's EXCEPTION_HANDLER: map every exception to a problem response (never None, so
    even an unexpected error answers problem+json; it is logged with its traceback)."""
    if isinstance(exc, DjangoValidationError):
        errors = django_validation_errors(exc)
        return _response(400, "validation_error", _validation_detail(errors), errors)
    if isinstance(exc, exceptions.ValidationError):
        errors = flatten_errors(exc.detail)
        return _response(400, "validation_error", _validation_detail(errors), errors)
    if isinstance(exc, ConflictError):
        return _response(409, exc.code, exc.message)
    if isinstance(exc, NotFoundError | Http404 | exceptions.NotFound):
        return _response(404, "not_found", "Nothing was found at this address.")
    if isinstance(exc, RequestDataTooBig):
        return _response(413, "body_too_large", "The request body is too large.")
    if isinstance(exc, DjangoPermissionDenied):
        return _response(403, "forbidden", "You are not allowed to do this.")
    if isinstance(exc, exceptions.ParseError):
        return _response(400, "malformed_json", str(exc.detail))
    if isinstance(exc, exceptions.APIException):
        headers: dict[str, str] = {}
        code = _api_exception_code(exc, exc.default_code)
        if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
            headers["WWW-Authenticate"] = AUTHENTICATE_HEADER
            if exc.status_code == status.HTTP_401_UNAUTHORIZED:
                code = code if isinstance(exc, KeyRefused) else "not_authenticated"
        if isinstance(exc, exceptions.Throttled):
            wait = max(1, math.ceil(getattr(exc, "wait", None) or 1))
            headers["Retry-After"] = str(wait)
            detail = f"Too many requests for this key. Retry in {wait} seconds."
            return _response(429, "throttled", detail, headers=headers)
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        return _response(exc.status_code, code, str(detail), headers=headers)
    logger.error("Unhandled error in the partner API", exc_info=exc)
    return _response(
        500, "server_error", "Something went wrong on our side; it has been logged. Retry later."
    )


def api_not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    """Unknown addresses under /api/ answer a problem document, not the HTML 404 page."""
    detail = "There is no API endpoint at this address."
    if not request.path.endswith("/"):
        try:
            resolved = resolve(request.path + "/")
        except Resolver404:
            resolved = None
        if resolved is not None and resolved.func is not api_not_found:
            detail += " API addresses end with a slash: add one."
    return problem_response(status_code=404, code="not_found", detail=detail)
