"""Reminder rules, exactly-once delivery, notifications, preferences and unsubscribe.

Time is frozen by passing `now=` into the rules and services (no clock patching). Emails go to
Django's locmem outbox; after-commit emails are run with django_capture_on_commit_callbacks.
"""

import datetime as dt
import re
from collections.abc import Callable, Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from api.models import DeliveryStatus, WebhookDelivery
from audit.models import AuditEntry
from hiring.models import BriefStatus, Stage
from notifications.calendar import (
    add_business_days,
    brief_is_closing,
    business_days_waiting,
    digest_send_at,
    draft_is_stale,
    feedback_due_at,
    is_quiet_hour,
    iso_week,
    scorecard_is_overdue,
)
from notifications.context_processors import notifications as notifications_context
from notifications.models import Notification, ReminderLog, ReminderSettings
from notifications.preferences import (
    PREFERENCES_PATH,
    UNSUBSCRIBE_PATH,
    notification_preference_get_or_create,
)
from notifications.reminders.context import (
    RULE_BRIEF_CLOSING,
    RULE_DRAFT_STALE,
    RULE_EXECUTIVE_DIGEST,
    RULE_FEEDBACK_SLA,
    RULE_SCORECARD_OVERDUE,
    reminder_context,
)
from notifications.reminders.delivery import notification_emails_flush, reminder_send_once
from notifications.reminders.digest import digest_send
from notifications.reminders.run import reminders_send_due
from outbox.models import OutboxEvent
from outbox.retention import outbox_published_purge
from tenants.models import Client, EngagementStatus, NotificationPreference
from tests.conftest import host_of, http_client
from tests.factories import (
    AgencyFactory,
    AgencyMembershipFactory,
    BriefShareFactory,
    CandidateFactory,
    ClientMembershipFactory,
    EngagementFactory,
    InterviewAssignmentFactory,
    NotificationFactory,
    NotificationPreferenceFactory,
    ReminderSettingsFactory,
    RoleBriefFactory,
    ScorecardFactory,
    ShortlistEntryFactory,
    ShortlistFactory,
    SubmissionFactory,
    UserFactory,
    WebhookDeliveryFactory,
    WebhookSubscriptionFactory,
    ready_brief_data,
)
from tests.query_counts import assert_same_query_count, captured_sql

pytestmark = pytest.mark.django_db

UTC = dt.UTC
BERLIN = ZoneInfo("Europe/Berlin")
# Wednesday 12 June 2024, 10:00 UTC (12:00 in Berlin): inside working hours everywhere we test.
WEDNESDAY = dt.datetime(2024, 6, 12, 10, 0, tzinfo=UTC)


# --- helpers ----------------------------------------------------------------------------------


@pytest.fixture
def alpha(tenant_a: Client, in_tenant: Callable[[Client], Any]) -> Iterator[Client]:
    """Run the test body inside tenant A's schema."""
    with in_tenant(tenant_a):
        yield tenant_a
    connection.set_schema_to_public()


def set_timezone(client: Client, name: str) -> None:
    Client.objects.filter(pk=client.pk).update(timezone=name)


def rules(**values: int) -> ReminderSettings:
    return ReminderSettingsFactory(**values)


def member(client: Client, role: str) -> Any:
    user = UserFactory()
    ClientMembershipFactory(user=user, client=client, role=role)
    return user


def engaged_agency(client: Client, *, status: str = EngagementStatus.ACTIVE) -> Any:
    agency = AgencyFactory()
    EngagementFactory(client=client, agency=agency, status=status)
    return agency


def overdue_assignment(client: Client, *, hours_past_due: float, now: dt.datetime = WEDNESDAY):
    interviewer = member(client, "interviewer")
    agency = engaged_agency(client)
    return InterviewAssignmentFactory(
        submission__agency=agency,
        interviewer=interviewer,
        due_at=now - dt.timedelta(hours=hours_past_due),
    )


def run(now: dt.datetime, capture: Any) -> Any:
    """One reminders run with its after-commit emails executed."""
    with capture(execute=True):
        return reminders_send_due(now=now)


def notifications_of(user: Any, rule: str | None = None) -> list[Notification]:
    rows = Notification.objects.filter(recipient=user)
    if rule:
        rows = rows.filter(kind=rule)
    return list(rows.order_by("id"))


def mails_to(user: Any) -> list[Any]:
    return [m for m in mail.outbox if user.email in m.to]


# --- pure time rules ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hour", "start", "end", "quiet"),
    [
        (21, 20, 7, True),
        (0, 20, 7, True),
        (6, 20, 7, True),
        (7, 20, 7, False),
        (19, 20, 7, False),
        (13, 12, 14, True),
        (14, 12, 14, False),
        (11, 12, 14, False),
        (3, 9, 9, False),
    ],
)
def test_quiet_hours_wrap_midnight_and_equal_bounds_mean_none(hour, start, end, quiet):
    assert is_quiet_hour(hour, start=start, end=end) is quiet


def test_business_days_skip_the_weekend():
    friday = dt.datetime(2024, 6, 7, 10, 0, tzinfo=BERLIN)
    assert add_business_days(friday, 3) == dt.datetime(2024, 6, 12, 10, 0, tzinfo=BERLIN)
    saturday = dt.datetime(2024, 6, 8, 15, 0, tzinfo=BERLIN)
    # From the weekend, counting starts with the whole of Monday.
    assert add_business_days(saturday, 1) == dt.datetime(2024, 6, 11, 0, 0, tzinfo=BERLIN)


def test_a_friday_submission_is_not_late_on_monday_with_three_business_days():
    changed = dt.datetime(2024, 6, 7, 10, 0, tzinfo=BERLIN)  # Friday
    due = feedback_due_at(changed, business_days=3, zone=BERLIN)
    monday_evening = dt.datetime(2024, 6, 10, 18, 0, tzinfo=BERLIN)
    assert monday_evening < due
    assert business_days_waiting(changed, now=monday_evening, zone=BERLIN) == 1
    assert dt.datetime(2024, 6, 12, 9, 59, tzinfo=BERLIN) < due
    assert dt.datetime(2024, 6, 12, 10, 1, tzinfo=BERLIN) > due


def test_business_days_waiting_is_the_count_add_business_days_defines():
    import random

    rng = random.Random(7)
    start = dt.datetime(2024, 3, 1, 0, 0, tzinfo=BERLIN)  # across a DST change
    for _ in range(300):
        changed = start + dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 40))
        now = changed + dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 30))
        expected = 0
        while add_business_days(changed, expected + 1) <= now:
            expected += 1
        assert business_days_waiting(changed, now=now, zone=BERLIN) == expected
    # Long waits are counted in full (about 261 business days a year).
    long_ago = dt.datetime(2022, 6, 6, 9, 0, tzinfo=BERLIN)  # a Monday
    waited = business_days_waiting(long_ago, now=long_ago + dt.timedelta(days=728), zone=BERLIN)
    assert waited == 520


def test_business_days_follow_the_clients_time_zone():
    # Friday 23:30 UTC is already Saturday in Berlin: Berlin's count starts on Monday.
    changed = dt.datetime(2024, 6, 7, 23, 30, tzinfo=UTC)
    in_utc = feedback_due_at(changed, business_days=1, zone=ZoneInfo("UTC"))
    in_berlin = feedback_due_at(changed, business_days=1, zone=BERLIN)
    assert in_utc == dt.datetime(2024, 6, 10, 23, 30, tzinfo=UTC)
    assert in_berlin == dt.datetime(2024, 6, 11, 0, 0, tzinfo=BERLIN)
    assert in_berlin.astimezone(UTC) == dt.datetime(2024, 6, 10, 22, 0, tzinfo=UTC)


def test_other_time_rules():
    assert scorecard_is_overdue(WEDNESDAY - dt.timedelta(hours=48), now=WEDNESDAY, overdue_hours=48)
    assert not scorecard_is_overdue(
        WEDNESDAY - dt.timedelta(hours=47), now=WEDNESDAY, overdue_hours=48
    )
    today = dt.date(2024, 6, 12)
    assert brief_is_closing(today, today=today, closing_days=3)
    assert brief_is_closing(dt.date(2024, 6, 15), today=today, closing_days=3)
    assert not brief_is_closing(dt.date(2024, 6, 16), today=today, closing_days=3)
    assert not brief_is_closing(dt.date(2024, 6, 11), today=today, closing_days=3)
    assert draft_is_stale(WEDNESDAY - dt.timedelta(days=7), now=WEDNESDAY, stale_days=7)
    assert not draft_is_stale(WEDNESDAY - dt.timedelta(days=6), now=WEDNESDAY, stale_days=7)
    local = WEDNESDAY.astimezone(BERLIN)
    assert digest_send_at(local, weekday=0, hour=8) == dt.datetime(2024, 6, 10, 8, tzinfo=BERLIN)
    assert iso_week(dt.date(2024, 12, 30)) == "2025-W01"


# --- scorecard overdue ----------------------------------------------------------------------


def test_scorecard_reminder_once_per_day_up_to_the_limit(
    alpha, django_capture_on_commit_callbacks, mailoutbox
):
    assignment = overdue_assignment(alpha, hours_past_due=49)
    interviewer = assignment.interviewer

    first = run(WEDNESDAY, django_capture_on_commit_callbacks)
    again = run(WEDNESDAY + dt.timedelta(hours=3), django_capture_on_commit_callbacks)
    assert (first.sent, again.sent) == (1, 0)
    [notification] = notifications_of(interviewer, RULE_SCORECARD_OVERDUE)
    assert notification.link == f"/submissions/{assignment.submission.public_id}/scorecard/"
    assert "Reminder 1 of 3" in notification.body
    [email] = mails_to(interviewer)
    assert f"https://{host_of(alpha)}{notification.link}" in email.body
    assert "List-Unsubscribe" not in email.extra_headers

    for day in (1, 2, 3, 4):
        run(WEDNESDAY + dt.timedelta(days=day), django_capture_on_commit_callbacks)
    assert len(notifications_of(interviewer, RULE_SCORECARD_OVERDUE)) == 3
    assert len(mails_to(interviewer)) == 3
    assert ReminderLog.objects.filter(object_key=f"assignment:{assignment.pk}").count() == 3


def test_scorecard_reminder_waits_for_the_grace_period_and_skips_done_work(
    alpha, django_capture_on_commit_callbacks
):
    rules(scorecard_overdue_hours=24)
    not_yet = overdue_assignment(alpha, hours_past_due=23)
    submitted = overdue_assignment(alpha, hours_past_due=30)
    ScorecardFactory(
        submission=submitted.submission, interviewer=submitted.interviewer, status="submitted"
    )
    closed = overdue_assignment(alpha, hours_past_due=30)
    closed.submission.stage = Stage.REJECTED
    closed.submission.save(update_fields=["stage"])
    draft_only = overdue_assignment(alpha, hours_past_due=25)
    ScorecardFactory(submission=draft_only.submission, interviewer=draft_only.interviewer)

    assert run(WEDNESDAY, django_capture_on_commit_callbacks).sent == 1
    assert notifications_of(draft_only.interviewer)
    for skipped in (not_yet, submitted, closed):
        assert not notifications_of(skipped.interviewer)


def test_no_reminder_for_someone_no_longer_a_member(alpha, django_capture_on_commit_callbacks):
    assignment = overdue_assignment(alpha, hours_past_due=72)
    assignment.interviewer.client_memberships.all().delete()
    assert run(WEDNESDAY, django_capture_on_commit_callbacks).sent == 0


def test_a_run_needs_the_same_queries_for_1_and_20_reminders(
    alpha, django_capture_on_commit_callbacks, mailoutbox
):
    def queries_of_a_run(now: dt.datetime) -> list[str]:
        with captured_sql() as statements:
            run(now, django_capture_on_commit_callbacks)
        return statements

    overdue_assignment(alpha, hours_past_due=72)
    one = queries_of_a_run(WEDNESDAY)
    for _ in range(19):
        overdue_assignment(alpha, hours_past_due=72)
    # The next day: the first assignment is due again, with 19 new ones.
    twenty = queries_of_a_run(WEDNESDAY + dt.timedelta(days=1))
    assert len(mailoutbox) == 1 + 20
    assert_same_query_count(
        one, twenty, label="reminders run", few_rows="1 reminder", many_rows="20 reminders"
    )


# --- exactly once -----------------------------------------------------------------------------


def test_reminder_send_once_sends_once(alpha, django_capture_on_commit_callbacks, mailoutbox):
    user = member(alpha, "interviewer")
    arguments = {
        "rule": RULE_SCORECARD_OVERDUE,
        "object_key": "assignment:1",
        "period": "2024-06-12",
        "recipient": user,
        "title": "Scorecard overdue",
        "body": "Please score.",
        "link": "/scorecards/",
        "email_kind": "reminder",
        "now": WEDNESDAY,
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert reminder_send_once(**arguments) is True
        assert reminder_send_once(**arguments) is False
    assert len(notifications_of(user)) == 1
    assert len(mailoutbox) == 1
    assert Notification.objects.get(recipient=user).emailed_at is not None


# --- feedback SLA ----------------------------------------------------------------------------


def test_feedback_sla_counts_business_days_in_the_clients_zone(
    alpha, django_capture_on_commit_callbacks, mailoutbox
):
    set_timezone(alpha, "Europe/Berlin")
    owner = member(alpha, "admin")
    manager = member(alpha, "hiring_manager")
    interviewer = member(alpha, "interviewer")
    agency = engaged_agency(alpha)
    brief = RoleBriefFactory(owner_user_id=owner.pk)
    friday = dt.datetime(2024, 6, 7, 10, 0, tzinfo=BERLIN)
    waiting = SubmissionFactory(brief=brief, agency=agency, stage_changed_at=friday)
    SubmissionFactory(  # moved on: the client has given feedback
        brief=brief, agency=agency, stage=Stage.INTERVIEW, stage_changed_at=friday
    )
    SubmissionFactory(  # brief on hold: nobody is chased
        brief=RoleBriefFactory(status=BriefStatus.ON_HOLD, owner_user_id=owner.pk),
        agency=agency,
        stage_changed_at=friday,
    )

    monday = dt.datetime(2024, 6, 10, 16, 0, tzinfo=BERLIN)
    assert run(monday, django_capture_on_commit_callbacks).sent == 0
    wednesday_early = dt.datetime(2024, 6, 12, 9, 30, tzinfo=BERLIN)
    assert run(wednesday_early, django_capture_on_commit_callbacks).sent == 0

    wednesday = dt.datetime(2024, 6, 12, 10, 30, tzinfo=BERLIN)
    assert run(wednesday, django_capture_on_commit_callbacks).sent == 2
    assert run(wednesday + dt.timedelta(hours=2), django_capture_on_commit_callbacks).sent == 0
    for person in (owner, manager):
        [notification] = notifications_of(person, RULE_FEEDBACK_SLA)
        assert notification.link == f"/submissions/{waiting.public_id}/"
        assert "3 business days" in notification.body
    assert not notifications_of(interviewer)
    assert len(mailoutbox) == 2
    # The next day it is still late: one more reminder each.
    assert run(wednesday + dt.timedelta(days=1), django_capture_on_commit_callbacks).sent == 2


# --- brief closing -------------------------------------------------------------------------------


def test_brief_closing_reaches_the_agencies_that_can_see_it(
    alpha, django_capture_on_commit_callbacks
):
    everyone_agency = engaged_agency(alpha)
    chosen_agency = engaged_agency(alpha)
    paused_agency = engaged_agency(alpha, status=EngagementStatus.PAUSED)
    people = {
        agency.pk: [AgencyMembershipFactory(agency=agency).user for _ in range(2)]
        for agency in (everyone_agency, chosen_agency, paused_agency)
    }
    today = WEDNESDAY.date()
    for_all = RoleBriefFactory(deadline=today + dt.timedelta(days=2), shared_with_all_engaged=True)
    for_one = RoleBriefFactory(deadline=today + dt.timedelta(days=3), shared_with_all_engaged=False)
    BriefShareFactory(brief=for_one, agency=chosen_agency)
    RoleBriefFactory(deadline=today + dt.timedelta(days=10))  # far away
    RoleBriefFactory(deadline=today + dt.timedelta(days=1), status=BriefStatus.DRAFT)

    assert run(WEDNESDAY, django_capture_on_commit_callbacks).sent == 2 + 2 + 2
    assert run(WEDNESDAY + dt.timedelta(days=1), django_capture_on_commit_callbacks).sent == 0
    for user in people[everyone_agency.pk]:
        assert [n.title for n in notifications_of(user, RULE_BRIEF_CLOSING)] == [
            f"Brief closing in 2 days: {for_all.title}"
        ]
    for user in people[chosen_agency.pk]:
        assert len(notifications_of(user, RULE_BRIEF_CLOSING)) == 2
    for user in people[paused_agency.pk]:
        assert not notifications_of(user)
    # A new deadline is a new period: the agencies hear about it again.
    for_all.deadline = today + dt.timedelta(days=3)
    for_all.save(update_fields=["deadline"])
    assert run(WEDNESDAY + dt.timedelta(days=1), django_capture_on_commit_callbacks).sent == 4


# --- draft not ready -----------------------------------------------------------------------------


def test_stale_unready_draft_reminds_its_owner_weekly(alpha, django_capture_on_commit_callbacks):
    owner = member(alpha, "hiring_manager")
    created = WEDNESDAY - dt.timedelta(days=8)
    stale = RoleBriefFactory(status=BriefStatus.DRAFT, owner_user_id=owner.pk, created_at=created)
    RoleBriefFactory(  # ready: the owner only has to open it
        status=BriefStatus.DRAFT, owner_user_id=owner.pk, created_at=created, **ready_brief_data()
    )
    RoleBriefFactory(  # young
        status=BriefStatus.DRAFT, owner_user_id=owner.pk, created_at=WEDNESDAY
    )

    assert run(WEDNESDAY, django_capture_on_commit_callbacks).sent == 1
    [notification] = notifications_of(owner, RULE_DRAFT_STALE)
    assert stale.title in notification.title
    assert "Still missing" in notification.body
    # Later the same ISO week: nothing. The next week: the stale draft again, and the young
    # one, now old enough too.
    assert run(WEDNESDAY + dt.timedelta(days=2), django_capture_on_commit_callbacks).sent == 0
    assert run(WEDNESDAY + dt.timedelta(days=7), django_capture_on_commit_callbacks).sent == 2
    assert len(notifications_of(owner, RULE_DRAFT_STALE)) == 3


# --- quiet hours and held emails --------------------------------------------------------------


def test_no_reminders_are_made_in_the_clients_quiet_hours(
    alpha, django_capture_on_commit_callbacks, mailoutbox
):
    set_timezone(alpha, "America/New_York")
    assignment = overdue_assignment(alpha, hours_past_due=72)
    # 02:00 UTC is 22:00 in New York: quiet there.
    night = dt.datetime(2024, 6, 12, 2, 0, tzinfo=UTC)
    assert run(night, django_capture_on_commit_callbacks).quiet is True
    assert not notifications_of(assignment.interviewer)
    # 23:00 UTC is 19:00 in New York: quiet in UTC, but not for this client.
    evening = dt.datetime(2024, 6, 12, 23, 0, tzinfo=UTC)
    result = run(evening, django_capture_on_commit_callbacks)
    assert (result.quiet, result.sent) == (False, 1)
    assert len(mailoutbox) == 1


def test_an_email_due_in_quiet_hours_is_held_until_they_end(
    alpha, django_capture_on_commit_callbacks, mailoutbox
):
    user = member(alpha, "interviewer")
    night = dt.datetime(2024, 6, 12, 22, 0, tzinfo=UTC)
    with django_capture_on_commit_callbacks(execute=True):
        reminder_send_once(
            rule=RULE_SCORECARD_OVERDUE,
            object_key="assignment:9",
            period="2024-06-12",
            recipient=user,
            title="Scorecard overdue",
            body="",
            link="",
            email_kind="reminder",
            now=night,
        )
    assert len(notifications_of(user)) == 1
    assert mailoutbox == []
    assert notification_emails_flush(reminder_context(now=night + dt.timedelta(hours=2))) == 0
    morning = dt.datetime(2024, 6, 13, 7, 5, tzinfo=UTC)
    assert notification_emails_flush(reminder_context(now=morning)) == 1
    assert notification_emails_flush(reminder_context(now=morning)) == 0
    assert len(mailoutbox) == 1


def test_a_failed_email_is_retried_by_the_next_run(
    alpha, django_capture_on_commit_callbacks, mailoutbox, monkeypatch
):
    assignment = overdue_assignment(alpha, hours_past_due=72)

    def refuse(self: Any, *args: Any, **kwargs: Any) -> int:
        raise ConnectionRefusedError("SMTP server down")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    assert run(WEDNESDAY, django_capture_on_commit_callbacks).sent == 1
    [notification] = notifications_of(assignment.interviewer)
    assert notification.emailed_at is None
    monkeypatch.undo()
    later = run(WEDNESDAY + dt.timedelta(hours=1), django_capture_on_commit_callbacks)
    assert (later.sent, later.emailed_held) == (0, 1)
    assert len(mailoutbox) == 1


def test_a_notification_read_in_the_app_is_not_emailed_later(
    alpha, django_capture_on_commit_callbacks, mailoutbox
):
    user = member(alpha, "interviewer")
    night = dt.datetime(2024, 6, 12, 23, 0, tzinfo=UTC)
    with django_capture_on_commit_callbacks(execute=True):
        reminder_send_once(
            rule=RULE_DRAFT_STALE,
            object_key="brief:1",
            period="2024-W24",
            recipient=user,
            title="Draft brief not ready yet",
            body="",
            link="",
            email_kind="reminder",
            now=night,
        )
    Notification.objects.filter(recipient=user).update(read_at=night)
    assert notification_emails_flush(reminder_context(now=night + dt.timedelta(hours=9))) == 0
    assert mailoutbox == []


# --- preferences -----------------------------------------------------------------------------


def test_reminder_email_off_keeps_the_in_app_notification(
    alpha, django_capture_on_commit_callbacks, mailoutbox
):
    assignment = overdue_assignment(alpha, hours_past_due=72)
    preference = notification_preference_get_or_create(user=assignment.interviewer)
    preference.email_reminders = False
    preference.save()
    assert run(WEDNESDAY, django_capture_on_commit_callbacks).sent == 1
    assert len(notifications_of(assignment.interviewer)) == 1
    assert mailoutbox == []


def test_preference_tokens_are_random_and_kept():
    user = UserFactory()
    first = notification_preference_get_or_create(user=user)
    assert len(first.unsubscribe_token) >= 40
    assert notification_preference_get_or_create(user=user).unsubscribe_token == (
        first.unsubscribe_token
    )
    other = notification_preference_get_or_create(user=UserFactory())
    assert other.unsubscribe_token != first.unsubscribe_token


# --- weekly executive digest -------------------------------------------------------------------


def _digest_workspace(client: Client) -> dict[str, Any]:
    executive = member(client, "executive")
    quiet_executive = member(client, "executive")
    NotificationPreferenceFactory(user=quiet_executive, email_digest=False)
    manager = member(client, "hiring_manager")
    agency = engaged_agency(client)
    brief = RoleBriefFactory(title="Forecasting engineer")
    leader = SubmissionFactory(
        brief=brief, agency=agency, candidate=CandidateFactory(full_name="Ada Leader")
    )
    SubmissionFactory(brief=brief, agency=agency, stage=Stage.INTERVIEW)
    SubmissionFactory(brief=RoleBriefFactory(status=BriefStatus.CLOSED), agency=agency)
    for version in (1, 2):
        shortlist = ShortlistFactory(
            brief=brief, version=version, computed_at=WEDNESDAY - dt.timedelta(days=version)
        )
    ShortlistEntryFactory(
        shortlist=shortlist,
        submission=leader,
        rank=1,
        weighted_score=4.2,
        balanced_score=4.0,
        confidence=0.8,
        scorecard_count=2,
        reason="Strong across all five categories.",
    )
    return {"executive": executive, "quiet": quiet_executive, "manager": manager}


def test_weekly_digest_goes_to_executives_with_an_unsubscribe_link(
    alpha, django_capture_on_commit_callbacks, mailoutbox
):
    people = _digest_workspace(alpha)
    overdue_assignment(alpha, hours_past_due=72)

    monday_early = dt.datetime(2024, 6, 10, 7, 30, tzinfo=UTC)
    assert digest_send(now=monday_early) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert digest_send(now=WEDNESDAY) == 1
        assert digest_send(now=WEDNESDAY + dt.timedelta(hours=5)) == 0

    [notification] = notifications_of(people["executive"], RULE_EXECUTIVE_DIGEST)
    assert "Forecasting engineer: 2 new versions, now version 2; ranked first: Ada Leader" in (
        notification.body
    )
    assert "Forecasting engineer: 2 candidates (submitted 1, interview 1)" in notification.body
    assert "Scorecards past their due time: 1" in notification.body
    assert not notifications_of(people["quiet"])
    assert not notifications_of(people["manager"])

    [email] = mailoutbox
    token = NotificationPreference.objects.get(user=people["executive"]).unsubscribe_token
    link = f"https://{host_of(alpha)}/accounts/unsubscribe/{token}/"
    assert email.extra_headers["List-Unsubscribe"] == f"<{link}>"
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in email.body
    # Next week, another digest.
    with django_capture_on_commit_callbacks(execute=True):
        assert digest_send(now=WEDNESDAY + dt.timedelta(days=7)) == 1


def test_digest_hour_is_the_clients_local_hour(alpha, django_capture_on_commit_callbacks):
    set_timezone(alpha, "Asia/Tokyo")
    _digest_workspace(alpha)
    # Monday 00:30 UTC is 09:30 in Tokyo: past the 08:00 digest there.
    with django_capture_on_commit_callbacks(execute=True):
        assert digest_send(now=dt.datetime(2024, 6, 10, 0, 30, tzinfo=UTC)) == 1
    assert ReminderLog.objects.get(rule=RULE_EXECUTIVE_DIGEST).period == "2024-W24"


# --- outbox retention ---------------------------------------------------------------------


def test_outbox_cleanup_deletes_old_published_events_in_batches(alpha):
    old = WEDNESDAY - dt.timedelta(days=31)

    def event(published_at: dt.datetime | None) -> OutboxEvent:
        return OutboxEvent.objects.create(
            event_type="test.cleanup",
            aggregate_type="test",
            aggregate_id="1",
            published_at=published_at,
        )

    old_events = [event(old) for _ in range(5)]
    recent = event(WEDNESDAY - dt.timedelta(days=29))
    unpublished = event(None)
    retrying = event(old)
    delivered = old_events[0]
    subscription = WebhookSubscriptionFactory()
    WebhookDeliveryFactory(subscription=subscription, event=retrying, status=DeliveryStatus.FAILED)
    WebhookDeliveryFactory(
        subscription=subscription, event=delivered, status=DeliveryStatus.DELIVERED
    )

    assert outbox_published_purge(now=WEDNESDAY, batch_size=2, max_batches=1) == 2
    assert outbox_published_purge(now=WEDNESDAY, batch_size=2) == 3
    remaining = set(OutboxEvent.objects.values_list("id", flat=True))
    assert remaining == {recent.pk, unpublished.pk, retrying.pk}
    assert WebhookDelivery.objects.filter(event=retrying).exists()
    assert outbox_published_purge(now=WEDNESDAY) == 0


# --- pages: notifications -------------------------------------------------------------------


def notify(user: Any, title: str = "Scorecard overdue", **fields: Any) -> Notification:
    return NotificationFactory(recipient=user, kind=RULE_SCORECARD_OVERDUE, title=title, **fields)


def test_notification_list_shows_only_mine_with_the_unread_count(tenant_a, as_role, in_tenant):
    me = as_role(tenant_a, "interviewer")
    other = as_role(tenant_a, "interviewer")
    with in_tenant(tenant_a):
        notify(me.user, "Mine, unread")
        notify(me.user, "Mine, read", read_at=timezone.now())
        notify(other.user, "Someone else's")
    response = me.http.get(reverse("notifications:list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Mine, unread" in page and "Mine, read" in page
    assert "Someone else&#x27;s" not in page
    assert response.context["unread_count"] == 1
    assert "1 unread" in page


def test_mark_read_works_on_own_notifications_only(tenant_a, as_role, in_tenant):
    me = as_role(tenant_a, "hiring_manager")
    other = as_role(tenant_a, "hiring_manager")
    with in_tenant(tenant_a):
        mine = notify(me.user, link="/briefs/")
        theirs = notify(other.user)
    response = me.http.post(reverse("notifications:read", args=[mine.public_id]), {"next": "/x/"})
    assert response.status_code == 302 and response["Location"] == "/x/"
    assert me.http.post(reverse("notifications:read", args=[theirs.public_id])).status_code == 404
    unknown = "00000000-0000-4000-8000-000000000000"
    assert me.http.post(reverse("notifications:read", args=[unknown])).status_code == 404
    # Only POST changes state; another site's address is not followed.
    assert me.http.get(reverse("notifications:read", args=[mine.public_id])).status_code == 405
    evil = me.http.post(
        reverse("notifications:read", args=[mine.public_id]), {"next": "https://evil.test/"}
    )
    assert evil["Location"] == reverse("notifications:list")
    with in_tenant(tenant_a):
        mine.refresh_from_db()
        theirs.refresh_from_db()
    assert mine.read_at is not None
    assert theirs.read_at is None


def test_mark_all_read_leaves_other_peoples_alone(tenant_a, as_role, in_tenant):
    me = as_role(tenant_a, "executive")
    other = as_role(tenant_a, "executive")
    with in_tenant(tenant_a):
        for _ in range(3):
            notify(me.user)
        notify(other.user)
    assert me.http.post(reverse("notifications:read_all")).status_code == 302
    with in_tenant(tenant_a):
        assert not Notification.objects.filter(recipient=me.user, read_at__isnull=True).exists()
        assert Notification.objects.filter(recipient=other.user, read_at__isnull=True).count() == 1


def test_notifications_are_per_workspace(tenant_a, tenant_b, as_role, in_tenant):
    person = as_role(tenant_a, "interviewer")
    as_role(tenant_b, "interviewer", user=person.user)
    with in_tenant(tenant_b):
        notify(person.user, "From beta")
    response = person.http.get(reverse("notifications:list"))
    assert "From beta" not in response.content.decode()
    # A stranger to the workspace gets the same 404 as a missing page.
    stranger = http_client(tenant=tenant_a, user=UserFactory())
    assert stranger.get(reverse("notifications:list")).status_code == 404


def test_agency_sees_its_candidates_awaiting_client_feedback(tenant_a, as_role, in_tenant):
    recruiter = as_role(tenant_a, "recruiter")
    rival = engaged_agency(tenant_a)
    long_ago = timezone.now() - dt.timedelta(days=30)
    with in_tenant(tenant_a):
        brief = RoleBriefFactory()
        SubmissionFactory(
            brief=brief,
            agency=recruiter.agency,
            candidate=CandidateFactory(full_name="Grace Waiting"),
            stage_changed_at=long_ago,
        )
        SubmissionFactory(
            brief=brief, agency=rival, candidate=CandidateFactory(full_name="Rival Person")
        )
    page = recruiter.http.get(reverse("notifications:list")).content.decode()
    assert "Grace Waiting" in page
    assert "Past the client's target" in page
    assert "Rival Person" not in page


def test_context_processor_counts_unread_for_members_only(tenant_a, as_role, in_tenant, rf):
    me = as_role(tenant_a, "interviewer")
    with in_tenant(tenant_a):
        notify(me.user)
        notify(me.user, read_at=timezone.now())
        request = rf.get("/")
        request.user = me.user
        request.workspace_access = object()
        assert notifications_context(request) == {"unread_notifications": 1}
    public = rf.get("/")
    public.user = me.user
    public.workspace_access = None
    assert notifications_context(public) == {"unread_notifications": 0}


# --- pages: reminder settings -----------------------------------------------------------------


def settings_form(**overrides: Any) -> dict[str, Any]:
    data = {
        "timezone": "Europe/Berlin",
        "scorecard_overdue_hours": "24",
        "scorecard_repeat_limit": "2",
        "feedback_sla_business_days": "5",
        "brief_closing_days": "4",
        "draft_stale_days": "10",
        "digest_weekday": "4",
        "digest_hour": "9",
        "quiet_hours_start": "19",
        "quiet_hours_end": "8",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("role", ["hiring_manager", "interviewer", "executive", "recruiter"])
def test_reminder_settings_are_for_admins_only(tenant_a, as_role, role):
    person = as_role(tenant_a, role)
    assert person.http.get(reverse("notifications:settings")).status_code == 404
    assert person.http.post(reverse("notifications:settings"), settings_form()).status_code == 404


def test_admin_saves_reminder_settings(tenant_a, as_role, in_tenant):
    admin = as_role(tenant_a, "admin")
    page = admin.http.get(reverse("notifications:settings"))
    assert page.status_code == 200
    assert page.context["form"].initial["scorecard_overdue_hours"] == 48
    response = admin.http.post(reverse("notifications:settings"), settings_form())
    assert response.status_code == 302
    with in_tenant(tenant_a):
        [saved] = ReminderSettings.objects.all()
        audit = AuditEntry.objects.get(action="reminder_settings.updated")
    assert (saved.scorecard_overdue_hours, saved.digest_weekday, saved.quiet_hours_end) == (
        24,
        4,
        8,
    )
    assert Client.objects.get(pk=tenant_a.pk).timezone == "Europe/Berlin"
    assert "timezone" in audit.details["changed"]
    # Saving again updates the one row.
    admin.http.post(reverse("notifications:settings"), settings_form(scorecard_overdue_hours="12"))
    with in_tenant(tenant_a):
        assert ReminderSettings.objects.get().scorecard_overdue_hours == 12


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"scorecard_overdue_hours": "0"}, "scorecard_overdue_hours", "greater than or equal"),
        ({"scorecard_repeat_limit": "50"}, "scorecard_repeat_limit", "less than or equal"),
        ({"feedback_sla_business_days": "soon"}, "feedback_sla_business_days", "whole number"),
        ({"timezone": "Mars/Olympus"}, "timezone", "valid choice"),
        ({"digest_hour": "22"}, "digest_hour", "falls within your quiet hours"),
    ],
)
def test_bad_reminder_settings_are_refused(tenant_a, as_role, in_tenant, overrides, field, message):
    admin = as_role(tenant_a, "admin")
    response = admin.http.post(reverse("notifications:settings"), settings_form(**overrides))
    assert response.status_code == 400
    assert any(message in error for error in response.context["form"].errors[field])
    with in_tenant(tenant_a):
        assert not ReminderSettings.objects.exists()
    assert Client.objects.get(pk=tenant_a.pk).timezone == "UTC"


# --- pages: preferences and unsubscribe -------------------------------------------------------


def test_preferences_page_saves_and_audits(tenant_a, as_role, in_tenant):
    person = as_role(tenant_a, "recruiter")
    page = person.http.get(reverse("notifications:preferences"))
    assert page.status_code == 200
    assert page.context["form"].initial == {
        "email_reminders": True,
        "email_digest": True,
        "email_updates": True,
    }
    response = person.http.post(
        reverse("notifications:preferences"), {"email_digest": "on", "email_updates": "on"}
    )
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=person.user)
    assert (preference.email_reminders, preference.email_digest, preference.email_updates) == (
        False,
        True,
        True,
    )
    with in_tenant(tenant_a):
        audit = AuditEntry.objects.get(action="notification_preference.updated")
    assert audit.details == {"email_reminders": False}


def test_unsubscribe_asks_first_then_unsubscribes_without_signing_in(tenant_a, in_tenant):
    user = UserFactory()
    token = notification_preference_get_or_create(user=user).unsubscribe_token
    anonymous = HttpClient(HTTP_HOST=host_of(tenant_a), enforce_csrf_checks=True)
    url = reverse("unsubscribe", args=[token])

    shown = anonymous.get(url)
    assert shown.status_code == 200
    assert re.search(r"<form method=\"post\">", shown.content.decode())
    assert NotificationPreference.objects.get(user=user).email_digest is True

    # One-click unsubscribe from a mail client: a POST without our CSRF cookie.
    done = anonymous.post(url, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert "You are unsubscribed" in done.content.decode()
    preference = NotificationPreference.objects.get(user=user)
    assert (preference.email_digest, preference.email_reminders) == (False, True)
    assert "Already unsubscribed" in anonymous.get(url).content.decode()
    with in_tenant(tenant_a):
        assert AuditEntry.objects.filter(action="notification_preference.unsubscribed").count() == 1
    anonymous.post(url)
    with in_tenant(tenant_a):
        assert AuditEntry.objects.filter(action="notification_preference.unsubscribed").count() == 1


def test_unknown_unsubscribe_token_is_404(tenant_a):
    anonymous = HttpClient(HTTP_HOST=host_of(tenant_a))
    url = reverse("unsubscribe", args=["not-a-real-token"])
    assert anonymous.get(url).status_code == 404
    assert anonymous.post(url).status_code == 404


def test_email_paths_match_the_routes():
    assert reverse("notifications:preferences") == PREFERENCES_PATH
    assert reverse("unsubscribe", args=["abc"]) == UNSUBSCRIBE_PATH.format(token="abc")


def test_member_pages_need_sign_in(tenant_a):
    anonymous = HttpClient(HTTP_HOST=host_of(tenant_a))
    for name in ("notifications:list", "notifications:preferences", "notifications:settings"):
        response = anonymous.get(reverse(name))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
