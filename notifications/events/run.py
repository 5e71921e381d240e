"""Handling one outbox event: build its notices, deliver them, and queue their emails."""

import logging

from django.db import transaction
from django_redis import get_redis_connection

from notifications.events.delivery import notices_deliver
from notifications.events.notices import notices_for
from notifications.kinds import EVENT_EMAIL_DELAY
from outbox.models import OutboxEvent
from tenants.schema import current_schema_name

logger = logging.getLogger(__name__)

EMAILS_TASK = "notifications.tasks.notification_emails_send"
# At most one email task per tenant in this window; its countdown covers the window, so the
# last event of a burst has settled (EVENT_EMAIL_DELAY) when the task runs.
EMAILS_DEBOUNCE_SECONDS = 20


def event_notify(*, event_id: int) -> int:
    """Notify the people the event concerns; returns how many notices were new. The emails
    are queued after commit with a countdown (a lost queueing is caught up by the hourly
    flush)."""
    event = OutboxEvent.objects.filter(id=event_id).first()
    if event is None:
        return 0
    delivered = notices_deliver(notices_for(event))
    if delivered:
        schema_name = current_schema_name()
        transaction.on_commit(lambda: _emails_queue(schema_name))
    return delivered


def _emails_queue(schema_name: str) -> None:
    from tenants.tasks import send_to_tenant

    try:
        redis = get_redis_connection("default")
        if redis.set(
            f"notification-emails:{schema_name}", "1", nx=True, ex=EMAILS_DEBOUNCE_SECONDS
        ):
            send_to_tenant(
                task_name=EMAILS_TASK,
                schema_name=schema_name,
                countdown=int(EVENT_EMAIL_DELAY.total_seconds()) + EMAILS_DEBOUNCE_SECONDS + 5,
            )
    except Exception:
        logger.warning(
            "could not queue notification emails; the hourly run sends them", exc_info=True
        )
