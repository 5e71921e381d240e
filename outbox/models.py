import uuid

from django.db import models
from django.utils import timezone


class OutboxEvent(models.Model):
    """A state change others must hear about, written in the same transaction as the change.

    The relay (outbox.tasks.outbox_relay) hands committed rows to their consumers and stamps
    published_at; a rolled-back change leaves no row, so nothing is ever announced that did not
    happen, and a row stays until delivered, so nothing committed is lost while Redis or the
    workers are down.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event_type = models.CharField(max_length=60, db_index=True)
    aggregate_type = models.CharField(max_length=40)
    aggregate_id = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    # Agency whose partners may see this event (None: client-side only).
    agency_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    relay_attempts = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["id"],
                name="outbox_unpublished_idx",
                condition=models.Q(published_at__isnull=True),
            ),
            models.Index(fields=["aggregate_type", "aggregate_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.aggregate_type}:{self.aggregate_id}"
