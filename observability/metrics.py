"""Prometheus metrics: what is measured, and how several processes report as one.

gunicorn runs several worker processes and Celery's prefork pool several children; each
counts in its own memory. With PROMETHEUS_MULTIPROC_DIR set (the production image sets it),
prometheus-client keeps every process's values in files there and the process that answers a
scrape adds them up (MultiProcessCollector). Each group of processes needs its own directory,
emptied when the group starts (config/gunicorn.conf.py for web, worker_init for Celery).
Without it, as in tests and `make run`, the values live in the process that counts them.

Scrape-time collectors (`scrape_collector_register`) are read when /metrics is answered:
outbox lag is computed from the database then, so it keeps growing when no worker is alive to
report it.

Labels stay few: a URL name, never a raw path; a task name; an outcome. No tenant label.
"""

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

MULTIPROC_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"
HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def multiproc_dir() -> Path | None:
    value = os.environ.get(MULTIPROC_DIR_ENV)
    return Path(value) if value else None


def multiproc_dir_reset() -> None:
    """Empty this process group's directory at its start: values of a previous run (or of
    processes long gone) must not be added to the new ones."""
    directory = multiproc_dir()
    if directory is None:
        return
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink(missing_ok=True)


def process_dead(pid: int) -> None:
    """A worker process exited (gunicorn child_exit, Celery worker_process_shutdown)."""
    if multiproc_dir() is not None:
        multiprocess.mark_process_dead(pid)


# The directory must exist before the first value is written to it.
if (_directory := multiproc_dir()) is not None:
    _directory.mkdir(parents=True, exist_ok=True)

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_TASK_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0)

http_request_duration = Histogram(
    "aihiring_http_request_duration_seconds",
    "Time to answer an HTTP request, by URL name (never the raw path), method and status.",
    ["route", "method", "status"],
    buckets=_LATENCY_BUCKETS,
)
celery_tasks = Counter(
    "aihiring_celery_tasks_total",
    "Celery tasks finished, by task name and final state (success, failure, retry, ...).",
    ["task", "state"],
)
celery_task_duration = Histogram(
    "aihiring_celery_task_duration_seconds",
    "Run time of Celery tasks, by task name.",
    ["task"],
    buckets=_TASK_BUCKETS,
)
celery_task_failures = Counter(
    "aihiring_celery_task_failures_total",
    "Celery tasks that raised, by task name and exception class.",
    ["task", "exception"],
)
celery_task_queue_wait = Histogram(
    "aihiring_celery_task_queue_wait_seconds",
    "Time from publishing a task (or its ETA) to a worker starting it, by task name.",
    ["task"],
    buckets=_TASK_BUCKETS,
)
webhook_delivery_attempts = Counter(
    "aihiring_webhook_delivery_attempts_total",
    "Webhook delivery attempts made, by outcome (delivered, failed, gave_up, ...).",
    ["outcome"],
)
webhook_delivery_failures = Counter(
    "aihiring_webhook_delivery_failures_total",
    "Webhook attempts that failed: failed (a retry is scheduled) or gave_up (no more retries).",
    ["outcome"],
)
import_rows = Counter(
    "aihiring_import_rows_total",
    "CSV import rows handled, by result (imported, failed, skipped); rate() is rows/second.",
    ["result"],
)
import_run_rows_per_second = Histogram(
    "aihiring_import_run_rows_per_second",
    "Throughput of each CSV import run, in rows per second.",
    buckets=(1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000),
)

WEBHOOK_FAILED_OUTCOMES = frozenset({"failed", "gave_up"})


def http_request_observe(*, route: str, method: str, status: int, seconds: float) -> None:
    method = method if method in HTTP_METHODS else "other"
    http_request_duration.labels(route, method, str(status)).observe(seconds)


def webhook_attempt_observe(*, outcome: str) -> None:
    webhook_delivery_attempts.labels(outcome).inc()
    if outcome in WEBHOOK_FAILED_OUTCOMES:
        webhook_delivery_failures.labels(outcome).inc()


def import_rows_observe(*, imported: int, failed: int, skipped: int) -> None:
    for result, count in (("imported", imported), ("failed", failed), ("skipped", skipped)):
        if count > 0:
            import_rows.labels(result).inc(count)


def import_run_observe(*, rows: int, seconds: float) -> None:
    if rows > 0 and seconds > 0:
        import_run_rows_per_second.observe(rows / seconds)


# --- exposition --------------------------------------------------------------------------------

_scrape_registry = CollectorRegistry(auto_describe=False)


def scrape_collector_register(collector: Any) -> None:
    """Add a collector whose collect() is computed when /metrics is answered."""
    _scrape_registry.register(collector)


def _counted_registry() -> CollectorRegistry:
    if multiproc_dir() is None:
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


def exposition(*, include_scrape_collectors: bool = True) -> tuple[bytes, str]:
    """The metrics page in Prometheus' text format, and its content type."""
    parts: Iterable[bytes] = [generate_latest(_counted_registry())]
    if include_scrape_collectors:
        parts = [*parts, generate_latest(_scrape_registry)]
    return b"".join(parts), CONTENT_TYPE_LATEST
