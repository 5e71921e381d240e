"""Decisions on a shortlist: floor overrides and advancing or rejecting candidates."""

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.actors import Actor
from audit.errors import ConflictError
from audit.services import audit_record
from hiring.models import BriefStatus, RoleBrief, Stage, Submission
from hiring.services.submissions import submission_move_stage
from outbox.services import outbox_record
from scoring.models import (
    DecisionKind,
    FloorOverride,
    Shortlist,
    ShortlistDecision,
    ShortlistEntry,
)


def floor_override_set(
    *, actor: Actor, brief: RoleBrief, submission: Submission, reason: str
) -> FloorOverride:
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ValidationError(
            {"reason": "Explain in a sentence why this candidate may compete despite the floor."}
        )
    if submission.brief_id != brief.pk:
        raise ValidationError({"submission": "This submission belongs to another brief."})
    with transaction.atomic():
        override, _ = FloorOverride.objects.update_or_create(
            brief=brief,
            submission=submission,
            defaults={"decided_by_user_id": actor.user_id, "reason": reason},
        )
        audit_record(
            actor=actor,
            action="shortlist.floor_overridden",
            object_type="submission",
            object_id=submission.public_id,
            details={"brief": str(brief.public_id)},
        )
        outbox_record(
            event_type="shortlist.inputs_changed",
            aggregate_type="brief",
            aggregate_id=brief.public_id,
            payload={"brief_id": str(brief.public_id)},
        )
    return override


# Where "advance" takes a submission from each stage.
ADVANCE_TO = {
    Stage.SUBMITTED: Stage.INTERVIEW,
    Stage.SCREENING: Stage.INTERVIEW,
    Stage.INTERVIEW: Stage.SHORTLISTED,
    Stage.SHORTLISTED: Stage.OFFER,
}


DECIDABLE_BRIEF_STATUSES = (BriefStatus.OPEN, BriefStatus.ON_HOLD)


def decision_record(
    *,
    actor: Actor,
    shortlist: Shortlist,
    submission: Submission,
    decision: str,
    reason: str = "",
    confirmed: bool = False,
) -> ShortlistDecision:
    """An executive advances or rejects a candidate from a shortlist snapshot; the decision is
    audited and moves the submission's stage.

    Refused on a brief that is filled or closed (nobody is being hired into it any more).
    Advancing a candidate who is below a category floor that nobody overrode needs a reason
    and an explicit confirmation: the floor says the brief does not accept that profile.
    """
    if decision not in DecisionKind.values:
        raise ValidationError({"decision": "Choose advance or reject."})
    entry = ShortlistEntry.objects.filter(shortlist=shortlist, submission=submission).first()
    if entry is None:
        raise ValidationError({"submission": "This candidate is not on this shortlist."})
    brief = shortlist.brief
    if brief.status not in DECIDABLE_BRIEF_STATUSES:
        raise ConflictError(
            f"This brief is {brief.get_status_display().lower()}: decisions on its candidates "
            "are closed. Reopen the brief to decide.",
            code="brief_not_open",
        )
    if decision == DecisionKind.ADVANCE and entry.below_floor and not entry.floor_overridden:
        errors = {}
        if len(reason.strip()) < 10:
            errors["reason"] = (
                "This candidate is below a floor of the brief: say in a sentence why they "
                "go forward anyway."
            )
        if not confirmed:
            errors["confirm"] = "Confirm that you advance a candidate below the brief's floor."
        if errors:
            raise ValidationError(errors)
    if decision == DecisionKind.ADVANCE:
        target = ADVANCE_TO.get(Stage(submission.stage))
        if target is None:
            raise ConflictError(
                f"A {submission.stage} submission cannot be advanced.", code="invalid_transition"
            )
    else:
        target = Stage.REJECTED
        if not reason.strip():
            raise ValidationError({"reason": "Give a reason when rejecting."})
    with transaction.atomic():
        moved = submission_move_stage(
            actor=actor, submission=submission, to_stage=target, reason=reason
        )
        record = ShortlistDecision.objects.create(
            shortlist=shortlist,
            submission=submission,
            decision=decision,
            reason=reason.strip(),
            decided_by_user_id=actor.user_id,
            resulting_stage=moved.stage,
        )
        audit_record(
            actor=actor,
            action=f"shortlist.decision.{decision}",
            object_type="submission",
            object_id=submission.public_id,
            details={"shortlist_version": shortlist.version, "to": moved.stage},
        )
    return record
