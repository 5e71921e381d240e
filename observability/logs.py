"""Structured logs: one JSON object per line, for every logger of the process.

Why structlog: its ProcessorFormatter renders the records of the standard library's loggers
(Django, Celery, gunicorn, and this project's `logging.getLogger(__name__)` calls) through one
chain of processors, and its contextvars module carries the request id and the task id into
every line without threading them through code. A processor chain is also the natural place
for the redaction that must apply to every line. (python-json-logger renders JSON well but
would need the context and the redaction written as logging filters by hand.)

Fields of every line: timestamp (UTC, ISO 8601), level, logger, event (the message), and
where known request_id, tenant (schema name), user_id (a person's public id) or
api_key_prefix, and in tasks task_id and task. See docs/operations.md.
"""

import logging
from collections.abc import Mapping
from typing import Any

import structlog
from structlog.types import EventDict, Processor, WrappedLogger

from observability.context import (
    CONTEXT_FIELDS,
    current_request,
    request_log_fields,
    request_safe_path,
    task_argument_values,
)
from observability.redaction import REDACTED, text_scrub

# Extra fields a stdlib call may attach: logger.info("...", extra={LOG_FIELDS: {...}}).
LOG_FIELDS = "log_fields"
RENDERERS = ("json", "console")


def request_fields_add(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """Tenant and actor of the request being served, and its path without secret parameters
    in the messages Django writes about it ("Not Found: /path")."""
    request = current_request.get()
    if request is not None:
        for name, value in request_log_fields(request).items():
            event_dict.setdefault(name, value)
    record = event_dict.get("_record")
    logged_request = getattr(record, "request", None)
    if logged_request is not None and hasattr(logged_request, "resolver_match"):
        event = event_dict.get("event")
        raw_path = getattr(logged_request, "path", None)
        if isinstance(event, str) and raw_path:
            event_dict["event"] = event.replace(raw_path, request_safe_path(logged_request))
    return event_dict


def record_fields_lift(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """Structured fields given by a stdlib call through extra={"log_fields": {...}}. Other
    extras (Celery passes a task's arguments as extra data) never reach the line."""
    fields = getattr(event_dict.get("_record"), LOG_FIELDS, None)
    if isinstance(fields, Mapping):
        event_dict.update(fields)
    return event_dict


def _scrubbed(value: Any, hidden: tuple[str, ...]) -> Any:
    if isinstance(value, str):
        for text in hidden:
            value = value.replace(text, REDACTED)
        return text_scrub(value)
    if isinstance(value, Mapping):
        return {key: _scrubbed(item, hidden) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrubbed(item, hidden) for item in value]
    return value


def secrets_scrub(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """The last step before rendering: every string of the line, the traceback included,
    goes through the safety net of observability.redaction, and inside a task the strings
    the task was given are replaced too."""
    hidden = tuple(sorted(task_argument_values.get(), key=len, reverse=True))
    return {
        key: _scrubbed(value, () if key in CONTEXT_FIELDS else hidden)
        for key, value in event_dict.items()
    }


def _pre_chain() -> list[Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        request_fields_add,
        record_fields_lift,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True, key="timestamp"),
    ]


def formatter(renderer: str = "json") -> structlog.stdlib.ProcessorFormatter:
    """The logging.Formatter of every handler: JSON lines, or readable lines for a terminal
    (LOG_FORMAT=console, the default of `make run`). Both are redacted the same way."""
    if renderer not in RENDERERS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(RENDERERS)}, not {renderer!r}")
    final: Processor = (
        structlog.processors.JSONRenderer(sort_keys=False)
        if renderer == "json"
        else structlog.dev.ConsoleRenderer(
            colors=False, exception_formatter=structlog.dev.plain_traceback
        )
    )
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_pre_chain(),
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            secrets_scrub,
            final,
        ],
    )


def logging_config(*, level: str, renderer: str) -> dict[str, Any]:
    """The LOGGING dict of the settings: one handler on the root logger, one formatter."""
    formatter(renderer)  # refuse a wrong LOG_FORMAT when settings load, not at the first line
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"structured": {"()": f"{__name__}.formatter", "renderer": renderer}},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "structured"},
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Django's defaults add a plain console handler in DEBUG: only the root's here.
            "django": {"handlers": [], "level": "INFO", "propagate": True},
            # runserver's request lines carry the raw query string: same formatter, redacted.
            "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
            "django.db.backends": {"level": "WARNING"},
            "django_tenants": {"level": "WARNING"},
            # Celery's pool writes every task's arguments at DEBUG: never, whatever LOG_LEVEL.
            "celery.pool": {"level": "INFO"},
        },
    }


def handler_formatter_set(logger: logging.Logger, renderer: str = "json") -> None:
    """Give the handlers of a logger configured elsewhere (gunicorn's) this formatter."""
    for handler in logger.handlers:
        handler.setFormatter(formatter(renderer))
