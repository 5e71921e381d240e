"""How long published events are kept, and who may still need one.

Events are deleted some days after they were published. An app whose rows refer to events
(webhook deliveries still retrying, say) registers an `EventHolder` from its
`AppConfig.ready()`: events it still needs are kept, and its finished rows for the events
being deleted go with them, in the same transaction.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from outbox.models import OutboxEvent

OUTBOX_RETENTION_DAYS = 30
OUTBOX_PURGE_BATCH_SIZE = 1000
# One run deletes at most this many batches; the next day's run continues.
OUTBOX_PURGE_MAX_BATCHES = 100


@dataclass(frozen=True)
class EventHolder:
    """Rows of another app that refer to events.

    `still_needed(event_ref)` returns an `Exists(...)` that is true for events the app still
    needs (`event_ref` is `OuterRef("pk")` of the event); `release(event_ids)` deletes the
    app's rows for events about to be deleted."""

    name: str
    still_needed: Callable[[OuterRef], Exists]
    release: Callable[[list[int]], None]


_holders: dict[str, EventHolder] = {}


def event_holder_register(holder: EventHolder) -> None:
    """Register once per app, from `AppConfig.ready()` (registering again replaces)."""
    _holders[holder.name] = holder


def _deletable() -> QuerySet[OutboxEvent]:
    events = OutboxEvent.objects.all()
    for holder in _holders.values():
        events = events.exclude(holder.still_needed(OuterRef("pk")))
    return events


def outbox_published_purge(
    *,
    now: dt.datetime | None = None,
    retention_days: int = OUTBOX_RETENTION_DAYS,
    batch_size: int = OUTBOX_PURGE_BATCH_SIZE,
    max_batches: int = OUTBOX_PURGE_MAX_BATCHES,
) -> int:
    """Delete events published more than `retention_days` ago, `batch_size` rows per
    transaction (short locks, small WAL bursts). Unpublished events are never deleted, nor
    events a registered holder still needs. Returns how many events were deleted."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=retention_days)
    deleted = 0
    for _ in range(max_batches):
        ids = list(
            _deletable()
            .filter(published_at__lt=cutoff)
            .order_by("id")
            .values_list("id", flat=True)[:batch_size]
        )
        if not ids:
            break
        with transaction.atomic():
            for holder in _holders.values():
                holder.release(ids)
            count, _ = _deletable().filter(id__in=ids, published_at__lt=cutoff).delete()
        deleted += count
        if len(ids) < batch_size:
            break
    return deleted
