"""Reliable delivery through a real Celery worker on Redis (committed data).

- A reminder is sent exactly once when the tenant's reminders task runs twice and two
  dispatchers overlap (the runs race in the worker's two threads).
- Outbox events committed while the broker is down stay unpublished, and are delivered to their
  consumer once the broker is back.
- Events of a rolled-back transaction never exist, so they are never delivered.
"""

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from celery import shared_task
from celery.signals import task_postrun
from django.db import connection, transaction
from django.utils import timezone
from django_redis import get_redis_connection
from django_tenants.utils import schema_context

import notifications.tasks  # noqa: F401  (registers the reminder tasks with the worker)
from notifications.models import Notification, ReminderLog
from outbox.models import OutboxEvent
from outbox.services import (
    RELAY_BATCH_SIZE,
    outbox_consumer_register,
    outbox_record,
    outbox_relay_batch,
)
from outbox.tasks import outbox_relay
from tenants.models import Client
from tenants.tasks import send_to_tenant, tenants_dispatch
from tests.factories import (
    AgencyFactory,
    ClientMembershipFactory,
    EngagementFactory,
    InterviewAssignmentFactory,
    ReminderSettingsFactory,
    RoleBriefFactory,
    UserFactory,
)

pytestmark = pytest.mark.worker

CONSUMED_KEY = "tests:reliability:consumed"
CALLS_KEY = "tests:reliability:calls"
RUNS_KEY = "tests:reminders-runs"
DEAD_BROKER_URL = "redis://127.0.0.1:1/0"


@pytest.fixture(autouse=True)
def _never_on_a_real_database() -> None:
    """pytest-django creates the test database only when a collected test asks for `db`;
    committed_db does not. Without test_reminder_tasks_are_registered (which asks for it) a
    run of only these tests would reach the configured database: refuse instead."""
    name = connection.settings_dict["NAME"]
    assert name.startswith("test"), f"refusing to run worker tests against database {name!r}"


def test_reminder_tasks_are_registered(db):
    from config.celery import app

    for name in (
        "notifications.tasks.reminders_run",
        "notifications.tasks.digest_run",
        "outbox.tasks.outbox_cleanup",
    ):
        assert app.tasks[name].acks_late is True


@shared_task(name="tests.reliability_consumer")
def reliability_consumer(*, event_id: int) -> None:
    """Records each event it is handed: the set is idempotent, the counter shows repeats."""
    redis = get_redis_connection("default")
    redis.sadd(CONSUMED_KEY, event_id)
    redis.hincrby(CALLS_KEY, str(event_id), 1)


outbox_consumer_register(task=reliability_consumer, event_types=["test.reliability"])


def wait_for(predicate: Callable[[], bool], timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def consumer_calls() -> dict[int, int]:
    raw = get_redis_connection("default").hgetall(CALLS_KEY)
    return {int(key): int(value) for key, value in raw.items()}


@pytest.fixture
def count_reminder_runs() -> Iterator[Callable[[], int]]:
    """Counts finished hiring.tasks.reminders_run tasks (the worker runs in this process)."""

    def count(sender: Any = None, **kwargs: Any) -> None:
        if sender is not None and sender.name == "notifications.tasks.reminders_run":
            get_redis_connection("default").incr(RUNS_KEY)

    task_postrun.connect(count, weak=False)
    yield lambda: int(get_redis_connection("default").get(RUNS_KEY) or 0)
    task_postrun.disconnect(count)


def overdue_scorecards(tenant: Client, count: int) -> list[Any]:
    """`count` interviewers, each with a scorecard three days overdue, in the tenant."""
    agency = AgencyFactory()
    EngagementFactory(client=tenant, agency=agency)
    interviewers = []
    with schema_context(tenant.schema_name):
        # No quiet hours: this test runs on the real clock, at any hour.
        ReminderSettingsFactory(quiet_hours_start=0, quiet_hours_end=0)
        brief = RoleBriefFactory()
        for _ in range(count):
            interviewer = UserFactory()
            ClientMembershipFactory(user=interviewer, client=tenant, role="interviewer")
            InterviewAssignmentFactory(
                submission__brief=brief,
                submission__agency=agency,
                interviewer=interviewer,
                due_at=timezone.now() - dt.timedelta(days=3),
            )
            interviewers.append(interviewer)
    return interviewers


def test_reminders_are_sent_once_when_runs_and_dispatchers_overlap(
    celery_worker, tenant_a, tenant_b, count_reminder_runs, mailoutbox
):
    people = {tenant_a.schema_name: overdue_scorecards(tenant_a, 3)}
    people[tenant_b.schema_name] = overdue_scorecards(tenant_b, 2)
    tenants = Client.objects.filter(is_active=True).exclude(schema_name="public").count()

    # The same tenant's task queued twice, and two dispatchers for every tenant at once.
    for _ in range(2):
        send_to_tenant(
            task_name="notifications.tasks.reminders_run", schema_name=tenant_a.schema_name
        )
    connection.set_schema_to_public()
    dispatches = [
        tenants_dispatch.delay(task_name="notifications.tasks.reminders_run") for _ in (1, 2)
    ]
    assert [d.get(timeout=30) for d in dispatches] == [tenants, tenants]

    expected_runs = 2 + 2 * tenants
    assert wait_for(lambda: count_reminder_runs() >= expected_runs, timeout=60)
    assert count_reminder_runs() == expected_runs

    for schema_name, interviewers in people.items():
        with schema_context(schema_name):
            assert ReminderLog.objects.count() == len(interviewers)
            for interviewer in interviewers:
                assert Notification.objects.filter(recipient=interviewer).count() == 1
    sent_to = sorted(address for message in mailoutbox for address in message.to)
    assert sent_to == sorted(p.email for group in people.values() for p in group)


def _published(schema_name: str, event_id: int) -> bool:
    with schema_context(schema_name):
        return OutboxEvent.objects.filter(id=event_id, published_at__isnull=False).exists()


def test_events_committed_while_the_broker_is_down_are_delivered_when_it_returns(
    celery_worker, tenant_a, monkeypatch
):
    from config.celery import app

    kicks: list[str] = []

    def send_to_dead_broker(
        *, task_name: str, schema_name: str, kwargs: Any = None, **options: Any
    ) -> None:
        kicks.append(task_name)
        with app.connection_for_write(DEAD_BROKER_URL) as dead:
            app.send_task(
                task_name,
                kwargs=kwargs or {},
                headers={"_schema_name": schema_name},
                connection=dead,
                retry=False,
                **options,
            )

    # The after-commit kick reaches for a broker that is down; the commit itself succeeds.
    monkeypatch.setattr("tenants.tasks.send_to_tenant", send_to_dead_broker)
    with schema_context(tenant_a.schema_name), transaction.atomic():
        event = outbox_record(
            event_type="test.reliability", aggregate_type="test", aggregate_id="down", payload={}
        )
    assert kicks == ["outbox.tasks.outbox_relay"]
    assert not _published(tenant_a.schema_name, event.id)
    monkeypatch.undo()

    # The broker is back: the periodic relay runs in the worker and hands the event over.
    with schema_context(tenant_a.schema_name):
        assert outbox_relay.delay().get(timeout=30) == 1
    assert _published(tenant_a.schema_name, event.id)
    assert wait_for(lambda: consumer_calls() == {event.id: 1})
    # Another relay run publishes nothing again and the consumer is not called twice.
    with schema_context(tenant_a.schema_name):
        assert outbox_relay.delay().get(timeout=30) == 0
    time.sleep(0.5)
    assert consumer_calls() == {event.id: 1}


def test_events_of_a_rolled_back_transaction_are_never_delivered(
    celery_worker, tenant_a, monkeypatch
):
    kicks: list[str] = []
    monkeypatch.setattr(
        "tenants.tasks.send_to_tenant", lambda *, task_name, **kwargs: kicks.append(task_name)
    )
    with schema_context(tenant_a.schema_name):
        with pytest.raises(RuntimeError), transaction.atomic():
            outbox_record(
                event_type="test.reliability", aggregate_type="test", aggregate_id="rb", payload={}
            )
            raise RuntimeError("the change fails after the event was written")
        assert not OutboxEvent.objects.exists()
    assert kicks == []
    monkeypatch.undo()

    with schema_context(tenant_a.schema_name):
        assert outbox_relay.delay().get(timeout=30) == 0
        # A committed event afterwards does reach the consumer: the pipeline works, the
        # rolled-back event simply never existed.
        committed = outbox_record(
            event_type="test.reliability", aggregate_type="test", aggregate_id="ok", payload={}
        )
        assert outbox_relay.delay().get(timeout=30) == 1
    assert wait_for(lambda: consumer_calls() == {committed.id: 1})
    assert get_redis_connection("default").smembers(CONSUMED_KEY) == {str(committed.id).encode()}


def test_overlapping_relays_keep_each_aggregates_order(committed_db, tenant_a):
    def event(aggregate_id: str) -> OutboxEvent:
        return OutboxEvent(
            event_type="test.order", aggregate_type="brief", aggregate_id=aggregate_id, payload={}
        )

    # Written directly (no after-commit kick), so only the two relays below hand them over.
    with schema_context(tenant_a.schema_name):
        [first] = OutboxEvent.objects.bulk_create([event("x")])
        OutboxEvent.objects.bulk_create([event(f"f{i}") for i in range(RELAY_BATCH_SIZE)])
        [second] = OutboxEvent.objects.bulk_create([event("x")])
    handed_over: list[int] = []
    holding = threading.Event()
    release = threading.Event()

    def slow_send(task_name: str, event_id: int) -> None:
        holding.set()
        release.wait(10)
        handed_over.append(event_id)

    def record(task_name: str, event_id: int) -> None:
        handed_over.append(event_id)

    from outbox import services as outbox

    def relay(send: Callable[[str, int], None]) -> None:
        with schema_context(tenant_a.schema_name):
            while outbox_relay_batch(send=send):
                pass
        connection.close()

    outbox._consumers["test.order"].append("tests.order_consumer")
    try:
        first_relay = threading.Thread(target=relay, args=(slow_send,))
        first_relay.start()
        assert holding.wait(10)
        # A second relay of the same tenant while the first holds its batch (a kick and the
        # periodic relay, or two beat ticks). With a per-tenant lock it waits or steps aside.
        second_relay = threading.Thread(target=relay, args=(record,))
        second_relay.start()
        second_relay.join(2)
        release.set()
        first_relay.join(20)
        second_relay.join(20)
    finally:
        release.set()
        outbox._consumers["test.order"].remove("tests.order_consumer")
    of_x = [event_id for event_id in handed_over if event_id in (first.id, second.id)]
    assert of_x == [first.id, second.id]
