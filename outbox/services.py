"""The transactional outbox: record events with the change, relay them after commit.

Consumers are Celery tasks registered per event type with `outbox_consumer_register`, from
their app's `AppConfig.ready()`. Each receives the event's id and must be idempotent: the
relay may hand the same event over twice if the process dies between queuing a consumer and
stamping the event published.
"""

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import orjson
from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils import timezone
from django_redis import get_redis_connection

from outbox.models import OutboxEvent
from tenants.schema import current_schema_name

logger = logging.getLogger(__name__)

RELAY_BATCH_SIZE = 200
KICK_DEBOUNCE_SECONDS = 2
RELAY_TASK = "outbox.tasks.outbox_relay"

_consumers: dict[str, list[str]] = defaultdict(list)

# Options of every consumer task (`@shared_task(name=..., **CONSUMER_TASK_OPTIONS)`). Once the
# relay has stamped an event published, nothing hands it over again: a consumer that failed
# because the database was restarting or failing over (the fault drill: PostgreSQL restarted
# under load) would drop the event's effect for good. Such failures are retried with backoff
# (2, 4, 8 ... s, at most 60 s apart, for about 10 minutes); consumers are idempotent, so a
# retry is harmless. Other errors are bugs and fail at once, logged with the event's id.
CONSUMER_TASK_OPTIONS: dict[str, Any] = {
    "acks_late": True,
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 15,
}


def outbox_consumer_register(*, task: Any, event_types: Iterable[str]) -> None:
    """Make a Celery task a consumer of the given event types. Call it from the consuming
    app's `AppConfig.ready()`, so web processes and workers know the same consumers whatever
    modules they happened to import. Registering twice is harmless."""
    name = task.name
    for event_type in event_types:
        if name not in _consumers[event_type]:
            _consumers[event_type].append(name)


def consumers_for(event_type: str) -> list[str]:
    return list(_consumers.get(event_type, ()))


def outbox_record(
    *,
    event_type: str,
    aggregate_type: str,
    aggregate_id: object,
    payload: dict[str, Any],
    agency_id: int | None = None,
) -> OutboxEvent:
    """Write an event in the caller's transaction; the relay is nudged once it commits."""
    event = OutboxEvent.objects.create(
        event_type=event_type,
        aggregate_type=aggregate_type,
        aggregate_id=str(aggregate_id),
        payload=payload,
        agency_id=agency_id,
    )
    schema_name = current_schema_name()
    transaction.on_commit(lambda: outbox_relay_kick(schema_name=schema_name))
    return event


def outbox_record_many(
    *,
    event_type: str,
    aggregate_type: str,
    events: Sequence[tuple[object, dict[str, Any]]],
    agency_id: int | None = None,
) -> int:
    """Write many events of one type (`events`: (aggregate id, payload)) in the caller's
    transaction, in one statement and in the given order; the relay is nudged once."""
    if not events:
        return 0
    table = OutboxEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (public_id, event_type, aggregate_type, aggregate_id, payload,
                                 agency_id, created_at, relay_attempts)
            SELECT gen_random_uuid(), %s, %s, event.aggregate_id, event.payload, %s, %s, 0
            FROM unnest(%s::text[], %s::jsonb[]) WITH ORDINALITY
                AS event(aggregate_id, payload, position)
            ORDER BY event.position
            """,  # noqa: S608
            [
                event_type,
                aggregate_type,
                agency_id,
                timezone.now(),
                [str(aggregate_id) for aggregate_id, _ in events],
                [orjson.dumps(payload).decode() for _, payload in events],
            ],
        )
        written = cursor.rowcount
    schema_name = current_schema_name()
    transaction.on_commit(lambda: outbox_relay_kick(schema_name=schema_name))
    return written


def outbox_relay_kick(*, schema_name: str) -> None:
    """Ask a worker to relay soon. Debounced per tenant; if Redis is down the periodic relay
    (beat) picks the events up later, so a failure here loses nothing."""
    from tenants.tasks import send_to_tenant

    try:
        redis = get_redis_connection("default")
        if redis.set(f"outbox-kick:{schema_name}", "1", nx=True, ex=KICK_DEBOUNCE_SECONDS):
            send_to_tenant(
                task_name=RELAY_TASK,
                schema_name=schema_name,
                countdown=KICK_DEBOUNCE_SECONDS,
            )
    except Exception:
        logger.warning(
            "outbox relay kick failed for %s; the periodic relay will catch up",
            schema_name,
            exc_info=True,
        )


def outbox_relay_batch(*, send: Callable[[str, int], None]) -> int:
    """Hand one batch of committed, unpublished events to their consumers, in id order.

    One relay per tenant at a time: a transaction-scoped advisory lock keyed on the schema
    makes an overlapping relay wait for the current batch, so events (and so the events of
    each aggregate) are handed over in the order they were written. If queuing a consumer
    fails (broker down), the transaction rolls back and the events stay unpublished.
    Returns the number of events published.
    """
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtext(%s))",
                [f"outbox-relay:{current_schema_name()}"],
            )
        events = list(
            OutboxEvent.objects.select_for_update(skip_locked=True)
            .filter(published_at__isnull=True)
            .order_by("id")[:RELAY_BATCH_SIZE]
        )
        if not events:
            return 0
        for event in events:
            for task_name in consumers_for(event.event_type):
                send(task_name, event.id)
        OutboxEvent.objects.filter(id__in=[e.id for e in events]).update(
            published_at=timezone.now()
        )
    return len(events)
