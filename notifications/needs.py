"""What needs this person now: the "needs you" part of the workspace's home page.

Each section is a few bounded queries (the first items and a count), whatever the size of the
workspace, and lists only what the person may reach and act on, with the link to act:

| who | sections |
|---|---|
| anyone asked to score (interviewer, hiring manager, admin) | scorecards to fill, overdue first |
| hiring managers, admins | submissions awaiting review; briefs short of candidates; closing soon |
| executives, admins | shortlists awaiting a decision (never a brief the person is still blind on) |
| agencies | candidates waiting for the client's feedback; briefs newly open to the agency |
| anyone who uploads | imports whose rows had problems |
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from hiring.models import BriefStatus, ImportStatus, RoleBrief, Stage, Submission
from hiring.selectors import briefs_for, imports_for_uploader, submissions_for
from hiring.stages import AWAITING_CLIENT_STAGES, CLOSED_STAGES, OPEN_FOR_SCORING
from notifications.reminders.rules import submissions_awaiting_client
from pages.paging import first_rows_narrow_first
from scoring.models import ScorecardStatus, Shortlist, ShortlistDecision, ShortlistEntry
from scoring.selectors import (
    assignments_for_interviewer,
    assignments_with_own_scorecard,
    blind_brief_ids,
)
from tenants.roles import BE_ASSIGNED_TO_SCORE, DECIDE_ON_SHORTLISTS, MANAGE_HIRING
from tenants.selectors import WorkspaceAccess

SHOWN = 6
# A brief "has enough candidates" with this many in play (not rejected, withdrawn or hired)
# per opening: agencies' candidates fall away at every stage.
CANDIDATES_PER_OPENING = 3
CLOSING_DAYS = 7
NEW_BRIEF_DAYS = 14
IMPORT_PROBLEM_DAYS = 14
# The top of a shortlist an executive is expected to decide on.
DECISION_TOP = 5
DECIDABLE_STAGES = (Stage.SUBMITTED, Stage.SCREENING, Stage.INTERVIEW, Stage.SHORTLISTED)


@dataclass(frozen=True)
class NeedItem:
    label: str
    link: str
    detail: str = ""
    flag: str = ""  # a short warning ("Overdue", "Past the client's target")


@dataclass
class NeedSection:
    key: str
    title: str
    action: str  # what acting on an item means, for the link's accessible name
    items: list[NeedItem] = field(default_factory=list)
    count: int = 0
    more_link: str = ""
    empty: str = ""


def _days_ago(moment: dt.datetime, now: dt.datetime) -> str:
    days = max((now - moment).days, 0)
    return "today" if days == 0 else f"{days} day{'s' if days != 1 else ''} ago"


def scorecards_to_fill(user_id: int, now: dt.datetime) -> NeedSection:
    open_cards = (
        assignments_with_own_scorecard(assignments_for_interviewer(user_id=user_id))
        .filter(submission__stage__in=OPEN_FOR_SCORING)
        # No scorecard yet (NULL) or a draft.
        .filter(Q(card_status__isnull=True) | Q(card_status=ScorecardStatus.DRAFT))
    )
    section = NeedSection(
        key="scorecards",
        title="Scorecards to fill",
        action="Score",
        count=open_cards.count(),
        more_link=reverse("scoring:queue"),
        empty="No scorecard is waiting for you.",
    )
    for assignment in open_cards.order_by("due_at", "id")[:SHOWN]:
        submission = assignment.submission
        overdue = assignment.due_at < now
        section.items.append(
            NeedItem(
                label=f"{submission.full_name} for {submission.brief.title}",
                link=reverse("scoring:scorecard_form", args=[submission.public_id]),
                detail=f"due {assignment.due_at:%d %b %Y, %H:%M} UTC"
                + (
                    " · draft saved"
                    if getattr(assignment, "card_status", None) == ScorecardStatus.DRAFT
                    else ""
                ),
                flag="Overdue" if overdue else "",
            )
        )
    return section


def submissions_to_review(access: WorkspaceAccess, now: dt.datetime) -> NeedSection:
    waiting = submissions_for(access).filter(
        stage__in=list(AWAITING_CLIENT_STAGES), brief__status=BriefStatus.OPEN
    )
    section = NeedSection(
        key="review",
        title="Submissions awaiting review",
        action="Review",
        count=waiting.count(),
        more_link=reverse("hiring:submission_list") + "?stage=submitted",
        empty="Every submission has been looked at.",
    )
    # Narrow first: thousands may wait, and the sort has no index (docs/performance.md).
    for submission in first_rows_narrow_first(waiting.order_by("stage_changed_at", "id"), SHOWN):
        section.items.append(
            NeedItem(
                label=f"{submission.full_name} for {submission.brief.title}",
                link=reverse("hiring:submission_detail", args=[submission.public_id]),
                detail=f"{submission.agency.name} · {submission.get_stage_display().lower()} "
                f"{_days_ago(submission.stage_changed_at, now)}",
            )
        )
    return section


def briefs_short_of_candidates(access: WorkspaceAccess) -> NeedSection:
    in_play = Count("submissions", filter=~Q(submissions__stage__in=list(CLOSED_STAGES)))
    short = (
        briefs_for(access)
        .filter(status=BriefStatus.OPEN)
        .annotate(in_play=in_play)
        .filter(in_play__lt=CANDIDATES_PER_OPENING * F("headcount"))
    )
    section = NeedSection(
        key="short",
        title="Open briefs without enough candidates",
        action="Open",
        count=short.count(),
        more_link=reverse("hiring:brief_list") + "?status=open",
        empty=f"Every open brief has at least {CANDIDATES_PER_OPENING} candidates in play per "
        "opening.",
    )
    for brief in short.order_by("opened_at", "id")[:SHOWN]:
        openings = f"{brief.headcount} opening{'s' if brief.headcount != 1 else ''}"
        section.items.append(
            NeedItem(
                label=brief.title,
                link=reverse("hiring:brief_detail", args=[brief.public_id]),
                detail=f"{brief.in_play} candidate{'s' if brief.in_play != 1 else ''} in play "
                f"for {openings}",
            )
        )
    return section


def briefs_closing(access: WorkspaceAccess, now: dt.datetime) -> NeedSection:
    today = now.date()
    closing = briefs_for(access).filter(
        status=BriefStatus.OPEN,
        deadline__gte=today,
        deadline__lte=today + dt.timedelta(days=CLOSING_DAYS),
    )
    section = NeedSection(
        key="closing",
        title="Briefs closing this week",
        action="Open",
        count=closing.count(),
        empty="No open brief reaches its fill-by date this week.",
    )
    for brief in closing.order_by("deadline", "id")[:SHOWN]:
        section.items.append(
            NeedItem(
                label=brief.title,
                link=reverse("hiring:brief_detail", args=[brief.public_id]),
                detail=f"fill by {brief.deadline:%d %b %Y}",
            )
        )
    return section


def shortlists_to_decide(access: WorkspaceAccess) -> NeedSection:
    """Open briefs whose latest shortlist has undecided candidates near the top."""
    latest = (
        Shortlist.objects.filter(brief__status=BriefStatus.OPEN)
        .order_by("brief_id", "-version")
        .distinct("brief_id")
        .values("id")
    )
    decided = ShortlistDecision.objects.filter(submission_id=OuterRef("submission_id"))
    blind = blind_brief_ids(user_id=access.user_id)
    rows = list(
        ShortlistEntry.objects.filter(
            shortlist_id__in=latest,
            rank__lte=DECISION_TOP,
            submission__stage__in=DECIDABLE_STAGES,
        )
        .exclude(Exists(decided))
        .exclude(shortlist__brief_id__in=blind)
        .values("shortlist__brief__public_id", "shortlist__brief__title", "shortlist__version")
        .annotate(undecided=Count("id"))
        .order_by("shortlist__brief__title")
    )
    section = NeedSection(
        key="decide",
        title="Shortlists awaiting your decision",
        action="Decide",
        count=len(rows),
        empty="No shortlist is waiting for a decision.",
    )
    for row in rows[:SHOWN]:
        undecided = row["undecided"]
        section.items.append(
            NeedItem(
                label=row["shortlist__brief__title"],
                link=reverse("scoring:brief_shortlist", args=[row["shortlist__brief__public_id"]]),
                detail=f"{undecided} of the top {DECISION_TOP} undecided · version "
                f"{row['shortlist__version']}",
            )
        )
    return section


def awaiting_client(access: WorkspaceAccess) -> NeedSection:
    assert access.agency is not None
    rows = submissions_awaiting_client(agency_id=access.agency.pk, limit=100)
    section = NeedSection(
        key="awaiting",
        title="Your candidates waiting for the client",
        action="Open",
        count=len(rows),
        more_link=reverse("notifications:list"),
        empty="None of your candidates is waiting for this client's feedback.",
    )
    for row in rows[:SHOWN]:
        submission = row.submission
        section.items.append(
            NeedItem(
                label=f"{submission.full_name} for {submission.brief.title}",
                link=reverse("hiring:submission_detail", args=[submission.public_id]),
                detail=f"{row.business_days} business day{'s' if row.business_days != 1 else ''}"
                " waiting",
                flag="Past the client's target" if row.past_sla else "",
            )
        )
    return section


def briefs_newly_open(access: WorkspaceAccess, now: dt.datetime) -> NeedSection:
    assert access.agency is not None
    mine = Submission.objects.filter(brief=OuterRef("pk"), agency_id=access.agency.pk)
    fresh = (
        briefs_for(access)
        .filter(opened_at__gte=now - dt.timedelta(days=NEW_BRIEF_DAYS))
        .exclude(Exists(mine))
    )
    section = NeedSection(
        key="new_briefs",
        title="Briefs newly open to you",
        action="Read",
        count=fresh.count(),
        more_link=reverse("hiring:brief_list"),
        empty="No new brief in the last two weeks that you have not submitted to.",
    )
    for brief in fresh.order_by("-opened_at", "-id")[:SHOWN]:
        assert isinstance(brief, RoleBrief)
        section.items.append(
            NeedItem(
                label=brief.title,
                link=reverse("hiring:brief_detail", args=[brief.public_id]),
                detail=f"{brief.get_track_display()} · opened {_days_ago(brief.opened_at, now)}"
                if brief.opened_at
                else brief.get_track_display(),
            )
        )
    return section


def imports_with_problems(user_id: int, now: dt.datetime) -> NeedSection:
    jobs = imports_for_uploader(user_id=user_id).filter(
        Q(failed_rows__gt=0) | Q(status=ImportStatus.FAILED),
        created_at__gte=now - dt.timedelta(days=IMPORT_PROBLEM_DAYS),
    )
    rows = list(jobs.order_by("-created_at", "-id")[: SHOWN + 1])
    section = NeedSection(
        key="imports",
        title="Imports with problems",
        action="Fix",
        count=len(rows),
        more_link=reverse("imports:list"),
    )
    for job in rows[:SHOWN]:
        section.items.append(
            NeedItem(
                label=f"Import of {job.created_at:%d %b %Y, %H:%M}",
                link=reverse("imports:detail", args=[job.public_id]),
                detail=f"{job.failed_rows} row{'s' if job.failed_rows != 1 else ''} to fix"
                if job.status != ImportStatus.FAILED
                else "stopped before the end",
            )
        )
    return section


def needs_for(access: WorkspaceAccess, *, now: dt.datetime | None = None) -> list[NeedSection]:
    """The sections of the home page for this person, in the order they matter to the role."""
    now = now or timezone.now()
    user_id = access.user_id or 0
    sections: list[NeedSection] = []
    if access.is_agency:
        sections += [awaiting_client(access), briefs_newly_open(access, now)]
    else:
        if access.role in DECIDE_ON_SHORTLISTS:
            sections.append(shortlists_to_decide(access))
        if access.role in BE_ASSIGNED_TO_SCORE:
            sections.append(scorecards_to_fill(user_id, now))
        if access.role in MANAGE_HIRING:
            sections += [
                submissions_to_review(access, now),
                briefs_short_of_candidates(access),
                briefs_closing(access, now),
            ]
    if access.is_agency or access.role in MANAGE_HIRING:
        imports = imports_with_problems(user_id, now)
        if imports.count:
            sections.append(imports)
    return sections
