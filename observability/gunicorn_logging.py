"""gunicorn's logs in the project's JSON format (`logger_class` in config/gunicorn.conf.py).

The access line is built from parts that are safe to keep: the method, the path with secret
URL parameters redacted, the query string with every value outside a short list redacted
(observability.redaction.query_redact: `api_key`, `token`, `password`, search terms...), the
status, the size, the duration, and the request's id, route, tenant and actor that Django left
in the WSGI environ. No header is logged: not the client's address, user agent or referrer,
which can hold personal data or tokens.
"""

import datetime as dt
from typing import Any

from gunicorn.glogging import Logger

from observability.context import ACCESS_FIELDS_ENVIRON_KEY
from observability.logs import LOG_FIELDS, handler_formatter_set
from observability.redaction import query_redact, text_scrub


def access_fields(
    *, environ: dict[str, Any], status: Any, sent: Any, request_time: dt.timedelta
) -> dict[str, Any]:
    context = environ.get(ACCESS_FIELDS_ENVIRON_KEY) or {}
    code = str(status).split(None, 1)[0] if status is not None else ""
    fields: dict[str, Any] = {
        "method": environ.get("REQUEST_METHOD"),
        "path": context.get("path") or text_scrub(str(environ.get("PATH_INFO", ""))),
        "query": query_redact(str(environ.get("QUERY_STRING", ""))),
        "status": int(code) if code.isdigit() else code,
        "bytes": sent,
        "duration_ms": round(request_time.total_seconds() * 1000, 1),
        "protocol": environ.get("SERVER_PROTOCOL"),
    }
    for name in ("request_id", "route", "tenant", "user_id", "api_key_prefix"):
        fields[name] = context.get(name)
    return {name: value for name, value in fields.items() if value not in (None, "")}


class JsonLogger(Logger):
    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        handler_formatter_set(self.error_log)
        handler_formatter_set(self.access_log)

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if not self.access_log_enabled:
            return
        fields = access_fields(
            environ=environ,
            status=getattr(resp, "status", None),
            sent=getattr(resp, "sent", None),
            request_time=request_time,
        )
        self.access_log.info("request", extra={LOG_FIELDS: fields})
