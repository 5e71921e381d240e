"""Notifications from outbox events: who is told what, exactly once, grouped, by email per
preference, and never another agency's candidate or a score still blind to the reader.

Events are written by the real services; the consumer is called as the relay would call it
(`event_notify(event_id=...)`), once per event and then again, as a redelivery would.
"""

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from django_tenants.utils import schema_context

from audit.actors import Actor
from hiring.models import Stage
from hiring.services.briefs import brief_create, brief_open
from hiring.services.submissions import submission_create, submission_move_stage
from notifications.events.run import event_notify
from notifications.kinds import (
    EVENT_ASSIGNMENT_CHANGED,
    EVENT_ASSIGNMENT_NEW,
    EVENT_ASSIGNMENT_REMOVED,
    EVENT_BRIEF_OPENED,
    EVENT_SCORECARD_SUBMITTED,
    EVENT_STAGE_CHANGED,
    EVENT_SUBMISSION_NEW,
)
from notifications.models import Notification
from notifications.reminders.delivery import notification_emails_due
from outbox.models import OutboxEvent
from scoring.services.scorecards import (
    assignment_create,
    assignment_remove,
    assignment_reschedule,
    scorecard_save,
)
from tests.factories import NotificationPreferenceFactory, ReminderSettingsFactory, ready_brief_data

pytestmark = pytest.mark.django_db

PROOF = {
    "proof_shipped_solution": "Shipped a demand forecasting service used by 300 planners.",
    "proof_baseline": "Baseline MAPE was 31% with the spreadsheet method.",
    "proof_improvement": "Brought MAPE to 14% after adding promotions and holidays.",
    "proof_monitoring": "Weekly drift report on feature distributions and error by region.",
    "proof_quality_dip": "A supplier feed broke in week 3; rolled back and added schema checks.",
}


def relay_all(twice: bool = True) -> None:
    """Hand every event to the notifications consumer, as the relay does (and again, as a
    redelivery would)."""
    for event_id in OutboxEvent.objects.order_by("id").values_list("id", flat=True):
        event_notify(event_id=event_id)
        if twice:
            event_notify(event_id=event_id)


def notifications_of(acting: Any) -> list[Notification]:
    return list(Notification.objects.filter(recipient=acting.user).order_by("id"))


def open_brief(manager: Any, **overrides: Any) -> Any:
    actor = Actor.for_user(manager.user)
    brief = brief_create(actor=actor, data=ready_brief_data(**overrides))
    return brief_open(actor=actor, brief=brief)


def submit(brief: Any, recruiter: Any, name: str) -> Any:
    slug = name.lower().replace(" ", ".")
    return submission_create(
        actor=Actor.for_user(recruiter.user, agency_id=recruiter.agency.pk),
        brief=brief,
        agency=recruiter.agency,
        candidate_data={"full_name": name, "email": f"{slug}@mail.example.test"},
        proof=PROOF,
        right_to_represent=True,
        rate_amount=105,
        rate_currency="USD",
    )


def score(submission: Any, interviewer: Any, digits: str, recommendation: str = "yes") -> None:
    data: dict[str, Any] = {"recommendation": recommendation, "summary": "Solid."}
    for code, value in zip("abcde", digits, strict=True):
        data[f"score_{code}"] = int(value)
        data[f"evidence_{code}"] = f"Walked through a concrete case for {code}."
    scorecard_save(
        actor=Actor.for_user(interviewer.user), submission=submission, data=data, submit=True
    )


@pytest.fixture
def team(tenant_a: Any, as_role: Any) -> dict[str, Any]:
    people = {
        "manager": as_role(tenant_a, "hiring_manager"),
        "other_manager": as_role(tenant_a, "hiring_manager"),
        "executive": as_role(tenant_a, "executive"),
        "interviewer": as_role(tenant_a, "interviewer"),
        "colleague": as_role(tenant_a, "interviewer"),
        "recruiter_a": as_role(tenant_a, "recruiter"),
        "recruiter_b": as_role(tenant_a, "recruiter"),
    }
    people["admin_a"] = as_role(tenant_a, "agency_admin", agency=people["recruiter_a"].agency)
    return people


def test_a_new_submission_tells_the_hiring_team_once_and_a_burst_is_one_notification(
    tenant_a, team
):
    with schema_context(tenant_a.schema_name):
        brief = open_brief(team["manager"], title="Forecasting engineer")
        OutboxEvent.objects.all().delete()
        first = submit(brief, team["recruiter_a"], "Priya Balanced")
        relay_all()
        for who in ("manager", "other_manager"):
            (only,) = notifications_of(team[who])
            assert only.kind == EVENT_SUBMISSION_NEW
            assert only.title == "New candidate for Forecasting engineer: Priya Balanced"
            assert only.link == f"/submissions/{first.public_id}/"
        # Interviewers, executives and agencies are not told about new submissions.
        for who in ("interviewer", "executive", "recruiter_a", "recruiter_b"):
            assert notifications_of(team[who]) == []

        # A burst (an import of 50): one notification per person, counting them.
        for index in range(49):
            submit(brief, team["recruiter_a"], f"Imported Person {index}")
        relay_all()
        (grouped,) = notifications_of(team["manager"])
        assert grouped.group_count == 50
        assert grouped.title == "50 new candidates for Forecasting engineer"
        assert grouped.link == f"/submissions/?brief={brief.public_id}"
        assert grouped.body.startswith("Latest: New candidate for Forecasting engineer:")

        # Once read, the group is closed: the next submission starts a new notification.
        Notification.objects.filter(pk=grouped.pk).update(read_at=timezone.now())
        submit(brief, team["recruiter_a"], "Late Arrival")
        relay_all()
        assert [n.group_count for n in notifications_of(team["manager"])] == [50, 1]


def test_assignments_tell_the_interviewer_of_each_change(tenant_a, team):
    with schema_context(tenant_a.schema_name):
        brief = open_brief(team["manager"], title="Forecasting engineer")
        submission = submit(brief, team["recruiter_a"], "Noor Haddad")
        OutboxEvent.objects.all().delete()
        actor = Actor.for_user(team["manager"].user)
        assignment = assignment_create(
            actor=actor, submission=submission, interviewer=team["interviewer"].user
        )
        relay_all()
        (asked,) = notifications_of(team["interviewer"])
        assert (asked.kind, asked.title) == (
            EVENT_ASSIGNMENT_NEW,
            "Please score Noor Haddad for Forecasting engineer",
        )
        assert asked.link == f"/submissions/{submission.public_id}/scorecard/"
        new_due = timezone.now() + dt.timedelta(days=5)
        assignment_reschedule(actor=actor, assignment=assignment, due_at=new_due)
        relay_all()
        assignment_remove(actor=actor, assignment=assignment)
        relay_all()
        kinds = [n.kind for n in notifications_of(team["interviewer"])]
        assert kinds == [EVENT_ASSIGNMENT_NEW, EVENT_ASSIGNMENT_CHANGED, EVENT_ASSIGNMENT_REMOVED]
        assert notifications_of(team["colleague"]) == []
        # A change the interviewer was taken off before it was relayed is not announced:
        # consumers read the current state.
        again = assignment_create(
            actor=actor, submission=submission, interviewer=team["colleague"].user
        )
        assignment_reschedule(actor=actor, assignment=again, due_at=new_due)
        assignment_remove(actor=actor, assignment=again)
        relay_all()
        assert [n.kind for n in notifications_of(team["colleague"])] == [EVENT_ASSIGNMENT_REMOVED]


def test_a_scorecard_tells_the_hiring_team_but_never_a_score_and_nothing_to_a_blind_reader(
    tenant_a, team
):
    with schema_context(tenant_a.schema_name):
        brief = open_brief(team["manager"], title="Forecasting engineer")
        submission = submit(brief, team["recruiter_a"], "Noor Haddad")
        actor = Actor.for_user(team["manager"].user)
        for who in ("interviewer", "other_manager"):  # the other manager must score too
            assignment_create(actor=actor, submission=submission, interviewer=team[who].user)
        OutboxEvent.objects.all().delete()
        score(submission, team["interviewer"], "45354", recommendation="strong_yes")
        relay_all()
        (told,) = notifications_of(team["manager"])
        assert told.kind == EVENT_SCORECARD_SUBMITTED
        assert told.title == (
            f"{team['interviewer'].user.display_name} submitted a scorecard for Noor Haddad"
        )
        assert told.body == "Recommendation: Strong yes."
        # Blind: asked to score the same candidate and not done yet.
        (blind,) = notifications_of(team["other_manager"])
        assert "Strong yes" not in blind.body and "Recommendation" not in blind.body
        assert blind.title == told.title
        assert blind.body.startswith("You are asked to score this candidate too")
        # Its author is not told about their own scorecard; agencies never hear of scores.
        assert notifications_of(team["interviewer"]) == []
        assert notifications_of(team["recruiter_a"]) == []


def test_stage_changes_reach_only_the_submitting_agency_with_its_own_version(tenant_a, team):
    with schema_context(tenant_a.schema_name):
        brief = open_brief(team["manager"], title="Forecasting engineer")
        ours = submit(brief, team["recruiter_a"], "Priya Balanced")
        theirs = submit(brief, team["recruiter_b"], "Marco Steady")
        OutboxEvent.objects.all().delete()
        actor = Actor.for_user(team["manager"].user)
        submission_move_stage(actor=actor, submission=ours, to_stage=Stage.INTERVIEW)
        submission_move_stage(
            actor=actor,
            submission=theirs,
            to_stage=Stage.REJECTED,
            reason="The role needs production MLOps experience.",
        )
        relay_all()
        for who in ("recruiter_a", "admin_a"):
            (moved,) = notifications_of(team[who])
            assert moved.kind == EVENT_STAGE_CHANGED
            assert moved.title == "Priya Balanced moved to interview for Forecasting engineer"
        (rejected,) = notifications_of(team["recruiter_b"])
        assert rejected.title == "Marco Steady was not taken forward for Forecasting engineer"
        assert rejected.body == "The client's reason: The role needs production MLOps experience."
        # Neither agency reads a word about the other's candidate.
        texts_a = " ".join(n.title + n.body for n in notifications_of(team["recruiter_a"]))
        texts_b = " ".join(n.title + n.body for n in notifications_of(team["recruiter_b"]))
        assert "Marco" not in texts_a and "Priya" not in texts_b


def test_a_brief_opened_tells_the_agencies_that_can_see_it_once(tenant_a, team):
    with schema_context(tenant_a.schema_name):
        OutboxEvent.objects.all().delete()
        actor = Actor.for_user(team["manager"].user)
        brief = brief_create(actor=actor, data=ready_brief_data(title="Shared with A only"))
        brief_open(actor=actor, brief=brief, agency_ids=[team["recruiter_a"].agency.pk])
        relay_all()
        for who in ("recruiter_a", "admin_a"):
            (opened,) = notifications_of(team[who])
            assert (opened.kind, opened.title) == (
                EVENT_BRIEF_OPENED,
                "New brief open to you: Shared with A only",
            )
        assert notifications_of(team["recruiter_b"]) == []
        # Shared with B later: B is told, A is not told twice.
        brief_open(
            actor=actor,
            brief=brief,
            agency_ids=[team["recruiter_a"].agency.pk, team["recruiter_b"].agency.pk],
        )
        relay_all()
        assert len(notifications_of(team["recruiter_a"])) == 1
        assert len(notifications_of(team["recruiter_b"])) == 1


def test_emails_follow_preferences_once_the_burst_has_settled(tenant_a, team):
    with schema_context(tenant_a.schema_name):
        ReminderSettingsFactory(quiet_hours_start=0, quiet_hours_end=0)
        NotificationPreferenceFactory(user=team["other_manager"].user, email_updates=False)
        brief = open_brief(team["manager"], title="Forecasting engineer")
        OutboxEvent.objects.all().delete()
        for index in range(3):
            submit(brief, team["recruiter_a"], f"Candidate {index}")
        relay_all()
        mail.outbox.clear()
        # Still settling: nothing goes out yet.
        assert notification_emails_due() == 0
        later = timezone.now() + dt.timedelta(minutes=2)
        assert notification_emails_due(now=later) == 1
        (message,) = mail.outbox
        assert message.to == [team["manager"].user.email]
        assert message.subject == "3 new candidates for Forecasting engineer"
        assert "You receive this update" in message.body
        # Exactly once, and the group is closed by the email.
        assert notification_emails_due(now=later) == 0
        submit(brief, team["recruiter_a"], "After The Email")
        relay_all()
        assert [n.group_count for n in notifications_of(team["manager"])] == [3, 1]
