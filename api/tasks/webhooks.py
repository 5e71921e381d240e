"""Celery tasks of webhook delivery. Each runs inside the tenant named in its header."""

from celery import shared_task

from api.webhooks.delivery import (
    DELIVER_TASK,
    webhook_deliveries_requeue_due,
    webhook_delivery_attempt,
)
from api.webhooks.fan_out import webhook_fan_out
from outbox.services import CONSUMER_TASK_OPTIONS


@shared_task(name="api.tasks.webhooks.webhooks_fan_out", **CONSUMER_TASK_OPTIONS)
def webhooks_fan_out(*, event_id: int) -> int:
    """Outbox consumer (registered in ApiConfig.ready): one delivery per matching
    subscription. Idempotent."""
    return webhook_fan_out(event_id=event_id)


@shared_task(name=DELIVER_TASK, acks_late=True)
def webhook_deliver(*, delivery_id: int) -> str:
    """One attempt of one delivery, if it is due; retries are queued by the attempt itself."""
    return webhook_delivery_attempt(delivery_id=delivery_id)


@shared_task(name="api.tasks.webhooks.webhook_retry_due")
def webhook_retry_due() -> int:
    """Every minute per tenant (beat, through tenants_dispatch): queue again the attempts the
    broker may have lost. Returns how many were queued."""
    return webhook_deliveries_requeue_due()
