"""Sign-in with email on any host, throttling, session safety."""

import pytest
from django.conf import settings

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


def test_sign_in_is_throttled_after_repeated_failures():
    user = UserFactory()
    client = http_client()
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": user.email, "password": "nope-nope"})
    # Even the right password is refused while the block lasts.
    response = client.post("/accounts/login/", {"username": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert b"Too many failed sign-in attempts" in response.content
    assert "_auth_user_id" not in client.session


def test_throttle_is_shared_between_hosts(tenant_a):
    user = UserFactory()
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        http_client().post("/accounts/login/", {"username": user.email, "password": "bad-bad"})
    response = http_client(tenant=tenant_a).post(
        "/accounts/login/", {"username": user.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 429


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
