"""/api/v1/submissions/: an agency submits candidates with proof, follows and withdraws its own
submissions; a client reads every submission and moves them through the stages.

Submissions carry ids only for the candidate: contact data is read through /candidates/
(client keys), where each read is audited. An agency key only ever sees its own agency's
submissions, so no response shows another agency."""

import datetime as dt
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import django_filters
import orjson
from django.contrib.postgres.aggregates import JSONBAgg
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.db.models import ExpressionWrapper, F, Func, OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from api.authentication import ApiPrincipal
from api.base import PartnerViewSet
from api.endpoints.common import (
    AgencyRefSerializer,
    LineTextField,
    StrictKeysMixin,
    service_errors,
    validated_input,
)
from audit.errors import NotFoundError
from hiring.fields import (
    CANDIDATE_TEXT_FIELDS,
    MONITORING_SIGNALS,
    PROOF_FIELDS,
    PROOF_MEASURE_FIELDS,
    PROOF_PARTS,
    PROOF_SIGNALS_FIELD,
)
from hiring.models import (
    CONSENT_EXPIRED,
    CONSENT_STATUS_CHOICES,
    ConsentState,
    Stage,
    StageChange,
    Submission,
)
from hiring.selectors import access_brief_by_id, submissions_for
from hiring.services.submissions import (
    MAX_LINKS,
    submission_create,
    submission_move_stage,
    submission_withdraw,
)

# The service's field names -> the API's input paths, for field errors.
SERVICE_FIELD_PATHS = {
    **{name: f"candidate.{name}" for name in (*CANDIDATE_TEXT_FIELDS, "links", "skills")},
    **{f"proof_{part}": f"proof.{part}" for part in PROOF_PARTS},
    **{name: f"proof.{name.removeprefix('proof_')}" for name in PROOF_MEASURE_FIELDS},
    PROOF_SIGNALS_FIELD: "proof.monitoring_signals",
    "proof_links": "proof.links",
    "__all__": "non_field_errors",
}


# --- representation --------------------------------------------------------------------------


class StageChangeSerializer(serializers.ModelSerializer):
    # Plain strings: the stage values are listed once, on `stage` (one enum in the schema).
    from_stage = serializers.CharField(
        read_only=True, help_text="The stage before; empty for the first entry."
    )
    to_stage = serializers.CharField(read_only=True)

    class Meta:
        model = StageChange
        fields = ["from_stage", "to_stage", "reason", "occurred_at"]
        read_only_fields = fields


class ProofSerializer(serializers.Serializer):
    shipped_solution = serializers.CharField(source="proof_shipped_solution")
    domain = serializers.CharField(source="proof_domain")
    baseline = serializers.CharField(source="proof_baseline")
    improvement = serializers.CharField(source="proof_improvement")
    monitoring = serializers.CharField(source="proof_monitoring")
    alert_thresholds = serializers.CharField(source="proof_alert_thresholds")
    quality_dip = serializers.CharField(source="proof_quality_dip")
    rollback = serializers.CharField(source="proof_rollback")
    input_validation = serializers.CharField(source="proof_input_validation")
    iteration = serializers.CharField(source="proof_iteration")
    metric = serializers.CharField(source="proof_metric")
    metric_unit = serializers.CharField(source="proof_metric_unit")
    baseline_value = serializers.DecimalField(
        source="proof_baseline_value", max_digits=16, decimal_places=4, allow_null=True
    )
    result_value = serializers.DecimalField(
        source="proof_result_value", max_digits=16, decimal_places=4, allow_null=True
    )
    monitoring_signals = serializers.ListField(
        child=serializers.ChoiceField(choices=MONITORING_SIGNALS),
        source="proof_monitoring_signals",
    )
    links = serializers.ListField(child=serializers.CharField(), source="proof_links")


CENTS = Decimal("0.01")
MEASURE_PLACES = Decimal("0.0001")
# The columns of the list's fast path: one row of plain values per submission.
LIST_VALUES = (
    "id",
    "public_id",
    "brief__public_id",
    "candidate__public_id",
    "agency__public_id",
    "agency__name",
    "stage",
    "stage_changed_at",
    *PROOF_FIELDS,
    "rate_amount",
    "rate_currency",
    "right_to_represent_confirmed_at",
    "consent_state",
    "consent_requested_at",
    "consent_expires_at",
    "consent_answered_at",
    "created_at",
    "updated_at",
)


def _instant(value: dt.datetime | None, zone: dt.tzinfo) -> str | None:
    """A datetime exactly as DRF's DateTimeField writes it (ISO 8601 in the current zone,
    UTC as "Z")."""
    if value is None:
        return None
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _is_utc(zone: dt.tzinfo) -> bool:
    return zone is dt.UTC or getattr(zone, "key", None) in ("UTC", "Etc/UTC")


def _instant_for_orjson(value: dt.datetime | None, zone: dt.tzinfo) -> dt.datetime | str | None:
    """The list's datetimes when the current zone is UTC: left as datetimes for the orjson
    renderer, which writes an aware UTC datetime exactly as _instant does (ISO 8601,
    microseconds only when there are some, "Z"), in C and without a string per value.
    Values from the database are in UTC (the connection's zone); anything else is written
    by _instant."""
    if value is None or value.utcoffset() != dt.timedelta(0):
        return _instant(value, zone)
    return value


def _amount(value: Decimal | None) -> str | None:
    """A money amount as DRF's DecimalField (2 places, as a string) writes it. The column
    has 2 places, so what the database returns is already written that way; quantize (tens
    of microseconds) only what is not."""
    if value is None:
        return None
    if value.as_tuple().exponent == -2:
        return str(value)
    return f"{value.quantize(CENTS, rounding=ROUND_HALF_UP):f}"


Instant = Callable[[dt.datetime | None, dt.tzinfo], Any]


def _measure(value: Decimal | None) -> str | None:
    """A proof number as DRF's DecimalField (4 places, as a string) writes it."""
    return None if value is None else f"{value.quantize(MEASURE_PLACES, rounding=ROUND_HALF_UP):f}"


def _history_row(
    from_stage: str,
    to_stage: str,
    reason: str,
    occurred_at: Any,
    zone: dt.tzinfo,
    instant: Instant = _instant,
) -> dict[str, Any]:
    return {
        "from_stage": from_stage,
        "to_stage": to_stage,
        "reason": reason,
        "occurred_at": instant(occurred_at, zone),
    }


def _submission_data(
    row: dict[str, Any],
    history: list[dict[str, Any]],
    zone: dt.tzinfo,
    instant: Instant = _instant,
) -> dict[str, Any]:
    """The API's representation of one submission from its LIST_VALUES row."""
    return {
        "id": str(row["public_id"]),
        "brief": str(row["brief__public_id"]),
        "candidate": str(row["candidate__public_id"]),
        "agency": {"id": str(row["agency__public_id"]), "name": row["agency__name"]},
        "stage": row["stage"],
        "stage_changed_at": instant(row["stage_changed_at"], zone),
        "proof": {
            **{part: row[f"proof_{part}"] for part in PROOF_PARTS},
            "metric": row["proof_metric"],
            "metric_unit": row["proof_metric_unit"],
            "baseline_value": _measure(row["proof_baseline_value"]),
            "result_value": _measure(row["proof_result_value"]),
            "monitoring_signals": list(row["proof_monitoring_signals"]),
            "links": list(row["proof_links"]),
        },
        "rate_amount": _amount(row["rate_amount"]),
        "rate_currency": row["rate_currency"],
        "right_to_represent_confirmed_at": instant(row["right_to_represent_confirmed_at"], zone),
        "consent": _consent_data(row, zone, instant),
        "stage_history": history,
        "created_at": instant(row["created_at"], zone),
        "updated_at": instant(row["updated_at"], zone),
    }


def _consent_data(
    row: dict[str, Any], zone: dt.tzinfo, instant: Instant = _instant
) -> dict[str, Any]:
    state = row["consent_state"]
    expires_at = row["consent_expires_at"]
    if state == ConsentState.PENDING and expires_at is not None and expires_at <= timezone.now():
        state = CONSENT_EXPIRED
    return {
        "state": state,
        "requested_at": instant(row["consent_requested_at"], zone),
        "expires_at": instant(expires_at, zone),
        "answered_at": instant(row["consent_answered_at"], zone),
    }


def submission_list_rows(submissions: QuerySet[Submission]) -> QuerySet[Any]:
    """The list's rows in one query: the LIST_VALUES columns, the proof links as JSON text
    and each row's stage history aggregated into a JSON array by a correlated subquery
    (`[[from, to, reason, occurred_at], ...]` in occurred_at, id order), both parsed by orjson
    in submission_rows_data. One statement a page instead of two: the round trip, not the
    aggregation, is what a page pays for on a busy database."""
    history = (
        StageChange.objects.filter(submission_id=OuterRef("id"))
        .order_by()
        .values("submission_id")
        .annotate(
            entries=JSONBAgg(
                Func(
                    F("from_stage"),
                    F("to_stage"),
                    F("reason"),
                    F("occurred_at"),
                    function="jsonb_build_array",
                    output_field=models.JSONField(),
                ),
                order_by=("occurred_at", "id"),
            )
        )
        .values("entries")
    )
    columns = [name for name in LIST_VALUES if name != "proof_links"]
    return submissions.values(
        *columns,
        proof_links_json=ExpressionWrapper(F("proof_links"), output_field=models.TextField()),
        history_json=Subquery(history, output_field=models.TextField()),
    )


def submission_rows_data(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The list's hot path: a page of submission_list_rows written out as plain data, with
    no model instances and no serializer walk, for the orjson renderer (datetimes may stay
    datetimes: _instant_for_orjson). A test holds the rendered output equal to the declared
    serializer's (and so to the OpenAPI document)."""
    zone = timezone.get_current_timezone()
    instant: Instant = _instant_for_orjson if _is_utc(zone) else _instant
    parse = dt.datetime.fromisoformat
    data = []
    for row in rows:
        row["proof_links"] = orjson.loads(row["proof_links_json"])
        entries = orjson.loads(row["history_json"]) if row["history_json"] else ()
        history = [
            _history_row(from_stage, to_stage, reason, parse(occurred_at), zone, instant)
            for from_stage, to_stage, reason, occurred_at in entries
        ]
        data.append(_submission_data(row, history, zone, instant))
    return data


class ConsentSerializer(serializers.Serializer):
    """The candidate's own answer to being represented by the agency at this client
    (docs/hiring.md, "Candidate consent"). Until it is `confirmed`, /candidates/ shows this
    version of the person without e-mail and phone."""

    state = serializers.ChoiceField(
        source="consent_status",
        choices=CONSENT_STATUS_CHOICES,
        help_text="pending (e-mail sent, or no e-mail address to ask), confirmed, declined "
        "(the submission was withdrawn), or expired (not answered by expires_at).",
    )
    requested_at = serializers.DateTimeField(
        source="consent_requested_at",
        allow_null=True,
        help_text="When the e-mail with the link was sent; null without one.",
    )
    expires_at = serializers.DateTimeField(
        source="consent_expires_at",
        allow_null=True,
        help_text="The answer is due by then; null for earlier submissions.",
    )
    answered_at = serializers.DateTimeField(source="consent_answered_at", allow_null=True)


class SubmissionSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    brief = serializers.UUIDField(source="brief.public_id", read_only=True)
    candidate = serializers.UUIDField(source="candidate.public_id", read_only=True)
    agency = AgencyRefSerializer(read_only=True)
    proof = ProofSerializer(source="*", read_only=True)
    stage_history = StageChangeSerializer(source="stage_changes", many=True, read_only=True)
    consent = ConsentSerializer(source="*", read_only=True, help_text="The candidate's consent.")

    class Meta:
        model = Submission
        fields = [
            "id",
            "brief",
            "candidate",
            "agency",
            "stage",
            "stage_changed_at",
            "proof",
            "rate_amount",
            "rate_currency",
            "right_to_represent_confirmed_at",
            "consent",
            "stage_history",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def to_representation(self, instance: Submission) -> dict[str, Any]:
        """One shape for the detail and the list: the list's fast path (plain rows) and this
        one (a loaded instance) both go through _submission_data."""
        zone = timezone.get_current_timezone()
        row: dict[str, Any] = {
            name: getattr(instance, name)
            for name in LIST_VALUES
            if "__" not in name and name != "id"
        }
        row["brief__public_id"] = instance.brief.public_id
        row["candidate__public_id"] = instance.candidate.public_id
        row["agency__public_id"] = instance.agency.public_id
        row["agency__name"] = instance.agency.name
        history = [
            _history_row(c.from_stage, c.to_stage, c.reason, c.occurred_at, zone)
            for c in instance.stage_changes.all()
        ]
        return _submission_data(row, history, zone)


# --- input -----------------------------------------------------------------------------------


def _optional_text(limit: int) -> serializers.CharField:
    return serializers.CharField(max_length=limit, allow_blank=True, required=False)


def _optional_line(limit: int) -> serializers.CharField:
    return LineTextField(max_length=limit, allow_blank=True, required=False)


class CandidateInputSerializer(StrictKeysMixin, serializers.Serializer):
    full_name = LineTextField(max_length=CANDIDATE_TEXT_FIELDS["full_name"])
    email = _optional_line(CANDIDATE_TEXT_FIELDS["email"])
    phone = _optional_line(CANDIDATE_TEXT_FIELDS["phone"])
    location = _optional_line(CANDIDATE_TEXT_FIELDS["location"])
    availability = _optional_line(CANDIDATE_TEXT_FIELDS["availability"])
    summary = _optional_text(CANDIDATE_TEXT_FIELDS["summary"])
    links = serializers.ListField(
        child=LineTextField(max_length=500), max_length=MAX_LINKS, required=False
    )
    skills = serializers.ListField(
        child=LineTextField(max_length=60), max_length=50, required=False
    )


class ProofInputSerializer(StrictKeysMixin, serializers.Serializer):
    """Which parts are required depends on the brief's track (docs/hiring.md, "Proof that
    matches"); the service answers with field errors under `proof.<part>`."""

    shipped_solution = serializers.CharField(max_length=5000)
    domain = _optional_line(200)
    baseline = _optional_text(5000)
    improvement = _optional_text(5000)
    monitoring = _optional_text(5000)
    alert_thresholds = _optional_text(5000)
    quality_dip = _optional_text(5000)
    rollback = _optional_text(5000)
    input_validation = _optional_text(5000)
    iteration = _optional_text(5000)
    metric = _optional_line(200)
    metric_unit = _optional_line(40)
    baseline_value = serializers.DecimalField(
        max_digits=16, decimal_places=4, allow_null=True, required=False
    )
    result_value = serializers.DecimalField(
        max_digits=16, decimal_places=4, allow_null=True, required=False
    )
    monitoring_signals = serializers.ListField(
        child=serializers.ChoiceField(choices=MONITORING_SIGNALS), max_length=4, required=False
    )
    links = serializers.ListField(
        child=LineTextField(max_length=500), max_length=MAX_LINKS, required=False
    )


class SubmissionCreateSerializer(serializers.Serializer):
    brief = serializers.UUIDField(help_text="Id of an open brief shared with your agency.")
    candidate = CandidateInputSerializer(
        help_text="The person. Matched to a known candidate by email, then phone."
    )
    proof = ProofInputSerializer(help_text="Proof of production delivery.")
    right_to_represent = serializers.BooleanField(
        help_text="Must be true: the candidate agreed to be represented by your agency."
    )
    rate_amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, allow_null=True, required=False
    )
    rate_currency = LineTextField(max_length=3, allow_blank=True, required=False)


class MoveStageSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=Stage.choices)
    reason = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        help_text="Required when rejecting: the agency sees it.",
    )


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)


# A submission for an AI/ML engineer brief, with every part that track requires and the
# measured result as numbers.
SUBMISSION_CREATE_EXAMPLE = OpenApiExample(
    "An AI/ML engineer with measured proof",
    request_only=True,
    value={
        "brief": "3f1c2d9e-8a4b-4c6d-9e2f-1a2b3c4d5e6f",
        "candidate": {"full_name": "Ada Example", "email": "ada@example.com"},
        "proof": {
            "shipped_solution": "Shipped a claims triage model used by 120 adjusters daily.",
            "domain": "Insurance claims",
            "baseline": "Manual triage took 2 days per claim with 18% misrouted.",
            "improvement": "Routing in 4 hours; misrouting down to 6%.",
            "metric": "Misrouted claims",
            "metric_unit": "%",
            "baseline_value": "18",
            "result_value": "6",
            "monitoring": "Weekly precision by claim type and input drift.",
            "monitoring_signals": ["quality", "latency", "cost", "drift"],
            "alert_thresholds": "Page the on-call when precision falls below 0.85.",
            "quality_dip": "A form change cut precision; rolled back, retrained in a week.",
            "rollback": "Models versioned in the registry; rollback in minutes.",
            "input_validation": "Schema checks; unreadable claims go to a person.",
            "iteration": "A second language after launch cut misrouting by 2 points.",
            "links": ["https://example.com/ada/claims-talk"],
        },
        "right_to_represent": True,
    },
)


# --- endpoint ----------------------------------------------------------------------------------


class SubmissionFilter(django_filters.FilterSet):
    brief = django_filters.UUIDFilter(field_name="brief__public_id")
    stage = django_filters.ChoiceFilter(choices=Stage.choices)
    agency = django_filters.UUIDFilter(field_name="agency__public_id")

    class Meta:
        model = Submission
        fields = ["brief", "stage", "agency"]


CONSENT_EXAMPLE: dict[str, Any] = {
    "state": "pending",
    "requested_at": "2026-12-07T09:30:00Z",
    "expires_at": "2026-12-14T09:30:00Z",
    "answered_at": None,
}
SUBMISSION_EXAMPLE: dict[str, Any] = {
    "id": "7b1f3c2e-5d4a-4e7b-9a61-0c2d8e4f1a90",
    "brief": "3e0c9a1d-8f2b-4c6e-b1d7-5a9e2f4c8b13",
    "candidate": "c4d2e1f0-9b8a-4c7d-8e6f-1a2b3c4d5e6f",
    "agency": {"id": "0f9e8d7c-6b5a-4c3d-2e1f-0a9b8c7d6e5f", "name": "Northwind Talent"},
    "stage": "submitted",
    "stage_changed_at": "2026-12-07T09:30:00Z",
    "proof": {
        "shipped_solution": "Shipped a ticket triage model used by 300 support agents daily.",
        "baseline": "Manual triage took 6 minutes per ticket with 70% correct routing.",
        "improvement": "Routing accuracy rose to 92% and handling time fell by 35%.",
        "monitoring": "Weekly accuracy on a labelled sample; drift alerts on inputs.",
        "quality_dip": "A product launch shifted vocabulary; retrained on fresh labels.",
        "links": [],
    },
    "rate_amount": "95.00",
    "rate_currency": "EUR",
    "right_to_represent_confirmed_at": "2026-12-07T09:30:00Z",
    "consent": CONSENT_EXAMPLE,
    "stage_history": [
        {
            "from_stage": "",
            "to_stage": "submitted",
            "reason": "",
            "occurred_at": "2026-12-07T09:30:00Z",
        }
    ],
    "created_at": "2026-12-07T09:30:00Z",
    "updated_at": "2026-12-07T09:30:00Z",
}


@extend_schema_view(
    retrieve=extend_schema(
        examples=[
            OpenApiExample(
                "Awaiting the candidate's consent",
                value=SUBMISSION_EXAMPLE,
                response_only=True,
            ),
            OpenApiExample(
                "Consent confirmed by the candidate",
                value={
                    **SUBMISSION_EXAMPLE,
                    "consent": {
                        **CONSENT_EXAMPLE,
                        "state": "confirmed",
                        "answered_at": "2026-12-07T18:02:11Z",
                    },
                },
                response_only=True,
            ),
        ]
    )
)
@extend_schema(tags=["submissions"])
class SubmissionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PartnerViewSet):
    """Candidates put forward for briefs. A client sees all; an agency sees its own."""

    model = Submission
    serializer_class = SubmissionSerializer
    filterset_class = SubmissionFilter
    required_scopes = {
        "list": "submissions:read",
        "retrieve": "submissions:read",
        "create": "submissions:write",
        "withdraw": "submissions:write",
        "move_stage": "submissions:write",
    }
    agency_only_actions = frozenset({"create", "withdraw"})
    client_only_actions = frozenset({"move_stage"})

    def scoped_queryset(self, principal: ApiPrincipal) -> QuerySet[Submission]:
        submissions = submissions_for(principal.access)
        if self.action == "list":
            return submissions  # list() reads plain rows and their history itself
        history = StageChange.objects.order_by("occurred_at", "id")
        return submissions.prefetch_related(Prefetch("stage_changes", queryset=history))

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Submissions in sync order (last change, then id), a page at a time."""
        # Only the columns the list shows, as plain rows: not the brief's and candidate's
        # whole rows (a candidate's contact data has no business in this query anyway).
        rows = submission_list_rows(self.filter_queryset(self.get_queryset()))
        page = self.paginate_queryset(rows)
        assert page is not None
        return self.get_paginated_response(submission_rows_data(page))

    def _render(self, submission: Submission, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=submission.pk)
        return Response(SubmissionSerializer(fresh).data, status=status_code)

    @extend_schema(
        request=SubmissionCreateSerializer,
        responses={201: SubmissionSerializer},
        examples=[SUBMISSION_CREATE_EXAMPLE],
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Submit a candidate for an open brief shared with your agency, with proof of
        production delivery. The agency is the key's; the stage starts at `submitted`.
        The candidate is then e-mailed a link to confirm (`consent`), as from the pages;
        until they confirm, the client is not shown their contact details.

        Refused with 409 when another agency represents this person at this client
        (`candidate_owned_by_another_agency`) or the person was already submitted to this
        brief (`duplicate_submission`)."""
        principal = self.principal
        data = validated_input(
            SubmissionCreateSerializer, request, ignored=SubmissionSerializer.Meta.fields
        )
        try:
            brief = access_brief_by_id(principal.access, data["brief"])
        except NotFoundError:
            raise ValidationError(
                {"brief": ["No open brief with this id is shared with you."]}
            ) from None
        proof = {f"proof_{part}": value for part, value in data["proof"].items()}
        assert principal.agency is not None
        try:
            submission = submission_create(
                actor=principal.actor,
                brief=brief,
                agency=principal.agency,
                candidate_data=dict(data["candidate"]),
                proof=proof,
                right_to_represent=data["right_to_represent"],
                rate_amount=data.get("rate_amount"),
                rate_currency=data.get("rate_currency", ""),
                link_origin=request.build_absolute_uri("/").rstrip("/"),
            )
        except DjangoValidationError as error:
            raise service_errors(error, SERVICE_FIELD_PATHS) from None
        return self._render(submission, status.HTTP_201_CREATED)

    @extend_schema(request=WithdrawSerializer, responses={200: SubmissionSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Take your candidate back (from any stage that is not closed)."""
        submission = self.get_object()
        data = validated_input(WithdrawSerializer, request)
        submission = submission_withdraw(
            actor=self.principal.actor, submission=submission, reason=data.get("reason", "")
        )
        return self._render(submission)

    @extend_schema(request=MoveStageSerializer, responses={200: SubmissionSerializer})
    @action(detail=True, methods=["post"], url_path="move-stage")
    def move_stage(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Move a submission to another stage. Allowed moves follow the hiring flow
        (submitted -> screening/interview/rejected, ...); rejecting needs a reason."""
        submission = self.get_object()
        data = validated_input(MoveStageSerializer, request)
        submission = submission_move_stage(
            actor=self.principal.actor,
            submission=submission,
            to_stage=data["stage"],
            reason=data.get("reason", ""),
        )
        return self._render(submission)
