"""Writes on role briefs: create, edit, open to agencies (readiness-gated), status changes."""

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.actors import Actor
from audit.errors import ConflictError
from audit.services import audit_record
from hiring.models import BriefShare, BriefStatus, Need, RateUnit, RemotePolicy, RoleBrief, Track
from hiring.readiness import blocking_gaps, brief_readiness_gaps
from hiring.rubric import CATEGORY_CODES, default_weights_and_floors
from hiring.safety import RETENTION_FIELD, SAFETY_TEXT_FIELDS, SHORT_NAMES
from hiring.text import line_text_clean, long_text_clean
from outbox.services import outbox_record
from tenants.models import Engagement, EngagementStatus
from tenants.schema import current_client

TEXT_FIELDS = {
    "business_goal": 4000,
    "kpi_target": 300,
    "privacy_rules": 4000,
    "success_impact": 4000,
    "success_ai_quality": 4000,
    "success_adoption": 4000,
    "success_cost_limits": 4000,
    "post_launch_owner": 200,
    "eval_groundedness": 2000,
    "eval_hallucination_rate": 2000,
    "eval_retrieval_quality": 2000,
    "eval_cost_per_request": 2000,
    "eval_latency_budget": 2000,
    "location": 200,
    "must_haves": 4000,
    **dict.fromkeys(SAFETY_TEXT_FIELDS, 2000),
    "explainability_plan": 4000,
    "bias_plan": 4000,
    "lifecycle_monitoring_owner": 200,
    "lifecycle_retraining_cadence": 200,
    "lifecycle_cost_review_cadence": 200,
    "lifecycle_safety_testing": 2000,
}
# Text fields typed on one line (the form shows an input, not a text area).
LINE_TEXT_FIELDS = frozenset(
    {
        "kpi_target",
        "post_launch_owner",
        "location",
        "lifecycle_monitoring_owner",
        "lifecycle_retraining_cadence",
        "lifecycle_cost_review_cadence",
    }
)
BOOL_FIELDS = (
    "uses_llm",
    "uses_rag",
    "uses_agents",
    "data_sources_exist",
    "data_use_approved",
    "decision_impact",
)
EDITABLE_FIELDS = (
    "title",
    "track",
    "needs",
    *BOOL_FIELDS,
    *TEXT_FIELDS,
    RETENTION_FIELD,
    "headcount",
    "rate_min",
    "rate_max",
    "rate_currency",
    "rate_unit",
    "remote_policy",
    "deadline",
    "scorecard_weights",
    "scorecard_floors",
)

# Which status changes a client may make directly; opening goes through brief_open.
STATUS_TRANSITIONS = {
    BriefStatus.DRAFT: {BriefStatus.CLOSED},
    BriefStatus.OPEN: {BriefStatus.ON_HOLD, BriefStatus.FILLED, BriefStatus.CLOSED},
    BriefStatus.ON_HOLD: {BriefStatus.CLOSED, BriefStatus.FILLED},
    BriefStatus.FILLED: {BriefStatus.CLOSED},
    BriefStatus.CLOSED: set(),
}


def _text_value(raw: object, field: str, errors: dict[str, str], *, multiline: bool) -> str:
    """Cleaned text (hiring.text); a refusal is filed under the field and gives ""."""
    try:
        return (long_text_clean if multiline else line_text_clean)(raw or "")
    except ValidationError as error:
        errors[field] = error.messages[0]
        return ""


def _clean_brief_fields(data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    """Validate and normalise brief input. Unknown keys are refused, not ignored."""
    errors: dict[str, str] = {}
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        errors["__all__"] = f"Unknown fields: {', '.join(sorted(unknown))}."
    cleaned: dict[str, Any] = {}

    if "title" in data or not partial:
        title = _text_value(data.get("title"), "title", errors, multiline=False)
        if not title and "title" not in errors:
            errors["title"] = "A title is required."
        elif len(title) > 200:
            errors["title"] = "Keep the title under 200 characters."
        cleaned["title"] = title
    if "track" in data or not partial:
        track = data.get("track")
        if track not in Track.values:
            errors["track"] = f"Choose a track: {', '.join(Track.values)}."
        cleaned["track"] = track
    if "needs" in data:
        needs = data.get("needs") or []
        if isinstance(needs, str):
            needs = [needs]
        if not isinstance(needs, list | tuple) or any(n not in Need.values for n in needs):
            errors["needs"] = f"Needs must be chosen from: {', '.join(Need.values)}."
        else:
            cleaned["needs"] = sorted(set(needs), key=Need.values.index)
    for field in BOOL_FIELDS:
        if field in data:
            value = data[field]
            if not isinstance(value, bool):
                errors[field] = "Use true or false."
            cleaned[field] = value
    for field, limit in TEXT_FIELDS.items():
        if field in data:
            value = _text_value(data[field], field, errors, multiline=field not in LINE_TEXT_FIELDS)
            if field not in errors and len(value) > limit:
                errors[field] = f"Keep this under {limit} characters."
            cleaned[field] = value
    if RETENTION_FIELD in data:
        raw = data[RETENTION_FIELD]
        if raw in (None, ""):
            cleaned[RETENTION_FIELD] = None
        else:
            try:
                days = int(str(raw).strip())
                if not 0 <= days <= 36500:
                    raise ValueError
                cleaned[RETENTION_FIELD] = days
            except ValueError:
                errors[RETENTION_FIELD] = "Give the days as a whole number (0 keeps nothing)."
    if "headcount" in data:
        try:
            headcount = int(data["headcount"])
            if not 1 <= headcount <= 500:
                raise ValueError
            cleaned["headcount"] = headcount
        except (TypeError, ValueError):
            errors["headcount"] = "Headcount is a whole number from 1 to 500."
    for field in ("rate_min", "rate_max"):
        if field in data:
            raw = data[field]
            if raw in (None, ""):
                cleaned[field] = None
                continue
            try:
                amount = Decimal(str(raw))
                if amount < 0 or amount >= Decimal("1e10") or not amount.is_finite():
                    raise InvalidOperation
                cleaned[field] = amount.quantize(Decimal("0.01"))
            except InvalidOperation:
                errors[field] = "Enter an amount of 0 or more."
    if "rate_currency" in data:
        currency = str(data["rate_currency"] or "").strip().upper()
        if len(currency) != 3 or not currency.isalpha():
            errors["rate_currency"] = "Use a three-letter currency code such as USD or EUR."
        cleaned["rate_currency"] = currency
    if "rate_unit" in data:
        if data["rate_unit"] not in RateUnit.values:
            errors["rate_unit"] = f"Use one of: {', '.join(RateUnit.values)}."
        cleaned["rate_unit"] = data["rate_unit"]
    if "remote_policy" in data:
        if data["remote_policy"] not in RemotePolicy.values:
            errors["remote_policy"] = f"Use one of: {', '.join(RemotePolicy.values)}."
        cleaned["remote_policy"] = data["remote_policy"]
    if "deadline" in data:
        raw = data["deadline"]
        if raw in (None, ""):
            cleaned["deadline"] = None
        else:
            try:
                deadline = raw if isinstance(raw, dt.date) else dt.date.fromisoformat(str(raw))
                cleaned["deadline"] = deadline
            except ValueError:
                errors["deadline"] = "Use a date in the form YYYY-MM-DD."
    for field, low, high in (("scorecard_weights", 0, 10), ("scorecard_floors", 0, 5)):
        if field in data:
            value = data[field] or {}
            if not isinstance(value, dict) or set(value) - set(CATEGORY_CODES):
                errors[field] = f"Give values for the categories {', '.join(CATEGORY_CODES)}."
                continue
            number = int if field == "scorecard_floors" else float
            try:
                parsed = {
                    code: (None if v in (None, "") else number(float(v)))
                    for code, v in value.items()
                }
                if field == "scorecard_floors" and any(
                    v not in (None, "") and float(v) != int(float(v)) for v in value.values()
                ):
                    raise ValueError
            except (TypeError, ValueError, OverflowError):
                errors[field] = (
                    "Floors are whole numbers."
                    if field == "scorecard_floors"
                    else "Values must be numbers."
                )
                continue
            if field == "scorecard_weights" and any(v is None for v in parsed.values()):
                errors[field] = "Give every category a weight (0 leaves it out of the score)."
            elif any(v is not None and not low <= v <= high for v in parsed.values()):
                errors[field] = f"Values must be between {low} and {high}."
            elif field == "scorecard_weights" and parsed and not any(parsed.values()):
                errors[field] = "At least one category needs a weight above 0."
            cleaned[field] = parsed
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_rate_range(brief: RoleBrief) -> None:
    if (
        brief.rate_min is not None
        and brief.rate_max is not None
        and brief.rate_min > brief.rate_max
    ):
        raise ValidationError({"rate_max": "The maximum rate is below the minimum."})


def _apply_default_policy(brief: RoleBrief, *, only_missing: bool) -> None:
    """Fill the scorecard policy from the track's defaults (hiring.rubric).

    With only_missing, the brief's own values win and only absent categories are filled; a
    GenAI brief always keeps at least the default security floor.
    """
    default_weights, default_floors = default_weights_and_floors(brief.track, brief.is_genai)
    weights: dict[str, Any] = dict(default_weights)
    floors: dict[str, Any] = dict(default_floors)
    if only_missing:
        weights.update(brief.scorecard_weights or {})
        floors.update(brief.scorecard_floors or {})
    if brief.is_genai:
        floors["D"] = max(floors.get("D") or 0, default_floors["D"] or 0)
    brief.scorecard_weights = weights
    brief.scorecard_floors = floors


def _check_deadline(deadline: dt.date | None) -> None:
    """A fill-by date must not have passed in the client's time zone (when it is set or
    moved; a brief whose date passed while it was open can still be edited)."""
    if deadline is None:
        return
    today = dt.datetime.now(_zone(current_client().timezone)).date()
    if deadline < today:
        raise ValidationError(
            {"deadline": f"This date has passed: choose {today:%d %b %Y} or later."}
        )


def _zone(name: str) -> dt.tzinfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def brief_create(*, actor: Actor, data: dict[str, Any]) -> RoleBrief:
    """Create a draft brief. Scorecard weights and floors default from the track."""
    cleaned = _clean_brief_fields(data, partial=False)
    _check_deadline(cleaned.get("deadline"))
    brief = RoleBrief(**cleaned, owner_user_id=actor.user_id)
    _check_rate_range(brief)
    _apply_default_policy(brief, only_missing=True)
    with transaction.atomic():
        brief.save()
        audit_record(
            actor=actor,
            action="brief.created",
            object_type="brief",
            object_id=brief.public_id,
            details={"track": brief.track},
        )
        outbox_record(
            event_type="brief.created",
            aggregate_type="brief",
            aggregate_id=brief.public_id,
            payload=_brief_payload(brief),
        )
    return brief


def brief_update(*, actor: Actor, brief: RoleBrief, data: dict[str, Any]) -> RoleBrief:
    """Edit a brief's fields; returns the updated brief (the given instance is not changed).

    The row is locked and read again first, so an edit never undoes a status change or an
    opening that committed after the caller loaded the brief."""
    cleaned = _clean_brief_fields(data, partial=True)
    with transaction.atomic():
        brief = RoleBrief.objects.select_for_update().get(pk=brief.pk)
        if brief.status == BriefStatus.CLOSED:
            raise ConflictError("A closed brief cannot be edited.", code="brief_closed")
        if cleaned.get("deadline") != brief.deadline:
            _check_deadline(cleaned.get("deadline"))
        track_changed = "track" in cleaned and cleaned["track"] != brief.track
        blocking_before = {gap.field for gap in blocking_gaps(brief_readiness_gaps(brief.__dict__))}
        for field, value in cleaned.items():
            if field in ("scorecard_weights", "scorecard_floors"):
                value = {**(getattr(brief, field) or {}), **value}
            setattr(brief, field, value)
        _check_rate_range(brief)
        policy_given = "scorecard_weights" in cleaned or "scorecard_floors" in cleaned
        _apply_default_policy(brief, only_missing=not track_changed or policy_given)
        gaps = brief_readiness_gaps(brief.__dict__) if brief.status == BriefStatus.OPEN else []
        # An open brief may not lose a safety answer; one opened before the checklist existed
        # can still be edited while it is being completed.
        newly_blocking = {gap.field for gap in blocking_gaps(gaps)} - blocking_before
        if newly_blocking or (gaps and brief.readiness_override_at is None):
            raise ValidationError(
                {
                    "__all__": "This change would make an open brief unready; "
                    "complete it or put the brief on hold first."
                }
            )
        brief.updated_at = timezone.now()
        brief.save()
        audit_record(
            actor=actor,
            action="brief.updated",
            object_type="brief",
            object_id=brief.public_id,
            details={"fields": sorted(cleaned)},
        )
        outbox_record(
            event_type="brief.updated",
            aggregate_type="brief",
            aggregate_id=brief.public_id,
            payload=_brief_payload(brief),
        )
    return brief


def brief_open(
    *,
    actor: Actor,
    brief: RoleBrief,
    agency_ids: list[int] | None = None,
    override_reason: str = "",
) -> RoleBrief:
    """Open the brief to agencies: all engaged agencies (agency_ids None) or selected ones.

    A brief with readiness gaps is refused unless the client gives an override reason; the
    override is stored on the brief and in the audit trail with who and why.
    """
    if brief.status not in (BriefStatus.DRAFT, BriefStatus.ON_HOLD, BriefStatus.OPEN):
        raise ConflictError(
            f"A {brief.get_status_display().lower()} brief cannot be opened.",
            code="brief_not_openable",
        )
    gaps = brief_readiness_gaps(brief.__dict__)
    try:
        override_reason = long_text_clean(override_reason)
    except ValidationError as error:
        raise ValidationError({"override_reason": error.messages}) from None
    blocking = blocking_gaps(gaps)
    if blocking:
        # No override: an AI that touches users or data does not reach agencies before the
        # client can answer the safety checklist (docs/hiring.md).
        raise ValidationError(
            {
                "readiness": [f"{gap.field}: {gap.message}" for gap in gaps],
                "__all__": "The AI safety checklist is incomplete: a GenAI or agent brief "
                "opens to agencies only once every item is answered (this cannot be "
                f"overridden). Missing: {', '.join(_short(gap.field) for gap in blocking)}.",
            }
        )
    if gaps and not override_reason:
        raise ValidationError(
            {
                "readiness": [f"{gap.field}: {gap.message}" for gap in gaps],
                "__all__": "This brief is not ready: agencies would be hiring into ambiguity. "
                "Complete it, or open it anyway with a reason for the override.",
            }
        )
    if gaps and len(override_reason) < 10:
        raise ValidationError({"override_reason": "Explain the override in a sentence."})
    client = current_client()
    engaged = set(
        Engagement.objects.filter(
            client=client, status=EngagementStatus.ACTIVE, agency__is_active=True
        ).values_list("agency_id", flat=True)
    )
    if agency_ids is not None:
        if not agency_ids:
            raise ValidationError({"agency_ids": "Choose at least one agency, or share with all."})
        not_engaged = set(agency_ids) - engaged
        if not_engaged:
            raise ValidationError(
                {"agency_ids": "Only agencies with an active engagement can receive briefs."}
            )
    now = timezone.now()
    with transaction.atomic():
        brief = RoleBrief.objects.select_for_update().get(pk=brief.pk)
        was_open = brief.status == BriefStatus.OPEN
        brief.status = BriefStatus.OPEN
        brief.opened_at = brief.opened_at or now
        brief.updated_at = now
        brief.shared_with_all_engaged = agency_ids is None
        if gaps:
            brief.readiness_override_user_id = actor.user_id
            brief.readiness_override_reason = override_reason
            brief.readiness_override_at = now
        brief.save()
        if agency_ids is not None:
            BriefShare.objects.bulk_create(
                [BriefShare(brief=brief, agency_id=agency_id) for agency_id in agency_ids],
                ignore_conflicts=True,
            )
        if gaps:
            audit_record(
                actor=actor,
                action="brief.readiness_overridden",
                object_type="brief",
                object_id=brief.public_id,
                details={"missing": [gap.field for gap in gaps]},
            )
        audit_record(
            actor=actor,
            action="brief.opened",
            object_type="brief",
            object_id=brief.public_id,
            details={
                "shared_with": "all" if agency_ids is None else sorted(agency_ids),
                "reopened": was_open,
            },
        )
        outbox_record(
            event_type="brief.opened",
            aggregate_type="brief",
            aggregate_id=brief.public_id,
            payload=_brief_payload(brief),
        )
    return brief


def _short(field: str) -> str:
    return SHORT_NAMES.get(field, field.replace("_", " "))


def brief_set_status(*, actor: Actor, brief: RoleBrief, status: str, reason: str = "") -> RoleBrief:
    if status not in BriefStatus.values:
        raise ValidationError({"status": f"Use one of: {', '.join(BriefStatus.values)}."})
    if status == BriefStatus.OPEN:
        raise ValidationError({"status": "Open a brief with the open action (readiness check)."})
    with transaction.atomic():
        brief = RoleBrief.objects.select_for_update().get(pk=brief.pk)
        allowed = STATUS_TRANSITIONS[BriefStatus(brief.status)]
        if status not in allowed:
            raise ConflictError(
                f"A brief cannot go from {brief.status} to {status}.", code="invalid_transition"
            )
        previous = brief.status
        brief.status = status
        brief.updated_at = timezone.now()
        brief.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor,
            action="brief.status_changed",
            object_type="brief",
            object_id=brief.public_id,
            details={"from": previous, "to": status, "has_reason": bool(reason.strip())},
        )
        outbox_record(
            event_type="brief.status_changed",
            aggregate_type="brief",
            aggregate_id=brief.public_id,
            payload={**_brief_payload(brief), "previous_status": previous},
        )
    return brief


def _brief_payload(brief: RoleBrief) -> dict[str, Any]:
    return {
        "brief_id": str(brief.public_id),
        "status": brief.status,
        "track": brief.track,
        "is_genai": brief.is_genai,
    }
