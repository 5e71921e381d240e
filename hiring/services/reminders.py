"""Reminder rules of a workspace and their exactly-once delivery.

The rules (defaults in ReminderSettings, edited by client admins on the settings page):

- `scorecard_overdue`: the interviewer, once due_at + N hours has passed and the scorecard is
  not submitted; then daily, at most `scorecard_repeat_limit` in all. Period: local day.
- `feedback_sla`: the brief's owner and the hiring managers, when a submission has stayed in
  submitted/screening for N business days (Mon-Fri, client's time zone). Period: local day.
- `brief_closing`: people of each engaged agency that can see an open brief whose deadline is
  within N days. Period: the deadline date.
- `draft_stale`: the owner of a draft older than N days that is still not ready. Period: ISO
  week.
- `executive_digest`: executives with the digest on, weekly from the configured weekday and
  hour (client's time zone). Period: ISO week.

Exactly once: `reminder_send_once` inserts the ReminderLog row (unique on rule, object,
period, recipient) and the Notification in one transaction and sends the email only after
commit. A rerun, a retried task or two overlapping dispatchers insert the same key: the
database refuses all but the first, so nobody hears the same reminder twice.

Quiet hours (client's time zone): rules are not evaluated during quiet hours at all, so no
reminder is created at night; the first run after quiet hours creates it, keyed by that day.
An email that would be sent during quiet hours anyway (a digest scheduled by a direct call, a
retry) is held: its notification keeps `emailed_at` empty and `notification_emails_flush`
sends it on the first run after quiet hours (within a day; a notification read in the app
meanwhile is not emailed). Emails are claimed before sending (`emailed_at` stamped first), so
two runs never email the same notification twice.
"""

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, partial
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, mailers
from django.db import connection, transaction
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from hiring.actors import Actor
from hiring.audit import audit_record
from hiring.models import (
    BriefShare,
    BriefStatus,
    Notification,
    ReminderLog,
    ReminderSettings,
    RoleBrief,
    Stage,
    Submission,
)
from hiring.readiness import brief_readiness_gaps
from hiring.services.notifications import (
    PREFERENCES_PATH,
    UNSUBSCRIBE_PATH,
    notification_preference_get_or_create,
    notification_preferences_for,
    wants_email,
)
from hiring.services.submissions import AWAITING_CLIENT_STAGES
from scoring.models import (
    InterviewAssignment,
    Scorecard,
    ScorecardStatus,
    Shortlist,
    ShortlistEntry,
)
from scoring.services import OPEN_FOR_SCORING
from tenants.models import (
    AgencyMembership,
    Client,
    ClientMembership,
    ClientRole,
    Domain,
    Engagement,
    EngagementStatus,
    NotificationPreference,
    User,
)
from tenants.schema import current_client, current_schema_name

logger = logging.getLogger(__name__)

RULE_SCORECARD_OVERDUE = "scorecard_overdue"
RULE_FEEDBACK_SLA = "feedback_sla"
RULE_BRIEF_CLOSING = "brief_closing"
RULE_DRAFT_STALE = "draft_stale"
RULE_EXECUTIVE_DIGEST = "executive_digest"

EMAIL_REMINDER = "reminder"
EMAIL_DIGEST = "digest"
# Notification.kind is the rule's name; this says which preference governs its email.
EMAIL_KIND_OF_RULE = {
    RULE_SCORECARD_OVERDUE: EMAIL_REMINDER,
    RULE_FEEDBACK_SLA: EMAIL_REMINDER,
    RULE_BRIEF_CLOSING: EMAIL_REMINDER,
    RULE_DRAFT_STALE: EMAIL_REMINDER,
    RULE_EXECUTIVE_DIGEST: EMAIL_DIGEST,
}

# A held email is still worth sending within this window; older ones are dropped (the
# notification stays in the app).
HELD_EMAIL_WINDOW = dt.timedelta(hours=24)
HELD_EMAIL_BATCH = 500
# Reminders recorded per transaction in a run (each batch: one insert of log rows, one of
# notifications, one claim of emails).
SEND_BATCH_SIZE = 500
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# Field -> (lowest, highest) accepted on the settings page.
SETTING_LIMITS: dict[str, tuple[int, int]] = {
    "scorecard_overdue_hours": (1, 336),
    "scorecard_repeat_limit": (1, 10),
    "feedback_sla_business_days": (1, 20),
    "brief_closing_days": (1, 30),
    "draft_stale_days": (1, 90),
    "digest_weekday": (0, 6),
    "digest_hour": (0, 23),
    "quiet_hours_start": (0, 23),
    "quiet_hours_end": (0, 23),
}


# --- time: pure functions ------------------------------------------------------------------


def zone_for(name: str) -> ZoneInfo:
    """The client's time zone; UTC if the stored name is not a known IANA zone."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@cache
def known_time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def is_quiet_hour(hour: int, *, start: int, end: int) -> bool:
    """Quiet hours run from `start` (inclusive) to `end` (exclusive), possibly across
    midnight (20 -> 7). Equal start and end mean no quiet hours."""
    if start == end:
        return False
    if start < end:
        return start <= hour < end
    return hour >= start or hour < end


def _business_start(moment: dt.datetime) -> dt.datetime:
    """A moment at the weekend counts from the start of the next Monday."""
    local = moment
    while local.weekday() >= 5:
        local = (local + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return local


def add_business_days(moment: dt.datetime, days: int) -> dt.datetime:
    """`moment` (aware, in the client's zone) plus `days` business days (Mon-Fri), at the same
    local time. A moment at the weekend counts from the start of the next Monday, so
    Saturday + 1 business day is the end of Monday."""
    local = _business_start(moment)
    remaining = days
    while remaining > 0:
        local += dt.timedelta(days=1)
        if local.weekday() < 5:
            remaining -= 1
    return local


def feedback_due_at(changed_at: dt.datetime, *, business_days: int, zone: ZoneInfo) -> dt.datetime:
    """When a submission unchanged since `changed_at` breaches the feedback SLA."""
    return add_business_days(changed_at.astimezone(zone), business_days)


def business_days_waiting(changed_at: dt.datetime, *, now: dt.datetime, zone: ZoneInfo) -> int:
    """Whole business days elapsed since `changed_at` (what the agency sees)."""
    # One walk over the calendar: the k-th weekday reached is add_business_days(start, k).
    local = _business_start(changed_at.astimezone(zone))
    waited = 0
    while True:
        local += dt.timedelta(days=1)
        if local > now:
            return waited
        if local.weekday() < 5:
            waited += 1


def scorecard_is_overdue(due_at: dt.datetime, *, now: dt.datetime, overdue_hours: int) -> bool:
    return now >= due_at + dt.timedelta(hours=overdue_hours)


def brief_is_closing(deadline: dt.date, *, today: dt.date, closing_days: int) -> bool:
    """The deadline is today or within the next `closing_days` days (local calendar)."""
    return today <= deadline <= today + dt.timedelta(days=closing_days)


def draft_is_stale(created_at: dt.datetime, *, now: dt.datetime, stale_days: int) -> bool:
    return now - created_at >= dt.timedelta(days=stale_days)


def digest_send_at(local_now: dt.datetime, *, weekday: int, hour: int) -> dt.datetime:
    """This ISO week's sending time of the digest, in the zone of `local_now`. Anything at or
    after it sends (a run missed at the hour catches up later that week)."""
    monday = local_now.date() - dt.timedelta(days=local_now.weekday())
    day = monday + dt.timedelta(days=weekday)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=local_now.tzinfo)


def iso_week(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


# --- the workspace's rules and clock ----------------------------------------------------------


def reminder_settings_get() -> ReminderSettings:
    """The workspace's settings, or the defaults (unsaved) until an admin saves them."""
    return ReminderSettings.objects.order_by("id").first() or ReminderSettings()


def workspace_base_url(client: Client) -> str:
    """Absolute base of the client's host for links in emails (https outside DEBUG)."""
    domains = sorted(Domain.objects.filter(tenant=client), key=lambda d: (not d.is_primary, d.pk))
    host = domains[0].domain if domains else f"{client.slug}.{settings.BASE_DOMAIN}"
    scheme = "http" if settings.DEBUG else "https"
    return f"{scheme}://{host}"


@dataclass
class ReminderContext:
    """Everything a run needs about the workspace, read once."""

    client: Client
    rules: ReminderSettings
    zone: ZoneInfo
    now: dt.datetime
    base_url: str
    # user id -> preferences; None: the person never saved any (every email on).
    preferences: dict[int, NotificationPreference | None] = field(default_factory=dict)
    _member_roles: dict[int, str] | None = None

    @property
    def local_now(self) -> dt.datetime:
        return self.now.astimezone(self.zone)

    @property
    def today(self) -> dt.date:
        return self.local_now.date()

    @property
    def day_period(self) -> str:
        return self.today.isoformat()

    @property
    def week_period(self) -> str:
        return iso_week(self.today)

    @property
    def quiet(self) -> bool:
        return is_quiet_hour(
            self.local_now.hour,
            start=self.rules.quiet_hours_start,
            end=self.rules.quiet_hours_end,
        )

    def member_roles(self) -> dict[int, str]:
        """Active client members: user id -> role (one query, then kept)."""
        if self._member_roles is None:
            self._member_roles = dict(
                ClientMembership.objects.filter(
                    client_id=self.client.pk, user__is_active=True
                ).values_list("user_id", "role")
            )
        return self._member_roles

    def load_preferences(self, user_ids: Iterable[int], *, create: bool = False) -> None:
        """Read (with `create`, make) the preferences of people not read yet, in bulk."""
        missing = {uid for uid in user_ids if self.preferences.get(uid) is None}
        if not create:
            missing = {uid for uid in missing if uid not in self.preferences}
        if missing:
            found = notification_preferences_for(user_ids=missing, create=create)
            self.preferences.update({uid: found.get(uid) for uid in missing})

    def local(self, moment: dt.datetime) -> str:
        return moment.astimezone(self.zone).strftime("%a %d %b %Y, %H:%M %Z")


def reminder_context(*, now: dt.datetime | None = None) -> ReminderContext:
    """The context of the workspace the connection is in."""
    client = current_client()
    return ReminderContext(
        client=client,
        rules=reminder_settings_get(),
        zone=zone_for(client.timezone),
        now=now or timezone.now(),
        base_url=workspace_base_url(client),
    )


def reminder_settings_update(*, actor: Actor, data: dict[str, Any]) -> ReminderSettings:
    """Save the workspace's reminder rules and time zone (client admins).

    `data` holds the fields of SETTING_LIMITS and "timezone". Everything is validated first;
    the digest hour must fall outside quiet hours, or the digest would wait until morning.
    """
    errors: dict[str, str] = {}
    values: dict[str, int] = {}
    for name, (lowest, highest) in SETTING_LIMITS.items():
        raw = data.get(name)
        try:
            number = int(str(raw))
        except (TypeError, ValueError):
            errors[name] = "Enter a whole number."
            continue
        if not lowest <= number <= highest:
            errors[name] = f"Choose a value from {lowest} to {highest}."
            continue
        values[name] = number
    zone_name = str(data.get("timezone") or "").strip()
    if zone_name not in known_time_zones():
        errors["timezone"] = "Choose a time zone from the list, for example Europe/Berlin."
    if not errors and is_quiet_hour(
        values["digest_hour"], start=values["quiet_hours_start"], end=values["quiet_hours_end"]
    ):
        errors["digest_hour"] = (
            f"{values['digest_hour']:02d}:00 falls within your quiet hours "
            f"({values['quiet_hours_start']:02d}:00 to {values['quiet_hours_end']:02d}:00); "
            "choose an hour when people are at work."
        )
    if errors:
        raise ValidationError(errors)

    client = current_client()
    with transaction.atomic():
        # One row per workspace: creating it is serialized so two first saves make one row.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtext(%s))",
                [f"{current_schema_name()}:reminder_settings"],
            )
        current = ReminderSettings.objects.select_for_update().order_by("id").first()
        current = current or ReminderSettings()
        changed = sorted(name for name, value in values.items() if getattr(current, name) != value)
        for name, value in values.items():
            setattr(current, name, value)
        current.updated_at = timezone.now()
        current.save()
        if client.timezone != zone_name:
            client.timezone = zone_name
            # save(), not update(): web processes forget their remembered copy of the client.
            client.save(update_fields=["timezone"])
            changed.append("timezone")
        audit_record(
            actor=actor,
            action="reminder_settings.updated",
            object_type="reminder_settings",
            object_id=current.pk,
            details={"changed": changed},
        )
    return current


# --- rules: who is due a reminder now ------------------------------------------------------


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


def _overdue_assignments(ctx: ReminderContext) -> Any:
    cutoff = ctx.now - dt.timedelta(hours=ctx.rules.scorecard_overdue_hours)
    submitted = Scorecard.objects.filter(
        submission_id=OuterRef("submission_id"),
        interviewer_id=OuterRef("interviewer_id"),
        status=ScorecardStatus.SUBMITTED,
    )
    return InterviewAssignment.objects.filter(
        due_at__lte=cutoff, submission__stage__in=OPEN_FOR_SCORING
    ).exclude(Exists(submitted))


def due_scorecard_reminders(ctx: ReminderContext) -> list[DueReminder]:
    """Interviewers whose scorecard is overdue: first when due_at + N hours has passed, then
    once a day until `scorecard_repeat_limit` reminders in all."""
    members = ctx.member_roles()
    assignments = list(
        _overdue_assignments(ctx)
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
                title=f"Scorecard overdue: {submission.candidate.full_name} for "
                f"{submission.brief.title}",
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
                    title=f"Feedback overdue: {submission.candidate.full_name} for "
                    f"{submission.brief.title}",
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


# --- sending, exactly once -------------------------------------------------------------------


@dataclass(frozen=True)
class _Outgoing:
    reminder: DueReminder
    recipient: User
    email_kind: str

    @property
    def key(self) -> tuple[str, str, str, int]:
        r = self.reminder
        return (r.rule, r.object_key, r.period, self.recipient.pk)


def _reminders_record(
    ctx: ReminderContext, outgoing: list[_Outgoing]
) -> list[tuple[Notification, str]]:
    """In the caller's transaction: insert the ReminderLog rows first, skipping every key that
    is already taken, then the notifications of the rows that went in. Returns those
    notifications with the kind of email each may get.

    A concurrent transaction inserting the same key makes this one wait until it commits and
    then skip the key (ON CONFLICT DO NOTHING on the unique constraint), so of two runs that
    race, exactly one records, notifies and emails."""
    table = connection.ops.quote_name(ReminderLog._meta.db_table)
    values = [(*o.key[:3], o.key[3], ctx.now) for o in outgoing]
    placeholders = ", ".join(["(%s, %s, %s, %s, %s)"] * len(values))
    with connection.cursor() as cursor:
        cursor.execute(
            # Only the table name (from the model) and placeholders are formatted in.
            f"INSERT INTO {table} (rule, object_key, period, recipient_id, sent_at) "  # noqa: S608
            f"VALUES {placeholders} "
            "ON CONFLICT (rule, object_key, period, recipient_id) DO NOTHING "
            "RETURNING rule, object_key, period, recipient_id",
            [value for row in values for value in row],
        )
        inserted = set(cursor.fetchall())
    fresh = [o for o in outgoing if o.key in inserted]
    notifications = Notification.objects.bulk_create(
        [
            Notification(
                recipient=o.recipient,
                kind=o.reminder.rule,
                title=o.reminder.title[:200],
                body=o.reminder.body,
                link=o.reminder.link[:300],
                created_at=ctx.now,
            )
            for o in fresh
        ]
    )
    return [(n, o.email_kind) for n, o in zip(notifications, fresh, strict=True)]


def _reminders_send(ctx: ReminderContext, outgoing: list[_Outgoing]) -> int:
    """Record and notify each reminder once, emails after commit; returns how many were new."""
    unique: dict[tuple[str, str, str, int], _Outgoing] = {}
    for item in outgoing:
        unique.setdefault(item.key, item)
    items = list(unique.values())
    sent = 0
    for start in range(0, len(items), SEND_BATCH_SIZE):
        with transaction.atomic():
            created = _reminders_record(ctx, items[start : start + SEND_BATCH_SIZE])
            if created:
                transaction.on_commit(partial(_emails_after_commit, created=created, ctx=ctx))
        sent += len(created)
    return sent


def reminder_send_once(
    *,
    rule: str,
    object_key: str,
    period: str,
    recipient: User,
    title: str,
    body: str,
    link: str,
    email_kind: str,
    context: ReminderContext | None = None,
    now: dt.datetime | None = None,
) -> bool:
    """Record and deliver one reminder unless its key (rule, object, period, recipient) was
    already used. Returns True when this call sent it.

    The ReminderLog row goes in first, with the Notification, in one transaction; a second
    caller with the same key (a rerun, a retry, an overlapping dispatcher) waits for the first
    to commit and then finds the key taken. The email goes after commit (held during quiet
    hours, skipped when the person's preferences say so).
    """
    ctx = context or reminder_context(now=now)
    reminder = DueReminder(
        rule=rule,
        object_key=object_key,
        period=period,
        recipient_id=recipient.pk,
        title=title,
        body=body,
        link=link,
    )
    ctx.load_preferences([recipient.pk])
    return bool(_reminders_send(ctx, [_Outgoing(reminder, recipient, email_kind)]))


def reminders_deliver(ctx: ReminderContext, due: Iterable[DueReminder]) -> int:
    """Send each due reminder once, in batches (a few queries per batch, not per reminder).
    Returns how many were new."""
    due = list(due)
    if not due:
        return 0
    recipient_ids = {d.recipient_id for d in due}
    users = User.objects.filter(pk__in=recipient_ids, is_active=True).in_bulk()
    ctx.load_preferences(recipient_ids)
    return _reminders_send(
        ctx,
        [
            _Outgoing(d, users[d.recipient_id], EMAIL_KIND_OF_RULE[d.rule])
            for d in due
            if d.recipient_id in users
        ],
    )


def _emails_after_commit(*, created: list[tuple[Notification, str]], ctx: ReminderContext) -> None:
    if ctx.quiet:
        return  # held: notification_emails_flush sends them after quiet hours
    _emails_send(created, ctx)


def _emails_claim(ids: list[int]) -> set[int]:
    """Stamp emailed_at on the notifications that are not emailed (nor read) yet and return
    their ids: whoever stamps a notification is the one who emails it."""
    table = connection.ops.quote_name(Notification._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET emailed_at = %s WHERE id = ANY(%s) "  # noqa: S608
            "AND emailed_at IS NULL AND read_at IS NULL RETURNING id",
            [timezone.now(), ids],
        )
        return {row[0] for row in cursor.fetchall()}


def _emails_send(items: list[tuple[Notification, str]], ctx: ReminderContext) -> int:
    """Email the notifications whose recipients want that kind of email, over one mail
    connection. Each is claimed first; a failed send releases its claim so a later flush
    retries it. Returns how many were sent."""
    ctx.load_preferences({n.recipient_id for n, _ in items})
    wanted = [
        (n, kind)
        for n, kind in items
        if n.recipient.is_active
        and n.recipient.email
        and wants_email(ctx.preferences.get(n.recipient_id), email_kind=kind)
    ]
    if not wanted:
        return 0
    claimed = _emails_claim([n.pk for n, _ in wanted])
    to_send = [(n, kind) for n, kind in wanted if n.pk in claimed]
    sent: set[int] = set()
    try:
        with mailers.default as mailer:
            for notification, kind in to_send:
                message = _email_message(notification=notification, email_kind=kind, ctx=ctx)
                try:
                    mailer.send_messages([message])
                except Exception:
                    logger.warning(
                        "email of notification %s failed; the next run retries",
                        notification.pk,
                        exc_info=True,
                    )
                else:
                    sent.add(notification.pk)
    except Exception:
        logger.warning("the mail server could not be reached; the next run retries", exc_info=True)
    unsent = [n.pk for n, _ in to_send if n.pk not in sent]
    if unsent:
        Notification.objects.filter(pk__in=unsent).update(emailed_at=None)
    return len(sent)


def _email_message(
    *, notification: Notification, email_kind: str, ctx: ReminderContext
) -> EmailMessage:
    recipient = notification.recipient
    link = notification.link
    if link.startswith("/"):
        link = ctx.base_url + link
    headers: dict[str, str] = {}
    unsubscribe_url = ""
    if email_kind == EMAIL_DIGEST:
        preference = ctx.preferences.get(recipient.pk) or notification_preference_get_or_create(
            user=recipient
        )
        unsubscribe_url = ctx.base_url + UNSUBSCRIBE_PATH.format(token=preference.unsubscribe_token)
        # RFC 2369 / RFC 8058: mail clients show an "Unsubscribe" button that POSTs here.
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    body = render_to_string(
        "notifications/email/notification.txt",
        {
            "notification": notification,
            "recipient": recipient,
            "client": ctx.client,
            "link": link,
            "is_digest": email_kind == EMAIL_DIGEST,
            "preferences_url": ctx.base_url + PREFERENCES_PATH,
            "unsubscribe_url": unsubscribe_url,
        },
    )
    return EmailMessage(
        subject=notification.title,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        headers=headers,
    )


def notification_emails_flush(ctx: ReminderContext) -> int:
    """Send the emails that were held (quiet hours) or failed, outside quiet hours, for
    notifications of the last day that are still unread. Returns how many were sent."""
    if ctx.quiet:
        return 0
    held = list(
        Notification.objects.filter(
            emailed_at__isnull=True,
            read_at__isnull=True,
            created_at__gte=ctx.now - HELD_EMAIL_WINDOW,
            kind__in=list(EMAIL_KIND_OF_RULE),
        )
        .select_related("recipient")
        .order_by("id")[:HELD_EMAIL_BATCH]
    )
    if not held:
        return 0
    return _emails_send([(n, EMAIL_KIND_OF_RULE[n.kind]) for n in held], ctx)


@dataclass(frozen=True)
class ReminderRun:
    quiet: bool
    due: int
    sent: int
    emailed_held: int


def reminders_due(ctx: ReminderContext) -> list[DueReminder]:
    """Every reminder the workspace's rules call for now (before de-duplication)."""
    return [
        *due_scorecard_reminders(ctx),
        *due_feedback_reminders(ctx),
        *due_brief_closing_reminders(ctx),
        *due_draft_reminders(ctx),
    ]


def reminders_send_due(*, now: dt.datetime | None = None) -> ReminderRun:
    """Evaluate every rule of the current workspace and send what is due. Safe to run twice
    or concurrently. Does nothing during the workspace's quiet hours."""
    ctx = reminder_context(now=now)
    if ctx.quiet:
        return ReminderRun(quiet=True, due=0, sent=0, emailed_held=0)
    due = reminders_due(ctx)
    sent = reminders_deliver(ctx, due)
    return ReminderRun(
        quiet=False, due=len(due), sent=sent, emailed_held=notification_emails_flush(ctx)
    )


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


# --- the weekly executive digest ---------------------------------------------------------------


@dataclass(frozen=True)
class ShortlistChange:
    brief_title: str
    new_versions: int
    latest_version: int
    top_candidate: str


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
            tops[entry.shortlist.brief_id] = entry.submission.candidate.full_name
    changes = [
        ShortlistChange(
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
        overdue_scorecards=_overdue_assignments(ctx).count(),
        feedback_overdue=len(feedback_overdue_submissions(ctx)),
    )


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
    body = render_to_string(
        "notifications/email/digest_body.txt", {"digest": content, "client": ctx.client}
    ).strip()
    title = f"Weekly hiring digest, week of {content.week_start:%d %b %Y}"
    users = User.objects.filter(pk__in=pending, is_active=True).in_bulk()
    sent = 0
    for uid in pending:
        user = users.get(uid)
        if user is None:
            continue
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


def weekday_choices() -> list[tuple[int, str]]:
    return list(enumerate(WEEKDAYS))
