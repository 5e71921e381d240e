"""Writes on candidates and submissions: submit with proof, ownership, stage moves, withdraw.

A submission carries the agency's own version of the person (name, contact data, resume,
links) and its proof; the candidate row only recognises the person across agencies and holds
the ownership.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from audit.actors import Actor
from audit.errors import ConflictError
from audit.services import audit_record
from hiring.candidate_identity import normalize_email, normalize_phone
from hiring.fields import (
    CANDIDATE_TEXT_FIELDS,
    MONITORING_SIGNALS,
    PROOF_LINE_FIELDS,
    PROOF_MEASURE_FIELDS,
    PROOF_SIGNALS_FIELD,
    PROOF_TEXT_FIELDS,
)
from hiring.models import (
    BriefStatus,
    Candidate,
    CandidateOwnership,
    RoleBrief,
    Stage,
    StageChange,
    Submission,
)
from hiring.proof import PROOF_REQUIRED as PROOF_REQUIRED
from hiring.proof import decimal_or_none, proof_part_errors, signals_list
from hiring.resumes import resume_store, staged_resume_take
from hiring.selectors import brief_visible_to_agency
from hiring.services.consent_request import (
    CONSENT_ANSWER_DAYS,
    consent_fields,
    consent_request_send,
)
from hiring.stages import CLOSED_STAGES
from hiring.text import line_text_clean, long_text_clean, text_problem
from outbox.services import outbox_record
from tenants.models import Agency, Engagement, EngagementStatus
from tenants.schema import current_client

# Which stages a client may move a submission to from each stage.
CLIENT_TRANSITIONS: dict[str, set[str]] = {
    Stage.SUBMITTED: {Stage.SCREENING, Stage.INTERVIEW, Stage.REJECTED},
    Stage.SCREENING: {Stage.INTERVIEW, Stage.REJECTED},
    Stage.INTERVIEW: {Stage.SHORTLISTED, Stage.REJECTED},
    Stage.SHORTLISTED: {Stage.OFFER, Stage.INTERVIEW, Stage.REJECTED},
    Stage.OFFER: {Stage.HIRED, Stage.REJECTED},
    Stage.HIRED: set(),
    Stage.REJECTED: set(),
    Stage.WITHDRAWN: set(),
}

# Text about the person that may run over lines; the other fields are one line each.
LONG_CANDIDATE_FIELDS = frozenset({"summary"})
MAX_LINKS = 10


@dataclass(frozen=True)
class CandidateInput:
    """A person as an agency presents them, validated: `profile` holds the submission's
    fields (hiring.fields.CANDIDATE_FIELDS), the normalized keys recognise the person."""

    profile: dict[str, Any]
    email_normalized: str
    phone_e164: str

    @property
    def full_name(self) -> str:
        return str(self.profile["full_name"])


def _clean_links(raw: Any, field: str) -> list[str]:
    if raw in (None, ""):
        return []
    if isinstance(raw, str):
        raw = [part for part in raw.replace(",", " ").split() if part]
    if not isinstance(raw, list) or len(raw) > MAX_LINKS:
        raise ValidationError({field: f"Give up to {MAX_LINKS} links."})
    links = []
    for link in raw:
        link = str(link).strip()
        if (
            not link.startswith(("https://", "http://"))
            or len(link) > 500
            or text_problem(link, multiline=False)
        ):
            raise ValidationError({field: "Links must be http(s) addresses."})
        links.append(link)
    return links


def candidate_input_clean(data: dict[str, Any]) -> CandidateInput:
    errors: dict[str, str] = {}
    allowed = set(CANDIDATE_TEXT_FIELDS) | {"links", "skills"}
    unknown = set(data) - allowed
    if unknown:
        errors["candidate"] = f"Unknown candidate fields: {', '.join(sorted(unknown))}."
    values = {}
    for field, limit in CANDIDATE_TEXT_FIELDS.items():
        clean = long_text_clean if field in LONG_CANDIDATE_FIELDS else line_text_clean
        try:
            value = clean(data.get(field) or "")
        except ValidationError as error:
            errors[field] = " ".join(error.messages)
            value = ""
        if len(value) > limit:
            errors[field] = f"Keep this under {limit} characters."
        values[field] = value
    if not values["full_name"]:
        errors["full_name"] = "The candidate's name is required."
    email_normalized = phone_e164 = ""
    try:
        email_normalized = normalize_email(values["email"])
    except ValidationError as error:
        errors.update({k: " ".join(v) for k, v in error.message_dict.items()})
    try:
        phone_e164 = normalize_phone(values["phone"])
    except ValidationError as error:
        errors.update({k: " ".join(v) for k, v in error.message_dict.items()})
    if not values["email"] and not values["phone"]:
        errors["email"] = "Give an email address or a phone number for the candidate."
    profile: dict[str, Any] = dict(values)
    try:
        profile["links"] = _clean_links(data.get("links"), "links")
    except ValidationError as error:
        errors.update({k: " ".join(v) for k, v in error.message_dict.items()})
    skills = data.get("skills") or []
    if isinstance(skills, str):
        skills = [s.strip() for s in skills.split(",") if s.strip()]
    if not isinstance(skills, list) or len(skills) > 50 or any(len(str(s)) > 60 for s in skills):
        errors["skills"] = "Give up to 50 skills of up to 60 characters each."
    elif any(problem := text_problem(str(s), multiline=False) for s in skills):
        errors["skills"] = str(problem)
    else:
        profile["skills"] = [str(s).strip() for s in skills]
    if errors:
        raise ValidationError(errors)
    return CandidateInput(profile=profile, email_normalized=email_normalized, phone_e164=phone_e164)


def _clean_proof(track: str, proof: dict[str, Any]) -> dict[str, Any]:
    """Proof parts cleaned and checked against what the brief's track requires
    (hiring.proof). Numbers and monitoring signals may come as text (forms, CSV cells)."""
    errors: dict[str, str] = {}
    known = {*PROOF_TEXT_FIELDS, *PROOF_MEASURE_FIELDS, PROOF_SIGNALS_FIELD, "proof_links"}
    unknown = set(proof) - known
    if unknown:
        errors["proof"] = f"Unknown proof fields: {', '.join(sorted(unknown))}."
    cleaned: dict[str, Any] = {}
    for field in (*PROOF_TEXT_FIELDS, "proof_metric", "proof_metric_unit"):
        line = field in PROOF_LINE_FIELDS
        try:
            value = (line_text_clean if line else long_text_clean)(proof.get(field) or "")
        except ValidationError as error:
            errors[field] = " ".join(error.messages)
            value = ""
        limit = 40 if field == "proof_metric_unit" else 200 if line else 5000
        if len(value) > limit:
            errors[field] = f"Keep this under {limit} characters."
        cleaned[field] = value
    for field in ("proof_baseline_value", "proof_result_value"):
        try:
            cleaned[field] = decimal_or_none(proof.get(field))
        except ValueError:
            errors[field] = "Give a number, e.g. 18 or 0.85."
            cleaned[field] = None
    try:
        cleaned[PROOF_SIGNALS_FIELD] = signals_list(proof.get(PROOF_SIGNALS_FIELD))
    except ValueError:
        errors[PROOF_SIGNALS_FIELD] = f"Choose from: {', '.join(MONITORING_SIGNALS)}."
        cleaned[PROOF_SIGNALS_FIELD] = []
    for field, message in proof_part_errors(track, cleaned).items():
        errors.setdefault(field, message)
    try:
        cleaned["proof_links"] = _clean_links(proof.get("proof_links"), "proof_links")
    except ValidationError as error:
        errors.update({k: " ".join(v) for k, v in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    return cleaned


def _clean_rate(amount: Any, currency: Any) -> tuple[Decimal | None, str]:
    if amount in (None, ""):
        return None, str(currency or "").strip().upper()
    try:
        value = Decimal(str(amount))
        if value < 0 or value >= Decimal("1e10") or not value.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        raise ValidationError({"rate_amount": "Enter an amount of 0 or more."}) from None
    currency = str(currency or "").strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        raise ValidationError({"rate_currency": "Use a three-letter currency code."})
    return value.quantize(Decimal("0.01")), currency


def _candidate_for(person: CandidateInput) -> tuple[Candidate, bool]:
    """Find the person by normalized email, then phone; or create them. Race-safe: the
    database's unique constraints decide between two concurrent creators (savepoint + retry).
    Only the identity keys and the name live on the candidate; what the agency said about
    the person goes on its submission.
    """
    for _attempt in range(3):
        existing = None
        if person.email_normalized:
            existing = Candidate.objects.filter(email_normalized=person.email_normalized).first()
        if existing is None and person.phone_e164:
            existing = Candidate.objects.filter(phone_e164=person.phone_e164).first()
        if existing is not None:
            return existing, False
        try:
            with transaction.atomic():
                candidate = Candidate.objects.create(
                    full_name=person.full_name,
                    email_normalized=person.email_normalized,
                    phone_e164=person.phone_e164,
                )
            return candidate, True
        except IntegrityError:
            continue  # someone created the same person a moment ago: look them up again
    raise ConflictError(
        "The candidate is being created by another request; try again.", code="candidate_busy"
    )


def _candidate_known_as(candidate: Candidate, person: CandidateInput) -> None:
    """The client's lists call the person by the name of their latest submission."""
    if candidate.full_name != person.full_name:
        candidate.full_name = person.full_name
        candidate.updated_at = timezone.now()
        candidate.save(update_fields=["full_name", "updated_at"])


OWNERSHIP_REFUSAL = (
    "This candidate is already represented at this client by another agency. A person can be "
    "put forward by one agency at a time."
)
DUPLICATE_SUBMISSION = "This candidate has already been submitted to this brief."
CANDIDATE_CHANGED = "This candidate record changed meanwhile; submit again."


def ownership_claim(*, candidate_ids: list[int], agency_id: int, window_days: int) -> set[int]:
    """The ownership decision, for one person or for a whole chunk of an import: the first
    agency to submit a person owns them for the engagement's window; the owner's own new
    submission extends the window; another agency takes a person over only once the window
    has passed. Returns the ids of the candidates `agency_id` now owns; the others are owned
    by another agency (a refusal, OWNERSHIP_REFUSAL).

    One `INSERT ... ON CONFLICT DO UPDATE ... WHERE`: PostgreSQL inserts or locks and decides
    on the latest committed row, so two concurrent claims of one person (a page, the API, an
    import) wait for each other and the one-row-per-candidate constraint has the last word.
    """
    ids = sorted(set(candidate_ids))
    if not ids:
        return set()
    now = timezone.now()
    table = CandidateOwnership._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} AS o (candidate_id, agency_id, started_at, expires_at)
            SELECT unnest(%s::bigint[]), %s, %s, %s
            ON CONFLICT (candidate_id) DO UPDATE SET
                agency_id = EXCLUDED.agency_id,
                started_at = CASE WHEN o.agency_id = EXCLUDED.agency_id
                    THEN o.started_at ELSE EXCLUDED.started_at END,
                expires_at = CASE WHEN o.agency_id = EXCLUDED.agency_id
                    THEN GREATEST(o.expires_at, EXCLUDED.expires_at) ELSE EXCLUDED.expires_at END
            WHERE o.agency_id = EXCLUDED.agency_id OR o.expires_at <= EXCLUDED.started_at
            RETURNING candidate_id
            """,
            [ids, agency_id, now, now + dt.timedelta(days=window_days)],
        )
        return {row[0] for row in cursor.fetchall()}


def _claim_ownership(*, candidate: Candidate, agency: Agency) -> None:
    """The first agency to submit a person owns them here, provisionally: until the person
    confirms (hiring.services.consent extends it to the engagement's window, counted from
    the submission) the ownership lasts CONSENT_ANSWER_DAYS. An agency that already owns
    the person keeps what it has. One statement with the import (ownership_claim).

    Serialised on the candidate row first, as erasure is: a person erased between look-up
    and lock is not submitted.
    """
    locked = Candidate.objects.select_for_update().filter(pk=candidate.pk).first()
    if locked is None or locked.anonymized_at is not None:
        # Erased (or deleted) between look-up and lock: the caller's data no longer matches.
        raise ConflictError(CANDIDATE_CHANGED, code="candidate_busy")
    claimed = ownership_claim(
        candidate_ids=[candidate.pk], agency_id=agency.pk, window_days=CONSENT_ANSWER_DAYS
    )
    if candidate.pk not in claimed:
        raise ConflictError(OWNERSHIP_REFUSAL, code="candidate_owned_by_another_agency")


@dataclass(frozen=True)
class SubmissionInput:
    """What a submission needs once its rules passed (submission_input_clean)."""

    person: CandidateInput
    proof: dict[str, Any]
    rate_amount: Decimal | None
    rate_currency: str


RIGHT_TO_REPRESENT_REQUIRED = (
    "Confirm that the candidate agreed to be represented by your agency for this role."
)


def submission_input_clean(
    *,
    track: str,
    candidate_data: dict[str, Any],
    proof: dict[str, Any],
    right_to_represent: bool,
    rate_amount: Any = None,
    rate_currency: Any = "",
) -> SubmissionInput:
    """Every rule on what an agency submits for a brief of `track`: the person, the proof,
    the rate and the right to represent. The single-submission service and the bulk import
    both call this, so the two cannot disagree. Raises ValidationError with every problem
    found, by field."""
    errors: dict[str, Any] = {}
    person = proof_clean = None
    rate: Decimal | None = None
    currency = ""
    try:
        person = candidate_input_clean(candidate_data)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        proof_clean = _clean_proof(track, proof)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        rate, currency = _clean_rate(rate_amount, rate_currency)
    except ValidationError as error:
        errors.update(error.message_dict)
    if right_to_represent is not True:
        errors["right_to_represent"] = [RIGHT_TO_REPRESENT_REQUIRED]
    if errors:
        raise ValidationError(errors)
    assert person is not None and proof_clean is not None
    return SubmissionInput(
        person=person, proof=proof_clean, rate_amount=rate, rate_currency=currency
    )


def submission_create(
    *,
    actor: Actor,
    brief: RoleBrief,
    agency: Agency,
    candidate_data: dict[str, Any],
    proof: dict[str, Any],
    right_to_represent: bool,
    rate_amount: Any = None,
    rate_currency: Any = "",
    resume: IO[bytes] | None = None,
    staged_resume: str = "",
    link_origin: str | None = None,
) -> Submission:
    """An agency submits a person for a brief.

    The person is then asked by e-mail to confirm (hiring.services.consent_request): until
    they do, the client does not see their contact details. `staged_resume` is a resume the
    recruiter uploaded to prefill the form (hiring.resume_reading), given by its token;
    `link_origin` the scheme, host and port for the link in that e-mail.

    Refused (ValidationError) when input is invalid; refused (ConflictError) when another
    agency owns the person here, or when this person was already submitted to this brief.
    """
    client = current_client()
    engagement = Engagement.objects.filter(client=client, agency=agency).first()
    if engagement is None or engagement.status != EngagementStatus.ACTIVE:
        raise ConflictError(
            "Your agency's engagement with this client is not active.", code="engagement_inactive"
        )
    if brief.status != BriefStatus.OPEN or not brief_visible_to_agency(brief, agency.pk):
        raise ConflictError("This brief is not open to your agency.", code="brief_not_open")
    cleaned = submission_input_clean(
        track=brief.track,
        candidate_data=candidate_data,
        proof=proof,
        right_to_represent=right_to_represent,
        rate_amount=rate_amount,
        rate_currency=rate_currency,
    )
    person, proof_clean = cleaned.person, cleaned.proof
    rate, currency = cleaned.rate_amount, cleaned.rate_currency

    stored_resume: tuple[str, str] | None = None
    if resume is not None:
        stored_resume = resume_store(upload=resume)
    elif staged_resume:
        stored_resume = staged_resume_take(token=staged_resume, user_id=actor.user_id)
    try:
        with transaction.atomic():
            candidate, created = _candidate_for(person)
            _claim_ownership(candidate=candidate, agency=agency)
            _candidate_known_as(candidate, person)
            if Submission.objects.filter(brief=brief, candidate=candidate).exists():
                raise ConflictError(DUPLICATE_SUBMISSION, code="duplicate_submission")
            now = timezone.now()
            try:
                with transaction.atomic():
                    submission = Submission.objects.create(
                        brief=brief,
                        candidate=candidate,
                        agency=agency,
                        submitted_by_user_id=actor.user_id,
                        rate_amount=rate,
                        rate_currency=currency,
                        right_to_represent_confirmed_at=now,
                        resume=stored_resume[0] if stored_resume else "",
                        resume_content_type=stored_resume[1] if stored_resume else "",
                        created_at=now,
                        **consent_fields(email=person.profile["email"], now=now),
                        **person.profile,
                        **proof_clean,
                    )
            except IntegrityError:
                raise ConflictError(DUPLICATE_SUBMISSION, code="duplicate_submission") from None
            consent_request_send(submission=submission, client=client, origin=link_origin)
            StageChange.objects.create(
                submission=submission,
                from_stage="",
                to_stage=Stage.SUBMITTED,
                actor_kind=actor.kind,
                actor_user_id=actor.user_id,
                actor_ref=actor.ref,
            )
            audit_record(
                actor=actor,
                action="submission.created",
                object_type="submission",
                object_id=submission.public_id,
                details={
                    "brief": str(brief.public_id),
                    "agency": agency.pk,
                    "new_candidate": created,
                },
            )
            outbox_record(
                event_type="submission.created",
                aggregate_type="submission",
                aggregate_id=submission.public_id,
                payload=submission_payload(submission),
                agency_id=agency.pk,
            )
    except ConflictError as conflict:
        if stored_resume is not None:
            default_storage.delete(stored_resume[0])
        if conflict.code in ("candidate_owned_by_another_agency", "duplicate_submission"):
            # Kept outside the rolled-back transaction: agency analytics count these.
            audit_record(
                actor=actor,
                action="submission.refused",
                object_type="brief",
                object_id=brief.public_id,
                details={"code": conflict.code, "agency": agency.pk},
            )
        raise
    except Exception:
        if stored_resume is not None:
            default_storage.delete(stored_resume[0])
        raise
    return submission


def submission_move_stage(
    *, actor: Actor, submission: Submission, to_stage: str, reason: str = ""
) -> Submission:
    """A client moves a submission along its stages (allowed transitions only)."""
    if to_stage not in Stage.values:
        raise ValidationError({"stage": f"Use one of: {', '.join(Stage.values)}."})
    try:
        reason = long_text_clean(reason)
    except ValidationError as error:
        raise ValidationError({"reason": error.messages}) from None
    if len(reason) > 2000:
        raise ValidationError({"reason": "Keep the reason under 2000 characters."})
    if to_stage == Stage.REJECTED and not reason:
        raise ValidationError({"reason": "Give a reason when rejecting: the agency sees it."})
    return _change_stage(
        actor=actor,
        submission=submission,
        to_stage=to_stage,
        reason=reason,
        allowed=lambda current: CLIENT_TRANSITIONS[current],
    )


def submission_withdraw(*, actor: Actor, submission: Submission, reason: str = "") -> Submission:
    """The submitting agency takes its candidate back (from any open stage)."""
    if actor.agency_id != submission.agency_id:
        raise ConflictError("Only the submitting agency can withdraw.", code="not_your_submission")
    try:
        reason = long_text_clean(reason)[:2000]
    except ValidationError as error:
        raise ValidationError({"reason": error.messages}) from None
    return _change_stage(
        actor=actor,
        submission=submission,
        to_stage=Stage.WITHDRAWN,
        reason=reason,
        allowed=lambda current: set() if current in CLOSED_STAGES else {Stage.WITHDRAWN},
    )


def submission_close_for_candidate(
    *, actor: Actor, submission: Submission, to_stage: str, reason: str
) -> Submission:
    """Close an open submission on the person's behalf (they declined the agency's
    representation: hiring.services.consent)."""
    return _change_stage(
        actor=actor,
        submission=submission,
        to_stage=to_stage,
        reason=reason,
        allowed=lambda current: set() if current in CLOSED_STAGES else {to_stage},
    )


def _change_stage(
    *, actor: Actor, submission: Submission, to_stage: str, reason: str, allowed: Any
) -> Submission:
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        current = locked.stage
        if to_stage not in allowed(current):
            raise ConflictError(
                f"A submission cannot move from {current} to {to_stage}.",
                code="invalid_transition",
            )
        now = timezone.now()
        locked.stage = to_stage
        locked.stage_changed_at = now
        locked.updated_at = now
        locked.save(update_fields=["stage", "stage_changed_at", "updated_at"])
        StageChange.objects.create(
            submission=locked,
            from_stage=current,
            to_stage=to_stage,
            reason=reason,
            actor_kind=actor.kind,
            actor_user_id=actor.user_id,
            actor_ref=actor.ref,
        )
        audit_record(
            actor=actor,
            action="submission.stage_changed",
            object_type="submission",
            object_id=locked.public_id,
            details={"from": current, "to": to_stage},
        )
        outbox_record(
            event_type="submission.stage_changed",
            aggregate_type="submission",
            aggregate_id=locked.public_id,
            payload={**submission_payload(locked), "previous_stage": current},
            agency_id=locked.agency_id,
        )
    submission.refresh_from_db()
    return submission


def submission_payload(submission: Submission) -> dict[str, Any]:
    """Event payload: ids and states only, never the candidate's personal data."""
    return {
        "submission_id": str(submission.public_id),
        "brief_id": str(submission.brief.public_id),
        "candidate_id": str(submission.candidate.public_id),
        "stage": submission.stage,
    }
