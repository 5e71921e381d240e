"""Everything the client holds about one person, for an access request.

The export is for the client admin who answers the person's request, so it holds everything
the client holds: every agency's version of the person (one per submission), the proof, the
stage history with its reasons, every scorecard (drafts too) with its scores and evidence,
the shortlist placements and decisions, the ownership, and the log of who read or changed
the person's data. Two things are deliberately named rather than copied:

- interviewers appear as "Interviewer 1", "Interviewer 2" (the same label for the same person
  throughout one export): who scored someone is the colleague's personal data, not the
  candidate's, and the admin can tell them apart from the scorecards pages if needed;
- the people in the access log appear as their organisation (the client, an agency, an
  integration, the system), for the same reason.

Blind scoring still holds for the admin who asks: one assigned to score one of the person's
submissions who has not submitted their own scorecard is refused the export
(`export_blocked_by`), since it would show them the others' scores; another admin can export.

The export is a read of personal data: the page records it (candidate_pii_read_record with
purpose "access_request_export").
"""

import datetime as dt
from typing import Any, Final

from django.db.models import Q
from django.utils import timezone

from audit.models import AuditEntry
from hiring.fields import CANDIDATE_FIELDS, PROOF_PARTS
from hiring.models import Candidate, CandidateOwnership, Submission
from hiring.services.privacy import ERASURE_REASONS
from scoring.models import (
    EVIDENCE_FIELDS,
    SCORE_FIELDS,
    FloorOverride,
    Scorecard,
    ShortlistDecision,
    ShortlistEntry,
)
from scoring.selectors import blind_submission_ids
from tenants.models import Agency, ApiKey, Client, ClientMembership

EXPORT_FORMAT: Final = "aihiring.candidate-export/1"
CATEGORY_CODES: Final = tuple(field[-1].upper() for field in SCORE_FIELDS)


def _decimal(value: object) -> str | None:
    return None if value is None else str(value)


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def export_blocked_by(*, user_id: int, candidate: Candidate) -> list[str]:
    """Titles of the briefs on which the person is blind for this candidate (empty: the
    export may be made)."""
    submissions = dict(
        Submission.objects.filter(candidate=candidate).values_list("pk", "brief__title")
    )
    blind = blind_submission_ids(user_id=user_id, submission_ids=submissions)
    return sorted({submissions[pk] for pk in blind})


class _Labels:
    """Interviewer N, in order of first appearance in the export."""

    def __init__(self) -> None:
        self._numbers: dict[int, int] = {}

    def interviewer(self, user_id: int) -> str:
        number = self._numbers.setdefault(user_id, len(self._numbers) + 1)
        return f"Interviewer {number}"


def candidate_export(*, candidate: Candidate, client: Client) -> dict[str, Any]:
    """The export as plain data (JSON-ready); the readable page shows the same data."""
    submissions = list(
        Submission.objects.filter(candidate=candidate)
        .select_related("brief", "agency")
        .prefetch_related("stage_changes", "assignments")
        .order_by("created_at", "id")
    )
    by_pk = {submission.pk: submission for submission in submissions}
    scorecards = list(
        Scorecard.objects.filter(submission__in=submissions).order_by("created_at", "id")
    )
    placements = list(
        ShortlistEntry.objects.filter(submission__in=submissions)
        .select_related("shortlist")
        .order_by("shortlist__computed_at", "id")
    )
    decisions = list(
        ShortlistDecision.objects.filter(submission__in=submissions)
        .select_related("shortlist")
        .order_by("decided_at", "id")
    )
    overrides = list(FloorOverride.objects.filter(submission__in=submissions).order_by("id"))
    ownership = (
        CandidateOwnership.objects.filter(candidate=candidate).select_related("agency").first()
    )
    acting_user_ids = {
        change.actor_user_id
        for submission in submissions
        for change in submission.stage_changes.all()
        if change.actor_user_id is not None
    }
    submission_ids = [str(submission.public_id) for submission in submissions]
    log_entries = list(
        AuditEntry.objects.filter(
            Q(object_type="candidate", object_id=str(candidate.public_id))
            | Q(object_type="submission", object_id__in=submission_ids)
        ).order_by("occurred_at", "id")
    )
    acting_user_ids |= {
        entry.actor_user_id for entry in log_entries if entry.actor_user_id is not None
    }
    client_people = set(
        ClientMembership.objects.filter(client=client, user_id__in=acting_user_ids).values_list(
            "user_id", flat=True
        )
    )
    key_agencies = {
        key.prefix: key.agency.name if key.agency is not None else client.name
        for key in ApiKey.objects.filter(
            client=client,
            prefix__in={entry.actor_ref for entry in log_entries if entry.actor_kind == "api_key"},
        ).select_related("agency")
    }
    agency_names = dict(
        Agency.objects.filter(
            pk__in={
                entry.details.get("agency")
                for entry in log_entries
                if isinstance(entry.details, dict) and isinstance(entry.details.get("agency"), int)
            }
        ).values_list("pk", "name")
    )
    labels = _Labels()

    def organisation(kind: str, user_id: int | None, ref: str, agency_name: str) -> str:
        if kind == "user":
            return client.name if user_id in client_people else agency_name
        if kind == "api_key":
            return f"an integration of {key_agencies.get(ref, client.name)}"
        return "the system"

    scorecards_of: dict[int, list[Scorecard]] = {}
    for scorecard in scorecards:
        scorecards_of.setdefault(scorecard.submission_id, []).append(scorecard)

    def submission_data(submission: Submission) -> dict[str, Any]:
        return {
            "id": str(submission.public_id),
            "agency": submission.agency.name,
            "brief": {"id": str(submission.brief.public_id), "title": submission.brief.title},
            "submitted_at": _iso(submission.created_at),
            "stage": submission.get_stage_display(),
            "stage_changed_at": _iso(submission.stage_changed_at),
            "as_presented_by_the_agency": {
                name: getattr(submission, name) for name in CANDIDATE_FIELDS
            },
            "resume": {
                "on_file": bool(submission.resume.name),
                "content_type": submission.resume_content_type or None,
            },
            "proof": {
                **{part: getattr(submission, f"proof_{part}") for part in PROOF_PARTS},
                "metric": submission.proof_metric,
                "metric_unit": submission.proof_metric_unit,
                "baseline_value": _decimal(submission.proof_baseline_value),
                "result_value": _decimal(submission.proof_result_value),
                "monitoring_signals": submission.proof_monitoring_signals,
                "links": submission.proof_links,
            },
            "rate": {
                "amount": None if submission.rate_amount is None else str(submission.rate_amount),
                "currency": submission.rate_currency or None,
            },
            "right_to_represent_confirmed_at": _iso(submission.right_to_represent_confirmed_at),
            "stage_history": [
                {
                    "at": _iso(change.occurred_at),
                    "from": change.get_from_stage_display() if change.from_stage else None,
                    "to": change.get_to_stage_display(),
                    "reason": change.reason,
                    "by": organisation(
                        change.actor_kind,
                        change.actor_user_id,
                        change.actor_ref,
                        submission.agency.name,
                    ),
                }
                for change in submission.stage_changes.all()
            ],
            "interviewers_assigned": [
                {
                    "interviewer": labels.interviewer(assignment.interviewer_id),
                    "assigned_at": _iso(assignment.created_at),
                    "due_at": _iso(assignment.due_at),
                }
                for assignment in sorted(submission.assignments.all(), key=lambda a: a.pk)
            ],
            "scorecards": [
                {
                    "interviewer": labels.interviewer(scorecard.interviewer_id),
                    "status": scorecard.get_status_display(),
                    "scores": dict(
                        zip(
                            CATEGORY_CODES,
                            (getattr(scorecard, name) for name in SCORE_FIELDS),
                            strict=True,
                        )
                    ),
                    "evidence": dict(
                        zip(
                            CATEGORY_CODES,
                            (getattr(scorecard, name) for name in EVIDENCE_FIELDS),
                            strict=True,
                        )
                    ),
                    "recommendation": scorecard.get_recommendation_display() or None,
                    "summary": scorecard.summary,
                    "submitted_at": _iso(scorecard.submitted_at),
                }
                for scorecard in scorecards_of.get(submission.pk, [])
            ],
        }

    return {
        "format": EXPORT_FORMAT,
        "generated_at": _iso(timezone.now()),
        "held_by": client.name,
        "person": {
            "id": str(candidate.public_id),
            "name_used_by_the_client": candidate.full_name,
            "email_used_to_recognise_them": candidate.email_normalized or None,
            "phone_used_to_recognise_them": candidate.phone_e164 or None,
            "known_since": _iso(candidate.created_at),
            "last_updated": _iso(candidate.updated_at),
            "erased_at": _iso(candidate.anonymized_at),
        },
        "represented_by": None
        if ownership is None
        else {
            "agency": ownership.agency.name,
            "since": _iso(ownership.started_at),
            "until": _iso(ownership.expires_at),
        },
        "submissions": [submission_data(submission) for submission in submissions],
        "shortlist_placements": [
            {
                "submission": str(by_pk[entry.submission_id].public_id),
                "brief": by_pk[entry.submission_id].brief.title,
                "shortlist_version": entry.shortlist.version,
                "computed_at": _iso(entry.shortlist.computed_at),
                "rank": entry.rank,
                "weighted_score": round(entry.weighted_score, 2),
                "confidence": round(entry.confidence, 2),
                "below_floor": entry.below_floor,
                "reason": entry.reason,
            }
            for entry in placements
        ],
        "decisions": [
            {
                "submission": str(by_pk[decision.submission_id].public_id),
                "brief": by_pk[decision.submission_id].brief.title,
                "decision": decision.get_decision_display(),
                "reason": decision.reason,
                "decided_at": _iso(decision.decided_at),
                "resulting_stage": decision.resulting_stage,
            }
            for decision in decisions
        ],
        "floor_overrides": [
            {
                "submission": str(by_pk[override.submission_id].public_id),
                "reason": override.reason,
                "at": _iso(override.created_at),
            }
            for override in overrides
        ],
        "access_log": [
            {
                "at": _iso(entry.occurred_at),
                "what": _log_label(entry),
                "by": organisation(
                    entry.actor_kind,
                    entry.actor_user_id,
                    entry.actor_ref,
                    _agency_of(entry, submissions, agency_names),
                ),
            }
            for entry in log_entries
        ],
    }


LOG_LABELS: Final = {
    "candidate.pii_viewed": "contact details or resume viewed",
    "candidate.erased": "personal data erased",
    "submission.created": "submitted",
    "submission.stage_changed": "stage changed",
    "assignment.created": "interviewer assigned",
    "shortlist.floor_overridden": "category floor overridden",
    "shortlist.decision.advance": "advanced from the shortlist",
    "shortlist.decision.reject": "rejected from the shortlist",
}


def _log_label(entry: AuditEntry) -> str:
    details = entry.details if isinstance(entry.details, dict) else {}
    if entry.action == "candidate.pii_viewed":
        purpose = details.get("purpose", "")
        if purpose == "access_request_export":
            return "everything held exported (access request)"
        if purpose == "resume_download":
            return "resume downloaded"
    if entry.action == "candidate.erased":
        reason = ERASURE_REASONS.get(str(details.get("reason")), "")
        return "personal data erased" + (f" ({reason})" if reason else "")
    return LOG_LABELS.get(entry.action, entry.action.replace("_", " ").replace(".", ": "))


def _agency_of(
    entry: AuditEntry, submissions: list[Submission], agency_names: dict[int, str]
) -> str:
    details = entry.details if isinstance(entry.details, dict) else {}
    if details.get("agency") in agency_names:
        return agency_names[details["agency"]]
    if entry.object_type == "submission":
        for submission in submissions:
            if str(submission.public_id) == entry.object_id:
                return submission.agency.name
    return "an agency"
