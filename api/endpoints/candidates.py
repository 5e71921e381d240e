"""/api/v1/candidates/ (client keys): the people behind submissions, with each agency's
version of the person (name, contact data, links, whether a resume came with it).

A version whose candidate has not confirmed the agency's representation
(hiring.services.consent) shows no e-mail, phone or resume. Every response that shows contact
data is recorded in the audit trail (`candidate.pii_viewed`, purpose "api_candidate", actor =
the key's prefix), one entry per candidate shown. Erased candidates show no personal data
and are not recorded."""

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from api.authentication import ApiPrincipal
from api.base import PartnerViewSet
from api.endpoints.common import AgencyRefSerializer
from hiring.models import CONSENT_STATUS_CHOICES, Candidate, Submission
from hiring.services.privacy import candidate_pii_read_record, candidates_pii_read_record

PII_PURPOSE = "api_candidate"


class RepresentationSerializer(serializers.Serializer):
    agency = AgencyRefSerializer()
    until = serializers.DateTimeField(source="expires_at")


class CandidateVersionSerializer(serializers.ModelSerializer):
    """The person as one agency presented them in one submission."""

    submission = serializers.UUIDField(source="public_id", read_only=True)
    agency = AgencyRefSerializer(read_only=True)
    links = serializers.ListField(child=serializers.CharField())
    skills = serializers.ListField(child=serializers.CharField())
    has_resume = serializers.SerializerMethodField()
    consent = serializers.ChoiceField(
        source="consent_status",
        choices=CONSENT_STATUS_CHOICES,
        read_only=True,
        help_text="The candidate's consent to this agency's representation. Until it is "
        "confirmed, email and phone are empty and has_resume is false.",
    )

    class Meta:
        model = Submission
        fields = [
            "submission",
            "agency",
            "full_name",
            "email",
            "phone",
            "location",
            "links",
            "skills",
            "availability",
            "summary",
            "has_resume",
            "consent",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_has_resume(self, submission: Submission) -> bool:
        return bool(submission.resume) and submission.consent_confirmed

    def to_representation(self, instance: Submission) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not instance.consent_confirmed:
            # As on the pages: the client reaches the person once they said yes.
            data["email"] = data["phone"] = ""
        return data


class CandidateSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    erased = serializers.SerializerMethodField()
    represented_by = serializers.SerializerMethodField()
    versions = CandidateVersionSerializer(source="submissions", many=True, read_only=True)

    class Meta:
        model = Candidate
        fields = [
            "id",
            "full_name",
            "erased",
            "represented_by",
            "versions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_erased(self, candidate: Candidate) -> bool:
        return candidate.anonymized_at is not None

    @extend_schema_field(RepresentationSerializer(allow_null=True))
    def get_represented_by(self, candidate: Candidate) -> dict[str, Any] | None:
        ownership = getattr(candidate, "ownership", None)
        if ownership is None:
            return None
        return dict(RepresentationSerializer(ownership).data)


@extend_schema(tags=["candidates"])
class CandidateViewSet(PartnerViewSet):
    """People submitted to this client, each with every agency's version of them (contact
    data included: each read is audited)."""

    model = Candidate
    serializer_class = CandidateSerializer
    required_scopes = {"list": "candidates:read", "retrieve": "candidates:read"}
    client_only_actions = frozenset({"list", "retrieve"})

    def scoped_queryset(self, principal: ApiPrincipal) -> QuerySet[Candidate]:
        submissions = Submission.objects.select_related("agency").order_by("created_at", "id")
        return Candidate.objects.select_related("ownership__agency").prefetch_related(
            Prefetch("submissions", queryset=submissions)
        )

    def _record_reads(self, candidates: list[Candidate]) -> None:
        shown = [c for c in candidates if c.anonymized_at is None]
        if len(shown) == 1:
            candidate_pii_read_record(
                actor=self.principal.actor, candidate=shown[0], purpose=PII_PURPOSE
            )
        elif shown:
            candidates_pii_read_record(
                actor=self.principal.actor, candidates=shown, purpose=PII_PURPOSE
            )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        rows = list(page or [])
        self._record_reads(rows)
        return self.get_paginated_response(CandidateSerializer(rows, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        candidate = self.get_object()
        self._record_reads([candidate])
        return Response(CandidateSerializer(candidate).data)
