"""Real-browser journeys of people and sign-in (Playwright, Debian's Chromium, the harness of
tests/test_browser.py: a gunicorn server on the test database, every page under the
Content-Security-Policy).

The server writes its e-mails to a folder this module reads; the reset e-mail comes from a
real Celery worker in this process. Single sign-on goes through the local OpenID provider of
tests/oidc_provider/ in its own process. Workspace hosts are `<slug>.localhost`: Chromium keeps
each host's cookies to itself, so "without signing in again" is tested for real.
"""

import base64
import email
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django_otp.oath import totp

from tenants.models import AgencyMembership, ClientMembership
from tests.conftest import host_of
from tests.factories import TEST_PASSWORD, EngagementFactory
from tests.oidc_support import oidc_provider
from tests.test_browser import (  # noqa: F401  (fixtures of the browser harness)
    CSP_VIOLATION_LISTENER,
    Server,
    Tab,
    _close_connections_after_test,
    _orm_beside_playwright,
    browser,
    expect,
    server,
    server_port,
    tab,
)

LINK = re.compile(r"https?://\S+")
SSO_PEOPLE = ["sam:idp-pass-sam:sam@sso-corp.example:Sam Single"]


@pytest.fixture(scope="module")
def mail_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("server-mail")


@pytest.fixture(scope="module")
def provider(
    tmp_path_factory: pytest.TempPathFactory, server_port: int, tenant_a: Any
) -> Iterator[Any]:
    with oidc_provider(
        tmp_path_factory.mktemp("oidc"),
        redirect_uris=[f"http://{host_of(tenant_a)}:{server_port}/accounts/sso/callback/"],
        people=SSO_PEOPLE,
    ) as running:
        yield running


@pytest.fixture(scope="module")
def server_extra_env(mail_folder: Path, provider: Any) -> dict[str, str]:
    return {
        "TEST_EMAIL_FILE_PATH": str(mail_folder),
        "SSO_ALLOWED_PRIVATE_ISSUERS": provider.host_port,
    }


def _server_mail_to(folder: Path, address: str, *, timeout: float = 10) -> email.message.Message:
    """The newest e-mail the server wrote for `address`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = []
        for path in sorted(folder.glob("*.log"), key=lambda p: p.stat().st_mtime):
            for raw in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
                if raw.strip():
                    message = email.message_from_bytes(raw.strip())
                    if address in str(message.get("To", "")):
                        found.append(message)
        if found:
            return found[-1]
        time.sleep(0.1)
    raise AssertionError(f"no e-mail to {address} in {folder}")


def _body(message: email.message.Message) -> str:
    payload = message.get_payload(decode=True)
    return payload.decode() if isinstance(payload, bytes) else str(message.get_payload())


def _link(text: str) -> str:
    found = LINK.search(text)
    assert found, text
    return found.group(0)


def _new_tab(browser: Any, server: Server, base: str, *, width: int = 1280) -> Tab:
    """Another person's browser (its own cookies), watched like the harness's tab."""
    context = browser.new_context(viewport={"width": width, "height": 900})
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
    page.on("pageerror", lambda error: found.problems.append(f"page error: {error}"))
    context.expose_binding("__reportCspViolation", lambda _s, text: found.problems.append(text))
    context.add_init_script(CSP_VIOLATION_LISTENER)
    return found


def _sign_in_here(tab: Tab, email_address: str, password: str = TEST_PASSWORD) -> None:
    tab.page.get_by_label("Email").fill(email_address)
    tab.page.get_by_label("Password", exact=True).fill(password)
    tab.page.get_by_role("button", name="Sign in", exact=True).click()


def _code_for(secret_text: str, *, offset_steps: int = 0) -> str:
    key = base64.b32decode(
        secret_text.replace(" ", "") + "=" * (-len(secret_text.replace(" ", "")) % 8)
    )
    return str(totp(key, drift=offset_steps)).zfill(6)


def test_an_admin_invites_a_colleague_who_accepts_from_the_email_and_signs_in(
    committed_db, tenant_a, as_role, tab, browser, server, mail_folder
):
    admin = as_role(tenant_a, "admin")
    page = tab.page
    tab.sign_in_to("/people/", admin.user)
    page.get_by_label("E-mail").fill("colleague@alpha.example")
    page.get_by_label("Role", exact=True).select_option("hiring_manager")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".messages")).to_contain_text("Invitation sent to colleague@alpha.example")
    expect(page.locator("table").nth(1)).to_contain_text("colleague@alpha.example")
    tab.screenshot("browser-people.png")

    message = _server_mail_to(mail_folder, "colleague@alpha.example")
    assert "invited you to Alpha Robotics" in str(message["Subject"])
    link = _link(_body(message))
    invitee = _new_tab(browser, server, tab.base)
    invitee.page.goto(link)
    expect(invitee.page.get_by_role("heading")).to_have_text("Join Alpha Robotics")
    invitee.page.get_by_label("Your name").fill("Cora Colleague")
    invitee.page.get_by_label("Password", exact=True).fill("a long colleague passphrase")
    invitee.page.get_by_label("Password again").fill("a long colleague passphrase")
    invitee.page.get_by_role("button", name="Create my account and join").click()
    expect(invitee.page).to_have_url(tab.url("/"))
    expect(invitee.page.locator("header .who")).to_contain_text("Cora Colleague")
    expect(invitee.page.locator("header .who")).to_contain_text("Hiring manager")

    # Signing out says so; signing in again with the new password opens the workspace.
    invitee.page.get_by_role("button", name="Sign out").click()
    expect(invitee.page.locator(".messages")).to_contain_text("You are signed out.")
    expect(invitee.page.get_by_role("heading")).to_have_text("Sign in to Alpha Robotics")
    _sign_in_here(invitee, "colleague@alpha.example", "a long colleague passphrase")
    expect(invitee.page).to_have_url(tab.url("/"))
    # The link was used: opening it again says so.
    invitee.page.goto(link)
    expect(invitee.page.get_by_role("alert")).to_contain_text("already accepted")
    assert (
        ClientMembership.objects.get(user__email="colleague@alpha.example").role == "hiring_manager"
    )
    invitee.problems = [p for p in invitee.problems if "/accounts/invitations/" not in p]
    tab.assert_no_problems()
    invitee.assert_no_problems()


def test_an_agency_admin_invites_a_recruiter(
    committed_db, tenant_a, as_role, tab, browser, server, mail_folder
):
    owner = as_role(tenant_a, "agency_admin")
    page = tab.page
    tab.sign_in_to("/people/", owner.user)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"People of {owner.agency.name}")
    page.get_by_label("E-mail").fill("new.recruiter@agency.example")
    page.get_by_label("Role", exact=True).select_option("recruiter")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".messages")).to_contain_text("Invitation sent")

    link = _link(_body(_server_mail_to(mail_folder, "new.recruiter@agency.example")))
    invitee = _new_tab(browser, server, tab.base)
    invitee.page.goto(link)
    expect(invitee.page.locator("main")).to_contain_text("a staffing agency on AI Hiring")
    invitee.page.get_by_label("Password", exact=True).fill("recruiter passphrase 2026")
    invitee.page.get_by_label("Password again").fill("recruiter passphrase 2026")
    invitee.page.get_by_role("button", name="Create my account and join").click()
    expect(invitee.page).to_have_url(tab.url("/"))
    expect(invitee.page.locator("header .who")).to_contain_text("Recruiter")
    assert (
        AgencyMembership.objects.get(user__email="new.recruiter@agency.example").agency
        == owner.agency
    )
    tab.assert_no_problems()
    invitee.assert_no_problems()


def test_password_reset_end_to_end(committed_db, celery_worker, tenant_a, as_role, tab):
    member = as_role(tenant_a, "interviewer")
    page = tab.page
    page.goto(tab.url("/accounts/login/"))
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill(member.user.email)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading")).to_have_text("Check your e-mail")
    deadline = time.monotonic() + 20
    while not [m for m in mail.outbox if member.user.email in m.to] and time.monotonic() < deadline:
        time.sleep(0.1)
    (message,) = [m for m in mail.outbox if member.user.email in m.to]
    link = _link(message.body)
    assert link.startswith(tab.url("/accounts/password/reset/"))
    page.goto(link)
    page.get_by_label("New password", exact=True).fill("the brand new passphrase")
    page.get_by_label("New password again").fill("the brand new passphrase")
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_role("heading")).to_have_text("Your password is changed")
    page.get_by_role("link", name="Sign in").click()
    _sign_in_here(tab, member.user.email, "the brand new passphrase")
    expect(page).to_have_url(tab.url("/"))
    # The same link again: it no longer works, and says so.
    page.goto(link)
    expect(page.get_by_role("alert")).to_contain_text("This reset link no longer works")
    tab.assert_no_problems()


def test_an_admin_requires_two_factor_and_an_executive_enrols_and_signs_in_with_a_code(
    committed_db, tenant_a, as_role, tab, browser, server
):
    admin = as_role(tenant_a, "admin")
    executive = as_role(tenant_a, "executive")
    page = tab.page
    tab.sign_in_to("/settings/sign-in/", admin.user)
    page.get_by_label("Admins and executives sign in with a second factor").check()
    page.get_by_role("button", name="Save the rules").click()
    expect(page.locator(".messages")).to_contain_text("Sign-in rules are saved.")

    person = _new_tab(browser, server, tab.base)
    person.page.goto(person.url("/briefs/"))
    _sign_in_here(person, executive.user.email)
    expect(person.page.get_by_role("heading")).to_have_text("Set up two-factor sign-in")
    expect(person.page.locator(".qr img")).to_be_visible()
    secret = person.page.locator(".secret-key").inner_text()
    person.page.get_by_label("Code").fill(_code_for(secret))
    person.page.get_by_role("button", name="Turn on two-factor").click()
    expect(person.page.locator(".recovery-codes li")).to_have_count(10)
    person.page.get_by_role("link", name="I have saved them, continue").click()
    expect(person.page).to_have_url(person.url("/briefs/"))

    person.page.get_by_role("button", name="Sign out").click()
    _sign_in_here(person, executive.user.email)
    expect(person.page.get_by_role("heading")).to_have_text("Enter your code")
    person.page.get_by_label("Code").fill(_code_for(secret, offset_steps=1))
    person.page.get_by_role("button", name="Continue").click()
    expect(person.page).to_have_url(person.url("/"))
    expect(person.page.locator("header .who")).to_contain_text("Executive")
    tenant_a.refresh_from_db()
    tenant_a.two_factor_required = False
    tenant_a.save()
    tab.assert_no_problems()
    person.assert_no_problems()


def test_sign_in_through_the_local_openid_provider_creates_the_member_with_the_mapped_role(
    committed_db, tenant_a, as_role, tab, browser, server, provider
):
    admin = as_role(tenant_a, "admin")
    page = tab.page
    tab.sign_in_to("/settings/sign-in/", admin.user)
    page.get_by_label("Issuer URL").fill(provider.issuer)
    page.get_by_label("Client id").fill(provider.client_id)
    page.get_by_label("Client secret").fill(provider.client_secret)
    page.get_by_label("Offer single sign-on on the sign-in page").check()
    page.get_by_label("E-mail domains and the role").fill("sso-corp.example = hiring_manager")
    page.get_by_role("button", name="Save single sign-on").click()
    expect(page.locator(".messages")).to_contain_text("Single sign-on is saved.")

    person = _new_tab(browser, server, tab.base)
    person.page.goto(person.url("/accounts/login/"))
    person.page.get_by_role("link", name="Sign in with Alpha Robotics's single sign-on").click()
    expect(person.page.get_by_role("heading")).to_have_text("Corporate identity provider")
    person.page.get_by_label("Username").fill("sam")
    person.page.get_by_label("Password").fill("idp-pass-sam")
    person.page.get_by_role("button", name="Sign in to the provider").click()
    expect(person.page).to_have_url(person.url("/"))
    expect(person.page.locator("header .who")).to_contain_text("Sam Single")
    expect(person.page.locator("header .who")).to_contain_text("Hiring manager")
    membership = ClientMembership.objects.get(user__email="sam@sso-corp.example", client=tenant_a)
    assert membership.role == "hiring_manager"
    tab.assert_no_problems()
    person.assert_no_problems()


def test_an_agency_user_opens_a_second_workspace_from_the_dashboard_without_signing_in_again(
    committed_db, tenant_a, tenant_b, as_role, browser, server
):
    recruiter = as_role(tenant_a, "recruiter")
    EngagementFactory(client=tenant_b, agency=recruiter.agency)
    public = _new_tab(browser, server, f"http://{settings.BASE_DOMAIN}:{server.port}", width=390)
    visited: list[str] = []
    public.page.on(
        "request", lambda r: visited.append(r.url) if r.resource_type == "document" else None
    )
    public.page.goto(public.url("/accounts/login/"))
    _sign_in_here(public, recruiter.user.email)
    expect(public.page.get_by_role("heading", name="Your workspaces")).to_be_visible()
    for tenant in (tenant_a, tenant_b):
        public.page.goto(public.url("/"))
        public.page.get_by_role("link", name=f"Open {tenant.name}").click()
        expect(public.page).to_have_url(f"http://{host_of(tenant)}:{server.port}/")
        expect(public.page.locator("header .brand")).to_have_text(tenant.name)
        expect(public.page.locator("header .who")).to_contain_text("Recruiter")
        # At 390px nothing runs off the side of the page.
        width = public.page.evaluate("() => document.scrollingElement.scrollWidth")
        assert width <= 392, width
    workspace_sign_ins = [
        u
        for u in visited
        if "/accounts/login/" in u and "localhost:" in u and "//localhost" not in u
    ]
    assert workspace_sign_ins == [], workspace_sign_ins
    public.assert_no_problems()


def test_the_people_page_fits_a_phone(committed_db, tenant_a, as_role, browser, server):
    admin = as_role(tenant_a, "admin")
    for role in ("interviewer", "executive"):
        as_role(tenant_a, role)
    phone = _new_tab(browser, server, f"http://{host_of(tenant_a)}:{server.port}", width=390)
    phone.sign_in_to("/people/", admin.user)
    width = phone.page.evaluate("() => document.scrollingElement.scrollWidth")
    assert width <= 392, width
    phone.screenshot("browser-people-390.png")
    phone.assert_no_problems()
