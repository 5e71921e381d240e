"""Reads of the scoring app, narrowed to what the actor may see.

Blind scoring, decided here for every reader (pages, charts, exports, notifications): a person
asked to score a submission that is still open for scoring, who has not submitted their own
scorecard for it, is *blind* on it: nothing derived from the other interviewers' scores of
that submission reaches them (their scorecards, category means, the shortlist's ranking and
reasons, agency averages that include them). `blind_submission_ids` is the one rule.

Beyond blindness: an interviewer sees other interviewers' scorecards for a submission only
after submitting their own. Hiring managers, admins and executives see all submitted
scorecards where they are not blind. Agencies never see scorecards. Partner API keys are not
people: nobody is blind through them.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet, Subquery

from audit.errors import NotFoundError
from hiring.models import InterviewAssignment, RoleBrief, Submission
from hiring.stages import OPEN_FOR_SCORING
from scoring.kits import TRACKS, standard_questions
from scoring.models import (
    AgencyAnalytics,
    InterviewKitVersion,
    Scorecard,
    ScorecardStatus,
    ScoringSettings,
    Shortlist,
    ShortlistEntry,
    VendorReview,
)
from tenants.models import User
from tenants.roles import REVIEW_AGENCIES, SEE_ALL_SCORES
from tenants.selectors import WorkspaceAccess


def assignments_awaiting_scorecard() -> QuerySet[InterviewAssignment]:
    """Assignments whose interviewer has not submitted a scorecard while the submission is
    open for scoring: the interviewer is blind on it, and it may be overdue."""
    submitted = Scorecard.objects.filter(
        submission_id=OuterRef("submission_id"),
        interviewer_id=OuterRef("interviewer_id"),
        status=ScorecardStatus.SUBMITTED,
    )
    return InterviewAssignment.objects.filter(submission__stage__in=OPEN_FOR_SCORING).exclude(
        Exists(submitted)
    )


def blind_assignments(*, user_id: int | None) -> QuerySet[InterviewAssignment]:
    """The person's assignments on which they are blind: the submission is open for scoring
    and their own scorecard is not submitted."""
    if user_id is None:
        return InterviewAssignment.objects.none()
    return assignments_awaiting_scorecard().filter(interviewer_id=user_id)


def blind_submission_ids(
    *, user_id: int | None, submission_ids: Iterable[int] | None = None
) -> set[int]:
    """Ids of the submissions (among `submission_ids`, or all) the person is blind on: the
    one rule every reader of scores applies. One query."""
    assignments = blind_assignments(user_id=user_id)
    if submission_ids is not None:
        assignments = assignments.filter(submission_id__in=list(submission_ids))
    return set(assignments.values_list("submission_id", flat=True))


def blind_readers(*, submission_id: int, user_ids: Iterable[int]) -> set[int]:
    """Of these people, the ones blind on the submission (the same rule as
    `blind_submission_ids`, for many readers at once: one query). Notifications about a
    submission's scorecards use it to leave out what a blind reader may not see."""
    ids = list(user_ids)
    if not ids:
        return set()
    submitted = Scorecard.objects.filter(
        submission_id=OuterRef("submission_id"),
        interviewer_id=OuterRef("interviewer_id"),
        status=ScorecardStatus.SUBMITTED,
    )
    return set(
        InterviewAssignment.objects.filter(
            interviewer_id__in=ids,
            submission_id=submission_id,
            submission__stage__in=OPEN_FOR_SCORING,
        )
        .exclude(Exists(submitted))
        .values_list("interviewer_id", flat=True)
    )


def blind_brief_ids(*, user_id: int | None) -> set[int]:
    """Briefs with at least one submission the person is blind on: their shortlist (ranking,
    means, reasons) stays closed to the person until those scorecards are in."""
    return set(blind_assignments(user_id=user_id).values_list("submission__brief_id", flat=True))


def blind_brief_ids_by_user(*, user_ids: Iterable[int]) -> dict[int, set[int]]:
    """`blind_brief_ids` for many people at once (one query): person id -> brief ids."""
    ids = list(user_ids)
    result: dict[int, set[int]] = {}
    if not ids:
        return result
    for user_id, brief_id in (
        assignments_awaiting_scorecard()
        .filter(interviewer_id__in=ids)
        .values_list("interviewer_id", "submission__brief_id")
    ):
        result.setdefault(user_id, set()).add(brief_id)
    return result


def scorecards_visible(
    *, access: WorkspaceAccess, user_id: int, submission: Submission
) -> QuerySet[Scorecard]:
    cards = Scorecard.objects.filter(submission=submission).select_related("interviewer")
    if not access.is_client:
        return cards.none()
    own = cards.filter(interviewer_id=user_id)
    if access.role in SEE_ALL_SCORES and not blind_submission_ids(
        user_id=user_id, submission_ids=[submission.pk]
    ):
        return (cards.filter(status=ScorecardStatus.SUBMITTED) | own).distinct()
    own_submitted = own.filter(status=ScorecardStatus.SUBMITTED).exists()
    if own_submitted:
        return cards.filter(status=ScorecardStatus.SUBMITTED)
    return own


def own_scorecard(*, user_id: int, submission: Submission) -> Scorecard | None:
    return Scorecard.objects.filter(submission=submission, interviewer_id=user_id).first()


def assignments_for_interviewer(*, user_id: int) -> QuerySet[InterviewAssignment]:
    return (
        InterviewAssignment.objects.filter(interviewer_id=user_id)
        .select_related("submission__brief", "submission__candidate")
        .order_by("due_at")
    )


def latest_shortlist(*, brief: RoleBrief) -> Shortlist | None:
    return Shortlist.objects.filter(brief=brief).order_by("-version").first()


def shortlist_entries(*, shortlist: Shortlist) -> QuerySet[ShortlistEntry]:
    return (
        ShortlistEntry.objects.filter(shortlist=shortlist)
        .select_related("submission__candidate", "submission__agency")
        .order_by("rank")
    )


def shortlist_entries_uncalibrated(*, shortlist: Shortlist) -> QuerySet[ShortlistEntry]:
    """The snapshot's entries in the order the same rules give without calibration."""
    return shortlist_entries(shortlist=shortlist).order_by("uncalibrated_rank", "rank")


@dataclass(frozen=True)
class InterviewerHabitRow:
    """One interviewer's estimated habits on a shortlist, ready for the page."""

    user_id: int
    name: str
    leniency: float
    scale: float
    scale_estimated: bool
    scorecards: int
    compared_scores: int
    group: int
    workspace_leniency: float | None
    summary: str


@dataclass(frozen=True)
class ShortlistCalibration:
    """The calibration behind a snapshot: who scored how, and on what evidence."""

    interviewers: list[InterviewerHabitRow]
    groups: int
    workspace_evidence: bool
    panel_mean: float | None


def shortlist_calibration(*, shortlist: Shortlist) -> ShortlistCalibration:
    """Per interviewer the leniency and scale the snapshot was calibrated with, the evidence
    behind them and the sentence the page shows ("Scores about 0.6 above the panel, from 14
    compared scores."). Names come from one query; a deleted account reads "A former user".
    Shown only where the reader sees all scores (SEE_ALL_SCORES), like the shortlist itself.
    """
    document: dict[str, Any] = shortlist.calibration or {}
    rows = document.get("interviewers", [])
    ids = {row["interviewer_id"] for row in rows}
    names = {user.pk: user.display_name for user in User.objects.filter(pk__in=ids)}
    return ShortlistCalibration(
        interviewers=[
            InterviewerHabitRow(
                user_id=row["interviewer_id"],
                name=names.get(row["interviewer_id"], "A former user"),
                leniency=row["leniency"],
                scale=row["scale"],
                scale_estimated=row["scale_estimated"],
                scorecards=row["scorecards"],
                compared_scores=row["compared_scores"],
                group=row["group"],
                workspace_leniency=row["workspace_leniency"],
                summary=row["summary"],
            )
            for row in rows
        ],
        groups=document.get("groups", 0),
        workspace_evidence=document.get("workspace_evidence", False),
        panel_mean=document.get("panel_mean"),
    )


def scoring_settings_get() -> ScoringSettings:
    """The workspace's scoring settings, or the defaults (unsaved) until an admin saves them."""
    return ScoringSettings.objects.order_by("id").first() or ScoringSettings()


def agency_analytics_for(access: WorkspaceAccess) -> QuerySet[AgencyAnalytics]:
    """Clients see every agency's figures; an agency sees only its own."""
    rows = AgencyAnalytics.objects.select_related("agency").order_by("agency__name")
    if access.is_client:
        return rows
    assert access.agency is not None
    return rows.filter(agency_id=access.agency.pk)


def assignments_with_own_scorecard(
    assignments: QuerySet[InterviewAssignment],
) -> QuerySet[InterviewAssignment]:
    """Each assignment with its interviewer's scorecard status, in the same query."""
    card = Scorecard.objects.filter(
        submission_id=OuterRef("submission_id"), interviewer_id=OuterRef("interviewer_id")
    )
    return assignments.annotate(
        card_status=Subquery(card.values("status")[:1]),
        card_updated_at=Subquery(card.values("updated_at")[:1]),
        card_submitted_at=Subquery(card.values("submitted_at")[:1]),
    )


# --- interview kits ------------------------------------------------------------------------


def kit_current(*, track: str) -> InterviewKitVersion:
    """The track's kit as a scorecard would use it now: the latest stored version, or (before
    any is stored) the standard kit as an unsaved version 1 with the same questions that
    scoring.services.kits.kit_version_current will store."""
    latest = InterviewKitVersion.objects.filter(track=track).order_by("-version").first()
    if latest is not None:
        return latest
    return InterviewKitVersion(
        track=track, version=1, questions=standard_questions(track), change="The standard kit."
    )


def kits_current() -> list[InterviewKitVersion]:
    """The current kit of every track (one query)."""
    stored: dict[str, InterviewKitVersion] = {}
    for version in InterviewKitVersion.objects.order_by("track", "-version").distinct("track"):
        stored[version.track] = version
    return [stored.get(track) or kit_current(track=track) for track in TRACKS]


def kit_versions(*, track: str) -> QuerySet[InterviewKitVersion]:
    return InterviewKitVersion.objects.filter(track=track).order_by("-version")


def kit_version_by_number(*, track: str, version: int) -> InterviewKitVersion:
    """A version of a track's kit (version 1 is the standard kit even before it is stored)."""
    found = InterviewKitVersion.objects.filter(track=track, version=version).first()
    if found is not None:
        return found
    if version == 1 and track in TRACKS and not kit_versions(track=track).exists():
        return kit_current(track=track)
    raise NotFoundError


# --- vendor scorecards -------------------------------------------------------------------------


def vendor_reviews_for(access: WorkspaceAccess) -> QuerySet[VendorReview]:
    """Reviewers (admins, hiring managers, executives) see every agency's vendor scorecards;
    an agency sees only its own; interviewers none."""
    rows = VendorReview.objects.select_related("agency", "brief", "reviewer")
    if access.is_client:
        return rows if access.role in REVIEW_AGENCIES else rows.none()
    if access.agency is None:
        return rows.none()
    return rows.filter(agency_id=access.agency.pk)


def access_vendor_review_by_id(access: WorkspaceAccess, public_id: object) -> VendorReview:
    try:
        parsed = uuid.UUID(str(public_id))
    except ValueError:
        raise NotFoundError from None
    review = vendor_reviews_for(access).filter(public_id=parsed).first()
    if review is None:
        raise NotFoundError
    return review


@dataclass(frozen=True)
class VendorPoint:
    """One vendor scorecard on the time axis: its date, its five scores and their mean."""

    on: Any  # a date: the period's end, or the day the brief's review was recorded
    scores: dict[str, int]
    overall: float
    label: str


def vendor_review_series(*, agency_ids: Iterable[int]) -> dict[int, list[VendorPoint]]:
    """Per agency, its vendor scorecards oldest first (one query)."""
    series: dict[int, list[VendorPoint]] = {}
    rows = (
        VendorReview.objects.filter(agency_id__in=list(agency_ids))
        .select_related("brief")
        .order_by("created_at", "id")
    )
    for review in rows:
        scores = review.scores()
        on = review.period_end or review.created_at.date()
        label = (
            f"{review.period_start:%d %b %Y} to {review.period_end:%d %b %Y}"
            if review.period_end is not None
            else f"Brief: {review.brief.title if review.brief else ''}"
        )
        series.setdefault(review.agency_id, []).append(
            VendorPoint(on=on, scores=scores, overall=sum(scores.values()) / 5, label=label)
        )
    for points in series.values():
        points.sort(key=lambda point: point.on)
    return series
