"""Headers every page carries: the Content-Security-Policy (Django's own middleware) and the
security headers that were there before it. The browser test
(tests/test_browser.py::test_the_main_pages_work_under_a_strict_content_security_policy)
checks that the pages work under the policy."""

import re

import pytest
from django.conf import settings
from django.test import Client as HttpClient

from tests.conftest import http_client

pytestmark = pytest.mark.django_db


def _directives(policy: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/", "/"])
def test_pages_carry_a_strict_policy_and_the_older_headers(path):
    response = http_client().get(path)
    assert response.status_code == 200
    policy = _directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    for directive in ("script-src", "style-src"):
        assert policy[directive][0] == "'self'"
        assert not {"'unsafe-inline'", "'unsafe-eval'"} & set(policy[directive])
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["form-action"] == ["'self'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_a_workspace_page_carries_the_policy_too(tenant_a, as_role):
    response = as_role(tenant_a, "admin").http.get("/briefs/new/")
    assert response.status_code == 200
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert 'name="htmx-config"' in response.content.decode()


def test_a_page_with_an_inline_style_gets_a_nonce_for_it():
    """Django's CSRF failure page styles itself with a <style nonce=...>: the header names
    that nonce, so the page still shows as designed; pages without one name none."""
    client = HttpClient(HTTP_HOST=settings.BASE_DOMAIN, enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "a@b.example", "password": "x"})
    assert response.status_code == 403
    nonce = re.search(r'<style nonce="([^"]+)"', response.content.decode())
    assert nonce is not None
    assert (
        f"'nonce-{nonce.group(1)}'" in _directives(response["Content-Security-Policy"])["style-src"]
    )
    assert "nonce-" not in http_client().get("/accounts/login/")["Content-Security-Policy"]
