"""Webhook subscriptions of an API key: reads, and the services that create, delete, rotate
and test them. The API endpoints and the workspace pages call these same functions."""

import base64
import logging
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from api.models import WebhookDelivery, WebhookSubscription
from api.webhooks.delivery import webhook_delivery_queue_on_commit
from api.webhooks.events import AGENCY_WEBHOOK_EVENT_TYPES, TEST_EVENT_TYPE, WEBHOOK_EVENT_TYPES
from api.webhooks.targets import (
    WebhookTargetError,
    url_origin,
    webhook_url_validate,
)
from audit.actors import Actor
from audit.errors import ConflictError, NotFoundError
from audit.services import audit_record
from outbox.models import OutboxEvent
from tenants.models import ApiKey

logger = logging.getLogger(__name__)

MAX_SUBSCRIPTIONS_PER_KEY = 10
DESCRIPTION_MAX_LENGTH = 200
SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32


# --- Selectors ---------------------------------------------------------------------------


def webhook_subscriptions_for(api_key: ApiKey) -> QuerySet[WebhookSubscription]:
    """The key's own subscriptions, newest first."""
    return WebhookSubscription.objects.filter(api_key_id=api_key.pk).order_by("-created_at", "-id")


def webhook_subscriptions_for_keys(api_key_ids: list[int]) -> QuerySet[WebhookSubscription]:
    """The subscriptions of several keys (the webhook pages list those of the caller's keys),
    newest first."""
    return WebhookSubscription.objects.filter(api_key_id__in=api_key_ids).order_by(
        "-created_at", "-id"
    )


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
            details={"origin": url_origin(locked.url)},
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
            details={"delivery": str(delivery.public_id), "origin": url_origin(subscription.url)},
        )
        webhook_delivery_queue_on_commit(delivery_ids=[delivery.pk])
    return delivery
