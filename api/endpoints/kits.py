"""/api/v1/kits/ (client keys, `kits:read`): the workspace's interview kits.

`GET /kits/current/` gives the kit each track's scorecards use now (a track nobody edited
yet shows the standard kit as version 1, `id` null until a scorecard or an edit stores it).
`GET /kits/` lists every stored version, oldest first, as a sync feed (every change is a new
version, so `updated_after` returns the changes since); `GET /kits/{id}/` one version, for
example the one a scorecard was scored with.
"""

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.authentication import ApiPrincipal
from api.base import PartnerViewSet
from hiring.models import Track
from scoring.kits import KINDS, WHEN
from scoring.models import InterviewKitVersion
from scoring.selectors import kits_current

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
    id = serializers.UUIDField(source="public_id", read_only=True, allow_null=True)
    track = serializers.ChoiceField(choices=Track.choices, read_only=True)
    questions = KitQuestionSerializer(many=True, read_only=True)

    class Meta:
        model = InterviewKitVersion
        fields = ["id", "track", "version", "change", "created_at", "questions"]
        read_only_fields = fields

    def to_representation(self, instance: InterviewKitVersion) -> dict[str, Any]:
        data = super().to_representation(instance)
        if instance.pk is None:
            # The standard kit, not stored yet: no id to look it up by.
            data["id"] = None
            data["created_at"] = None
        return data


class KitFilter(django_filters.FilterSet):
    track = django_filters.ChoiceFilter(choices=Track.choices)

    class Meta:
        model = InterviewKitVersion
        fields = ["track"]


@extend_schema(tags=["kits"])
class KitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PartnerViewSet):
    """Interview kit versions of this workspace."""

    model = InterviewKitVersion
    serializer_class = KitSerializer
    filterset_class = KitFilter
    sync_ordering = ("created_at", "public_id")
    required_scopes = {"list": "kits:read", "retrieve": "kits:read", "current": "kits:read"}
    client_only_actions = frozenset({"list", "retrieve", "current"})

    def scoped_queryset(self, principal: ApiPrincipal) -> QuerySet[InterviewKitVersion]:
        return InterviewKitVersion.objects.all()

    @extend_schema(
        examples=[OpenApiExample("A kit version", value=KIT_EXAMPLE, response_only=True)]
    )
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        filters=False,
        responses={200: KitSerializer(many=True)},
        examples=[OpenApiExample("Current kits", value=[KIT_EXAMPLE], response_only=True)],
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def current(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The current kit of each of the three tracks (a JSON array of three kits)."""
        return Response(KitSerializer(kits_current(), many=True).data)
