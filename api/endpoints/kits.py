"""/api/v1/kits/ (client keys, `kits:read`): the workspace's interview kits.

`GET /kits/` lists every stored version, oldest first, as a sync feed (every change is a new
version, so `updated_after` returns the changes since); `?current=true` keeps the version each
track's scorecards use now, `?track=` one track. `GET /kits/{id}/` one version, for example the
one a scorecard was scored with. The standard kits are stored as version 1 of all three tracks
the first time the workspace saves a scorecard or edits a kit; before that the list is empty
and every scorecard would use the standard kits.
"""

from typing import Any

import django_filters
from django.db.models import Exists, OuterRef, QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import mixins, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from api.authentication import ApiPrincipal
from api.base import PartnerViewSet
from hiring.models import Track
from scoring.kits import KINDS, WHEN
from scoring.models import InterviewKitVersion

KIT_EXAMPLE = {
    "id": "7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d",
    "track": "ai_ml_engineer",
    "version": 2,
    "change": "Added to C: How do you decide when a model is retrained?",
    "created_at": "2026-11-28T10:00:00Z",
    "questions": [
        {
            "key": "std-ml-rolefit",
            "category": "A",
            "kind": "probe",
            "when": "always",
            "text": "Which parts of the AI lifecycle have you owned end to end (data, training, "
            "evaluation, deployment, monitoring), and which did you only assist with?",
            "origin": "standard",
            "retired": False,
            "tag": "role_fit",
        }
    ],
}


class KitQuestionSerializer(serializers.Serializer):
    key = serializers.CharField()
    category = serializers.ChoiceField(choices=["A", "B", "C", "D", "E"])
    kind = serializers.ChoiceField(choices=list(KINDS.items()))
    when = serializers.ChoiceField(
        choices=list(WHEN.items()),
        help_text="always; genai: GenAI briefs only; decision_impact: briefs whose AI "
        "influences approvals, pricing or risk decisions.",
    )
    text = serializers.CharField()
    origin = serializers.ChoiceField(choices=["standard", "workspace"])
    retired = serializers.BooleanField(help_text="Retired questions are not shown on scorecards.")
    tag = serializers.CharField(help_text="role_fit, week3_scenario or empty.")


class KitSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    track = serializers.ChoiceField(choices=Track.choices, read_only=True)
    questions = KitQuestionSerializer(many=True, read_only=True)

    class Meta:
        model = InterviewKitVersion
        fields = ["id", "track", "version", "change", "created_at", "questions"]
        read_only_fields = fields


class KitFilter(django_filters.FilterSet):
    track = django_filters.ChoiceFilter(choices=Track.choices)
    current = django_filters.BooleanFilter(
        method="filter_current", label="Only the latest version of each track (true)."
    )

    class Meta:
        model = InterviewKitVersion
        fields = ["track", "current"]

    def filter_current(
        self, queryset: QuerySet[InterviewKitVersion], name: str, value: bool | None
    ) -> QuerySet[InterviewKitVersion]:
        if not value:
            return queryset
        newer = InterviewKitVersion.objects.filter(
            track=OuterRef("track"), version__gt=OuterRef("version")
        )
        return queryset.filter(~Exists(newer))


@extend_schema(tags=["kits"])
class KitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PartnerViewSet):
    """Interview kit versions of this workspace."""

    model = InterviewKitVersion
    serializer_class = KitSerializer
    filterset_class = KitFilter
    sync_ordering = ("created_at", "public_id")
    required_scopes = {"list": "kits:read", "retrieve": "kits:read"}
    client_only_actions = frozenset({"list", "retrieve"})

    def scoped_queryset(self, principal: ApiPrincipal) -> QuerySet[InterviewKitVersion]:
        return InterviewKitVersion.objects.all()

    @extend_schema(
        examples=[OpenApiExample("A kit version", value=KIT_EXAMPLE, response_only=True)]
    )
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        examples=[OpenApiExample("A kit version", value=KIT_EXAMPLE, response_only=True)]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)
