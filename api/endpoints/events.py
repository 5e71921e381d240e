"""/api/v1/events/: the feed of things that happened, for clients that poll instead of (or as
well as) receiving webhooks.

A client key sees every event of its workspace; an agency key sees the events about its own
agency's submissions. The feed is ordered by creation and paged by cursor: keep the last
`next_cursor` and ask again later for what happened since.

An event appears in the feed EVENT_FEED_SETTLE_SECONDS after it was written. Events are
written inside the transaction of the change; one that commits a moment late could otherwise
land *before* a cursor a client already holds and be skipped for good. The delay is far longer
than such a transaction stays open, so the feed never skips an event.
"""

import datetime as dt

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers

from api.authentication import ApiPrincipal
from api.base import PartnerViewSet
from api.webhooks.events import TEST_EVENT_TYPE
from outbox.models import OutboxEvent

EVENT_FEED_SETTLE_SECONDS = 5
MAX_TYPES_PER_FILTER = 20


class EventSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    type = serializers.CharField(source="event_type", read_only=True)
    payload = serializers.DictField(read_only=True)

    class Meta:
        model = OutboxEvent
        fields = ["id", "type", "aggregate_type", "aggregate_id", "payload", "created_at"]
        read_only_fields = fields


class EventFilter(django_filters.FilterSet):
    type = django_filters.CharFilter(
        method="filter_type",
        help_text="Event types, comma-separated (e.g. submission.created,"
        "submission.stage_changed).",
    )

    class Meta:
        model = OutboxEvent
        fields = ["type"]

    def filter_type(
        self, queryset: QuerySet[OutboxEvent], name: str, value: str
    ) -> QuerySet[OutboxEvent]:
        types = [t.strip() for t in value.split(",") if t.strip()][:MAX_TYPES_PER_FILTER]
        return queryset.filter(event_type__in=types) if types else queryset


@extend_schema(tags=["events"])
class EventViewSet(mixins.ListModelMixin, PartnerViewSet):
    """Events visible to the key, oldest first."""

    model = OutboxEvent
    serializer_class = EventSerializer
    filterset_class = EventFilter
    sync_ordering = ("created_at", "public_id")
    required_scopes = {"list": "events:read"}

    def scoped_queryset(self, principal: ApiPrincipal) -> QuerySet[OutboxEvent]:
        settled = timezone.now() - dt.timedelta(seconds=EVENT_FEED_SETTLE_SECONDS)
        # Test deliveries of webhooks are not changes in the workspace.
        events = OutboxEvent.objects.filter(created_at__lte=settled).exclude(
            event_type=TEST_EVENT_TYPE
        )
        if principal.is_agency:
            assert principal.agency is not None
            events = events.filter(agency_id=principal.agency.pk)
        return events
