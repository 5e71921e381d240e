"""Writes of scorecards: assigning interviewers, saving and submitting a scorecard."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.actors import Actor
from audit.errors import ConflictError
from audit.services import audit_record
from hiring.models import InterviewAssignment, Submission
from hiring.stages import OPEN_FOR_SCORING
from outbox.services import outbox_record
from scoring.models import (
    EVIDENCE_FIELDS,
    SCORE_FIELDS,
    Recommendation,
    Scorecard,
    ScorecardStatus,
)
from scoring.services.kits import kit_version_current
from tenants.models import ClientMembership, User
from tenants.roles import BE_ASSIGNED_TO_SCORE
from tenants.schema import current_client

DEFAULT_SCORECARD_DUE_HOURS = 48
# Scores at the extremes need the evidence the interviewer saw (0-1: why so weak; 5: proof).
EVIDENCE_REQUIRED_SCORES = frozenset({0, 1, 5})


def assignment_create(
    *,
    actor: Actor,
    submission: Submission,
    interviewer: User,
    due_at: dt.datetime | None = None,
) -> InterviewAssignment:
    """Ask a client interviewer (or hiring manager/admin) to score a submission."""
    client = current_client()
    if not ClientMembership.objects.filter(
        user=interviewer, client=client, role__in=BE_ASSIGNED_TO_SCORE
    ).exists():
        raise ValidationError({"interviewer": "Choose a member of this client who interviews."})
    if submission.stage not in OPEN_FOR_SCORING:
        raise ConflictError(
            "This submission is closed; it can no longer be scored.", code="submission_closed"
        )
    due_at = due_at or timezone.now() + dt.timedelta(hours=DEFAULT_SCORECARD_DUE_HOURS)
    try:
        with transaction.atomic():
            assignment = InterviewAssignment.objects.create(
                submission=submission,
                interviewer=interviewer,
                assigned_by_user_id=actor.user_id,
                due_at=due_at,
            )
            audit_record(
                actor=actor,
                action="assignment.created",
                object_type="submission",
                object_id=submission.public_id,
                details={"interviewer": interviewer.pk},
            )
            _assignment_event("assignment.created", assignment, submission)
    except IntegrityError:
        raise ConflictError(
            "This interviewer is already assigned to this submission.", code="already_assigned"
        ) from None
    return assignment


def _assignment_event(
    event_type: str, assignment: InterviewAssignment, submission: Submission
) -> None:
    """Announce an assignment's change (the interviewer is told: notifications.events)."""
    outbox_record(
        event_type=event_type,
        aggregate_type="submission",
        aggregate_id=submission.public_id,
        payload={
            "submission_id": str(submission.public_id),
            "brief_id": str(submission.brief.public_id),
            "interviewer_id": str(assignment.interviewer.public_id),
            "due_at": assignment.due_at.isoformat(),
        },
    )


def assignment_reschedule(
    *, actor: Actor, assignment: InterviewAssignment, due_at: dt.datetime
) -> InterviewAssignment:
    """Give an interviewer a new due date for their scorecard (a date in the past is
    refused: the reminders would fire at once)."""
    if due_at < timezone.now() - dt.timedelta(minutes=5):
        raise ValidationError({"due_at": "Choose a due date that has not passed."})
    submission = assignment.submission
    if submission.stage not in OPEN_FOR_SCORING:
        raise ConflictError(
            "This submission is closed; it can no longer be scored.", code="submission_closed"
        )
    with transaction.atomic():
        locked = InterviewAssignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.due_at == due_at:
            return locked
        locked.due_at = due_at
        locked.save(update_fields=["due_at"])
        audit_record(
            actor=actor,
            action="assignment.rescheduled",
            object_type="submission",
            object_id=submission.public_id,
            details={"interviewer": locked.interviewer_id},
        )
        _assignment_event("assignment.changed", locked, submission)
    return locked


def assignment_remove(*, actor: Actor, assignment: InterviewAssignment) -> None:
    """Take an interviewer off a submission. Refused once their scorecard is submitted: the
    shortlist is built from it, and the record of who scored stays whole. A draft goes with
    the assignment."""
    submission = assignment.submission
    with transaction.atomic():
        locked = InterviewAssignment.objects.select_for_update().filter(pk=assignment.pk).first()
        if locked is None:
            return
        cards = Scorecard.objects.filter(
            submission=submission, interviewer_id=locked.interviewer_id
        )
        if cards.filter(status=ScorecardStatus.SUBMITTED).exists():
            raise ConflictError(
                "This interviewer has submitted their scorecard: it stays part of the record.",
                code="scorecard_submitted",
            )
        cards.delete()
        locked.delete()
        audit_record(
            actor=actor,
            action="assignment.removed",
            object_type="submission",
            object_id=submission.public_id,
            details={"interviewer": locked.interviewer_id},
        )
        _assignment_event("assignment.removed", locked, submission)


def _clean_scorecard(data: dict[str, Any]) -> dict[str, Any]:
    allowed = set(SCORE_FIELDS) | set(EVIDENCE_FIELDS) | {"recommendation", "summary"}
    errors: dict[str, str] = {}
    unknown = set(data) - allowed
    if unknown:
        errors["__all__"] = f"Unknown fields: {', '.join(sorted(unknown))}."
    cleaned: dict[str, Any] = {}
    for field in SCORE_FIELDS:
        if field not in data:
            continue
        value = data[field]
        if value in (None, ""):
            cleaned[field] = None
            continue
        if isinstance(value, bool):
            errors[field] = "A score is a whole number from 0 to 5."
            continue
        try:
            number = int(str(value))
        except ValueError:
            errors[field] = "A score is a whole number from 0 to 5."
            continue
        if not 0 <= number <= 5:
            errors[field] = "A score is a whole number from 0 to 5."
        cleaned[field] = number
    for field in (*EVIDENCE_FIELDS, "summary"):
        if field in data:
            text = str(data[field] or "").strip()
            if len(text) > 5000:
                errors[field] = "Keep this under 5000 characters."
            cleaned[field] = text
    if "recommendation" in data:
        value = data["recommendation"] or ""
        if value and value not in Recommendation.values:
            errors["recommendation"] = f"Use one of: {', '.join(Recommendation.values)}."
        cleaned["recommendation"] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


def scorecard_save(
    *,
    actor: Actor,
    submission: Submission,
    data: dict[str, Any],
    submit: bool = False,
    create_only: bool = False,
) -> Scorecard:
    """Create or update the actor's own scorecard; with submit=True, also submit it.

    Only an assigned interviewer scores. A submitted scorecard is final. With create_only,
    an existing scorecard is refused (409 `scorecard_exists`), decided under the row lock so
    that two concurrent creations give one scorecard and one refusal.
    """
    cleaned = _clean_scorecard(data)
    assignment = InterviewAssignment.objects.filter(
        submission=submission, interviewer_id=actor.user_id
    ).first()
    if assignment is None:
        raise ConflictError("You are not assigned to score this submission.", code="not_assigned")
    with transaction.atomic():
        scorecard, created = Scorecard.objects.select_for_update().get_or_create(
            submission=submission,
            interviewer_id=actor.user_id,
            defaults={"due_at": assignment.due_at},
        )
        if create_only and not created:
            raise ConflictError(
                "This interviewer already has a scorecard for this submission: update that one.",
                code="scorecard_exists",
            )
        if scorecard.status == ScorecardStatus.SUBMITTED:
            raise ConflictError(
                "This scorecard was submitted and can no longer change.", code="scorecard_submitted"
            )
        for field, value in cleaned.items():
            setattr(scorecard, field, value)
        now = timezone.now()
        scorecard.updated_at = now
        if actor.kind == "api_key" and actor.api_key_id is not None:
            scorecard.written_by_api_key_id = actor.api_key_id
        # The kit the interviewer scores with: the track's current version on every save of
        # a draft, and so fixed by the save that submits.
        scorecard.kit_version = kit_version_current(track=submission.brief.track)
        if submit:
            _check_ready_to_submit(scorecard)
            scorecard.status = ScorecardStatus.SUBMITTED
            scorecard.submitted_at = now
        scorecard.save()
        audit_record(
            actor=actor,
            action="scorecard.submitted" if submit else "scorecard.saved",
            object_type="scorecard",
            object_id=scorecard.public_id,
            details={"submission": str(submission.public_id), "created": created},
        )
        if submit:
            outbox_record(
                event_type="scorecard.submitted",
                aggregate_type="scorecard",
                aggregate_id=scorecard.public_id,
                payload={
                    "scorecard_id": str(scorecard.public_id),
                    "submission_id": str(submission.public_id),
                    "brief_id": str(submission.brief.public_id),
                    "recommendation": scorecard.recommendation,
                },
            )
    return scorecard


def _check_ready_to_submit(scorecard: Scorecard) -> None:
    errors: dict[str, str] = {}
    scored = 0
    for score_field, evidence_field in zip(SCORE_FIELDS, EVIDENCE_FIELDS, strict=True):
        score = getattr(scorecard, score_field)
        if score is None:
            continue
        scored += 1
        if score in EVIDENCE_REQUIRED_SCORES and len(getattr(scorecard, evidence_field)) < 10:
            errors[evidence_field] = (
                f"A score of {score} needs the evidence you saw: what did the candidate say "
                "or show?"
            )
    if scored == 0:
        errors["__all__"] = "Score at least one category before submitting."
    if not scorecard.recommendation:
        errors["recommendation"] = "Give your overall recommendation."
    if errors:
        raise ValidationError(errors)
