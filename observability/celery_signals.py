"""Celery, observed: log context and metrics of every task, and the worker's metrics server.

Imported by config/celery.py, which connects these receivers in every process that loads the
app (web processes only publish; workers run tasks).

- Publishing stamps the message with the request id of the request (or task) that sent it
  and the time it was sent, and replaces the arguments' text that workers log and report
  (argsrepr/kwargsrepr, used by events and `celery inspect`) with their names alone.
- Running binds task_id, task, tenant (tenant-schemas-celery's `_schema_name` header) and the
  publisher's request_id to every log line of the task, hides the strings the task was given
  from those lines (observability.context.task_argument_values), and counts and times it.
- The worker's main process serves the metrics of its pool on WORKER_METRICS_ADDRESS
  (host:port), behind the same bearer token as /metrics.
"""

import logging
import logging.config
import threading
import time
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from celery.signals import (
    before_task_publish,
    setup_logging,
    task_failure,
    task_postrun,
    task_prerun,
    worker_init,
    worker_process_shutdown,
)
from structlog.contextvars import bind_contextvars, clear_contextvars, get_contextvars

from observability.context import argument_strings, request_id_accept, task_argument_values
from observability.endpoint import AUTHENTICATE, bearer_token_matches
from observability.metrics import (
    celery_task_duration,
    celery_task_failures,
    celery_task_queue_wait,
    celery_tasks,
    exposition,
    multiproc_dir,
    multiproc_dir_reset,
    process_dead,
)

logger = logging.getLogger(__name__)

PUBLISHED_AT_HEADER = "aihiring_published_at"
REQUEST_ID_HEADER = "aihiring_request_id"
SCHEMA_HEADER = "_schema_name"  # tenant-schemas-celery's

_started: dict[str, float] = {}


def _header(task: Any, name: str) -> Any:
    # With the Redis transport, message headers are merged into task.request.
    request = task.request
    headers = getattr(request, "headers", None) or {}
    if name in headers:
        return headers[name]
    return getattr(request, name, None)


@setup_logging.connect
def _logging_from_django_settings(**_: Any) -> None:
    """Workers and beat log through the settings' LOGGING (JSON, redacted), not Celery's own
    handlers; LOG_LEVEL sets the level, `--loglevel` has no effect."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


@before_task_publish.connect
def _publish_stamp(headers: dict[str, Any] | None = None, body: Any = None, **_: Any) -> None:
    if headers is None:
        return
    request_id = get_contextvars().get("request_id")
    if request_id:
        headers.setdefault(REQUEST_ID_HEADER, request_id)
    headers.setdefault(PUBLISHED_AT_HEADER, time.time())
    if isinstance(body, tuple | list) and len(body) >= 2:
        args, kwargs = body[0], body[1]
        headers["argsrepr"] = f"({len(args)} positional)" if args else "()"
        headers["kwargsrepr"] = "{" + ", ".join(f"{name}=..." for name in kwargs) + "}"


@task_prerun.connect
def _task_started(
    task_id: str | None = None,
    task: Any = None,
    args: Any = None,
    kwargs: Any = None,
    **_: Any,
) -> None:
    if task is None or task_id is None:
        return
    clear_contextvars()
    task_argument_values.set(tuple(argument_strings([args or (), kwargs or {}])))
    fields: dict[str, str] = {"task_id": task_id, "task": task.name}
    schema_name = _header(task, SCHEMA_HEADER)
    if schema_name:
        fields["tenant"] = str(schema_name)
    request_id = request_id_accept(_header(task, REQUEST_ID_HEADER))
    if request_id:
        fields["request_id"] = request_id
    bind_contextvars(**fields)
    _started[task_id] = time.perf_counter()
    published_at = _header(task, PUBLISHED_AT_HEADER)
    if isinstance(published_at, int | float):
        due = published_at
        eta = getattr(task.request, "eta", None)
        if eta:
            try:
                from datetime import datetime

                due = max(due, datetime.fromisoformat(str(eta)).timestamp())
            except ValueError:
                pass
        celery_task_queue_wait.labels(task.name).observe(max(time.time() - due, 0.0))


@task_postrun.connect
def _task_finished(
    task_id: str | None = None, task: Any = None, state: str | None = None, **_: Any
) -> None:
    try:
        if task is None or task_id is None:
            return
        started = _started.pop(task_id, None)
        if started is not None:
            celery_task_duration.labels(task.name).observe(time.perf_counter() - started)
        celery_tasks.labels(task.name, (state or "unknown").lower()).inc()
    finally:
        clear_contextvars()
        task_argument_values.set(())


@task_failure.connect
def _task_failed(sender: Any = None, exception: BaseException | None = None, **_: Any) -> None:
    name = getattr(sender, "name", None) or "unknown"
    celery_task_failures.labels(name, type(exception).__name__).inc()


@worker_process_shutdown.connect
def _pool_process_gone(pid: int | None = None, **_: Any) -> None:
    if pid:
        process_dead(pid)


# --- the worker's metrics server -----------------------------------------------------------------


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _metrics_app(token: str) -> Any:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        if environ.get("PATH_INFO", "/") not in ("/", "/metrics"):
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"Not found.\n"]
        if not bearer_token_matches(environ.get("HTTP_AUTHORIZATION"), token):
            start_response(
                "401 Unauthorized",
                [("Content-Type", "text/plain"), ("WWW-Authenticate", AUTHENTICATE)],
            )
            return [b"Metrics need the operators' bearer token.\n"]
        body, content_type = exposition(include_scrape_collectors=False)
        start_response("200 OK", [("Content-Type", content_type), ("Cache-Control", "no-store")])
        return [body]

    return app


def worker_metrics_serve(address: str, token: str) -> WSGIServer:
    host, _, port = address.rpartition(":")
    server = make_server(
        host or "0.0.0.0",  # noqa: S104 (inside the worker's container; the token guards it)
        int(port),
        _metrics_app(token),
        server_class=_ThreadingWSGIServer,
        handler_class=_QuietHandler,
    )
    threading.Thread(target=server.serve_forever, name="metrics-server", daemon=True).start()
    return server


@worker_init.connect
def _worker_metrics_start(sender: Any = None, **_: Any) -> None:
    from django.conf import settings

    multiproc_dir_reset()
    address = settings.WORKER_METRICS_ADDRESS
    if not address:
        return
    if not settings.METRICS_TOKEN:
        logger.warning("WORKER_METRICS_ADDRESS is set but METRICS_TOKEN is not: no metrics served")
        return
    if multiproc_dir() is None:
        logger.warning(
            "PROMETHEUS_MULTIPROC_DIR is not set: the metrics server sees only the main "
            "process, not the tasks of a prefork pool"
        )
    worker_metrics_serve(address, settings.METRICS_TOKEN)
    logger.info("worker metrics served", extra={"log_fields": {"address": address}})
