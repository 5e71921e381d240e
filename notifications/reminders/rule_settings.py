"""The workspace's reminder rules, as client admins edit them on the settings page."""

import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from audit.actors import Actor
from audit.services import audit_record
from notifications.calendar import (
    is_quiet_hour,
    known_time_zones,
)
from notifications.models import ReminderSettings
from tenants.schema import current_client, current_schema_name

logger = logging.getLogger(__name__)

# Field -> (lowest, highest) accepted on the settings page.
SETTING_LIMITS: dict[str, tuple[int, int]] = {
    "scorecard_overdue_hours": (1, 336),
    "scorecard_repeat_limit": (1, 10),
    "feedback_sla_business_days": (1, 20),
    "brief_closing_days": (1, 30),
    "draft_stale_days": (1, 90),
    "digest_weekday": (0, 6),
    "digest_hour": (0, 23),
    "quiet_hours_start": (0, 23),
    "quiet_hours_end": (0, 23),
}


def reminder_settings_get() -> ReminderSettings:
    """The workspace's settings, or the defaults (unsaved) until an admin saves them."""
    return ReminderSettings.objects.order_by("id").first() or ReminderSettings()


def reminder_settings_update(*, actor: Actor, data: dict[str, Any]) -> ReminderSettings:
    """Save the workspace's reminder rules and time zone (client admins).

    `data` holds the fields of SETTING_LIMITS and "timezone". Everything is validated first;
    the digest hour must fall outside quiet hours, or the digest would wait until morning.
    """
    errors: dict[str, str] = {}
    values: dict[str, int] = {}
    for name, (lowest, highest) in SETTING_LIMITS.items():
        raw = data.get(name)
        try:
            number = int(str(raw))
        except (TypeError, ValueError):
            errors[name] = "Enter a whole number."
            continue
        if not lowest <= number <= highest:
            errors[name] = f"Choose a value from {lowest} to {highest}."
            continue
        values[name] = number
    zone_name = str(data.get("timezone") or "").strip()
    if zone_name not in known_time_zones():
        errors["timezone"] = "Choose a time zone from the list, for example Europe/Berlin."
    if not errors and is_quiet_hour(
        values["digest_hour"], start=values["quiet_hours_start"], end=values["quiet_hours_end"]
    ):
        errors["digest_hour"] = (
            f"{values['digest_hour']:02d}:00 falls within your quiet hours "
            f"({values['quiet_hours_start']:02d}:00 to {values['quiet_hours_end']:02d}:00); "
            "choose an hour when people are at work."
        )
    if errors:
        raise ValidationError(errors)

    client = current_client()
    with transaction.atomic():
        # One row per workspace: creating it is serialized so two first saves make one row.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtext(%s))",
                [f"{current_schema_name()}:reminder_settings"],
            )
        current = ReminderSettings.objects.select_for_update().order_by("id").first()
        current = current or ReminderSettings()
        changed = sorted(name for name, value in values.items() if getattr(current, name) != value)
        for name, value in values.items():
            setattr(current, name, value)
        current.updated_at = timezone.now()
        current.save()
        if client.timezone != zone_name:
            client.timezone = zone_name
            # save(), not update(): web processes forget their remembered copy of the client.
            client.save(update_fields=["timezone"])
            changed.append("timezone")
        audit_record(
            actor=actor,
            action="reminder_settings.updated",
            object_type="reminder_settings",
            object_id=current.pk,
            details={"changed": changed},
        )
    return current
