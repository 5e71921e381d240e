"""Engagements from the client admin's pages (and the operators' admin): engage an agency,
change the terms, pause, resume and end, each recorded in the client's audit trail in the
same transaction as the change.

The rows live in the public schema and are written by tenants.services; the audit trail is
per client schema, so every service here writes it inside the client's schema, whichever
schema the caller is in (a workspace page, or the platform admin on the public host).
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Final

from django.core.exceptions import ValidationError
from django.db import transaction
from django_tenants.utils import schema_context

from audit.actors import Actor
from audit.errors import ConflictError
from audit.services import audit_record
from tenants.models import Agency, Client, Engagement, EngagementStatus
from tenants.services import engagement_create, engagement_set_status

MIN_WINDOW_DAYS: Final = 1
MAX_WINDOW_DAYS: Final = 3650


@dataclass(frozen=True)
class StatusChange:
    """One of the changes a client admin can make to an engagement's status."""

    code: str
    from_statuses: frozenset[str]
    to_status: str
    audit_action: str


STATUS_CHANGES: Final = {
    "pause": StatusChange(
        "pause",
        frozenset({EngagementStatus.ACTIVE}),
        EngagementStatus.PAUSED,
        "engagement.paused",
    ),
    "resume": StatusChange(
        "resume",
        frozenset({EngagementStatus.PAUSED}),
        EngagementStatus.ACTIVE,
        "engagement.resumed",
    ),
    "end": StatusChange(
        "end",
        frozenset({EngagementStatus.ACTIVE, EngagementStatus.PAUSED}),
        EngagementStatus.ENDED,
        "engagement.ended",
    ),
}


def _fee_text(fee: Decimal | None) -> str | None:
    return None if fee is None else f"{fee:.2f}"


def clean_terms(
    *, ownership_window_days: object, fee_percent: object
) -> tuple[int, Decimal | None]:
    """The terms as stored: a window of 1 to 3650 days, a fee of 0 to 100 percent (two
    decimals) or none. Raises ValidationError naming the field."""
    errors: dict[str, str] = {}
    window = 0
    try:
        window = int(str(ownership_window_days))
    except (TypeError, ValueError):
        errors["ownership_window_days"] = "Give the window as a whole number of days."
    else:
        if not MIN_WINDOW_DAYS <= window <= MAX_WINDOW_DAYS:
            errors["ownership_window_days"] = (
                f"Use a window between {MIN_WINDOW_DAYS} and {MAX_WINDOW_DAYS} days."
            )
    fee: Decimal | None = None
    if fee_percent not in (None, ""):
        try:
            fee = Decimal(str(fee_percent)).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            errors["fee_percent"] = "Give the fee as a number, e.g. 18 or 17.5."
        else:
            if not Decimal("0") <= fee <= Decimal("100"):
                errors["fee_percent"] = "The fee is a percentage between 0 and 100."
    if errors:
        raise ValidationError(errors)
    return window, fee


def engagement_engage(
    *,
    actor: Actor,
    client: Client,
    agency: Agency,
    ownership_window_days: object,
    fee_percent: object = None,
) -> Engagement:
    """Engage an agency already on the platform, or engage again one whose engagement ended.

    Refused (ConflictError) while the agency is engaged or paused: a paused engagement is
    resumed, not engaged anew.
    """
    window, fee = clean_terms(ownership_window_days=ownership_window_days, fee_percent=fee_percent)
    if not agency.is_active:
        raise ValidationError({"agency": f"{agency.name} is deactivated on the platform."})
    with transaction.atomic():
        existing = (
            Engagement.objects.select_for_update().filter(client=client, agency=agency).first()
        )
        if existing is not None and existing.status == EngagementStatus.ACTIVE:
            raise ConflictError(f"{agency.name} is already engaged.", code="engagement_exists")
        if existing is not None and existing.status == EngagementStatus.PAUSED:
            raise ConflictError(
                f"The engagement of {agency.name} is paused: resume it from its page.",
                code="engagement_paused",
            )
        engagement = engagement_create(
            client=client, agency=agency, ownership_window_days=window, fee_percent=fee
        )
        with schema_context(client.schema_name):
            audit_record(
                actor=actor,
                action="engagement.restarted" if existing is not None else "engagement.started",
                object_type="engagement",
                object_id=engagement.public_id,
                details={
                    "agency": agency.pk,
                    "ownership_window_days": window,
                    "fee_percent": _fee_text(fee),
                },
            )
    return engagement


def engagement_terms_update(
    *,
    actor: Actor,
    engagement: Engagement,
    ownership_window_days: object,
    fee_percent: object = None,
) -> Engagement:
    """Change the ownership window and the fee. The window applies to submissions from now
    on: candidates the agency already owns keep the expiry they got."""
    window, fee = clean_terms(ownership_window_days=ownership_window_days, fee_percent=fee_percent)
    with transaction.atomic():
        locked = (
            Engagement.objects.select_for_update().select_related("client").get(pk=engagement.pk)
        )
        before = {
            "ownership_window_days": locked.ownership_window_days,
            "fee_percent": _fee_text(locked.fee_percent),
        }
        after = {"ownership_window_days": window, "fee_percent": _fee_text(fee)}
        if before == after:
            return locked
        locked.ownership_window_days = window
        locked.fee_percent = fee
        locked.save(update_fields=["ownership_window_days", "fee_percent", "updated_at"])
        with schema_context(locked.client.schema_name):
            audit_record(
                actor=actor,
                action="engagement.terms_changed",
                object_type="engagement",
                object_id=locked.public_id,
                details={
                    "agency": locked.agency_id,
                    "from": before,
                    "to": after,
                },
            )
    return locked


def engagement_status_change(*, actor: Actor, engagement: Engagement, change: str) -> Engagement:
    """Pause, resume or end an engagement (see STATUS_CHANGES for what may follow what).

    Paused: the agency's people keep read access and follow their submissions, but cannot
    submit, and its API keys are refused. Ended: the workspace closes to the agency.
    """
    rule = STATUS_CHANGES.get(change)
    if rule is None:
        raise ValidationError({"change": f"Use one of: {', '.join(STATUS_CHANGES)}."})
    with transaction.atomic():
        locked = (
            Engagement.objects.select_for_update()
            .select_related("client", "agency")
            .get(pk=engagement.pk)
        )
        if locked.status not in rule.from_statuses:
            raise ConflictError(
                f"The engagement of {locked.agency.name} is {locked.get_status_display().lower()}"
                f": it cannot be {'ended' if change == 'end' else change + 'd'} now.",
                code="invalid_engagement_change",
            )
        previous = locked.status
        engagement_set_status(engagement=locked, status=rule.to_status)
        with schema_context(locked.client.schema_name):
            audit_record(
                actor=actor,
                action=rule.audit_action,
                object_type="engagement",
                object_id=locked.public_id,
                details={"agency": locked.agency_id, "from": previous, "to": rule.to_status},
            )
    return locked
