"""Property-based testing of the partner API against its own OpenAPI document (schemathesis).

For every operation, Hypothesis generates requests that fit the schema (positive) and that
break it (negative): bodies of the wrong types, out-of-range query parameters, malformed
headers. Each runs through the real WSGI application (all middleware) with a client key and
with an agency key, and every answer must be no 5xx, a documented status, the documented
content type and headers, and a body that matches the schema. Detail operations are also run
against real objects, so success responses are checked too, not only 404s.

Bounded for CI: MAX_EXAMPLES per operation, mode and key.
"""

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, seed
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.endpoints import events as events_endpoint
from tests.api_support import (
    World,
    allow_many_requests,
    build_world,
    host_of,
)


@pytest.fixture
def world(tenant_a: Any, tenant_b: Any, db: None) -> World:
    return build_world(tenant_a, tenant_b)


@pytest.fixture
def generous_rate(settings: Any) -> None:
    allow_many_requests(settings)


MAX_EXAMPLES = 15
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Real objects for detail operations, by the collection in the path.
REAL_OBJECTS = {
    "briefs": "brief_all",
    "submissions": "sub_a",
    "candidates": "cand_a",
    "scorecards": "card_key_draft",
    "shortlists": "shortlist",
    "webhooks": "hook_client",
    "decisions": "decision",
    "kits": "kit",
}
AGENCY_REAL_OBJECTS = {**REAL_OBJECTS, "webhooks": "hook_agency_a"}


@pytest.fixture
def same_connection_wsgi() -> Iterator[WSGIHandler]:
    """The WSGI application, minus the per-request connection recycling: requests then run
    inside the test's transaction (rolled back at the end), like Django's test client."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _load_schema(app: WSGIHandler, host: str) -> Any:
    return schemathesis.openapi.from_wsgi("/api/schema/?format=json", app, headers={"Host": host})


def _run(operation: Any, strategy: Any, headers: dict[str, str], label: str) -> None:
    @seed(20261125)
    @hypothesis_settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def check(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    try:
        check()
    except Exception as error:
        error.add_note(f"while fuzzing {label}")
        raise


@pytest.mark.parametrize("caller", ["client", "agency_a"])
def test_api_conforms_to_its_schema(
    world: World,
    caller: str,
    same_connection_wsgi: WSGIHandler,
    generous_rate: None,
    monkeypatch: Any,
) -> None:
    monkeypatch.setattr(events_endpoint, "EVENT_FEED_SETTLE_SECONDS", 0)
    host = host_of(world.tenant)
    schema = _load_schema(same_connection_wsgi, host)
    headers = {"Host": host, "Authorization": f"Bearer {world.raw(caller)}"}
    real = AGENCY_REAL_OBJECTS if caller == "agency_a" else REAL_OBJECTS
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25
    for operation in operations:
        label = f"{operation.method.upper()} {operation.path} as {caller}"
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _run(operation, operation.as_strategy(generation_mode=mode), headers, label)
        if "{id}" in operation.path:
            collection = operation.path.split("/")[3]
            fixed = {"id": world.id_of(real[collection])}
            strategy = operation.as_strategy(path_parameters=fixed)
            _run(operation, strategy, headers, f"{label} (real object)")
