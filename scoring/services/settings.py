"""The workspace's scoring choices."""

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from audit.actors import Actor
from audit.services import audit_record
from hiring.models import RoleBrief
from outbox.services import outbox_record
from scoring.models import (
    ScoringSettings,
)
from tenants.schema import current_schema_name


def scoring_settings_update(*, actor: Actor, workspace_evidence: bool) -> ScoringSettings:
    """Turn the use of earlier briefs' evidence in calibration on or off (client admins).

    Every brief with a shortlist is asked to recompute, since its ranking may move.
    """
    if not isinstance(workspace_evidence, bool):
        raise ValidationError({"workspace_evidence": "Choose on or off."})
    with transaction.atomic():
        # One row per workspace: creating it is serialized so two first saves make one row.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtext(%s))",
                [f"{current_schema_name()}:scoring_settings"],
            )
        current = ScoringSettings.objects.select_for_update().order_by("id").first()
        current = current or ScoringSettings()
        changed = current.pk is None or current.workspace_evidence != workspace_evidence
        current.workspace_evidence = workspace_evidence
        current.updated_at = timezone.now()
        current.updated_by_user_id = actor.user_id
        current.save()
        audit_record(
            actor=actor,
            action="scoring_settings.updated",
            object_type="scoring_settings",
            object_id=current.pk,
            details={"workspace_evidence": workspace_evidence},
        )
        if changed:
            briefs = RoleBrief.objects.filter(shortlists__isnull=False).distinct()
            for public_id in briefs.values_list("public_id", flat=True):
                outbox_record(
                    event_type="shortlist.inputs_changed",
                    aggregate_type="brief",
                    aggregate_id=public_id,
                    payload={"brief_id": str(public_id)},
                )
    return current


# Columns of ShortlistEntry written by _entries_store, in the order of each row.
