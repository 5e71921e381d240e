"""Webhook pages on a workspace host (/settings/webhooks/): the partner API's webhook
management, through the same services (api.webhooks.subscriptions).

Subscriptions belong to an API key. A client admin manages those of the workspace's own keys;
an agency admin those of their agency's keys for this client (while the engagement is paused
they can read them, but changes wait for it to be active again, as the API refuses the
agency's keys meanwhile). Anyone else gets the same 404 as a page that does not exist.

Every change is a POST answered by a redirect. The signing secret, returned by creation and
rotation, waits for the page that shows it once in the cache (pages.shown_once).
"""

from typing import Any

from django.contrib import messages
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from api.forms import EVENT_TYPE_LABELS, WebhookForm
from api.keys import api_key_is_expired
from api.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from api.webhooks.events import AGENCY_WEBHOOK_EVENT_TYPES, WEBHOOK_EVENT_TYPES
from api.webhooks.subscriptions import (
    webhook_deliveries_for,
    webhook_secret_rotate,
    webhook_send_test,
    webhook_subscription_create,
    webhook_subscription_delete,
    webhook_subscriptions_for_keys,
)
from api.webhooks.targets import url_origin
from audit.errors import ConflictError, NotFoundError
from pages.access import Caller, workspace_page
from pages.forms import form_action
from pages.shown_once import shown_once_keep, shown_once_take
from tenants.models import ApiKey, ApiScope
from tenants.roles import ADMINISTER_AGENCY, ADMINISTER_WORKSPACE

WEBHOOK_MANAGERS = ADMINISTER_WORKSPACE | ADMINISTER_AGENCY
SECRET_SHOWN_ONCE = "webhook_secret"
DELIVERIES_SHOWN = 20
PAUSED = (
    "Your agency's engagement with this client is paused: its API keys are refused, so its "
    "webhooks cannot be changed until the engagement is active again."
)


def _keys(caller: Caller) -> QuerySet[ApiKey]:
    """Every key whose subscriptions the caller manages (revoked ones too: their
    subscriptions are listed so they can be deleted)."""
    keys = ApiKey.objects.filter(client=caller.client)
    if caller.is_agency:
        return keys.filter(agency=caller.agency)
    return keys.filter(agency__isnull=True)


def _usable_keys(caller: Caller) -> list[ApiKey]:
    """The caller's active keys that hold webhooks:manage: the ones a subscription can use."""
    keys = _keys(caller).filter(
        revoked_at__isnull=True, scopes__contains=[ApiScope.WEBHOOKS_MANAGE]
    )
    return [key for key in keys.order_by("name", "id") if not api_key_is_expired(key)]


def _access_subscription(caller: Caller, public_id: str) -> tuple[WebhookSubscription, ApiKey]:
    keys = {key.pk: key for key in _keys(caller)}
    subscription = (
        webhook_subscriptions_for_keys(list(keys)).filter(public_id=public_id).first()
        if keys
        else None
    )
    if subscription is None:
        raise NotFoundError
    return subscription, keys[subscription.api_key_id]


def _refuse_while_paused(caller: Caller) -> None:
    if caller.is_agency and not caller.may_submit:
        raise ConflictError(PAUSED, code="engagement_inactive")


def _key_label(key: ApiKey) -> str:
    return f"{key.name} ({key.prefix}…)"


def _key_state(key: ApiKey) -> str:
    if key.revoked_at is not None:
        return "revoked"
    if api_key_is_expired(key):
        return "expired"
    return "active"


@workspace_page(roles=WEBHOOK_MANAGERS)
def webhook_list(request: HttpRequest, caller: Caller) -> HttpResponse:
    keys = {key.pk: key for key in _keys(caller)}
    latest = WebhookDelivery.objects.filter(subscription=OuterRef("pk")).order_by(
        "-created_at", "-id"
    )
    subscriptions = (
        webhook_subscriptions_for_keys(list(keys)).annotate(
            latest_status=Subquery(latest.values("status")[:1]),
            latest_at=Subquery(latest.values("created_at")[:1]),
        )
        if keys
        else WebhookSubscription.objects.none()
    )
    labels = dict(DeliveryStatus.choices)
    rows = [
        {
            "subscription": subscription,
            "key": keys[subscription.api_key_id],
            "key_state": _key_state(keys[subscription.api_key_id]),
            "latest_status": getattr(subscription, "latest_status", None),
            "latest_label": labels.get(getattr(subscription, "latest_status", None) or "", ""),
            "latest_at": getattr(subscription, "latest_at", None),
        }
        for subscription in subscriptions
    ]
    return render(
        request,
        "api/webhooks/list.html",
        {
            "rows": rows,
            "has_usable_key": bool(_usable_keys(caller)),
            "is_agency": caller.is_agency,
            "paused": caller.is_agency and not caller.may_submit,
        },
    )


@workspace_page(roles=WEBHOOK_MANAGERS, methods=("GET", "POST"))
def webhook_new(request: HttpRequest, caller: Caller) -> HttpResponse:
    _refuse_while_paused(caller)
    usable = {str(key.public_id): key for key in _usable_keys(caller)}
    form = WebhookForm(
        request.POST if request.method == "POST" else None,
        key_choices=[(public_id, _key_label(key)) for public_id, key in usable.items()],
        event_types=AGENCY_WEBHOOK_EVENT_TYPES if caller.is_agency else WEBHOOK_EVENT_TYPES,
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            api_key = usable[form.cleaned_data["api_key"]]
            done = form_action(
                form,
                lambda: webhook_subscription_create(
                    api_key=api_key,
                    url=form.cleaned_data["url"],
                    event_types=form.cleaned_data["event_types"],
                    description=form.cleaned_data["description"],
                ),
            )
            if done.ok and done.value is not None:
                subscription, secret = done.value
                shown_once_keep(
                    request,
                    purpose=SECRET_SHOWN_ONCE,
                    object_id=subscription.public_id,
                    value=secret,
                )
                return redirect("api:webhook_secret", public_id=subscription.public_id)
    return render(
        request,
        "api/webhooks/new.html",
        {"form": form, "has_usable_key": bool(usable), "is_agency": caller.is_agency},
        status=status,
    )


def _delivery_rows(api_key: ApiKey, subscription: WebhookSubscription) -> list[WebhookDelivery]:
    return list(webhook_deliveries_for(api_key, subscription)[:DELIVERIES_SHOWN])


@workspace_page(roles=WEBHOOK_MANAGERS)
def webhook_detail(request: HttpRequest, caller: Caller, public_id: str) -> HttpResponse:
    subscription, api_key = _access_subscription(caller, public_id)
    deliveries = _delivery_rows(api_key, subscription)
    context: dict[str, Any] = {
        "subscription": subscription,
        "api_key": api_key,
        "key_state": _key_state(api_key),
        "origin": url_origin(subscription.url),
        "event_labels": [EVENT_TYPE_LABELS.get(event, event) for event in subscription.event_types],
        "deliveries": deliveries,
        # The table refreshes itself while a first attempt is still to come.
        "waiting": any(d.status == DeliveryStatus.PENDING for d in deliveries),
        "may_change": not (caller.is_agency and not caller.may_submit),
        "now": timezone.now(),
    }
    if getattr(request, "htmx", False):
        return render(request, "api/webhooks/_deliveries.html", context)
    return render(request, "api/webhooks/detail.html", context)


@workspace_page(roles=WEBHOOK_MANAGERS)
def webhook_secret(request: HttpRequest, caller: Caller, public_id: str) -> HttpResponse:
    """The signing secret after creation or rotation, shown once."""
    subscription, api_key = _access_subscription(caller, public_id)
    secret = shown_once_take(request, purpose=SECRET_SHOWN_ONCE, object_id=subscription.public_id)
    response = render(
        request,
        "api/webhooks/secret.html",
        {"subscription": subscription, "api_key": api_key, "secret": secret},
    )
    response["Cache-Control"] = "no-store"
    return response


@workspace_page(roles=WEBHOOK_MANAGERS, methods=("POST",))
def webhook_test(request: HttpRequest, caller: Caller, public_id: str) -> HttpResponse:
    subscription, api_key = _access_subscription(caller, public_id)
    _refuse_while_paused(caller)
    webhook_send_test(api_key=api_key, subscription=subscription)
    messages.success(
        request,
        "A signed test event is on its way: its delivery appears below, with the answer of "
        "your endpoint.",
    )
    return redirect("api:webhook_detail", public_id=subscription.public_id)


@workspace_page(roles=WEBHOOK_MANAGERS, methods=("GET", "POST"))
def webhook_rotate(request: HttpRequest, caller: Caller, public_id: str) -> HttpResponse:
    subscription, api_key = _access_subscription(caller, public_id)
    _refuse_while_paused(caller)
    if request.method == "POST":
        _rotated, secret = webhook_secret_rotate(api_key=api_key, subscription=subscription)
        shown_once_keep(
            request, purpose=SECRET_SHOWN_ONCE, object_id=subscription.public_id, value=secret
        )
        return redirect("api:webhook_secret", public_id=subscription.public_id)
    return render(
        request,
        "api/webhooks/confirm.html",
        {
            "subscription": subscription,
            "origin": url_origin(subscription.url),
            "title": f"Rotate the signing secret of the webhook to {url_origin(subscription.url)}?",
            "points": [
                "A new secret is made and shown to you once, on the next page.",
                "From that moment every attempt is signed with the new secret, retries of "
                "older events included: your endpoint must check signatures with it at once, "
                "or it will refuse what it receives.",
                "The old secret stops working immediately.",
            ],
            "button": "Rotate the secret",
        },
    )


@workspace_page(roles=WEBHOOK_MANAGERS, methods=("GET", "POST"))
def webhook_delete(request: HttpRequest, caller: Caller, public_id: str) -> HttpResponse:
    subscription, api_key = _access_subscription(caller, public_id)
    _refuse_while_paused(caller)
    origin = url_origin(subscription.url)
    if request.method == "POST":
        webhook_subscription_delete(api_key=api_key, subscription=subscription)
        messages.success(
            request, f"The webhook to {origin} is deleted: nothing more is sent to it."
        )
        return redirect("api:webhook_list")
    return render(
        request,
        "api/webhooks/confirm.html",
        {
            "subscription": subscription,
            "origin": origin,
            "title": f"Delete the webhook to {origin}?",
            "points": [
                "Nothing more is sent to this endpoint, including retries still waiting.",
                "Its delivery log is deleted with it.",
                "To receive events again, create a new subscription: it gets a new secret.",
            ],
            "button": "Delete the webhook",
            "danger": True,
        },
    )
