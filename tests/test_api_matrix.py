"""Authorization matrix of the partner API: every route x method x caller x object owner.

The operations come from the router itself, so a new endpoint (or a new method on one) shows
up here and fails until the rules table below says who may use it. For each cell the
expected status is computed from the rules (authentication, then key kind, then scope, then
reach of the object, then the operation's own outcome) and compared with the real answer.
Every cell runs inside a savepoint that is rolled back, so cells do not affect each other.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection, transaction

from api.endpoints import events as events_endpoint
from api.urls import router
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


CALLERS = (
    "client",
    "client_without_scope",
    "agency_a",
    "agency_b",
    "other_client",
    "revoked",
    "no_key",
)
UNAUTHENTICATED = {"other_client", "revoked", "no_key"}
METHODS = ("get", "post", "patch", "delete", "put")

# Who may reach which object (URL objects answer 404 outside it, objects named in a body 400).
REACH: dict[str, dict[str, set[str]]] = {
    "brief": {
        "client": {"brief_all", "brief_a_only", "brief_b_only", "brief_draft"},
        "agency_a": {"brief_all", "brief_a_only"},
        "agency_b": {"brief_all", "brief_b_only"},
    },
    "submission": {"client": {"sub_a", "sub_b"}, "agency_a": {"sub_a"}, "agency_b": {"sub_b"}},
    "candidate": {"client": {"cand_a", "cand_b"}},
    # Blind scoring: submitted scorecards and the drafts this key wrote, never a UI draft.
    "scorecard": {"client": {"card_submitted", "card_key_draft"}},
    "shortlist": {"client": {"shortlist"}},
    "decision": {"client": {"decision"}},
    "kit": {"client": {"kit"}},
    "webhook": {
        "client": {"hook_client"},
        "agency_a": {"hook_agency_a"},
        "agency_b": {"hook_agency_b"},
    },
}
OWNERS = {resource: sorted(set().union(*reach.values())) for resource, reach in REACH.items()}


@dataclass(frozen=True)
class Rule:
    scope: str
    kinds: frozenset[str]
    success: int
    # The request body, from the world and the owner label (None: no body).
    body: Callable[[World, str | None], Any] | None = None
    # Objects named in the body rather than the URL: (resource, owners); outside reach is 400.
    body_object: str | None = None
    # An outcome other than success for some owners (e.g. a submitted scorecard is final).
    outcome: Callable[[str | None], int] | None = None


BOTH = frozenset({"client", "agency"})
CLIENT = frozenset({"client"})
AGENCY = frozenset({"agency"})

RULES: dict[tuple[str, str], Rule] = {
    ("brief", "list"): Rule("briefs:read", BOTH, 200),
    ("brief", "retrieve"): Rule("briefs:read", BOTH, 200),
    ("brief", "create"): Rule(
        "briefs:write",
        CLIENT,
        201,
        body=lambda w, o: {"title": "Data engineer", "track": "python_developer"},
    ),
    ("brief", "partial_update"): Rule(
        "briefs:write", CLIENT, 200, body=lambda w, o: {"title": "Renamed brief"}
    ),
    ("brief", "open"): Rule("briefs:write", CLIENT, 200, body=lambda w, o: {}),
    ("brief", "set_status"): Rule(
        "briefs:write", CLIENT, 200, body=lambda w, o: {"status": "closed"}
    ),
    ("submission", "list"): Rule("submissions:read", BOTH, 200),
    ("submission", "retrieve"): Rule("submissions:read", BOTH, 200),
    ("submission", "create"): Rule(
        "submissions:write",
        AGENCY,
        201,
        body=lambda w, o: submission_body(w.id_of(o or "brief_all")),
        body_object="brief",
    ),
    ("submission", "withdraw"): Rule(
        "submissions:write", AGENCY, 200, body=lambda w, o: {"reason": "Took another offer."}
    ),
    ("submission", "move_stage"): Rule(
        "submissions:write", CLIENT, 200, body=lambda w, o: {"stage": "screening"}
    ),
    ("candidate", "list"): Rule("candidates:read", CLIENT, 200),
    ("candidate", "retrieve"): Rule("candidates:read", CLIENT, 200),
    ("scorecard", "list"): Rule("scorecards:read", CLIENT, 200),
    ("scorecard", "retrieve"): Rule("scorecards:read", CLIENT, 200),
    ("scorecard", "create"): Rule(
        "scorecards:write",
        CLIENT,
        201,
        body=lambda w, o: {
            "submission": w.id_of("sub_a"),
            "interviewer": str(w.people["third"].public_id),
            "scores": {"A": 4},
        },
    ),
    ("scorecard", "partial_update"): Rule(
        "scorecards:write",
        CLIENT,
        200,
        body=lambda w, o: {"summary": "Clear about trade-offs."},
        outcome=lambda o: 409 if o == "card_submitted" else 200,
    ),
    ("shortlist", "list"): Rule("shortlists:read", CLIENT, 200),
    ("shortlist", "retrieve"): Rule("shortlists:read", CLIENT, 200),
    ("decision", "list"): Rule("decisions:read", CLIENT, 200),
    ("decision", "retrieve"): Rule("decisions:read", CLIENT, 200),
    ("decision", "create"): Rule(
        "decisions:write",
        CLIENT,
        201,
        body=lambda w, o: {
            "shortlist": w.id_of("shortlist"),
            "submission": w.id_of("sub_a"),
            "decision": "reject",
            "reason": "No production monitoring experience.",
        },
    ),
    ("agency_analytics", "list"): Rule("analytics:read", BOTH, 200),
    ("kit", "list"): Rule("kits:read", CLIENT, 200),
    ("kit", "retrieve"): Rule("kits:read", CLIENT, 200),
    ("event", "list"): Rule("events:read", BOTH, 200),
    ("webhook", "list"): Rule("webhooks:manage", BOTH, 200),
    ("webhook", "retrieve"): Rule("webhooks:manage", BOTH, 200),
    ("webhook", "create"): Rule(
        "webhooks:manage", BOTH, 201, body=lambda w, o: {"url": "https://93.184.215.14/in"}
    ),
    ("webhook", "destroy"): Rule("webhooks:manage", BOTH, 204),
    ("webhook", "rotate_secret"): Rule("webhooks:manage", BOTH, 200, body=lambda w, o: {}),
    ("webhook", "send_test"): Rule("webhooks:manage", BOTH, 202, body=lambda w, o: {}),
    ("webhook", "deliveries"): Rule("webhooks:manage", BOTH, 200),
}


@dataclass(frozen=True)
class Operation:
    resource: str
    path: str  # with {id} for detail routes
    method: str
    action: str | None  # None: the route does not answer this method

    @property
    def id(self) -> str:
        return f"{self.method.upper()} {self.path} ({self.action or 'not allowed'})"


def _operations() -> list[Operation]:
    operations = []
    for pattern in router.urls:
        regex = pattern.pattern.regex.pattern  # type: ignore[attr-defined]
        path = "/api/v1/" + re.sub(r"\(\?P<id>[^)]*\)", "{id}", regex).strip("^$")
        resource = pattern.callback.initkwargs["basename"]  # type: ignore[attr-defined]
        actions = pattern.callback.actions  # type: ignore[attr-defined]
        for method in METHODS:
            operations.append(Operation(resource, path, method, actions.get(method)))
    return operations


OPERATIONS = _operations()


def _owners(operation: Operation) -> list[str | None]:
    rule = RULES.get((operation.resource, operation.action or ""))
    if "{id}" in operation.path:
        owners = OWNERS[operation.resource]
        return owners if operation.action else owners[:1]
    if rule is not None and rule.body_object:
        return list(OWNERS[rule.body_object])
    return [None]


def _kind(caller: str) -> str:
    return "client" if caller.startswith("client") else "agency"


def expected_status(operation: Operation, caller: str, owner: str | None) -> int:
    if caller in UNAUTHENTICATED:
        return 401
    if operation.action is None:
        return 405
    rule = RULES[(operation.resource, operation.action)]
    if _kind(caller) not in rule.kinds:
        return 403
    if caller == "client_without_scope":
        return 403
    if owner is not None:
        in_url = "{id}" in operation.path
        reach = REACH[operation.resource if in_url else rule.body_object or ""]
        if owner not in reach.get(caller, set()):
            # Outside the key's reach: an object in the URL is 404, one named in the body 400.
            return 404 if in_url else 400
    return rule.outcome(owner) if rule.outcome else rule.success


def _raw_key(world: World, caller: str, operation: Operation) -> str | None:
    if caller == "no_key":
        return None
    if caller == "client_without_scope":
        rule = RULES[(operation.resource, operation.action or "")]
        return world.client_key_without(rule.scope)
    return world.raw(caller)


def test_rules_cover_every_routed_operation() -> None:
    routed = {(op.resource, op.action) for op in OPERATIONS if op.action}
    missing = sorted(routed - set(RULES))
    assert not missing, f"operations without an authorization rule: {missing}"
    stale = sorted(set(RULES) - routed)
    assert not stale, f"rules for operations that no longer exist: {stale}"


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.id)
def test_authorization_matrix(
    operation: Operation, world: World, generous_rate: None, monkeypatch: Any
) -> None:
    monkeypatch.setattr(events_endpoint, "EVENT_FEED_SETTLE_SECONDS", 0)
    rule = RULES.get((operation.resource, operation.action or ""))
    if rule is not None:
        world.client_key_without(rule.scope)  # created before the cells' savepoints
    cells = []
    for caller in CALLERS:
        if caller == "client_without_scope" and operation.action is None:
            continue
        for owner in _owners(operation):
            expected = expected_status(operation, caller, owner)
            path = operation.path
            if owner is not None and "{id}" in path:
                path = path.replace("{id}", world.id_of(owner))
            body = rule.body(world, owner) if rule and rule.body else {}
            with transaction.atomic():
                http = api(world.tenant, _raw_key(world, caller, operation))
                response = send(http, operation.method, path, body)
                transaction.set_rollback(True)
            connection.set_schema_to_public()
            actual = response.status_code
            if actual >= 400:
                assert response["Content-Type"] == PROBLEM, (operation.id, caller, owner)
            cells.append((caller, owner, expected, actual, response.content[:200]))

    unexpected_allows = [c for c in cells if 200 <= c[3] < 300 and not 200 <= c[2] < 300]
    mismatches = [c for c in cells if c[2] != c[3]]
    if mismatches:
        print(f"\n{operation.id}: cells that differ from the rules")
        for caller, owner, expected, actual, content in mismatches:
            print(f"  {caller:22} owner={owner!s:15} expected {expected} got {actual}: {content!r}")
    assert not unexpected_allows, f"{len(unexpected_allows)} unexpected allow(s)"
    assert not mismatches, f"{len(mismatches)} cell(s) differ from the rules"
