"""Delivery attempts: claim, sign and post, record the outcome, retry with backoff, give up
and switch the subscription off; plus the sweep that re-queues attempts the broker lost."""

import logging
import secrets
import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from api.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from api.webhooks.signing import webhook_body, webhook_sign
from api.webhooks.targets import (
    PostResult,
    WebhookTargetError,
    url_origin,
    webhook_post,
    webhook_target_resolve,
)
from audit.actors import Actor
from audit.services import audit_record
from hiring.text import subject_line
from observability.metrics import webhook_attempt_observe
from tenants.models import ApiKey, ClientMembership, ClientRole
from tenants.schema import current_client, current_schema_name
from tenants.tasks import send_to_tenant

logger = logging.getLogger(__name__)

DELIVER_TASK = "api.tasks.webhooks.webhook_deliver"
# A queued attempt may arrive a moment before its scheduled time.
DUE_SLACK = timedelta(seconds=2)
# A pending delivery never attempted after this long was lost on the way to a worker.
NEVER_ATTEMPTED_AFTER = timedelta(minutes=1)
REQUEUE_BATCH = 500
# On a success, deliveries of the same subscription that failed because the receiver was
# unreachable are retried at once (oldest event first), at most this many, once per window.
BACKLOG_FLUSH_LIMIT = 100
BACKLOG_FLUSH_WINDOW_SECONDS = 30


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


def usable_key_ids(key_ids: set[int]) -> set[int]:
    now = timezone.now()
    return set(
        ApiKey.objects.filter(pk__in=key_ids, revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .values_list("pk", flat=True)
    )


def _stop_reason(subscription: WebhookSubscription) -> str:
    if not subscription.is_active:
        return "Not sent: the subscription is switched off."
    if not usable_key_ids({subscription.api_key_id}):
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
    subject = subject_line("A webhook was switched off: its endpoint kept failing")
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
    webhook_attempt_observe(outcome=outcome)
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


# --- Outbox retention ----------------------------------------------------------------------

RETRYING_STATUSES = (DeliveryStatus.PENDING, DeliveryStatus.FAILED)


def webhook_deliveries_still_retrying(event_ref: OuterRef) -> Exists:
    """True for an event a delivery still retries: the outbox keeps it (ApiConfig.ready)."""
    return Exists(WebhookDelivery.objects.filter(event_id=event_ref, status__in=RETRYING_STATUSES))


def webhook_deliveries_release(event_ids: list[int]) -> None:
    """Finished deliveries of events the outbox is about to delete go with them."""
    WebhookDelivery.objects.filter(event_id__in=event_ids).exclude(
        status__in=RETRYING_STATUSES
    ).delete()
