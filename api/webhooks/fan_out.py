"""Fan-out: one delivery per subscription that may receive an outbox event."""

import logging
from typing import Any

from django.db import transaction
from django.db.models import Q

from api.models import WebhookDelivery, WebhookSubscription
from api.webhooks.delivery import usable_key_ids, webhook_delivery_queue_on_commit
from api.webhooks.events import AGENCY_WEBHOOK_EVENT_TYPES, FAN_OUT_EVENT_TYPES
from hiring.models import BriefStatus, RoleBrief
from hiring.selectors import brief_visible_to_agency
from outbox.models import OutboxEvent
from tenants.models import Engagement
from tenants.schema import current_client
from tenants.selectors import AGENCY_VISIBLE_STATUSES

logger = logging.getLogger(__name__)


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
    usable_keys = usable_key_ids({s.api_key_id for s in candidates})
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
