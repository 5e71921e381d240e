"""/api/v1/decisions/ (client keys): executives' decisions on shortlisted candidates.

Read with `decisions:read`; record one with `decisions:write` through the same service as
the shortlist page (scoring.services.decisions.decision_record): the decision is audited
with the key's prefix and moves the submission's stage (advance: to the next stage; reject:
to rejected, with a reason the agency sees). Advancing a candidate below a category floor
that nobody overrode needs a reason and `confirm: true`, as on the page.
"""

from typing import Any

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from api.authentication import ApiPrincipal
from api.base import PartnerViewSet
from api.endpoints.common import service_errors, validated_input
from audit.errors import NotFoundError
from hiring.selectors import access_submission_by_id
from scoring.models import DecisionKind, Shortlist, ShortlistDecision
from scoring.services.decisions import decision_record

DECISION_EXAMPLE = {
    "id": "6f1c2b8e-3d4a-4c1e-9a59-2b0f3c7d8e91",
    "shortlist": "0b7e4a52-98a1-4f7c-8d0e-5f6a7b8c9d01",
    "shortlist_version": 3,
    "brief": "3c9d1e2f-4a5b-4c6d-8e7f-9a0b1c2d3e4f",
    "submission": "9e8d7c6b-5a49-4837-8261-5f4e3d2c1b0a",
    "decision": "advance",
    "reason": "Strongest production record on the panel.",
    "resulting_stage": "offer",
    "decided_at": "2026-11-30T14:05:00Z",
}


class DecisionSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    shortlist = serializers.UUIDField(source="shortlist.public_id", read_only=True)
    shortlist_version = serializers.IntegerField(source="shortlist.version", read_only=True)
    brief = serializers.UUIDField(source="shortlist.brief.public_id", read_only=True)
    submission = serializers.UUIDField(source="submission.public_id", read_only=True)

    class Meta:
        model = ShortlistDecision
        fields = [
            "id",
            "shortlist",
            "shortlist_version",
            "brief",
            "submission",
            "decision",
            "reason",
            "resulting_stage",
            "decided_at",
        ]
        read_only_fields = fields


class DecisionCreateSerializer(serializers.Serializer):
    shortlist = serializers.UUIDField(
        help_text="The shortlist snapshot the decision is taken from."
    )
    submission = serializers.UUIDField(help_text="A submission on that snapshot.")
    decision = serializers.ChoiceField(choices=DecisionKind.choices)
    reason = serializers.CharField(
        max_length=2000,
        allow_blank=True,
        required=False,
        default="",
        help_text="Required to reject (the agency sees it) and to advance a candidate below a "
        "floor.",
    )
    confirm = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Confirms advancing a candidate who is below a category floor.",
    )


class DecisionFilter(django_filters.FilterSet):
    brief = django_filters.UUIDFilter(field_name="shortlist__brief__public_id")
    submission = django_filters.UUIDFilter(field_name="submission__public_id")
    decision = django_filters.ChoiceFilter(choices=DecisionKind.choices)

    class Meta:
        model = ShortlistDecision
        fields = ["brief", "submission", "decision"]


@extend_schema(tags=["decisions"])
class DecisionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, PartnerViewSet
):
    """Decisions taken from shortlists, oldest first (`updated_after` filters on
    `decided_at`)."""

    model = ShortlistDecision
    serializer_class = DecisionSerializer
    filterset_class = DecisionFilter
    sync_ordering = ("decided_at", "public_id")
    required_scopes = {
        "list": "decisions:read",
        "retrieve": "decisions:read",
        "create": "decisions:write",
    }
    client_only_actions = frozenset({"list", "retrieve", "create"})

    def scoped_queryset(self, principal: ApiPrincipal) -> QuerySet[ShortlistDecision]:
        return ShortlistDecision.objects.select_related("shortlist__brief", "submission")

    @extend_schema(
        responses={200: DecisionSerializer(many=True)},
        examples=[OpenApiExample("A decision", value=DECISION_EXAMPLE, response_only=True)],
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=DecisionCreateSerializer,
        responses={201: DecisionSerializer},
        examples=[
            OpenApiExample(
                "Advance",
                value={
                    "shortlist": DECISION_EXAMPLE["shortlist"],
                    "submission": DECISION_EXAMPLE["submission"],
                    "decision": "advance",
                    "reason": "Strongest production record on the panel.",
                },
                request_only=True,
            ),
            OpenApiExample(
                "Reject",
                value={
                    "shortlist": DECISION_EXAMPLE["shortlist"],
                    "submission": DECISION_EXAMPLE["submission"],
                    "decision": "reject",
                    "reason": "No production monitoring experience.",
                },
                request_only=True,
            ),
            OpenApiExample("Recorded", value=DECISION_EXAMPLE, response_only=True),
        ],
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Advance or reject a candidate from a shortlist snapshot. Refused with 409
        `brief_not_open` on a filled or closed brief, and `invalid_transition` when the
        submission cannot move that way."""
        principal = self.principal
        data = validated_input(
            DecisionCreateSerializer, request, ignored=DecisionSerializer.Meta.fields
        )
        shortlist = (
            Shortlist.objects.select_related("brief").filter(public_id=data["shortlist"]).first()
        )
        if shortlist is None:
            raise ValidationError({"shortlist": ["No shortlist with this id."]})
        try:
            submission = access_submission_by_id(principal.access, data["submission"])
        except NotFoundError:
            raise ValidationError({"submission": ["No submission with this id."]}) from None
        try:
            record = decision_record(
                actor=principal.actor,
                shortlist=shortlist,
                submission=submission,
                decision=data["decision"],
                reason=data.get("reason") or "",
                confirmed=bool(data.get("confirm")),
            )
        except DjangoValidationError as error:
            raise service_errors(error, {"__all__": "non_field_errors"}) from None
        fresh = self.get_queryset().get(pk=record.pk)
        return Response(DecisionSerializer(fresh).data, status=status.HTTP_201_CREATED)
