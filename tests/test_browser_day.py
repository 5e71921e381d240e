"""The working day in a real browser: people are told without reloading, see what needs them,
find, compare, export and decide.

Uses the harness of tests/test_browser.py (gunicorn on the test database, the system's
Chromium, every page under the Content-Security-Policy).
"""

import csv
import io
import re

import pytest
from django_tenants.utils import schema_context

from hiring.models import Stage, Submission
from scoring.services.shortlists import shortlist_compute

# The harness of tests/test_browser.py: fixtures (imported so pytest finds them here) and the
# service helpers.
from tests.test_browser import (  # noqa: F401
    PROOF,
    Tab,
    _assign,
    _close_connections_after_test,
    _open_brief,
    _orm_beside_playwright,
    _score,
    _submit,
    expect,
)
from tests.test_browser import browser as browser
from tests.test_browser import server as server
from tests.test_browser import server_extra_env as server_extra_env
from tests.test_browser import server_port as server_port
from tests.test_browser import tab as tab


def test_an_interviewers_home_lists_the_new_assignment(committed_db, tenant_a, as_role, tab):
    manager = as_role(tenant_a, "hiring_manager")
    recruiter = as_role(tenant_a, "recruiter")
    interviewer = as_role(tenant_a, "interviewer")
    brief = _open_brief(tenant_a, manager, title="Forecasting engineer")
    submission = _submit(tenant_a, brief, recruiter, "Noor Haddad")

    page = tab.page
    tab.sign_in_to(f"/submissions/{submission.public_id}/interviewers/", manager.user)
    # A searchable picker: typing the e-mail address picks the person.
    page.get_by_label("Interviewer").fill(interviewer.user.email)
    page.get_by_role("button", name="Assign").click()
    expect(page.locator(".messages")).to_contain_text("is asked to score this candidate")

    page.context.clear_cookies()
    tab.sign_in_to("/", interviewer.user)
    section = page.locator("section.need-scorecards")
    expect(section.locator(".needs-count")).to_have_text("1")
    link = section.get_by_role("link", name="Noor Haddad for Forecasting engineer")
    expect(link).to_be_visible()
    link.click()
    expect(page).to_have_url(tab.url(f"/submissions/{submission.public_id}/scorecard/"))
    tab.assert_no_problems()


def test_an_executive_searches_compares_three_exports_and_decides(
    committed_db, tenant_a, as_role, tab
):
    manager = as_role(tenant_a, "hiring_manager")
    executive = as_role(tenant_a, "executive")
    recruiter = as_role(tenant_a, "recruiter")
    first, second = as_role(tenant_a, "interviewer"), as_role(tenant_a, "interviewer")
    brief = _open_brief(tenant_a, manager, title="Forecasting engineer")
    scores = {
        "Priya Balanced": ("44454", "43444"),
        "Marco Steady": ("33343", "33443"),
        "Lena Lowsec": ("54515", "54525"),
        "Sam Second": ("43343", "43433"),
    }
    submissions = {}
    for index, (name, (a, b)) in enumerate(scores.items()):
        submission = _submit(tenant_a, brief, recruiter, name)
        with schema_context(tenant_a.schema_name):
            Submission.objects.filter(pk=submission.pk).update(
                rate_amount=95 + 10 * index, rate_currency="USD"
            )
        for interviewer, digits in ((first, a), (second, b)):
            _assign(tenant_a, manager, submission, interviewer)
            _score(tenant_a, submission, interviewer, digits)
        submissions[name] = submission
    with schema_context(tenant_a.schema_name):
        assert shortlist_compute(brief=brief) is not None

    page = tab.page
    tab.sign_in_to("/submissions/", executive.user)
    page.get_by_label("Search").fill('Priya "Balanced"')
    page.get_by_role("button", name="Find").click()
    expect(page).to_have_url(re.compile(r"q=Priya"))
    rows = page.locator("table.cards tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Priya Balanced")
    expect(rows.first).to_contain_text("USD per hour")

    page.goto(tab.url(f"/briefs/{brief.public_id}/shortlist/"))
    for name in ("Priya Balanced", "Marco Steady", "Lena Lowsec"):
        page.get_by_label(f"Compare {name}").check()
    expect(page.locator("[data-compare-status]")).to_have_text("3 candidates picked")
    page.get_by_role("button", name="Compare the picked").click()
    expect(page).to_have_url(re.compile(r"/shortlist/compare/\?s="))
    cards = page.locator("section.compare-candidate")
    expect(cards).to_have_count(3)
    expect(page.locator("svg.sc-chart g.sc-compare-bar")).to_have_count(15)
    expect(cards.first).to_contain_text("Proof of delivery")
    expect(cards.first).to_contain_text("USD per hour")
    expect(cards.first.locator("details.compare-scorecard")).to_have_count(2)
    tab.screenshot("browser-compare.png")

    page.go_back()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export CSV").click()
    download = download_info.value
    content = download.path().read_text(encoding="utf-8-sig")
    table = list(csv.reader(io.StringIO(content)))
    assert table[0][:3] == ["rank", "rank_without_calibration", "candidate"]
    assert {row[2] for row in table[1:]} == set(scores)

    top = page.locator("ol.sc-entries > li").first
    top_name = top.locator("h2 a").inner_text()
    top.get_by_text("Decide", exact=True).click()
    top.get_by_label("Reason").fill("Strongest delivery record on the panel; interview her.")
    top.get_by_role("button", name=re.compile("^Advance to")).click()
    expect(page.locator(".messages")).to_contain_text(f"Advanced {top_name}")
    with schema_context(tenant_a.schema_name):
        decided = Submission.objects.get(full_name=top_name)
    assert decided.stage == Stage.INTERVIEW
    tab.assert_no_problems()


# Last in the module: the session's worker starts here and finishes its tasks after the test.
@pytest.mark.worker
def test_a_recruiter_submits_and_the_hiring_manager_is_told_without_reloading(
    celery_worker, tenant_a, as_role, tab, browser
):
    manager = as_role(tenant_a, "hiring_manager")
    recruiter = as_role(tenant_a, "recruiter")
    brief = _open_brief(tenant_a, manager, title="Forecasting engineer")

    page = tab.page
    tab.sign_in_to("/submissions/", manager.user)
    tab.wait_for_htmx()
    badge = page.locator("#unread-badge")
    expect(badge).to_have_text("")
    tab.mark_document()

    # The recruiter, in a browser of their own, submits a candidate with proof.
    agency = Tab(
        page=browser.new_context(viewport={"width": 1280, "height": 900}).new_page(),
        base=tab.base,
        server_log=tab.server_log,
    )
    agency.sign_in_to(f"/briefs/{brief.public_id}/submit/", recruiter.user)
    form = agency.page
    form.get_by_label("Full name").fill("Priya Balanced")
    form.get_by_label("Email").fill("priya@mail.example.test")
    for field, text in PROOF.items():
        form.locator(f"textarea[name={field}]").fill(text)
    form.get_by_label(re.compile("Candidate's rate")).fill("105")
    form.get_by_label(re.compile("agreed that my agency represents them")).check()
    form.get_by_role("button", name=re.compile("Submit")).click()
    expect(form.locator(".messages")).to_contain_text("Candidate submitted.")

    # The manager's header counts it, without a reload (the relay, the consumer, the poll).
    expect(badge).to_contain_text("1", timeout=45_000)
    assert tab.same_document(), "the manager's page was reloaded instead of updated"
    page.get_by_role("link", name=re.compile("Notifications")).click()
    expect(page.locator(".notifications")).to_contain_text(
        "New candidate for Forecasting engineer: Priya Balanced"
    )
    tab.screenshot("browser-notification-arrived.png")
    agency.page.context.close()
    tab.assert_no_problems()
