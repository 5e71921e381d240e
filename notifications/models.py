import uuid

from django.db import models
from django.utils import timezone


class Notification(models.Model):
    """An in-app notification for one person in this workspace (also sent by email when the
    person's preferences say so)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recipient = models.ForeignKey("tenants.User", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40, db_index=True)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    # Notifications from events are grouped: a burst of events of one kind about one brief
    # (fifty imported submissions) adds to one open notification instead of making fifty.
    # Empty for reminders, which are never grouped (notifications.events.delivery).
    group_key = models.CharField(max_length=120, blank=True)
    group_count = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"]),
            models.Index(
                fields=["recipient", "group_key"],
                name="notification_open_group_idx",
                condition=models.Q(read_at__isnull=True, emailed_at__isnull=True)
                & ~models.Q(group_key=""),
            ),
            models.Index(
                fields=["recipient"],
                name="notification_unread_idx",
                condition=models.Q(read_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"


class ReminderSettings(models.Model):
    """The client's reminder rules (one row per workspace; defaults apply until saved)."""

    scorecard_overdue_hours = models.PositiveIntegerField(default=48)
    scorecard_repeat_limit = models.PositiveIntegerField(default=3)
    feedback_sla_business_days = models.PositiveIntegerField(default=3)
    brief_closing_days = models.PositiveIntegerField(default=3)
    draft_stale_days = models.PositiveIntegerField(default=7)
    digest_weekday = models.PositiveSmallIntegerField(default=0)  # Monday
    digest_hour = models.PositiveSmallIntegerField(default=8)
    quiet_hours_start = models.PositiveSmallIntegerField(default=20)
    quiet_hours_end = models.PositiveSmallIntegerField(default=7)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return "reminder settings"


class ReminderLog(models.Model):
    """One sent reminder. The unique key (rule, object, period) makes every reminder
    exactly-once: a rerun, a retry or two overlapping dispatchers insert the same key and
    only the first insert sends."""

    rule = models.CharField(max_length=40)
    object_key = models.CharField(max_length=80)
    period = models.CharField(max_length=40)
    recipient = models.ForeignKey("tenants.User", on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "object_key", "period", "recipient"],
                name="one_reminder_per_rule_object_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule}:{self.object_key}:{self.period}"
