"""/api/v1/webhooks/: a key's webhook subscriptions (scope webhooks:manage, both kinds of
key). A key sees and manages only the subscriptions it created. The signing secret is in the
response to create and rotate-secret only; store it then. Delivery itself is api.webhooks."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from api.authentication import ApiPrincipal
from api.base import PartnerViewSet
from api.endpoints.common import LineTextField, validated_input
from api.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from api.webhooks.events import WEBHOOK_EVENT_TYPES
from api.webhooks.subscriptions import (
    webhook_deliveries_for,
    webhook_secret_rotate,
    webhook_send_test,
    webhook_subscription_create,
    webhook_subscription_delete,
    webhook_subscriptions_for,
)

DEFAULT_DELIVERIES = 50
MAX_DELIVERIES = 100


class WebhookSubscriptionSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    event_types = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = WebhookSubscription
        fields = [
            "id",
            "url",
            "event_types",
            "description",
            "is_active",
            "disabled_reason",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class WebhookWithSecretSerializer(WebhookSubscriptionSerializer):
    secret = serializers.SerializerMethodField(
        help_text="The signing secret (Standard Webhooks, whsec_...). Shown only in this response."
    )

    class Meta(WebhookSubscriptionSerializer.Meta):
        fields = [*WebhookSubscriptionSerializer.Meta.fields, "secret"]
        read_only_fields = fields

    def get_secret(self, subscription: WebhookSubscription) -> str:
        return str(self.context["secret"])


class WebhookCreateSerializer(serializers.Serializer):
    url = LineTextField(
        max_length=500,
        help_text="The https endpoint to post events to. Private, loopback and link-local "
        "addresses are refused; redirects are not followed.",
    )
    event_types = serializers.ListField(
        child=LineTextField(max_length=60),
        required=False,
        max_length=len(WEBHOOK_EVENT_TYPES),
        help_text="Event types to receive; empty or omitted for all the key may receive.",
    )
    description = LineTextField(max_length=200, required=False, allow_blank=True)


class DeliveryEventSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    type = serializers.CharField(source="event_type")


class WebhookDeliverySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    event = DeliveryEventSerializer(read_only=True)
    status = serializers.ChoiceField(choices=DeliveryStatus.choices, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event",
            "status",
            "attempts",
            "last_status_code",
            "last_error",
            "last_latency_ms",
            "next_attempt_at",
            "created_at",
            "delivered_at",
        ]
        read_only_fields = fields


class DeliveryListSerializer(serializers.Serializer):
    results = WebhookDeliverySerializer(many=True)


@extend_schema(tags=["webhooks"])
class WebhookViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PartnerViewSet):
    """Webhook subscriptions of the calling key."""

    model = WebhookSubscription
    serializer_class = WebhookSubscriptionSerializer
    required_scopes = {
        "list": "webhooks:manage",
        "retrieve": "webhooks:manage",
        "create": "webhooks:manage",
        "destroy": "webhooks:manage",
        "rotate_secret": "webhooks:manage",
        "send_test": "webhooks:manage",
        "deliveries": "webhooks:manage",
    }

    def scoped_queryset(self, principal: ApiPrincipal) -> QuerySet[WebhookSubscription]:
        return webhook_subscriptions_for(principal.api_key)

    def _with_secret(self, subscription: WebhookSubscription, secret: str, code: int) -> Response:
        data = WebhookWithSecretSerializer(subscription, context={"secret": secret}).data
        return Response(data, status=code)

    @extend_schema(request=WebhookCreateSerializer, responses={201: WebhookWithSecretSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Subscribe an endpoint to events. The response carries the signing secret, once."""
        data = validated_input(
            WebhookCreateSerializer, request, ignored=WebhookSubscriptionSerializer.Meta.fields
        )
        subscription, secret = webhook_subscription_create(
            api_key=self.principal.api_key,
            url=data["url"],
            event_types=data.get("event_types") or [],
            description=data.get("description", ""),
        )
        return self._with_secret(subscription, secret, status.HTTP_201_CREATED)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Delete the subscription and its delivery log; nothing more is sent to it."""
        subscription = self.get_object()
        webhook_subscription_delete(api_key=self.principal.api_key, subscription=subscription)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={200: WebhookWithSecretSerializer})
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Replace the signing secret at once (retries of older events use the new one too).
        The response carries the new secret, once."""
        subscription = self.get_object()
        subscription, secret = webhook_secret_rotate(
            api_key=self.principal.api_key, subscription=subscription
        )
        return self._with_secret(subscription, secret, status.HTTP_200_OK)

    @extend_schema(request=None, responses={202: WebhookDeliverySerializer})
    @action(detail=True, methods=["post"], url_path="test")
    def send_test(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Send a signed `webhook.test` event to this endpoint now. Follow the returned
        delivery in the deliveries list."""
        subscription = self.get_object()
        delivery = webhook_send_test(api_key=self.principal.api_key, subscription=subscription)
        delivery = WebhookDelivery.objects.select_related("event").get(pk=delivery.pk)
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "limit",
                int,
                description=f"How many of the latest deliveries, 1 to {MAX_DELIVERIES} "
                f"(default {DEFAULT_DELIVERIES}).",
            )
        ],
        responses={200: DeliveryListSerializer},
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def deliveries(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The latest deliveries to this endpoint, newest first: status, attempts, the last
        HTTP status or error and when the next attempt is due."""
        subscription = self.get_object()
        raw_limit = request.query_params.get("limit") or str(DEFAULT_DELIVERIES)
        try:
            limit = int(raw_limit)
        except ValueError:
            limit = 0
        if not 1 <= limit <= MAX_DELIVERIES:
            raise ValidationError({"limit": [f"Use a whole number from 1 to {MAX_DELIVERIES}."]})
        rows = webhook_deliveries_for(self.principal.api_key, subscription)[:limit]
        return Response({"results": WebhookDeliverySerializer(rows, many=True).data})
