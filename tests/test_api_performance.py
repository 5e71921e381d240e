"""What keeps the partner API list near the bare limit (docs/performance.md, "Partner API
list"): the OpenAPI document is built once per process, and a page deep in a walk costs the
same queries as the first."""

from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django_tenants.utils import schema_context
from drf_spectacular.generators import SchemaGenerator

from api.docs_views import schema_cache_clear
from hiring.models import Stage
from tenants.models import Client
from tests.api_support import api
from tests.factories import (
    ApiKeyFactory,
    RoleBriefFactory,
    StageChangeFactory,
    SubmissionFactory,
)
from tests.query_counts import captured_sql, sql_listing

pytestmark = pytest.mark.django_db


def test_the_openapi_document_is_built_once_per_process(tenant_a: Client) -> None:
    schema_cache_clear()
    http = api(tenant_a)
    builds = mock.patch.object(
        SchemaGenerator, "get_schema", autospec=True, side_effect=SchemaGenerator.get_schema
    )
    with builds as get_schema:
        first = http.get("/api/schema/?format=json")
        second = http.get("/api/schema/?format=json")
        yaml = http.get("/api/schema/")
    assert first.status_code == second.status_code == yaml.status_code == 200
    assert get_schema.call_count == 1
    assert first.content == second.content
    assert b"openapi: 3." in yaml.content


def test_a_settings_change_forgets_the_document(tenant_a: Client, settings: Any) -> None:
    http = api(tenant_a)
    http.get("/api/schema/?format=json")
    settings.API_MAX_PAGE_SIZE = 150
    document = http.get("/api/schema/?format=json").json()
    page_size = next(
        p
        for p in document["paths"]["/api/v1/submissions/"]["get"]["parameters"]
        if p["name"] == "page_size"
    )
    assert page_size["schema"]["maximum"] == 150


def test_a_page_deep_in_the_walk_costs_the_queries_of_the_first(tenant_a: Client) -> None:
    key = ApiKeyFactory(client=tenant_a)
    with schema_context(tenant_a.schema_name):
        brief = RoleBriefFactory()
        for _ in range(7):
            submission = SubmissionFactory(brief=brief, stage=Stage.INTERVIEW)
            StageChangeFactory(submission=submission, to_stage=Stage.SUBMITTED)
            StageChangeFactory(
                submission=submission, from_stage=Stage.SUBMITTED, to_stage=Stage.INTERVIEW
            )
    connection.set_schema_to_public()
    http = api(tenant_a, key.raw_key)
    http.get("/api/v1/submissions/?page_size=2")  # the key's last_used_at, once
    counts: list[list[str]] = []
    target: str | None = "/api/v1/submissions/?page_size=2"
    ids: list[str] = []
    while target is not None:
        with captured_sql() as statements:
            response = http.get(target)
        assert response.status_code == 200, response.content
        body = response.json()
        ids += [row["id"] for row in body["results"]]
        counts.append(statements)
        target = body["next"]
    assert len(ids) == len(set(ids)) == 7
    assert len(counts) == 4
    sizes = [len(statements) for statements in counts]
    assert len(set(sizes)) == 1, "\n\n".join(sql_listing(s) for s in counts)


def test_a_remembered_key_skips_its_look_up_and_revoking_forgets_it(
    tenant_a: Client, settings: Any
) -> None:
    from api.keys import api_key_revoke

    settings.API_KEY_CACHE_SECONDS = 60
    key = ApiKeyFactory(client=tenant_a)
    connection.set_schema_to_public()
    http = api(tenant_a, key.raw_key)
    assert http.get("/api/v1/submissions/").status_code == 200
    with captured_sql() as statements:
        assert http.get("/api/v1/submissions/").status_code == 200
    assert not [sql for sql in statements if "tenants_apikey" in sql], sql_listing(statements)
    # Another key is looked up (and so is a wrong secret with a known prefix).
    wrong = key.raw_key[:-4] + ("aaaa" if not key.raw_key.endswith("aaaa") else "bbbb")
    assert api(tenant_a, wrong).get("/api/v1/submissions/").status_code == 401
    api_key_revoke(api_key=key, revoked_by=None)
    refused = http.get("/api/v1/submissions/")
    assert refused.status_code == 401 and refused.json()["code"] == "key_revoked"
