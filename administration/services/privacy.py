"""The workspace's privacy settings: the retention period of closed candidates.

Erasure itself is hiring.services.privacy.candidate_erase; the export for an access request
is administration.export. This module changes the client's setting and records it.
"""

from typing import Final

from django.core.exceptions import ValidationError
from django.db import transaction
from django_tenants.utils import schema_context

from audit.actors import Actor
from audit.services import audit_record
from tenants.models import Client

MAX_RETENTION_DAYS: Final = 3650


def clean_retention_days(value: object) -> int:
    try:
        days = int(str(value))
    except (TypeError, ValueError):
        raise ValidationError(
            {"candidate_retention_days": "Give the period as a whole number of days."}
        ) from None
    if not 0 <= days <= MAX_RETENTION_DAYS:
        raise ValidationError(
            {
                "candidate_retention_days": f"Use 0 (no automatic erasure) up to "
                f"{MAX_RETENTION_DAYS} days."
            }
        )
    return days


def retention_period_set(
    *, actor: Actor, client: Client, candidate_retention_days: object
) -> Client:
    """Set how many days after their last submission closed (rejected or withdrawn) a
    candidate's personal data is erased by the nightly retention run; 0 turns it off."""
    days = clean_retention_days(candidate_retention_days)
    with transaction.atomic():
        locked = Client.objects.select_for_update().get(pk=client.pk)
        previous = locked.candidate_retention_days
        if previous == days:
            return locked
        locked.candidate_retention_days = days
        # save(), not update(): the routing memory forgets the client (tenants.middleware).
        locked.save(update_fields=["candidate_retention_days"])
        with schema_context(locked.schema_name):
            audit_record(
                actor=actor,
                action="privacy.retention_changed",
                object_type="client",
                object_id=locked.public_id,
                details={"from": previous, "to": days},
            )
    return locked
