"""Conventions every partner endpoint follows: key handling, problem+json errors, limits,
throttling, cursor pagination and incremental sync, public ids only, constant query counts,
the OpenAPI document, and the base class that makes the checks impossible to forget."""

import base64
import datetime as dt
import json
import re
import time
import uuid
from pathlib import Path
from typing import Any

import drf_spectacular_sidecar
import pytest
from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from django_tenants.utils import schema_context
from rest_framework import mixins

from api.authentication import ApiPrincipal
from api.base import PartnerViewSet
from hiring.models import RoleBrief, StageChange, Submission
from tenants.models import ApiKey, ClientRole, EngagementStatus
from tests.api_support import (
    PROBLEM,
    World,
    allow_many_requests,
    api,
    build_world,
    host_of,
    make_key,
    send,
    submission_body,
)
from tests.factories import (
    CandidateFactory,
    RoleBriefFactory,
    StageChangeFactory,
    SubmissionFactory,
)
from tests.query_counts import assert_query_count, captured_sql


@pytest.fixture
def world(tenant_a: Any, tenant_b: Any, db: None) -> World:
    return build_world(tenant_a, tenant_b)


@pytest.fixture
def generous_rate(settings: Any) -> None:
    allow_many_requests(settings)


STATICFILES_DIRS = [Path(path) for path in settings.STATICFILES_DIRS]
PROBLEM_KEYS = {"type", "title", "status", "detail", "code", "errors"}


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert set(body) == PROBLEM_KEYS
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == f"https://docs.aihiring.example/problems/{code}"
    assert body["title"] and body["detail"]
    assert isinstance(body["errors"], dict)
    return body


# --- keys ---------------------------------------------------------------------------------------


def test_missing_key_is_401_with_bearer_challenge(world: World) -> None:
    response = api(world.tenant).get("/api/v1/briefs/")
    assert_problem(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ("Bearer ahk_abcdefghijkl_notthesecret", "invalid_key"),
        ("Bearer not-a-key", "invalid_key"),
        ("Basic dXNlcjpwYXNz", "invalid_authorization_header"),
        ("Bearer", "invalid_authorization_header"),
        ("Bearer two parts", "invalid_authorization_header"),
    ],
)
def test_malformed_or_unknown_keys_are_401(world: World, header: str, code: str) -> None:
    http = api(world.tenant, HTTP_AUTHORIZATION=header)
    response = http.get("/api/v1/briefs/")
    assert_problem(response, 401, code)
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_tampered_secret_is_refused(world: World) -> None:
    raw = world.raw("client")
    tampered = raw[:-1] + ("A" if raw[-1] != "A" else "B")
    assert_problem(api(world.tenant, tampered).get("/api/v1/briefs/"), 401, "invalid_key")


@pytest.mark.parametrize("param", ["api_key", "key", "token", "access_token", "apikey"])
def test_keys_in_the_query_string_are_refused_even_with_a_valid_header(
    world: World, param: str
) -> None:
    raw = world.raw("client")
    response = api(world.tenant, raw).get(f"/api/v1/briefs/?{param}={raw}")
    body = assert_problem(response, 401, "key_in_query_string")
    assert "Authorization header" in body["detail"]


def test_a_key_like_value_in_any_query_parameter_is_refused(world: World) -> None:
    raw = world.raw("client")
    response = api(world.tenant, raw).get(f"/api/v1/briefs/?status={raw}")
    assert_problem(response, 401, "key_in_query_string")


def test_revoked_key_is_401(world: World) -> None:
    response = api(world.tenant, world.raw("revoked")).get("/api/v1/briefs/")
    assert_problem(response, 401, "key_revoked")


def test_expired_key_is_401(world: World) -> None:
    api_key, raw = make_key(world.tenant, expires_at=timezone.now() + dt.timedelta(hours=1))
    assert api(world.tenant, raw).get("/api/v1/briefs/").status_code == 200
    ApiKey.objects.filter(pk=api_key.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert_problem(api(world.tenant, raw).get("/api/v1/briefs/"), 401, "key_expired")


def test_a_key_works_only_on_its_own_clients_host(world: World) -> None:
    other_raw = world.raw("other_client")
    response = api(world.tenant, other_raw).get("/api/v1/briefs/")
    assert_problem(response, 401, "key_wrong_host")
    # On its own host the key works, and tenant A's objects do not exist there.
    own = api(world.other_tenant, other_raw)
    assert own.get("/api/v1/briefs/").status_code == 200
    for path in (
        f"/api/v1/briefs/{world.id_of('brief_all')}/",
        f"/api/v1/submissions/{world.id_of('sub_a')}/",
        f"/api/v1/candidates/{world.id_of('cand_a')}/",
    ):
        assert_problem(own.get(path), 404, "not_found")
    connection.set_schema_to_public()


@pytest.mark.parametrize("status", [EngagementStatus.ENDED, EngagementStatus.PAUSED])
def test_agency_key_stops_working_when_the_engagement_is_not_active(
    world: World, status: str
) -> None:
    http = api(world.tenant, world.raw("agency_a"))
    assert http.get("/api/v1/briefs/").status_code == 200
    engagement = world.agency_a.engagements.get(client=world.tenant)
    engagement.status = status
    engagement.save(update_fields=["status"])
    assert_problem(http.get("/api/v1/briefs/"), 403, "engagement_inactive")
    assert_problem(
        send(http, "POST", "/api/v1/submissions/", submission_body(world.id_of("brief_all"))),
        403,
        "engagement_inactive",
    )
    # The other agency is not affected.
    assert api(world.tenant, world.raw("agency_b")).get("/api/v1/briefs/").status_code == 200


def test_the_session_never_authenticates_the_api(world: World, as_role: Any) -> None:
    admin = as_role(world.tenant, ClientRole.ADMIN)
    response = admin.http.get("/api/v1/briefs/")
    assert_problem(response, 401, "not_authenticated")


def test_last_used_at_is_written_at_most_once_a_minute(world: World) -> None:
    api_key, raw = make_key(world.tenant, name="Fresh key")
    assert api_key.last_used_at is None
    http = api(world.tenant, raw)
    http.get("/api/v1/events/")
    api_key.refresh_from_db()
    first = api_key.last_used_at
    assert first is not None
    with captured_sql() as statements:
        http.get("/api/v1/events/")
    assert not [sql for sql in statements if sql.startswith("UPDATE") and "apikey" in sql]
    api_key.refresh_from_db()
    assert api_key.last_used_at == first
    earlier = first - dt.timedelta(minutes=2)
    ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=earlier)
    http.get("/api/v1/events/")
    api_key.refresh_from_db()
    assert api_key.last_used_at > earlier


def test_missing_scope_is_403_and_names_the_scope(world: World) -> None:
    http = api(world.tenant, world.client_key_without("submissions:read"))
    body = assert_problem(http.get("/api/v1/submissions/"), 403, "missing_scope")
    assert "submissions:read" in body["detail"]


def test_wrong_kind_of_key_is_403(world: World) -> None:
    agency = api(world.tenant, world.raw("agency_a"))
    assert_problem(agency.get("/api/v1/candidates/"), 403, "key_kind_not_allowed")
    client = api(world.tenant, world.raw("client"))
    body = submission_body(world.id_of("brief_all"))
    assert_problem(send(client, "POST", "/api/v1/submissions/", body), 403, "key_kind_not_allowed")


# --- errors and limits ------------------------------------------------------------------------


def test_unknown_address_under_api_is_a_problem_document(world: World) -> None:
    http = api(world.tenant, world.raw("client"))
    assert_problem(http.get("/api/v1/nothing-here/"), 404, "not_found")
    body = assert_problem(http.get("/api/v1/briefs"), 404, "not_found")
    assert "slash" in body["detail"]


@pytest.mark.parametrize("object_id", ["not-a-uuid", "123", str(uuid.uuid4())])
def test_unknown_or_malformed_ids_are_404(world: World, object_id: str) -> None:
    http = api(world.tenant, world.raw("client"))
    assert_problem(http.get(f"/api/v1/submissions/{object_id}/"), 404, "not_found")


def test_method_not_allowed_is_405_with_allow(world: World) -> None:
    http = api(world.tenant, world.raw("client"))
    response = http.delete(f"/api/v1/submissions/{world.id_of('sub_a')}/")
    assert_problem(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


def test_body_over_the_limit_is_413(world: World, settings: Any) -> None:
    settings.API_MAX_BODY_BYTES = 2000
    http = api(world.tenant, world.raw("agency_a"))
    body = submission_body(world.id_of("brief_all"))
    body["candidate"]["summary"] = "x" * 3000
    response = send(http, "POST", "/api/v1/submissions/", body)
    assert_problem(response, 413, "body_too_large")
    assert not Submission.objects.filter(candidate__full_name="Ada Lovelace").exists()


@pytest.mark.parametrize(
    ("content_type", "data"),
    [
        ("text/plain", "hello"),
        ("application/x-www-form-urlencoded", "title=x&track=python_developer"),
        ("application/xml", "<brief/>"),
    ],
)
def test_bodies_that_are_not_json_are_415(world: World, content_type: str, data: str) -> None:
    http = api(world.tenant, world.raw("client"))
    response = http.post("/api/v1/briefs/", data=data, content_type=content_type)
    assert_problem(response, 415, "unsupported_media_type")


def test_a_body_without_content_type_is_415(world: World) -> None:
    http = api(world.tenant, world.raw("client"))
    response = http.generic("POST", "/api/v1/briefs/", data=b'{"title": "x"}', content_type="")
    assert_problem(response, 415, "unsupported_media_type")


FUZZ_BODIES = [
    b"{",
    b'{"title": }',
    b"[1, 2",
    b'"just a string"',
    b"123",
    b"null",
    b"true",
    b"[]",
    b"[" * 5000 + b"]" * 5000,
    b"\xff\xfe\xfd",
    b'{"title": "a", "title": NaN}',
    b'{"title": Infinity}',
    b'{"rate_min": 1e400}',
    b'{"title": null, "track": null, "needs": null}',
    b'{"title": {"nested": [null]}, "track": ["python_developer"]}',
    b'{"needs": {"a": 1}, "title": "x", "track": "python_developer"}',
    b'{"needs": [null, 3, {}], "title": "x", "track": "python_developer"}',
    b'{"headcount": 123456789012345678901234567890, "title": "x", "track": "python_developer"}',
    b'{"rate_min": "1e400", "title": "x", "track": "python_developer"}',
    b'{"rate_min": -5, "title": "x", "track": "python_developer"}',
    b'{"scorecard_weights": [1, 2], "title": "x", "track": "python_developer"}',
    b'{"scorecard_weights": {"A": 1e308, "Z": null}, "title": "x", "track": "python_developer"}',
    b'{"deadline": "31/12/2026", "title": "x", "track": "python_developer"}',
    b'{"title": "' + b"x" * 5000 + b'", "track": "python_developer"}',
    b'{"title": "x", "track": "python_developer", "owner_user_id": 1}',
]


@pytest.mark.parametrize("raw", FUZZ_BODIES, ids=lambda b: repr(b[:40]))
def test_malformed_brief_bodies_are_400_never_500(world: World, raw: bytes) -> None:
    http = api(world.tenant, world.raw("client"))
    for method, path in (
        ("POST", "/api/v1/briefs/"),
        ("PATCH", f"/api/v1/briefs/{world.id_of('brief_draft')}/"),
    ):
        response = http.generic(method, path, data=raw, content_type="application/json")
        assert response.status_code == 400, (method, response.content)
        assert response["Content-Type"] == PROBLEM


SUBMISSION_FUZZ = [
    {"brief": None, "candidate": None, "proof": None, "right_to_represent": None},
    {"brief": [], "candidate": [], "proof": "text", "right_to_represent": "maybe"},
    {"brief": "x", "candidate": {"full_name": None}, "proof": {"shipped_solution": None}},
    {"brief": 1e300, "candidate": {"full_name": ["a"]}, "proof": {"links": "not a list"}},
    {"candidate": {"full_name": "A", "email": {"x": 1}, "links": [None]}, "proof": {}},
    {"candidate": {"full_name": "A", "skills": "x" * 100}, "proof": {"links": [1, 2]}},
    {"rate_amount": 10**40, "rate_currency": 12},
    {"rate_amount": "NaN", "candidate": {"full_name": "A", "hobby": "chess"}},
]


@pytest.mark.parametrize("body", SUBMISSION_FUZZ)
def test_malformed_submission_bodies_are_400_never_500(world: World, body: dict[str, Any]) -> None:
    http = api(world.tenant, world.raw("agency_a"))
    full = {**submission_body(world.id_of("brief_all")), **body}
    response = send(http, "POST", "/api/v1/submissions/", full)
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == PROBLEM


@pytest.mark.parametrize(
    ("path_label", "body"),
    [
        ("scorecards", {"submission": None, "interviewer": 5, "scores": {"A": 9, "Q": 1}}),
        ("scorecards", {"submission": "x", "interviewer": "y", "scores": [1], "evidence": 3}),
        ("scorecards", {"scores": {"A": "five"}, "recommendation": {"a": 1}, "submit": "yes?"}),
        ("move", {"stage": None}),
        ("move", {"stage": "hired!", "reason": ["a"]}),
        ("open", {"agencies": "all"}),
        ("open", {"agencies": [None, "x"], "override_reason": 12}),
        ("status", {"status": "open"}),
        ("webhooks", {"url": None, "event_types": "all"}),
        ("webhooks", {"url": "https://93.184.215.14/x", "event_types": [None, 1]}),
        ("webhooks", {"url": "http://127.0.0.1:8000/hook"}),
        ("webhooks", {"url": "https://169.254.169.254/latest/meta-data"}),
    ],
)
def test_malformed_bodies_of_other_writes_are_400(
    world: World, path_label: str, body: dict[str, Any]
) -> None:
    paths = {
        "scorecards": ("POST", "/api/v1/scorecards/"),
        "move": ("POST", f"/api/v1/submissions/{world.id_of('sub_a')}/move-stage/"),
        "open": ("POST", f"/api/v1/briefs/{world.id_of('brief_draft')}/open/"),
        "status": ("POST", f"/api/v1/briefs/{world.id_of('brief_all')}/status/"),
        "webhooks": ("POST", "/api/v1/webhooks/"),
    }
    method, path = paths[path_label]
    response = send(api(world.tenant, world.raw("client")), method, path, body)
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == PROBLEM


def test_field_errors_are_listed_by_field_with_dotted_paths(world: World) -> None:
    http = api(world.tenant, world.raw("agency_a"))
    body = submission_body(world.id_of("brief_all"))
    body["candidate"] = {"full_name": "", "email": "not-an-email"}
    body["proof"] = {"shipped_solution": "too short"}
    problem = assert_problem(
        send(http, "POST", "/api/v1/submissions/", body), 400, "validation_error"
    )
    assert "candidate.full_name" in problem["errors"]
    # Rule errors from the service are mapped onto the same paths.
    body["candidate"] = {"full_name": "Ada", "email": "not-an-email"}
    problem = assert_problem(
        send(http, "POST", "/api/v1/submissions/", body), 400, "validation_error"
    )
    assert set(problem["errors"]) >= {"candidate.email", "proof.shipped_solution"}
    assert all(isinstance(m, list) and m for m in problem["errors"].values())


def test_unknown_fields_are_refused_and_read_only_fields_ignored(world: World) -> None:
    http = api(world.tenant, world.raw("client"))
    refused = send(
        http,
        "POST",
        "/api/v1/briefs/",
        {"title": "Data engineer", "track": "python_developer", "tenant": "beta", "owner": 1},
    )
    problem = assert_problem(refused, 400, "validation_error")
    assert set(problem["errors"]) == {"tenant", "owner"}
    given_id = str(uuid.uuid4())
    created = send(
        http,
        "POST",
        "/api/v1/briefs/",
        {
            "title": "Data engineer",
            "track": "python_developer",
            "id": given_id,
            "status": "open",
            "created_at": "2000-01-01T00:00:00Z",
            "readiness_overridden": True,
        },
    )
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["id"] != given_id and data["status"] == "draft"
    assert data["created_at"] > "2020"
    with schema_context(world.tenant.schema_name):
        brief = RoleBrief.objects.get(public_id=data["id"])
        assert brief.status == "draft" and brief.owner_user_id is None


# --- throttling -----------------------------------------------------------------------------


def test_requests_over_the_rate_get_429_with_retry_after(world: World, settings: Any) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_key": "3/min"},
    }
    http = api(world.tenant, world.raw("client"))
    # The window is the clock's minute: do not let the four requests straddle two of them.
    left_in_minute = 60 - time.time() % 60
    if left_in_minute < 5:
        time.sleep(left_in_minute + 0.1)
    statuses = [http.get("/api/v1/events/").status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    response = http.get("/api/v1/events/")
    body = assert_problem(response, 429, "throttled")
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response["Retry-After"] in body["detail"]
    # The limit is per key: another key of the same workspace is not throttled.
    assert api(world.tenant, world.raw("agency_a")).get("/api/v1/events/").status_code == 200


# --- pagination and sync --------------------------------------------------------------------


def _brief_ids(world: World, count: int, **fields: Any) -> list[str]:
    with schema_context(world.tenant.schema_name):
        return [str(RoleBriefFactory(**fields).public_id) for _ in range(count)]


def test_page_size_default_and_maximum(world: World, generous_rate: None) -> None:
    _brief_ids(world, 60)
    http = api(world.tenant, world.raw("client"))
    first = http.get("/api/v1/briefs/").json()
    assert len(first["results"]) == 50 and first["has_more"] is True
    assert first["next"].startswith(f"http://{host_of(world.tenant)}/api/v1/briefs/?cursor=")
    assert len(http.get("/api/v1/briefs/?page_size=200").json()["results"]) == 64
    for bad in ("201", "1000", "0", "-1", "abc"):
        problem = assert_problem(
            http.get(f"/api/v1/briefs/?page_size={bad}"), 400, "validation_error"
        )
        assert "page_size" in problem["errors"]


def test_walking_pages_is_stable_under_inserts_and_updates(world: World) -> None:
    http = api(world.tenant, world.raw("client"))
    original = _brief_ids(world, 7, track="ai_ml_engineer")
    seen: list[str] = []
    inserted: list[str] = []
    url = "/api/v1/briefs/?page_size=3&track=ai_ml_engineer"
    pages = 0
    while url:
        page = http.get(url).json()
        seen += [row["id"] for row in page["results"]]
        pages += 1
        if pages == 1:
            # Between pages: new briefs arrive and an already-read brief changes.
            inserted = _brief_ids(world, 2, track="ai_ml_engineer")
            with schema_context(world.tenant.schema_name):
                RoleBrief.objects.filter(public_id=seen[0]).update(updated_at=timezone.now())
        url = page["next"]
    assert set(original) <= set(seen)
    assert seen.count(original[1]) == 1 and seen.count(original[2]) == 1
    # New and changed rows come after everything that was there, in change order.
    assert seen[-3:] == [*inserted, seen[0]]
    assert len(seen) == len(original) + len(inserted) + 1


def test_next_cursor_returns_only_later_changes(world: World) -> None:
    http = api(world.tenant, world.raw("client"))
    first = http.get("/api/v1/submissions/?page_size=200").json()
    assert not first["has_more"] and first["next"] is None
    cursor = first["next_cursor"]
    assert http.get(f"/api/v1/submissions/?cursor={cursor}").json()["results"] == []
    with schema_context(world.tenant.schema_name):
        Submission.objects.filter(pk=world.objects["sub_b"].pk).update(updated_at=timezone.now())
    later = http.get(f"/api/v1/submissions/?cursor={cursor}").json()
    assert [row["id"] for row in later["results"]] == [world.id_of("sub_b")]


def test_updated_after_filters_every_list(world: World, monkeypatch: Any) -> None:
    from api.endpoints import events as events_endpoint

    monkeypatch.setattr(events_endpoint, "EVENT_FEED_SETTLE_SECONDS", 0)
    http = api(world.tenant, world.raw("client"))
    future = (timezone.now() + dt.timedelta(hours=1)).isoformat()
    past = (timezone.now() - dt.timedelta(days=1)).isoformat()
    for resource in (
        "briefs",
        "submissions",
        "candidates",
        "scorecards",
        "shortlists",
        "events",
        "webhooks",
    ):
        everything = http.get(f"/api/v1/{resource}/", {"updated_after": past}).json()
        assert everything["results"], resource
        assert http.get(f"/api/v1/{resource}/", {"updated_after": future}).json()["results"] == []


def test_updated_after_keeps_only_later_rows_and_reads_a_space_as_plus(world: World) -> None:
    http = api(world.tenant, world.raw("client"))
    with schema_context(world.tenant.schema_name):
        cutoff = timezone.now()
        Submission.objects.filter(pk=world.objects["sub_a"].pk).update(
            updated_at=cutoff + dt.timedelta(seconds=1)
        )
    unencoded = cutoff.isoformat().replace("+", " ")  # "+00:00" sent unencoded
    rows = http.get(f"/api/v1/submissions/?updated_after={unencoded}").json()["results"]
    assert [row["id"] for row in rows] == [world.id_of("sub_a")]


@pytest.mark.parametrize("value", ["yesterday", "2026-13-01T00:00:00Z", "2026-01-01T10:00:00"])
def test_invalid_updated_after_is_400(world: World, value: str) -> None:
    http = api(world.tenant, world.raw("client"))
    problem = assert_problem(
        http.get("/api/v1/briefs/", {"updated_after": value}), 400, "validation_error"
    )
    assert "updated_after" in problem["errors"]


def test_invalid_or_foreign_cursor_is_400(world: World) -> None:
    http = api(world.tenant, world.raw("client"))
    briefs_cursor = http.get("/api/v1/briefs/?page_size=1").json()["next_cursor"]
    for cursor in ("garbage", "eyJyIjoxfQ", briefs_cursor):
        problem = assert_problem(
            http.get("/api/v1/submissions/", {"cursor": cursor}), 400, "validation_error"
        )
        assert "cursor" in problem["errors"]


def _forged_cursor(tag: str, values: list[str]) -> str:
    """A cursor written by hand, in the shape the API's own cursors had before signing."""
    raw = json.dumps({"r": tag, "p": values}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _tampered(cursor: str) -> str:
    middle = len(cursor) // 2
    return cursor[:middle] + ("A" if cursor[middle] != "A" else "B") + cursor[middle + 1 :]


def test_cursors_are_signed_and_bound_to_tenant_key_list_and_filters(
    world: World, generous_rate: None
) -> None:
    _brief_ids(world, 3, track="ai_ml_engineer")
    with schema_context(world.other_tenant.schema_name):
        RoleBriefFactory.create_batch(2)
    client = api(world.tenant, world.raw("client"))
    own = client.get("/api/v1/briefs/?page_size=1&track=ai_ml_engineer").json()["next_cursor"]
    follow = client.get("/api/v1/briefs/", {"cursor": own, "track": "ai_ml_engineer"})
    assert follow.status_code == 200
    # page_size and updated_after may change between pages: the position stays meaningful.
    assert (
        client.get(
            "/api/v1/briefs/",
            {"cursor": own, "track": "ai_ml_engineer", "page_size": 5, "updated_after": _PAST},
        ).status_code
        == 200
    )
    agency_cursor = (
        api(world.tenant, world.raw("agency_a")).get("/api/v1/briefs/?page_size=1").json()
    )["next_cursor"]
    other_tenant_cursor = (
        api(world.other_tenant, world.raw("other_client")).get("/api/v1/briefs/?page_size=1")
    ).json()["next_cursor"]
    submissions_cursor = client.get("/api/v1/submissions/?page_size=1").json()["next_cursor"]
    with schema_context(world.tenant.schema_name):
        anywhere = RoleBrief.objects.order_by("updated_at").first()
        assert anywhere is not None
        forged = _forged_cursor("brief", [anywhere.updated_at.isoformat(), str(anywhere.pk)])
        forged_uuid = _forged_cursor(
            "brief", [anywhere.updated_at.isoformat(), str(anywhere.public_id)]
        )
    attempts = {
        "forged": (forged_uuid, {}),
        "forged with an internal id": (forged, {}),
        "tampered": (_tampered(own), {"track": "ai_ml_engineer"}),
        "another key's": (agency_cursor, {}),
        "another tenant's": (other_tenant_cursor, {}),
        "another list's": (submissions_cursor, {}),
        "another filter's": (own, {"track": "python_developer"}),
        "without its filter": (own, {}),
    }
    for label, (cursor, params) in attempts.items():
        assert cursor, label
        response = client.get("/api/v1/briefs/", {"cursor": cursor, **params})
        problem = assert_problem(response, 400, "validation_error")
        assert "cursor" in problem["errors"], label


_PAST = "2020-01-01T00:00:00Z"


# --- what responses reveal ----------------------------------------------------------------------


def _walk(value: Any, path: str = "") -> list[tuple[str, Any]]:
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            found.append((f"{path}.{key}", item))
            found += _walk(item, f"{path}.{key}")
    elif isinstance(value, list):
        for item in value:
            found += _walk(item, f"{path}[]")
    return found


def test_responses_carry_public_ids_only_and_nothing_of_another_agency(
    world: World, monkeypatch: Any
) -> None:
    from api.endpoints import events as events_endpoint

    monkeypatch.setattr(events_endpoint, "EVENT_FEED_SETTLE_SECONDS", 0)
    agency_http = api(world.tenant, world.raw("agency_a"))
    send(agency_http, "POST", "/api/v1/submissions/", submission_body(world.id_of("brief_all")))
    resources = ["briefs", "submissions", "events", "webhooks"]
    client_only = ["candidates", "scorecards", "shortlists"]
    agency_b = world.agency_b
    for caller, names in (("client", resources + client_only), ("agency_a", resources)):
        http = api(world.tenant, world.raw(caller))
        for name in names:
            response = http.get(f"/api/v1/{name}/")
            assert response.status_code == 200, (caller, name)
            for key_path, value in _walk(response.json()):
                field = key_path.rsplit(".", 1)[-1]
                if field == "id" or field.endswith("_id") or field in ("brief", "submission"):
                    assert not isinstance(value, int), (caller, key_path, value)
                    if isinstance(value, str) and field != "aggregate_id":
                        uuid.UUID(value)
            if caller == "agency_a":
                text = response.content.decode()
                assert str(agency_b.public_id) not in text, name
                assert agency_b.name not in text, name
                assert world.id_of("sub_b") not in text, name
                assert world.objects["sub_b"].email not in text, name


# --- query counts -------------------------------------------------------------------------------


def test_submission_list_query_count_is_the_same_at_page_size_1_and_100(
    world: World, generous_rate: None
) -> None:
    """The page size does not change the count either (tests/test_query_counts.py pins every
    list endpoint at 1 and at 100 rows)."""
    with schema_context(world.tenant.schema_name):
        brief = world.objects["brief_all"]
        for index in range(120):
            agency = world.agency_a if index % 2 else world.agency_b
            submission = SubmissionFactory(brief=brief, candidate=CandidateFactory(), agency=agency)
            StageChangeFactory(submission=submission, from_stage="", to_stage="submitted")
    connection.set_schema_to_public()
    # Domain look-up, key, (engagement,) submissions with their stage history (one
    # statement), and the two `SET search_path` of the switch from the public schema to
    # the tenant's.
    expected = {"client": 5, "agency_a": 6}
    for caller, queries in expected.items():
        http = api(world.tenant, world.raw(caller))
        http.get("/api/v1/submissions/?page_size=1")  # last_used_at written once, not counted
        for size in (1, 100):
            with assert_query_count(queries, label=f"{caller} page_size={size}"):
                response = http.get(f"/api/v1/submissions/?page_size={size}")
            assert response.status_code == 200
            assert len(response.json()["results"]) == (
                size if caller == "client" else min(size, 61)
            )


# --- OpenAPI and docs ----------------------------------------------------------------------------


def test_openapi_document_describes_auth_errors_pagination_and_idempotency(world: World) -> None:
    response = api(world.tenant).get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert schema["components"]["securitySchemes"]["ApiKey"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "ahk_<12 characters>_<secret>",
        "description": schema["components"]["securitySchemes"]["ApiKey"]["description"],
    }
    assert "Problem" in schema["components"]["schemas"]
    operations = [
        (path, method, op) for path, item in schema["paths"].items() for method, op in item.items()
    ]
    assert len(operations) >= 25
    for path, method, op in operations:
        assert path.startswith("/api/v1/")
        assert op["security"] == [{"ApiKey": []}], (path, method)
        assert "**Scope:**" in op["description"], (path, method)
        for code in ("401", "403", "429"):
            content = op["responses"][code]["content"]
            assert content == {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}
        assert "Retry-After" in op["responses"]["429"]["headers"]
        headers = {p["name"] for p in op.get("parameters", []) if p["in"] == "header"}
        assert ("Idempotency-Key" in headers) == (method == "post"), (path, method)
        if method == "post":
            assert "422" in op["responses"] and "409" in op["responses"]
        query = {p["name"] for p in op.get("parameters", []) if p["in"] == "query"}
        is_list = method == "get" and "{id}" not in path
        assert ({"cursor", "page_size", "updated_after"} <= query) == is_list, (path, method)
    page_size = next(
        p
        for p in schema["paths"]["/api/v1/briefs/"]["get"]["parameters"]
        if p["name"] == "page_size"
    )
    assert page_size["schema"]["maximum"] == 200


def test_docs_page_loads_its_assets_locally(world: World) -> None:
    response = api(world.tenant).get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()
    # No inline script (Content-Security-Policy): the init script is a request of its own.
    assert '<script src="/api/docs/?script="></script>' in page
    assert "<script>" not in page and "<style" not in page
    init = api(world.tenant).get("/api/docs/?script=")
    assert init.status_code == 200 and init["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in init.content.decode()
    # Every asset the page loads ships with drf-spectacular-sidecar or with the product
    # (no internet needed).
    roots = [Path(drf_spectacular_sidecar.__file__).parent / "static", *STATICFILES_DIRS]
    assets = re.findall(r'(?:src|href)="/static/([^"]+)"', page)
    assert len(assets) >= 4
    for asset in assets:
        assert any((root / asset).is_file() for root in roots), asset


# --- the base class makes the checks impossible to forget ---------------------------------------


def test_a_viewset_overriding_get_queryset_cannot_be_defined() -> None:
    with pytest.raises(TypeError, match="get_queryset"):

        class Leaky(mixins.ListModelMixin, PartnerViewSet):
            model = RoleBrief
            required_scopes = {"list": "briefs:read"}

            def scoped_queryset(self, principal: ApiPrincipal) -> QuerySet[RoleBrief]:
                return RoleBrief.objects.all()

            def get_queryset(self) -> QuerySet[RoleBrief]:
                return RoleBrief.objects.all()


def test_a_viewset_with_an_action_without_scope_cannot_be_defined() -> None:
    with pytest.raises(TypeError, match="without a required scope: retrieve"):

        class Forgetful(mixins.ListModelMixin, mixins.RetrieveModelMixin, PartnerViewSet):
            model = RoleBrief
            required_scopes = {"list": "briefs:read"}

            def scoped_queryset(self, principal: ApiPrincipal) -> QuerySet[RoleBrief]:
                return RoleBrief.objects.all()


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        ({"required_scopes": {"list": "briefs:everything"}}, "unknown scopes"),
        ({"required_scopes": {"list": "briefs:read", "lsit": "briefs:read"}}, "unknown actions"),
        ({"required_scopes": {"list": "briefs:read"}, "permission_classes": []}, "owns it"),
        (
            {
                "required_scopes": {"list": "briefs:read"},
                "client_only_actions": frozenset({"list"}),
                "agency_only_actions": frozenset({"list"}),
            },
            "both",
        ),
    ],
)
def test_other_misdeclarations_are_refused(attributes: dict[str, Any], message: str) -> None:
    def scoped_queryset(self: Any, principal: ApiPrincipal) -> QuerySet[RoleBrief]:
        return RoleBrief.objects.all()

    with pytest.raises(TypeError, match=message):
        type(
            "Misdeclared",
            (mixins.ListModelMixin, PartnerViewSet),
            {"model": RoleBrief, "scoped_queryset": scoped_queryset, **attributes},
        )


def test_a_viewset_must_scope_its_rows() -> None:
    with pytest.raises(TypeError, match="scoped_queryset"):

        class Unscoped(mixins.ListModelMixin, PartnerViewSet):
            model = RoleBrief
            required_scopes = {"list": "briefs:read"}


def test_an_accept_header_without_json_is_406(world: World) -> None:
    http = api(world.tenant, world.raw("client"), HTTP_ACCEPT="text/html")
    assert_problem(http.get("/api/v1/briefs/"), 406, "not_acceptable")
    assert (
        api(world.tenant, world.raw("client"), HTTP_ACCEPT="*/*").get("/api/v1/briefs/").status_code
        == 200
    )


def test_the_hand_written_submission_representation_equals_drfs(world: World) -> None:
    """The list's fast path writes each submission by hand; it must say exactly what the
    declared serializer fields (and so the OpenAPI document) say."""
    from decimal import Decimal

    from rest_framework import serializers as drf_serializers

    from api.endpoints.submissions import (
        SubmissionSerializer,
        submission_list_rows,
        submission_rows_data,
    )
    from api.renderers import OrjsonRenderer

    with schema_context(world.tenant.schema_name):
        brief = world.objects["brief_all"]
        made = [
            SubmissionFactory(
                brief=brief,
                candidate=CandidateFactory(),
                agency=world.agency_a,
                rate_amount=amount,
                rate_currency="EUR" if amount is not None else "",
                proof_links=["https://example.org/case-study"] if amount else [],
            )
            for amount in (None, Decimal("90.5"), Decimal("1234567.89"))
        ]
        for submission in made:
            StageChange.objects.create(
                submission=submission, from_stage="", to_stage="submitted", actor_kind="system"
            )
            StageChange.objects.create(
                submission=submission,
                from_stage="submitted",
                to_stage="rejected",
                reason="Not a fit \u2014 see notes",
                actor_kind="system",
            )
        rows = list(
            Submission.objects.filter(pk__in=[s.pk for s in made])
            .select_related("brief", "candidate", "agency")
            .prefetch_related("stage_changes")
        )
        generic = {
            row.pk: drf_serializers.ModelSerializer.to_representation(SubmissionSerializer(), row)
            for row in rows
        }
        detail = {row.pk: SubmissionSerializer(row).data for row in rows}
        plain = list(submission_list_rows(Submission.objects.filter(pk__in=generic)))
        listed = {row["id"]: data for row, data in zip(plain, submission_rows_data(plain))}
    # Compared as the API sends them: the list's rows may hold datetimes for the renderer.
    renderer = OrjsonRenderer()
    for pk, expected in generic.items():
        expected = json.loads(json.dumps(expected))
        assert json.loads(renderer.render(detail[pk])) == expected
        assert json.loads(renderer.render(listed[pk])) == expected
        assert len(expected["stage_history"]) == 2
