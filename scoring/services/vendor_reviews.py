"""Vendor scorecards: a client reviewer scores an agency as a delivery partner.

The same five categories as the candidates' scorecard (domain.md: "an agency or delivery
team can be scored the same way"), each 0-5 with the evidence the reviewer saw, either for a
period ("how did this agency do in Q3") or for one filled brief. These are not interviewer
scores: no blindness applies, and they never carry a candidate's figures.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.actors import Actor
from audit.errors import ConflictError
from audit.services import audit_record
from hiring.models import BriefStatus, RoleBrief, Submission
from hiring.text import long_text_clean
from outbox.services import outbox_record
from scoring.models import (
    EVIDENCE_FIELDS,
    SCORE_FIELDS,
    VendorReview,
    VendorReviewBasis,
)
from tenants.models import Agency, ClientMembership, Engagement
from tenants.roles import REVIEW_AGENCIES
from tenants.schema import current_client

VENDOR_EVIDENCE_MIN_CHARS = 20
VENDOR_TEXT_MAX_CHARS = 5000
# A periodic review looks back at most about a year; longer periods blur what changed.
VENDOR_PERIOD_MAX_DAYS = 370


def _clean_scores_and_evidence(data: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for score_field, evidence_field in zip(SCORE_FIELDS, EVIDENCE_FIELDS, strict=True):
        value = data.get(score_field)
        number: int | None = None
        if value not in (None, "") and not isinstance(value, bool):
            try:
                number = int(str(value))
            except ValueError:
                number = None
        if number is None or not 0 <= number <= 5:
            errors[score_field] = "Score every category with a whole number from 0 to 5."
        else:
            cleaned[score_field] = number
        try:
            text = long_text_clean(data.get(evidence_field))
        except ValidationError as error:
            errors[evidence_field] = error.messages[0]
            continue
        if len(text) < VENDOR_EVIDENCE_MIN_CHARS:
            errors[evidence_field] = (
                "Say what the score rests on: the briefs, candidates or events you saw "
                f"(at least {VENDOR_EVIDENCE_MIN_CHARS} characters)."
            )
        elif len(text) > VENDOR_TEXT_MAX_CHARS:
            errors[evidence_field] = f"Keep this under {VENDOR_TEXT_MAX_CHARS} characters."
        cleaned[evidence_field] = text
    try:
        summary = long_text_clean(data.get("summary"))
    except ValidationError as error:
        errors["summary"] = error.messages[0]
        summary = ""
    if len(summary) > VENDOR_TEXT_MAX_CHARS:
        errors["summary"] = f"Keep this under {VENDOR_TEXT_MAX_CHARS} characters."
    cleaned["summary"] = summary
    return cleaned


def vendor_review_create(
    *,
    actor: Actor,
    agency: Agency,
    basis: str,
    data: dict[str, Any],
    brief: RoleBrief | None = None,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
) -> VendorReview:
    """Record a reviewer's vendor scorecard of an agency engaged by this client.

    Reviewers are the client's admins, hiring managers and executives. Per filled brief: the
    brief is filled and the agency submitted to it. Per period: a past period of at most about
    a year. All five categories are scored, each with evidence. One review per reviewer, agency
    and brief (or period); a review is final once recorded.
    """
    client = current_client()
    if actor.user_id is None:
        raise ConflictError("A vendor scorecard is a person's review.", code="not_a_reviewer")
    membership = ClientMembership.objects.filter(user_id=actor.user_id, client=client).first()
    if membership is None or membership.role not in REVIEW_AGENCIES:
        raise ConflictError(
            "Only admins, hiring managers and executives review agencies.", code="not_a_reviewer"
        )
    if not Engagement.objects.filter(client=client, agency=agency).exists():
        raise ValidationError({"agency": "Choose an agency that works with you."})
    errors: dict[str, str] = {}
    if basis == VendorReviewBasis.BRIEF:
        if brief is None:
            errors["brief"] = "Choose the filled brief this review is about."
        elif brief.status != BriefStatus.FILLED:
            errors["brief"] = "Review an agency on a brief once the brief is filled."
        elif not Submission.objects.filter(brief=brief, agency=agency).exists():
            errors["brief"] = "This agency submitted nobody to that brief."
        period_start = period_end = None
    elif basis == VendorReviewBasis.PERIOD:
        brief = None
        today = timezone.localdate()
        if period_start is None:
            errors["period_start"] = "Give the first day of the period."
        if period_end is None:
            errors["period_end"] = "Give the last day of the period."
        if period_start is not None and period_end is not None:
            if period_end < period_start:
                errors["period_end"] = "The period ends after it starts."
            elif period_end > today:
                errors["period_end"] = "Review a period that is over (it ends today at the latest)."
            elif (period_end - period_start).days > VENDOR_PERIOD_MAX_DAYS:
                errors["period_start"] = "Review at most a year at a time."
    else:
        errors["basis"] = "Choose a periodic review or a filled brief."
    cleaned = _clean_scores_and_evidence(data, errors)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            review = VendorReview.objects.create(
                agency=agency,
                reviewer_id=actor.user_id,
                reviewer_role=membership.role,
                basis=basis,
                brief=brief,
                period_start=period_start,
                period_end=period_end,
                **cleaned,
            )
            audit_record(
                actor=actor,
                action="vendor_review.recorded",
                object_type="agency",
                object_id=agency.public_id,
                details={
                    "review": str(review.public_id),
                    "basis": basis,
                    "brief": str(brief.public_id) if brief is not None else None,
                },
            )
            outbox_record(
                event_type="vendor_review.recorded",
                aggregate_type="agency",
                aggregate_id=agency.public_id,
                payload={
                    "review_id": str(review.public_id),
                    "agency_id": str(agency.public_id),
                    "basis": basis,
                    "scores": review.scores(),
                },
                agency_id=agency.pk,
            )
    except IntegrityError:
        raise ConflictError(
            "You already reviewed this agency for this "
            + ("brief." if basis == VendorReviewBasis.BRIEF else "period."),
            code="vendor_review_exists",
        ) from None
    return review
