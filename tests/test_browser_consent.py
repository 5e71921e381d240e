# The harness's fixtures are imported by name and requested as test arguments (F811).
"""Real-browser journeys of resume reading and candidate consent (Playwright, Debian's
Chromium, the harness of tests/test_browser.py: a gunicorn server on the test database,
every page under the Content-Security-Policy, no JavaScript needed by these pages).

1. A recruiter uploads a PDF resume: the submission form comes back prefilled, they complete
   the proof and submit, and the resume is attached.
2. A candidate opens the link of their consent e-mail, confirms, and the client's admin then
   sees the contact details that were hidden.
"""

import re
from typing import Any

from django.core import mail
from django_tenants.utils import schema_context

from audit.actors import Actor
from hiring.models import ConsentState, Submission
from hiring.services.submissions import submission_create
from tests.resume_files import pdf_bytes
from tests.test_browser import (  # noqa: F401  (the harness's fixtures, used by name)
    PROOF,
    Server,
    Tab,
    _close_connections_after_test,
    _open_brief,
    _orm_beside_playwright,
    browser,
    expect,
    server,
    server_extra_env,
    server_port,
    tab,
)

RESUME_LINES = [
    "Priya Raman",
    "Senior ML Engineer, London",
    "priya.raman@example.com | +44 20 7946 0958",
    "github.com/priya-r",
    "Skills: Python, PyTorch, MLflow, Kubernetes",
]


def test_a_recruiter_uploads_a_pdf_resume_and_the_form_is_prefilled(
    committed_db, tenant_a, as_role, tab
):
    manager = as_role(tenant_a, "hiring_manager")
    recruiter = as_role(tenant_a, "recruiter")
    brief = _open_brief(tenant_a, manager, title="Forecasting engineer")
    page = tab.page
    tab.sign_in_to(f"/briefs/{brief.public_id}/submit/", recruiter.user)
    page.locator('input[name="resume_file"]').set_input_files(
        {
            "name": "Priya Raman CV.pdf",
            "mimeType": "application/pdf",
            "buffer": pdf_bytes(RESUME_LINES),
        }
    )
    page.get_by_role("button", name="Read the resume").click()
    expect(page).to_have_url(re.compile(r"/submit/resume/$"))
    expect(page.locator("[data-resume-read]")).to_contain_text("name, e-mail, phone, links, skills")
    expect(page.locator('input[name="full_name"]')).to_have_value("Priya Raman")
    expect(page.locator('input[name="email"]')).to_have_value("priya.raman@example.com")
    expect(page.locator('input[name="phone"]')).to_have_value("+44 20 7946 0958")
    expect(page.locator('textarea[name="links"]')).to_have_value("https://github.com/priya-r")
    expect(page.locator('input[name="skills"]')).to_have_value(
        "Python, PyTorch, MLflow, Kubernetes"
    )
    expect(page.locator("[data-resume-staged]")).to_be_visible()
    expect(page.locator("[data-duplicate-warning]")).to_have_count(0)

    # The recruiter checks, corrects and completes the rest, then submits.
    page.locator('input[name="location"]').fill("London")
    for name, text in PROOF.items():
        page.locator(f'textarea[name="{name}"]').fill(text)
    page.locator('input[name="right_to_represent"]').check()
    page.get_by_role("button", name="Submit candidate").click()
    expect(page).to_have_url(re.compile(r"/submissions/[0-9a-f-]{36}/$"))
    expect(page.locator("h1")).to_have_text("Priya Raman")
    expect(page.get_by_role("link", name="Download resume")).to_be_visible()
    expect(page.locator("[data-consent]")).to_contain_text("Awaiting the candidate")
    with schema_context(tenant_a.schema_name):
        submission = Submission.objects.get(brief=brief)
        assert submission.email == "priya.raman@example.com"
        assert submission.resume_content_type == "application/pdf"
        assert submission.location == "London"
    tab.assert_no_problems()


def _candidate_tab(browser: Any, server: Server, base: str) -> Tab:
    """The candidate's own browser: no account, no cookies of anyone else."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(10_000)
    found = Tab(page=page, base=base, server_log=server.log)
    page.on(
        "response",
        lambda r: (
            found.problems.append(f"HTTP {r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )
    page.on("console", lambda m: found.problems.append(m.text) if m.type == "error" else None)
    return found


def test_a_candidate_confirms_from_the_email_link_and_the_client_then_sees_the_contact_details(
    committed_db, tenant_a, as_role, tab, browser, server
):
    admin = as_role(tenant_a, "admin")
    recruiter = as_role(tenant_a, "recruiter")
    brief = _open_brief(tenant_a, admin, title="Forecasting engineer")
    mail.outbox = []
    with schema_context(tenant_a.schema_name):
        submission = submission_create(
            actor=Actor.for_user(recruiter.user, agency_id=recruiter.agency.pk),
            brief=brief,
            agency=recruiter.agency,
            candidate_data={
                "full_name": "Priya Raman",
                "email": "priya.raman@example.com",
                "phone": "+44 20 7946 0958",
            },
            proof=PROOF,
            right_to_represent=True,
        )
    [message] = [m for m in mail.outbox if "priya.raman@example.com" in m.to]
    found = re.search(r"https?://[^/\s]+(/consent/[^\s/]+/)", str(message.body))
    assert found, message.body

    # Before the candidate answers, the client sees who, not how to reach them.
    page = tab.page
    detail = f"/submissions/{submission.public_id}/"
    tab.sign_in_to(detail, admin.user)
    expect(page.locator(".consent-hidden")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("priya.raman@example.com")
    expect(page.locator("[data-consent]")).to_contain_text("Awaiting the candidate")

    candidate = _candidate_tab(browser, server, tab.base)
    try:
        candidate.page.goto(candidate.url(found.group(1)))
        expect(candidate.page.locator("h1")).to_have_text(
            f"Do you want {recruiter.agency.name} to represent you?"
        )
        expect(candidate.page.locator("main")).to_contain_text(tenant_a.name)
        candidate.page.get_by_role("button", name=re.compile(r"^Yes, ")).click()
        expect(candidate.page.locator("h1")).to_have_text("Thank you: you confirmed")
        candidate.assert_no_problems()
    finally:
        candidate.page.context.close()
    with schema_context(tenant_a.schema_name):
        submission.refresh_from_db()
        assert submission.consent_state == ConsentState.CONFIRMED

    page.reload()
    expect(page.locator("main")).to_contain_text("priya.raman@example.com")
    expect(page.locator("main")).to_contain_text("+44 20 7946 0958")
    expect(page.locator("[data-consent]")).to_contain_text("Confirmed by the candidate")
    expect(page.locator(".consent-hidden")).to_have_count(0)
    tab.assert_no_problems()
