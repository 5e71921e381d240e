"""Webhook subscriptions and deliveries: services, selectors and the delivery engine.

Subscriptions belong to one API key. Events reach them through the outbox: the consumer
`api.tasks.webhooks_fan_out` calls `webhook_fan_out`, which records one WebhookDelivery per
matching subscription (unique per subscription and event, so a repeated hand-over adds
nothing) and queues `api.tasks.webhook_deliver` for each.

Each attempt signs the body with the Standard Webhooks scheme (webhook-id is the event's
public id, identical on every retry so receivers can drop duplicates) and posts it through the
SSRF guard in `api.webhook_targets`. Failed attempts are retried on the schedule in
`WEBHOOK_RETRY_DELAYS`; when it runs out the delivery gives up, the subscription is switched
off and the client's admins get an email. See docs (Webhooks: delivery and verification).
"""

import base64
import json
import logging
import secrets
import time
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from api.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from api.webhook_targets import (
    PostResult,
    WebhookTargetError,
    url_origin,
    webhook_post,
    webhook_target_resolve,
    webhook_url_validate,
)
from hiring.actors import Actor
from hiring.audit import audit_record
from hiring.errors import ConflictError, NotFoundError
from hiring.models import BriefStatus, OutboxEvent, RoleBrief
from hiring.selectors import brief_visible_to_agency
from tenants.models import ApiKey, ClientMembership, ClientRole, Engagement
from tenants.schema import current_client, current_schema_name
from tenants.selectors import AGENCY_VISIBLE_STATUSES
from tenants.tasks import send_to_tenant

logger = logging.getLogger(__name__)

TEST_EVENT_TYPE = "webhook.test"
# Every type a subscription may name. An empty list on a subscription means "all of them"
# (all that the key's kind may receive).
WEBHOOK_EVENT_TYPES = (
    "brief.created",
    "brief.updated",
    "brief.opened",
    "brief.status_changed",
    "submission.created",
    "submission.stage_changed",
    "scorecard.submitted",
    "shortlist.updated",
    "candidate.erased",
    TEST_EVENT_TYPE,
)
# An agency's key hears about briefs shared with it and about its own submissions only.
AGENCY_WEBHOOK_EVENT_TYPES = (
    "brief.opened",
    "brief.status_changed",
    "submission.created",
    "submission.stage_changed",
    TEST_EVENT_TYPE,
)
# Types relayed from the outbox; test events are written straight to one subscription.
FAN_OUT_EVENT_TYPES = tuple(t for t in WEBHOOK_EVENT_TYPES if t != TEST_EVENT_TYPE)

MAX_SUBSCRIPTIONS_PER_KEY = 10
DESCRIPTION_MAX_LENGTH = 200
SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32

DELIVER_TASK = "api.tasks.webhook_deliver"
# A queued attempt may arrive a moment before its scheduled time.
DUE_SLACK = timedelta(seconds=2)
# A pending delivery never attempted after this long was lost on the way to a worker.
NEVER_ATTEMPTED_AFTER = timedelta(minutes=1)
REQUEUE_BATCH = 500
# On a success, deliveries of the same subscription that failed because the receiver was
# unreachable are retried at once (oldest event first), at most this many, once per window.
BACKLOG_FLUSH_LIMIT = 100
BACKLOG_FLUSH_WINDOW_SECONDS = 30


# --- Selectors ---------------------------------------------------------------------------


def webhook_subscriptions_for(api_key: ApiKey) -> QuerySet[WebhookSubscription]:
    """The key's own subscriptions, newest first."""
    return WebhookSubscription.objects.filter(api_key_id=api_key.pk).order_by("-created_at", "-id")


def webhook_deliveries_for(
    api_key: ApiKey, subscription: WebhookSubscription
) -> QuerySet[WebhookDelivery]:
    """The delivery log of one of the key's subscriptions, latest first."""
    _check_owner(api_key, subscription)
    return (
        WebhookDelivery.objects.filter(subscription_id=subscription.pk)
        .select_related("event")
        .order_by("-created_at", "-id")
    )


# --- Subscription services -----------------------------------------------------------------


def _actor(api_key: ApiKey) -> Actor:
    return Actor.for_api_key(prefix=api_key.prefix, agency_id=api_key.agency_id)


def _check_owner(api_key: ApiKey, subscription: WebhookSubscription) -> None:
    if subscription.api_key_id != api_key.pk:
        raise NotFoundError


def _secret_new() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def _clean_event_types(event_types: object, *, for_agency: bool) -> list[str]:
    if event_types is None:
        return []
    if not isinstance(event_types, list | tuple) or not all(
        isinstance(item, str) for item in event_types
    ):
        raise ValidationError({"event_types": "Give a list of event types (empty for all)."})
    allowed = AGENCY_WEBHOOK_EVENT_TYPES if for_agency else WEBHOOK_EVENT_TYPES
    unknown = [item for item in event_types if item not in WEBHOOK_EVENT_TYPES]
    if unknown:
        raise ValidationError(
            {
                "event_types": f"Unknown event type: {', '.join(sorted(set(unknown)))}. "
                f"Use any of: {', '.join(allowed)}."
            }
        )
    refused = [item for item in event_types if item not in allowed]
    if refused:
        raise ValidationError(
            {
                "event_types": "An agency's key can subscribe only to: "
                f"{', '.join(allowed)}. Not available: {', '.join(sorted(set(refused)))}."
            }
        )
    return list(dict.fromkeys(event_types))


def webhook_subscription_create(
    *, api_key: ApiKey, url: object, event_types: object, description: object = ""
) -> tuple[WebhookSubscription, str]:
    """Register an endpoint for the key. Returns the subscription and its signing secret,
    which is shown this once (rotate it to get a new one)."""
    errors: dict[str, Any] = {}
    clean_url = ""
    try:
        clean_url = webhook_url_validate(url)
    except WebhookTargetError as refused:
        errors["url"] = refused.message
    clean_types: list[str] = []
    try:
        clean_types = _clean_event_types(event_types, for_agency=api_key.agency_id is not None)
    except ValidationError as invalid:
        errors.update(invalid.message_dict)
    if description is None:
        description = ""
    if not isinstance(description, str):
        errors["description"] = "Give the description as text."
    elif len(description.strip()) > DESCRIPTION_MAX_LENGTH:
        errors["description"] = f"Use at most {DESCRIPTION_MAX_LENGTH} characters."
    if errors:
        raise ValidationError(errors)
    assert isinstance(description, str)

    with transaction.atomic():
        # One key's concurrent requests queue here, so the limit holds under races.
        ApiKey.objects.select_for_update().filter(pk=api_key.pk).first()
        if WebhookSubscription.objects.filter(api_key_id=api_key.pk).count() >= (
            MAX_SUBSCRIPTIONS_PER_KEY
        ):
            raise ValidationError(
                {
                    "__all__": f"A key can have at most {MAX_SUBSCRIPTIONS_PER_KEY} webhook "
                    "subscriptions. Delete one you no longer use first."
                }
            )
        secret = _secret_new()
        subscription = WebhookSubscription.objects.create(
            api_key_id=api_key.pk,
            agency_id=api_key.agency_id,
            url=clean_url,
            event_types=clean_types,
            description=description.strip(),
            secret=secret,
        )
        audit_record(
            actor=_actor(api_key),
            action="webhook.subscription_created",
            object_type="webhook_subscription",
            object_id=subscription.public_id,
            details={"origin": url_origin(clean_url), "event_types": clean_types},
        )
    return subscription, secret


def webhook_subscription_delete(*, api_key: ApiKey, subscription: WebhookSubscription) -> None:
    """Remove the subscription with its delivery log; queued attempts find nothing to do."""
    _check_owner(api_key, subscription)
    with transaction.atomic():
        public_id = subscription.public_id
        origin = url_origin(subscription.url)
        deleted, _ = WebhookSubscription.objects.filter(pk=subscription.pk).delete()
        if not deleted:
            raise NotFoundError
        audit_record(
            actor=_actor(api_key),
            action="webhook.subscription_deleted",
            object_type="webhook_subscription",
            object_id=public_id,
            details={"origin": origin},
        )


def webhook_secret_rotate(
    *, api_key: ApiKey, subscription: WebhookSubscription
) -> tuple[WebhookSubscription, str]:
    """Replace the signing secret at once: every attempt from now on, retries of older events
    included, is signed with the new one. Returns the subscription and the new secret."""
    _check_owner(api_key, subscription)
    with transaction.atomic():
        locked = WebhookSubscription.objects.select_for_update().filter(pk=subscription.pk).first()
        if locked is None:
            raise NotFoundError
        secret = _secret_new()
        locked.secret = secret
        locked.updated_at = timezone.now()
        locked.save(update_fields=["secret", "updated_at"])
        audit_record(
            actor=_actor(api_key),
            action="webhook.secret_rotated",
            object_type="webhook_subscription",
            object_id=locked.public_id,
        )
    return locked, secret


def webhook_send_test(*, api_key: ApiKey, subscription: WebhookSubscription) -> WebhookDelivery:
    """Send a signed `webhook.test` event to this subscription only, whatever its event types.

    The event row is written already published: it is not a change in the workspace, so the
    relay never hands it to other consumers."""
    _check_owner(api_key, subscription)
    if not subscription.is_active:
        raise ConflictError(
            "This subscription is switched off. Create a new subscription to receive events again.",
            code="webhook_disabled",
        )
    now = timezone.now()
    with transaction.atomic():
        event = OutboxEvent.objects.create(
            event_type=TEST_EVENT_TYPE,
            aggregate_type="webhook_subscription",
            aggregate_id=str(subscription.public_id),
            payload={"subscription_id": str(subscription.public_id)},
            agency_id=api_key.agency_id,
            published_at=now,
        )
        delivery = WebhookDelivery.objects.create(subscription=subscription, event=event)
        audit_record(
            actor=_actor(api_key),
            action="webhook.test_sent",
            object_type="webhook_subscription",
            object_id=subscription.public_id,
            details={"delivery": str(delivery.public_id)},
        )
        webhook_delivery_queue_on_commit(delivery_ids=[delivery.pk])
    return delivery


# --- Queueing --------------------------------------------------------------------------------


def webhook_delivery_queue_on_commit(
    *, delivery_ids: Iterable[int], eta: datetime | None = None
) -> None:
    """Queue attempts once the current transaction commits (at once outside one). If the
    broker is down the rows stay due and `webhook_retry_due` queues them later."""
    ids = list(delivery_ids)
    if not ids:
        return
    schema_name = current_schema_name()

    def send() -> None:
        try:
            for delivery_id in ids:
                send_to_tenant(
                    task_name=DELIVER_TASK,
                    schema_name=schema_name,
                    kwargs={"delivery_id": delivery_id},
                    eta=eta,
                )
        except Exception:
            logger.warning(
                "could not queue webhook deliveries in %s; the retry sweep will catch up",
                schema_name,
                exc_info=True,
            )

    transaction.on_commit(send)


# --- Fan-out -------------------------------------------------------------------------------


def _usable_key_ids(key_ids: set[int]) -> set[int]:
    now = timezone.now()
    return set(
        ApiKey.objects.filter(pk__in=key_ids, revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .values_list("pk", flat=True)
    )


def _agency_may_receive(event: OutboxEvent, agency_id: int, brief_cache: dict[str, Any]) -> bool:
    """An agency hears about its own submissions and about briefs shared with it."""
    if event.event_type.startswith("submission."):
        return event.agency_id == agency_id
    if event.event_type in ("brief.opened", "brief.status_changed"):
        if event.payload.get("previous_status") == BriefStatus.DRAFT:
            return False  # never shown to agencies before this change
        brief_id = str(event.payload.get("brief_id", ""))
        if brief_id not in brief_cache:
            brief_cache[brief_id] = RoleBrief.objects.filter(public_id=brief_id).first()
        brief = brief_cache[brief_id]
        return brief is not None and brief_visible_to_agency(brief, agency_id)
    return False


def webhook_fan_out(*, event_id: int) -> int:
    """Record a delivery of the event for every active subscription that may receive it and
    queue them. Idempotent: a repeated call finds the rows and queues nothing (a delivery
    whose task was lost is picked up by `webhook_retry_due`). Returns the number queued."""
    event = OutboxEvent.objects.filter(pk=event_id).first()
    if event is None or event.event_type not in FAN_OUT_EVENT_TYPES:
        return 0
    candidates = list(
        WebhookSubscription.objects.filter(is_active=True)
        .filter(Q(event_types=[]) | Q(event_types__contains=[event.event_type]))
        .order_by("id")
    )
    if not candidates:
        return 0
    usable_keys = _usable_key_ids({s.api_key_id for s in candidates})
    agency_ids = {s.agency_id for s in candidates if s.agency_id is not None}
    engaged: set[int] = set()
    if agency_ids:
        engaged = set(
            Engagement.objects.filter(
                client=current_client(),
                agency_id__in=agency_ids,
                agency__is_active=True,
                status__in=AGENCY_VISIBLE_STATUSES,
            ).values_list("agency_id", flat=True)
        )
    brief_cache: dict[str, Any] = {}
    receivers = []
    for subscription in candidates:
        if subscription.api_key_id not in usable_keys:
            continue
        if subscription.agency_id is not None and not (
            subscription.agency_id in engaged
            and event.event_type in AGENCY_WEBHOOK_EVENT_TYPES
            and _agency_may_receive(event, subscription.agency_id, brief_cache)
        ):
            continue
        receivers.append(subscription)

    to_queue: list[int] = []
    with transaction.atomic():
        for subscription in receivers:
            delivery, created = WebhookDelivery.objects.get_or_create(
                subscription=subscription, event=event
            )
            if created:
                to_queue.append(delivery.pk)
        webhook_delivery_queue_on_commit(delivery_ids=to_queue)
    return len(to_queue)


# --- Signing and the request body ----------------------------------------------------------


def webhook_body(event: OutboxEvent) -> bytes:
    """The signed body: the same bytes for every attempt of an event."""
    created = event.created_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    document = {
        "type": event.event_type,
        "timestamp": created,
        "data": {**event.payload, "event_id": str(event.public_id)},
    }
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


def webhook_sign(*, secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """`v1,<base64 HMAC-SHA256>` over `{id}.{timestamp}.{body}` keyed with the secret's
    decoded bytes (Standard Webhooks; the reference library does the arithmetic)."""
    return Webhook(secret).sign(message_id, datetime.fromtimestamp(timestamp, UTC), body.decode())


# --- Delivery attempts ---------------------------------------------------------------------


def _stop_reason(subscription: WebhookSubscription) -> str:
    if not subscription.is_active:
        return "Not sent: the subscription is switched off."
    if not _usable_key_ids({subscription.api_key_id}):
        return "Not sent: the subscription's API key was revoked or has expired."
    return ""


def _claim(*, delivery_id: int) -> WebhookDelivery | str:
    """Take the delivery for one attempt, or say why not. The attempt is counted and the row
    leased (next_attempt_at moved past the attempt's longest duration) in a short
    transaction, so a second worker with the same task skips it, and a worker that dies
    mid-attempt only delays the retry until the lease runs out."""
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("subscription", "event")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            exists = WebhookDelivery.objects.filter(pk=delivery_id).exists()
            return "busy" if exists else "missing"
        if delivery.status in (DeliveryStatus.DELIVERED, DeliveryStatus.GAVE_UP):
            return "done"
        if delivery.next_attempt_at is not None and delivery.next_attempt_at > now + DUE_SLACK:
            return "not_due"
        stop = _stop_reason(delivery.subscription)
        if stop:
            delivery.status = DeliveryStatus.GAVE_UP
            delivery.next_attempt_at = None
            delivery.last_error = stop
            delivery.save(update_fields=["status", "next_attempt_at", "last_error"])
            return "stopped"
        lease = timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS * 3 + 60)
        delivery.attempts += 1
        delivery.next_attempt_at = now + lease
        delivery.save(update_fields=["attempts", "next_attempt_at"])
    return delivery


def _send(delivery: WebhookDelivery) -> PostResult:
    subscription = delivery.subscription
    try:
        target = webhook_target_resolve(subscription.url)
    except WebhookTargetError as refused:
        return PostResult(status_code=None, latency_ms=None, error=f"Not sent: {refused.message}")
    body = webhook_body(delivery.event)
    message_id = str(delivery.event.public_id)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": webhook_sign(
            secret=subscription.secret, message_id=message_id, timestamp=timestamp, body=body
        ),
    }
    return webhook_post(
        target, body=body, headers=headers, timeout=settings.WEBHOOK_TIMEOUT_SECONDS
    )


def _retry_delay(delivery: WebhookDelivery, now: datetime) -> float | None:
    """Seconds until the next attempt, or None to give up.

    Attempt n failing waits WEBHOOK_RETRY_DELAYS[n-1] (plus up to 10% jitter, so retries of a
    burst spread out). It gives up only once every delay was used AND at least their sum has
    passed since the delivery was created: early retries after a backlog flush cannot make it
    give up sooner than the schedule promises."""
    delays = [float(delay) for delay in settings.WEBHOOK_RETRY_DELAYS]
    step = delivery.attempts - 1
    elapsed = (now - delivery.created_at).total_seconds()
    if step >= len(delays) and elapsed >= sum(delays):
        return None
    delay = delays[min(step, len(delays) - 1)]
    return delay * (1 + secrets.randbelow(101) / 1000)


def _duration_text(seconds: float) -> str:
    if seconds >= 2 * 3600:
        return f"{round(seconds / 3600)} hours"
    if seconds >= 120:
        return f"{round(seconds / 60)} minutes"
    return f"{round(seconds)} seconds"


def _subscription_disable(delivery: WebhookDelivery, now: datetime) -> None:
    """Switch the subscription off after a delivery gave up (once), stop its other
    deliveries, audit it, and tell the client's admins after commit."""
    subscription = delivery.subscription
    duration = _duration_text((now - delivery.created_at).total_seconds())
    reason = f"An event could not be delivered after {delivery.attempts} attempts over {duration}."
    switched_off = WebhookSubscription.objects.filter(pk=subscription.pk, is_active=True).update(
        is_active=False, disabled_reason=reason[:200], updated_at=now
    )
    if not switched_off:
        return
    others = WebhookDelivery.objects.filter(
        subscription_id=subscription.pk,
        status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED],
    ).exclude(pk=delivery.pk)
    others.filter(attempts=0).update(
        status=DeliveryStatus.GAVE_UP,
        next_attempt_at=None,
        last_error="Not sent: the subscription was switched off.",
    )
    others.update(status=DeliveryStatus.GAVE_UP, next_attempt_at=None)
    audit_record(
        actor=Actor.system("webhook_deliver"),
        action="webhook.subscription_disabled",
        object_type="webhook_subscription",
        object_id=subscription.public_id,
        details={"delivery": str(delivery.public_id), "attempts": delivery.attempts},
    )
    client = current_client()
    last_result = (
        f"the endpoint answered HTTP {delivery.last_status_code}"
        if delivery.last_status_code is not None
        else delivery.last_error
    )
    transaction.on_commit(
        lambda: _admins_notify_disabled(
            client=client,
            subscription=subscription,
            duration=duration,
            attempts=delivery.attempts,
            last_result=last_result,
        )
    )


def _admins_notify_disabled(
    *,
    client: Any,
    subscription: WebhookSubscription,
    duration: str,
    attempts: int,
    last_result: str,
) -> None:
    admins = list(
        ClientMembership.objects.filter(
            client=client, role=ClientRole.ADMIN, user__is_active=True
        ).values_list("user__email", flat=True)
    )
    if not admins:
        logger.warning("webhook %s switched off; %s has no admin to tell", subscription, client)
        return
    description = f"\nDescription: {subscription.description}" if subscription.description else ""
    subject = "A webhook was switched off: its endpoint kept failing"
    message = (
        f"Hello,\n\n"
        f"We switched off a webhook subscription in the {client.name} workspace because its "
        f"endpoint did not accept an event for {duration} ({attempts} attempts).\n\n"
        f"Subscription: {subscription.public_id}\n"
        f"Endpoint: {url_origin(subscription.url)}{description}\n"
        f"Last result: {last_result}\n\n"
        f"No more events are sent to this endpoint. To receive them again:\n"
        f"1. Make sure the endpoint is reachable, answers with a 2xx status within "
        f"{settings.WEBHOOK_TIMEOUT_SECONDS} seconds and does not redirect.\n"
        f"2. Create a new webhook subscription with the same API key (a switched-off "
        f"subscription cannot be switched back on), then delete this one.\n"
        f"3. Catch up on what happened meanwhile from the partner API's event feed.\n\n"
        f"You receive this because you are an admin of {client.name}.\n"
    )
    for email in admins:
        try:
            send_mail(subject, message, None, [email])
        except Exception:
            logger.warning("could not email admin about webhook %s", subscription, exc_info=True)


def _backlog_flush(subscription_id: int, now: datetime) -> None:
    """The receiver answered again: retry now the deliveries that failed because it was
    unreachable, oldest event first, instead of waiting out their backoff. Failures with an
    HTTP status (the receiver refused that event) keep their schedule."""
    ids = list(
        WebhookDelivery.objects.filter(
            subscription_id=subscription_id,
            status=DeliveryStatus.FAILED,
            last_status_code__isnull=True,
            next_attempt_at__gt=now,
        )
        .order_by("event_id", "id")
        .values_list("id", flat=True)[:BACKLOG_FLUSH_LIMIT]
    )
    if not ids:
        return
    try:
        first_in_window = cache.add(
            f"webhook-backlog-flush:{subscription_id}", 1, timeout=BACKLOG_FLUSH_WINDOW_SECONDS
        )
    except Exception:
        # Redis is down: the backlog keeps its schedule; never undo the delivery over it.
        logger.warning("webhook backlog flush skipped", exc_info=True)
        return
    if not first_in_window:
        return
    WebhookDelivery.objects.filter(id__in=ids, status=DeliveryStatus.FAILED).update(
        next_attempt_at=now
    )
    webhook_delivery_queue_on_commit(delivery_ids=ids)


def _record(*, delivery_id: int, attempt: int, result: PostResult) -> str:
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("subscription")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            return "missing"
        if delivery.status in (DeliveryStatus.DELIVERED, DeliveryStatus.GAVE_UP):
            return "done"
        if delivery.attempts != attempt:
            return "superseded"  # the lease ran out and a later attempt owns the row
        delivery.last_status_code = result.status_code
        delivery.last_latency_ms = result.latency_ms
        delivery.last_error = result.error[:200]
        fields = ["status", "last_status_code", "last_latency_ms", "last_error", "next_attempt_at"]
        if result.ok:
            delivery.status = DeliveryStatus.DELIVERED
            delivery.delivered_at = now
            delivery.next_attempt_at = None
            delivery.save(update_fields=[*fields, "delivered_at"])
            _backlog_flush(delivery.subscription_id, now)
            return "delivered"
        delay = _retry_delay(delivery, now)
        if delay is None:
            delivery.status = DeliveryStatus.GAVE_UP
            delivery.next_attempt_at = None
            delivery.save(update_fields=fields)
            _subscription_disable(delivery, now)
            return "gave_up"
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = now + timedelta(seconds=delay)
        delivery.save(update_fields=fields)
        webhook_delivery_queue_on_commit(delivery_ids=[delivery.pk], eta=delivery.next_attempt_at)
        return "failed"


def webhook_delivery_attempt(*, delivery_id: int) -> str:
    """Make one attempt if the delivery is due. Safe to call twice or concurrently: only one
    caller gets the row; the others return without sending. Returns the outcome:
    delivered, failed (retry scheduled), gave_up, or why nothing was sent (done, not_due,
    busy, missing, stopped, superseded)."""
    claimed = _claim(delivery_id=delivery_id)
    if isinstance(claimed, str):
        return claimed
    result = _send(claimed)
    outcome = _record(delivery_id=claimed.pk, attempt=claimed.attempts, result=result)
    logger.info(
        "webhook delivery %s attempt %s to %s: %s (%s)",
        claimed.public_id,
        claimed.attempts,
        url_origin(claimed.subscription.url),
        outcome,
        result.status_code or result.error,
    )
    return outcome


def webhook_deliveries_due(*, limit: int = REQUEUE_BATCH) -> list[int]:
    """Deliveries whose attempt should have happened: failed ones past their retry time,
    claimed ones whose lease ran out, and pending ones never attempted after a minute."""
    now = timezone.now()
    due = Q(
        status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED], next_attempt_at__lte=now
    ) | Q(
        status=DeliveryStatus.PENDING,
        next_attempt_at__isnull=True,
        created_at__lte=now - NEVER_ATTEMPTED_AFTER,
    )
    return list(
        WebhookDelivery.objects.filter(due)
        .order_by("event_id", "id")
        .values_list("id", flat=True)[:limit]
    )


def webhook_deliveries_requeue_due() -> int:
    """Safety net for attempts the broker lost: queue every due delivery again. A duplicate
    of an attempt still queued is harmless (the claim lets one through)."""
    ids = webhook_deliveries_due()
    webhook_delivery_queue_on_commit(delivery_ids=ids)
    return len(ids)
