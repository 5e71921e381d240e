"""Tenant-schema state of the partner API: idempotency records and webhooks."""

import uuid

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone


class IdempotencyRecord(models.Model):
    """The first response to a POST with an Idempotency-Key, replayed for retries.

    Unique per (key, Idempotency-Key): the database, not Python, decides which of two
    concurrent requests runs; the other gets 409 while the first is in flight.
    """

    api_key_id = models.BigIntegerField()
    idempotency_key = models.CharField(max_length=255)
    request_fingerprint = models.CharField(max_length=64)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    completed = models.BooleanField(default=False)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.BinaryField(null=True, blank=True)
    response_content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["api_key_id", "idempotency_key"], name="one_use_per_idempotency_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.api_key_id}:{self.idempotency_key}"


class WebhookSubscription(models.Model):
    """A partner's endpoint for events, signed with the Standard Webhooks scheme."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    api_key_id = models.BigIntegerField(db_index=True)
    agency_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    url = models.URLField(max_length=500)
    event_types = ArrayField(models.CharField(max_length=60), default=list)
    description = models.CharField(max_length=200, blank=True)
    # The signing secret, "whsec_" + base64. Needed in clear to sign; never returned after
    # creation or rotation.
    secret = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"webhook {self.public_id}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed (will retry)"
    GAVE_UP = "gave_up", "Gave up"


class WebhookDelivery(models.Model):
    """One event for one subscription; its attempts are retried with backoff for > 24 h."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey("outbox.OutboxEvent", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)
    last_latency_ms = models.PositiveIntegerField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event"], name="one_delivery_per_event_and_subscription"
            ),
        ]

    def __str__(self) -> str:
        return f"delivery {self.public_id} ({self.status})"
