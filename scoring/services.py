"""Writes of the scoring app: assignments, scorecards, shortlist snapshots, decisions."""

import datetime as dt
import json
import time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from audit.actors import Actor
from audit.errors import ConflictError
from audit.services import audit_record
from hiring.models import InterviewAssignment, RoleBrief, Stage, Submission
from hiring.services.submissions import submission_move_stage
from hiring.stages import NOT_RANKED_STAGES, OPEN_FOR_SCORING
from outbox.services import outbox_record
from scoring.engine import (
    METHOD_VERSION,
    BriefPolicy,
    InterviewerHabit,
    ScorecardInput,
    ShortlistResult,
    compute_shortlist_result,
    inputs_fingerprint,
    workspace_habits_pool,
)
from scoring.engine import ShortlistEntry as EngineEntry
from scoring.models import (
    EVIDENCE_FIELDS,
    SCORE_FIELDS,
    DecisionKind,
    FloorOverride,
    Recommendation,
    Scorecard,
    ScorecardStatus,
    ScoringSettings,
    Shortlist,
    ShortlistDecision,
    ShortlistEntry,
)
from scoring.selectors import scoring_settings_get
from tenants.models import ClientMembership, User
from tenants.roles import BE_ASSIGNED_TO_SCORE
from tenants.schema import current_client, current_schema_name

DEFAULT_SCORECARD_DUE_HOURS = 48
# Workspace evidence comes from the latest snapshot of each other brief computed this recently:
# an interviewer's habits of two years ago say little about how they score today.
WORKSPACE_EVIDENCE_DAYS = 365
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
    except IntegrityError:
        raise ConflictError(
            "This interviewer is already assigned to this submission.", code="already_assigned"
        ) from None
    return assignment


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


# --- shortlists ------------------------------------------------------------------------------


def brief_policy(brief: RoleBrief) -> BriefPolicy:
    floors = {
        code: (None if value is None else int(value))
        for code, value in (brief.scorecard_floors or {}).items()
    }
    return BriefPolicy(
        weights=dict(brief.scorecard_weights), floors=floors, is_genai=brief.is_genai
    )


def shortlist_compute(*, brief: RoleBrief) -> Shortlist | None:
    """Recompute the brief's shortlist from its submitted scorecards.

    Serialised per brief with a transaction-level advisory lock, so two workers cannot
    interleave versions. Returns the new snapshot, or None when the inputs are unchanged
    since the latest one (same fingerprint). When the workspace has chosen to use evidence
    from its earlier briefs (ScoringSettings.workspace_evidence), interviewers' habits pooled
    from the other briefs' latest snapshots inform the calibration and the fingerprint.
    """
    started = time.perf_counter()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtext(%s))",
                [f"shortlist:{current_schema_name()}:{brief.pk}"],
            )
        rows = (
            Scorecard.objects.filter(submission__brief=brief, status=ScorecardStatus.SUBMITTED)
            .exclude(submission__stage__in=NOT_RANKED_STAGES)
            .values_list("submission_id", "interviewer_id", *SCORE_FIELDS, "recommendation")
        )
        inputs = [
            ScorecardInput(
                submission_id=str(row[0]),
                interviewer_id=str(row[1]),
                scores=dict(zip("ABCDE", row[2:7], strict=True)),
                recommendation=row[7] or None,
            )
            for row in rows.iterator(chunk_size=5000)
        ]
        policy = brief_policy(brief)
        overrides = {
            str(s)
            for s in FloorOverride.objects.filter(brief=brief).values_list(
                "submission_id", flat=True
            )
        }
        use_workspace = scoring_settings_get().workspace_evidence
        habits = _workspace_habits(brief=brief) if use_workspace else None
        fingerprint = inputs_fingerprint(inputs, policy, overrides, habits)
        latest = Shortlist.objects.filter(brief=brief).order_by("-version").first()
        if latest is not None and latest.inputs_hash == fingerprint:
            return None
        result = compute_shortlist_result(inputs, policy, overrides, habits)
        shortlist = Shortlist.objects.create(
            brief=brief,
            version=(latest.version + 1) if latest else 1,
            inputs_hash=fingerprint,
            scorecard_count=len(inputs),
            policy={
                "weights": dict(policy.weights),
                "floors": dict(policy.floors),
                "is_genai": policy.is_genai,
            },
            calibration=calibration_snapshot(result, workspace_evidence=use_workspace),
        )
        _entries_store(shortlist, result.entries)
        shortlist.duration_ms = int((time.perf_counter() - started) * 1000)
        shortlist.save(update_fields=["duration_ms"])
        audit_record(
            actor=Actor.system("shortlist_compute"),
            action="shortlist.computed",
            object_type="brief",
            object_id=brief.public_id,
            details={"version": shortlist.version, "entries": len(result.entries)},
        )
        outbox_record(
            event_type="shortlist.updated",
            aggregate_type="brief",
            aggregate_id=brief.public_id,
            payload={
                "brief_id": str(brief.public_id),
                "version": shortlist.version,
                "entries": len(result.entries),
            },
        )
    return shortlist


def calibration_snapshot(result: ShortlistResult, *, workspace_evidence: bool) -> dict[str, Any]:
    """What a snapshot keeps of the calibration: enough for the page to show each
    interviewer's habits with their evidence, and for later briefs to pool the brief-alone
    figures. Interviewer ids are the users' primary keys."""
    return {
        "method": METHOD_VERSION,
        "panel_mean": result.panel_mean,
        "groups": result.groups,
        "workspace_evidence": workspace_evidence,
        "interviewers": [
            {
                "interviewer_id": int(row.interviewer_id),
                "leniency": row.leniency,
                "scale": row.scale,
                "scale_estimated": row.scale_estimated,
                "scorecards": row.scorecards,
                "scores": row.scores,
                "compared_scores": row.compared_scores,
                "evidence": row.evidence,
                "group": row.group,
                "brief_leniency": row.brief_leniency,
                "brief_scale": row.brief_scale,
                "workspace_leniency": row.workspace_leniency,
                "workspace_evidence": row.workspace_evidence,
                "summary": row.summary,
            }
            for row in result.interviewers
        ],
    }


def _workspace_habits(*, brief: RoleBrief) -> dict[str, InterviewerHabit]:
    """Interviewers' leniency pooled from the latest snapshot of every other brief of this
    workspace computed within WORKSPACE_EVIDENCE_DAYS: one query, small JSON documents.

    Only brief-alone figures are pooled (never a snapshot's own workspace-informed ones), so
    evidence is not counted twice as it passes from brief to brief.
    """
    since = timezone.now() - dt.timedelta(days=WORKSPACE_EVIDENCE_DAYS)
    documents = (
        Shortlist.objects.exclude(brief=brief)
        .filter(computed_at__gte=since)
        .order_by("brief_id", "-version")
        .distinct("brief_id")
        .values_list("calibration", flat=True)
    )
    estimates = [
        (str(row["interviewer_id"]), float(row["brief_leniency"]), float(row["evidence"]))
        for document in documents
        for row in (document or {}).get("interviewers", [])
    ]
    return workspace_habits_pool(estimates)


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
_ENTRY_COLUMNS = (
    "shortlist_id",
    "submission_id",
    "rank",
    "weighted_score",
    "balanced_score",
    "category_means",
    "below_floor",
    "floor_overridden",
    "missing",
    "needs_debrief",
    "confidence",
    "scorecard_count",
    "reason",
    "uncalibrated_rank",
    "uncalibrated_score",
    "panel_group",
)


def _entries_store(shortlist: Shortlist, entries: list[EngineEntry]) -> None:
    """Write the snapshot's entries with one COPY in the caller's transaction.

    A large brief has thousands of entries; building a model instance per entry and letting
    bulk_create adapt every value took about two thirds of a 5,000-candidate recompute
    (bench/shortlist.py), COPY a small fraction of that. JSON columns get the same text
    JSONField would store.
    """
    table = connection.ops.quote_name(ShortlistEntry._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(column) for column in _ENTRY_COLUMNS)
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for entry in entries:
            copy.write_row(
                (
                    shortlist.pk,
                    int(entry.submission_id),
                    entry.rank,
                    entry.weighted_score,
                    entry.balanced_score,
                    json.dumps(entry.category_means),
                    json.dumps(entry.below_floor),
                    entry.floor_overridden,
                    json.dumps(entry.missing),
                    json.dumps(entry.needs_debrief),
                    entry.confidence,
                    entry.scorecard_count,
                    entry.reason,
                    entry.uncalibrated_rank,
                    entry.uncalibrated_score,
                    entry.panel_group,
                )
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


def decision_record(
    *, actor: Actor, shortlist: Shortlist, submission: Submission, decision: str, reason: str = ""
) -> ShortlistDecision:
    """An executive advances or rejects a candidate from a shortlist snapshot; the decision is
    audited and moves the submission's stage."""
    if decision not in DecisionKind.values:
        raise ValidationError({"decision": "Choose advance or reject."})
    if not ShortlistEntry.objects.filter(shortlist=shortlist, submission=submission).exists():
        raise ValidationError({"submission": "This candidate is not on this shortlist."})
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
