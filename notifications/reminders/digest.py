"""The weekly executive digest."""

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, replace

from django.db.models import Count, Max, Q
from django.template.loader import render_to_string

from hiring.models import BriefStatus, Stage, Submission
from notifications.calendar import (
    digest_send_at,
)
from notifications.models import ReminderLog
from notifications.preferences import (
    wants_email,
)
from notifications.reminders.context import (
    EMAIL_DIGEST,
    RULE_EXECUTIVE_DIGEST,
    ReminderContext,
    reminder_context,
)
from notifications.reminders.delivery import (
    notification_emails_flush,
    reminder_send_once,
)
from notifications.reminders.rules import (
    feedback_overdue_submissions,
    overdue_assignments,
)
from scoring.models import Shortlist, ShortlistEntry
from scoring.selectors import blind_brief_ids_by_user
from tenants.models import (
    ClientRole,
    User,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ShortlistChange:
    brief_id: int
    brief_title: str
    new_versions: int
    latest_version: int
    top_candidate: str
    # Blind scoring: the recipient still has to score candidates of this brief.
    ranking_hidden: bool = False


@dataclass(frozen=True)
class PipelineRow:
    brief_title: str
    stages: list[tuple[str, int]]
    total: int


@dataclass(frozen=True)
class DigestContent:
    week: str
    week_start: dt.date
    shortlist_changes: list[ShortlistChange]
    pipeline: list[PipelineRow]
    overdue_scorecards: int
    feedback_overdue: int


def digest_build(ctx: ReminderContext) -> DigestContent:
    """The digest's figures, in a fixed number of queries whatever the workspace's size."""
    since = ctx.now - dt.timedelta(days=7)
    changed = list(
        Shortlist.objects.filter(computed_at__gte=since)
        .values("brief_id", "brief__title")
        .annotate(new_versions=Count("id"), latest=Max("version"))
        .order_by("brief__title", "brief_id")
    )
    tops: dict[int, str] = {}
    if changed:
        latest = Q()
        for row in changed:
            latest |= Q(shortlist__brief_id=row["brief_id"], shortlist__version=row["latest"])
        for entry in ShortlistEntry.objects.filter(latest, rank=1).select_related(
            "shortlist", "submission__candidate"
        ):
            tops[entry.shortlist.brief_id] = entry.submission.full_name
    changes = [
        ShortlistChange(
            brief_id=row["brief_id"],
            brief_title=row["brief__title"],
            new_versions=row["new_versions"],
            latest_version=row["latest"],
            top_candidate=tops.get(row["brief_id"], ""),
        )
        for row in changed
    ]

    counts: dict[tuple[int, str], dict[str, int]] = defaultdict(dict)
    for brief_id, brief_title, stage, n in (
        Submission.objects.filter(brief__status=BriefStatus.OPEN)
        .values("brief_id", "brief__title", "stage")
        .annotate(n=Count("id"))
        .order_by("brief__title", "brief_id")
        .values_list("brief_id", "brief__title", "stage", "n")
    ):
        counts[(brief_id, brief_title)][stage] = n
    labels = dict(Stage.choices)
    pipeline = [
        PipelineRow(
            brief_title=title,
            stages=[(labels[s], by_stage[s]) for s in Stage.values if by_stage.get(s)],
            total=sum(by_stage.values()),
        )
        for (_brief_id, title), by_stage in counts.items()
    ]
    return DigestContent(
        week=ctx.week_period,
        week_start=ctx.today - dt.timedelta(days=ctx.today.weekday()),
        shortlist_changes=changes,
        pipeline=pipeline,
        overdue_scorecards=overdue_assignments(ctx).count(),
        feedback_overdue=len(feedback_overdue_submissions(ctx)),
    )


def _digest_body(
    ctx: ReminderContext, content: DigestContent, *, hidden_briefs: frozenset[int]
) -> str:
    """The digest as one recipient reads it: who ranks first stays out for briefs on which
    the recipient is blind (scoring.selectors)."""
    if hidden_briefs:
        changes = [
            replace(change, top_candidate="", ranking_hidden=True)
            if change.brief_id in hidden_briefs
            else change
            for change in content.shortlist_changes
        ]
        content = replace(content, shortlist_changes=changes)
    return render_to_string(
        "notifications/email/digest_body.txt", {"digest": content, "client": ctx.client}
    ).strip()


def digest_send(*, now: dt.datetime | None = None, force: bool = False) -> int:
    """Send this week's digest to the workspace's executives who keep the digest on, once per
    ISO week, from the configured weekday and hour (client's time zone) on. `force` skips the
    time check (the key still stops a second digest the same week). Returns how many sent."""
    ctx = reminder_context(now=now)
    rules = ctx.rules
    if not force and ctx.local_now < digest_send_at(
        ctx.local_now, weekday=rules.digest_weekday, hour=rules.digest_hour
    ):
        return 0
    executives = [uid for uid, role in ctx.member_roles().items() if role == ClientRole.EXECUTIVE]
    already = set(
        ReminderLog.objects.filter(
            rule=RULE_EXECUTIVE_DIGEST, period=ctx.week_period, recipient_id__in=executives
        ).values_list("recipient_id", flat=True)
    )
    pending = [uid for uid in executives if uid not in already]
    if not pending:
        return 0
    # Digest emails carry an unsubscribe link, so every recipient needs a token.
    ctx.load_preferences(pending, create=True)
    pending = [uid for uid in pending if wants_email(ctx.preferences[uid], email_kind=EMAIL_DIGEST)]
    if not pending:
        return 0
    content = digest_build(ctx)
    title = f"Weekly hiring digest, week of {content.week_start:%d %b %Y}"
    blind = blind_brief_ids_by_user(user_ids=pending)
    bodies: dict[frozenset[int], str] = {}
    users = User.objects.filter(pk__in=pending, is_active=True).in_bulk()
    sent = 0
    for uid in pending:
        user = users.get(uid)
        if user is None:
            continue
        hidden = frozenset(blind.get(uid, ()))
        if hidden not in bodies:
            bodies[hidden] = _digest_body(ctx, content, hidden_briefs=hidden)
        body = bodies[hidden]
        sent += reminder_send_once(
            rule=RULE_EXECUTIVE_DIGEST,
            object_key="workspace",
            period=ctx.week_period,
            recipient=user,
            title=title,
            body=body,
            link="/",
            email_kind=EMAIL_DIGEST,
            context=ctx,
        )
    notification_emails_flush(ctx)
    return sent
