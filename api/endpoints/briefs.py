"""/api/v1/briefs/: clients read, create, edit, open and change the status of their briefs;
an agency reads the open briefs shared with it."""

from typing import Any

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from api.authentication import ApiPrincipal
from api.base import PartnerViewSet
from api.endpoints.common import service_errors, validated_input
from hiring.models import BriefStatus, Need, RateUnit, RemotePolicy, RoleBrief, Track
from hiring.outcome import outcome_statement
from hiring.readiness import brief_readiness_gaps
from hiring.safety import DECISION_FIELDS, LIFECYCLE_FIELDS, SAFETY_FIELDS
from hiring.selectors import briefs_for
from hiring.services.briefs import (
    STATUS_TRANSITIONS,
    TEXT_FIELDS,
    brief_create,
    brief_open,
    brief_set_status,
    brief_update,
)
from tenants.models import Engagement, EngagementStatus

# --- representation --------------------------------------------------------------------------

BRIEF_FIELDS = [
    "id",
    "title",
    "track",
    "needs",
    "uses_llm",
    "uses_rag",
    "uses_agents",
    "is_genai",
    "business_goal",
    "kpi_target",
    "data_sources_exist",
    "data_use_approved",
    "privacy_rules",
    "success_impact",
    "success_ai_quality",
    "success_adoption",
    "success_cost_limits",
    "post_launch_owner",
    "eval_groundedness",
    "eval_hallucination_rate",
    "eval_retrieval_quality",
    "eval_cost_per_request",
    "eval_latency_budget",
    "outcome_statement",
    "must_haves",
    *SAFETY_FIELDS,
    *DECISION_FIELDS,
    *LIFECYCLE_FIELDS,
    "scorecard_weights",
    "scorecard_floors",
    "headcount",
    "rate_min",
    "rate_max",
    "rate_currency",
    "rate_unit",
    "location",
    "remote_policy",
    "deadline",
    "status",
    "opened_at",
    "created_at",
    "updated_at",
]


class ReadinessGapSerializer(serializers.Serializer):
    area = serializers.CharField()
    field = serializers.CharField()
    message = serializers.CharField()
    blocking = serializers.BooleanField(
        help_text="True for a safety-checklist gap: no override opens the brief while it lasts."
    )


class ReadinessSerializer(serializers.Serializer):
    ready = serializers.BooleanField()
    gaps = ReadinessGapSerializer(many=True)


class AgencyBriefSerializer(serializers.ModelSerializer):
    """A brief as an agency sees it: what it needs to find the right person."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    needs = serializers.ListField(child=serializers.ChoiceField(choices=Need.choices))
    is_genai = serializers.BooleanField(read_only=True)
    scorecard_weights = serializers.DictField(child=serializers.FloatField(allow_null=True))
    scorecard_floors = serializers.DictField(child=serializers.IntegerField(allow_null=True))
    outcome_statement = serializers.SerializerMethodField(
        help_text="The role as an outcome, composed from the target, the quality bar, the cost "
        "limits and the owner after launch; agencies read it first."
    )

    class Meta:
        model = RoleBrief
        fields = BRIEF_FIELDS
        read_only_fields = BRIEF_FIELDS

    @extend_schema_field(OpenApiTypes.STR)
    def get_outcome_statement(self, brief: RoleBrief) -> str:
        return outcome_statement(brief.__dict__, genai=brief.is_genai)


CLIENT_ONLY_FIELDS = ["shared_with_all_engaged", "readiness", "readiness_overridden"]


class BriefSerializer(AgencyBriefSerializer):
    """A brief. Client keys also get its readiness and how it is shared (absent for agency
    keys)."""

    readiness = serializers.SerializerMethodField()
    readiness_overridden = serializers.SerializerMethodField()

    class Meta(AgencyBriefSerializer.Meta):
        fields = [*BRIEF_FIELDS, *CLIENT_ONLY_FIELDS]
        read_only_fields = fields
        # Documented but not required: agency keys do not receive them.
        schema_optional_fields = CLIENT_ONLY_FIELDS

    @extend_schema_field(ReadinessSerializer)
    def get_readiness(self, brief: RoleBrief) -> dict[str, Any]:
        gaps = [
            {"area": gap.area, "field": gap.field, "message": gap.message, "blocking": gap.blocking}
            for gap in brief_readiness_gaps(brief.__dict__)
        ]
        return {"ready": not gaps, "gaps": gaps}

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_readiness_overridden(self, brief: RoleBrief) -> bool:
        return brief.readiness_override_at is not None


# --- input -----------------------------------------------------------------------------------


def _text(limit: int) -> serializers.CharField:
    return serializers.CharField(max_length=limit, allow_blank=True, trim_whitespace=True)


class BriefWriteSerializer(serializers.Serializer):
    """Fields a client may write. Status, sharing and readiness overrides have their own
    operations; ids and dates are the system's."""

    title = serializers.CharField(max_length=200)
    track = serializers.ChoiceField(choices=Track.choices)
    needs = serializers.ListField(
        child=serializers.ChoiceField(choices=Need.choices),
        max_length=len(Need.choices),
        required=False,
    )
    uses_llm = serializers.BooleanField(required=False)
    uses_rag = serializers.BooleanField(required=False)
    uses_agents = serializers.BooleanField(required=False)
    data_sources_exist = serializers.BooleanField(required=False)
    data_use_approved = serializers.BooleanField(required=False)
    decision_impact = serializers.BooleanField(
        required=False,
        help_text="The AI influences approvals, pricing or risk decisions: the brief then "
        "needs explainability_plan and bias_plan.",
    )
    safety_log_retention_days = serializers.IntegerField(
        min_value=0, max_value=36500, allow_null=True, required=False
    )
    headcount = serializers.IntegerField(min_value=1, max_value=500, required=False)
    rate_min = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, allow_null=True, required=False
    )
    rate_max = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, allow_null=True, required=False
    )
    rate_currency = serializers.RegexField(r"^[A-Za-z]{3}$", required=False)
    rate_unit = serializers.ChoiceField(choices=RateUnit.choices, required=False)
    remote_policy = serializers.ChoiceField(choices=RemotePolicy.choices, required=False)
    deadline = serializers.DateField(allow_null=True, required=False)
    scorecard_weights = serializers.DictField(
        child=serializers.FloatField(min_value=0, max_value=10, allow_null=True), required=False
    )
    scorecard_floors = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=5, allow_null=True), required=False
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        for name, limit in TEXT_FIELDS.items():
            field = _text(limit)
            field.required = False
            fields[name] = field
        return fields


class BriefOpenSerializer(serializers.Serializer):
    agencies = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        allow_null=True,
        max_length=200,
        help_text="Ids of engaged agencies to share with. Omit (or null) to share with every "
        "agency whose engagement is active.",
    )
    override_reason = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        help_text="Needed only to open a brief that is not ready: why open it anyway.",
    )


class BriefStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=sorted({s for targets in STATUS_TRANSITIONS.values() for s in targets}),
        help_text="on_hold, filled or closed. Opening is the open operation.",
    )
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)


# A GenAI agent brief with what it needs to open: the safety checklist (no override opens a
# GenAI brief without it), the decision-impact plan and the lifecycle plan.
GENAI_BRIEF_EXAMPLE = OpenApiExample(
    "A GenAI support agent that can open",
    request_only=True,
    value={
        "title": "AI/ML engineer: support copilot with tools",
        "track": "ai_ml_engineer",
        "needs": ["genai", "mlops"],
        "uses_llm": True,
        "uses_rag": True,
        "uses_agents": True,
        "business_goal": "Draft answers to tier-1 tickets from our policy pages.",
        "kpi_target": "Reduce ticket handling time by 20% within two quarters",
        "data_sources_exist": True,
        "data_use_approved": True,
        "privacy_rules": "No customer personal data in prompts or logs; EU hosting only.",
        "success_impact": "20% shorter handling time with no rise in complaints.",
        "success_ai_quality": "Groundedness of at least 95% on the weekly sample.",
        "success_adoption": "Agents accept half of the drafted answers.",
        "success_cost_limits": "Model spend under $4,000 a month.",
        "post_launch_owner": "Support operations with the ML platform team",
        "eval_groundedness": "200 answers a week checked against the cited pages.",
        "eval_hallucination_rate": "Below 2% unsupported claims on the golden set.",
        "eval_retrieval_quality": "Hit rate at 5 of at least 0.9.",
        "eval_cost_per_request": "Under $0.008 per answer; 6k-token cap.",
        "eval_latency_budget": "Full answer within 4 s at p95.",
        "safety_allowed_data": "Published policy pages and product manuals.",
        "safety_blocked_data": "Customer personal data, payment details, HR pages.",
        "safety_prompt_injection": "Rules outside user text; retrieved text quoted as data.",
        "safety_logged": "Questions, retrieved page ids, answers and tool calls.",
        "safety_masked": "Names, e-mail addresses and order numbers.",
        "safety_log_retention_days": 30,
        "safety_tools_allowed": "Read tickets; draft replies for an agent to approve.",
        "safety_tools_forbidden": "Never send e-mail, refund or delete records.",
        "cost_token_limits": "6k tokens in, 700 out per answer.",
        "cost_rate_limits": "30 questions a minute per agent.",
        "cost_budget_cap": "$4,000 a month; pauses at the cap.",
        "cost_caching": "Frequent answers cached for 24 hours.",
        "cost_usage_alerts": "On-call alerted at 50% and 80% of the budget.",
        "safety_fallback": "Says it does not know and routes the ticket to a person.",
        "safety_failure_testing": "Golden set, bad inputs and 200 adversarial prompts.",
        "decision_impact": False,
        "lifecycle_monitoring_owner": "ML platform on-call",
        "lifecycle_retraining_cadence": "Monthly re-evaluation",
        "lifecycle_cost_review_cadence": "Monthly with finance",
        "lifecycle_safety_testing": "Adversarial suite rerun before every release.",
        "must_haves": "Has shipped a retrieval assistant to production and owned it.",
    },
)


# --- endpoint ----------------------------------------------------------------------------------


class BriefFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=BriefStatus.choices)
    track = django_filters.ChoiceFilter(choices=Track.choices)

    class Meta:
        model = RoleBrief
        fields = ["status", "track"]


@extend_schema(tags=["briefs"])
class BriefViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    PartnerViewSet,
):
    """Role briefs. Clients see all of theirs; an agency sees the open briefs shared with it."""

    model = RoleBrief
    filterset_class = BriefFilter
    required_scopes = {
        "list": "briefs:read",
        "retrieve": "briefs:read",
        "create": "briefs:write",
        "partial_update": "briefs:write",
        "open": "briefs:write",
        "set_status": "briefs:write",
    }
    client_only_actions = frozenset({"create", "partial_update", "open", "set_status"})

    def scoped_queryset(self, principal: ApiPrincipal) -> QuerySet[RoleBrief]:
        return briefs_for(principal.access)

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.is_schema_generation() or self.principal.is_client:
            return BriefSerializer
        return AgencyBriefSerializer

    def _render(self, brief: RoleBrief, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(BriefSerializer(brief).data, status=status_code)

    @extend_schema(
        request=BriefWriteSerializer,
        responses={201: BriefSerializer},
        examples=[GENAI_BRIEF_EXAMPLE],
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Create a draft brief. Scorecard weights and floors default from the track."""
        data = validated_input(BriefWriteSerializer, request, ignored=BriefSerializer.Meta.fields)
        brief = brief_create(actor=self.principal.actor, data=data)
        return self._render(brief, status.HTTP_201_CREATED)

    @extend_schema(request=BriefWriteSerializer, responses={200: BriefSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Change some fields of a brief (a closed brief cannot change)."""
        brief = self.get_object()
        data = validated_input(
            BriefWriteSerializer, request, partial=True, ignored=BriefSerializer.Meta.fields
        )
        brief = brief_update(actor=self.principal.actor, brief=brief, data=data)
        return self._render(brief)

    @extend_schema(request=BriefOpenSerializer, responses={200: BriefSerializer})
    @action(detail=True, methods=["post"], url_path="open")
    def open(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Open the brief to agencies: all engaged agencies, or the ones listed. A brief that
        is not ready is refused unless `override_reason` says why to open it anyway (the
        override is audited)."""
        brief = self.get_object()
        data = validated_input(BriefOpenSerializer, request)
        agency_ids = None
        if data.get("agencies") is not None:
            wanted = set(data["agencies"])
            engaged = dict(
                Engagement.objects.filter(
                    client=self.principal.client,
                    agency__public_id__in=wanted,
                    status=EngagementStatus.ACTIVE,
                ).values_list("agency__public_id", "agency_id")
            )
            if set(engaged) != wanted:
                raise ValidationError(
                    {"agencies": ["Name only agencies with an active engagement with you."]}
                )
            agency_ids = sorted(engaged.values())
        try:
            brief = brief_open(
                actor=self.principal.actor,
                brief=brief,
                agency_ids=agency_ids,
                override_reason=data.get("override_reason", ""),
            )
        except DjangoValidationError as error:
            raise service_errors(error, {"agency_ids": "agencies"}) from None
        return self._render(brief)

    @extend_schema(request=BriefStatusSerializer, responses={200: BriefSerializer})
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Put a brief on hold, mark it filled or close it."""
        brief = self.get_object()
        data = validated_input(BriefStatusSerializer, request)
        brief = brief_set_status(
            actor=self.principal.actor,
            brief=brief,
            status=data["status"],
            reason=data.get("reason", ""),
        )
        return self._render(brief)
