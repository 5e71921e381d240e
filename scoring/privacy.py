"""Erasure of a candidate's free text held by the scoring app (scores are kept)."""

from django.utils import timezone

from hiring.models import Candidate
from scoring.models import EVIDENCE_FIELDS, Scorecard


def scorecard_text_erase(candidate: Candidate, *, former_name: str) -> None:
    """Evidence and summaries describe the person; the numbers feed aggregates and stay."""
    Scorecard.objects.filter(submission__candidate=candidate).update(
        **dict.fromkeys(EVIDENCE_FIELDS, ""), summary="", updated_at=timezone.now()
    )
