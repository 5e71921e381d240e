"""Privacy for candidates: who read their personal data, erasure on request, retention.

- `candidate_pii_read_record` leaves an audit row each time a person (or a partner's API key)
  is shown a candidate's contact data or resume. Pages and API endpoints call it; it records
  ids and a purpose, never the data itself.
- `candidate_erase` anonymizes a candidate for good: name replaced, contact data, resume and
  free text removed, while stages, dates, rates, ownership and scores stay so that counts and
  aggregates keep working. Other apps that hold free text about a candidate (scorecard
  evidence) plug in with `register_candidate_text_eraser`.
- `retention_apply` erases candidates whose every submission closed as rejected or withdrawn
  longer ago than the client's `candidate_retention_days`; beat runs it daily per tenant.
"""

import datetime as dt
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from audit.actors import Actor
from audit.services import audit_record, audit_record_many
from hiring.fields import PROOF_TEXT_FIELDS
from hiring.models import Candidate, Stage, StageChange, Submission
from outbox.services import outbox_record
from tenants.models import Client
from tenants.schema import current_schema_name

logger = logging.getLogger(__name__)

# Why a candidate was erased. Only the category is stored: a free-text reason could itself
# name the person or repeat their contact data.
ERASURE_REASONS: dict[str, str] = {
    "request": "the candidate asked to be erased",
    "legal": "a legal obligation or an authority's order",
    "retention": "the client's retention period ended",
}
RETENTION_BATCH_SIZE = 100
# The text a submission holds about the person besides the name, emptied by erasure.
ERASED_PROFILE_TEXT_FIELDS = ("email", "phone", "location", "availability", "summary")
RETENTION_ACTOR = Actor.system("retention")
# Closed stages after which a candidate's data has no further use for this client.
RETENTION_STAGES = (Stage.REJECTED, Stage.WITHDRAWN)

# A purpose is a code-chosen label ("candidate_detail"), never data typed by someone.
_PURPOSE = re.compile(r"[a-z][a-z0-9_]{0,39}")


class CandidateTextEraser(Protocol):
    def __call__(self, candidate: Candidate, *, former_name: str) -> None: ...


_text_erasers: list[CandidateTextEraser] = []


def register_candidate_text_eraser(eraser: CandidateTextEraser) -> CandidateTextEraser:
    """Register a function that clears free text another app holds about a candidate.

    It is called with the (locked) candidate inside the erasure transaction, after this
    module's own clearing (so the candidate already carries the erased name), and with the
    name it had before: it must replace text (e.g. scorecard evidence, notifications quoting
    the name) and keep numbers (scores). If it raises, the whole erasure rolls back.
    Register once, from the app's `AppConfig.ready()`; registering the same function twice is
    harmless.
    """
    if eraser not in _text_erasers:
        _text_erasers.append(eraser)
    return eraser


def candidate_text_erasers() -> list[CandidateTextEraser]:
    return list(_text_erasers)


def candidate_pii_read_record(*, actor: Actor, candidate: Candidate, purpose: str) -> None:
    """Audit that a person was shown this candidate's contact data or resume.

    Call it from every page and API endpoint that shows them (purpose e.g. "candidate_detail",
    "resume_download", "api_candidate"). System jobs are not people: nothing is recorded.
    """
    candidates_pii_read_record(actor=actor, candidates=[candidate], purpose=purpose)


def candidates_pii_read_record(
    *, actor: Actor, candidates: Iterable[Candidate], purpose: str
) -> None:
    """`candidate_pii_read_record` for a page of candidates (a list view): one query."""
    if not _PURPOSE.fullmatch(purpose or ""):
        raise ValueError("purpose must be a short lower-case code such as 'candidate_detail'")
    if actor.kind == "system":
        return
    details: dict[str, object] = {"purpose": purpose}
    if actor.agency_id is not None:
        details["agency"] = actor.agency_id
    audit_record_many(
        actor=actor,
        action="candidate.pii_viewed",
        object_type="candidate",
        object_ids=[candidate.public_id for candidate in candidates],
        details=details,
    )


@dataclass(frozen=True)
class CandidateErasure:
    candidate: Candidate
    already_erased: bool
    submissions_cleared: int = 0
    resume_removed: bool = False


def erased_name(candidate: Candidate) -> str:
    return f"Erased candidate {str(candidate.public_id)[:8]}"


def candidate_erase(*, actor: Actor, candidate: Candidate, reason: str) -> CandidateErasure:
    """Anonymize a candidate for good, in one transaction.

    Cleared, in every agency's version of the person (each submission): name (replaced, also
    where notifications quote it), email, phone, location, availability, summary, links,
    skills, the resume file, proof text and links; the candidate's identity keys; the reasons
    given for stage changes; and whatever registered erasers clear (scorecard evidence). Kept:
    the rows, stages, dates, rates, ownership and scores, so counts and aggregates still add
    up.

    `reason` is a category from ERASURE_REASONS. Erasing an erased candidate changes nothing
    and succeeds. The resume file is deleted only once the transaction has committed.
    """
    if reason not in ERASURE_REASONS:
        raise ValidationError(
            {"reason": f"Use one of: {', '.join(ERASURE_REASONS)} (a category, not free text)."}
        )
    with transaction.atomic():
        locked = Candidate.objects.select_for_update().get(pk=candidate.pk)
        if locked.anonymized_at is not None:
            return CandidateErasure(candidate=locked, already_erased=True)
        now = timezone.now()
        former_name = locked.full_name
        erased = erased_name(locked)
        locked.full_name = erased
        locked.email_normalized = ""
        locked.phone_e164 = ""
        locked.anonymized_at = now
        locked.updated_at = now
        locked.save(
            update_fields=[
                "full_name",
                "email_normalized",
                "phone_e164",
                "anonymized_at",
                "updated_at",
            ]
        )
        submissions = Submission.objects.filter(candidate=locked)
        submission_ids = [
            str(public_id)
            for public_id in submissions.values_list("public_id", flat=True).order_by("id")
        ]
        resume_names = [name for name in submissions.values_list("resume", flat=True) if name]
        # Every agency's version of the person goes: name, contact data, resume, free text.
        submissions.update(
            full_name=erased,
            **dict.fromkeys(ERASED_PROFILE_TEXT_FIELDS, ""),
            skills=[],
            links=[],
            resume="",
            resume_content_type="",
            **dict.fromkeys(PROOF_TEXT_FIELDS, ""),
            proof_metric="",
            proof_metric_unit="",
            proof_baseline_value=None,
            proof_result_value=None,
            proof_monitoring_signals=[],
            proof_links=[],
            updated_at=now,
        )
        StageChange.objects.filter(submission__candidate=locked).exclude(reason="").update(
            reason=""
        )
        for eraser in candidate_text_erasers():
            eraser(locked, former_name=former_name)
        audit_record(
            actor=actor,
            action="candidate.erased",
            object_type="candidate",
            object_id=locked.public_id,
            details={
                "reason": reason,
                "submissions": len(submission_ids),
                "resume_removed": bool(resume_names),
            },
        )
        outbox_record(
            event_type="candidate.erased",
            aggregate_type="candidate",
            aggregate_id=locked.public_id,
            payload={
                "candidate_id": str(locked.public_id),
                "submission_ids": submission_ids,
                "reason": reason,
            },
        )
        for name in resume_names:
            # After commit only: a rollback must not cost a still-existing candidate its file.
            transaction.on_commit(partial(_resume_delete, name))
    return CandidateErasure(
        candidate=locked,
        already_erased=False,
        submissions_cleared=len(submission_ids),
        resume_removed=bool(resume_names),
    )


def _resume_delete(name: str) -> None:
    try:
        default_storage.delete(name)
    except OSError:
        # The database no longer points at the file; leave a trace so an operator removes it.
        logger.exception("could not delete an erased candidate's resume file %s", name)


def retention_candidates_due(*, now: dt.datetime, retention_days: int) -> QuerySet[Candidate]:
    """Candidates the retention policy anonymizes now: not yet anonymized, every submission
    closed as rejected or withdrawn, the last of them closed more than `retention_days` ago.

    A candidate with any other submission (open, offer, hired) is kept, and so is one whose
    last rejection or withdrawal is recent. A candidate with no submission at all is due once
    the row itself is that old. `retention_days` 0 (policy off) returns nothing.
    """
    if retention_days <= 0:
        return Candidate.objects.none()
    cutoff = now - dt.timedelta(days=retention_days)
    still_needed = Submission.objects.filter(candidate=OuterRef("pk")).filter(
        ~Q(stage__in=RETENTION_STAGES) | Q(stage_changed_at__gte=cutoff)
    )
    any_submission = Submission.objects.filter(candidate=OuterRef("pk"))
    return (
        Candidate.objects.filter(anonymized_at__isnull=True)
        .exclude(Exists(still_needed))
        .filter(Exists(any_submission) | Q(updated_at__lt=cutoff))
        .order_by("pk")
    )


def retention_apply(*, now: dt.datetime | None = None) -> int:
    """Apply the current client's retention policy; returns how many candidates were erased.

    Runs inside the client's schema (the daily beat job fans out per tenant). Each candidate
    is erased in its own transaction, batch by batch, so a long run holds no long locks and a
    failure on one candidate does not keep the others' data.
    """
    schema_name = current_schema_name()
    if schema_name == settings.PUBLIC_SCHEMA_NAME:
        raise RuntimeError("retention_apply runs inside a client's schema, not the public one")
    # Read fresh: the tenant object on the connection may be cached by the worker.
    retention_days = (
        Client.objects.filter(schema_name=schema_name)
        .values_list("candidate_retention_days", flat=True)
        .first()
    )
    if not retention_days:
        return 0
    now = now or timezone.now()
    due = retention_candidates_due(now=now, retention_days=retention_days)
    erased = 0
    last_pk = 0
    while True:
        batch = list(due.filter(pk__gt=last_pk)[:RETENTION_BATCH_SIZE])
        if not batch:
            break
        for candidate in batch:
            last_pk = candidate.pk
            try:
                with transaction.atomic():
                    # Check again under the candidate's lock: a submission created since the
                    # batch was read (it takes the same lock) keeps the candidate.
                    Candidate.objects.select_for_update().filter(pk=candidate.pk).first()
                    if not due.filter(pk=candidate.pk).exists():
                        continue
                    result = candidate_erase(
                        actor=RETENTION_ACTOR, candidate=candidate, reason="retention"
                    )
            except Exception:
                logger.exception("retention: erasing candidate %s failed", candidate.public_id)
                continue
            if not result.already_erased:
                erased += 1
    if erased:
        logger.info("retention: erased %d candidates in %s", erased, schema_name)
    return erased
