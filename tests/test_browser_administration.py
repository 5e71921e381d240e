# The harness's fixtures are imported by name and requested as test arguments (F811).
"""Real-browser journeys of workspace administration: engaging a new agency by inviting its
admin, who accepts; pausing an engagement, the audit trail filtered and exported, a webhook
created, tested and its delivery seen, a person erased from their page, and every new page at
a desktop and a phone width.

The harness (gunicorn on the test database, Chromium, the CSP listener) is the one of
tests/test_browser.py; this module gives its server two more settings: webhooks may reach the
local receiver started here, and e-mails go to a folder this module reads.
"""

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django_tenants.utils import schema_context

import api.tasks.webhooks  # noqa: F401  (registers the webhook tasks with the test worker)
from accounts.two_factor import totp_enrolment_start
from administration.services.agency_invitations import agency_invitation_token
from api.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from audit.actors import Actor
from hiring.models import Candidate, Submission
from hiring.services.privacy import candidate_pii_read_record
from hiring.services.submissions import submission_create, submission_move_stage
from scoring.services.shortlists import shortlist_compute
from tenants.models import AgencyMembership, Engagement, EngagementStatus
from tests.accounts_support import current_code
from tests.conftest import host_of
from tests.factories import (
    TEST_PASSWORD,
    AgencyFactory,
    AgencyInvitationFactory,
    ApiKeyFactory,
    OutboxEventFactory,
    UserFactory,
    WebhookSubscriptionFactory,
)
from tests.test_browser import (  # noqa: F401  (the harness's fixtures, used by name)
    PROOF,
    SCREENSHOTS,
    Tab,
    _assign,
    _close_connections_after_test,
    _open_brief,
    _orm_beside_playwright,
    _score,
    browser,
    expect,
    server,
    server_port,
    tab,
)
from tests.test_browser_people import (  # noqa: F401  (mail_folder: a fixture, used by name)
    _body,
    _link,
    _new_tab,
    _server_mail_to,
    mail_folder,
)
from tests.test_webhooks import Receiver

VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    """A webhook endpoint on 127.0.0.1 that checks every signature (tests/test_webhooks.py),
    running before the server starts, so the server can be told to allow it."""
    started = Receiver().start()
    yield started
    started.stop()


@pytest.fixture(scope="module")
def server_extra_env(receiver: Receiver, mail_folder: Path) -> dict[str, str]:
    return {
        "WEBHOOK_ALLOWED_PRIVATE_TARGETS": f"127.0.0.1:{receiver.port}",
        "TEST_EMAIL_FILE_PATH": str(mail_folder),
    }


def _named(acting: Any, name: str) -> Any:
    acting.user.name = name
    acting.user.save(update_fields=["name"])
    return acting


def _sign_in_as(tab: Tab, path: str, user: Any) -> None:
    tab.page.context.clear_cookies()
    tab.sign_in_to(path, user)


def _submit_person(tenant: Any, brief: Any, recruiter: Any, **person: Any) -> Submission:
    with schema_context(tenant.schema_name):
        return submission_create(
            actor=Actor.for_user(recruiter.user, agency_id=recruiter.agency.pk),
            brief=brief,
            agency=recruiter.agency,
            candidate_data=person,
            proof=PROOF,
            right_to_represent=True,
        )


def _fetch(page: Any, path: str) -> tuple[int, str]:
    """A download as the page's own request (same cookies, same host resolution)."""
    status, body = page.evaluate(
        "async (path) => { const r = await fetch(path); return [r.status, await r.text()]; }",
        path,
    )
    return int(status), str(body)


# --- 0. engaging a new agency by inviting its admin --------------------------------------------


def test_a_client_admin_engages_a_new_agency_by_inviting_its_admin_who_accepts(
    committed_db, tenant_a, as_role, tab, browser, server, mail_folder
):
    admin = _named(as_role(tenant_a, "admin"), "Ada Admin")
    page = tab.page

    tab.sign_in_to("/settings/", admin.user)
    page.get_by_role("link", name="Agencies").click()
    page.get_by_role("link", name="Invite a new agency").click()
    expect(page.locator("h1")).to_have_text("Invite a new agency")
    page.get_by_label("Agency's name").fill("Northwind Talent")
    page.get_by_label("E-mail of the agency's admin").fill("nia@northwind.example")
    page.get_by_label("Ownership window (days)").fill("120")
    page.get_by_label("Fee (% of first-year salary, optional)").fill("17.5")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.locator(".messages")).to_contain_text("Invitation sent to nia@northwind.example")
    pending = page.locator("table.agency-invitations")
    expect(pending).to_contain_text("Northwind Talent")
    expect(pending).to_contain_text("120 days, 17.50%")

    # The agency's admin opens the link from the e-mail in their own browser.
    message = _server_mail_to(mail_folder, "nia@northwind.example")
    assert "invites Northwind Talent" in str(message["Subject"])
    link = _link(_body(message))
    assert link.startswith(tab.base + "/accounts/agency-invitations/")
    invitee = _new_tab(browser, server, tab.base)
    ipage = invitee.page
    ipage.goto(link)
    expect(ipage.locator("h1")).to_have_text(f"{tenant_a.name} invites Northwind Talent")
    expect(ipage.locator(".consequences")).to_contain_text("Ownership window: 120 days")
    expect(ipage.locator(".consequences")).to_contain_text("17.50% of first-year salary")
    ipage.get_by_label("Your name").fill("Nia Okafor")
    ipage.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    ipage.get_by_label("Password again").fill(TEST_PASSWORD)
    ipage.get_by_role("button", name="Create my account and accept").click()
    expect(ipage).to_have_url(tab.base + "/")
    expect(ipage.locator(".messages")).to_contain_text("Northwind Talent is on AI Hiring")
    expect(ipage.locator("header .who")).to_contain_text("Nia Okafor")
    invitee.screenshot("agency-invitation-accepted.png")

    agency_admin = AgencyMembership.objects.select_related("agency").get(
        user__email="nia@northwind.example"
    )
    engagement = Engagement.objects.get(client=tenant_a, agency=agency_admin.agency)
    assert engagement.status == EngagementStatus.ACTIVE
    assert engagement.ownership_window_days == 120
    # The agency admin sees its engagement and its terms.
    ipage.goto(invitee.url("/engagements/"))
    expect(ipage.locator("body")).to_contain_text("120 days")

    # The client admin's page now lists the agency as engaged, the invitation gone.
    page.goto(tab.url("/engagements/"))
    expect(page.get_by_role("link", name="Northwind Talent")).to_be_visible()
    expect(page.locator("table.agency-invitations")).to_have_count(0)
    page.goto(tab.url("/audit/"))
    expect(page.locator("table.trail")).to_contain_text(
        "Nia Okafor accepted the invitation of Northwind Talent"
    )
    tab.assert_no_problems()
    invitee.assert_no_problems()
    invitee.page.context.close()


# --- 1. pausing an engagement ------------------------------------------------------------------


def test_pausing_an_engagement_stops_the_agency_from_submitting_and_the_page_says_why(
    committed_db, tenant_a, as_role, tab
):
    admin = _named(as_role(tenant_a, "admin"), "Ada Admin")
    recruiter = as_role(tenant_a, "recruiter")
    agency = recruiter.agency
    brief = _open_brief(tenant_a, admin, title="Forecasting engineer")
    page = tab.page

    tab.sign_in_to("/settings/", admin.user)
    page.get_by_role("link", name="Agencies").click()
    expect(page.locator("h1")).to_have_text("Agencies")
    page.get_by_role("link", name=agency.name).click()
    expect(page.locator(".page-head .status")).to_have_text("Active")
    page.get_by_role("link", name="Pause…").click()
    expect(page.locator("h1")).to_have_text(f"Pause the engagement of {agency.name}?")
    consequences = page.locator(".consequences")
    expect(consequences).to_contain_text("keep read access")
    expect(consequences).to_contain_text("cannot submit new candidates")
    page.get_by_role("button", name="Pause the engagement").click()
    expect(page.locator(".messages")).to_contain_text("is paused")
    expect(page.locator(".page-head .status")).to_have_text("Paused")
    recruiter.engagement.refresh_from_db()
    assert recruiter.engagement.status == EngagementStatus.PAUSED

    # The recruiter still reads the brief, is told why there is no way to submit ...
    _sign_in_as(tab, f"/briefs/{brief.public_id}/", recruiter.user)
    expect(page.locator(".notice")).to_contain_text("engagement with this client is paused")
    expect(page.get_by_role("link", name="Submit a candidate")).to_have_count(0)
    # ... and the submit page itself refuses, with the reason.
    submit_url = tab.url(f"/briefs/{brief.public_id}/submit/")
    response = page.goto(submit_url)
    assert response is not None and response.status == 409
    expect(page.locator("[role=alert]")).to_contain_text(
        "you can follow your submissions, but new candidates can only be submitted while it is "
        "active"
    )
    expect(page.locator("form")).to_have_count(1)  # the sign-out form only
    tab.screenshot("browser-engagement-paused-recruiter.png")
    # That refusal is the point of the test, not a problem of the page.
    expected = (
        f"HTTP 409 GET {submit_url}",
        "console error: Failed to load resource: the server responded with a status of 409",
    )
    tab.problems = [p for p in tab.problems if not p.startswith(expected)]
    tab.assert_no_problems()


# --- 2. the audit trail, filtered to one person and exported -----------------------------------


def test_the_audit_trail_filtered_to_one_person_and_exported(committed_db, tenant_a, as_role, tab):
    admin = _named(as_role(tenant_a, "admin"), "Ada Admin")
    manager = _named(as_role(tenant_a, "hiring_manager"), "Hugo Hiring")
    recruiter = as_role(tenant_a, "recruiter")
    brief = _open_brief(tenant_a, manager, title="Forecasting engineer")
    submission = _submit_person(
        tenant_a, brief, recruiter, full_name="Priya Raman", email="priya@mail.example.test"
    )
    with schema_context(tenant_a.schema_name):
        candidate_pii_read_record(
            actor=Actor.for_user(admin.user),
            candidate=submission.candidate,
            purpose="submission_detail",
        )
        submission_move_stage(
            actor=Actor.for_user(manager.user), submission=submission, to_stage="screening"
        )
    page = tab.page
    tab.sign_in_to("/audit/", admin.user)
    rows = page.locator("table.trail tbody tr")
    expect(rows.filter(has_text="Ada Admin viewed Priya Raman's contact details")).to_have_count(1)
    expect(
        rows.filter(has_text="Hugo Hiring created the brief Forecasting engineer")
    ).to_have_count(1)

    page.get_by_label("Who").select_option(label=f"Hugo Hiring ({manager.user.email})")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"/audit/\?.*who="))
    expect(rows.first).to_contain_text("Hugo Hiring")
    texts = rows.all_inner_texts()
    assert len(texts) == 3, texts  # created, opened, moved
    assert all("Hugo Hiring" in row for row in texts), texts
    assert any(
        "Hugo Hiring moved Priya Raman for Forecasting engineer from submitted to screening" in row
        for row in texts
    ), texts
    link = rows.filter(has_text="moved").get_by_role(
        "link", name="Priya Raman for Forecasting engineer"
    )
    expect(link).to_have_attribute("href", f"/submissions/{submission.public_id}/")
    tab.screenshot("browser-audit-trail-filtered.png")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert re.fullmatch(r"audit-trail-alpha-\d{8}-\d{4}\.csv", download.suggested_filename)
    content = Path(download.path()).read_text(encoding="utf-8-sig")
    lines = list(csv.reader(io.StringIO(content)))
    assert lines[0][:3] == ["when", "who", "what happened"]
    assert [line[1] for line in lines[1:]] == ["Hugo Hiring"] * 3
    assert "Ada Admin" not in content
    tab.assert_no_problems()


# --- 3. a webhook created, tested and its delivery seen ----------------------------------------


@pytest.mark.worker
def test_a_webhook_created_tested_and_its_delivery_seen_on_the_page(
    celery_worker, tenant_a, as_role, tab, receiver, settings
):
    # The worker (in this process) re-checks the target before each attempt.
    settings.WEBHOOK_ALLOWED_PRIVATE_TARGETS = [f"127.0.0.1:{receiver.port}"]
    receiver.requests.clear()
    admin = as_role(tenant_a, "admin")
    ApiKeyFactory(client=tenant_a, name="CRM sync", scopes=["webhooks:manage"])
    page = tab.page
    tab.sign_in_to("/settings/webhooks/", admin.user)
    page.get_by_role("link", name="New webhook").click()
    page.get_by_label("Endpoint URL").fill(receiver.url)
    page.get_by_label("A candidate is submitted (submission.created)").check()
    page.get_by_label("Test events you send from this page").check()
    page.get_by_label("Description (optional)").fill("Our CRM")
    page.get_by_role("button", name="Create webhook").click()

    expect(page).to_have_url(re.compile(r"/settings/webhooks/[0-9a-f-]{36}/secret/$"))
    secret = page.locator(".api-key-value").inner_text().strip()
    assert secret.startswith("whsec_")
    receiver.secret = secret
    secret_url = page.url
    page.reload()  # shown once: a reload shows it no more
    expect(page.locator("[role=alert]")).to_contain_text("was shown once already")
    assert secret not in page.content()
    page.goto(secret_url.removesuffix("secret/"))

    tab.wait_for_htmx()
    page.get_by_role("button", name="Send a test event").click()
    expect(page.locator(".messages")).to_contain_text("A signed test event is on its way")
    tab.mark_document()
    row = page.locator("#deliveries tbody tr").first
    # The worker delivers; the table refreshes itself until the first attempt is made.
    expect(row.locator(".delivery")).to_have_text("Delivered", timeout=20_000)
    assert tab.same_document(), "the page was reloaded instead of updated by htmx"
    expect(row).to_contain_text("webhook.test")
    expect(row).to_contain_text("HTTP 200")
    expect(row.locator("td.num").first).to_have_text(re.compile(r"^\d+ ms$"))
    assert len(receiver.requests) == 1 and receiver.requests[0]["ok"], receiver.requests
    assert json.loads(receiver.requests[0]["body"])["type"] == "webhook.test"
    with schema_context(tenant_a.schema_name):
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == DeliveryStatus.DELIVERED
        assert WebhookSubscription.objects.get().description == "Our CRM"
    tab.screenshot("browser-webhook-delivered.png")
    tab.assert_no_problems()


# --- 4. a person erased from their page leaves no trace ----------------------------------------


def test_a_person_erased_from_their_page_leaves_no_trace_in_pages_and_exports(
    committed_db, tenant_a, as_role, tab
):
    admin = _named(as_role(tenant_a, "admin"), "Ada Admin")
    recruiter = as_role(tenant_a, "recruiter")
    interviewer = as_role(tenant_a, "interviewer")
    name, email, phone = "Zanele Canary", "zanele.canary@mail.example.test", "+44 20 7946 0991"
    needles = ["Zanele", "Canary", "zanele.canary", "7946 0991", "+442079460991"]
    brief = _open_brief(tenant_a, admin, title="Forecasting engineer")
    submission = _submit_person(
        tenant_a,
        brief,
        recruiter,
        full_name=name,
        email=email,
        phone=phone,
        location="Durban",
        summary=f"{name} owns drift alerts end to end.",
    )
    bystander = _submit_person(
        tenant_a, brief, recruiter, full_name="Marco Steady", email="marco@mail.example.test"
    )
    with schema_context(tenant_a.schema_name):
        submission_move_stage(
            actor=Actor.for_user(admin.user),
            submission=submission,
            to_stage="screening",
            reason=f"Call with {name} went well.",
        )
    for scored in (submission, bystander):
        _assign(tenant_a, admin, scored, interviewer)
        _score(tenant_a, scored, interviewer, "44344", evidence=f"{name} explained the rollback.")
    with schema_context(tenant_a.schema_name):
        assert shortlist_compute(brief=brief) is not None
        candidate = Candidate.objects.get(email_normalized=email)

    page = tab.page
    tab.sign_in_to(f"/submissions/{submission.public_id}/", admin.user)
    expect(page.locator("h1")).to_have_text(name)
    page.get_by_role("link", name="Privacy requests").click()
    expect(page).to_have_url(tab.url(f"/candidates/{candidate.public_id}/privacy/"))
    erase = page.locator("#erase")
    erase.get_by_label("Why is this person's data erased?").select_option(
        label="The candidate asked to be erased"
    )
    erase.get_by_label("Type the person's name to confirm").fill("Zanele")
    erase.get_by_role("button", name="Erase for good").click()
    expect(page.locator("#erase [role=alert]")).to_contain_text("Nothing was erased")
    expect(page.locator("#erase")).to_contain_text("The name does not match")
    # That refusal (400) is expected, not a problem of the page.
    privacy_url = tab.url(f"/candidates/{candidate.public_id}/privacy/")
    tab.problems = [
        p
        for p in tab.problems
        if not p.startswith((f"HTTP 400 POST {privacy_url}", "console error: Failed to load"))
    ]
    erase = page.locator("#erase")
    erase.get_by_label("Type the person's name to confirm").fill(name)
    erase.get_by_role("button", name="Erase for good").click()
    expect(page.locator(".messages")).to_contain_text("The person's personal data is erased")
    expect(page.locator(".notice")).to_contain_text("was erased on")
    tab.screenshot("browser-person-erased.png")

    def assert_no_trace(where: str, content: str) -> None:
        found = [needle for needle in needles if needle.lower() in content.lower()]
        assert not found, f"{where} still shows {found}"

    pages = [
        "/",
        "/submissions/",
        f"/submissions/{submission.public_id}/",
        f"/submissions/{submission.public_id}/scorecards/",
        f"/briefs/{brief.public_id}/",
        f"/briefs/{brief.public_id}/shortlist/",
        "/audit/",
        "/notifications/",
        f"/candidates/{candidate.public_id}/privacy/",
        f"/candidates/{candidate.public_id}/export/",
    ]
    for path in pages:
        response = page.goto(tab.url(path))
        assert response is not None and response.status == 200, path
        assert_no_trace(path, page.content())
    erased = f"Erased candidate {str(candidate.public_id)[:8]}"
    page.goto(tab.url("/audit/"))
    expect(page.locator("table.trail")).to_contain_text(f"erased the personal data of {erased}")
    for path in (f"/candidates/{candidate.public_id}/export/person.json", "/audit/export.csv"):
        status, body = _fetch(page, path)
        assert status == 200, path
        assert_no_trace(path, body)
    _, body = _fetch(page, f"/candidates/{candidate.public_id}/export/person.json")
    assert json.loads(body)["person"]["name_used_by_the_client"] == erased

    # The agency's own pages hold nothing of the person either.
    _sign_in_as(tab, "/submissions/", recruiter.user)
    assert_no_trace("the agency's submissions", page.content())
    page.goto(tab.url(f"/submissions/{submission.public_id}/"))
    assert_no_trace("the agency's submission page", page.content())
    expect(page.locator("h1")).to_have_text(erased)
    tab.assert_no_problems()


# --- 5. every new page at a desktop and a phone width ------------------------------------------


def test_every_new_page_fits_a_desktop_and_a_phone(
    committed_db, tenant_a, as_role, browser, server
):
    admin = _named(as_role(tenant_a, "admin"), "Ada Admin")
    recruiter = as_role(tenant_a, "recruiter")
    agency_admin = as_role(tenant_a, "agency_admin", agency=recruiter.agency)
    engagement = recruiter.engagement
    engagement.fee_percent = 18
    engagement.save()
    brief = _open_brief(tenant_a, admin, title="Forecasting engineer")
    submission = _submit_person(
        tenant_a,
        brief,
        recruiter,
        full_name="Priya Raman",
        email="priya.raman.with.a.long.address@mail.example.test",
        summary="Owns forecasting models after launch.",
    )
    for name in ("Northwind Recruiting", "Harbour Tech Talent"):
        AgencyFactory(name=name)
    client_key = ApiKeyFactory(client=tenant_a, name="CRM sync", scopes=["webhooks:manage"])
    agency_key = ApiKeyFactory(
        client=tenant_a, agency=recruiter.agency, name="Our ATS", scopes=["webhooks:manage"]
    )
    with schema_context(tenant_a.schema_name):
        hook = WebhookSubscriptionFactory(
            api_key=client_key,
            url="https://hooks.example.com/aihiring/events/with/a/long/path",
            event_types=["submission.created", "submission.stage_changed"],
        )
        WebhookDelivery.objects.create(
            subscription=hook,
            event=OutboxEventFactory(event_type="submission.created"),
            status=DeliveryStatus.DELIVERED,
            attempts=1,
            last_status_code=200,
            last_latency_ms=84,
        )
        WebhookSubscriptionFactory(api_key=agency_key)
        candidate_pii_read_record(
            actor=Actor.for_user(admin.user),
            candidate=submission.candidate,
            purpose="submission_detail",
        )
    operator = UserFactory(name="Olive Operator", is_staff=True)
    # Platform staff always sign in with a second factor: this one has an authenticator app.
    device = totp_enrolment_start(user=operator)
    device.confirmed = True
    device.save()
    # A long name and e-mail in the audit trail's "Who" choices must not widen the page.
    long_named = as_role(tenant_a, "hiring_manager")
    long_named.user.name = "Maximiliana Featherstonehaugh-Wolfeschlegelsteinhausen"
    long_named.user.email = "maximiliana.featherstonehaugh@recruiting.example.test"
    long_named.user.save(update_fields=["name", "email"])
    with schema_context(tenant_a.schema_name):
        candidate_pii_read_record(
            actor=Actor.for_user(long_named.user),
            candidate=submission.candidate,
            purpose="submission_detail",
        )
    candidate = submission.candidate
    invitation = AgencyInvitationFactory(
        client=tenant_a,
        agency_name="Harbour and Northern Technical Recruitment Partners",
        email="the.admin.of.harbour.northern@recruitment-partners.example.test",
        fee_percent=15,
    )
    as_admin = [
        ("settings", "/settings/"),
        ("engagements", "/engagements/"),
        ("engage", "/engagements/new/"),
        ("agency-invite", "/engagements/invite/"),
        ("agency-invitation-revoke", f"/agency-invitations/{invitation.public_id}/revoke/"),
        ("member-remove", f"/people/members/{long_named.user.public_id}/remove/"),
        ("engagement", f"/engagements/{engagement.public_id}/"),
        ("terms", f"/engagements/{engagement.public_id}/terms/"),
        ("pause", f"/engagements/{engagement.public_id}/pause/"),
        ("end", f"/engagements/{engagement.public_id}/end/"),
        ("privacy-settings", "/settings/privacy/"),
        ("candidate-privacy", f"/candidates/{candidate.public_id}/privacy/"),
        ("export", f"/candidates/{candidate.public_id}/export/"),
        ("audit", "/audit/"),
        ("webhooks", "/settings/webhooks/"),
        ("webhook-new", "/settings/webhooks/new/"),
        ("webhook", f"/settings/webhooks/{hook.public_id}/"),
        ("webhook-rotate", f"/settings/webhooks/{hook.public_id}/rotate/"),
        ("webhook-secret", f"/settings/webhooks/{hook.public_id}/secret/"),
        ("key-created", f"/settings/api-keys/{client_key.public_id}/created/"),
        ("key-revoke", f"/settings/api-keys/{client_key.public_id}/revoke/"),
        ("home", "/"),
    ]
    as_recruiter = [("withdraw", f"/submissions/{submission.public_id}/withdraw/")]
    as_agency_admin = [
        ("agency-engagement", f"/engagements/{engagement.public_id}/"),
        ("agency-webhooks", "/settings/webhooks/"),
    ]
    base = f"http://{host_of(tenant_a)}:{server.port}"
    public = f"http://{settings.BASE_DOMAIN}:{server.port}"
    problems: list[str] = []
    for sign_in_number, (viewport_name, viewport) in enumerate(VIEWPORTS.items()):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        page.on(
            "response",
            lambda r: (
                problems.append(f"HTTP {r.status} {r.url}")
                if r.status >= 400 and not r.url.endswith("/favicon.ico")
                else None
            ),
        )
        viewer = Tab(page=page, base=base, server_log=server.log)
        for user, paths in (
            (admin.user, as_admin),
            (recruiter.user, as_recruiter),
            (agency_admin.user, as_agency_admin),
        ):
            page.context.clear_cookies()
            viewer.sign_in_to(paths[0][1], user)
            for name, path in paths:
                page.goto(viewer.url(path))
                page.wait_for_load_state("load")
                overflow = page.evaluate(
                    "() => document.documentElement.scrollWidth - window.innerWidth"
                )
                if overflow > 0:
                    problems.append(f"{path} is {overflow}px wider than the {viewport_name}")
                viewer.screenshot(f"admin-{name}-{viewport_name}.png")
        # The page the invited agency's admin opens, signed out, with a long name and address.
        page.context.clear_cookies()
        page.goto(
            viewer.url(f"/accounts/agency-invitations/{agency_invitation_token(invitation)}/")
        )
        expect(page.locator("h1")).to_contain_text("invites Harbour and Northern")
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            problems.append(f"the agency invitation is {overflow}px wider than the {viewport_name}")
        viewer.screenshot(f"admin-agency-invitation-{viewport_name}.png")
        # The agency admin's engagements on the public dashboard (a sign-in of that host).
        page.goto(f"{public}/accounts/login/?next=/")
        page.get_by_label("Email").fill(agency_admin.user.email)
        page.get_by_label("Password").fill(TEST_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.locator("h2", has_text="Your agencies' engagements")).to_be_visible()
        viewer.screenshot(f"admin-dashboard-{viewport_name}.png")
        # The platform admin's provisioning page (Django's admin, for platform operators).
        page.context.clear_cookies()
        page.goto(f"{public}/admin/login/?next=/admin/tenants/client/add/")
        page.locator("#id_username").fill(operator.email)
        page.locator("#id_password").fill(TEST_PASSWORD)
        page.locator("#login-form [type=submit]").click()
        expect(page.get_by_role("heading")).to_have_text("Enter your code")
        # Each sign-in uses a code of its own: the next step's code for the second viewport.
        page.get_by_label("Code").fill(current_code(device, offset_steps=sign_in_number))
        page.get_by_role("button", name="Continue").click()
        expect(page.locator("h1")).to_have_text("Provision a client")
        viewer.screenshot(f"admin-provision-{viewport_name}.png")
        context.close()
    assert not problems, "\n".join(problems)
    assert (SCREENSHOTS / "admin-audit-phone.png").exists()
