"""/api/v1/scorecards/ (client keys): read scorecards, and write them for an interviewer.

Blind scoring holds for integrations too: a key sees every *submitted* scorecard, and the
drafts it wrote itself, never an interviewer's draft written on the scorecard page.

A key has no person behind it, and only an assigned interviewer may score. So a scorecard
written through the API names its `interviewer` (a member of the client assigned to the
submission): the key writes on that person's behalf, and the audit trail records both the
interviewer and the key's prefix.
"""

from typing import Any

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from api.authentication import ApiPrincipal
from api.base import PartnerViewSet
from api.endpoints.common import StrictKeysMixin, service_errors, validated_input
from audit.errors import NotFoundError
from hiring.models import InterviewAssignment, Submission
from hiring.rubric import CATEGORY_CODES
from hiring.selectors import access_submission_by_id
from scoring.models import EVIDENCE_FIELDS, Recommendation, Scorecard, ScorecardStatus
from scoring.services.scorecards import scorecard_save
from tenants.models import ClientMembership, User

SERVICE_FIELD_PATHS = {
    **{f"score_{c.lower()}": f"scores.{c}" for c in CATEGORY_CODES},
    **{f"evidence_{c.lower()}": f"evidence.{c}" for c in CATEGORY_CODES},
    "__all__": "non_field_errors",
}


# --- representation --------------------------------------------------------------------------


class ScoresSerializer(StrictKeysMixin, serializers.Serializer):
    A = serializers.IntegerField(min_value=0, max_value=5, allow_null=True, required=False)
    B = serializers.IntegerField(min_value=0, max_value=5, allow_null=True, required=False)
    C = serializers.IntegerField(min_value=0, max_value=5, allow_null=True, required=False)
    D = serializers.IntegerField(min_value=0, max_value=5, allow_null=True, required=False)
    E = serializers.IntegerField(min_value=0, max_value=5, allow_null=True, required=False)


class EvidenceSerializer(StrictKeysMixin, serializers.Serializer):
    A = serializers.CharField(max_length=5000, allow_blank=True, required=False)
    B = serializers.CharField(max_length=5000, allow_blank=True, required=False)
    C = serializers.CharField(max_length=5000, allow_blank=True, required=False)
    D = serializers.CharField(max_length=5000, allow_blank=True, required=False)
    E = serializers.CharField(max_length=5000, allow_blank=True, required=False)


class InterviewerSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField(source="display_name")


class ScorecardSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    submission = serializers.UUIDField(source="submission.public_id", read_only=True)
    brief = serializers.UUIDField(source="submission.brief.public_id", read_only=True)
    interviewer = InterviewerSerializer(read_only=True)
    scores = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField()
    recommendation = serializers.SerializerMethodField()
    kit_version = serializers.SerializerMethodField(
        help_text="Id of the interview kit version the interviewer scored with "
        "(GET /kits/{id}/); null for scorecards from before kits had versions."
    )

    class Meta:
        model = Scorecard
        fields = [
            "id",
            "submission",
            "brief",
            "interviewer",
            "status",
            "scores",
            "evidence",
            "recommendation",
            "summary",
            "kit_version",
            "due_at",
            "submitted_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(ScoresSerializer)
    def get_scores(self, card: Scorecard) -> dict[str, int | None]:
        return card.scores()

    @extend_schema_field(EvidenceSerializer)
    def get_evidence(self, card: Scorecard) -> dict[str, str]:
        return {f[-1].upper(): getattr(card, f) for f in EVIDENCE_FIELDS}

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_kit_version(self, card: Scorecard) -> str | None:
        return str(card.kit_version.public_id) if card.kit_version is not None else None

    @extend_schema_field(serializers.ChoiceField(choices=Recommendation.choices, allow_null=True))
    def get_recommendation(self, card: Scorecard) -> str | None:
        return card.recommendation or None


# --- input -----------------------------------------------------------------------------------


class ScorecardUpdateSerializer(serializers.Serializer):
    scores = ScoresSerializer(required=False)
    evidence = EvidenceSerializer(required=False)
    recommendation = serializers.ChoiceField(
        choices=Recommendation.choices, allow_blank=True, allow_null=True, required=False
    )
    summary = serializers.CharField(max_length=5000, allow_blank=True, required=False)
    submit = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Submit the scorecard (final: it can no longer change). Evidence is required "
        "for scores of 0, 1 and 5, and a recommendation for submitting.",
    )


class ScorecardCreateSerializer(ScorecardUpdateSerializer):
    submission = serializers.UUIDField()
    interviewer = serializers.UUIDField(
        help_text="Id of the client member, assigned to this submission, on whose behalf the "
        "key writes."
    )


def _service_data(data: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for code, score in (data.get("scores") or {}).items():
        values[f"score_{code.lower()}"] = score
    for code, text in (data.get("evidence") or {}).items():
        values[f"evidence_{code.lower()}"] = text
    if "recommendation" in data:
        values["recommendation"] = data["recommendation"] or ""
    if "summary" in data:
        values["summary"] = data["summary"]
    return values


# --- endpoint ----------------------------------------------------------------------------------


class ScorecardFilter(django_filters.FilterSet):
    submission = django_filters.UUIDFilter(field_name="submission__public_id")
    brief = django_filters.UUIDFilter(field_name="submission__brief__public_id")
    interviewer = django_filters.UUIDFilter(field_name="interviewer__public_id")
    status = django_filters.ChoiceFilter(choices=ScorecardStatus.choices)

    class Meta:
        model = Scorecard
        fields = ["submission", "brief", "interviewer", "status"]


@extend_schema(tags=["scorecards"])
class ScorecardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PartnerViewSet):
    """AI Delivery Scorecards: submitted ones, and the drafts this key wrote."""

    model = Scorecard
    serializer_class = ScorecardSerializer
    filterset_class = ScorecardFilter
    required_scopes = {
        "list": "scorecards:read",
        "retrieve": "scorecards:read",
        "create": "scorecards:write",
        "partial_update": "scorecards:write",
    }
    client_only_actions = frozenset({"list", "retrieve", "create", "partial_update"})

    def scoped_queryset(self, principal: ApiPrincipal) -> QuerySet[Scorecard]:
        return (
            Scorecard.objects.filter(
                Q(status=ScorecardStatus.SUBMITTED) | Q(written_by_api_key_id=principal.api_key.pk)
            )
            .select_related("submission__brief", "interviewer", "kit_version")
            .defer(
                # Only the kit version's id is shown: not its question list.
                "kit_version__questions"
            )
        )

    def _render(self, card: Scorecard, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=card.pk)
        return Response(ScorecardSerializer(fresh).data, status=status_code)

    def _save(
        self,
        *,
        interviewer_id: int,
        submission: Submission,
        data: dict[str, Any],
        create_only: bool = False,
    ) -> Scorecard:
        try:
            return scorecard_save(
                actor=self.principal.actor_on_behalf_of(interviewer_id),
                submission=submission,
                data=_service_data(data),
                submit=bool(data.get("submit")),
                create_only=create_only,
            )
        except DjangoValidationError as error:
            raise service_errors(error, SERVICE_FIELD_PATHS) from None

    @extend_schema(request=ScorecardCreateSerializer, responses={201: ScorecardSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Write a scorecard on behalf of an assigned interviewer (a draft, or submitted with
        `submit: true`). One scorecard per interviewer and submission: when the interviewer
        already has one, this is refused with 409 `scorecard_exists`."""
        principal = self.principal
        data = validated_input(
            ScorecardCreateSerializer, request, ignored=ScorecardSerializer.Meta.fields
        )
        try:
            submission = access_submission_by_id(principal.access, data["submission"])
        except NotFoundError:
            raise ValidationError({"submission": ["No submission with this id."]}) from None
        interviewer = (
            User.objects.filter(public_id=data["interviewer"], is_active=True)
            .filter(
                pk__in=ClientMembership.objects.filter(client=principal.client).values("user_id")
            )
            .first()
        )
        assigned = (
            interviewer is not None
            and InterviewAssignment.objects.filter(
                submission=submission, interviewer=interviewer
            ).exists()
        )
        if interviewer is None or not assigned:
            raise ValidationError(
                {
                    "interviewer": [
                        "Name a member of your team who is assigned to interview for this "
                        "submission (assign them first)."
                    ]
                }
            )
        assert interviewer is not None
        card = self._save(
            interviewer_id=interviewer.pk, submission=submission, data=data, create_only=True
        )
        return self._render(card, status.HTTP_201_CREATED)

    @extend_schema(request=ScorecardUpdateSerializer, responses={200: ScorecardSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Change a draft this key wrote, or submit it (`submit: true`). A submitted
        scorecard is final: 409 `scorecard_submitted`."""
        card = self.get_object()
        data = validated_input(
            ScorecardUpdateSerializer,
            request,
            partial=True,
            ignored=ScorecardSerializer.Meta.fields,
        )
        card = self._save(interviewer_id=card.interviewer_id, submission=card.submission, data=data)
        return self._render(card)
