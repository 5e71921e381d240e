"""The webhook pages (/settings/webhooks/): the API's webhook management through the same
services, for client admins (the workspace's own keys) and agency admins (their agency's
keys), with the signing secret shown once after a redirect."""

import html
import re
from typing import Any

import pytest
from django_tenants.utils import schema_context

from api.models import WebhookDelivery, WebhookSubscription
from api.webhooks.delivery import webhook_delivery_attempt
from audit.models import AuditEntry
from tenants.models import EngagementStatus
from tests.factories import ApiKeyFactory, WebhookSubscriptionFactory
from tests.test_webhooks import Receiver

pytestmark = pytest.mark.django_db

SECRET = re.compile(r"whsec_[A-Za-z0-9+/=]{40,}")


def text(response: Any) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


@pytest.fixture
def receiver(settings: Any) -> Any:
    server = Receiver().start()
    settings.WEBHOOK_ALLOWED_PRIVATE_TARGETS = [f"127.0.0.1:{server.port}"]
    yield server
    server.stop()


def test_without_a_webhooks_key_the_page_says_what_to_do(tenant_a, as_role):
    admin = as_role(tenant_a, "admin")
    ApiKeyFactory(client=tenant_a, scopes=["briefs:read"])
    page = text(admin.http.get("/settings/webhooks/"))
    assert "A webhook belongs to an API key with the scope webhooks:manage" in page
    assert "New webhook" not in page


def test_admin_creates_sees_the_secret_once_tests_rotates_and_deletes(tenant_a, as_role, receiver):
    admin = as_role(tenant_a, "admin")
    key = ApiKeyFactory(client=tenant_a, name="CRM sync", scopes=["webhooks:manage"])
    ApiKeyFactory(client=tenant_a, name="Read only", scopes=["briefs:read"])
    ApiKeyFactory(
        client=tenant_a, name="Old", scopes=["webhooks:manage"], revoked_at="2020-01-01T00:00Z"
    )
    form = admin.http.get("/settings/webhooks/new/")
    offered = form.content.decode()
    assert "CRM sync" in offered and "Read only" not in offered and ">Old (" not in offered

    # The same SSRF checks as the API: a private address is refused, nothing is created.
    refused = admin.http.post(
        "/settings/webhooks/new/",
        {"api_key": str(key.public_id), "url": "http://10.0.0.8/hooks"},
    )
    assert refused.status_code == 400
    assert "No webhook was created" in text(refused)
    with schema_context(tenant_a.schema_name):
        assert not WebhookSubscription.objects.exists()

    created = admin.http.post(
        "/settings/webhooks/new/",
        {
            "api_key": str(key.public_id),
            "url": receiver.url,
            "event_types": ["submission.created", "webhook.test"],
            "description": "Our CRM",
        },
    )
    assert created.status_code == 302
    assert "whsec_" not in created["Location"]
    with schema_context(tenant_a.schema_name):
        subscription = WebhookSubscription.objects.get()
    assert created["Location"] == f"/settings/webhooks/{subscription.public_id}/secret/"
    assert subscription.api_key_id == key.pk
    assert subscription.event_types == ["submission.created", "webhook.test"]
    shown = admin.http.get(created["Location"])
    assert shown["Cache-Control"] == "no-store"
    secret = SECRET.search(shown.content.decode()).group(0)
    assert secret == subscription.secret
    again = admin.http.get(created["Location"])
    assert not SECRET.search(again.content.decode())
    assert "was shown once already" in text(again)

    receiver.secret = secret
    assert admin.http.post(f"/settings/webhooks/{subscription.public_id}/test/").status_code == 302
    with schema_context(tenant_a.schema_name):
        delivery = WebhookDelivery.objects.get(subscription=subscription)
    pending = admin.http.get(f"/settings/webhooks/{subscription.public_id}/")
    assert "Pending" in text(pending)
    assert 'hx-trigger="every 2s"' in pending.content.decode()
    with schema_context(tenant_a.schema_name):
        assert webhook_delivery_attempt(delivery_id=delivery.pk) == "delivered"
    assert receiver.requests and receiver.requests[0]["ok"]
    detail = admin.http.get(f"/settings/webhooks/{subscription.public_id}/")
    shown_detail = text(detail)
    assert "Delivered" in shown_detail and "HTTP 200" in shown_detail
    assert re.search(r"\d+ ms", shown_detail)
    assert 'hx-trigger="every 2s"' not in detail.content.decode()
    listing = text(admin.http.get("/settings/webhooks/"))
    assert receiver.url in listing and "Delivered" in listing

    asked = admin.http.get(f"/settings/webhooks/{subscription.public_id}/rotate/")
    assert "The old secret stops working immediately" in text(asked)
    rotated = admin.http.post(f"/settings/webhooks/{subscription.public_id}/rotate/")
    assert rotated["Location"] == f"/settings/webhooks/{subscription.public_id}/secret/"
    new_secret = SECRET.search(admin.http.get(rotated["Location"]).content.decode()).group(0)
    assert new_secret != secret
    with schema_context(tenant_a.schema_name):
        subscription.refresh_from_db()
    assert subscription.secret == new_secret

    assert "Its delivery log is deleted" in text(
        admin.http.get(f"/settings/webhooks/{subscription.public_id}/delete/")
    )
    deleted = admin.http.post(f"/settings/webhooks/{subscription.public_id}/delete/")
    assert deleted["Location"] == "/settings/webhooks/"
    with schema_context(tenant_a.schema_name):
        assert not WebhookSubscription.objects.exists()
        actions = list(
            AuditEntry.objects.filter(object_type="webhook_subscription")
            .order_by("id")
            .values_list("action", flat=True)
        )
    assert actions == [
        "webhook.subscription_created",
        "webhook.test_sent",
        "webhook.secret_rotated",
        "webhook.subscription_deleted",
    ]
    trail = text(admin.http.get("/audit/", {"what": "integrations"}))
    origin = f"http://127.0.0.1:{receiver.port}"
    assert f"rotated the signing secret of the webhook to {origin}" in trail
    assert f"sent a test event to the webhook to {origin}" in trail
    assert "whsec_" not in trail


def test_agency_admin_manages_only_its_agency_keys_and_waits_while_paused(tenant_a, as_role):
    agency_admin = as_role(tenant_a, "agency_admin")
    mine = ApiKeyFactory(
        client=tenant_a, agency=agency_admin.agency, name="Our ATS", scopes=["webhooks:manage"]
    )
    client_key = ApiKeyFactory(client=tenant_a, name="Client CRM", scopes=["webhooks:manage"])
    with schema_context(tenant_a.schema_name):
        own = WebhookSubscriptionFactory(api_key=mine)
        theirs = WebhookSubscriptionFactory(api_key=client_key)
    form = agency_admin.http.get("/settings/webhooks/new/").content.decode()
    assert "Our ATS" in form and "Client CRM" not in form
    # Agency keys receive only their agency's kinds of event.
    assert 'value="submission.created"' in form and 'value="scorecard.submitted"' not in form
    refused = agency_admin.http.post(
        "/settings/webhooks/new/",
        {"api_key": str(client_key.public_id), "url": "https://hooks.example.com/x"},
    )
    assert refused.status_code == 400 and "Select a valid choice" in text(refused)
    listing = agency_admin.http.get("/settings/webhooks/").content.decode()
    assert own.url in listing and theirs.url not in listing
    assert agency_admin.http.get(f"/settings/webhooks/{theirs.public_id}/").status_code == 404

    engagement = agency_admin.engagement
    engagement.status = EngagementStatus.PAUSED
    engagement.save()
    assert agency_admin.http.get(f"/settings/webhooks/{own.public_id}/").status_code == 200
    paused = agency_admin.http.get("/settings/webhooks/new/")
    assert paused.status_code == 409 and "paused" in text(paused)
    assert agency_admin.http.post(f"/settings/webhooks/{own.public_id}/delete/").status_code == 409
    with schema_context(tenant_a.schema_name):
        assert WebhookSubscription.objects.filter(pk=own.pk).exists()


def test_other_roles_get_404(tenant_a, as_role):
    key = ApiKeyFactory(client=tenant_a, scopes=["webhooks:manage"])
    with schema_context(tenant_a.schema_name):
        subscription = WebhookSubscriptionFactory(api_key=key)
    for role in ("hiring_manager", "interviewer", "executive", "recruiter"):
        person = as_role(tenant_a, role)
        for path in ("/settings/webhooks/", f"/settings/webhooks/{subscription.public_id}/"):
            assert person.http.get(path).status_code == 404, (role, path)
