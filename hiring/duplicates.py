"""Warning an agency before it submits a person who is already known here.

The same recognition as submitting (hiring.candidate_identity: normalized e-mail, then
E.164 phone) and the same rules (hiring.services.submissions: one submission per person and
brief, one agency's ownership at a time), read ahead of time so the recruiter sees the
refusal coming on the form instead of after it. It says no more than a refused submission
would: never which other agency, nor anything about the person.
"""

from django.core.exceptions import ValidationError
from django.utils import timezone

from hiring.candidate_identity import normalize_email, normalize_phone
from hiring.models import Candidate, CandidateOwnership, RoleBrief, Submission
from hiring.services.submissions import OWNERSHIP_REFUSAL


def _known_candidate(email: str, phone: str) -> Candidate | None:
    try:
        email_key = normalize_email(email)
    except ValidationError:
        email_key = ""
    try:
        phone_key = normalize_phone(phone)
    except ValidationError:
        phone_key = ""
    candidate = None
    if email_key:
        candidate = Candidate.objects.filter(email_normalized=email_key).first()
    if candidate is None and phone_key:
        candidate = Candidate.objects.filter(phone_e164=phone_key).first()
    return candidate


def submission_duplicate_warning(
    *, brief: RoleBrief, agency_id: int, email: str, phone: str
) -> str:
    """What would stand in the way of submitting this person to this brief ("" if nothing)."""
    candidate = _known_candidate(email, phone)
    if candidate is None or candidate.anonymized_at is not None:
        return ""
    earlier = Submission.objects.filter(brief=brief, candidate=candidate).first()
    if earlier is not None:
        if earlier.agency_id == agency_id:
            return (
                "Your agency already submitted this person to this brief on "
                f"{earlier.created_at:%Y-%m-%d}: submitting again will be refused."
            )
        return "This person was already submitted to this brief: submitting will be refused."
    ownership = CandidateOwnership.objects.filter(candidate=candidate).first()
    if ownership is None or ownership.expires_at <= timezone.now():
        return ""
    if ownership.agency_id != agency_id:
        return f"{OWNERSHIP_REFUSAL} Submitting this person will be refused."
    return (
        "Your agency already represents this person at this client (until "
        f"{ownership.expires_at:%Y-%m-%d}): this is a submission to another brief."
    )
