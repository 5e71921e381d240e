"""Server-rendered hiring pages on a workspace host: briefs, readiness, submissions, resumes.

Every page: the happy path per role, 404 for roles and objects outside the person's reach
(another tenant's, another agency's), bad input re-rendered with nothing written. The list
pages' exact query counts, at 1 and at 100 rows, are in tests/test_query_counts.py.
"""

import datetime as dt
import html
import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from hiring.models import (
    BriefShare,
    BriefStatus,
    Candidate,
    CandidateOwnership,
    RoleBrief,
    Stage,
    StageChange,
    Submission,
)
from hiring.readiness import brief_readiness_gaps
from tenants.models import EngagementStatus
from tenants.services import engagement_set_status
from tests.conftest import host_of
from tests.factories import (
    GENAI_PLAN,
    AgencyFactory,
    BriefShareFactory,
    CandidateFactory,
    EngagementFactory,
    InterviewAssignmentFactory,
    RoleBriefFactory,
    StageChangeFactory,
    SubmissionFactory,
    UserFactory,
    ready_brief_data,
)

pytestmark = pytest.mark.django_db

CLIENT_ROLES = ("admin", "hiring_manager", "interviewer", "executive")
# The client's team: every brief and submission is within their reach (interviewers see only
# what they are asked to score).
TEAM_ROLES = ("admin", "hiring_manager", "executive")
WRITER_ROLES = ("admin", "hiring_manager")
READER_ROLES = ("interviewer", "executive")
AGENCY_ROLES = ("recruiter", "agency_admin")

GOOD_PROOF = {
    "proof_shipped_solution": "Shipped a ticket triage model used by 300 support agents daily.",
    "proof_baseline": "Manual triage took 6 minutes per ticket with 70% correct routing.",
    "proof_improvement": "Routing accuracy rose to 92% and handling time fell by 35%.",
    "proof_monitoring": "Tracked accuracy on a labelled weekly sample, drift alerts on inputs.",
    "proof_quality_dip": "A launch shifted vocabulary; retrained on fresh labels in 3 days.",
}


def url(name: str, *args: object) -> str:
    return reverse(f"hiring:{name}", args=args)


def brief_form_data(**overrides: Any) -> dict[str, Any]:
    """A ready brief as the browser posts it (checkboxes present only when ticked)."""
    data: dict[str, Any] = {
        "headcount": "2",
        "rate_min": "90",
        "rate_max": "120",
        "rate_currency": "EUR",
        "rate_unit": "hour",
        "location": "Berlin",
        "remote_policy": "hybrid",
        "deadline": "2030-01-31",
    }
    for key, value in ready_brief_data().items():
        if value is True:
            data[key] = "on"
        elif value is not False:
            data[key] = value
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def submission_form_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "full_name": "Dana Delivery",
        "email": "dana.delivery@mail.example.test",
        "phone": "",
        "location": "Lisbon",
        "availability": "Four weeks' notice",
        "skills": "Python, PyTorch, MLflow",
        "links": "https://example.test/dana",
        "summary": "Eight years of ML in production.",
        **GOOD_PROOF,
        "proof_links": "https://example.test/talk",
        "rate_amount": "100",
        "rate_currency": "EUR",
        "right_to_represent": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def make_brief(tenant: Any, in_tenant: Callable[..., Any], **fields: Any) -> RoleBrief:
    with in_tenant(tenant):
        return RoleBriefFactory(**fields)


def make_submission(
    tenant: Any, in_tenant: Callable[..., Any], *, brief: RoleBrief, agency: Any, **fields: Any
) -> Submission:
    with in_tenant(tenant):
        submission = SubmissionFactory(brief=brief, agency=agency, **fields)
        StageChangeFactory(submission=submission, to_stage=submission.stage)
        return submission


def count(tenant: Any, in_tenant: Callable[..., Any], model: Any, **filters: Any) -> int:
    with in_tenant(tenant):
        return model.objects.filter(**filters).count()


def page_text(response: Any) -> str:
    return html.unescape(response.content.decode())


# --- briefs list --------------------------------------------------------------------------------


def test_brief_list_shows_client_roles_every_brief_with_readiness(tenant_a, as_role, in_tenant):
    ready = make_brief(tenant_a, in_tenant, **ready_brief_data(title="Forecasting lead"))
    unready = make_brief(tenant_a, in_tenant, title="Vague AI person", status=BriefStatus.DRAFT)
    with in_tenant(tenant_a):
        gaps = len(brief_readiness_gaps(unready.__dict__))
    assert gaps > 1

    for role in TEAM_ROLES:
        response = as_role(tenant_a, role).http.get(url("brief_list"))
        assert response.status_code == 200
        text = page_text(response)
        assert ready.title in text and unready.title in text
        assert "Ready" in text
        assert f"{gaps} items missing" in text


def test_brief_list_filters_by_status(tenant_a, as_role, in_tenant):
    make_brief(tenant_a, in_tenant, title="Open one", status=BriefStatus.OPEN)
    make_brief(tenant_a, in_tenant, title="Draft one", status=BriefStatus.DRAFT)
    admin = as_role(tenant_a, "admin")

    text = page_text(admin.http.get(url("brief_list"), {"status": "draft"}))
    assert "Draft one" in text and "Open one" not in text
    text = page_text(admin.http.get(url("brief_list"), {"status": "nonsense"}))
    assert "Draft one" in text and "Open one" in text


def test_brief_list_shows_an_agency_only_open_briefs_shared_with_it(tenant_a, as_role, in_tenant):
    recruiter = as_role(tenant_a, "recruiter")
    other_agency = EngagementFactory(client=tenant_a).agency
    make_brief(tenant_a, in_tenant, title="Shared with all")
    make_brief(tenant_a, in_tenant, title="Draft for all", status=BriefStatus.DRAFT)
    make_brief(tenant_a, in_tenant, title="Held for all", status=BriefStatus.ON_HOLD)
    mine = make_brief(tenant_a, in_tenant, title="Only for us", shared_with_all_engaged=False)
    theirs = make_brief(tenant_a, in_tenant, title="Only for them", shared_with_all_engaged=False)
    with in_tenant(tenant_a):
        BriefShareFactory(brief=mine, agency=recruiter.agency)
        BriefShareFactory(brief=theirs, agency=other_agency)

    response = recruiter.http.get(url("brief_list"))
    assert response.status_code == 200
    text = page_text(response)
    assert "Shared with all" in text and "Only for us" in text
    for hidden in ("Draft for all", "Held for all", "Only for them"):
        assert hidden not in text
    assert "items missing" not in text  # readiness is the client's business


def test_brief_list_never_shows_another_tenants_briefs(tenant_a, tenant_b, as_role, in_tenant):
    make_brief(tenant_b, in_tenant, title="Beta secret brief")
    text = page_text(as_role(tenant_a, "admin").http.get(url("brief_list")))
    assert "Beta secret brief" not in text


# --- new brief, edit, live readiness ------------------------------------------------------------


def test_brief_form_is_for_admins_and_hiring_managers_only(tenant_a, as_role, in_tenant):
    brief = make_brief(tenant_a, in_tenant)
    for role in WRITER_ROLES:
        http = as_role(tenant_a, role).http
        assert http.get(url("brief_new")).status_code == 200
        assert http.get(url("brief_edit", brief.public_id)).status_code == 200
    for role in (*READER_ROLES, *AGENCY_ROLES):
        http = as_role(tenant_a, role).http
        assert http.get(url("brief_new")).status_code == 404
        assert http.post(url("brief_new"), brief_form_data()).status_code == 404
        assert http.get(url("brief_edit", brief.public_id)).status_code == 404
        assert http.post(url("brief_edit", brief.public_id), brief_form_data()).status_code == 404
        assert http.post(url("brief_readiness"), {}).status_code == 404
    assert count(tenant_a, in_tenant, RoleBrief) == 1


def test_new_brief_page_has_sections_help_and_a_server_rendered_readiness_panel(tenant_a, as_role):
    response = as_role(tenant_a, "hiring_manager").http.get(url("brief_new"))
    text = page_text(response)
    for section in (
        "The role",
        "1. Business goal",
        "2. Data readiness",
        "3. Success criteria",
        "GenAI evaluation plan",
        "Terms",
    ):
        assert f"<legend>{section}</legend>" in text
    assert "cut handling time by 20%" in text  # help that teaches a measurable target
    assert 'id="readiness-panel"' in text
    assert f'hx-post="{url("brief_readiness")}"' in text
    assert "/static/js/htmx.min.js" in text
    assert "Say which workflow or decision this role should improve." in text  # a gap, on load


def test_new_brief_is_saved_as_a_draft_with_a_default_scorecard(tenant_a, as_role, in_tenant):
    manager = as_role(tenant_a, "hiring_manager")
    response = manager.http.post(url("brief_new"), brief_form_data(uses_llm="on", **GENAI_PLAN))
    with in_tenant(tenant_a):
        brief = RoleBrief.objects.get()
        assert response.status_code == 302
        assert response["Location"] == url("brief_detail", brief.public_id)
        assert brief.status == BriefStatus.DRAFT
        assert brief.title == "ML engineer for demand forecasting"
        assert brief.needs == ["pipelines", "ml_features"]
        assert brief.uses_llm and brief.data_sources_exist and not brief.uses_rag
        assert str(brief.rate_max) == "120.00" and brief.rate_currency == "EUR"
        assert brief.deadline == dt.date(2030, 1, 31)
        assert set(brief.scorecard_weights) == {"A", "B", "C", "D", "E"}
        assert brief.owner_user_id == manager.user.pk
        assert AuditEntry.objects.filter(action="brief.created").count() == 1
    page = manager.http.get(response["Location"])
    assert "Brief saved as a draft." in page_text(page)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": ""}, "title", "A title is required."),
        ({"rate_min": "200", "rate_max": "100"}, "rate_max", "The maximum rate is below"),
        ({"headcount": "many"}, "headcount", "Enter a whole number."),
        ({"rate_currency": "EURO"}, "rate_currency", "three-letter currency code"),
        ({"deadline": "next spring"}, "deadline", "Enter a valid date."),
    ],
)
def test_new_brief_with_bad_input_shows_field_errors_and_saves_nothing(
    tenant_a, as_role, in_tenant, overrides, field, message
):
    response = as_role(tenant_a, "admin").http.post(url("brief_new"), brief_form_data(**overrides))
    assert response.status_code == 200
    text = page_text(response)
    assert "Nothing was saved." in text
    error_block = re.search(rf'id="field-{field}".*?</div>', text, re.S)
    assert error_block is not None and message in error_block.group(0)
    assert 'id="readiness-panel"' in text  # the panel is rendered again after submit
    assert count(tenant_a, in_tenant, RoleBrief) == 0
    assert count(tenant_a, in_tenant, AuditEntry) == 0


def test_readiness_endpoint_recommends_a_track_warns_and_lists_gaps(tenant_a, as_role):
    http = as_role(tenant_a, "hiring_manager").http
    response = http.post(
        url("brief_readiness"),
        {"track": "python_developer", "needs": ["mlops"], "kpi_target": "make it smarter"},
    )
    assert response.status_code == 200
    text = page_text(response)
    assert "<html" not in text  # a partial for htmx to swap in
    assert "Recommended for the work you ticked: <strong>AI/ML engineer</strong>" in text
    assert "unlikely to own model behaviour in production" in text
    assert "The target is not measurable yet" in text
    assert "not needed" in text  # no GenAI: the evaluation plan does not apply

    ready = http.post(url("brief_readiness"), brief_form_data())
    text = page_text(ready)
    assert "Ready" in text and "missing" not in text
    genai = http.post(url("brief_readiness"), brief_form_data(uses_rag="on"))
    # The evaluation plan (5) and the safety checklist without the two tool questions (13).
    assert "18 items missing" in page_text(genai)
    assert "The latency budget for responses." in page_text(genai)

    assert http.get(url("brief_readiness")).status_code == 405


def test_edit_brief_saves_changes(tenant_a, as_role, in_tenant):
    brief = make_brief(tenant_a, in_tenant, **ready_brief_data(), status=BriefStatus.DRAFT)
    admin = as_role(tenant_a, "admin")
    page = admin.http.get(url("brief_edit", brief.public_id))
    assert 'value="Reduce stock-outs by 25% within two quarters"' in page_text(page)

    response = admin.http.post(
        url("brief_edit", brief.public_id), brief_form_data(title="Forecasting engineer")
    )
    assert response.status_code == 302
    with in_tenant(tenant_a):
        brief.refresh_from_db()
        assert brief.title == "Forecasting engineer"
        assert AuditEntry.objects.filter(action="brief.updated").count() == 1


def test_edit_brief_with_bad_input_changes_nothing(tenant_a, as_role, in_tenant):
    brief = make_brief(tenant_a, in_tenant, **ready_brief_data(), status=BriefStatus.DRAFT)
    response = as_role(tenant_a, "admin").http.post(
        url("brief_edit", brief.public_id),
        brief_form_data(title="Renamed", rate_min="500", rate_max="100"),
    )
    assert response.status_code == 200
    assert "The maximum rate is below the minimum." in page_text(response)
    with in_tenant(tenant_a):
        brief.refresh_from_db()
        assert brief.title == ready_brief_data()["title"]
        assert not AuditEntry.objects.exists()


def test_a_closed_brief_cannot_be_edited(tenant_a, as_role, in_tenant):
    brief = make_brief(tenant_a, in_tenant, title="Old role", status=BriefStatus.CLOSED)
    response = as_role(tenant_a, "admin").http.post(
        url("brief_edit", brief.public_id), brief_form_data(title="New name")
    )
    assert response.status_code == 409
    assert "A closed brief cannot be edited." in page_text(response)
    with in_tenant(tenant_a):
        brief.refresh_from_db()
        assert brief.title == "Old role"


def test_another_tenants_brief_cannot_be_edited(tenant_a, tenant_b, as_role, in_tenant):
    theirs = make_brief(tenant_b, in_tenant, title="Beta brief")
    http = as_role(tenant_a, "admin").http
    assert http.get(url("brief_edit", theirs.public_id)).status_code == 404
    response = http.post(url("brief_edit", theirs.public_id), brief_form_data(title="Hijack"))
    assert response.status_code == 404
    with in_tenant(tenant_b):
        theirs.refresh_from_db()
        assert theirs.title == "Beta brief"


# --- brief detail, opening, status ----------------------------------------------------------


def test_brief_detail_for_client_roles(tenant_a, as_role, in_tenant):
    brief = make_brief(
        tenant_a,
        in_tenant,
        **ready_brief_data(),
        status=BriefStatus.DRAFT,
        scorecard_floors={"D": 3},
    )
    for role in TEAM_ROLES:
        response = as_role(tenant_a, role).http.get(url("brief_detail", brief.public_id))
        assert response.status_code == 200
        text = page_text(response)
        assert "Reduce stock-outs by 25% within two quarters" in text
        assert "Data platform team (Maria Lopez)" in text
        assert "Applied AI delivery" in text and "Security and risk thinking" in text
        assert "1. Business goal" in text and "3. Success criteria" in text
        is_writer = role in WRITER_ROLES
        assert ("Open to agencies" in text) == is_writer
        assert (url("brief_status", brief.public_id) in text) == is_writer
        assert (url("brief_edit", brief.public_id) in text) == is_writer


def test_brief_detail_warns_about_a_track_mismatch(tenant_a, as_role, in_tenant):
    brief = make_brief(
        tenant_a, in_tenant, **ready_brief_data(track="python_developer", needs=["mlops"])
    )
    text = page_text(as_role(tenant_a, "executive").http.get(url("brief_detail", brief.public_id)))
    assert "<strong>AI/ML engineer</strong>" in text
    assert "unlikely to own model behaviour in production" in text


def test_brief_detail_for_agencies_only_open_shared_briefs(tenant_a, tenant_b, as_role, in_tenant):
    recruiter = as_role(tenant_a, "recruiter")
    other_agency = EngagementFactory(client=tenant_a).agency
    shared = make_brief(tenant_a, in_tenant, title="Open to all", privacy_rules="No PII")
    draft = make_brief(tenant_a, in_tenant, status=BriefStatus.DRAFT)
    theirs = make_brief(tenant_a, in_tenant, shared_with_all_engaged=False)
    with in_tenant(tenant_a):
        BriefShareFactory(brief=theirs, agency=other_agency)
    other_tenant = make_brief(tenant_b, in_tenant)

    response = recruiter.http.get(url("brief_detail", shared.public_id))
    assert response.status_code == 200
    text = page_text(response)
    assert "Submit a candidate" in text and url("submission_new", shared.public_id) in text
    assert "Open to agencies" not in text and "Put on hold" not in text
    for hidden in (draft, theirs, other_tenant):
        assert recruiter.http.get(url("brief_detail", hidden.public_id)).status_code == 404
    assert recruiter.http.get("/briefs/not-a-uuid/").status_code == 404


def test_opening_an_unready_brief_needs_an_override_reason(tenant_a, as_role, in_tenant):
    brief = make_brief(tenant_a, in_tenant, title="Vague role", status=BriefStatus.DRAFT)
    admin = as_role(tenant_a, "admin")
    detail = page_text(admin.http.get(url("brief_detail", brief.public_id)))
    assert "This brief is not ready." in detail and "hiring into ambiguity" in detail
    assert "Say which workflow or decision this role should improve." in detail
    assert "Open anyway" in detail

    refused = admin.http.post(url("brief_open", brief.public_id), {"share_with": "all"})
    assert refused.status_code == 200
    assert "agencies would be hiring into ambiguity" in page_text(refused)
    too_short = admin.http.post(
        url("brief_open", brief.public_id), {"share_with": "all", "override_reason": "ok"}
    )
    assert "Explain the override in a sentence." in page_text(too_short)
    with in_tenant(tenant_a):
        brief.refresh_from_db()
        assert brief.status == BriefStatus.DRAFT
        assert not AuditEntry.objects.exists()

    reason = "The data approval is signed next week; we accept the risk to start sourcing."
    accepted = admin.http.post(
        url("brief_open", brief.public_id), {"share_with": "all", "override_reason": reason}
    )
    assert accepted.status_code == 302
    with in_tenant(tenant_a):
        brief.refresh_from_db()
        assert brief.status == BriefStatus.OPEN and brief.shared_with_all_engaged
        assert brief.readiness_override_reason == reason
        assert brief.readiness_override_user_id == admin.user.pk
        override = AuditEntry.objects.get(action="brief.readiness_overridden")
        assert override.actor_user_id == admin.user.pk
        assert "business_goal" in override.details["missing"]
    text = page_text(admin.http.get(url("brief_detail", brief.public_id)))
    assert "Opened without being ready" in text and reason in text


def test_opening_a_ready_brief_to_selected_agencies(tenant_a, as_role, in_tenant):
    chosen = as_role(tenant_a, "recruiter")
    left_out = as_role(tenant_a, "recruiter")
    paused = EngagementFactory(client=tenant_a, status=EngagementStatus.PAUSED).agency
    brief = make_brief(
        tenant_a,
        in_tenant,
        **ready_brief_data(),
        status=BriefStatus.DRAFT,
        shared_with_all_engaged=False,
    )
    manager = as_role(tenant_a, "hiring_manager")
    form = page_text(manager.http.get(url("brief_detail", brief.public_id)))
    assert chosen.agency.name in form and paused.name not in form  # active engagements only

    missing = manager.http.post(url("brief_open", brief.public_id), {"share_with": "selected"})
    assert "Choose at least one agency" in page_text(missing)
    not_engaged = manager.http.post(
        url("brief_open", brief.public_id),
        {"share_with": "selected", "agencies": [str(paused.public_id)]},
    )
    assert not_engaged.status_code == 200
    assert count(tenant_a, in_tenant, BriefShare) == 0

    response = manager.http.post(
        url("brief_open", brief.public_id),
        {"share_with": "selected", "agencies": [str(chosen.agency.public_id)]},
    )
    assert response.status_code == 302
    with in_tenant(tenant_a):
        brief.refresh_from_db()
        assert brief.status == BriefStatus.OPEN and not brief.shared_with_all_engaged
        assert list(BriefShare.objects.values_list("agency_id", flat=True)) == [chosen.agency.pk]
        assert not AuditEntry.objects.filter(action="brief.readiness_overridden").exists()
    assert chosen.http.get(url("brief_detail", brief.public_id)).status_code == 200
    assert left_out.http.get(url("brief_detail", brief.public_id)).status_code == 404


def test_brief_status_actions(tenant_a, as_role, in_tenant):
    brief = make_brief(tenant_a, in_tenant, **ready_brief_data())
    admin = as_role(tenant_a, "admin")
    for role in (*READER_ROLES, *AGENCY_ROLES):
        response = as_role(tenant_a, role).http.post(
            url("brief_status", brief.public_id), {"status": "closed"}
        )
        assert response.status_code == 404
    assert admin.http.get(url("brief_status", brief.public_id)).status_code == 405

    response = admin.http.post(url("brief_status", brief.public_id), {"status": "on_hold"})
    assert response.status_code == 302
    response = admin.http.post(url("brief_status", brief.public_id), {"status": "closed"})
    assert response.status_code == 302
    conflict = admin.http.post(url("brief_status", brief.public_id), {"status": "filled"})
    assert conflict.status_code == 409
    assert "A brief cannot go from closed to filled." in page_text(conflict)
    with in_tenant(tenant_a):
        brief.refresh_from_db()
        assert brief.status == BriefStatus.CLOSED
        assert AuditEntry.objects.filter(action="brief.status_changed").count() == 2


def test_writes_need_a_csrf_token(tenant_a, as_role, in_tenant):
    brief = make_brief(tenant_a, in_tenant, **ready_brief_data())
    admin = as_role(tenant_a, "admin")
    strict = HttpClient(enforce_csrf_checks=True, HTTP_HOST=host_of(tenant_a))
    strict.force_login(admin.user)
    response = strict.post(url("brief_status", brief.public_id), {"status": "closed"})
    assert response.status_code == 403
    with in_tenant(tenant_a):
        brief.refresh_from_db()
        assert brief.status == BriefStatus.OPEN


# --- submitting a candidate ----------------------------------------------------------------


def test_submit_page_is_for_agencies_on_briefs_open_to_them(tenant_a, tenant_b, as_role, in_tenant):
    brief = make_brief(tenant_a, in_tenant, track="python_ai_developer")
    for role in AGENCY_ROLES:
        response = as_role(tenant_a, role).http.get(url("submission_new", brief.public_id))
        assert response.status_code == 200
        text = page_text(response)
        assert "Proof of production delivery" in text
        assert "show talent, not production delivery" in text
        block = re.search(r'id="field-proof_quality_dip".*?</div>', text, re.S)
        assert block is not None and "required" in block.group(0)
    for role in CLIENT_ROLES:
        http = as_role(tenant_a, role).http
        assert http.get(url("submission_new", brief.public_id)).status_code == 404
        assert (
            http.post(url("submission_new", brief.public_id), submission_form_data()).status_code
            == 404
        )

    recruiter = as_role(tenant_a, "recruiter")
    hidden = make_brief(tenant_a, in_tenant, status=BriefStatus.ON_HOLD)
    other_tenant = make_brief(tenant_b, in_tenant)
    for unreachable in (hidden, other_tenant):
        assert recruiter.http.get(url("submission_new", unreachable.public_id)).status_code == 404
        response = recruiter.http.post(
            url("submission_new", unreachable.public_id), submission_form_data()
        )
        assert response.status_code == 404
    assert count(tenant_a, in_tenant, Submission) == 0


def test_python_developer_brief_requires_only_the_shipped_solution(tenant_a, as_role, in_tenant):
    brief = make_brief(tenant_a, in_tenant, track="python_developer")
    text = page_text(
        as_role(tenant_a, "recruiter").http.get(url("submission_new", brief.public_id))
    )
    shipped = re.search(r'id="field-proof_shipped_solution".*?</div>', text, re.S)
    dip = re.search(r'id="field-proof_quality_dip".*?</div>', text, re.S)
    assert shipped is not None and 'class="req"' in shipped.group(0)
    assert dip is not None and 'class="req"' not in dip.group(0)


def test_a_submission_through_the_page_lands_with_its_stage_history(tenant_a, as_role, in_tenant):
    brief = make_brief(tenant_a, in_tenant, title="Forecasting lead")
    recruiter = as_role(tenant_a, "recruiter")
    resume = SimpleUploadedFile("Dana Delivery CV.txt", b"Dana Delivery\nML engineer, 8 years.")
    response = recruiter.http.post(
        url("submission_new", brief.public_id), {**submission_form_data(), "resume": resume}
    )
    assert response.status_code == 302
    with in_tenant(tenant_a):
        submission = Submission.objects.select_related("candidate").get()
        assert response["Location"] == url("submission_detail", submission.public_id)
        assert submission.agency_id == recruiter.agency.pk
        assert submission.submitted_by_user_id == recruiter.user.pk
        assert submission.stage == Stage.SUBMITTED
        assert submission.proof_links == ["https://example.test/talk"]
        assert str(submission.rate_amount) == "100.00" and submission.rate_currency == "EUR"
        assert submission.skills == ["Python", "PyTorch", "MLflow"]
        assert submission.resume_content_type == "text/plain"
        history = list(StageChange.objects.filter(submission=submission))
        assert [(c.from_stage, c.to_stage, c.actor_user_id) for c in history] == [
            ("", Stage.SUBMITTED, recruiter.user.pk)
        ]
        stored = submission.resume.name
    page = recruiter.http.get(response["Location"])
    text = page_text(page)
    assert "Candidate submitted." in text
    assert "Dana Delivery" in text and "awaiting client" in text
    assert recruiter.user.display_name in text  # who, in the stage history
    default_storage.delete(stored)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"full_name": ""}, "full_name", "The candidate's name is required."),
        ({"email": "not-an-email"}, "email", "This is not a valid email address."),
        ({"right_to_represent": None}, "right_to_represent", "Confirm that the candidate agreed"),
        ({"proof_monitoring": "We watched it."}, "proof_monitoring", "at least a sentence"),
        ({"links": "ftp://old.example"}, "links", "Links must be http(s) addresses."),
        ({"rate_amount": "lots"}, "rate_amount", "Enter a number."),
    ],
)
def test_submission_with_bad_input_shows_field_errors_and_writes_nothing(
    tenant_a, as_role, in_tenant, overrides, field, message
):
    brief = make_brief(tenant_a, in_tenant)
    response = as_role(tenant_a, "recruiter").http.post(
        url("submission_new", brief.public_id), submission_form_data(**overrides)
    )
    assert response.status_code == 200
    text = page_text(response)
    assert "Nothing was submitted." in text
    block = re.search(rf'id="field-{field}".*?</div>', text, re.S)
    assert block is not None and message in block.group(0)
    assert 'value="Lisbon"' in text  # typed data is kept
    assert count(tenant_a, in_tenant, Submission) == 0
    assert count(tenant_a, in_tenant, Candidate) == 0
    assert count(tenant_a, in_tenant, AuditEntry) == 0


def test_ownership_conflict_is_explained_without_naming_the_other_agency(
    tenant_a, as_role, in_tenant
):
    first = as_role(tenant_a, "recruiter", agency=AgencyFactory(name="Firstcome Talent Partners"))
    second = as_role(tenant_a, "recruiter")
    brief_one = make_brief(tenant_a, in_tenant)
    brief_two = make_brief(tenant_a, in_tenant)
    assert (
        first.http.post(
            url("submission_new", brief_one.public_id), submission_form_data()
        ).status_code
        == 302
    )

    response = second.http.post(
        url("submission_new", brief_two.public_id),
        submission_form_data(full_name="Dana D.", email="Dana.Delivery@mail.example.test"),
    )
    assert response.status_code == 409
    text = page_text(response)
    assert "already represented at this client by another agency" in text
    assert "Firstcome Talent Partners" not in text
    assert 'value="Dana D."' in text  # what they typed is still there
    assert count(tenant_a, in_tenant, Submission) == 1


def test_submitting_the_same_person_twice_to_a_brief_is_a_conflict(tenant_a, as_role, in_tenant):
    brief = make_brief(tenant_a, in_tenant)
    recruiter = as_role(tenant_a, "recruiter")
    url_submit = url("submission_new", brief.public_id)
    assert recruiter.http.post(url_submit, submission_form_data()).status_code == 302
    again = recruiter.http.post(url_submit, submission_form_data())
    assert again.status_code == 409
    assert "already been submitted to this brief" in page_text(again)
    assert count(tenant_a, in_tenant, Submission) == 1


def test_a_paused_engagement_cannot_submit(tenant_a, as_role, in_tenant):
    brief = make_brief(tenant_a, in_tenant)
    recruiter = as_role(tenant_a, "recruiter")
    engagement_set_status(engagement=recruiter.engagement, status=EngagementStatus.PAUSED)
    detail = page_text(recruiter.http.get(url("brief_detail", brief.public_id)))
    assert "engagement with this client is paused" in detail
    assert url("submission_new", brief.public_id) not in detail

    page = recruiter.http.get(url("submission_new", brief.public_id))
    assert page.status_code == 409 and "paused" in page_text(page)
    response = recruiter.http.post(url("submission_new", brief.public_id), submission_form_data())
    assert response.status_code == 409
    assert count(tenant_a, in_tenant, Submission) == 0


# --- submissions list -----------------------------------------------------------------------


def test_submission_list_for_clients_shows_every_agency_and_filters(tenant_a, as_role, in_tenant):
    agency_one = EngagementFactory(client=tenant_a, agency=AgencyFactory(name="One Agency")).agency
    agency_two = EngagementFactory(client=tenant_a, agency=AgencyFactory(name="Two Agency")).agency
    brief_x = make_brief(tenant_a, in_tenant, title="Brief X")
    brief_y = make_brief(tenant_a, in_tenant, title="Brief Y")
    with in_tenant(tenant_a):
        alice = CandidateFactory(full_name="Alice Applied")
        bob = CandidateFactory(full_name="Bob Backend")
    make_submission(tenant_a, in_tenant, brief=brief_x, agency=agency_one, candidate=alice)
    make_submission(
        tenant_a, in_tenant, brief=brief_y, agency=agency_two, candidate=bob, stage=Stage.INTERVIEW
    )

    for role in TEAM_ROLES:
        text = page_text(as_role(tenant_a, role).http.get(url("submission_list")))
        assert "Alice Applied" in text and "Bob Backend" in text
        assert "One Agency" in text and "Two Agency" in text
    http = as_role(tenant_a, "executive").http
    by_stage = page_text(http.get(url("submission_list"), {"stage": "interview"}))
    assert "Bob Backend" in by_stage and "Alice Applied" not in by_stage
    by_brief = page_text(http.get(url("submission_list"), {"brief": str(brief_x.public_id)}))
    assert "Alice Applied" in by_brief and "Bob Backend" not in by_brief
    by_agency = page_text(http.get(url("submission_list"), {"agency": str(agency_two.public_id)}))
    assert "Bob Backend" in by_agency and "Alice Applied" not in by_agency


def test_submission_list_for_agencies_shows_only_their_own(tenant_a, tenant_b, as_role, in_tenant):
    recruiter = as_role(tenant_a, "recruiter")
    other = EngagementFactory(client=tenant_a, agency=AgencyFactory(name="Rival Agency")).agency
    brief = make_brief(tenant_a, in_tenant)
    with in_tenant(tenant_a):
        mine = CandidateFactory(full_name="Mine Person")
        theirs = CandidateFactory(full_name="Their Person")
    make_submission(tenant_a, in_tenant, brief=brief, agency=recruiter.agency, candidate=mine)
    make_submission(tenant_a, in_tenant, brief=brief, agency=other, candidate=theirs)
    with in_tenant(tenant_b):
        beta_candidate = CandidateFactory(full_name="Beta Person")
    make_submission(
        tenant_b,
        in_tenant,
        brief=make_brief(tenant_b, in_tenant),
        agency=recruiter.agency,
        candidate=beta_candidate,
    )

    response = recruiter.http.get(url("submission_list"))
    assert response.status_code == 200
    text = page_text(response)
    assert "Mine Person" in text and "awaiting client" in text
    assert "Their Person" not in text and "Rival Agency" not in text
    assert "Beta Person" not in text


def test_submission_list_is_paginated(tenant_a, as_role, in_tenant, monkeypatch):
    monkeypatch.setattr("pages.paging.DEFAULT_PAGE_SIZE", 2)
    agency = EngagementFactory(client=tenant_a).agency
    brief = make_brief(tenant_a, in_tenant)
    for _ in range(3):
        make_submission(tenant_a, in_tenant, brief=brief, agency=agency)
    http = as_role(tenant_a, "admin").http
    first = page_text(http.get(url("submission_list"), {"stage": "submitted"}))
    assert "Page 1 of 2" in first and "?stage=submitted&page=2" in first
    second = http.get(url("submission_list"), {"stage": "submitted", "page": "2"})
    assert second.context["page"].object_list.__len__() == 1


# --- submission detail, stage moves, withdrawal ---------------------------------------------


@pytest.fixture
def submitted(tenant_a, as_role, in_tenant) -> Iterator[dict[str, Any]]:
    """A submission by a recruiter's agency, with contact data and a resume on file."""
    recruiter = as_role(tenant_a, "recruiter", agency=AgencyFactory(name="Submitting Agency"))
    brief = make_brief(tenant_a, in_tenant, title="Forecasting lead", **GENAI_PLAN)
    with in_tenant(tenant_a):
        name = default_storage.save(
            f"tenants/{tenant_a.schema_name}/resumes/test-resume.pdf",
            SimpleUploadedFile("x.pdf", b"%PDF-1.4 resume bytes"),
        )
        candidate = CandidateFactory(full_name="Casey Candidate")
    submission = make_submission(
        tenant_a,
        in_tenant,
        brief=brief,
        agency=recruiter.agency,
        candidate=candidate,
        phone="+14155550123",
        skills=["Python", "RAG"],
        resume=name,
        resume_content_type="application/pdf",
        proof_baseline="Baseline: 62% answer accuracy.",
        submitted_by_user_id=recruiter.user.pk,
    )
    yield {"recruiter": recruiter, "submission": submission, "candidate": candidate}
    default_storage.delete(name)


def test_submission_detail_for_client_roles_and_the_owning_agency(
    tenant_a, as_role, in_tenant, submitted
):
    submission = submitted["submission"]
    viewers = [as_role(tenant_a, role) for role in TEAM_ROLES] + [submitted["recruiter"]]
    for viewer in viewers:
        response = viewer.http.get(url("submission_detail", submission.public_id))
        assert response.status_code == 200
        text = page_text(response)
        assert "Casey Candidate" in text and submission.email in text and "+14155550123" in text
        assert "Baseline: 62% answer accuracy." in text
        assert url("submission_resume", submission.public_id) in text
        can_move = viewer.role in WRITER_ROLES
        assert (url("submission_move", submission.public_id) in text) == can_move
        assert (url("submission_withdraw", submission.public_id) in text) == (
            viewer is submitted["recruiter"]
        )
    with in_tenant(tenant_a):
        reads = AuditEntry.objects.filter(action="candidate.pii_viewed")
        assert reads.count() == len(viewers)
        assert {entry.details["purpose"] for entry in reads} == {"submission_detail"}
        assert {entry.actor_user_id for entry in reads} == {v.user.pk for v in viewers}


def test_submission_detail_is_404_outside_reach(tenant_a, tenant_b, as_role, in_tenant, submitted):
    submission = submitted["submission"]
    other_recruiter = as_role(tenant_a, "recruiter")
    assert (
        other_recruiter.http.get(url("submission_detail", submission.public_id)).status_code == 404
    )
    beta_admin = as_role(tenant_b, "admin")
    assert beta_admin.http.get(url("submission_detail", submission.public_id)).status_code == 404
    admin_a = as_role(tenant_a, "admin")
    assert admin_a.http.get(url("submission_detail", uuid.uuid4())).status_code == 404
    assert count(tenant_a, in_tenant, AuditEntry, action="candidate.pii_viewed") == 0


def test_stage_history_names_who_moved_it(tenant_a, as_role, in_tenant, submitted):
    submission = submitted["submission"]
    mover = UserFactory(name="Morgan Mover")
    with in_tenant(tenant_a):
        StageChange.objects.create(
            submission=submission,
            from_stage="submitted",
            to_stage="screening",
            actor_kind="user",
            actor_user_id=mover.pk,
            reason="Strong RAG proof",
        )
        StageChange.objects.create(
            submission=submission,
            from_stage="screening",
            to_stage="interview",
            actor_kind="api_key",
            actor_ref="ak_1",
        )
    text = page_text(
        as_role(tenant_a, "hiring_manager").http.get(url("submission_detail", submission.public_id))
    )
    assert "Morgan Mover" in text and "Strong RAG proof" in text
    assert "API key" in text and "System" in text  # the factory's first change is a system one


def test_moving_a_submission_offers_only_allowed_stages(tenant_a, as_role, in_tenant, submitted):
    submission = submitted["submission"]
    manager = as_role(tenant_a, "hiring_manager")
    detail = manager.http.get(url("submission_detail", submission.public_id))
    offered = [value for value, _ in detail.context["move_form"].fields["to_stage"].choices]
    assert offered == ["screening", "interview", "rejected"]

    skip_ahead = manager.http.post(
        url("submission_move", submission.public_id), {"to_stage": "hired"}
    )
    assert skip_ahead.status_code == 200
    assert "Select a valid choice." in page_text(skip_ahead)
    no_reason = manager.http.post(
        url("submission_move", submission.public_id), {"to_stage": "rejected"}
    )
    assert no_reason.status_code == 200
    assert "Give a reason when rejecting" in page_text(no_reason)
    with in_tenant(tenant_a):
        submission.refresh_from_db()
        assert submission.stage == Stage.SUBMITTED
        assert StageChange.objects.filter(submission=submission).count() == 1

    moved = manager.http.post(
        url("submission_move", submission.public_id),
        {"to_stage": "screening", "reason": "Looks strong"},
    )
    assert moved.status_code == 302
    with in_tenant(tenant_a):
        submission.refresh_from_db()
        assert submission.stage == Stage.SCREENING
        last = StageChange.objects.filter(submission=submission).last()
        assert (last.from_stage, last.to_stage, last.actor_user_id, last.reason) == (
            "submitted",
            "screening",
            manager.user.pk,
            "Looks strong",
        )
    text = page_text(
        submitted["recruiter"].http.get(url("submission_detail", submission.public_id))
    )
    assert "Looks strong" in text and manager.user.display_name in text


def test_readers_and_agencies_cannot_move_stages(tenant_a, as_role, in_tenant, submitted):
    submission = submitted["submission"]
    for acting in [*(as_role(tenant_a, role) for role in READER_ROLES), submitted["recruiter"]]:
        response = acting.http.post(
            url("submission_move", submission.public_id), {"to_stage": "screening"}
        )
        assert response.status_code == 404
    with in_tenant(tenant_a):
        submission.refresh_from_db()
        assert submission.stage == Stage.SUBMITTED


def test_the_owning_agency_can_withdraw(tenant_a, as_role, in_tenant, submitted):
    submission = submitted["submission"]
    for acting in (as_role(tenant_a, "admin"), as_role(tenant_a, "recruiter")):
        response = acting.http.post(
            url("submission_withdraw", submission.public_id), {"reason": "x"}
        )
        assert response.status_code == 404

    response = submitted["recruiter"].http.post(
        url("submission_withdraw", submission.public_id),
        {"reason": "The candidate accepted another offer."},
    )
    assert response.status_code == 302
    with in_tenant(tenant_a):
        submission.refresh_from_db()
        assert submission.stage == Stage.WITHDRAWN
        assert StageChange.objects.filter(submission=submission, to_stage="withdrawn").exists()
    again = submitted["recruiter"].http.post(url("submission_withdraw", submission.public_id), {})
    assert again.status_code == 409
    assert "cannot move from withdrawn to withdrawn" in page_text(again)


# --- resume download ------------------------------------------------------------------------


def test_resume_download_for_people_who_can_see_the_submission(
    tenant_a, tenant_b, as_role, in_tenant, submitted
):
    submission = submitted["submission"]
    resume_url = url("submission_resume", submission.public_id)
    for acting in (submitted["recruiter"], as_role(tenant_a, "hiring_manager")):
        response = acting.http.get(resume_url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        disposition = response["Content-Disposition"]
        assert disposition == f'attachment; filename="resume-{submission.public_id}.pdf"'
        assert "Casey" not in disposition
        assert b"".join(response.streaming_content) == b"%PDF-1.4 resume bytes"
    with in_tenant(tenant_a):
        downloads = AuditEntry.objects.filter(
            action="candidate.pii_viewed", details__purpose="resume_download"
        )
        assert downloads.count() == 2

    assert as_role(tenant_a, "recruiter").http.get(resume_url).status_code == 404
    assert as_role(tenant_b, "admin").http.get(resume_url).status_code == 404
    assert submitted["recruiter"].http.post(resume_url).status_code == 405


# --- each agency's version of a person is its own (issue: a second agency inherited the first's)


def test_a_second_agency_never_reads_the_first_agencys_version_of_a_person(
    tenant_a, as_role, in_tenant
):
    """The attack: once the first agency's ownership window ended, a second agency submitted
    the same e-mail under another name and no resume, and its submission page showed the
    first agency's name, phone and resume (downloadable). Knowing an e-mail was enough."""
    first = as_role(tenant_a, "recruiter", agency=AgencyFactory(name="First Agency"))
    second = as_role(tenant_a, "recruiter", agency=AgencyFactory(name="Second Agency"))
    brief_one = make_brief(tenant_a, in_tenant, title="Role one")
    brief_two = make_brief(tenant_a, in_tenant, title="Role two")
    resume = SimpleUploadedFile("cv.txt", b"Resume of Original Name, +44 20 7946 0111\n")
    created = first.http.post(
        url("submission_new", brief_one.public_id),
        submission_form_data(
            full_name="Original Name",
            email="shared.person@mail.example.test",
            phone="+44 20 7946 0111",
            links="https://example.test/original-portfolio",
            summary="First agency's own words about the person.",
            resume=resume,
        ),
    )
    assert created.status_code == 302
    with in_tenant(tenant_a):
        original = Submission.objects.get(brief=brief_one)
        CandidateOwnership.objects.filter(candidate=original.candidate).update(
            expires_at=timezone.now() - dt.timedelta(days=1)
        )
    resubmitted = second.http.post(
        url("submission_new", brief_two.public_id),
        submission_form_data(
            full_name="Typed Differently",
            email="Shared.Person@mail.example.test",
            phone="",
            links="",
            summary="Second agency's notes.",
        ),
    )
    assert resubmitted.status_code == 302
    with in_tenant(tenant_a):
        theirs = Submission.objects.get(brief=brief_two)
        assert theirs.candidate_id == original.candidate_id  # one person for the client
    page = page_text(second.http.get(url("submission_detail", theirs.public_id)))
    assert "Typed Differently" in page and "Second agency's notes." in page
    for leak in (
        "Original Name",
        "+44 20 7946 0111",
        "original-portfolio",
        "First agency's own words",
        "First Agency",
        url("submission_resume", theirs.public_id),
        url("submission_detail", original.public_id),
    ):
        assert leak not in page, leak
    assert second.http.get(url("submission_resume", theirs.public_id)).status_code == 404
    assert second.http.get(url("submission_detail", original.public_id)).status_code == 404
    assert second.http.get(url("submission_resume", original.public_id)).status_code == 404
    # The client sees one person with each agency's version, side by side.
    manager = as_role(tenant_a, "hiring_manager")
    client_page = page_text(manager.http.get(url("submission_detail", theirs.public_id)))
    assert "Typed Differently" in client_page
    assert "Other submissions of this person" in client_page
    assert url("submission_detail", original.public_id) in client_page
    assert "Original Name" in client_page and "First Agency" in client_page
    first_page = page_text(first.http.get(url("submission_detail", original.public_id)))
    assert "Original Name" in first_page and "Typed Differently" not in first_page


# --- interviewers reach what they are asked to score (issue: interviewers read every candidate)


def _assign(tenant: Any, in_tenant: Callable[..., Any], submission: Submission, user: Any) -> None:
    with in_tenant(tenant):
        InterviewAssignmentFactory(submission=submission, interviewer=user)


def test_interviewers_reach_only_the_submissions_they_are_assigned_to(
    tenant_a, as_role, in_tenant, submitted
):
    """The attack: an interviewer used to list every submission and draft brief and open any
    candidate with contact data, rate and resume."""
    assigned = submitted["submission"]
    interviewer = as_role(tenant_a, "interviewer")
    draft = make_brief(tenant_a, in_tenant, title="Secret draft role", status=BriefStatus.DRAFT)
    other_brief = make_brief(tenant_a, in_tenant, title="Someone else's role")
    with in_tenant(tenant_a):
        stranger = CandidateFactory(full_name="Unassigned Person")
    unassigned = make_submission(
        tenant_a,
        in_tenant,
        brief=other_brief,
        agency=submitted["recruiter"].agency,
        candidate=stranger,
        rate_amount="140",
        rate_currency="EUR",
    )
    # Before any assignment the interviewer reaches nothing.
    for target in (assigned, unassigned):
        for name in ("submission_detail", "submission_resume"):
            assert interviewer.http.get(url(name, target.public_id)).status_code == 404
    for brief in (draft, other_brief, assigned.brief):
        assert interviewer.http.get(url("brief_detail", brief.public_id)).status_code == 404
    listing = page_text(interviewer.http.get(url("submission_list")))
    assert "Casey Candidate" not in listing and "Unassigned Person" not in listing
    briefs = page_text(interviewer.http.get(url("brief_list")))
    assert "Secret draft role" not in briefs and "Forecasting lead" not in briefs

    _assign(tenant_a, in_tenant, assigned, interviewer.user)
    listing = page_text(interviewer.http.get(url("submission_list")))
    assert "Casey Candidate" in listing and "Unassigned Person" not in listing
    briefs = page_text(interviewer.http.get(url("brief_list")))
    assert "Forecasting lead" in briefs and "Secret draft role" not in briefs
    assert interviewer.http.get(url("brief_detail", assigned.brief.public_id)).status_code == 200
    assert interviewer.http.get(url("submission_detail", unassigned.public_id)).status_code == 404
    detail = page_text(interviewer.http.get(url("submission_detail", assigned.public_id)))
    # The proof is what they score; contact data, resume and rate are not theirs by default.
    assert "Baseline: 62% answer accuracy." in detail
    assert assigned.email not in detail and "+14155550123" not in detail
    assert url("submission_resume", assigned.public_id) not in detail
    assert "Rate" not in detail
    assert interviewer.http.get(url("submission_resume", assigned.public_id)).status_code == 404
    with in_tenant(tenant_a):
        assert not AuditEntry.objects.filter(
            action="candidate.pii_viewed", actor_user_id=interviewer.user.pk
        ).exists()


def test_a_client_may_show_interviewers_contact_details(tenant_a, as_role, in_tenant, submitted):
    assigned = submitted["submission"]
    interviewer = as_role(tenant_a, "interviewer")
    _assign(tenant_a, in_tenant, assigned, interviewer.user)
    tenant_a.interviewers_see_contact_details = True
    tenant_a.save(update_fields=["interviewers_see_contact_details"])
    try:
        detail = page_text(interviewer.http.get(url("submission_detail", assigned.public_id)))
        assert assigned.email in detail and "+14155550123" in detail
        assert interviewer.http.get(url("submission_resume", assigned.public_id)).status_code == 200
    finally:
        tenant_a.interviewers_see_contact_details = False
        tenant_a.save(update_fields=["interviewers_see_contact_details"])


def test_resume_download_without_a_resume_is_404(tenant_a, as_role, in_tenant):
    agency = EngagementFactory(client=tenant_a).agency
    submission = make_submission(
        tenant_a, in_tenant, brief=make_brief(tenant_a, in_tenant), agency=agency
    )
    response = as_role(tenant_a, "admin").http.get(url("submission_resume", submission.public_id))
    assert response.status_code == 404


# --- home -----------------------------------------------------------------------------------


def test_home_summarises_briefs_and_submissions(tenant_a, as_role, in_tenant):
    recruiter = as_role(tenant_a, "recruiter")
    brief = make_brief(tenant_a, in_tenant, title="Home brief")
    make_brief(tenant_a, in_tenant, title="Home draft", status=BriefStatus.DRAFT)
    make_submission(
        tenant_a, in_tenant, brief=brief, agency=recruiter.agency, stage=Stage.INTERVIEW
    )

    client_page = as_role(tenant_a, "hiring_manager").http.get("/")
    assert client_page.status_code == 200
    statuses = {row["value"]: row["count"] for row in client_page.context["brief_statuses"]}
    assert statuses["open"] == 1 and statuses["draft"] == 1
    assert client_page.context["submission_counts"]["last_7_days"] == 1

    agency_page = recruiter.http.get("/")
    text = page_text(agency_page)
    assert "Home brief" in text and "Home draft" not in text
    assert [row["value"] for row in agency_page.context["stage_counts"]] == ["interview"]
    assert "Team" not in text


def test_stale_timestamps_do_not_break_the_home_counts(tenant_a, as_role, in_tenant):
    agency = EngagementFactory(client=tenant_a).agency
    make_submission(
        tenant_a,
        in_tenant,
        brief=make_brief(tenant_a, in_tenant),
        agency=agency,
        created_at=timezone.now() - dt.timedelta(days=40),
    )
    counts = as_role(tenant_a, "admin").http.get("/").context["submission_counts"]
    assert (counts["total"], counts["last_30_days"], counts["new"]) == (1, 0, 1)


NAV_EXPECTED = {
    # role: (links shown, links hidden). Admins and agency admins reach their settings (API
    # keys, webhooks, reminders, agencies, privacy, the audit trail) through one "Settings"
    # link; executives read the audit trail from a link of their own.
    "admin": (
        {"/scorecards/", "/analytics/agencies/", "/imports/", "/settings/"},
        {"/audit/", "/settings/api-keys/", "/notifications/settings/"},
    ),
    "hiring_manager": (
        {"/scorecards/", "/analytics/agencies/", "/imports/"},
        {"/settings/", "/audit/", "/settings/api-keys/", "/notifications/settings/"},
    ),
    "interviewer": (
        {"/scorecards/"},
        {"/analytics/agencies/", "/imports/", "/settings/", "/audit/"},
    ),
    "executive": (
        {"/scorecards/", "/analytics/agencies/", "/audit/"},
        {"/imports/", "/settings/", "/settings/api-keys/", "/notifications/settings/"},
    ),
    "agency_admin": (
        {"/analytics/agencies/", "/imports/", "/settings/"},
        {"/scorecards/", "/audit/", "/notifications/settings/"},
    ),
    "recruiter": (
        {"/analytics/agencies/", "/imports/"},
        {"/scorecards/", "/settings/", "/audit/", "/settings/api-keys/"},
    ),
}


@pytest.mark.parametrize("role", sorted(NAV_EXPECTED))
def test_header_links_follow_the_role_and_each_link_opens(tenant_a, as_role, role):
    acting = as_role(tenant_a, role)
    page = acting.http.get("/").content.decode()
    header = page.split("</header>")[0]
    shown, hidden = NAV_EXPECTED[role]
    for link in shown:
        assert f'href="{link}"' in header, link
        assert acting.http.get(link).status_code == 200, link
    for link in hidden:
        assert f'href="{link}"' not in header, link
    assert "/notifications/" in header
    label = {"hiring_manager": "Hiring manager", "agency_admin": "Agency admin"}.get(
        role, role.capitalize()
    )
    assert f"· {label}</span>" in header


# --- messages say only what happens (issue: "The client has been told" while nobody was) --


def _flash(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


def test_confirmation_messages_claim_no_notification_nobody_received(tenant_a, as_role, in_tenant):
    from notifications.models import Notification

    recruiter = as_role(tenant_a, "recruiter")
    brief = make_brief(tenant_a, in_tenant)
    submitted = recruiter.http.post(
        url("submission_new", brief.public_id), submission_form_data(), follow=True
    )
    with in_tenant(tenant_a):
        submission = Submission.objects.get(brief=brief)
    withdrawn = recruiter.http.post(
        url("submission_withdraw", submission.public_id),
        {"reason": "Took another offer."},
        follow=True,
    )
    said = _flash(submitted) + _flash(withdrawn)
    assert len(said) == 2
    with in_tenant(tenant_a):
        assert not Notification.objects.exists()
    for message in said:
        assert "told" not in message.lower() and "notified" not in message.lower(), message
