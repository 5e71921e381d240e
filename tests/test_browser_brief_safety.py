"""Browser journey: a GenAI brief cannot open to agencies until its AI safety checklist is
complete; once it is, it opens (docs/hiring.md, "The AI safety checklist")."""

import re

from django_tenants.utils import schema_context

from audit.actors import Actor
from hiring.models import BriefStatus, RoleBrief
from hiring.services.briefs import brief_create
from tests.factories import (
    GENAI_EVALUATION_PLAN,
    SAFETY_CHECKLIST,
    EngagementFactory,
    ready_brief_data,
)

# The harness of tests/test_browser.py: fixtures (imported so pytest finds them here).
from tests.test_browser import (  # noqa: F401
    _close_connections_after_test,
    _orm_beside_playwright,
    expect,
    server_extra_env,
    server_port,
)
from tests.test_browser import browser as browser
from tests.test_browser import server as server
from tests.test_browser import tab as tab


def test_a_genai_brief_opens_only_once_its_safety_checklist_is_complete(
    committed_db, tenant_a, as_role, tab
):
    manager = as_role(tenant_a, "hiring_manager")
    EngagementFactory(client=tenant_a)
    missing = ("safety_prompt_injection", "cost_budget_cap", "safety_fallback")
    answered = {k: v for k, v in SAFETY_CHECKLIST.items() if k not in missing}
    with schema_context(tenant_a.schema_name):
        brief = brief_create(
            actor=Actor.for_user(manager.user),
            data=ready_brief_data(
                title="Support copilot",
                needs=["genai"],
                uses_llm=True,
                uses_agents=True,
                **GENAI_EVALUATION_PLAN,
                **answered,
            ),
        )
    page = tab.page
    tab.sign_in_to(f"/briefs/{brief.public_id}/", manager.user)
    blocked = page.locator("#open-blocked")
    expect(blocked).to_contain_text("The AI safety checklist is incomplete.")
    expect(blocked).to_contain_text("Missing: prompt-injection defence, budget cap, safe fallback.")
    expect(page.locator("#open").get_by_label("Reason to open it anyway")).to_have_count(0)
    expect(page.locator("#open").get_by_role("button", name="Open to agencies")).to_be_disabled()

    # Completing the checklist on the form: the live panel follows each answer.
    blocked.get_by_role("link", name="Complete the checklist").click()
    expect(page).to_have_url(re.compile(r"/edit/$"))
    page.wait_for_load_state("load")
    tab.wait_for_htmx()
    panel = page.locator("#readiness-panel")
    checklist_area = panel.locator(".area", has_text="AI safety checklist")
    expect(checklist_area).to_contain_text("3 missing")
    expect(panel.locator("#readiness-blocked")).to_be_visible()
    page.get_by_label("How prompt injection is kept").fill(
        str(SAFETY_CHECKLIST["safety_prompt_injection"])
    )
    # "tbd" is not an answer; a cap names an amount.
    page.get_by_label("The budget cap").fill("tbd")
    page.get_by_label("The safe fallback").fill(str(SAFETY_CHECKLIST["safety_fallback"]))
    expect(checklist_area).to_contain_text("1 missing")
    expect(checklist_area).to_contain_text("Say more than 'tbd'")
    page.get_by_label("The budget cap").fill(str(SAFETY_CHECKLIST["cost_budget_cap"]))
    expect(checklist_area.locator(".badge")).to_have_text("complete")
    expect(panel.locator("#readiness-blocked")).to_have_count(0)
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".messages")).to_contain_text("Brief updated.")

    expect(page.locator("#open-blocked")).to_have_count(0)
    page.locator("#open").get_by_role("button", name="Open to agencies").click()
    expect(page.locator(".messages")).to_contain_text("The brief is open")
    expect(page.locator(".page-head .status")).to_have_text("Open")
    expect(page.locator("#safety-checklist")).to_contain_text(
        str(SAFETY_CHECKLIST["cost_budget_cap"])
    )
    with schema_context(tenant_a.schema_name):
        opened = RoleBrief.objects.get(pk=brief.pk)
    assert opened.status == BriefStatus.OPEN and opened.readiness_override_at is None
    tab.assert_no_problems()
