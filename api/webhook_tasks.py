"""Celery tasks of webhook delivery. Each runs inside the tenant named in its header.

Registered under `api.tasks.*` names: `api/tasks.py` imports this module so that Celery's
autodiscovery (and the outbox consumer registry) see them in every worker.
"""

from celery import shared_task

from api.webhooks import (
    FAN_OUT_EVENT_TYPES,
    webhook_deliveries_requeue_due,
    webhook_delivery_attempt,
    webhook_fan_out,
)
from hiring.outbox import outbox_consumer


@outbox_consumer(*FAN_OUT_EVENT_TYPES)
@shared_task(name="api.tasks.webhooks_fan_out", acks_late=True)
def webhooks_fan_out(*, event_id: int) -> int:
    """Outbox consumer: one delivery per matching subscription. Idempotent."""
    return webhook_fan_out(event_id=event_id)


@shared_task(name="api.tasks.webhook_deliver", acks_late=True)
def webhook_deliver(*, delivery_id: int) -> str:
    """One attempt of one delivery, if it is due; retries are queued by the attempt itself."""
    return webhook_delivery_attempt(delivery_id=delivery_id)


@shared_task(name="api.tasks.webhook_retry_due")
def webhook_retry_due() -> int:
    """Every minute per tenant (beat, through tenants_dispatch): queue again the attempts the
    broker may have lost. Returns how many were queued."""
    return webhook_deliveries_requeue_due()
