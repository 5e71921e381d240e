"""GET /healthz on any host: database, Redis and workers."""

import pytest

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
