"""The reminder rules: who is due which reminder now, and what agencies see waiting."""

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.urls import reverse

from hiring.models import BriefShare, BriefStatus, InterviewAssignment, RoleBrief, Submission
from hiring.readiness import brief_readiness_gaps
from hiring.stages import AWAITING_CLIENT_STAGES
from notifications.calendar import (
    brief_is_closing,
    business_days_waiting,
    draft_is_stale,
    feedback_due_at,
)
from notifications.models import ReminderLog
from notifications.reminders.context import (
    RULE_BRIEF_CLOSING,
    RULE_DRAFT_STALE,
    RULE_FEEDBACK_SLA,
    RULE_SCORECARD_OVERDUE,
    ReminderContext,
    reminder_context,
)
from scoring.selectors import assignments_awaiting_scorecard
from tenants.models import (
    AgencyMembership,
    ClientRole,
    Engagement,
    EngagementStatus,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DueReminder:
    rule: str
    object_key: str
    period: str
    recipient_id: int
    title: str
    body: str
    link: str


def _path(name: str, urlconf: str, public_id: object) -> str:
    # Reversed against the app's own URL module (included at the host's root), so links can
    # be built in a worker whatever the host's URL configuration is.
    return reverse(name, urlconf=urlconf, kwargs={"public_id": public_id})


def overdue_assignments(ctx: ReminderContext) -> QuerySet[InterviewAssignment]:
    cutoff = ctx.now - dt.timedelta(hours=ctx.rules.scorecard_overdue_hours)
    return assignments_awaiting_scorecard().filter(due_at__lte=cutoff)


def due_scorecard_reminders(ctx: ReminderContext) -> list[DueReminder]:
    """Interviewers whose scorecard is overdue: first when due_at + N hours has passed, then
    once a day until `scorecard_repeat_limit` reminders in all."""
    members = ctx.member_roles()
    assignments = list(
        overdue_assignments(ctx)
        .filter(interviewer_id__in=list(members))
        .select_related("submission__brief", "submission__candidate")
        .order_by("id")
    )
    if not assignments:
        return []
    keys = [f"assignment:{a.pk}" for a in assignments]
    sent_so_far = dict(
        ReminderLog.objects.filter(rule=RULE_SCORECARD_OVERDUE, object_key__in=keys)
        .values("object_key")
        .annotate(n=Count("id"))
        .values_list("object_key", "n")
    )
    limit = ctx.rules.scorecard_repeat_limit
    due = []
    for assignment, key in zip(assignments, keys, strict=True):
        already = sent_so_far.get(key, 0)
        if already >= limit:
            continue
        submission = assignment.submission
        due.append(
            DueReminder(
                rule=RULE_SCORECARD_OVERDUE,
                object_key=key,
                period=ctx.day_period,
                recipient_id=assignment.interviewer_id,
                title=f"Scorecard overdue: {submission.full_name} for {submission.brief.title}",
                body=(
                    f"Your scorecard was due {ctx.local(assignment.due_at)}. The hiring team "
                    "needs your scores and the evidence behind them before it can compare "
                    f"candidates fairly. Reminder {already + 1} of {limit}."
                ),
                link=_path("scorecard_form", "scoring.urls", submission.public_id),
            )
        )
    return due


def _awaiting_feedback(
    ctx: ReminderContext, *, agency_id: int | None = None
) -> QuerySet[Submission]:
    """Submissions waiting for the client's feedback in an open brief, longest wait first."""
    submissions = Submission.objects.filter(
        stage__in=AWAITING_CLIENT_STAGES, brief__status=BriefStatus.OPEN
    ).select_related("brief", "candidate", "agency")
    if agency_id is not None:
        submissions = submissions.filter(agency_id=agency_id)
    return submissions.order_by("stage_changed_at", "id")


def feedback_overdue_submissions(ctx: ReminderContext) -> list[tuple[Submission, dt.datetime]]:
    """Submissions past the feedback SLA, with the moment each breached it."""
    days = ctx.rules.feedback_sla_business_days
    # N business days span at least N calendar days: the database narrows, Python decides.
    candidates = Submission.objects.filter(
        stage__in=AWAITING_CLIENT_STAGES,
        brief__status=BriefStatus.OPEN,
        stage_changed_at__lte=ctx.now - dt.timedelta(days=days),
    ).select_related("brief", "candidate", "agency")
    overdue = []
    for submission in candidates.order_by("stage_changed_at", "id"):
        breached_at = feedback_due_at(
            submission.stage_changed_at, business_days=days, zone=ctx.zone
        )
        if breached_at <= ctx.now:
            overdue.append((submission, breached_at))
    return overdue


def due_feedback_reminders(ctx: ReminderContext) -> list[DueReminder]:
    """The brief's owner and the hiring managers, once a day per submission past the SLA."""
    overdue = feedback_overdue_submissions(ctx)
    if not overdue:
        return []
    members = ctx.member_roles()
    managers = {uid for uid, role in members.items() if role == ClientRole.HIRING_MANAGER}
    days = ctx.rules.feedback_sla_business_days
    due = []
    for submission, _breached_at in overdue:
        recipients = set(managers)
        if submission.brief.owner_user_id in members:
            recipients.add(submission.brief.owner_user_id)
        stage = submission.get_stage_display().lower()
        waited = business_days_waiting(submission.stage_changed_at, now=ctx.now, zone=ctx.zone)
        for user_id in sorted(recipients):
            due.append(
                DueReminder(
                    rule=RULE_FEEDBACK_SLA,
                    object_key=f"submission:{submission.pk}",
                    period=ctx.day_period,
                    recipient_id=user_id,
                    title=f"Feedback overdue: {submission.full_name} for {submission.brief.title}",
                    body=(
                        f"{submission.agency.name} has been waiting {waited} business days "
                        f"for your feedback (stage: {stage}; your target is {days}). Move the "
                        "candidate on, or reject them with a reason the agency can act on."
                    ),
                    link=_path("submission_detail", "hiring.urls", submission.public_id),
                )
            )
    return due


def due_brief_closing_reminders(ctx: ReminderContext) -> list[DueReminder]:
    """People of every engaged agency that can see an open brief closing within N days, once
    per brief and deadline."""
    last_day = ctx.today + dt.timedelta(days=ctx.rules.brief_closing_days)
    briefs = list(
        RoleBrief.objects.filter(
            status=BriefStatus.OPEN, deadline__gte=ctx.today, deadline__lte=last_day
        )
        .only("id", "public_id", "title", "deadline", "shared_with_all_engaged")
        .order_by("deadline", "id")
    )
    briefs = [
        b
        for b in briefs
        if b.deadline
        and brief_is_closing(b.deadline, today=ctx.today, closing_days=ctx.rules.brief_closing_days)
    ]
    if not briefs:
        return []
    engaged = set(
        Engagement.objects.filter(
            client_id=ctx.client.pk, status=EngagementStatus.ACTIVE, agency__is_active=True
        ).values_list("agency_id", flat=True)
    )
    if not engaged:
        return []
    people: dict[int, list[int]] = defaultdict(list)
    for agency_id, user_id in AgencyMembership.objects.filter(
        agency_id__in=engaged, user__is_active=True
    ).values_list("agency_id", "user_id"):
        people[agency_id].append(user_id)
    shares: dict[int, set[int]] = defaultdict(set)
    for brief_id, agency_id in BriefShare.objects.filter(
        brief_id__in=[b.pk for b in briefs], agency_id__in=engaged
    ).values_list("brief_id", "agency_id"):
        shares[brief_id].add(agency_id)
    due = []
    for brief in briefs:
        assert brief.deadline is not None
        agencies = engaged if brief.shared_with_all_engaged else shares[brief.pk]
        days_left = (brief.deadline - ctx.today).days
        when = "today" if days_left == 0 else f"in {days_left} day{'s' if days_left > 1 else ''}"
        recipients = sorted({uid for agency_id in agencies for uid in people[agency_id]})
        for user_id in recipients:
            due.append(
                DueReminder(
                    rule=RULE_BRIEF_CLOSING,
                    object_key=f"brief:{brief.pk}",
                    period=brief.deadline.isoformat(),
                    recipient_id=user_id,
                    title=f"Brief closing {when}: {brief.title}",
                    body=(
                        f"The client stops taking candidates for this brief on "
                        f"{brief.deadline:%a %d %b %Y}. If you have someone who fits, submit "
                        "them with their proof of production delivery before then."
                    ),
                    link=_path("brief_detail", "hiring.urls", brief.public_id),
                )
            )
    return due


def due_draft_reminders(ctx: ReminderContext) -> list[DueReminder]:
    """Owners of drafts older than N days that are still not ready, once a week."""
    members = ctx.member_roles()
    cutoff = ctx.now - dt.timedelta(days=ctx.rules.draft_stale_days)
    drafts = RoleBrief.objects.filter(
        status=BriefStatus.DRAFT, created_at__lte=cutoff, owner_user_id__in=list(members)
    ).order_by("created_at", "id")
    due = []
    for brief in drafts:
        if not draft_is_stale(brief.created_at, now=ctx.now, stale_days=ctx.rules.draft_stale_days):
            continue
        gaps = brief_readiness_gaps(brief.__dict__)
        if not gaps or brief.owner_user_id is None:
            continue
        missing = "; ".join(gap.message for gap in gaps[:3])
        more = f" (and {len(gaps) - 3} more)" if len(gaps) > 3 else ""
        age = (ctx.now - brief.created_at).days
        due.append(
            DueReminder(
                rule=RULE_DRAFT_STALE,
                object_key=f"brief:{brief.pk}",
                period=ctx.week_period,
                recipient_id=brief.owner_user_id,
                title=f"Draft brief not ready yet: {brief.title}",
                body=(
                    f"You started this brief {age} days ago. Agencies cannot see it until it is "
                    f"ready. Still missing: {missing}{more}."
                ),
                link=_path("brief_detail", "hiring.urls", brief.public_id),
            )
        )
    return due


def reminders_due(ctx: ReminderContext) -> list[DueReminder]:
    """Every reminder the workspace's rules call for now (before de-duplication)."""
    return [
        *due_scorecard_reminders(ctx),
        *due_feedback_reminders(ctx),
        *due_brief_closing_reminders(ctx),
        *due_draft_reminders(ctx),
    ]


# --- what the agency sees: awaiting client ----------------------------------------------------


@dataclass(frozen=True)
class AwaitingClient:
    submission: Submission
    business_days: int
    sla_business_days: int
    past_sla: bool


def submissions_awaiting_client(
    *, agency_id: int, now: dt.datetime | None = None, limit: int = 100
) -> list[AwaitingClient]:
    """The agency's submissions waiting for the client's feedback, longest wait first, with
    the client's feedback target (business days) and whether it has passed."""
    ctx = reminder_context(now=now)
    days = ctx.rules.feedback_sla_business_days
    rows = []
    for submission in _awaiting_feedback(ctx, agency_id=agency_id)[:limit]:
        due_at = feedback_due_at(submission.stage_changed_at, business_days=days, zone=ctx.zone)
        rows.append(
            AwaitingClient(
                submission=submission,
                business_days=business_days_waiting(
                    submission.stage_changed_at, now=ctx.now, zone=ctx.zone
                ),
                sla_business_days=days,
                past_sla=due_at <= ctx.now,
            )
        )
    return rows
