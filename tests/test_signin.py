"""Sign-in with email on any host, throttling, session safety."""

import time

import pytest
from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from tenants.signin_devices import known_device_cookie_name
from tests.accounts_support import current_code
from tests.conftest import http_client
from tests.factories import TEST_PASSWORD, ClientMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_sign_in_on_public_host_with_email_in_any_case():
    user = UserFactory(email="mixed.case@example.test")
    client = http_client()
    response = client.post(
        "/accounts/login/", {"username": "Mixed.Case@Example.TEST", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/").context["user"] == user


def test_sign_in_on_tenant_host_then_workspace_opens(tenant_a):
    user = UserFactory()
    ClientMembershipFactory(user=user, client=tenant_a, role="interviewer")
    client = http_client(tenant=tenant_a)
    response = client.post(
        "/accounts/login/?next=/", {"username": user.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_non_member_can_sign_in_on_tenant_host_but_sees_404(tenant_a):
    user = UserFactory()
    client = http_client(tenant=tenant_a)
    client.post("/accounts/login/", {"username": user.email, "password": TEST_PASSWORD})
    assert client.get("/").status_code == 404


def test_wrong_password_is_refused_without_saying_which_part_is_wrong():
    user = UserFactory()
    response = http_client().post(
        "/accounts/login/", {"username": user.email, "password": "wrong password"}
    )
    assert response.status_code == 200
    assert b"not right" in response.content
    assert "_auth_user_id" not in response.wsgi_request.session


OFFICE = "198.51.100.7"
ELSEWHERE = "203.0.113.50"


def _sign_in(client, email, password, *, address=OFFICE, path="/accounts/login/"):
    return client.post(path, {"username": email, "password": password}, REMOTE_ADDR=address)


def _fail(times, email, *, address=OFFICE, path="/accounts/login/", password="wrong-guess"):
    client = http_client()
    for _ in range(times):
        response = _sign_in(client, email, password, address=address, path=path)
        assert response.status_code == 200, response.status_code


def test_sign_in_is_throttled_after_repeated_failures():
    user = UserFactory()
    client = http_client()
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        _sign_in(client, user.email, "nope-nope")
    # Even the right password is refused while the block lasts: the page says for how long.
    response = _sign_in(client, user.email, TEST_PASSWORD)
    assert response.status_code == 429
    assert response["Retry-After"] == str(settings.LOGIN_DELAY_BASE_SECONDS) == "60"
    assert b"Too many failed sign-in attempts. Try again in 1 minute." in response.content
    assert "_auth_user_id" not in client.session


def test_throttle_is_shared_between_hosts(tenant_a):
    user = UserFactory()
    _fail(settings.LOGIN_FAILURE_LIMIT, user.email)
    response = http_client(tenant=tenant_a).post(
        "/accounts/login/", {"username": user.email, "password": TEST_PASSWORD}, REMOTE_ADDR=OFFICE
    )
    assert response.status_code == 429


def test_empty_passwords_and_made_up_emails_count_as_failures():
    user = UserFactory()
    client = http_client()
    for password in ["", "", "", "", ""]:
        assert _sign_in(client, user.email, password).status_code == 200
    assert _sign_in(client, user.email, TEST_PASSWORD).status_code == 429
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        assert _sign_in(client, "nobody@made-up.example", "").status_code == 200
    assert _sign_in(client, "nobody@made-up.example", "guess").status_code == 429


def test_an_office_behind_one_address_keeps_signing_in_after_many_failures():
    """One script (or many colleagues with typos) behind the office's NAT address fails
    dozens of times for made-up accounts and empty passwords: a colleague with the right
    password, on a browser that never signed in before, still gets in."""
    colleague = UserFactory()
    client = http_client()
    for n in range(40):
        email = f"made-up-{n}@office.example" if n % 3 else f"not-an-email-{n}"
        assert _sign_in(client, email, "" if n % 2 else "guess").status_code == 200
    response = _sign_in(http_client(), colleague.email, TEST_PASSWORD)
    assert response.status_code == 302
    assert response.wsgi_request.user == colleague


def test_delays_grow_for_one_address_guessing_one_account(settings):
    settings.LOGIN_DELAY_BASE_SECONDS = 1
    settings.LOGIN_DELAY_MAX_SECONDS = 2
    user = UserFactory()
    client = http_client()
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        assert _sign_in(client, user.email, "guess").status_code == 200
    seen = []
    for _ in range(3):
        blocked = _sign_in(client, user.email, "guess")
        assert blocked.status_code == 429
        seen.append(int(blocked["Retry-After"]))
        assert seen[-1] <= settings.LOGIN_DELAY_MAX_SECONDS, seen
        time.sleep(seen[-1] + 0.1)
        # The block is over: one more wrong guess is taken, and blocks again for longer.
        assert _sign_in(client, user.email, "guess").status_code == 200
    assert seen == [1, 2, 2]
    # Another address is not held back by this one's guesses.
    assert _sign_in(client, user.email, TEST_PASSWORD, address=ELSEWHERE).status_code == 302


def test_guesses_from_many_addresses_are_stopped_by_the_account_limit():
    user = UserFactory()
    limit = settings.LOGIN_ACCOUNT_FAILURE_LIMIT
    for n in range(limit):
        _fail(1, user.email, address=f"10.20.{n // 250}.{n % 250 + 1}")
    stranger = _sign_in(http_client(), user.email, TEST_PASSWORD, address="192.0.2.99")
    assert stranger.status_code == 429
    assert int(stranger["Retry-After"]) > 0


def test_a_known_browser_with_the_right_password_passes_address_and_account_limits(settings):
    user = UserFactory()
    own_browser = http_client()
    assert _sign_in(own_browser, user.email, TEST_PASSWORD).status_code == 302
    cookie = own_browser.cookies[known_device_cookie_name(user.email)]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == 30 * 24 * 3600
    own_browser.post("/accounts/logout/")
    # A distributed attack on the account, and a spray of made-up accounts from the office.
    for n in range(settings.LOGIN_ACCOUNT_FAILURE_LIMIT):
        _fail(1, user.email, address=f"10.30.{n // 250}.{n % 250 + 1}")
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 30
    for n in range(30):
        _fail(1, f"sprayed-{n}@made-up.example")
    assert _sign_in(http_client(), user.email, TEST_PASSWORD).status_code == 429
    assert _sign_in(http_client(), "someone@else.example", "guess").status_code == 429
    response = _sign_in(own_browser, user.email, TEST_PASSWORD)
    assert response.status_code == 302
    assert response.wsgi_request.user == user


def test_a_known_browser_is_not_locked_out_by_a_colleague_guessing_its_account():
    user = UserFactory()
    own_browser = http_client()
    assert _sign_in(own_browser, user.email, TEST_PASSWORD).status_code == 302
    own_browser.post("/accounts/logout/")
    _fail(settings.LOGIN_FAILURE_LIMIT, user.email)
    assert _sign_in(http_client(), user.email, TEST_PASSWORD).status_code == 429
    assert _sign_in(own_browser, user.email, TEST_PASSWORD).status_code == 302


def test_a_known_browser_gets_its_own_limit_and_only_for_its_own_account():
    user, other = UserFactory(), UserFactory()
    browser = http_client()
    assert _sign_in(browser, user.email, TEST_PASSWORD).status_code == 302
    browser.post("/accounts/logout/")
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        assert _sign_in(browser, user.email, "guess").status_code == 200
    assert _sign_in(browser, user.email, TEST_PASSWORD).status_code == 429
    # The cookie names the account it was issued for; another account's limits apply as usual.
    _fail(settings.LOGIN_FAILURE_LIMIT, other.email)
    assert _sign_in(browser, other.email, TEST_PASSWORD).status_code == 429


def test_a_forged_or_moved_known_device_cookie_is_ignored():
    user, other = UserFactory(), UserFactory()
    _fail(settings.LOGIN_FAILURE_LIMIT, user.email)
    forged = http_client()
    forged.cookies[known_device_cookie_name(user.email)] = f"{user.pk}:abc:def"
    assert _sign_in(forged, user.email, TEST_PASSWORD).status_code == 429
    # A genuine cookie of another account, copied under this account's name.
    browser = http_client()
    assert _sign_in(browser, other.email, TEST_PASSWORD).status_code == 302
    moved = http_client()
    moved.cookies[known_device_cookie_name(user.email)] = browser.cookies[
        known_device_cookie_name(other.email)
    ].value
    assert _sign_in(moved, user.email, TEST_PASSWORD).status_code == 429


def test_a_password_change_forgets_the_known_browsers():
    user = UserFactory()
    browser = http_client()
    assert _sign_in(browser, user.email, TEST_PASSWORD).status_code == 302
    browser.post("/accounts/logout/")
    user.set_password("a brand new passphrase")
    user.save(update_fields=["password"])
    _fail(settings.LOGIN_FAILURE_LIMIT, user.email)
    assert _sign_in(browser, user.email, "a brand new passphrase").status_code == 429


def test_platform_admin_sign_in_is_throttled():
    operator = UserFactory(is_staff=True, is_superuser=True)
    client = http_client()
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        response = _sign_in(client, operator.email, "guess", path="/admin/login/")
        assert response.status_code == 200
    response = _sign_in(client, operator.email, TEST_PASSWORD, path="/admin/login/")
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert b"Try again in 1 minute" in response.content
    assert "_auth_user_id" not in client.session


def test_admin_and_workspace_sign_in_share_one_throttle(tenant_a):
    operator = UserFactory(is_staff=True)
    _fail(settings.LOGIN_FAILURE_LIMIT, operator.email)
    response = _sign_in(http_client(), operator.email, TEST_PASSWORD, path="/admin/login/")
    assert response.status_code == 429
    other = UserFactory(is_staff=True)
    _fail(settings.LOGIN_FAILURE_LIMIT, other.email, path="/admin/login/")
    response = http_client(tenant=tenant_a).post(
        "/accounts/login/", {"username": other.email, "password": TEST_PASSWORD}, REMOTE_ADDR=OFFICE
    )
    assert response.status_code == 429


def test_admin_sign_in_still_works_and_remembers_the_browser():
    operator = UserFactory(is_staff=True)
    client = http_client()
    response = _sign_in(client, operator.email.upper(), TEST_PASSWORD, path="/admin/login/")
    # Platform staff always pass a second factor: the password alone starts no session.
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/")
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302
    enrolment = client.get(response["Location"])
    assert b"Set up two-factor sign-in" in enrolment.content
    device = TOTPDevice.objects.get(user=operator, confirmed=False)
    done = client.post(response["Location"], {"code": current_code(device)})
    assert done.status_code == 200  # the recovery codes, shown once
    assert known_device_cookie_name(operator.email) in client.cookies
    assert client.get("/admin/").status_code == 200
    # A person who is not platform staff cannot use the admin, and the try counts.
    person = UserFactory()
    refused = _sign_in(http_client(), person.email, TEST_PASSWORD, path="/admin/login/")
    assert refused.status_code == 200
    assert "_auth_user_id" not in refused.wsgi_request.session


def test_session_cookie_is_http_only_and_passwords_are_hashed():
    user = UserFactory()
    assert user.password.startswith(("md5$", "pbkdf2_sha256$"))
    assert TEST_PASSWORD not in user.password
    client = http_client()
    client.post("/accounts/login/", {"username": user.email, "password": TEST_PASSWORD})
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def test_sign_out_requires_post_and_ends_the_session():
    user = UserFactory()
    client = http_client(user=user)
    assert client.get("/accounts/logout/").status_code == 405
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session
