"""Dependency checks behind GET /healthz (health) and GET /readyz (readiness).

Health says whether the product works end to end: database, Redis and at least one live
worker. Readiness says whether this web process can serve requests: database and Redis. A load
balancer routes by readiness, so a restarting worker never takes web processes out of
rotation; an operator's alert watches health.
"""

import time
from typing import Any

import redis
from django.conf import settings
from django.db import connection

from tenants.worker_heartbeat import live_worker_count


def _timed(check: Any) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        details = check() or {}
        result = {"ok": True, **details}
    except Exception as exc:
        result = {"ok": False, "error": exc.__class__.__name__}
    result["latency_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def _check_database() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {}


def _check_redis() -> dict[str, Any]:
    client = redis.Redis.from_url(
        settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=1
    )
    try:
        client.ping()
    finally:
        client.close()
    return {}


def _check_workers() -> dict[str, Any]:
    count = live_worker_count(settings.CELERY_BROKER_URL)
    if not count:
        raise RuntimeError("no worker heartbeat")
    return {"alive": count}


def health_report(*, include_workers: bool = True) -> tuple[int, dict[str, Any]]:
    """Return (HTTP status, report). 503 when any dependency checked is down."""
    checks = {"database": _timed(_check_database), "redis": _timed(_check_redis)}
    if include_workers:
        if checks["redis"]["ok"]:
            checks["workers"] = _timed(_check_workers)
        else:
            checks["workers"] = {"ok": False, "error": "broker unreachable", "latency_ms": 0.0}
    healthy = all(check["ok"] for check in checks.values())
    return (200 if healthy else 503), {"status": "ok" if healthy else "fail", "checks": checks}


def readiness_report() -> tuple[int, dict[str, Any]]:
    """Return (HTTP status, report) for /readyz: 503 unless database and Redis answer."""
    return health_report(include_workers=False)
