"""Who and what a log line is about: the request id, the tenant and the actor.

The request id is bound with structlog's contextvars for the length of a request or a task.
Tenant and actor are read from the request being served at the moment a line is written
(`request_log_fields`): the tenant once routing has set it, the actor once authentication
has resolved it. Logging never resolves them itself, so it never costs a query, and a line
written before sign-in is known simply carries no actor.
"""

import re
import uuid
from contextvars import ContextVar
from typing import Any

from django.utils.functional import LazyObject, empty

from observability.redaction import REDACTED, SECRET_NAMES

REQUEST_ID_HEADER = "X-Request-ID"
# What an incoming X-Request-ID may look like to be kept: UUIDs, trace ids, most proxies' ids.
_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
# The WSGI environ key where the request leaves its log fields for gunicorn's access line,
# which is written after Django has returned.
ACCESS_FIELDS_ENVIRON_KEY = "aihiring.log_fields"
_SECRET_KWARG = re.compile(rf"(?i)(?:{SECRET_NAMES})")

current_request: ContextVar[Any] = ContextVar("aihiring_current_request", default=None)
# The strings a running task was given (observability.celery_signals): replaced in its log
# lines, exception messages included, so a value passed to a task never reaches the log.
task_argument_values: ContextVar[tuple[str, ...]] = ContextVar(
    "aihiring_task_argument_values", default=()
)
# Shorter strings (a status, a flag) say nothing about anyone and would blank common words.
MIN_HIDDEN_ARGUMENT_LENGTH = 6
# Fields the product sets itself; the argument safety net leaves them as they are.
CONTEXT_FIELDS = frozenset(
    {"request_id", "tenant", "user_id", "api_key_prefix", "task_id", "task", "timestamp"}
)


def request_id_accept(value: str | None) -> str | None:
    """The caller's request id if it is safe to log and echo (1-128 letters, digits, `._-`,
    starting with a letter or digit), else None."""
    if value and _REQUEST_ID.fullmatch(value):
        return value
    return None


def request_id_new() -> str:
    return uuid.uuid4().hex


def _resolved_user(request: Any) -> Any:
    user = request.__dict__.get("user")
    if isinstance(user, LazyObject):
        # The session user is read only if something else already loaded it.
        wrapped = user._wrapped
        return None if wrapped is empty else wrapped
    return user


def request_log_fields(request: Any) -> dict[str, str]:
    """tenant (schema name), user_id (a person's public id) or api_key_prefix (the partner
    API's key), from what routing and authentication have already put on the request."""
    fields: dict[str, str] = {}
    schema_name = getattr(request.__dict__.get("tenant"), "schema_name", None)
    if schema_name:
        fields["tenant"] = str(schema_name)
    user = _resolved_user(request)
    if user is None:
        return fields
    # The partner API's principal (api.authentication.ApiPrincipal) carries its key.
    api_key = getattr(user, "api_key", None)
    if api_key is not None:
        fields["api_key_prefix"] = str(api_key.prefix)
    elif getattr(user, "is_authenticated", False) and getattr(user, "public_id", None):
        fields["user_id"] = str(user.public_id)
    return fields


def request_safe_path(request: Any) -> str:
    """The path with the values of secret-named URL parameters (an unsubscribe token, for
    example) replaced by [redacted]."""
    path = str(request.path)
    match = getattr(request, "resolver_match", None)
    if match is None:
        return path
    for name, value in match.kwargs.items():
        text = str(value)
        if text and _SECRET_KWARG.fullmatch(name):
            path = path.replace(text, REDACTED)
    return path


def argument_strings(value: Any) -> list[str]:
    """Every string of a task's arguments worth hiding, nested lists and dicts included."""
    if isinstance(value, str):
        return [value] if len(value) >= MIN_HIDDEN_ARGUMENT_LENGTH else []
    if isinstance(value, dict):
        return [text for item in value.values() for text in argument_strings(item)]
    if isinstance(value, list | tuple | set | frozenset):
        return [text for item in value for text in argument_strings(item)]
    return []
