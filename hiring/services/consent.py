"""The candidate's own consent to being represented by an agency at this client.

When an agency submits a person (page, CSV import or API alike),
`hiring.services.consent_request` sets the submission to "pending"
and, once the submission commits, e-mails the person a signed link that expires after
CONSENT_ANSWER_DAYS. On the public page behind the link
(`/consent/<token>/`, no sign-in) the person confirms or declines (`consent_answer`):

- confirmed: the client sees the contact details and the resume from then on, and the
  agency's ownership runs for the engagement's whole window, counted from the submission;
- declined: the submission is withdrawn and the agency's ownership released at once;
- no answer within CONSENT_ANSWER_DAYS: the consent has lapsed (`Submission.consent_status`
  says "expired"), and so has the provisional ownership taken at submission
  (hiring.services.submissions._claim_ownership); the contact details stay hidden.

Each answer is audited and recorded in the outbox (`submission.consent_changed`), so
notifications and webhooks hear of it. docs/hiring.md, "Candidate consent", has the why.
"""

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from audit.actors import Actor
from audit.errors import ConflictError
from audit.services import audit_record
from hiring.models import CandidateOwnership, ConsentState, Stage, Submission
from hiring.services.submissions import submission_close_for_candidate, submission_payload
from hiring.stages import CLOSED_STAGES
from outbox.services import outbox_record
from tenants.models import Engagement
from tenants.schema import current_client

CONSENT_EVENT = "submission.consent_changed"
# Who acted, in the audit trail and the stage history: the person, through their link.
CANDIDATE_ACTOR = Actor.system("candidate_consent")
DECLINE_REASON = "The candidate declined to be represented by this agency at this client."

ANSWER_CONFIRM, ANSWER_DECLINE = "confirm", "decline"


def _release_ownership(submission: Submission, now: dt.datetime) -> bool:
    """The agency stops representing the person here at once, unless another of its open
    submissions of the person is confirmed (the person said yes there). Returns whether it
    was released."""
    still_confirmed = (
        Submission.objects.filter(
            candidate_id=submission.candidate_id,
            agency_id=submission.agency_id,
            consent_state=ConsentState.CONFIRMED,
        )
        .exclude(pk=submission.pk)
        .exclude(stage__in=CLOSED_STAGES)
        .exists()
    )
    if still_confirmed:
        return False
    released = CandidateOwnership.objects.filter(
        candidate_id=submission.candidate_id, agency_id=submission.agency_id, expires_at__gt=now
    ).update(expires_at=now)
    return released > 0


def _extend_ownership(submission: Submission) -> None:
    """Confirmed: the agency's ownership runs for the engagement's window from submission."""
    engagement = Engagement.objects.filter(
        client=current_client(), agency_id=submission.agency_id
    ).first()
    if engagement is None:
        return
    until = submission.created_at + dt.timedelta(days=engagement.ownership_window_days)
    ownership = (
        CandidateOwnership.objects.select_for_update()
        .filter(candidate_id=submission.candidate_id)
        .first()
    )
    if ownership is None or ownership.agency_id != submission.agency_id:
        return
    if ownership.expires_at < until:
        ownership.expires_at = until
        ownership.save(update_fields=["expires_at"])


def consent_answer(*, submission: Submission, answer: str) -> Submission:
    """The person's answer through their link.

    Confirming twice is harmless. A person who confirmed may still decline while the
    submission is open (consent can be taken back); a declined or lapsed consent cannot be
    turned into a confirmation (the agency submits again, and the person is asked again).
    """
    if answer not in (ANSWER_CONFIRM, ANSWER_DECLINE):
        raise ConflictError("Choose to confirm or to decline.", code="consent_answer_unknown")
    with transaction.atomic():
        locked = (
            Submission.objects.select_for_update()
            .select_related("brief", "candidate", "agency")
            .get(pk=submission.pk)
        )
        now = timezone.now()
        status = locked.consent_status
        if status == "expired":
            raise ConflictError(
                "The time to answer has passed. Ask the agency to submit you again if you "
                "want them to represent you.",
                code="consent_expired",
            )
        if status == ConsentState.DECLINED:
            raise ConflictError(
                "You declined already: this agency does not represent you for this role.",
                code="consent_declined",
            )
        if answer == ANSWER_CONFIRM and status == ConsentState.CONFIRMED:
            return locked
        if locked.stage in CLOSED_STAGES and answer == ANSWER_CONFIRM:
            raise ConflictError(
                f"This submission is {locked.get_stage_display().lower()}: there is nothing "
                "to confirm any more.",
                code="consent_submission_closed",
            )
        previous = locked.consent_state
        locked.consent_state = (
            ConsentState.CONFIRMED if answer == ANSWER_CONFIRM else ConsentState.DECLINED
        )
        locked.consent_answered_at = now
        locked.updated_at = now
        locked.save(update_fields=["consent_state", "consent_answered_at", "updated_at"])
        released = False
        if answer == ANSWER_CONFIRM:
            _extend_ownership(locked)
        else:
            if locked.stage not in CLOSED_STAGES:
                submission_close_for_candidate(
                    actor=CANDIDATE_ACTOR,
                    submission=locked,
                    to_stage=Stage.WITHDRAWN,
                    reason=DECLINE_REASON,
                )
            released = _release_ownership(locked, now)
        audit_record(
            actor=CANDIDATE_ACTOR,
            action=f"submission.consent_{locked.consent_state}",
            object_type="submission",
            object_id=locked.public_id,
            details={"previous": previous, "ownership_released": released},
        )
        outbox_record(
            event_type=CONSENT_EVENT,
            aggregate_type="submission",
            aggregate_id=locked.public_id,
            payload=consent_payload(locked),
            agency_id=locked.agency_id,
        )
    locked.refresh_from_db()
    return locked


def consent_payload(submission: Submission) -> dict[str, Any]:
    """The event's payload: ids and states only, like every submission event."""
    answered = submission.consent_answered_at
    return {
        **submission_payload(submission),
        "consent": submission.consent_status,
        "consent_answered_at": answered.isoformat() if answered else None,
    }
