"""Sign-in and account: the signed hand-off between hosts, sessions and signing out,
password change, password reset by e-mail (no account enumeration, throttled)."""

import re
import time
from urllib.parse import urlsplit

import pytest
from django.test import override_settings

from accounts.models import AccountSession
from tests.accounts_support import current_code, mails_to
from tests.conftest import host_of, http_client
from tests.factories import TEST_PASSWORD, EngagementFactory, UserFactory

pytestmark = pytest.mark.django_db


def _sign_in(client, user, path="/accounts/login/"):
    response = client.post(path, {"username": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302, response.content[:300]
    return response


def _open_from_dashboard(public, tenant):
    """Click "Open workspace" on the dashboard: the hand-off link on the workspace's host."""
    dashboard = public.get("/").content.decode()
    opened = re.search(
        r'href="(/workspaces/[0-9a-f-]+/open/)" aria-label="Open ' + tenant.name, dashboard
    )
    assert opened, dashboard
    response = public.get(opened.group(1))
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert target.hostname == host_of(tenant)
    return target.path


# --- one sign-in across hosts --------------------------------------------------------------------


def test_an_agency_person_opens_a_second_workspace_without_signing_in_again(
    tenant_a, tenant_b, as_role
):
    recruiter = as_role(tenant_a, "recruiter")
    EngagementFactory(client=tenant_b, agency=recruiter.agency)
    public = http_client()
    _sign_in(public, recruiter.user)
    for tenant in (tenant_a, tenant_b):
        path = _open_from_dashboard(public, tenant)
        workspace = http_client(tenant=tenant)  # a browser's cookie jar for that host alone
        arrived = workspace.get(path)
        assert arrived.status_code == 302 and arrived["Location"] == "/"
        assert workspace.get("/").status_code == 200
        # Used once: the same link again, from another browser, opens nothing.
        replay = http_client(tenant=tenant).get(path)
        assert replay.status_code == 400 and b"already used" in replay.content
    # One browser: the workspace sessions belong to the family of the dashboard's session.
    family = AccountSession.objects.get(session_key=public.session.session_key).family
    handed_off = AccountSession.objects.filter(user=recruiter.user, method="handoff")
    assert handed_off.count() == 2 and {s.family for s in handed_off} == {family}


def test_hand_off_links_refuse_the_wrong_host_a_changed_password_expiry_and_tampering(
    tenant_a, tenant_b, as_role
):
    admin = as_role(tenant_a, "admin")
    public = http_client()
    _sign_in(public, admin.user)
    path = _open_from_dashboard(public, tenant_a)
    assert http_client(tenant=tenant_b).get(path).status_code == 400  # another workspace's host
    assert http_client(tenant=tenant_a).get(path[:-4] + "xyz/").status_code == 400
    with override_settings(HANDOFF_MAX_AGE_SECONDS=1):
        stale = _open_from_dashboard(public, tenant_a)
        time.sleep(2.1)
        expired = http_client(tenant=tenant_a).get(stale)
    assert expired.status_code == 400 and b"expired" in expired.content
    fresh = _open_from_dashboard(public, tenant_a)
    admin.user.set_password("an entirely new passphrase")
    admin.user.save()
    assert http_client(tenant=tenant_a).get(fresh).status_code == 400
    # Someone without access to a workspace gets no link to it.
    stranger = http_client(user=UserFactory())
    assert stranger.get(f"/workspaces/{tenant_a.public_id}/open/").status_code == 404


def test_the_hand_off_carries_a_passed_second_factor(tenant_a, as_role):
    executive = as_role(tenant_a, "executive")
    from accounts.two_factor import totp_enrolment_start

    device = totp_enrolment_start(user=executive.user)
    device.confirmed = True
    device.save()
    tenant_a.two_factor_required = True
    tenant_a.save()
    public = http_client()
    step = _sign_in(public, executive.user)
    public.post(step["Location"], {"code": current_code(device)})
    workspace = http_client(tenant=tenant_a)
    workspace.get(_open_from_dashboard(public, tenant_a))
    assert workspace.get("/briefs/").status_code == 200  # not asked for a code again
    tenant_a.two_factor_required = False
    tenant_a.save()


# --- sessions -----------------------------------------------------------------------------------


def test_signing_out_ends_this_browsers_sessions_on_every_host_and_says_so(tenant_a, as_role):
    admin = as_role(tenant_a, "admin")
    public = http_client()
    _sign_in(public, admin.user)
    workspace = http_client(tenant=tenant_a)
    workspace.get(_open_from_dashboard(public, tenant_a))
    other_browser = http_client()
    _sign_in(other_browser, admin.user)

    out = public.post("/accounts/logout/", follow=True)
    assert b"You are signed out." in out.content
    assert workspace.get("/").status_code == 302  # the workspace host's session ended too
    assert other_browser.get("/account/").status_code == 200  # another browser stays


def test_sign_out_of_other_sessions_keeps_this_one(as_role, tenant_a):
    user = UserFactory()
    here, there = http_client(), http_client()
    _sign_in(here, user)
    _sign_in(there, user)
    page = here.get("/account/").content.decode()
    assert page.count("Chrome") + page.count("A browser") == 2
    here.post("/account/sessions/end/")
    assert here.get("/account/").status_code == 200
    assert there.get("/account/").status_code == 302


def test_a_password_change_signs_out_the_other_sessions_and_tells_the_person():
    user = UserFactory()
    here, there = http_client(), http_client()
    _sign_in(here, user)
    _sign_in(there, user)
    changed = here.post(
        "/account/password/",
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "a fresh and long passphrase",
            "new_password2": "a fresh and long passphrase",
        },
    )
    assert changed.status_code == 302
    assert here.get("/account/").status_code == 200
    assert there.get("/account/").status_code == 302
    assert mails_to(user.email)[0].subject == "Your AI Hiring password was changed"


def test_the_sign_in_page_names_its_workspace(tenant_a):
    assert (
        b"Sign in to Alpha Robotics" in http_client(tenant=tenant_a).get("/accounts/login/").content
    )
    assert b"Forgot your password?" in http_client().get("/accounts/login/").content


# --- password reset -----------------------------------------------------------------------------


def _ask_reset(client, email, address="203.0.113.5"):
    return client.post("/accounts/password/reset/", {"email": email}, REMOTE_ADDR=address)


def test_reset_answers_the_same_for_known_and_unknown_addresses():
    user = UserFactory()
    known = _ask_reset(http_client(), user.email)
    unknown = _ask_reset(http_client(), "nobody-here@example.test")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/accounts/password/reset/done/"


@override_settings(PASSWORD_RESET_LIMIT_PER_EMAIL=2, PASSWORD_RESET_LIMIT_PER_ADDRESS=5)
def test_reset_requests_are_throttled_whether_or_not_the_address_has_an_account():
    user = UserFactory()
    for email in (user.email, "nobody@example.test"):
        client = http_client()
        for attempt in range(2):
            assert _ask_reset(client, email, address=f"198.51.100.{attempt}").status_code == 302
        refused = _ask_reset(client, email, address="198.51.100.77")
        assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
        assert b"Too many reset requests" in refused.content
    # Per network address too, whatever the e-mails.
    for n in range(5):
        _ask_reset(http_client(), f"spray{n}@example.test", address="192.0.2.1")
    assert _ask_reset(http_client(), "spray9@example.test", address="192.0.2.1").status_code == 429


def test_a_tampered_reset_link_says_so():
    response = http_client().get("/accounts/password/reset/MQ/abc-def/", follow=True)
    assert b"This reset link no longer works" in response.content
