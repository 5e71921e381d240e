"""The home page's "needs you": what each role has to act on, with the link to act, and
nothing outside the person's reach."""

from typing import Any

import pytest
from django_tenants.utils import schema_context

from audit.actors import Actor
from scoring.services.scorecards import assignment_create
from scoring.services.shortlists import shortlist_compute
from tests.test_notifications_events import open_brief, score, submit

pytestmark = pytest.mark.django_db


def sections(acting: Any) -> dict[str, Any]:
    response = acting.http.get("/")
    assert response.status_code == 200
    return {section.key: section for section in response.context["needs"]}


def test_each_role_sees_what_needs_them(tenant_a, as_role):
    manager = as_role(tenant_a, "hiring_manager")
    executive = as_role(tenant_a, "executive")
    interviewer = as_role(tenant_a, "interviewer")
    recruiter = as_role(tenant_a, "recruiter")
    other_recruiter = as_role(tenant_a, "recruiter")
    with schema_context(tenant_a.schema_name):
        brief = open_brief(manager, title="Forecasting engineer", headcount=2)
        ours = submit(brief, recruiter, "Priya Balanced")
        actor = Actor.for_user(manager.user)
        assignment_create(actor=actor, submission=ours, interviewer=interviewer.user)

    scorecards = sections(interviewer)["scorecards"]
    assert scorecards.count == 1
    assert scorecards.items[0].label == "Priya Balanced for Forecasting engineer"
    assert scorecards.items[0].link == f"/submissions/{ours.public_id}/scorecard/"

    mine = sections(manager)
    assert [item.label for item in mine["review"].items] == [
        "Priya Balanced for Forecasting engineer"
    ]
    assert mine["short"].items[0].detail == "1 candidate in play for 2 openings"

    agency = sections(recruiter)
    assert agency["awaiting"].items[0].link == f"/submissions/{ours.public_id}/"
    assert agency["new_briefs"].count == 0  # already submitted to
    other = sections(other_recruiter)
    assert other["awaiting"].count == 0  # never another agency's candidate
    assert [item.label for item in other["new_briefs"].items] == ["Forecasting engineer"]

    # The executive decides once a shortlist exists.
    assert sections(executive)["decide"].count == 0
    with schema_context(tenant_a.schema_name):
        score(ours, interviewer, "44444")
        shortlist_compute(brief=brief)
    decide = sections(executive)["decide"]
    assert decide.items[0].label == "Forecasting engineer"
    assert decide.items[0].link == f"/briefs/{brief.public_id}/shortlist/"
    assert sections(interviewer)["scorecards"].count == 0


def test_a_shortlist_the_person_is_blind_on_is_not_offered_for_decision(tenant_a, as_role):
    manager = as_role(tenant_a, "hiring_manager")
    admin = as_role(tenant_a, "admin")  # decides, and is asked to score too
    interviewer = as_role(tenant_a, "interviewer")
    recruiter = as_role(tenant_a, "recruiter")
    with schema_context(tenant_a.schema_name):
        brief = open_brief(manager, title="Forecasting engineer")
        first, second = (submit(brief, recruiter, name) for name in ("Ana One", "Ben Two"))
        actor = Actor.for_user(manager.user)
        for submission in (first, second):
            assignment_create(actor=actor, submission=submission, interviewer=interviewer.user)
        assignment_create(actor=actor, submission=second, interviewer=admin.user)
        score(first, interviewer, "44444")
        score(second, interviewer, "33333")
        shortlist_compute(brief=brief)
    mine = sections(admin)
    assert mine["decide"].count == 0
    assert mine["scorecards"].items[0].label == "Ben Two for Forecasting engineer"
