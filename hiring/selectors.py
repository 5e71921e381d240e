"""Reads inside a client's schema, always narrowed to what the actor may see.

`access_*_by_id` helpers answer the same NotFoundError for "not yours" and "does not exist".
"""

import uuid
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from audit.errors import NotFoundError
from hiring.models import (
    BriefShare,
    BriefStatus,
    Candidate,
    ImportJob,
    InterviewAssignment,
    RoleBrief,
    StageChange,
    Submission,
)
from tenants.selectors import WorkspaceAccess


def _shared_with(agency_id: int) -> Q:
    return Q(shared_with_all_engaged=True) | Q(
        Exists(BriefShare.objects.filter(brief=OuterRef("pk"), agency_id=agency_id))
    )


def brief_visible_to_agency(brief: RoleBrief, agency_id: int) -> bool:
    if brief.shared_with_all_engaged:
        return True
    return BriefShare.objects.filter(brief=brief, agency_id=agency_id).exists()


def _assigned(access: WorkspaceAccess, **to: Any) -> Exists:
    return Exists(InterviewAssignment.objects.filter(interviewer_id=access.user_id, **to))


def briefs_for(access: WorkspaceAccess) -> QuerySet[RoleBrief]:
    """The client's team sees every brief, an interviewer the briefs of the submissions they
    are asked to score; an agency sees open briefs shared with it."""
    briefs = RoleBrief.objects.all()
    if access.is_interviewer:
        return briefs.filter(_assigned(access, submission__brief=OuterRef("pk")))
    if access.is_client:
        return briefs
    assert access.agency is not None
    return briefs.filter(_shared_with(access.agency.pk), status=BriefStatus.OPEN)


def briefs_with_counts(access: WorkspaceAccess) -> QuerySet[RoleBrief]:
    briefs = briefs_for(access)
    if access.is_interviewer:
        assigned = Q(submissions__assignments__interviewer_id=access.user_id)
        return briefs.annotate(submission_count=Count("submissions", filter=assigned))
    if access.is_client:
        return briefs.annotate(submission_count=Count("submissions"))
    assert access.agency is not None
    return briefs.annotate(
        submission_count=Count("submissions", filter=Q(submissions__agency_id=access.agency.pk))
    )


def _parse_uuid(value: object) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NotFoundError from None


def access_brief_by_id(access: WorkspaceAccess, public_id: object) -> RoleBrief:
    brief = briefs_for(access).filter(public_id=_parse_uuid(public_id)).first()
    if brief is None:
        raise NotFoundError
    return brief


def submissions_for(access: WorkspaceAccess) -> QuerySet[Submission]:
    """The client's team sees all submissions, an interviewer those they are asked to score;
    an agency sees its own only."""
    submissions = Submission.objects.select_related("brief", "candidate", "agency")
    if access.is_interviewer:
        return submissions.filter(_assigned(access, submission=OuterRef("pk")))
    if access.is_client:
        return submissions
    assert access.agency is not None
    return submissions.filter(agency_id=access.agency.pk)


def candidates_for(access: WorkspaceAccess) -> QuerySet[Candidate]:
    """The people behind the submissions within reach (one person, each agency's version on
    its submission)."""
    reachable = submissions_for(access).filter(candidate_id=OuterRef("pk"))
    return Candidate.objects.filter(Exists(reachable.values("pk")))


def access_submission_by_id(access: WorkspaceAccess, public_id: object) -> Submission:
    submission = submissions_for(access).filter(public_id=_parse_uuid(public_id)).first()
    if submission is None:
        raise NotFoundError
    return submission


def access_submission_in_brief(
    access: WorkspaceAccess, *, brief: RoleBrief, public_id: object
) -> Submission:
    """A submission of this brief within the actor's reach; NotFoundError otherwise."""
    submission = (
        submissions_for(access).filter(brief=brief, public_id=_parse_uuid(public_id)).first()
    )
    if submission is None:
        raise NotFoundError
    return submission


def stage_history(submission: Submission) -> QuerySet[StageChange]:
    return StageChange.objects.filter(submission=submission).order_by("occurred_at", "id")


def imports_for_uploader(*, user_id: int) -> QuerySet[ImportJob]:
    return ImportJob.objects.filter(uploaded_by_user_id=user_id)


def access_import_by_id(*, user_id: int, public_id: object) -> ImportJob:
    """One of the person's own imports; anyone else's (or none) raises NotFoundError."""
    job = (
        imports_for_uploader(user_id=user_id)
        .select_related("agency")
        .filter(public_id=_parse_uuid(public_id))
        .first()
    )
    if job is None:
        raise NotFoundError
    return job
