"""Two-factor sign-in: TOTP with recovery codes, a client's rule for its admins and
executives, and the sign-in throttle on every step."""

import time

import pytest
from django.conf import settings
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.two_factor import recovery_codes_generate, totp_enrolment_start
from tests.accounts_support import current_code
from tests.conftest import http_client
from tests.factories import TEST_PASSWORD, ClientMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
OFFICE = "198.51.100.9"


def _confirmed_device(user):
    device = totp_enrolment_start(user=user)
    device.confirmed = True
    device.save()
    return device


def _password(client, user, next_url="/"):
    return client.post(
        f"/accounts/login/?next={next_url}",
        {"username": user.email, "password": TEST_PASSWORD},
        REMOTE_ADDR=OFFICE,
    )


def test_an_admin_requires_two_factor_and_an_executive_enrols_then_signs_in_with_a_code(
    tenant_a, as_role
):
    admin = as_role(tenant_a, "admin")
    executive = as_role(tenant_a, "executive")
    interviewer = as_role(tenant_a, "interviewer")
    saved = admin.http.post("/settings/sign-in/", {"form": "rules", "two_factor_required": "on"})
    assert saved.status_code == 302
    tenant_a.refresh_from_db()
    assert tenant_a.two_factor_required

    # An executive's session without a second factor is sent to enrol, then back.
    held = executive.http.get("/briefs/")
    assert held.status_code == 302 and held["Location"] == "/accounts/two-factor/?next=%2Fbriefs%2F"
    enrol = executive.http.get(held["Location"])
    assert b'src="data:image/svg+xml;base64,' in enrol.content
    device = TOTPDevice.objects.get(user=executive.user, confirmed=False)
    wrong = executive.http.post(held["Location"], {"code": "000000", "next": "/briefs/"})
    assert wrong.status_code == 400 and b"not right" in wrong.content
    time.sleep(1.1)  # django-otp's own delay on the device after a failure
    done = executive.http.post(held["Location"], {"code": current_code(device), "next": "/briefs/"})
    assert done.status_code == 200 and b"recovery codes" in done.content
    assert StaticToken.objects.filter(device__user=executive.user).count() == 10
    assert executive.http.get("/briefs/").status_code == 200
    # Interviewers are not covered by the rule.
    assert interviewer.http.get("/briefs/").status_code == 200

    # The next sign-in asks for the code after the password; no session before it.
    browser = http_client(tenant=tenant_a)
    step = _password(browser, executive.user, "/briefs/")
    assert step["Location"].startswith("/accounts/two-factor/")
    assert "_auth_user_id" not in browser.session
    assert browser.get("/briefs/").status_code == 302
    entered = browser.post(step["Location"], {"code": current_code(device, offset_steps=1)})
    assert entered.status_code == 302 and entered["Location"] == "/briefs/"
    assert browser.get("/briefs/").status_code == 200
    tenant_a.two_factor_required = False
    tenant_a.save()


def test_a_recovery_code_signs_in_once():
    user = UserFactory()
    _confirmed_device(user)
    code = recovery_codes_generate(user=user)[0]
    browser = http_client()
    step = _password(browser, user)
    assert browser.post(step["Location"], {"code": code}).status_code == 302
    again = http_client()
    step = _password(again, user)
    assert again.post(step["Location"], {"code": code}).status_code == 400


def test_wrong_codes_count_against_the_sign_in_throttle_and_the_password_does_not_reset_it():
    user = UserFactory()
    device = _confirmed_device(user)
    browser = http_client()
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        step = _password(browser, user)
        assert step.status_code == 302  # the right password, again and again
        assert (
            browser.post(step["Location"], {"code": "123456"}, REMOTE_ADDR=OFFICE).status_code
            == 400
        )
    # Blocked now: at the code step with the right code, and at the password step.
    blocked = browser.post(
        "/accounts/two-factor/", {"code": current_code(device)}, REMOTE_ADDR=OFFICE
    )
    assert blocked.status_code == 429 and blocked["Retry-After"] == "60"
    assert _password(browser, user).status_code == 429
    assert "_auth_user_id" not in browser.session


def test_two_factor_cannot_be_turned_off_where_it_is_required(tenant_a):
    user = UserFactory()
    ClientMembershipFactory(user=user, client=tenant_a, role="admin")
    device = _confirmed_device(user)
    browser = http_client()
    step = _password(browser, user)
    browser.post(step["Location"], {"code": current_code(device)})
    tenant_a.two_factor_required = True
    tenant_a.save()
    refused = browser.post(
        "/account/two-factor/off/", {"code": current_code(device, offset_steps=1)}, follow=True
    )
    assert b"cannot be turned off" in refused.content
    assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    tenant_a.two_factor_required = False
    tenant_a.save()
    off = browser.post("/account/two-factor/off/", {"code": current_code(device, offset_steps=2)})
    assert off.status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_a_person_turns_two_factor_on_from_the_account_page():
    user = UserFactory()
    browser = http_client(user=user)
    page = browser.get("/account/two-factor/")
    assert b"Set up two-factor sign-in" in page.content
    device = TOTPDevice.objects.get(user=user)
    assert browser.post("/account/two-factor/", {"code": current_code(device)}).status_code == 200
    assert TOTPDevice.objects.get(user=user).confirmed
