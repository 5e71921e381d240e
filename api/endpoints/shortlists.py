"""/api/v1/shortlists/ (client keys): the ranked shortlist of each brief.

The list holds the latest snapshot of every brief (filter with `brief=<id>`); older versions
stay readable by id. Snapshots are computed in the background after scorecards change."""

from typing import Any

import django_filters
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers

from api.authentication import ApiPrincipal
from api.base import PartnerViewSet
from api.endpoints.common import AgencyRefSerializer
from scoring.models import Shortlist, ShortlistEntry


class ShortlistEntrySerializer(serializers.ModelSerializer):
    submission = serializers.UUIDField(source="submission.public_id", read_only=True)
    candidate = serializers.UUIDField(source="submission.candidate.public_id", read_only=True)
    agency = AgencyRefSerializer(source="submission.agency", read_only=True)
    category_means = serializers.DictField(child=serializers.FloatField(allow_null=True))
    below_floor = serializers.ListField(child=serializers.CharField())
    missing = serializers.ListField(child=serializers.CharField())
    needs_debrief = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = ShortlistEntry
        fields = [
            "rank",
            "submission",
            "candidate",
            "agency",
            "weighted_score",
            "balanced_score",
            "confidence",
            "category_means",
            "below_floor",
            "floor_overridden",
            "missing",
            "needs_debrief",
            "scorecard_count",
            "reason",
        ]
        read_only_fields = fields


class ShortlistSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    brief = serializers.UUIDField(source="brief.public_id", read_only=True)
    policy = serializers.DictField()
    entries = ShortlistEntrySerializer(many=True, read_only=True)

    class Meta:
        model = Shortlist
        fields = ["id", "brief", "version", "computed_at", "scorecard_count", "policy", "entries"]
        read_only_fields = fields


class ShortlistFilter(django_filters.FilterSet):
    brief = django_filters.UUIDFilter(field_name="brief__public_id")

    class Meta:
        model = Shortlist
        fields = ["brief"]


@extend_schema(tags=["shortlists"])
class ShortlistViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PartnerViewSet):
    """Latest shortlist snapshot per brief (list); any snapshot by id (detail)."""

    model = Shortlist
    serializer_class = ShortlistSerializer
    filterset_class = ShortlistFilter
    sync_ordering = ("computed_at", "public_id")
    required_scopes = {"list": "shortlists:read", "retrieve": "shortlists:read"}
    client_only_actions = frozenset({"list", "retrieve"})

    def scoped_queryset(self, principal: ApiPrincipal) -> QuerySet[Shortlist]:
        entries = ShortlistEntry.objects.select_related(
            "submission__candidate", "submission__agency"
        ).order_by("rank")
        return Shortlist.objects.select_related("brief").prefetch_related(
            Prefetch("entries", queryset=entries)
        )

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        queryset = super().filter_queryset(queryset)
        if self.action == "list":
            newer = Shortlist.objects.filter(
                brief=OuterRef("brief"), version__gt=OuterRef("version")
            )
            queryset = queryset.filter(~Exists(newer))
        return queryset
