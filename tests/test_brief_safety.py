"""The brief's AI safety checklist, decision impact, lifecycle plan and outcome statement,
through the services and the pages (docs/hiring.md)."""

import html
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_tenants.utils import schema_context

from audit.actors import Actor
from audit.models import AuditEntry
from hiring.models import BriefStatus, RoleBrief
from hiring.services.briefs import brief_create, brief_open, brief_update
from tests.factories import (
    GENAI_PLAN,
    SAFETY_CHECKLIST,
    EngagementFactory,
    UserFactory,
    ready_brief_data,
)

pytestmark = pytest.mark.django_db


def _genai_data(**overrides: Any) -> dict[str, Any]:
    return ready_brief_data(needs=["genai"], uses_llm=True, uses_agents=True, **GENAI_PLAN) | (
        overrides
    )


@pytest.fixture
def actor(tenant_a):
    with schema_context(tenant_a.schema_name):
        yield Actor.for_user(UserFactory())


def test_a_genai_brief_without_its_checklist_cannot_open_even_with_an_override(tenant_a, actor):
    with schema_context(tenant_a.schema_name):
        brief = brief_create(actor=actor, data=_genai_data(safety_fallback="", cost_budget_cap=""))
        with pytest.raises(ValidationError) as error:
            brief_open(actor=actor, brief=brief, override_reason="We accept the risk for now.")
        message = " ".join(error.value.message_dict["__all__"])
        assert "cannot be overridden" in message
        assert "safe fallback" in message and "budget cap" in message
        brief.refresh_from_db()
        assert brief.status == BriefStatus.DRAFT
        assert not AuditEntry.objects.filter(action="brief.readiness_overridden").exists()

        brief = brief_update(
            actor=actor,
            brief=brief,
            data={
                "safety_fallback": SAFETY_CHECKLIST["safety_fallback"],
                "cost_budget_cap": SAFETY_CHECKLIST["cost_budget_cap"],
            },
        )
        opened = brief_open(actor=actor, brief=brief)
        assert opened.status == BriefStatus.OPEN
        assert opened.readiness_override_at is None


def test_other_gaps_can_still_be_overridden_on_a_complete_checklist(tenant_a, actor):
    with schema_context(tenant_a.schema_name):
        brief = brief_create(actor=actor, data=_genai_data(bias_plan="", decision_impact=True))
        opened = brief_open(actor=actor, brief=brief, override_reason="Bias plan signed next week.")
        assert opened.status == BriefStatus.OPEN
        assert opened.readiness_override_at is not None


def test_an_open_brief_cannot_lose_a_safety_answer(tenant_a, actor):
    with schema_context(tenant_a.schema_name):
        brief = brief_open(actor=actor, brief=brief_create(actor=actor, data=_genai_data()))
        with pytest.raises(ValidationError):
            brief_update(actor=actor, brief=brief, data={"safety_prompt_injection": "tbd"})
        brief.refresh_from_db()
        assert brief.safety_prompt_injection == SAFETY_CHECKLIST["safety_prompt_injection"]


def test_retention_days_must_be_a_whole_number(tenant_a, actor):
    with schema_context(tenant_a.schema_name):
        with pytest.raises(ValidationError) as error:
            brief_create(actor=actor, data=_genai_data(safety_log_retention_days="a month"))
        assert set(error.value.message_dict) == {"safety_log_retention_days"}
        brief = brief_create(actor=actor, data=_genai_data(safety_log_retention_days="0"))
        assert brief.safety_log_retention_days == 0


# --- pages --------------------------------------------------------------------------------------


def _text(response: Any) -> str:
    return html.unescape(response.content.decode())


def test_the_form_and_its_live_panel_ask_for_the_checklist(tenant_a, as_role):
    manager = as_role(tenant_a, "hiring_manager")
    page = _text(manager.http.get(reverse("hiring:brief_new")))
    for label in ("AI safety checklist", "How prompt injection is kept", "The budget cap"):
        assert label in page
    data = {
        key: ("on" if value is True else value)
        for key, value in ready_brief_data(needs=["genai"], uses_llm=True).items()
        if value is not False
    }
    data["must_haves"] = "Must know LangChain, PyTorch and vector databases."
    panel = _text(manager.http.post(reverse("hiring:brief_readiness"), data))
    assert "cannot open to agencies until it is answered (no override)" in panel
    assert "prompt-injection defence" in panel
    assert "This lists tools, not outcomes" in panel
    assert "Deliver a GenAI feature that meets this target: reduce stock-outs by 25%" in panel
    complete = _text(
        manager.http.post(
            reverse("hiring:brief_readiness"),
            {**data, **GENAI_PLAN, "must_haves": "Has shipped a RAG assistant to production."},
        )
    )
    assert "no override" not in complete
    assert "tools, not outcomes" not in complete


def test_agencies_read_the_outcome_first_and_the_checklist_on_the_brief_page(
    tenant_a, as_role, in_tenant
):
    manager = as_role(tenant_a, "hiring_manager")
    recruiter = as_role(tenant_a, "recruiter")
    with in_tenant(tenant_a):
        actor = Actor.for_user(manager.user)
        brief = brief_open(
            actor=actor,
            brief=brief_create(
                actor=actor,
                data=_genai_data(
                    decision_impact=True,
                    explainability_plan="Each decision lists its three strongest reasons.",
                    bias_plan="Approval rates compared by age band every month.",
                ),
            ),
        )
    page = _text(recruiter.http.get(reverse("hiring:brief_detail", args=[brief.public_id])))
    outcome = page.index("What this hire must deliver")
    assert outcome < page.index("The role</h2>")
    assert "Deliver a GenAI feature that meets this target" in page
    assert SAFETY_CHECKLIST["safety_tools_forbidden"] in page
    assert "30 days" in page
    assert "How bias is checked" in page and "age band" in page
    assert "Readiness" not in page  # the readiness panel stays with the client


def test_the_open_form_says_the_checklist_blocks_and_offers_no_override(
    tenant_a, as_role, in_tenant
):
    manager = as_role(tenant_a, "hiring_manager")
    with in_tenant(tenant_a):
        EngagementFactory(client=tenant_a)
        brief = brief_create(actor=Actor.for_user(manager.user), data=_genai_data(safety_masked=""))
    url = reverse("hiring:brief_detail", args=[brief.public_id])
    page = _text(manager.http.get(url))
    assert "The AI safety checklist is incomplete." in page
    assert "Reason to open it anyway" not in page
    response = manager.http.post(
        reverse("hiring:brief_open", args=[brief.public_id]),
        {"share_with": "all", "override_reason": "Opening it anyway, we accept the risk."},
    )
    assert response.status_code == 200
    assert "cannot be overridden" in _text(response)
    with in_tenant(tenant_a):
        assert RoleBrief.objects.get(pk=brief.pk).status == BriefStatus.DRAFT
