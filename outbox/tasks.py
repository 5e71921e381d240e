"""Tenant tasks of the outbox. Each runs inside the schema named in its header."""

from celery import shared_task

from outbox.retention import outbox_published_purge
from outbox.services import RELAY_TASK, outbox_relay_batch
from tenants.schema import current_schema_name
from tenants.tasks import send_to_tenant

MAX_BATCHES_PER_RUN = 50


@shared_task(name=RELAY_TASK)
def outbox_relay() -> int:
    """Relay this tenant's committed events to their consumers. Safe to run concurrently and
    repeatedly; returns how many events it published."""
    schema_name = current_schema_name()

    def send(task_name: str, event_id: int) -> None:
        send_to_tenant(task_name=task_name, schema_name=schema_name, kwargs={"event_id": event_id})

    published = 0
    for _ in range(MAX_BATCHES_PER_RUN):
        count = outbox_relay_batch(send=send)
        published += count
        if count == 0:
            break
    return published


@shared_task(name="outbox.tasks.outbox_cleanup", acks_late=True)
def outbox_cleanup() -> int:
    """Delete this tenant's events published more than 30 days ago (daily). Safe to run
    twice: deleting events that are already gone deletes nothing."""
    return outbox_published_purge()
