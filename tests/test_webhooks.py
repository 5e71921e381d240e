"""Webhooks: URL rules, Standard Webhooks signatures checked by the reference library on a
real local HTTP receiver, no redirects, retries through an outage, giving up, and the
outbox -> relay -> fan-out -> delivery path through a real Celery worker."""

import json
import shutil
import ssl
import subprocess
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

import api.tasks.webhooks  # registers the webhook tasks with the test worker
from api.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from api.webhooks import delivery as webhook_delivery
from api.webhooks.delivery import webhook_deliveries_due, webhook_delivery_attempt
from api.webhooks.fan_out import webhook_fan_out
from api.webhooks.subscriptions import (
    webhook_deliveries_for,
    webhook_secret_rotate,
    webhook_send_test,
    webhook_subscription_create,
    webhook_subscription_delete,
    webhook_subscriptions_for,
)
from api.webhooks.targets import WebhookTarget, webhook_post
from audit.errors import ConflictError, NotFoundError
from audit.models import AuditEntry
from hiring.models import BriefShare
from outbox.models import OutboxEvent
from outbox.services import outbox_record
from tenants.models import ApiKey, ClientRole
from tests.factories import (
    AgencyFactory,
    ApiKeyFactory,
    ClientMembershipFactory,
    EngagementFactory,
    RoleBriefFactory,
    WebhookDeliveryFactory,
)


def make_key(tenant: Any, *, agency: Any = None, **fields: Any) -> ApiKey:
    return ApiKeyFactory(client=tenant, agency=agency, scopes=["webhooks:manage"], **fields)


class Receiver:
    """A real HTTP server on 127.0.0.1 that verifies every request with standardwebhooks."""

    def __init__(self, port: int = 0) -> None:
        self.port = port
        self.secret = ""
        self.status = 200
        self.delay = 0.0
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = dict(self.headers.items())
                try:
                    Webhook(receiver.secret).verify(body, headers)
                    verified = True
                except WebhookVerificationError:
                    verified = False
                with receiver._lock:
                    receiver.requests.append(
                        {"path": self.path, "headers": headers, "body": body, "ok": verified}
                    )
                time.sleep(receiver.delay)
                status = receiver.status if verified else 400
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", f"http://127.0.0.1:{receiver.port}/other")
                self.send_header("Content-Length", "7")
                self.end_headers()
                self.wfile.write(b"nope!\r\n" if status >= 300 else b"thanks!")

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        server.daemon_threads = True
        server.block_on_close = False
        self.port = server.server_address[1]
        self._server = server
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def ids(self) -> list[str]:
        with self._lock:
            return [r["headers"]["webhook-id"] for r in self.requests]


@pytest.fixture
def receiver(settings: Any) -> Any:
    server = Receiver().start()
    settings.WEBHOOK_ALLOWED_PRIVATE_TARGETS = [f"127.0.0.1:{server.port}"]
    yield server
    server.stop()


@pytest.fixture
def queued(monkeypatch: Any) -> list[dict[str, Any]]:
    """Record attempts queued after commit instead of sending them to the broker."""
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(
        webhook_delivery, "send_to_tenant", lambda **kwargs: calls.append(kwargs), raising=True
    )
    return calls


def subscribe(tenant: Any, key: ApiKey, receiver: Receiver, **fields: Any) -> WebhookSubscription:
    with schema_context(tenant.schema_name):
        subscription, secret = webhook_subscription_create(
            api_key=key, url=receiver.url, event_types=fields.pop("event_types", []), **fields
        )
    receiver.secret = secret
    return subscription


def wait_for(predicate: Any, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


# --- URL rules at creation --------------------------------------------------------------------

REFUSED_EVERYWHERE = [
    "https://localhost/hooks",
    "https://app.localhost/hooks",
    "https://127.0.0.1/hooks",
    "https://127.0.0.1./hooks",
    "https://127.1/hooks",
    "https://2130706433/hooks",
    "https://0.0.0.0/hooks",
    "https://10.1.2.3/hooks",
    "https://172.16.0.5/hooks",
    "https://192.168.1.10/hooks",
    "https://100.64.0.1/hooks",
    "https://169.254.169.254/latest/meta-data/",
    "https://[::1]/hooks",
    "https://[fe80::1]/hooks",
    "https://[fd00:ec2::254]/hooks",
    "https://[::ffff:127.0.0.1]/hooks",
    "https://224.0.0.1/hooks",
    "https://intranet/hooks",
    "https://metadata.google.internal/computeMetadata/v1/",
    "https://user:secret@hooks.example.com/hooks",
    "ftp://hooks.example.com/hooks",
    "javascript:alert(1)",
    "file:///etc/passwd",
    "https://hooks.example.com/hooks#top",
    "https://hooks.example.com/a b",
    "https://hooks.example.com:99999/hooks",
    "",
]


@pytest.mark.parametrize("url", REFUSED_EVERYWHERE)
def test_unsafe_urls_are_refused_at_creation(db: Any, tenant_a: Any, url: str) -> None:
    key = make_key(tenant_a)
    with schema_context(tenant_a.schema_name), pytest.raises(ValidationError) as refused:
        webhook_subscription_create(api_key=key, url=url, event_types=[])
    assert set(refused.value.message_dict) == {"url"}
    with schema_context(tenant_a.schema_name):
        assert not WebhookSubscription.objects.exists()


def test_https_required_where_configured_and_public_urls_accepted(
    db: Any, tenant_a: Any, settings: Any, monkeypatch: Any
) -> None:
    key = make_key(tenant_a)
    settings.WEBHOOK_REQUIRE_HTTPS = True
    with schema_context(tenant_a.schema_name):
        with pytest.raises(ValidationError) as refused:
            webhook_subscription_create(api_key=key, url="http://8.8.8.8/hooks", event_types=[])
        assert "https" in refused.value.message_dict["url"][0]
        # Public literal, and a name that does not resolve (offline): both accepted.
        for url in ("https://8.8.8.8/hooks", "https://hooks.example.com/in?token=abc"):
            subscription, _ = webhook_subscription_create(api_key=key, url=url, event_types=[])
            assert subscription.url == url
        # A name that resolves to a loopback address is refused.
        monkeypatch.setattr(
            "api.webhooks.targets._resolve", lambda host, port: ["93.184.215.14", "127.0.0.1"]
        )
        with pytest.raises(ValidationError) as refused:
            webhook_subscription_create(
                api_key=key, url="https://sneaky.example.com/hooks", event_types=[]
            )
        assert "private" in refused.value.message_dict["url"][0]


def test_the_allow_list_opens_exactly_one_host_and_port(
    db: Any, tenant_a: Any, settings: Any
) -> None:
    key = make_key(tenant_a)
    settings.WEBHOOK_ALLOWED_PRIVATE_TARGETS = ["127.0.0.1:8765"]
    with schema_context(tenant_a.schema_name):
        subscription, _ = webhook_subscription_create(
            api_key=key, url="http://127.0.0.1:8765/hooks", event_types=[]
        )
        assert subscription.is_active
        for url in ("http://127.0.0.1:8766/hooks", "http://localhost:8765/hooks"):
            with pytest.raises(ValidationError):
                webhook_subscription_create(api_key=key, url=url, event_types=[])
        settings.WEBHOOK_REQUIRE_HTTPS = True
        with pytest.raises(ValidationError):
            webhook_subscription_create(
                api_key=key, url="http://127.0.0.1:8765/hooks", event_types=[]
            )


def test_event_types_description_limit_and_the_secret(db: Any, tenant_a: Any) -> None:
    agency = AgencyFactory()
    client_key, agency_key = make_key(tenant_a), make_key(tenant_a, agency=agency)
    url = "https://hooks.example.com/in?token=do-not-log-me"
    with schema_context(tenant_a.schema_name):
        with pytest.raises(ValidationError) as invalid:
            webhook_subscription_create(
                api_key=client_key,
                url="https://10.0.0.1/",
                event_types=["brief.opened", "brief.exploded"],
                description="x" * 201,
            )
        assert set(invalid.value.message_dict) == {"url", "event_types", "description"}
        with pytest.raises(ValidationError) as invalid:
            webhook_subscription_create(
                api_key=agency_key, url=url, event_types=["scorecard.submitted"]
            )
        assert "agency" in invalid.value.message_dict["event_types"][0]

        subscription, secret = webhook_subscription_create(
            api_key=agency_key,
            url=url,
            event_types=["submission.created", "submission.created", "brief.opened"],
            description="  Our ATS  ",
        )
        assert subscription.agency_id == agency.pk
        assert subscription.event_types == ["submission.created", "brief.opened"]
        assert subscription.description == "Our ATS"
        assert secret.startswith("whsec_") and subscription.secret == secret
        Webhook(secret)  # the library accepts it as a secret
        _, rotated = webhook_secret_rotate(api_key=agency_key, subscription=subscription)
        assert rotated != secret and rotated.startswith("whsec_")

        for _ in range(9):
            webhook_subscription_create(api_key=agency_key, url=url, event_types=[])
        with pytest.raises(ValidationError) as invalid:
            webhook_subscription_create(api_key=agency_key, url=url, event_types=[])
        assert "at most 10" in invalid.value.message_dict["__all__"][0]
        assert webhook_subscriptions_for(agency_key).count() == 10
        assert webhook_subscriptions_for(client_key).count() == 0

        # Another key's subscription is out of reach.
        with pytest.raises(NotFoundError):
            webhook_subscription_delete(api_key=client_key, subscription=subscription)
        with pytest.raises(NotFoundError):
            webhook_deliveries_for(client_key, subscription)
        webhook_subscription_delete(api_key=agency_key, subscription=subscription)
        assert not WebhookSubscription.objects.filter(pk=subscription.pk).exists()

        trail = json.dumps(
            list(
                AuditEntry.objects.filter(object_type="webhook_subscription").values(
                    "action", "actor_ref", "details"
                )
            )
        )
    assert {"webhook.subscription_created", "webhook.secret_rotated"} <= {
        e["action"] for e in json.loads(trail)
    }
    assert agency_key.prefix in trail
    assert "do-not-log-me" not in trail and "whsec_" not in trail and rotated[6:] not in trail


# --- Delivery --------------------------------------------------------------------------------


def test_a_signed_delivery_is_verified_by_the_library(
    db: Any, tenant_a: Any, receiver: Receiver
) -> None:
    key = make_key(tenant_a)
    subscription = subscribe(tenant_a, key, receiver, description="CRM")
    with schema_context(tenant_a.schema_name):
        delivery = webhook_send_test(api_key=key, subscription=subscription)
        assert webhook_delivery_attempt(delivery_id=delivery.pk) == "delivered"
        # Idempotent: a second task for the same delivery sends nothing.
        assert webhook_delivery_attempt(delivery_id=delivery.pk) == "done"
        delivery.refresh_from_db()
        event = OutboxEvent.objects.get(pk=delivery.event_id)
        log = list(webhook_deliveries_for(key, subscription))

    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert request["ok"], "standardwebhooks rejected the signature"
    assert request["headers"]["webhook-id"] == str(event.public_id)
    assert request["headers"]["Content-Type"] == "application/json"
    assert request["headers"]["webhook-signature"].startswith("v1,")
    assert abs(int(request["headers"]["webhook-timestamp"]) - time.time()) < 30
    body = json.loads(request["body"])
    assert body["type"] == "webhook.test"
    assert body["data"]["subscription_id"] == str(subscription.public_id)
    assert event.published_at is not None  # never handed to other consumers

    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.attempts == 1 and delivery.last_status_code == 200
    assert delivery.last_latency_ms is not None and delivery.delivered_at is not None
    assert log == [delivery]

    # After rotation the old secret no longer verifies; the new one does.
    old_secret = receiver.secret
    with schema_context(tenant_a.schema_name):
        _, receiver.secret = webhook_secret_rotate(api_key=key, subscription=subscription)
        second = webhook_send_test(api_key=key, subscription=subscription)
        assert webhook_delivery_attempt(delivery_id=second.pk) == "delivered"
    latest = receiver.requests[-1]
    assert latest["ok"]
    with pytest.raises(WebhookVerificationError):
        Webhook(old_secret).verify(latest["body"], latest["headers"])


def test_delivery_rechecks_the_target_and_sends_nothing_when_refused(
    db: Any, tenant_a: Any, receiver: Receiver, settings: Any, monkeypatch: Any
) -> None:
    key = make_key(tenant_a)
    subscription = subscribe(tenant_a, key, receiver)
    settings.WEBHOOK_ALLOWED_PRIVATE_TARGETS = []
    with schema_context(tenant_a.schema_name):
        delivery = webhook_send_test(api_key=key, subscription=subscription)
        assert webhook_delivery_attempt(delivery_id=delivery.pk) == "failed"
        delivery.refresh_from_db()
    assert receiver.requests == []
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_status_code is None and delivery.last_latency_ms is None
    assert delivery.last_error.startswith("Not sent:")
    assert delivery.next_attempt_at > timezone.now()

    # DNS rebinding: public (or unresolvable) at creation, private at delivery.
    with schema_context(tenant_a.schema_name):
        public, _ = webhook_subscription_create(
            api_key=key, url="https://hooks.example.com/in", event_types=[]
        )
        monkeypatch.setattr("api.webhooks.targets._resolve", lambda host, port: ["10.0.0.7"])
        rebound = webhook_send_test(api_key=key, subscription=public)
        assert webhook_delivery_attempt(delivery_id=rebound.pk) == "failed"
        rebound.refresh_from_db()
    assert "private" in rebound.last_error


def test_redirects_are_not_followed(db: Any, tenant_a: Any, receiver: Receiver) -> None:
    key = make_key(tenant_a)
    subscription = subscribe(tenant_a, key, receiver)
    receiver.status = 302
    with schema_context(tenant_a.schema_name):
        delivery = webhook_send_test(api_key=key, subscription=subscription)
        assert webhook_delivery_attempt(delivery_id=delivery.pk) == "failed"
        delivery.refresh_from_db()
    assert [r["path"] for r in receiver.requests] == ["/hooks"]
    assert delivery.last_status_code == 302
    assert "redirect" in delivery.last_error


def test_a_slow_receiver_is_cut_off_at_the_timeout(
    db: Any, tenant_a: Any, receiver: Receiver, settings: Any
) -> None:
    key = make_key(tenant_a)
    subscription = subscribe(tenant_a, key, receiver)
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    receiver.delay = 2.5
    started = time.monotonic()
    with schema_context(tenant_a.schema_name):
        delivery = webhook_send_test(api_key=key, subscription=subscription)
        assert webhook_delivery_attempt(delivery_id=delivery.pk) == "failed"
        delivery.refresh_from_db()
    assert time.monotonic() - started < 2.2
    assert delivery.last_error.startswith("Timed out")


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_https_goes_to_the_vetted_address_with_sni_and_certificate_checks(
    tmp_path: Any, monkeypatch: Any
) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    name = "hooks.partner.test"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", str(key), "-out", str(cert), "-subj", f"/CN={name}"),
            *("-addext", f"subjectAltName=DNS:{name}"),
        ],
        check=True,
        capture_output=True,
    )
    seen: dict[str, str] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            seen["host"] = self.headers["Host"]
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda sock, name, ctx: seen.update(sni=name or "")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    port = server.server_address[1]

    def post(host: str) -> Any:
        # The name does not resolve: only the vetted address can be reached.
        target = WebhookTarget(
            scheme="https", host=host, port=port, request_target="/in", addresses=("127.0.0.1",)
        )
        return webhook_post(target, body=b"{}", headers={}, timeout=3)

    try:
        assert "certificate" in post("hooks.partner.test").error  # not a trusted CA
        trusting = ssl.create_default_context
        monkeypatch.setattr(ssl, "create_default_context", lambda: trusting(cafile=str(cert)))
        assert post("hooks.partner.test").status_code == 204
        assert seen == {"sni": "hooks.partner.test", "host": f"hooks.partner.test:{port}"}
        assert "certificate" in post("other.partner.test").error
    finally:
        server.shutdown()
        server.server_close()


def test_give_up_switches_the_subscription_off_and_emails_the_admins(
    db: Any,
    tenant_a: Any,
    receiver: Receiver,
    settings: Any,
    queued: list[dict[str, Any]],
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    admin = ClientMembershipFactory(client=tenant_a, role=ClientRole.ADMIN).user
    ClientMembershipFactory(client=tenant_a, role=ClientRole.HIRING_MANAGER)
    key = make_key(tenant_a)
    subscription = subscribe(tenant_a, key, receiver, description="Payroll sync")
    receiver.status = 500
    settings.WEBHOOK_RETRY_DELAYS = [0, 0]
    with schema_context(tenant_a.schema_name):
        delivery = webhook_send_test(api_key=key, subscription=subscription)
        waiting = WebhookDelivery.objects.create(
            subscription=subscription,
            event=OutboxEvent.objects.create(event_type="brief.updated", aggregate_type="b"),
        )
        outcomes = []
        for _ in range(3):
            with django_capture_on_commit_callbacks(execute=True):
                outcomes.append(webhook_delivery_attempt(delivery_id=delivery.pk))
        assert webhook_delivery_attempt(delivery_id=delivery.pk) == "done"
        delivery.refresh_from_db()
        waiting.refresh_from_db()
        subscription.refresh_from_db()
        disabled_audit = AuditEntry.objects.filter(action="webhook.subscription_disabled").count()

    assert outcomes == ["failed", "failed", "gave_up"]
    assert len(receiver.requests) == 3 and all(r["ok"] for r in receiver.requests)
    # Each failure queued the next attempt for its retry time.
    assert [call["kwargs"] for call in queued] == [{"delivery_id": delivery.pk}] * 2
    assert all(call["eta"] is not None for call in queued)
    assert delivery.status == DeliveryStatus.GAVE_UP and delivery.attempts == 3
    assert delivery.last_status_code == 500 and delivery.last_error.startswith("HTTP 500")
    assert waiting.status == DeliveryStatus.GAVE_UP
    assert not subscription.is_active
    assert "3 attempts" in subscription.disabled_reason
    assert disabled_audit == 1
    assert [m.to for m in mailoutbox] == [[admin.email]]
    message = mailoutbox[0]
    assert str(subscription.public_id) in message.body
    assert "Create a new webhook subscription" in message.body
    assert "HTTP 500" in message.body and "Payroll sync" in message.body
    with schema_context(tenant_a.schema_name), pytest.raises(ConflictError):
        webhook_send_test(api_key=key, subscription=subscription)


def test_the_schedule_lasts_a_day_and_early_retries_cannot_shorten_it(
    db: Any, tenant_a: Any, settings: Any
) -> None:
    delays = settings.WEBHOOK_RETRY_DELAYS
    assert sum(delays) >= 24 * 3600
    now = timezone.now()
    delivery = WebhookDelivery(attempts=1, created_at=now)
    first = webhook_delivery._retry_delay(delivery, now)
    assert first is not None and delays[0] <= first <= delays[0] * 1.1
    delivery.attempts = len(delays) + 1
    # Every step used, but not yet a full schedule's time since the event: keep trying.
    assert webhook_delivery._retry_delay(delivery, now + timedelta(hours=5)) is not None
    assert webhook_delivery._retry_delay(delivery, now + timedelta(seconds=sum(delays))) is None


def test_revoked_keys_get_nothing(
    db: Any, tenant_a: Any, receiver: Receiver, queued: list[dict[str, Any]]
) -> None:
    key = make_key(tenant_a)
    subscription = subscribe(tenant_a, key, receiver)
    with schema_context(tenant_a.schema_name):
        delivery = webhook_send_test(api_key=key, subscription=subscription)
        ApiKey.objects.filter(pk=key.pk).update(revoked_at=timezone.now())
        assert webhook_delivery_attempt(delivery_id=delivery.pk) == "stopped"
        event = outbox_record(
            event_type="shortlist.updated", aggregate_type="brief", aggregate_id="x", payload={}
        )
        assert webhook_fan_out(event_id=event.pk) == 0
    assert receiver.requests == []


def test_fan_out_matches_types_agencies_and_is_idempotent(
    db: Any, tenant_a: Any, queued: list[dict[str, Any]], django_capture_on_commit_callbacks: Any
) -> None:
    agency_a, agency_b = AgencyFactory(), AgencyFactory()
    for agency in (agency_a, agency_b):
        EngagementFactory(client=tenant_a, agency=agency)
    keys = {
        "client_all": make_key(tenant_a),
        "client_briefs": make_key(tenant_a),
        "agency_a": make_key(tenant_a, agency=agency_a),
        "agency_b": make_key(tenant_a, agency=agency_b),
    }
    url = "https://hooks.example.com/in"
    with schema_context(tenant_a.schema_name):
        subs = {
            name: webhook_subscription_create(
                api_key=key,
                url=url,
                event_types=["brief.opened"] if name == "client_briefs" else [],
            )[0]
            for name, key in keys.items()
        }
        brief = RoleBriefFactory(shared_with_all_engaged=False)
        BriefShare.objects.create(brief=brief, agency=agency_a)

        def receivers_of(event_type: str, payload: dict[str, Any], agency_id: Any = None) -> set:
            event = outbox_record(
                event_type=event_type,
                aggregate_type="x",
                aggregate_id="1",
                payload=payload,
                agency_id=agency_id,
            )
            with django_capture_on_commit_callbacks(execute=True):
                count = webhook_fan_out(event_id=event.pk)
            with django_capture_on_commit_callbacks(execute=True):
                assert webhook_fan_out(event_id=event.pk) == 0  # repeated hand-over
            got = set(
                WebhookDelivery.objects.filter(event=event).values_list("subscription", flat=True)
            )
            assert count == len(got)
            return {name for name, sub in subs.items() if sub.pk in got}

        brief_id = str(brief.public_id)
        assert receivers_of("submission.created", {"brief_id": brief_id}, agency_a.pk) == {
            "client_all",
            "agency_a",
        }
        assert receivers_of("scorecard.submitted", {"brief_id": brief_id}) == {"client_all"}
        assert receivers_of("brief.opened", {"brief_id": brief_id}) == {
            "client_all",
            "client_briefs",
            "agency_a",
        }
        assert receivers_of(
            "brief.status_changed", {"brief_id": brief_id, "previous_status": "open"}
        ) == {"client_all", "agency_a"}
        assert receivers_of(
            "brief.status_changed", {"brief_id": brief_id, "previous_status": "draft"}
        ) == {"client_all"}
        assert receivers_of("webhook.test", {}) == set()
        # A platform-deactivated agency (its keys are refused too) receives nothing more.
        agency_a.is_active = False
        agency_a.save(update_fields=["is_active"])
        assert receivers_of("submission.created", {"brief_id": brief_id}, agency_a.pk) == {
            "client_all"
        }
    assert len(queued) == 2 + 1 + 3 + 2 + 1 + 1


def test_the_safety_net_finds_lost_and_overdue_attempts(
    db: Any, tenant_a: Any, queued: list[dict[str, Any]], django_capture_on_commit_callbacks: Any
) -> None:
    key = make_key(tenant_a)
    now = timezone.now()
    with schema_context(tenant_a.schema_name):
        subscription, _ = webhook_subscription_create(
            api_key=key, url="https://hooks.example.com/in", event_types=[]
        )

        def delivery(**fields: Any) -> WebhookDelivery:
            return WebhookDeliveryFactory(
                subscription=subscription, event__event_type="brief.updated", **fields
            )

        overdue = delivery(status=DeliveryStatus.FAILED, next_attempt_at=now - timedelta(1))
        lost = delivery(created_at=now - timedelta(minutes=5))
        lease_expired = delivery(attempts=1, next_attempt_at=now - timedelta(seconds=5))
        delivery(status=DeliveryStatus.FAILED, next_attempt_at=now + timedelta(minutes=5))
        delivery()  # just created: its own task is on the way
        delivery(status=DeliveryStatus.DELIVERED, created_at=now - timedelta(hours=1))
        assert webhook_deliveries_due() == [overdue.pk, lost.pk, lease_expired.pk]
        with django_capture_on_commit_callbacks(execute=True):
            assert api.tasks.webhooks.webhook_retry_due() == 3
    assert [call["kwargs"]["delivery_id"] for call in queued] == [
        overdue.pk,
        lost.pk,
        lease_expired.pk,
    ]
    assert {call["task_name"] for call in queued} == {"api.tasks.webhooks.webhook_deliver"}
    assert {call["schema_name"] for call in queued} == {tenant_a.schema_name}


def test_two_workers_never_post_the_same_attempt(
    committed_db: Any, tenant_a: Any, receiver: Receiver
) -> None:
    key = make_key(tenant_a)
    subscription = subscribe(tenant_a, key, receiver)
    receiver.delay = 0.5
    with schema_context(tenant_a.schema_name):
        event = OutboxEvent.objects.create(
            event_type="shortlist.updated", aggregate_type="b", published_at=timezone.now()
        )
        delivery = WebhookDelivery.objects.create(subscription=subscription, event=event)
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def attempt() -> None:
        try:
            with schema_context(tenant_a.schema_name):
                barrier.wait()
                outcomes.append(webhook_delivery_attempt(delivery_id=delivery.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("delivered") == 1
    assert set(outcomes) - {"delivered"} <= {"busy", "not_due"}
    assert len(receiver.requests) == 1


# --- Through a real worker -----------------------------------------------------------------


@pytest.mark.worker
def test_outbox_event_reaches_the_receiver_through_the_worker(
    celery_worker: Any, tenant_a: Any, receiver: Receiver
) -> None:
    key = make_key(tenant_a)
    subscribe(tenant_a, key, receiver)
    with schema_context(tenant_a.schema_name), transaction.atomic():
        event = outbox_record(
            event_type="shortlist.updated",
            aggregate_type="brief",
            aggregate_id="b1",
            payload={"brief_id": "b1", "version": 2, "entries": 3},
        )
    assert wait_for(lambda: len(receiver.requests) == 1)
    request = receiver.requests[0]
    assert request["ok"]
    assert request["headers"]["webhook-id"] == str(event.public_id)
    body = json.loads(request["body"])
    assert body["type"] == "shortlist.updated"
    assert body["data"] == {
        "brief_id": "b1",
        "version": 2,
        "entries": 3,
        "event_id": str(event.public_id),
    }

    def delivered() -> bool:
        with schema_context(tenant_a.schema_name):
            return WebhookDelivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == 1

    assert wait_for(delivered)


@pytest.mark.worker
def test_a_receiver_down_for_a_while_gets_every_event_once_it_is_back(
    celery_worker: Any, tenant_a: Any, receiver: Receiver, settings: Any
) -> None:
    key = make_key(tenant_a)
    subscribe(tenant_a, key, receiver)
    settings.WEBHOOK_RETRY_DELAYS = [1, 1, 1, 2, 2, 4, 8, 16]
    receiver.stop()  # the port is closed: connections are refused

    with schema_context(tenant_a.schema_name):
        events = []
        for number in range(5):
            with transaction.atomic():
                events.append(
                    outbox_record(
                        event_type="shortlist.updated",
                        aggregate_type="brief",
                        aggregate_id=f"b{number}",
                        payload={"brief_id": f"b{number}", "version": number},
                    )
                )

    def all_failed_once() -> bool:
        with schema_context(tenant_a.schema_name):
            return (
                WebhookDelivery.objects.filter(
                    status=DeliveryStatus.FAILED, attempts__gte=1, last_status_code__isnull=True
                ).count()
                == 5
            )

    assert wait_for(all_failed_once)
    with schema_context(tenant_a.schema_name):
        errors = set(WebhookDelivery.objects.values_list("last_error", flat=True))
    assert all(error.startswith("Connection refused") for error in errors)

    receiver.start()  # back on the same port
    expected = {str(event.public_id) for event in events}
    assert wait_for(lambda: set(receiver.ids()) == expected, timeout=30)

    def all_delivered() -> bool:
        with schema_context(tenant_a.schema_name):
            return WebhookDelivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == 5

    assert wait_for(all_delivered)
    time.sleep(1.5)  # any stray duplicate attempt would land by now
    assert all(r["ok"] for r in receiver.requests)
    assert sorted(receiver.ids()) == sorted(expected)  # every event, exactly once
