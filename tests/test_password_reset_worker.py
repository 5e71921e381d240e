"""Password reset end to end: the page queues the e-mail, a real Celery worker sends it,
the link leads back to the workspace it was asked from and works once. Committed data (the
worker reads it from its own connection)."""

import time
from urllib.parse import urlsplit

import pytest
from django.core import mail

from tests.accounts_support import link_in, mails_to
from tests.conftest import host_of, http_client
from tests.factories import TEST_PASSWORD


def _sign_in(client, user):
    response = client.post("/accounts/login/", {"username": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return response


def _ask_reset(client, email, address="203.0.113.5"):
    return client.post("/accounts/password/reset/", {"email": email}, REMOTE_ADDR=address)


@pytest.mark.worker
def test_password_reset_end_to_end_through_the_worker(celery_worker, tenant_a, as_role):
    member = as_role(tenant_a, "interviewer")
    signed_in_elsewhere = http_client()
    _sign_in(signed_in_elsewhere, member.user)
    mail.outbox.clear()
    _ask_reset(http_client(tenant=tenant_a), member.user.email)
    _ask_reset(http_client(tenant=tenant_a), "nobody@example.test")
    deadline = time.monotonic() + 20
    while not mails_to(member.user.email) and time.monotonic() < deadline:
        time.sleep(0.1)
    (message,) = mails_to(member.user.email)
    assert len(mail.outbox) == 1  # nothing for the address without an account
    assert message.subject == "Reset your password for Alpha Robotics"
    link = urlsplit(link_in(message))
    assert link.hostname == host_of(tenant_a)  # back to the workspace it was asked from

    browser = http_client(tenant=tenant_a)
    form = browser.get(link.path, follow=True)
    assert b"Choose a new password" in form.content
    done = browser.post(
        form.redirect_chain[-1][0],
        {"new_password1": "my reset passphrase 42", "new_password2": "my reset passphrase 42"},
    )
    assert done.status_code == 302 and done["Location"] == "/accounts/password/reset/complete/"
    assert signed_in_elsewhere.get("/account/").status_code == 302  # every session ended
    reused = http_client(tenant=tenant_a).get(link.path, follow=True)
    assert b"This reset link no longer works" in reused.content
    fresh = http_client(tenant=tenant_a)
    assert (
        fresh.post(
            "/accounts/login/",
            {"username": member.user.email, "password": "my reset passphrase 42"},
        ).status_code
        == 302
    )
