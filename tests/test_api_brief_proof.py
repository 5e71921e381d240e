"""The partner API's new brief fields (safety checklist, decision impact, lifecycle, outcome
statement) and proof parts: readable, writable where briefs and submissions are, in the
OpenAPI document with examples, and held to the same service rules as the pages."""

from typing import Any

import pytest
from django_tenants.utils import schema_context

from api.endpoints.briefs import GENAI_BRIEF_EXAMPLE
from api.endpoints.submissions import SUBMISSION_CREATE_EXAMPLE
from hiring.models import Submission
from tests.api_support import World, api, build_world, send, submission_body
from tests.factories import SAFETY_CHECKLIST


@pytest.fixture
def world(tenant_a: Any, tenant_b: Any, db: None) -> World:
    return build_world(tenant_a, tenant_b)


def test_a_client_key_writes_and_reads_the_checklist_and_cannot_override_it(world: World):
    http = api(world.tenant, world.raw("client"))
    body = dict(GENAI_BRIEF_EXAMPLE.value)
    body["safety_prompt_injection"] = "tbd"
    created = send(http, "POST", "/api/v1/briefs/", body)
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["safety_log_retention_days"] == 30
    assert data["safety_tools_forbidden"] == body["safety_tools_forbidden"]
    assert data["lifecycle_monitoring_owner"] == "ML platform on-call"
    assert data["outcome_statement"].startswith("Deliver a GenAI feature that meets this target")
    gaps = data["readiness"]["gaps"]
    assert [(g["field"], g["blocking"]) for g in gaps] == [("safety_prompt_injection", True)]

    url = f"/api/v1/briefs/{data['id']}/"
    refused = send(http, "POST", url + "open/", {"override_reason": "We accept this risk."})
    assert refused.status_code == 400, refused.content
    assert "cannot be overridden" in refused.content.decode()

    fixed = send(
        http,
        "PATCH",
        url,
        {"safety_prompt_injection": SAFETY_CHECKLIST["safety_prompt_injection"]},
    )
    assert fixed.json()["readiness"] == {"ready": True, "gaps": []}
    opened = send(http, "POST", url + "open/", {})
    assert opened.status_code == 200 and opened.json()["status"] == "open"

    agency = api(world.tenant, world.raw("agency_a")).get(url).json()
    assert agency["outcome_statement"] == opened.json()["outcome_statement"]
    assert agency["cost_budget_cap"] == body["cost_budget_cap"]
    assert "readiness" not in agency


def test_decision_impact_and_retention_are_validated(world: World):
    http = api(world.tenant, world.raw("client"))
    bad = send(
        http,
        "POST",
        "/api/v1/briefs/",
        {"title": "Pricing model", "track": "python_ai_developer", "safety_log_retention_days": -1},
    )
    assert bad.status_code == 400
    made = send(
        http,
        "POST",
        "/api/v1/briefs/",
        {"title": "Pricing model", "track": "python_ai_developer", "decision_impact": True},
    ).json()
    fields = {g["field"] for g in made["readiness"]["gaps"]}
    assert {"explainability_plan", "bias_plan"} <= fields


def test_an_agency_key_submits_every_proof_part_and_reads_them_back(world: World):
    http = api(world.tenant, world.raw("agency_a"))
    body = submission_body(world.id_of("brief_all"), email="ada.parts@example.test")
    body["proof"] = {**SUBMISSION_CREATE_EXAMPLE.value["proof"]}
    created = send(http, "POST", "/api/v1/submissions/", body)
    assert created.status_code == 201, created.content
    proof = created.json()["proof"]
    assert proof["baseline_value"] == "18.0000" and proof["result_value"] == "6.0000"
    assert proof["monitoring_signals"] == ["quality", "latency", "cost", "drift"]
    assert proof["rollback"].startswith("Models versioned")
    listed = http.get("/api/v1/submissions/").json()["results"]
    assert [row["proof"] for row in listed if row["id"] == created.json()["id"]] == [proof]
    with schema_context(world.tenant.schema_name):
        assert Submission.objects.get(public_id=created.json()["id"]).proof_domain == (
            "Insurance claims"
        )


def test_proof_refusals_name_the_api_paths(world: World):
    http = api(world.tenant, world.raw("agency_a"))
    body = submission_body(world.id_of("brief_all"), email="ada.half@example.test")
    body["proof"] = {
        **body["proof"],
        "baseline": "Handling was slow and error-prone before the rebuild.",
        "improvement": "Handling became much faster after the rebuild.",
        "baseline_value": "12",
    }
    response = send(http, "POST", "/api/v1/submissions/", body)
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert {"proof.result_value", "proof.baseline", "proof.improvement"} <= set(errors)
    assert "number with its unit" in " ".join(errors["proof.baseline"])


def test_the_openapi_document_has_the_new_fields_and_examples(world: World):
    schema = api(world.tenant).get("/api/schema/?format=json").json()
    brief = schema["components"]["schemas"]["Brief"]["properties"]
    for name in (
        "outcome_statement",
        "safety_prompt_injection",
        "decision_impact",
        "bias_plan",
        "lifecycle_retraining_cadence",
        "safety_log_retention_days",
    ):
        assert name in brief
    proof = schema["components"]["schemas"]["Proof"]["properties"]
    for name in (
        "domain",
        "alert_thresholds",
        "rollback",
        "input_validation",
        "iteration",
        "metric",
        "baseline_value",
        "monitoring_signals",
    ):
        assert name in proof
    create = schema["paths"]["/api/v1/submissions/"]["post"]["requestBody"]["content"]
    assert "examples" in create["application/json"]
    brief_create = schema["paths"]["/api/v1/briefs/"]["post"]["requestBody"]["content"]
    assert "examples" in brief_create["application/json"]
