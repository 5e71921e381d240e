import uuid

from django.db import models
from django.utils import timezone


class AuditEntry(models.Model):
    """Who did what to which object, and when. Never holds personal data: values of contact
    fields, names and free text stay out; only field names and ids go in."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    # The public user id (no FK: audit rows must outlive the person's account).
    actor_user_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    # "user", "api_key", "system"; with actor_ref an opaque reference (key prefix, task name).
    actor_kind = models.CharField(max_length=20)
    actor_ref = models.CharField(max_length=100, blank=True)
    action = models.CharField(max_length=60, db_index=True)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=64, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_kind} {self.action}"
