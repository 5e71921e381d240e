"""/api/v1/agency-analytics/ (`analytics:read`): per agency at this client, the figures of
the analytics page and its vendor scorecards over time.

A client key reads every engaged agency's row; an agency key only its own agency's (another
agency's figures are never listed). Agencies get their candidates' per-category averages only
once at least AGENCY_SCORES_MIN_SCORECARDS scorecards make them up, as on the page. Vendor
scorecards come with their scores and dates; their evidence is on the vendor scorecard pages.
"""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field
from rest_framework import mixins, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from api.authentication import ApiPrincipal
from api.base import PartnerViewSet
from api.endpoints.common import AgencyRefSerializer
from scoring.analytics import candidate_averages_visible
from scoring.models import AgencyAnalytics, VendorReview
from scoring.selectors import agency_analytics_for

ANALYTICS_EXAMPLE = {
    "agency": {"id": "5d6e7f80-1a2b-4c3d-9e4f-5a6b7c8d9e0f", "name": "Northwind Talent"},
    "computed_at": "2026-12-01T02:40:11Z",
    "submissions": 14,
    "reached": {"submitted": 14, "screening": 9, "interview": 6, "shortlisted": 3},
    "pass_through": {"submitted": 1.0, "screening": 0.643, "interview": 0.429},
    "median_hours_to_first_submission": 20.5,
    "scorecards": 11,
    "candidate_averages": {"A": 3.4, "B": 3.1, "C": 2.8, "D": 2.5, "E": 3.6},
    "conflicts": {"candidate_owned_by_another_agency": 1, "duplicate_submission": 0},
    "vendor_scorecards": [
        {
            "id": "1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9",
            "basis": "period",
            "period_start": "2026-07-01",
            "period_end": "2026-09-30",
            "brief": None,
            "scores": {"A": 4, "B": 3, "C": 3, "D": 4, "E": 5},
            "mean": 3.8,
            "recorded_at": "2026-10-03T09:12:00Z",
        }
    ],
}


class ScoresByCategory(serializers.Serializer):
    A = serializers.FloatField(allow_null=True)
    B = serializers.FloatField(allow_null=True)
    C = serializers.FloatField(allow_null=True)
    D = serializers.FloatField(allow_null=True)
    E = serializers.FloatField(allow_null=True)


class VendorScorecardSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    basis = serializers.CharField()
    period_start = serializers.DateField(allow_null=True)
    period_end = serializers.DateField(allow_null=True)
    brief = serializers.SerializerMethodField()
    scores = serializers.SerializerMethodField()
    mean = serializers.SerializerMethodField()
    recorded_at = serializers.DateTimeField(source="created_at")

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_brief(self, review: VendorReview) -> str | None:
        return str(review.brief.public_id) if review.brief is not None else None

    @extend_schema_field(ScoresByCategory)
    def get_scores(self, review: VendorReview) -> dict[str, int]:
        return review.scores()

    def get_mean(self, review: VendorReview) -> float:
        return round(sum(review.scores().values()) / 5, 2)


class AgencyAnalyticsSerializer(serializers.ModelSerializer):
    agency = AgencyRefSerializer(read_only=True)
    submissions = serializers.SerializerMethodField()
    reached = serializers.SerializerMethodField()
    pass_through = serializers.SerializerMethodField()
    median_hours_to_first_submission = serializers.SerializerMethodField()
    scorecards = serializers.SerializerMethodField()
    candidate_averages = serializers.SerializerMethodField()
    conflicts = serializers.SerializerMethodField()
    vendor_scorecards = serializers.SerializerMethodField()

    class Meta:
        model = AgencyAnalytics
        fields = [
            "agency",
            "computed_at",
            "submissions",
            "reached",
            "pass_through",
            "median_hours_to_first_submission",
            "scorecards",
            "candidate_averages",
            "conflicts",
            "vendor_scorecards",
        ]
        read_only_fields = fields

    def _figures(self, row: AgencyAnalytics) -> dict[str, Any]:
        return row.figures or {}

    def get_submissions(self, row: AgencyAnalytics) -> int:
        return int(self._figures(row).get("submissions") or 0)

    @extend_schema_field(serializers.DictField(child=serializers.IntegerField()))
    def get_reached(self, row: AgencyAnalytics) -> dict[str, int]:
        return dict(self._figures(row).get("reached") or {})

    @extend_schema_field(serializers.DictField(child=serializers.FloatField(allow_null=True)))
    def get_pass_through(self, row: AgencyAnalytics) -> dict[str, float | None]:
        return dict(self._figures(row).get("pass_through") or {})

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_median_hours_to_first_submission(self, row: AgencyAnalytics) -> float | None:
        value = self._figures(row).get("median_hours_to_first_submission")
        return None if value is None else float(value)

    def get_scorecards(self, row: AgencyAnalytics) -> int:
        return int(self._figures(row).get("scorecards") or 0)

    @extend_schema_field(ScoresByCategory(allow_null=True))
    def get_candidate_averages(self, row: AgencyAnalytics) -> dict[str, float | None] | None:
        principal = self.context.get("principal")
        for_client = principal is not None and principal.is_client
        return candidate_averages_visible(self._figures(row), for_client=for_client)

    @extend_schema_field(serializers.DictField(child=serializers.IntegerField()))
    def get_conflicts(self, row: AgencyAnalytics) -> dict[str, int]:
        return dict(self._figures(row).get("conflicts") or {})

    @extend_schema_field(VendorScorecardSerializer(many=True))
    def get_vendor_scorecards(self, row: AgencyAnalytics) -> list[dict[str, Any]]:
        reviews = self.context.get("vendor_reviews", {}).get(row.agency_id, [])
        return list(VendorScorecardSerializer(reviews, many=True).data)


@extend_schema(tags=["analytics"])
class AgencyAnalyticsViewSet(mixins.ListModelMixin, PartnerViewSet):
    """Agency analytics at this client (computed nightly and on demand from the page), with
    each agency's vendor scorecards oldest first."""

    model = AgencyAnalytics
    serializer_class = AgencyAnalyticsSerializer
    sync_ordering = ("computed_at", "id")
    required_scopes = {"list": "analytics:read"}

    def scoped_queryset(self, principal: ApiPrincipal) -> QuerySet[AgencyAnalytics]:
        return agency_analytics_for(principal.access)

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if self.is_schema_generation():
            return context
        # One query for every listed agency's vendor scorecards (the page is small).
        agency_ids = list(self.scoped_queryset(self.principal).values_list("agency_id", flat=True))
        reviews: dict[int, list[VendorReview]] = {}
        for review in (
            VendorReview.objects.filter(agency_id__in=agency_ids)
            .select_related("brief")
            .order_by("created_at", "id")
        ):
            reviews.setdefault(review.agency_id, []).append(review)
        context["vendor_reviews"] = reviews
        return context

    @extend_schema(
        examples=[OpenApiExample("One agency", value=ANALYTICS_EXAMPLE, response_only=True)]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)
