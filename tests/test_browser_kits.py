"""Interview kits in a real browser: a client admin adds a question to a track's kit, and the
next scorecard of that track shows it to the interviewer.

Uses the harness of tests/test_browser.py (gunicorn on the test database, the system's
Chromium, every page under the Content-Security-Policy).
"""

# The harness of tests/test_browser.py: fixtures (imported so pytest finds them here) and the
# service helpers.
from tests.test_browser import (  # noqa: F401  (the harness's fixtures, used by name)
    Tab,
    _assign,
    _close_connections_after_test,
    _open_brief,
    _orm_beside_playwright,
    _submit,
    browser,
    expect,
    server,
    server_extra_env,
    server_port,
    tab,
)

QUESTION = "Which alert told you first that the forecast had drifted, and what did you do?"


def test_an_admin_adds_a_kit_question_and_the_next_scorecard_shows_it(
    committed_db, tenant_a, as_role, tab
):
    admin = as_role(tenant_a, "admin")
    manager = as_role(tenant_a, "hiring_manager")
    recruiter = as_role(tenant_a, "recruiter")
    interviewer = as_role(tenant_a, "interviewer")
    brief = _open_brief(tenant_a, manager, title="Forecasting engineer")
    submission = _submit(tenant_a, brief, recruiter, "Noor Haddad")
    _assign(tenant_a, manager, submission, interviewer)

    page = tab.page
    tab.sign_in_to("/settings/", admin.user)
    page.get_by_role("link", name="Interview kits").click()
    page.get_by_role("link", name="Python AI developer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Python AI developer: interview kit")
    page.get_by_label("Category").select_option(label="C. Production readiness")
    page.get_by_label("Wording", exact=True).fill(QUESTION)
    page.get_by_role("button", name="Add to the kit").click()
    expect(page.locator(".messages")).to_contain_text("Question added")
    expect(page.locator("#kit-C")).to_contain_text(QUESTION)
    expect(page.locator(".meta")).to_contain_text("Version 2")
    tab.assert_no_problems()

    page.context.clear_cookies()
    tab.sign_in_to(f"/submissions/{submission.public_id}/scorecard/", interviewer.user)
    category = page.locator("#category-C")
    expect(category.locator(".sc-probes")).to_contain_text(QUESTION)
    expect(page.locator(".sc-kit-version")).to_have_text("Interview kit version 2")
    # The standard questions of the track are still there (role fit, week three).
    expect(page.locator("#category-A .sc-probes")).to_contain_text("owned end to end")
    expect(category.locator(".sc-probes")).to_contain_text("week three")
    tab.assert_no_problems()
