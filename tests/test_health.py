"""GET /healthz (database, Redis, workers) and GET /readyz (database, Redis) on any host."""

import json
import os
import socket
import subprocess
import sys

import pytest
from django.conf import settings

from tests.conftest import http_client


@pytest.mark.django_db
@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "alpha.localhost", "unknown.localhost"])
def test_health_answers_on_any_host_without_workers_in_web_scope(tenant_a, host):
    response = http_client().get("/healthz", {"scope": "web"}, HTTP_HOST=host)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["redis"]["ok"] is True
    assert "workers" not in body["checks"]


@pytest.mark.django_db
def test_redis_down_gives_503(settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = http_client().get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"]["redis"]["ok"] is False
    assert body["checks"]["workers"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


@pytest.mark.worker
def test_full_check_reports_a_running_worker(celery_worker):
    response = http_client().get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["workers"]["ok"] is True


@pytest.mark.django_db
def test_no_worker_answering_gives_503(settings):
    # Same Redis server, a logical database that no worker consumes from.
    settings.CELERY_BROKER_URL = settings.CELERY_BROKER_URL.rsplit("/", 1)[0] + "/13"
    response = http_client().get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["redis"]["ok"] is True
    assert body["checks"]["workers"] == {
        "ok": False,
        "error": "RuntimeError",
        "latency_ms": body["checks"]["workers"]["latency_ms"],
    }


# --- readiness: what a load balancer routes by -------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("host", ["localhost", "alpha.localhost", "unknown.localhost"])
def test_ready_when_database_and_redis_answer_even_without_workers(tenant_a, settings, host):
    # A broker database no worker consumes from: health fails, readiness does not care.
    settings.CELERY_BROKER_URL = settings.CELERY_BROKER_URL.rsplit("/", 1)[0] + "/13"
    assert http_client().get("/healthz", HTTP_HOST=host).status_code == 503
    response = http_client().get("/readyz", HTTP_HOST=host)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "redis"}


@pytest.mark.django_db
def test_not_ready_without_redis(settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = http_client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"]["ok"] is False
    assert response.json()["checks"]["database"]["ok"] is True


def test_not_ready_without_the_database():
    """A process whose database does not answer (a port where nothing listens)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    code = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client(HTTP_HOST='localhost').get('/readyz');"
        "print(r.status_code, json.dumps(r.json()))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{closed_port}/nothing",
    }
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    status, _, report = done.stdout.strip().splitlines()[-1].partition(" ")
    assert status == "503"
    checks = json.loads(report)["checks"]
    assert checks["database"]["ok"] is False
    assert checks["redis"]["ok"] is True
