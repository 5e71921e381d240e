"""What each partner API resource does, through HTTP: briefs, submissions, candidates (with
audited PII reads), scorecards written on an interviewer's behalf, shortlists, the event feed
and webhook subscriptions."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from api.endpoints import events as events_endpoint
from api.models import WebhookDelivery, WebhookSubscription
from audit.actors import Actor
from audit.models import AuditEntry
from hiring.models import BriefShare, RoleBrief, Submission
from hiring.services.privacy import candidate_erase
from outbox.models import OutboxEvent
from scoring.models import Scorecard
from tenants.models import ClientRole
from tests.api_support import (
    World,
    api,
    build_world,
    make_key,
    send,
    submission_body,
)
from tests.factories import (
    SAFETY_CHECKLIST,
    AgencyFactory,
    ClientMembershipFactory,
    OutboxEventFactory,
    ShortlistFactory,
    UserFactory,
)


@pytest.fixture
def world(tenant_a: Any, tenant_b: Any, db: None) -> World:
    return build_world(tenant_a, tenant_b)


@pytest.fixture(autouse=True)
def _events_visible_at_once(monkeypatch: Any) -> None:
    monkeypatch.setattr(events_endpoint, "EVENT_FEED_SETTLE_SECONDS", 0)


def in_tenant(world: World) -> Any:
    return schema_context(world.tenant.schema_name)


# --- briefs -----------------------------------------------------------------------------------


def test_client_creates_edits_opens_and_closes_a_brief(world: World) -> None:
    http = api(world.tenant, world.raw("client"))
    created = send(
        http,
        "POST",
        "/api/v1/briefs/",
        {"title": "RAG engineer", "track": "ai_ml_engineer", "needs": ["genai"]},
    )
    assert created.status_code == 201, created.content
    brief = created.json()
    assert brief["status"] == "draft" and brief["is_genai"] is True
    assert brief["readiness"]["ready"] is False
    assert {gap["field"] for gap in brief["readiness"]["gaps"]} >= {
        "business_goal",
        "eval_groundedness",
    }
    # GenAI briefs get the default security floor.
    assert brief["scorecard_floors"]["D"] >= 1
    path = f"/api/v1/briefs/{brief['id']}/"
    patched = send(http, "PATCH", path, {"headcount": 2, "rate_min": "80", "rate_max": "60"})
    assert patched.status_code == 400
    assert "rate_max" in patched.json()["errors"]
    patched = send(http, "PATCH", path, {"headcount": 2, "location": "Lisbon"})
    assert patched.status_code == 200 and patched.json()["headcount"] == 2
    # A GenAI brief's safety checklist cannot be overridden (tests/test_api_brief_proof.py);
    # with it answered, the other gaps can.
    patched = send(http, "PATCH", path, SAFETY_CHECKLIST)
    assert patched.status_code == 200, patched.content
    # Not ready: opening needs a reason for the override, which is audited.
    refused = send(http, "POST", f"{path}open/", {})
    assert refused.status_code == 400
    assert "readiness" in refused.json()["errors"]
    opened = send(
        http,
        "POST",
        f"{path}open/",
        {
            "agencies": [str(world.agency_a.public_id)],
            "override_reason": "Pilot: details follow after the kickoff call.",
        },
    )
    assert opened.status_code == 200, opened.content
    assert opened.json()["status"] == "open" and opened.json()["readiness_overridden"] is True
    with in_tenant(world):
        stored = RoleBrief.objects.get(public_id=brief["id"])
        assert list(
            BriefShare.objects.filter(brief=stored).values_list("agency_id", flat=True)
        ) == [world.agency_a.pk]
        audit = AuditEntry.objects.filter(action="brief.readiness_overridden").get()
        assert audit.actor_kind == "api_key" and audit.actor_ref == world.key("client").prefix
    # Agency A sees it now, agency B does not.
    assert api(world.tenant, world.raw("agency_a")).get(path).status_code == 200
    assert api(world.tenant, world.raw("agency_b")).get(path).status_code == 404
    closed = send(http, "POST", f"{path}status/", {"status": "closed", "reason": "Budget cut."})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    conflict = send(http, "PATCH", path, {"title": "Too late"})
    assert conflict.status_code == 409 and conflict.json()["code"] == "brief_closed"
    again = send(http, "POST", f"{path}status/", {"status": "on_hold"})
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"


def test_opening_for_an_agency_without_active_engagement_is_400(world: World) -> None:
    http = api(world.tenant, world.raw("client"))
    stranger = AgencyFactory()
    response = send(
        http,
        "POST",
        f"/api/v1/briefs/{world.id_of('brief_draft')}/open/",
        {"agencies": [str(stranger.public_id)]},
    )
    assert response.status_code == 400
    assert "agencies" in response.json()["errors"]


def test_agencies_see_open_shared_briefs_without_client_internals(world: World) -> None:
    rows = api(world.tenant, world.raw("agency_a")).get("/api/v1/briefs/").json()["results"]
    assert {row["id"] for row in rows} == {world.id_of("brief_all"), world.id_of("brief_a_only")}
    for row in rows:
        assert "readiness" not in row and "shared_with_all_engaged" not in row
    client_rows = api(world.tenant, world.raw("client")).get("/api/v1/briefs/").json()["results"]
    assert len(client_rows) == 4 and all("readiness" in row for row in client_rows)


def test_brief_filters(world: World) -> None:
    http = api(world.tenant, world.raw("client"))
    drafts = http.get("/api/v1/briefs/?status=draft").json()["results"]
    assert [row["id"] for row in drafts] == [world.id_of("brief_draft")]
    assert http.get("/api/v1/briefs/?status=sideways").status_code == 400


# --- submissions --------------------------------------------------------------------------------


def test_agency_submits_with_proof_and_cannot_set_agency_or_stage(world: World) -> None:
    http = api(world.tenant, world.raw("agency_a"))
    body = submission_body(world.id_of("brief_all"))
    body.update(
        agency={"id": str(world.agency_b.public_id)},
        stage="hired",
        id="00000000-0000-0000-0000-000000000001",
    )
    response = send(http, "POST", "/api/v1/submissions/", body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["agency"] == {"id": str(world.agency_a.public_id), "name": "Agency A"}
    assert data["stage"] == "submitted" and data["id"] != body["id"]
    assert data["proof"]["baseline"].startswith("Baseline MAPE")
    assert [h["to_stage"] for h in data["stage_history"]] == ["submitted"]
    with in_tenant(world):
        submission = Submission.objects.get(public_id=data["id"])
        assert submission.agency_id == world.agency_a.pk
        assert submission.submitted_by_user_id is None
        audit = AuditEntry.objects.get(action="submission.created")
        assert audit.actor_ref == world.key("agency_a").prefix
        event = OutboxEvent.objects.get(event_type="submission.created", aggregate_id=data["id"])
        assert event.agency_id == world.agency_a.pk
    # Filters by brief and stage.
    mine = http.get(f"/api/v1/submissions/?brief={world.id_of('brief_all')}&stage=submitted")
    assert {row["id"] for row in mine.json()["results"]} == {world.id_of("sub_a"), data["id"]}


def test_duplicate_and_foreign_ownership_are_409(world: World) -> None:
    body = submission_body(world.id_of("brief_all"))
    first = send(api(world.tenant, world.raw("agency_a")), "POST", "/api/v1/submissions/", body)
    assert first.status_code == 201
    again = send(api(world.tenant, world.raw("agency_a")), "POST", "/api/v1/submissions/", body)
    assert again.status_code == 409 and again.json()["code"] == "duplicate_submission"
    body_b = submission_body(world.id_of("brief_all"))
    taken = send(api(world.tenant, world.raw("agency_b")), "POST", "/api/v1/submissions/", body_b)
    assert taken.status_code == 409
    assert taken.json()["code"] == "candidate_owned_by_another_agency"
    assert "another agency" in taken.json()["detail"]


def test_brief_not_open_to_the_agency_is_a_field_error(world: World) -> None:
    http = api(world.tenant, world.raw("agency_b"))
    response = send(
        http, "POST", "/api/v1/submissions/", submission_body(world.id_of("brief_a_only"))
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "brief": ["No open brief with this id is shared with you."]
    }


def test_client_moves_stages_with_reason_and_agency_follows(world: World) -> None:
    client = api(world.tenant, world.raw("client"))
    path = f"/api/v1/submissions/{world.id_of('sub_a')}/move-stage/"
    no_reason = send(client, "POST", path, {"stage": "rejected"})
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["errors"]
    invalid = send(client, "POST", path, {"stage": "hired"})
    assert invalid.status_code == 409 and invalid.json()["code"] == "invalid_transition"
    moved = send(client, "POST", path, {"stage": "rejected", "reason": "Rate above budget."})
    assert moved.status_code == 200 and moved.json()["stage"] == "rejected"
    agency = api(world.tenant, world.raw("agency_a"))
    seen = agency.get(f"/api/v1/submissions/{world.id_of('sub_a')}/").json()
    assert seen["stage_history"][-1] == {
        "from_stage": "submitted",
        "to_stage": "rejected",
        "reason": "Rate above budget.",
        "occurred_at": seen["stage_history"][-1]["occurred_at"],
    }


def test_agency_withdraws_its_own_submission(world: World) -> None:
    http = api(world.tenant, world.raw("agency_a"))
    path = f"/api/v1/submissions/{world.id_of('sub_a')}/withdraw/"
    response = send(http, "POST", path, {"reason": "Accepted another offer."})
    assert response.status_code == 200 and response.json()["stage"] == "withdrawn"
    again = send(http, "POST", path, {})
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"


# --- candidates -------------------------------------------------------------------------------


def test_candidate_reads_are_audited_one_entry_per_candidate_shown(world: World) -> None:
    http = api(world.tenant, world.raw("client"))
    prefix = world.key("client").prefix
    rows = http.get("/api/v1/candidates/").json()["results"]
    assert {version["email"] for row in rows for version in row["versions"]} == {
        world.objects["sub_a"].email,
        world.objects["sub_b"].email,
    }
    row_a = next(row for row in rows if row["id"] == world.id_of("cand_a"))
    assert row_a["represented_by"]["agency"]["name"] == "Agency A"
    assert [version["submission"] for version in row_a["versions"]] == [world.id_of("sub_a")]
    assert row_a["versions"][0]["agency"]["name"] == "Agency A"
    detail = http.get(f"/api/v1/candidates/{world.id_of('cand_b')}/")
    assert detail.status_code == 200
    with in_tenant(world):
        reads = AuditEntry.objects.filter(action="candidate.pii_viewed")
        assert reads.count() == 3
        assert set(reads.values_list("actor_kind", "actor_ref")) == {("api_key", prefix)}
        assert {entry.details["purpose"] for entry in reads} == {"api_candidate"}
        assert sorted(reads.values_list("object_id", flat=True)) == sorted(
            [world.id_of("cand_a"), world.id_of("cand_b"), world.id_of("cand_b")]
        )
        for entry in reads:
            assert world.objects["sub_a"].email not in str(entry.details)


def test_erased_candidates_show_nothing_personal_and_are_not_recorded(world: World) -> None:
    with in_tenant(world):
        candidate_erase(
            actor=Actor.system("tests"), candidate=world.objects["cand_a"], reason="request"
        )
    http = api(world.tenant, world.raw("client"))
    data = http.get(f"/api/v1/candidates/{world.id_of('cand_a')}/").json()
    assert data["erased"] is True
    assert [(v["email"], v["phone"]) for v in data["versions"]] == [("", "")]
    assert data["versions"][0]["full_name"] == data["full_name"]
    with in_tenant(world):
        assert not AuditEntry.objects.filter(action="candidate.pii_viewed").exists()


# --- scorecards -------------------------------------------------------------------------------


def test_client_key_writes_a_scorecard_on_behalf_of_an_assigned_interviewer(
    world: World,
) -> None:
    http = api(world.tenant, world.raw("client"))
    third = world.people["third"]
    created = send(
        http,
        "POST",
        "/api/v1/scorecards/",
        {
            "submission": world.id_of("sub_a"),
            "interviewer": str(third.public_id),
            "scores": {"A": 4, "B": 5},
            "evidence": {"B": "Showed their data validation suite and leakage checks."},
            "summary": "Strong on data.",
        },
    )
    assert created.status_code == 201, created.content
    card = created.json()
    assert card["status"] == "draft" and card["scores"]["B"] == 5
    assert card["interviewer"] == {"id": str(third.public_id), "name": third.display_name}
    with in_tenant(world):
        entry = AuditEntry.objects.get(action="scorecard.saved", object_id=card["id"])
        assert entry.actor_kind == "api_key"
        assert entry.actor_user_id == third.pk
        assert entry.actor_ref == world.key("client").prefix
    path = f"/api/v1/scorecards/{card['id']}/"
    # An unknown category is refused and named, never silently dropped.
    unknown = send(http, "PATCH", path, {"scores": {"A": 3, "F": 1}, "evidence": {"a": "x"}})
    assert unknown.status_code == 400, unknown.content
    assert {"scores.F", "evidence.a"} <= set(unknown.json()["errors"]), unknown.json()
    assert send(http, "GET", path, None).json()["scores"]["A"] == 4
    incomplete = send(http, "PATCH", path, {"submit": True})
    assert incomplete.status_code == 400
    assert "recommendation" in incomplete.json()["errors"]
    submitted = send(http, "PATCH", path, {"recommendation": "yes", "submit": True})
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    final = send(http, "PATCH", path, {"summary": "Changed my mind."})
    assert final.status_code == 409 and final.json()["code"] == "scorecard_submitted"
    with in_tenant(world):
        assert OutboxEvent.objects.filter(event_type="scorecard.submitted").count() == 1


def test_a_key_reads_the_drafts_it_wrote_from_the_scorecard_itself_not_the_audit_trail(
    world: World,
) -> None:
    """The key that wrote a draft is a column of the scorecard: the audit trail is only a
    record, so emptying it changes nothing about who reads the draft."""
    draft_id = world.id_of("card_key_draft")
    with in_tenant(world):
        card = Scorecard.objects.get(public_id=draft_id)
        assert card.written_by_api_key_id == world.key("client").pk
        AuditEntry.objects.all().delete()
    listed = send(api(world.tenant, world.raw("client")), "GET", "/api/v1/scorecards/", None)
    assert draft_id in {row["id"] for row in listed.json()["results"]}
    _, other_raw = make_key(world.tenant, name="Second HR system")
    other = send(api(world.tenant, other_raw), "GET", "/api/v1/scorecards/", None)
    ids = {row["id"] for row in other.json()["results"]}
    assert draft_id not in ids and world.id_of("card_submitted") in ids
    path = f"/api/v1/scorecards/{draft_id}/"
    assert send(api(world.tenant, other_raw), "GET", path, None).status_code == 404


def test_scorecard_interviewer_must_be_an_assigned_member(world: World) -> None:
    http = api(world.tenant, world.raw("client"))
    outsider = UserFactory()
    member_not_assigned = UserFactory()
    ClientMembershipFactory(
        user=member_not_assigned, client=world.tenant, role=ClientRole.INTERVIEWER
    )
    for person in (outsider, member_not_assigned):
        response = send(
            http,
            "POST",
            "/api/v1/scorecards/",
            {"submission": world.id_of("sub_b"), "interviewer": str(person.public_id)},
        )
        assert response.status_code == 400
        assert list(response.json()["errors"]) == ["interviewer"]
    existing = send(
        http,
        "POST",
        "/api/v1/scorecards/",
        {
            "submission": world.id_of("sub_b"),
            "interviewer": str(world.people["interviewer"].public_id),
        },
    )
    assert existing.status_code == 409 and existing.json()["code"] == "scorecard_exists"


def test_blind_scoring_holds_for_keys(world: World) -> None:
    own = {
        row["id"]
        for row in api(world.tenant, world.raw("client"))
        .get("/api/v1/scorecards/")
        .json()["results"]
    }
    assert own == {world.id_of("card_submitted"), world.id_of("card_key_draft")}
    _, another_raw = make_key(world.tenant, name="Another client system")
    theirs = {
        row["id"]
        for row in api(world.tenant, another_raw).get("/api/v1/scorecards/").json()["results"]
    }
    assert theirs == {world.id_of("card_submitted")}
    response = api(world.tenant, another_raw).get(
        f"/api/v1/scorecards/{world.id_of('card_key_draft')}/"
    )
    assert response.status_code == 404


# --- shortlists -------------------------------------------------------------------------------


def test_shortlists_list_the_latest_snapshot_per_brief(world: World) -> None:
    with in_tenant(world):
        v1 = world.objects["shortlist"]
        v2 = ShortlistFactory(brief=v1.brief, version=2)
        other = ShortlistFactory(brief=world.objects["brief_a_only"], version=1)
    http = api(world.tenant, world.raw("client"))
    rows = http.get("/api/v1/shortlists/").json()["results"]
    assert {row["id"] for row in rows} == {str(v2.public_id), str(other.public_id)}
    by_brief = http.get(f"/api/v1/shortlists/?brief={world.id_of('brief_all')}").json()
    assert [row["version"] for row in by_brief["results"]] == [2]
    old = http.get(f"/api/v1/shortlists/{v1.public_id}/").json()
    assert old["version"] == 1
    assert old["entries"][0]["submission"] == world.id_of("sub_a")
    assert old["entries"][0]["agency"]["name"] == "Agency A"


# --- events -------------------------------------------------------------------------------------


def test_event_feed_shows_each_key_what_it_may_see(world: World) -> None:
    client_ids = {
        row["id"]
        for row in api(world.tenant, world.raw("client")).get("/api/v1/events/").json()["results"]
    }
    assert client_ids == {
        world.id_of("event_a"),
        world.id_of("event_b"),
        world.id_of("event_client"),
    }
    agency_rows = api(world.tenant, world.raw("agency_a")).get("/api/v1/events/").json()
    assert [row["id"] for row in agency_rows["results"]] == [world.id_of("event_a")]
    assert agency_rows["results"][0]["type"] == "submission.created"


def test_event_feed_resumes_from_a_cursor_and_filters_by_type(world: World) -> None:
    http = api(world.tenant, world.raw("client"))
    first = http.get("/api/v1/events/").json()
    cursor = first["next_cursor"]
    with in_tenant(world):
        new = OutboxEventFactory(event_type="brief.updated", aggregate_type="brief")
    later = http.get(f"/api/v1/events/?cursor={cursor}").json()
    assert [row["id"] for row in later["results"]] == [str(new.public_id)]
    typed = http.get("/api/v1/events/?type=brief.updated,brief.opened").json()["results"]
    assert {row["type"] for row in typed} == {"brief.updated", "brief.opened"}


def test_fresh_events_wait_for_the_settle_delay(world: World, monkeypatch: Any) -> None:
    monkeypatch.setattr(events_endpoint, "EVENT_FEED_SETTLE_SECONDS", 5)
    with in_tenant(world):
        OutboxEvent.objects.update(created_at=timezone.now() - dt.timedelta(seconds=10))
        fresh = OutboxEventFactory(event_type="brief.updated")
    ids = {
        row["id"]
        for row in api(world.tenant, world.raw("client")).get("/api/v1/events/").json()["results"]
    }
    assert str(fresh.public_id) not in ids and len(ids) == 3


# --- webhooks -----------------------------------------------------------------------------------


def test_webhook_lifecycle_through_the_api(world: World) -> None:
    http = api(world.tenant, world.raw("agency_a"))
    created = send(
        http,
        "POST",
        "/api/v1/webhooks/",
        {
            "url": "https://93.184.215.14/partner/hooks",
            "event_types": ["submission.stage_changed"],
            "description": "ATS",
        },
    )
    assert created.status_code == 201, created.content
    hook = created.json()
    assert hook["secret"].startswith("whsec_")
    path = f"/api/v1/webhooks/{hook['id']}/"
    shown = http.get(path).json()
    assert "secret" not in shown and shown["event_types"] == ["submission.stage_changed"]
    listed = {row["id"] for row in http.get("/api/v1/webhooks/").json()["results"]}
    assert listed == {hook["id"], world.id_of("hook_agency_a")}
    rotated = send(http, "POST", f"{path}rotate-secret/", None)
    assert rotated.status_code == 200
    assert rotated.json()["secret"].startswith("whsec_")
    assert rotated.json()["secret"] != hook["secret"]
    tested = send(http, "POST", f"{path}test/", None)
    assert tested.status_code == 202
    assert tested.json()["event"]["type"] == "webhook.test"
    deliveries = http.get(f"{path}deliveries/").json()["results"]
    assert [d["id"] for d in deliveries] == [tested.json()["id"]]
    # A test delivery is not a change in the workspace: the event feed leaves it out.
    feed = http.get("/api/v1/events/").json()["results"]
    assert "webhook.test" not in {row["type"] for row in feed}
    assert http.get(f"{path}deliveries/?limit=500").status_code == 400
    assert http.delete(path).status_code == 204
    assert http.get(path).status_code == 404
    with in_tenant(world):
        assert not WebhookSubscription.objects.filter(public_id=hook["id"]).exists()
        assert not WebhookDelivery.objects.filter(public_id=tested.json()["id"]).exists()


def test_agency_keys_may_subscribe_only_to_agency_events(world: World) -> None:
    http = api(world.tenant, world.raw("agency_a"))
    response = send(
        http,
        "POST",
        "/api/v1/webhooks/",
        {"url": "https://93.184.215.14/h", "event_types": ["scorecard.submitted"]},
    )
    assert response.status_code == 400 and "event_types" in response.json()["errors"]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "https://10.0.0.5/hook",
        "https://169.254.169.254/latest",
        "https://localhost/hook",
        "https://[::1]/hook",
        "ftp://93.184.215.14/hook",
    ],
)
def test_webhook_targets_on_private_addresses_are_refused(world: World, url: str) -> None:
    response = send(
        api(world.tenant, world.raw("client")), "POST", "/api/v1/webhooks/", {"url": url}
    )
    assert response.status_code == 400, response.content
    assert "url" in response.json()["errors"]
