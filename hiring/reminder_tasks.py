"""Scheduled tasks of reminders, the executive digest and outbox retention.

Each runs inside the schema named in its header; beat reaches every tenant through
tenants.tasks.tenants_dispatch. Import this module from hiring/tasks.py (Celery autodiscovers
that module only) so workers register the tasks.

All three are safe to run twice or concurrently: reminders and digests are keyed in
ReminderLog (exactly-once), and deleting events that are already gone deletes nothing. They
are acks_late (the message is acknowledged after the task ran) with reject-on-worker-lost from
the settings, so a task on a worker that dies is delivered again.
"""

import datetime as dt

from celery import shared_task
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from hiring.models import OutboxEvent
from hiring.services.reminders import digest_send, reminders_send_due

OUTBOX_RETENTION_DAYS = 30
OUTBOX_PURGE_BATCH_SIZE = 1000
# One run deletes at most this many batches; the next day's run continues.
OUTBOX_PURGE_MAX_BATCHES = 100


@shared_task(name="hiring.tasks.reminders_run", acks_late=True)
def reminders_run() -> dict[str, int | bool]:
    """Evaluate every reminder rule of this tenant and send what is due (hourly)."""
    run = reminders_send_due()
    return {"quiet": run.quiet, "due": run.due, "sent": run.sent, "emailed_held": run.emailed_held}


@shared_task(name="hiring.tasks.digest_run", acks_late=True)
def digest_run() -> int:
    """Send this tenant's weekly executive digest once it is due (hourly; sends once a week)."""
    return digest_send()


def outbox_published_purge(
    *,
    now: dt.datetime | None = None,
    retention_days: int = OUTBOX_RETENTION_DAYS,
    batch_size: int = OUTBOX_PURGE_BATCH_SIZE,
    max_batches: int = OUTBOX_PURGE_MAX_BATCHES,
) -> int:
    """Delete events published more than `retention_days` ago, `batch_size` rows per
    transaction (short locks, small WAL bursts). Unpublished events are never deleted, nor
    events a webhook delivery still retries (pending or failed): their delivery rows would
    go with them. Returns how many events were deleted."""
    from api.models import DeliveryStatus, WebhookDelivery

    cutoff = (now or timezone.now()) - dt.timedelta(days=retention_days)
    retrying = WebhookDelivery.objects.filter(
        event_id=OuterRef("pk"), status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED]
    )
    deleted = 0
    for _ in range(max_batches):
        ids = list(
            OutboxEvent.objects.filter(published_at__lt=cutoff)
            .exclude(Exists(retrying))
            .order_by("id")
            .values_list("id", flat=True)[:batch_size]
        )
        if not ids:
            break
        with transaction.atomic():
            WebhookDelivery.objects.filter(
                event_id__in=ids,
                status__in=[DeliveryStatus.DELIVERED, DeliveryStatus.GAVE_UP],
            ).delete()
            count, _ = (
                OutboxEvent.objects.filter(id__in=ids, published_at__lt=cutoff)
                .exclude(Exists(retrying))
                .delete()
            )
        deleted += count
        if len(ids) < batch_size:
            break
    return deleted


@shared_task(name="hiring.tasks.outbox_cleanup", acks_late=True)
def outbox_cleanup() -> int:
    """Delete this tenant's events published more than 30 days ago (daily)."""
    return outbox_published_purge()
