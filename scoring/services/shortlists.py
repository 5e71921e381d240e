"""Shortlist snapshots: the engine's ranking of a brief, computed and stored."""

import datetime as dt
import time
from typing import Any

import orjson
from django.db import connection, transaction
from django.utils import timezone

from audit.actors import Actor
from audit.services import audit_record
from hiring.models import RoleBrief, Submission
from hiring.stages import NOT_RANKED_STAGES
from outbox.services import outbox_record
from scoring.engine import (
    METHOD_VERSION,
    BriefPolicy,
    InterviewerHabit,
    ScorecardColumns,
    ShortlistResult,
    compute_shortlist_result,
    inputs_fingerprint,
    workspace_habits_pool,
)
from scoring.engine import ShortlistEntry as EngineEntry
from scoring.models import (
    SCORE_FIELDS,
    FloorOverride,
    Scorecard,
    ScorecardStatus,
    Shortlist,
    ShortlistEntry,
)
from scoring.selectors import scoring_settings_get
from tenants.schema import current_schema_name

# Workspace evidence comes from the latest snapshot of each other brief computed this recently:
# an interviewer's habits of two years ago say little about how they score today.
WORKSPACE_EVIDENCE_DAYS = 365


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
        inputs = _scorecards_load(brief=brief)
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


def _scorecards_load(*, brief: RoleBrief) -> ScorecardColumns:
    """The brief's submitted scorecards of candidates still in the running: only the columns
    the engine reads, ids as text, in one query and straight into the engine's columns (no
    model instance or per-card object). Ordered as the scorecards' default ordering, so the
    engine sees them in the order it always has."""
    scores = ", ".join(f"s.{field}" for field in SCORE_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT s.submission_id::text, s.interviewer_id::text, {scores}, s.recommendation
            FROM {Scorecard._meta.db_table} s
            JOIN {Submission._meta.db_table} sub ON sub.id = s.submission_id
            WHERE sub.brief_id = %s AND s.status = %s AND NOT (sub.stage = ANY(%s::text[]))
            ORDER BY s.updated_at DESC, s.id DESC
            """,  # noqa: S608
            [
                brief.pk,
                ScorecardStatus.SUBMITTED.value,
                [str(stage) for stage in NOT_RANKED_STAGES],
            ],
        )
        return ScorecardColumns(cursor.fetchall())


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


def _json(value: Any) -> str:
    # orjson: the same JSON as json.dumps for these values (codes, numbers, None), several
    # times faster; four documents per entry add up on a brief of thousands.
    return orjson.dumps(value).decode()


def _entries_store(shortlist: Shortlist, entries: list[EngineEntry]) -> None:
    """Write the snapshot's entries with one COPY in the caller's transaction.

    A large brief has thousands of entries; building a model instance per entry and letting
    bulk_create adapt every value took about two thirds of a 5,000-candidate recompute
    (bench/shortlist.py), COPY a small fraction of that. JSON columns get the same documents
    JSONField would store (jsonb keeps values, not their spelling).
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
                    _json(entry.category_means),
                    _json(entry.below_floor),
                    entry.floor_overridden,
                    _json(entry.missing),
                    _json(entry.needs_debrief),
                    entry.confidence,
                    entry.scorecard_count,
                    entry.reason,
                    entry.uncalibrated_rank,
                    entry.uncalibrated_score,
                    entry.panel_group,
                )
            )
