"""Metrics: only the operators' token opens them, and each figure moves with what it measures
(request latency by URL name, Celery tasks, outbox lag, webhook failures, import rows), also
when several processes count (PROMETHEUS_MULTIPROC_DIR)."""

import csv
import datetime as dt
import io
import os
import socket
import subprocess
import sys
import uuid
from typing import Any

import pytest
from celery import current_app, shared_task
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.utils import timezone
from django_tenants.utils import schema_context
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from api.webhooks.delivery import webhook_delivery_attempt
from api.webhooks.subscriptions import webhook_send_test, webhook_subscription_create
from audit.actors import Actor
from hiring.services.briefs import brief_create, brief_open
from hiring.services.imports import import_job_create, import_job_run
from observability.metrics import exposition
from tenants.schema import current_schema_name
from tests.api_support import make_key
from tests.conftest import host_of
from tests.factories import (
    AgencyFactory,
    EngagementFactory,
    OutboxEventFactory,
    UserFactory,
    ready_brief_data,
)

TOKEN = "metrics-token-for-tests-0123456789abcdef"


@pytest.fixture
def metrics_token(settings: Any) -> str:
    settings.METRICS_TOKEN = TOKEN
    return TOKEN


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def scraped() -> dict[str, float]:
    """Unlabelled samples of the metrics page, by name."""
    body, _ = exposition()
    values: dict[str, float] = {}
    for family in text_string_to_metric_families(body.decode()):
        for item in family.samples:
            if not item.labels:
                values[item.name] = item.value
    return values


# --- who may read them ----------------------------------------------------------------------


@pytest.mark.django_db
def test_metrics_do_not_exist_without_a_token(settings):
    settings.METRICS_TOKEN = ""
    response = HttpClient(HTTP_HOST="localhost").get("/metrics", HTTP_AUTHORIZATION="Bearer ")
    assert response.status_code == 404


@pytest.mark.django_db
def test_only_the_operators_token_opens_the_metrics(tenant_a, as_role, metrics_token):
    anonymous = HttpClient(HTTP_HOST="localhost")
    refused = anonymous.get("/metrics")
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert b"aihiring_" not in refused.content

    # A signed-in member of a workspace, on the workspace's host and on the public one.
    admin = as_role(tenant_a, "admin")
    assert admin.http.get("/metrics").status_code == 401
    assert admin.http.get("/metrics", HTTP_HOST="localhost").status_code == 401
    # A platform operator's session does not count either: only the token does.
    staff = UserFactory(is_staff=True, is_superuser=True)
    operator = HttpClient(HTTP_HOST="localhost")
    operator.force_login(staff)
    assert operator.get("/metrics").status_code == 401
    # A partner's API key, a wrong token, the right token in the wrong scheme or in the URL.
    _, raw_key = make_key(tenant_a)
    partner = HttpClient(HTTP_HOST=host_of(tenant_a))
    assert partner.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {raw_key}").status_code == 401
    assert anonymous.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}x").status_code == 401
    assert anonymous.get("/metrics", HTTP_AUTHORIZATION=f"Basic {TOKEN}").status_code == 401
    assert anonymous.get("/metrics", {"token": TOKEN}).status_code == 401

    for host in ("localhost", host_of(tenant_a), "unknown.localhost"):
        allowed = HttpClient(HTTP_HOST=host).get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
        assert allowed.status_code == 200
        assert allowed["Content-Type"].startswith("text/plain")
        assert allowed["Cache-Control"] == "no-store"
        assert b"aihiring_http_request_duration_seconds" in allowed.content


# --- what they say ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_request_latency_is_labelled_by_url_name_never_by_path(tenant_a, as_role, metrics_token):
    admin = as_role(tenant_a, "admin")
    labels = {"route": "hiring:brief_detail", "method": "GET", "status": "404"}
    before = sample("aihiring_http_request_duration_seconds_count", **labels)
    missing = uuid.uuid4()
    assert admin.http.get(f"/briefs/{missing}/").status_code == 404
    assert sample("aihiring_http_request_duration_seconds_count", **labels) == before + 1
    unknown = {"route": "unmatched", "method": "GET", "status": "404"}
    before_unknown = sample("aihiring_http_request_duration_seconds_count", **unknown)
    admin.http.get(f"/no-such-page/{missing}/")
    assert sample("aihiring_http_request_duration_seconds_count", **unknown) == before_unknown + 1
    page = admin.http.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode()
    assert str(missing) not in page
    assert 'route="hiring:brief_detail"' in page


PROBE_TASK = "tests.test_metrics.metrics_probe"


@shared_task(name=PROBE_TASK)
def metrics_probe(*, fail: bool) -> str:
    """Sent by this module only, so no other test's task can move its counts."""
    if fail:
        raise LookupError("asked to fail")
    return current_schema_name()


@pytest.mark.worker
def test_tasks_are_counted_timed_and_their_failures_named(tenant_a, celery_worker):
    name = PROBE_TASK
    success = {"task": name, "state": "success"}
    failure = {"task": name, "state": "failure"}
    before = (
        sample("aihiring_celery_tasks_total", **success),
        sample("aihiring_celery_tasks_total", **failure),
        sample("aihiring_celery_task_failures_total", task=name, exception="LookupError"),
        sample("aihiring_celery_task_duration_seconds_count", task=name),
        sample("aihiring_celery_task_queue_wait_seconds_count", task=name),
    )
    headers = {"_schema_name": tenant_a.schema_name}
    ok = current_app.send_task(name, kwargs={"fail": False}, headers=headers)
    bad = current_app.send_task(name, kwargs={"fail": True}, headers=headers)
    assert ok.get(timeout=30) == tenant_a.schema_name
    bad.get(timeout=30, propagate=False)
    assert bad.state == "FAILURE"
    after = (
        sample("aihiring_celery_tasks_total", **success),
        sample("aihiring_celery_tasks_total", **failure),
        sample("aihiring_celery_task_failures_total", task=name, exception="LookupError"),
        sample("aihiring_celery_task_duration_seconds_count", task=name),
        sample("aihiring_celery_task_queue_wait_seconds_count", task=name),
    )
    assert [b - a for a, b in zip(before, after, strict=True)] == [1, 1, 1, 2, 2]


@pytest.mark.django_db
def test_outbox_lag_is_the_age_of_the_oldest_unpublished_event(tenant_a, tenant_b):
    assert scraped()["aihiring_outbox_oldest_unpublished_age_seconds"] == 0
    with schema_context(tenant_a.schema_name):
        OutboxEventFactory(created_at=timezone.now() - dt.timedelta(seconds=30))
        OutboxEventFactory(published_at=timezone.now(), created_at=timezone.now())
    with schema_context(tenant_b.schema_name):
        OutboxEventFactory(created_at=timezone.now() - dt.timedelta(seconds=600))
        OutboxEventFactory(created_at=timezone.now() - dt.timedelta(seconds=5))
    values = scraped()
    assert 600 <= values["aihiring_outbox_oldest_unpublished_age_seconds"] < 660
    assert values["aihiring_outbox_unpublished_events"] == 3


@pytest.mark.django_db
def test_webhook_delivery_failures_are_counted(tenant_a, settings):
    with socket.socket() as probe:  # a port where nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.WEBHOOK_ALLOWED_PRIVATE_TARGETS = [f"127.0.0.1:{port}"]
    key, _ = make_key(tenant_a, scopes=["webhooks:manage"])
    before = (
        sample("aihiring_webhook_delivery_attempts_total", outcome="failed"),
        sample("aihiring_webhook_delivery_failures_total", outcome="failed"),
    )
    with schema_context(tenant_a.schema_name):
        subscription, _ = webhook_subscription_create(
            api_key=key, url=f"http://127.0.0.1:{port}/hooks", event_types=[]
        )
        delivery = webhook_send_test(api_key=key, subscription=subscription)
        assert webhook_delivery_attempt(delivery_id=delivery.pk) == "failed"
    after = (
        sample("aihiring_webhook_delivery_attempts_total", outcome="failed"),
        sample("aihiring_webhook_delivery_failures_total", outcome="failed"),
    )
    assert after == (before[0] + 1, before[1] + 1)


@pytest.mark.django_db
def test_import_rows_and_throughput_are_counted(tenant_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    proof = {
        "proof_shipped_solution": "Shipped a demand forecasting service used by 300 planners.",
        "proof_baseline": "Baseline MAPE was 31% with the spreadsheet method.",
        "proof_improvement": "Brought MAPE to 14% after adding promotions and holidays.",
        "proof_monitoring": "Weekly drift report on feature distributions and error by region.",
        "proof_quality_dip": "A supplier feed broke in week 3; rolled back and added checks.",
    }
    with schema_context(tenant_a.schema_name):
        agency = AgencyFactory()
        EngagementFactory(client=tenant_a, agency=agency)
        client_actor = Actor.for_user(UserFactory())
        brief = brief_open(
            actor=client_actor, brief=brief_create(actor=client_actor, data=ready_brief_data())
        )
        output = io.StringIO()
        writer = csv.DictWriter(
            output,
            fieldnames=["brief_id", "full_name", "email", *proof, "right_to_represent"],
        )
        writer.writeheader()
        for n in range(3):
            writer.writerow(
                {
                    "brief_id": str(brief.public_id),
                    "full_name": f"Imported Person {n}",
                    "email": f"metrics.person{n}@corp.example",
                    **proof,
                    "right_to_represent": "yes",
                }
            )
        writer.writerow({"brief_id": str(brief.public_id), "full_name": "No Proof"})
        before = {
            result: sample("aihiring_import_rows_total", result=result)
            for result in ("imported", "failed")
        }
        runs_before = sample("aihiring_import_run_rows_per_second_count")
        job = import_job_create(
            actor=Actor.for_user(UserFactory(), agency_id=agency.pk),
            agency=agency,
            upload=SimpleUploadedFile("people.csv", output.getvalue().encode()),
        )
        import_job_run(job_id=job.pk)
    assert sample("aihiring_import_rows_total", result="imported") == before["imported"] + 3
    assert sample("aihiring_import_rows_total", result="failed") == before["failed"] + 1
    assert sample("aihiring_import_run_rows_per_second_count") == runs_before + 1


# --- several processes ------------------------------------------------------------------------

COUNT_IN_A_PROCESS = """
from observability.metrics import http_request_observe
for _ in range({n}):
    http_request_observe(route="hiring:brief_list", method="GET", status=200, seconds=0.01)
"""
READ_THE_SUM = """
from observability.metrics import exposition
body, _ = exposition(include_scrape_collectors=False)
print(body.decode())
"""


def test_counts_of_several_processes_add_up_in_multiprocess_mode(tmp_path):
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics")}

    def python(code: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    python(COUNT_IN_A_PROCESS.format(n=3))
    python(COUNT_IN_A_PROCESS.format(n=4))
    page = python(READ_THE_SUM)
    counts = [
        item.value
        for family in text_string_to_metric_families(page)
        for item in family.samples
        if item.name == "aihiring_http_request_duration_seconds_count"
    ]
    assert counts == [7.0]
