"""Reads of the scoring app, narrowed to what the actor may see.

Blind scoring: an interviewer sees other interviewers' scorecards for a submission only after
submitting their own. Hiring managers, admins and executives see all submitted scorecards,
unless they are themselves assigned to score the submission: then they score blind too.
Agencies never see scorecards (sharing feedback with agencies is not offered yet).
"""

from django.db.models import OuterRef, QuerySet, Subquery

from hiring.models import InterviewAssignment, RoleBrief, Submission
from scoring.models import AgencyAnalytics, Scorecard, ScorecardStatus, Shortlist, ShortlistEntry
from tenants.roles import SEE_ALL_SCORES
from tenants.selectors import WorkspaceAccess


def scorecards_visible(
    *, access: WorkspaceAccess, user_id: int, submission: Submission
) -> QuerySet[Scorecard]:
    cards = Scorecard.objects.filter(submission=submission).select_related("interviewer")
    if not access.is_client:
        return cards.none()
    own = cards.filter(interviewer_id=user_id)
    # A manager or admin asked to score this submission scores blind like any interviewer.
    if (
        access.role in SEE_ALL_SCORES
        and not InterviewAssignment.objects.filter(
            submission=submission, interviewer_id=user_id
        ).exists()
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
