"""Retention of Idempotency-Key records. Runs inside the schema named in its header."""

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from api.models import IdempotencyRecord


@shared_task(name="api.tasks.idempotency.idempotency_purge")
def idempotency_purge() -> int:
    """Delete this tenant's Idempotency-Key records older than IDEMPOTENCY_KEY_TTL_HOURS.
    Beat runs it for every tenant (tenants_dispatch). Safe to run twice; returns the number
    of records deleted."""
    cutoff = timezone.now() - dt.timedelta(hours=int(settings.IDEMPOTENCY_KEY_TTL_HOURS))
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
