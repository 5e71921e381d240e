"""Control characters are refused where text enters the product; e-mail subjects are built so
that no stored text can break them; a NUL byte anywhere in a request never reaches a view."""

import datetime as dt
import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_tenants.utils import schema_context

from audit.actors import Actor
from hiring.models import BriefStatus, RoleBrief
from hiring.services.briefs import brief_create
from hiring.text import line_text_clean, long_text_clean, subject_line
from notifications.reminders.run import reminders_send_due
from tests.api_support import PROBLEM, World, api, build_world, send, submission_body
from tests.conftest import http_client
from tests.factories import (
    AgencyFactory,
    AgencyMembershipFactory,
    EngagementFactory,
    RoleBriefFactory,
    UserFactory,
    ready_brief_data,
)
from tests.test_pages_hiring import brief_form_data, page_text, url

pytestmark = pytest.mark.django_db

BREAKS = ["Title\r\nBcc: everyone@evil.example", "Title\nSecond line", "Title\rX", "A\u2028B"]
CONTROLS = ["bell\x07", "nul\x00byte", "esc\x1b[31m", "del\x7f", "c1\x85next", "c1\x9b"]


# --- the checker ------------------------------------------------------------------------------


@pytest.mark.parametrize("value", BREAKS + CONTROLS)
def test_one_line_text_refuses_line_breaks_and_control_characters(value):
    with pytest.raises(ValidationError):
        line_text_clean(value)


def test_one_line_text_keeps_ordinary_text_and_trims_it():
    assert line_text_clean("  Zoë O'Brien-Łukasz  ") == "Zoë O'Brien-Łukasz"
    assert line_text_clean(None) == ""


@pytest.mark.parametrize("value", CONTROLS)
def test_long_text_refuses_control_characters(value):
    with pytest.raises(ValidationError):
        long_text_clean(value)


def test_long_text_keeps_newlines_and_tabs_and_reads_crlf_as_a_newline():
    assert long_text_clean(" first\r\nsecond\rthird\n\tindented ") == (
        "first\nsecond\nthird\n\tindented"
    )


def test_a_subject_line_survives_any_text():
    assert subject_line("Brief closing: Title\r\nBcc: x@y\x00\x07  z") == (
        "Brief closing: Title Bcc: x@y z"
    )
    long = subject_line("word " * 100)
    assert len(long) <= 150 and long.endswith("…")
    assert subject_line("\n\r\t") == ""


# --- briefs: the page, the service and the API ------------------------------------------------


@pytest.mark.parametrize("title", BREAKS[:2])
def test_a_brief_title_with_a_line_break_is_refused_on_the_page(tenant_a, as_role, title):
    response = as_role(tenant_a, "admin").http.post(url("brief_new"), brief_form_data(title=title))
    assert response.status_code == 200
    text = page_text(response)
    block = re.search(r'id="field-title".*?</div>', text, re.S)
    assert block is not None and "one line" in block.group(0)
    with schema_context(tenant_a.schema_name):
        assert not RoleBrief.objects.exists()


def test_the_brief_service_checks_every_text_field(tenant_a):
    actor = Actor.for_user(UserFactory())
    with schema_context(tenant_a.schema_name):
        with pytest.raises(ValidationError) as refused:
            brief_create(
                actor=actor,
                data=ready_brief_data(
                    kpi_target="25%\nfewer",
                    post_launch_owner="Team\x00A",
                    business_goal="Forecast\x07 demand",
                    location="Berlin\r\n",
                ),
            )
        assert set(refused.value.message_dict) == {
            "kpi_target",
            "post_launch_owner",
            "business_goal",
        }
        brief = brief_create(
            actor=actor,
            data=ready_brief_data(business_goal="Line one\r\nLine two\twith a tab"),
        )
        assert brief.business_goal == "Line one\nLine two\twith a tab"


@pytest.fixture
def world(tenant_a: Any, tenant_b: Any) -> World:
    return build_world(tenant_a, tenant_b)


def _problem_fields(response: Any) -> set[str]:
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["code"] == "validation_error"
    return set(body["errors"])


def test_the_api_refuses_a_line_break_in_a_brief_title(world: World) -> None:
    http = api(world.tenant, world.raw("client"))
    body = {**ready_brief_data(), "title": "Title\r\nBcc: x@evil.example"}
    assert _problem_fields(send(http, "POST", "/api/v1/briefs/", body)) == {"title"}
    with schema_context(world.tenant.schema_name):
        assert not RoleBrief.objects.filter(title__contains="Bcc").exists()


@pytest.mark.parametrize(
    ("where", "value", "field"),
    [
        ("candidate.full_name", "Ada\r\nBcc: x@evil.example", "candidate.full_name"),
        ("candidate.full_name", "Ada\x00Lovelace", "candidate.full_name"),
        ("proof.baseline", "Baseline\x07 was 31%", "proof.baseline"),
        ("candidate.skills", ["python", "sql\x1b"], "candidate.skills.1"),
    ],
)
def test_the_api_names_the_field_that_holds_a_control_character(
    world: World, where: str, value: Any, field: str
) -> None:
    body = submission_body(world.id_of("brief_all"), email="ctl@example.test")
    section, key = where.split(".")
    body[section][key] = value
    http = api(world.tenant, world.raw("agency_a"))
    assert field in _problem_fields(send(http, "POST", "/api/v1/submissions/", body))


def test_the_api_keeps_newlines_in_long_text(world: World) -> None:
    body = submission_body(world.id_of("brief_all"), email="multi@example.test")
    body["proof"]["baseline"] = "Baseline MAPE 31%.\r\nMeasured over\tsix months."
    http = api(world.tenant, world.raw("agency_a"))
    response = send(http, "POST", "/api/v1/submissions/", body)
    assert response.status_code == 201, response.content


def test_a_nul_in_a_json_key_is_refused(world: World) -> None:
    http = api(world.tenant, world.raw("client"))
    response = http.post(
        "/api/v1/briefs/",
        data='{"title\\u0000": "x"}',
        content_type="application/json",
    )
    assert response.status_code == 400 and response["Content-Type"] == PROBLEM


# --- a NUL byte anywhere in a request -----------------------------------------------------------


def test_a_nul_in_a_path_without_signing_in_is_refused(tenant_a):
    response = http_client(tenant=tenant_a).get("/accounts/unsubscribe/x%00y/")
    assert response.status_code in (400, 404)
    response = http_client(tenant=tenant_a).post("/accounts/unsubscribe/x%00y/")
    assert response.status_code in (400, 404)


def test_a_nul_in_a_query_string_or_form_field_is_refused(tenant_a, as_role):
    manager = as_role(tenant_a, "hiring_manager")
    assert manager.http.get(reverse("hiring:brief_list") + "?status=open%00").status_code == 400
    assert manager.http.get(reverse("hiring:brief_list") + "?x%00=1").status_code == 400
    signed_in = manager.http.post(url("brief_new"), brief_form_data(title="Nul\x00title"))
    assert signed_in.status_code == 400
    anonymous = http_client().post("/accounts/login/", {"username": "a\x00@b.c", "password": "x"})
    assert anonymous.status_code == 400


def test_a_nul_in_an_api_address_is_a_problem_document(world: World) -> None:
    http = api(world.tenant, world.raw("client"))
    for path in ("/api/v1/briefs/x%00y/", "/api/v1/briefs/?track=%00"):
        response = http.get(path)
        assert response.status_code == 400 and response["Content-Type"] == PROBLEM


# --- subjects -----------------------------------------------------------------------------------


def test_a_stored_title_with_a_line_break_no_longer_stops_the_email(
    tenant_a, mailoutbox, django_capture_on_commit_callbacks
):
    """A title stored before titles were checked: the reminder quoting it is still sent, with
    the title folded onto the subject line."""
    now = dt.datetime(2024, 6, 12, 10, 0, tzinfo=dt.UTC)  # a Wednesday, working hours
    with schema_context(tenant_a.schema_name):
        agency = AgencyFactory()
        EngagementFactory(client=tenant_a, agency=agency)
        recruiter = AgencyMembershipFactory(agency=agency).user
        RoleBriefFactory(
            title="Forecasting\r\nBcc: everyone@evil.example",
            status=BriefStatus.OPEN,
            deadline=now.date() + dt.timedelta(days=2),
            shared_with_all_engaged=True,
        )
        with django_capture_on_commit_callbacks(execute=True):
            reminders_send_due(now=now)
    sent = [m for m in mailoutbox if recruiter.email in m.to]
    assert len(sent) == 1
    assert sent[0].subject == "Brief closing in 2 days: Forecasting Bcc: everyone@evil.example"
    assert "everyone@evil.example" not in sent[0].message().get_all("Bcc", [])
