"""The partner API's decisions, agency analytics and kits: behaviour beyond the authorization
matrix (tests/test_api_matrix.py): the decision service behind POST, isolation between
workspaces and agencies, the vendor scorecards in the analytics, kit versions, and the OpenAPI
examples."""

import json
from typing import Any

import pytest
from django_tenants.utils import schema_context

from audit.actors import Actor
from audit.models import AuditEntry
from hiring.models import Stage, Submission
from scoring.models import ShortlistDecision
from scoring.services.kits import kit_question_add
from tests.api_support import World, allow_many_requests, api, build_world, make_key, send
from tests.factories import (
    AgencyAnalyticsFactory,
    InterviewKitVersionFactory,
    ShortlistDecisionFactory,
    ShortlistEntryFactory,
    ShortlistFactory,
    SubmissionFactory,
    UserFactory,
    VendorReviewFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tenant_a: Any, tenant_b: Any, db: None) -> World:
    return build_world(tenant_a, tenant_b)


@pytest.fixture
def generous_rate(settings: Any) -> None:
    allow_many_requests(settings)


def _client(world: World) -> Any:
    return api(world.tenant, world.raw("client"))


# --- decisions -------------------------------------------------------------------------------


def test_a_decision_posted_by_a_key_moves_the_stage_and_is_audited(
    world: World, generous_rate: None
) -> None:
    body = {
        "shortlist": world.id_of("shortlist"),
        "submission": world.id_of("sub_a"),
        "decision": "advance",
        "reason": "Clear production record.",
    }
    response = send(_client(world), "post", "/api/v1/decisions/", body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["decision"] == "advance" and data["resulting_stage"] == Stage.INTERVIEW
    assert data["shortlist_version"] == 1
    with schema_context(world.tenant.schema_name):
        assert Submission.objects.get(pk=world.objects["sub_a"].pk).stage == Stage.INTERVIEW
        entry = AuditEntry.objects.get(action="shortlist.decision.advance")
        assert entry.actor_ref == world.key("client").prefix
        record = ShortlistDecision.objects.get(public_id=data["id"])
        assert record.decided_by_user_id is None
    listed = _client(world).get(f"/api/v1/decisions/?submission={world.id_of('sub_a')}")
    assert [row["id"] for row in listed.json()["results"]] == [
        world.id_of("decision"),
        data["id"],
    ]


def test_decision_refusals_come_from_the_service(world: World, generous_rate: None) -> None:
    http = _client(world)
    no_reason = send(
        http,
        "post",
        "/api/v1/decisions/",
        {
            "shortlist": world.id_of("shortlist"),
            "submission": world.id_of("sub_a"),
            "decision": "reject",
        },
    )
    assert no_reason.status_code == 400
    assert "reason" in json.dumps(no_reason.json())
    with schema_context(world.tenant.schema_name):
        stranger = SubmissionFactory(brief=world.objects["brief_all"])
    not_on_it = send(
        http,
        "post",
        "/api/v1/decisions/",
        {
            "shortlist": world.id_of("shortlist"),
            "submission": str(stranger.public_id),
            "decision": "reject",
            "reason": "Not a fit.",
        },
    )
    assert not_on_it.status_code == 400
    assert "not on this shortlist" in json.dumps(not_on_it.json())
    with schema_context(world.tenant.schema_name):
        below = ShortlistEntryFactory(
            shortlist=world.objects["shortlist"], below_floor=["D"], rank=2
        )
    unconfirmed = send(
        http,
        "post",
        "/api/v1/decisions/",
        {
            "shortlist": world.id_of("shortlist"),
            "submission": str(below.submission.public_id),
            "decision": "advance",
        },
    )
    assert unconfirmed.status_code == 400
    assert {"reason", "confirm"} <= set(json.dumps(unconfirmed.json()).replace('"', " ").split())


def test_another_workspace_s_decisions_and_shortlists_are_not_found(
    world: World, generous_rate: None
) -> None:
    with schema_context(world.other_tenant.schema_name):
        elsewhere = ShortlistDecisionFactory()
        other_shortlist = ShortlistFactory()
    http = _client(world)
    assert http.get(f"/api/v1/decisions/{elsewhere.public_id}/").status_code == 404
    listed = http.get("/api/v1/decisions/").json()["results"]
    assert str(elsewhere.public_id) not in {row["id"] for row in listed}
    refused = send(
        http,
        "post",
        "/api/v1/decisions/",
        {
            "shortlist": str(other_shortlist.public_id),
            "submission": world.id_of("sub_a"),
            "decision": "reject",
            "reason": "Not a fit.",
        },
    )
    assert refused.status_code == 400
    other_key = make_key(world.other_tenant)[1]
    assert (
        api(world.other_tenant, other_key).get(f"/api/v1/decisions/{world.id_of('decision')}/")
    ).status_code == 404


# --- agency analytics --------------------------------------------------------------------------


def test_agency_keys_read_only_their_own_analytics_and_vendor_scorecards(
    world: World, generous_rate: None
) -> None:
    with schema_context(world.tenant.schema_name):
        reviewer = UserFactory()
        for agency in (world.agency_a, world.agency_b):
            VendorReviewFactory(agency=agency, reviewer=reviewer, score_e=5)
        world_rows = {
            row.agency_id: row
            for row in __import__(
                "scoring.models", fromlist=["AgencyAnalytics"]
            ).AgencyAnalytics.objects.all()
        }
        for row in world_rows.values():
            row.figures = {
                **row.figures,
                "scorecards": 3,
                "average_scores": dict.fromkeys("ABCDE", 3.5),
            }
            row.save(update_fields=["figures"])
    agency = api(world.tenant, world.raw("agency_a")).get("/api/v1/agency-analytics/").json()
    assert [row["agency"]["name"] for row in agency["results"]] == ["Agency A"]
    mine = agency["results"][0]
    # Three scorecards are too few for the agency to see its candidates' averages.
    assert mine["candidate_averages"] is None
    assert [review["scores"]["E"] for review in mine["vendor_scorecards"]] == [5]
    assert mine["vendor_scorecards"][0]["mean"] == 3.4
    client = _client(world).get("/api/v1/agency-analytics/").json()["results"]
    assert {row["agency"]["name"] for row in client} == {"Agency A", "Agency B"}
    assert all(row["candidate_averages"]["A"] == 3.5 for row in client)
    assert all(len(row["vendor_scorecards"]) == 1 for row in client)


def test_another_workspace_s_analytics_stay_there(world: World, generous_rate: None) -> None:
    with schema_context(world.other_tenant.schema_name):
        AgencyAnalyticsFactory(agency=world.agency_a, figures={"submissions": 99})
    rows = api(world.tenant, world.raw("agency_a")).get("/api/v1/agency-analytics/").json()
    assert [row["submissions"] for row in rows["results"]] == [1]


# --- kits --------------------------------------------------------------------------------------


def test_kits_list_their_versions_and_the_current_one_per_track(
    world: World, generous_rate: None
) -> None:
    with schema_context(world.tenant.schema_name):
        admin = UserFactory()
        added = kit_question_add(
            actor=Actor.for_user(admin),
            track="ai_ml_engineer",
            category="C",
            kind="probe",
            when="always",
            text="How did you decide a model had to be retrained?",
        )
    http = _client(world)
    current = http.get("/api/v1/kits/?current=true").json()["results"]
    by_track = {kit["track"]: kit for kit in current}
    assert set(by_track) == {"python_developer", "python_ai_developer", "ai_ml_engineer"}
    assert by_track["ai_ml_engineer"]["version"] == 2
    assert by_track["ai_ml_engineer"]["id"] == str(added.public_id)
    assert any(
        q["text"] == "How did you decide a model had to be retrained?"
        and q["origin"] == "workspace"
        for q in by_track["ai_ml_engineer"]["questions"]
    )
    history = http.get("/api/v1/kits/?track=ai_ml_engineer").json()["results"]
    assert [kit["version"] for kit in history] == [1, 2]
    one = http.get(f"/api/v1/kits/{history[0]['id']}/").json()
    assert any(q["tag"] == "role_fit" for q in one["questions"])
    with schema_context(world.other_tenant.schema_name):
        elsewhere = InterviewKitVersionFactory()
    assert http.get(f"/api/v1/kits/{elsewhere.public_id}/").status_code == 404


# --- OpenAPI ---------------------------------------------------------------------------------


def test_the_openapi_document_has_the_new_resources_with_examples(world: World) -> None:
    schema = json.loads(api(world.tenant).get("/api/schema/?format=json").content)
    paths = schema["paths"]
    for path in ("/api/v1/decisions/", "/api/v1/agency-analytics/", "/api/v1/kits/"):
        assert path in paths
    create = paths["/api/v1/decisions/"]["post"]
    assert "decisions:write" in create["description"]
    request_examples = create["requestBody"]["content"]["application/json"]["examples"]
    assert {"Advance", "Reject"} <= set(request_examples)
    assert "examples" in create["responses"]["201"]["content"]["application/json"]
    for path in ("/api/v1/decisions/", "/api/v1/agency-analytics/", "/api/v1/kits/"):
        content = paths[path]["get"]["responses"]["200"]["content"]["application/json"]
        assert content.get("examples"), path
    scopes = schema["components"]["securitySchemes"]["ApiKey"]["description"]
    assert isinstance(scopes, str)


def test_a_scorecard_names_the_kit_version_it_was_scored_with(
    world: World, generous_rate: None
) -> None:
    card = _client(world).get(f"/api/v1/scorecards/{world.id_of('card_key_draft')}/").json()
    with schema_context(world.tenant.schema_name):
        expected = world.objects["card_key_draft"].kit_version
    assert card["kit_version"] == str(expected.public_id)
    kit = _client(world).get(f"/api/v1/kits/{card['kit_version']}/").json()
    assert kit["track"] == world.objects["brief_all"].track and kit["version"] == 1
    # A scorecard from before kits had versions names none.
    submitted = _client(world).get(f"/api/v1/scorecards/{world.id_of('card_submitted')}/").json()
    assert submitted["kit_version"] is None
