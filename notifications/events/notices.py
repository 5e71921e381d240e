"""Who hears about an outbox event, and what they are told.

Each builder reads the current state (events carry ids only; consumers may run out of order
and twice) and returns one `Notice` per recipient. What a notice says is limited to what its
recipient may see:

- the client's people hear about candidates as the client sees them; nothing from a
  scorecard reaches a reader who is blind on that submission (`scoring.selectors.blind_readers`);
- an agency's people hear only about their own agency's submissions, in their own agency's
  version of the person, and about briefs opened to their agency;
- an interviewer hears about their own assignments only.

Nothing here quotes a score: a notification says that something happened and links to the
page, which applies the reader's reach and blindness again.
"""

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.urls import reverse

from accounts.models import AgencyInvitation
from hiring.models import (
    BriefShare,
    BriefStatus,
    ImportJob,
    ImportStatus,
    InterviewAssignment,
    RoleBrief,
    Stage,
    StageChange,
    Submission,
)
from notifications.kinds import (
    EVENT_AGENCY_JOINED,
    EVENT_ASSIGNMENT_CHANGED,
    EVENT_ASSIGNMENT_NEW,
    EVENT_ASSIGNMENT_REMOVED,
    EVENT_BRIEF_OPENED,
    EVENT_CONSENT_ANSWERED,
    EVENT_IMPORT_FINISHED,
    EVENT_SCORECARD_SUBMITTED,
    EVENT_STAGE_CHANGED,
    EVENT_SUBMISSION_NEW,
)
from outbox.models import OutboxEvent
from scoring.models import Recommendation, Scorecard, ScorecardStatus
from scoring.selectors import blind_readers
from tenants.models import (
    AgencyMembership,
    AgencyRole,
    ClientMembership,
    ClientRole,
    Engagement,
    EngagementStatus,
    User,
)
from tenants.schema import current_client


@dataclass(frozen=True)
class Notice:
    """One notification for one person. `dedupe_key` makes it exactly once (with the kind and
    the recipient); `group_key` lets a burst of notices of one kind add to one notification,
    whose title then reads `title_many` with the count."""

    recipient_id: int
    kind: str
    dedupe_key: str
    group_key: str
    title: str
    title_many: str
    body: str
    link: str
    # Where a grouped notification of several leads (the single one's link by default).
    link_many: str = ""


STAGE_LABELS = dict(Stage.choices)
RECOMMENDATION_LABELS = dict(Recommendation.choices)


def _path(name: str, urlconf: str, **kwargs: Any) -> str:
    # Reversed against the app's own URL module (included at the host's root), so a worker
    # builds links without knowing the host's URL configuration.
    return reverse(name, urlconf=urlconf, kwargs=kwargs or None)


def _uuid(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


def _hiring_team(brief: RoleBrief) -> set[int]:
    """The brief's owner (if still a member of the client's team) and every hiring manager."""
    members = ClientMembership.objects.filter(client_id=current_client().pk, user__is_active=True)
    return set(
        members.filter(
            Q(role=ClientRole.HIRING_MANAGER)
            | Q(user_id=brief.owner_user_id or 0, role__in=[ClientRole.ADMIN])
        ).values_list("user_id", flat=True)
    )


def _engaged(agency_id: int) -> bool:
    """The agency still works here (active or paused engagement: it may follow its
    submissions)."""
    return Engagement.objects.filter(
        client_id=current_client().pk,
        agency_id=agency_id,
        status__in=[EngagementStatus.ACTIVE, EngagementStatus.PAUSED],
    ).exists()


def _agency_people(agency_id: int, *, submitter_id: int | None) -> set[int]:
    """The agency's admins and the recruiter who submitted (if still a member)."""
    members = AgencyMembership.objects.filter(agency_id=agency_id, user__is_active=True)
    return set(
        members.filter(Q(role=AgencyRole.AGENCY_ADMIN) | Q(user_id=submitter_id or 0)).values_list(
            "user_id", flat=True
        )
    )


def _submission(event: OutboxEvent) -> Submission | None:
    public_id = _uuid(event.payload.get("submission_id"))
    if public_id is None:
        return None
    return Submission.objects.select_related("brief", "agency").filter(public_id=public_id).first()


def _when(moment: dt.datetime) -> str:
    return moment.strftime("%d %b %Y, %H:%M UTC")


# --- builders, one per event type ---------------------------------------------------------------


def submission_created(event: OutboxEvent) -> list[Notice]:
    """A new candidate: the brief's hiring team, grouped per brief (an import of fifty is one
    notification)."""
    submission = _submission(event)
    if submission is None:
        return []
    brief = submission.brief
    link = _path("submission_detail", "hiring.urls", public_id=submission.public_id)
    many_link = _path("submission_list", "hiring.urls") + f"?brief={brief.public_id}"
    return [
        Notice(
            recipient_id=user_id,
            kind=EVENT_SUBMISSION_NEW,
            dedupe_key=f"submission:{submission.pk}",
            group_key=f"{EVENT_SUBMISSION_NEW}:{brief.pk}",
            title=f"New candidate for {brief.title}: {submission.full_name}",
            title_many=f"{{count}} new candidates for {brief.title}",
            body=f"Submitted by {submission.agency.name}. Review the proof and ask "
            "interviewers to score.",
            link=link,
            link_many=many_link,
        )
        for user_id in sorted(_hiring_team(brief))
    ]


def _assignment_notice(event: OutboxEvent, kind: str) -> list[Notice]:
    submission = _submission(event)
    interviewer = _uuid(event.payload.get("interviewer_id"))
    if submission is None or interviewer is None:
        return []
    user = User.objects.filter(public_id=interviewer, is_active=True).first()
    if user is None:
        return []
    brief = submission.brief
    if kind == EVENT_ASSIGNMENT_REMOVED:
        # The assignment is gone: the person is told without a link to a page they lost.
        return [
            Notice(
                recipient_id=user.pk,
                kind=kind,
                dedupe_key=f"event:{event.pk}",
                group_key=f"{kind}:{brief.pk}",
                title=f"You no longer need to score {submission.full_name} for {brief.title}",
                title_many=f"{{count}} candidates of {brief.title} no longer need your scores",
                body="The hiring team took you off this interview.",
                link=_path("queue", "scoring.urls"),
            )
        ]
    assignment = InterviewAssignment.objects.filter(submission=submission, interviewer=user).first()
    if assignment is None:
        return []  # removed since: nothing to ask any more
    due = _when(assignment.due_at)
    if kind == EVENT_ASSIGNMENT_NEW:
        title = f"Please score {submission.full_name} for {brief.title}"
        title_many = f"{{count}} candidates to score for {brief.title}"
        body = f"Your scorecard is due {due}. The interview kit is on the scorecard page."
    else:
        title = f"New due date for scoring {submission.full_name}"
        title_many = f"{{count}} scorecards of {brief.title} have a new due date"
        body = f"Your scorecard is now due {due}."
    return [
        Notice(
            recipient_id=user.pk,
            kind=kind,
            dedupe_key=f"event:{event.pk}",
            group_key=f"{kind}:{brief.pk}",
            title=title,
            title_many=title_many,
            body=body,
            link=_path("scorecard_form", "scoring.urls", public_id=submission.public_id),
        )
    ]


def assignment_created(event: OutboxEvent) -> list[Notice]:
    return _assignment_notice(event, EVENT_ASSIGNMENT_NEW)


def assignment_changed(event: OutboxEvent) -> list[Notice]:
    return _assignment_notice(event, EVENT_ASSIGNMENT_CHANGED)


def assignment_removed(event: OutboxEvent) -> list[Notice]:
    return _assignment_notice(event, EVENT_ASSIGNMENT_REMOVED)


def scorecard_submitted(event: OutboxEvent) -> list[Notice]:
    """A submitted scorecard: the hiring team, except its author. The recommendation is
    named only to readers who are not blind on the submission; nobody is told a score."""
    public_id = _uuid(event.payload.get("scorecard_id"))
    if public_id is None:
        return []
    scorecard = (
        Scorecard.objects.select_related("submission__brief", "interviewer")
        .filter(public_id=public_id, status=ScorecardStatus.SUBMITTED)
        .first()
    )
    if scorecard is None:
        return []
    submission = scorecard.submission
    brief = submission.brief
    recipients = _hiring_team(brief) - {scorecard.interviewer_id}
    blind = blind_readers(submission_id=submission.pk, user_ids=recipients)
    author = scorecard.interviewer.display_name
    recommendation = RECOMMENDATION_LABELS.get(scorecard.recommendation, "")
    notices = []
    for user_id in sorted(recipients):
        if user_id in blind:
            body = (
                "You are asked to score this candidate too: the panel's scorecards open to "
                "you once yours is submitted."
            )
        else:
            body = f"Recommendation: {recommendation}." if recommendation else ""
        notices.append(
            Notice(
                recipient_id=user_id,
                kind=EVENT_SCORECARD_SUBMITTED,
                dedupe_key=f"scorecard:{scorecard.pk}",
                group_key=f"{EVENT_SCORECARD_SUBMITTED}:{brief.pk}",
                title=f"{author} submitted a scorecard for {submission.full_name}",
                title_many=f"{{count}} scorecards submitted for {brief.title}",
                body=body,
                link=_path("submission_scorecards", "scoring.urls", public_id=submission.public_id),
            )
        )
    return notices


def submission_stage_changed(event: OutboxEvent) -> list[Notice]:
    """A stage change, a rejection (with its reason) or a decision: the submitting agency's
    recruiter and admins, about their own submission only. A withdrawal is the agency's own
    act: nobody there needs telling."""
    submission = _submission(event)
    if submission is None or not _engaged(submission.agency_id):
        return []
    stage = event.payload.get("stage") or submission.stage
    if stage == Stage.WITHDRAWN:
        return []
    change = (
        StageChange.objects.filter(submission=submission, to_stage=stage)
        .order_by("-occurred_at", "-id")
        .first()
    )
    brief = submission.brief
    if stage == Stage.REJECTED:
        title = f"{submission.full_name} was not taken forward for {brief.title}"
        body = f"The client's reason: {change.reason}" if change and change.reason else ""
    else:
        title = f"{submission.full_name} moved to {STAGE_LABELS.get(stage, stage).lower()}"
        title += f" for {brief.title}"
        body = ""
    return [
        Notice(
            recipient_id=user_id,
            kind=EVENT_STAGE_CHANGED,
            dedupe_key=f"event:{event.pk}",
            group_key=f"{EVENT_STAGE_CHANGED}:{brief.pk}",
            title=title,
            title_many=f"{{count}} of your candidates moved on for {brief.title}",
            body=body,
            link=_path("submission_detail", "hiring.urls", public_id=submission.public_id),
        )
        for user_id in sorted(
            _agency_people(submission.agency_id, submitter_id=submission.submitted_by_user_id)
        )
    ]


def submission_consent_changed(event: OutboxEvent) -> list[Notice]:
    """The candidate answered the consent link: the submitting agency's recruiter and admins
    (a decline has also withdrawn the submission and released the agency's ownership)."""
    submission = _submission(event)
    consent = event.payload.get("consent")
    if submission is None or consent not in ("confirmed", "declined"):
        return []
    if not _engaged(submission.agency_id):
        return []
    brief = submission.brief
    if consent == "confirmed":
        title = f"{submission.full_name} confirmed your representation for {brief.title}"
        body = "The client can now see their contact details."
    else:
        title = f"{submission.full_name} declined your representation for {brief.title}"
        body = "The submission is withdrawn and the candidate is no longer yours at this client."
    return [
        Notice(
            recipient_id=user_id,
            kind=EVENT_CONSENT_ANSWERED,
            dedupe_key=f"event:{event.pk}",
            group_key=f"{EVENT_CONSENT_ANSWERED}:{brief.pk}",
            title=title,
            title_many=f"{{count}} candidates answered for {brief.title}",
            body=body,
            link=_path("submission_detail", "hiring.urls", public_id=submission.public_id),
        )
        for user_id in sorted(
            _agency_people(submission.agency_id, submitter_id=submission.submitted_by_user_id)
        )
    ]


def brief_opened(event: OutboxEvent) -> list[Notice]:
    """A brief opened (or shared with more agencies): the people of each agency with an
    active engagement that can now see it, once per brief and person."""
    public_id = _uuid(event.aggregate_id)
    if public_id is None:
        return []
    brief = RoleBrief.objects.filter(public_id=public_id, status=BriefStatus.OPEN).first()
    if brief is None:
        return []
    agencies = Engagement.objects.filter(
        client_id=current_client().pk, status=EngagementStatus.ACTIVE, agency__is_active=True
    ).values_list("agency_id", flat=True)
    if not brief.shared_with_all_engaged:
        shared = BriefShare.objects.filter(brief=brief).values_list("agency_id", flat=True)
        agencies = agencies.filter(agency_id__in=list(shared))
    people = AgencyMembership.objects.filter(
        agency_id__in=list(agencies), user__is_active=True
    ).values_list("user_id", flat=True)
    return [
        Notice(
            recipient_id=user_id,
            kind=EVENT_BRIEF_OPENED,
            dedupe_key=f"brief:{brief.pk}",
            group_key=EVENT_BRIEF_OPENED,
            title=f"New brief open to you: {brief.title}",
            title_many="{count} new briefs open to you",
            body=f"{brief.get_track_display()}, "
            f"{brief.headcount} {'person' if brief.headcount == 1 else 'people'}"
            + (f", fill by {brief.deadline:%d %b %Y}" if brief.deadline else "")
            + ".",
            link=_path("brief_detail", "hiring.urls", public_id=brief.public_id),
        )
        for user_id in sorted(set(people))
    ]


def import_finished(event: OutboxEvent) -> list[Notice]:
    """An import ended: its uploader (only they can read the import)."""
    public_id = _uuid(event.aggregate_id)
    job = ImportJob.objects.filter(public_id=public_id).first() if public_id else None
    if job is None or job.uploaded_by_user_id is None:
        return []
    if job.status == ImportStatus.DONE:
        title = f"Import finished: {job.done_rows} imported"
        if job.failed_rows:
            title += f", {job.failed_rows} with problems"
        if job.skipped_rows:
            title += f", {job.skipped_rows} already submitted"
    else:
        title = "Import stopped before the end"
    return [
        Notice(
            recipient_id=job.uploaded_by_user_id,
            kind=EVENT_IMPORT_FINISHED,
            dedupe_key=f"import:{job.pk}",
            group_key="",
            title=title,
            title_many=title,
            body="Open the import to see each row that needs fixing."
            if job.failed_rows or job.status != ImportStatus.DONE
            else "",
            link=_path("detail", "hiring.urls.imports", public_id=job.public_id),
        )
    ]


def agency_invitation_accepted(event: OutboxEvent) -> list[Notice]:
    """A new agency accepted a client admin's invitation: the inviter (while still an admin
    here; otherwise the client's admins) hears that it joined and works for the client now."""
    engagement_id = _uuid(event.payload.get("engagement_id"))
    invitation_id = _uuid(event.payload.get("invitation_id"))
    if engagement_id is None or invitation_id is None:
        return []
    client_id = current_client().pk
    engagement = (
        Engagement.objects.filter(client_id=client_id, public_id=engagement_id)
        .select_related("agency")
        .first()
    )
    invitation = AgencyInvitation.objects.filter(
        client_id=client_id, public_id=invitation_id
    ).first()
    if engagement is None or invitation is None:
        return []
    admins = ClientMembership.objects.filter(
        client_id=client_id, role=ClientRole.ADMIN, user__is_active=True
    ).values_list("user_id", flat=True)
    recipients = set(admins.filter(user_id=invitation.invited_by_id or 0)) or set(admins)
    agency = engagement.agency.name
    return [
        Notice(
            recipient_id=user_id,
            kind=EVENT_AGENCY_JOINED,
            dedupe_key=f"agency_invitation:{invitation.pk}",
            group_key="",
            title=f"{agency} accepted your invitation and works for you now",
            title_many=f"{agency} accepted your invitation and works for you now",
            body=f"Its engagement started with an ownership window of "
            f"{engagement.ownership_window_days} days. Share briefs with it to receive "
            "candidates.",
            link=_path("engagement_detail", "administration.urls", public_id=engagement.public_id),
        )
        for user_id in sorted(recipients)
    ]


BUILDERS: dict[str, Callable[[OutboxEvent], list[Notice]]] = {
    "submission.created": submission_created,
    "submission.stage_changed": submission_stage_changed,
    "submission.consent_changed": submission_consent_changed,
    "assignment.created": assignment_created,
    "assignment.changed": assignment_changed,
    "assignment.removed": assignment_removed,
    "scorecard.submitted": scorecard_submitted,
    "brief.opened": brief_opened,
    "import.finished": import_finished,
    "agency_invitation.accepted": agency_invitation_accepted,
}
NOTIFIED_EVENT_TYPES = tuple(BUILDERS)


def notices_for(event: OutboxEvent) -> list[Notice]:
    builder = BUILDERS.get(event.event_type)
    return builder(event) if builder else []
