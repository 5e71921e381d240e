"""Tasks run in the schema of the tenant that queued them, through a real worker on Redis."""

import time

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from outbox.models import OutboxEvent
from outbox.services import outbox_record
from outbox.tasks import outbox_relay
from tenants.tasks import tenants_dispatch

pytestmark = pytest.mark.worker


def _wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _published(schema_name: str, event_id: int) -> bool:
    with schema_context(schema_name):
        return OutboxEvent.objects.filter(id=event_id, published_at__isnull=False).exists()


def test_task_queued_in_a_touches_only_a(celery_worker, tenant_a, tenant_b):
    with schema_context(tenant_b.schema_name):
        event_b = outbox_record(
            event_type="test.b", aggregate_type="test", aggregate_id="b", payload={}
        )
    with schema_context(tenant_a.schema_name):
        event_a = outbox_record(
            event_type="test.a", aggregate_type="test", aggregate_id="a", payload={}
        )
        # Queued from inside tenant A: the schema travels in the task header.
        result = outbox_relay.delay()
    assert result.get(timeout=20) >= 1
    assert _published(tenant_a.schema_name, event_a.id)
    assert not _published(tenant_b.schema_name, event_b.id)


def test_dispatcher_fans_out_to_every_tenant(celery_worker, tenant_a, tenant_b):
    events = {}
    for tenant in (tenant_a, tenant_b):
        with schema_context(tenant.schema_name):
            events[tenant.schema_name] = outbox_record(
                event_type="test.fanout", aggregate_type="test", aggregate_id="x", payload={}
            ).id
    connection.set_schema_to_public()
    assert tenants_dispatch.delay(task_name="outbox.tasks.outbox_relay").get(timeout=20) >= 2
    assert _wait_for(lambda: all(_published(s, e) for s, e in events.items()))


def test_every_beat_entry_names_registered_tasks_and_expires():
    import hiring.tasks  # noqa: F401  (topic modules register their tasks through it)
    from config.celery import app

    app.loader.import_default_modules()
    assert app.conf.beat_schedule
    for name, entry in app.conf.beat_schedule.items():
        assert entry["task"] in app.tasks, name
        per_tenant = entry.get("kwargs", {}).get("task_name")
        if per_tenant is not None:
            assert per_tenant in app.tasks, (name, per_tenant)
        assert entry["options"]["expires"] > 0, name
