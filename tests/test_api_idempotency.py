"""Idempotency-Key on POST: replays, mismatches, in-flight duplicates, failures, expiry, and
20 concurrent identical requests that must create exactly one object."""

import datetime as dt
import threading
from collections import Counter
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from api.endpoints import briefs as briefs_endpoint
from api.idempotency import IN_FLIGHT_ABANDONED_AFTER, request_fingerprint
from api.models import IdempotencyRecord
from api.tasks.idempotency import idempotency_purge
from hiring.models import RoleBrief, Submission
from tests.api_support import (
    PROBLEM,
    World,
    allow_many_requests,
    api,
    build_world,
    send,
    submission_body,
)


@pytest.fixture
def world(tenant_a: Any, tenant_b: Any, db: None) -> World:
    return build_world(tenant_a, tenant_b)


@pytest.fixture
def generous_rate(settings: Any) -> None:
    allow_many_requests(settings)


BRIEF = {"title": "Platform engineer", "track": "python_developer", "needs": ["apis"]}


def post(http: Any, path: str, body: Any, key: str | None) -> Any:
    extra = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return send(http, "POST", path, body, **extra)


def _submissions_of(world: World, email: str) -> int:
    with schema_context(world.tenant.schema_name):
        return Submission.objects.filter(email=email).count()


def test_same_key_and_body_replays_the_first_response(world: World) -> None:
    http = api(world.tenant, world.raw("agency_a"))
    body = submission_body(world.id_of("brief_all"))
    first = post(http, "/api/v1/submissions/", body, "retry-1")
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first
    # Same body with keys in another order and other spacing is the same request.
    reordered = dict(reversed(list(body.items())))
    again = post(http, "/api/v1/submissions/", reordered, "retry-1")
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    assert again["Content-Type"] == "application/json"
    assert _submissions_of(world, "ada@example.test") == 1


def test_same_key_with_another_body_or_path_is_422(world: World) -> None:
    http = api(world.tenant, world.raw("agency_a"))
    body = submission_body(world.id_of("brief_all"))
    assert post(http, "/api/v1/submissions/", body, "k-422").status_code == 201
    changed = {**body, "rate_amount": "96.00"}
    response = post(http, "/api/v1/submissions/", changed, "k-422")
    assert response.status_code == 422
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "idempotency_key_mismatch"
    other_path = post(http, "/api/v1/webhooks/", {"url": "https://93.184.215.14/x"}, "k-422")
    assert other_path.status_code == 422
    assert _submissions_of(world, "ada@example.test") == 1


def test_keys_are_scoped_per_api_key(world: World) -> None:
    body = submission_body(world.id_of("brief_all"))
    a = post(api(world.tenant, world.raw("agency_a")), "/api/v1/submissions/", body, "shared")
    other_body = submission_body(world.id_of("brief_all"), email="grace@example.test")
    b = post(api(world.tenant, world.raw("agency_b")), "/api/v1/submissions/", other_body, "shared")
    assert a.status_code == b.status_code == 201
    assert "Idempotent-Replayed" not in b
    assert a.json()["id"] != b.json()["id"]


def test_a_request_still_running_makes_a_duplicate_409(world: World) -> None:
    http = api(world.tenant, world.raw("client"))
    api_key = world.key("client")
    with schema_context(world.tenant.schema_name):
        IdempotencyRecord.objects.create(
            api_key_id=api_key.pk,
            idempotency_key="busy",
            request_fingerprint=request_fingerprint(
                method="POST", path="/api/v1/briefs/", data=BRIEF
            ),
            method="POST",
            path="/api/v1/briefs/",
        )
    response = post(http, "/api/v1/briefs/", BRIEF, "busy")
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_in_use"


def test_an_abandoned_request_is_taken_over(world: World) -> None:
    http = api(world.tenant, world.raw("client"))
    with schema_context(world.tenant.schema_name):
        IdempotencyRecord.objects.create(
            api_key_id=world.key("client").pk,
            idempotency_key="died",
            request_fingerprint=request_fingerprint(
                method="POST", path="/api/v1/briefs/", data=BRIEF
            ),
            method="POST",
            path="/api/v1/briefs/",
            created_at=timezone.now() - IN_FLIGHT_ABANDONED_AFTER - dt.timedelta(seconds=1),
        )
    response = post(http, "/api/v1/briefs/", BRIEF, "died")
    assert response.status_code == 201
    assert post(http, "/api/v1/briefs/", BRIEF, "died")["Idempotent-Replayed"] == "true"


def test_server_errors_are_not_kept_so_the_request_can_be_retried(
    world: World, monkeypatch: Any
) -> None:
    http = api(world.tenant, world.raw("client"))

    def broken(**kwargs: Any) -> Any:
        raise RuntimeError("database fell over")

    monkeypatch.setattr(briefs_endpoint, "brief_create", broken)
    failed = post(http, "/api/v1/briefs/", BRIEF, "flaky")
    assert failed.status_code == 500
    assert failed["Content-Type"] == PROBLEM and failed.json()["code"] == "server_error"
    with schema_context(world.tenant.schema_name):
        assert not IdempotencyRecord.objects.filter(idempotency_key="flaky").exists()
    monkeypatch.undo()
    retried = post(http, "/api/v1/briefs/", BRIEF, "flaky")
    assert retried.status_code == 201
    assert "Idempotent-Replayed" not in retried


def test_a_request_cut_off_after_its_work_leaves_nothing_and_its_retry_runs_at_once(
    world: World, monkeypatch: Any
) -> None:
    """The load drill's finding: the database went away after the work committed but before
    the response was stored, and every retry was refused (409) for five minutes while the
    client never learnt of its 201. Now the key, the work and the response are one
    transaction: nothing of the cut-off request stays, and the retry creates the brief once."""
    from django.db import OperationalError

    from api import base as api_base

    http = api(world.tenant, world.raw("client"))

    def connection_lost(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(api_base, "idempotency_finish", connection_lost)
    with pytest.raises(OperationalError):
        post(http, "/api/v1/briefs/", {**BRIEF, "title": "Cut off"}, "cut-off")
    with schema_context(world.tenant.schema_name):
        assert not IdempotencyRecord.objects.filter(idempotency_key="cut-off").exists()
        assert not RoleBrief.objects.filter(title="Cut off").exists()
    monkeypatch.undo()
    retried = post(http, "/api/v1/briefs/", {**BRIEF, "title": "Cut off"}, "cut-off")
    assert retried.status_code == 201
    assert "Idempotent-Replayed" not in retried
    with schema_context(world.tenant.schema_name):
        assert RoleBrief.objects.filter(title="Cut off").count() == 1


def test_client_errors_are_kept_and_replayed(world: World) -> None:
    http = api(world.tenant, world.raw("client"))
    invalid = {"title": "", "track": "python_developer"}
    first = post(http, "/api/v1/briefs/", invalid, "bad-input")
    assert first.status_code == 400
    again = post(http, "/api/v1/briefs/", invalid, "bad-input")
    assert again.status_code == 400 and again["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    assert again["Content-Type"] == PROBLEM


def test_expired_records_are_not_replayed_and_are_purged(world: World, settings: Any) -> None:
    http = api(world.tenant, world.raw("client"))
    assert post(http, "/api/v1/briefs/", BRIEF, "old").status_code == 201
    with schema_context(world.tenant.schema_name):
        hours = settings.IDEMPOTENCY_KEY_TTL_HOURS
        assert hours >= 24
        IdempotencyRecord.objects.filter(idempotency_key="old").update(
            created_at=timezone.now() - dt.timedelta(hours=hours, minutes=1)
        )
    second = post(http, "/api/v1/briefs/", BRIEF, "old")
    assert second.status_code == 201 and "Idempotent-Replayed" not in second
    with schema_context(world.tenant.schema_name):
        assert RoleBrief.objects.filter(title="Platform engineer").count() == 2
        IdempotencyRecord.objects.filter(idempotency_key="old").update(
            created_at=timezone.now() - dt.timedelta(hours=hours, minutes=1)
        )
    assert post(http, "/api/v1/briefs/", BRIEF, "fresh").status_code == 201
    with schema_context(world.tenant.schema_name):
        assert idempotency_purge() == 1
        keys = list(IdempotencyRecord.objects.values_list("idempotency_key", flat=True))
        assert keys == ["fresh"]
        assert idempotency_purge() == 0


@pytest.mark.parametrize("key", ["", " ", "x" * 256, "caf\u00e9", "tab\there"])
def test_invalid_idempotency_keys_are_400(world: World, key: str) -> None:
    http = api(world.tenant, world.raw("client"))
    response = post(http, "/api/v1/briefs/", BRIEF, key)
    assert response.status_code == 400, response.content
    assert "Idempotency-Key" in response.json()["errors"]
    with schema_context(world.tenant.schema_name):
        assert not RoleBrief.objects.filter(title="Platform engineer").exists()


def test_idempotency_key_is_ignored_on_other_methods(world: World) -> None:
    http = api(world.tenant, world.raw("client"))
    path = f"/api/v1/briefs/{world.id_of('brief_draft')}/"
    for title in ("One", "Two"):
        response = send(http, "PATCH", path, {"title": title}, HTTP_IDEMPOTENCY_KEY="patch")
        assert response.status_code == 200 and response.json()["title"] == title


# --- concurrency: real commits, real threads ---------------------------------------------------


@pytest.fixture
def committed_world(tenant_a: Any, tenant_b: Any, committed_db: None) -> World:
    return build_world(tenant_a, tenant_b)


def _race(world: World, caller: str, path: str, body: Any, key: str, count: int) -> list[Any]:
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(index: int) -> None:
        try:
            http = api(world.tenant, world.raw(caller))
            barrier.wait(timeout=30)
            results[index] = post(http, path, body, key)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@pytest.mark.parametrize("resource", ["briefs", "submissions"])
def test_twenty_concurrent_identical_posts_create_one_object(
    committed_world: World, generous_rate: None, resource: str
) -> None:
    world = committed_world
    if resource == "briefs":
        caller, body = "client", BRIEF
    else:
        caller, body = "agency_a", submission_body(world.id_of("brief_all"))
    responses = _race(world, caller, f"/api/v1/{resource}/", body, "same-request", 20)
    statuses = Counter(r.status_code for r in responses)
    print(f"\n{resource}: {dict(statuses)}")
    assert set(statuses) <= {201, 409}, statuses
    created = [r for r in responses if r.status_code == 201]
    originals = [r for r in created if "Idempotent-Replayed" not in r]
    assert len(originals) == 1
    assert {r.json()["id"] for r in created} == {originals[0].json()["id"]}
    for response in responses:
        if response.status_code == 409:
            assert response.json()["code"] == "idempotency_key_in_use"
    with schema_context(world.tenant.schema_name):
        if resource == "briefs":
            assert RoleBrief.objects.filter(title=BRIEF["title"]).count() == 1
        else:
            assert Submission.objects.filter(email="ada@example.test").count() == 1
        record = IdempotencyRecord.objects.get(idempotency_key="same-request")
        assert record.completed and record.response_status == 201


def test_concurrent_scorecard_creations_for_one_interviewer_give_one_scorecard(
    committed_world: World, generous_rate: None
) -> None:
    """Different Idempotency-Keys, so only the one-scorecard rule can stop the second."""
    from scoring.models import Scorecard

    world = committed_world
    third = world.people["third"]
    body = {
        "submission": world.id_of("sub_a"),
        "interviewer": str(third.public_id),
        "scores": {"A": 4},
        "summary": "First impressions.",
    }
    count = 6
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(index: int) -> None:
        try:
            http = api(world.tenant, world.raw("client"))
            barrier.wait(timeout=30)
            results[index] = post(http, "/api/v1/scorecards/", body, f"card-{index}")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    statuses = Counter(r.status_code for r in results)
    assert statuses == {201: 1, 409: count - 1}, statuses
    assert {r.json()["code"] for r in results if r.status_code == 409} == {"scorecard_exists"}
    with schema_context(world.tenant.schema_name):
        assert Scorecard.objects.filter(interviewer=third).count() == 1
