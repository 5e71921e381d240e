"""The writes of one import chunk, set-wise: a fixed number of statements whatever its size.

The rows come decided (hiring.services.import_rows); here they land with what a single
submission writes for each: the candidate (found or created), the ownership claim, the
person's name on the candidate, the submission with this agency's version of the person and
its proof, the first stage change, the audit rows and the `submission.created` events, plus
the audit rows of the refusals that agency analytics count.

Whatever the database says last wins: a person created, claimed or submitted by someone else
since the chunk read them (a constraint or the ownership claim disagreeing with the rows)
raises ChunkRace, the caller rolls the chunk back to its savepoint and decides it again.
"""

import uuid
from dataclasses import dataclass
from typing import Any

import orjson
from django.db import connection
from django.utils import timezone

from audit.actors import Actor
from audit.services import audit_record_each
from hiring.models import Candidate, RoleBrief, Stage, StageChange, Submission
from hiring.services.consent_request import consent_requests_queue, consent_values
from hiring.services.submissions import SubmissionInput, ownership_claim
from outbox.services import outbox_record_many
from tenants.models import Agency

# The submission's columns an import fills, in the order of the staged rows.
SUBMISSION_COLUMNS = (
    "public_id",
    "brief_id",
    "candidate_id",
    "agency_id",
    "submitted_by_user_id",
    "full_name",
    "email",
    "phone",
    "location",
    "availability",
    "skills",
    "links",
    "summary",
    "resume",
    "resume_content_type",
    "proof_shipped_solution",
    "proof_baseline",
    "proof_improvement",
    "proof_monitoring",
    "proof_quality_dip",
    "proof_domain",
    "proof_metric",
    "proof_metric_unit",
    "proof_baseline_value",
    "proof_result_value",
    "proof_monitoring_signals",
    "proof_alert_thresholds",
    "proof_rollback",
    "proof_input_validation",
    "proof_iteration",
    "proof_links",
    "rate_amount",
    "rate_currency",
    "right_to_represent_confirmed_at",
    "consent_state",
    "consent_requested_at",
    "consent_expires_at",
    "stage",
    "stage_changed_at",
    "created_at",
    "updated_at",
)
STAGE_TABLE = "hiring_import_stage"


class ChunkRace(Exception):
    """Something committed since the chunk read its people changed what it decided."""


@dataclass(eq=False)
class PendingRow:
    """A row to write. Its person is a known candidate (`candidate_id`), the new person an
    earlier row of the chunk creates (`new_candidate_of`), or new (neither)."""

    number: int
    brief: RoleBrief
    cleaned: SubmissionInput
    candidate_id: int | None = None
    candidate_public_id: uuid.UUID | None = None
    new_candidate_of: "PendingRow | None" = None

    def __post_init__(self) -> None:
        # Fixed when the row is decided: the write fills candidate_id in afterwards.
        self.creates_candidate = self.candidate_id is None and self.new_candidate_of is None


@dataclass(frozen=True)
class Refusal:
    """A row refused for ownership or as a duplicate: audited as a single refusal is."""

    brief: RoleBrief
    code: str


def import_chunk_write(
    *,
    actor: Actor,
    agency: Agency,
    pending: list[PendingRow],
    refusals: list[Refusal],
    window_days: int,
) -> None:
    """Write a decided chunk in the caller's transaction (a savepoint the caller rolls back on
    ChunkRace)."""
    audit_record_each(
        actor=actor,
        action="submission.refused",
        object_type="brief",
        entries=[
            (refusal.brief.public_id, {"code": refusal.code, "agency": agency.pk})
            for refusal in refusals
        ],
    )
    if not pending:
        return
    _lock_known(pending)
    _create_new(pending)
    for row in pending:
        if row.new_candidate_of is not None:
            row.candidate_id = row.new_candidate_of.candidate_id
            row.candidate_public_id = row.new_candidate_of.candidate_public_id
    candidate_ids = {row.candidate_id for row in pending if row.candidate_id is not None}
    claimed = ownership_claim(
        candidate_ids=list(candidate_ids), agency_id=agency.pk, window_days=window_days
    )
    if claimed != candidate_ids:
        raise ChunkRace
    _names_update(pending)
    now = timezone.now()
    submission_ids = _submissions_insert(actor=actor, agency=agency, pending=pending, now=now)
    _stage_changes_insert(actor=actor, submission_ids=list(submission_ids.values()), now=now)
    consent_requests_queue(submission_ids=list(submission_ids.values()))
    audit_record_each(
        actor=actor,
        action="submission.created",
        object_type="submission",
        entries=[
            (
                public_id,
                {
                    "brief": str(row.brief.public_id),
                    "agency": agency.pk,
                    "new_candidate": row.creates_candidate,
                },
            )
            for row, public_id in zip(pending, submission_ids, strict=True)
        ],
    )
    outbox_record_many(
        event_type="submission.created",
        aggregate_type="submission",
        events=[
            (
                public_id,
                {
                    "submission_id": str(public_id),
                    "brief_id": str(row.brief.public_id),
                    "candidate_id": str(row.candidate_public_id),
                    "stage": Stage.SUBMITTED.value,
                },
            )
            for row, public_id in zip(pending, submission_ids, strict=True)
        ],
        agency_id=agency.pk,
    )


def _lock_known(pending: list[PendingRow]) -> None:
    """Lock the known people in id order, as a single submission locks its person: erasure
    waits, and a person erased since the chunk read them is not submitted."""
    ids = sorted({row.candidate_id for row in pending if row.candidate_id is not None})
    if not ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {Candidate._meta.db_table} "  # noqa: S608
            "WHERE id = ANY(%s::bigint[]) AND anonymized_at IS NULL ORDER BY id FOR UPDATE",
            [ids],
        )
        if len(cursor.fetchall()) != len(ids):
            raise ChunkRace


def _create_new(pending: list[PendingRow]) -> None:
    """Create the chunk's new people in one statement. The unique email and phone decide
    between this chunk and a concurrent creator of the same person."""
    creators = [row for row in pending if row.creates_candidate]
    if not creators:
        return
    for row in creators:
        row.candidate_public_id = uuid.uuid4()
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {Candidate._meta.db_table}
                (public_id, full_name, email_normalized, phone_e164, created_at, updated_at)
            SELECT person.public_id, person.full_name, person.email, person.phone, %s, %s
            FROM unnest(%s::uuid[], %s::text[], %s::text[], %s::text[])
                AS person(public_id, full_name, email, phone)
            -- One order for every writer, so two chunks creating the same people wait for
            -- each other instead of deadlocking.
            ORDER BY person.email, person.phone
            ON CONFLICT DO NOTHING
            RETURNING id, public_id
            """,  # noqa: S608
            [
                now,
                now,
                [row.candidate_public_id for row in creators],
                [row.cleaned.person.full_name for row in creators],
                [row.cleaned.person.email_normalized for row in creators],
                [row.cleaned.person.phone_e164 for row in creators],
            ],
        )
        ids = dict((public_id, pk) for pk, public_id in cursor.fetchall())
    if len(ids) != len(creators):
        raise ChunkRace
    for row in creators:
        row.candidate_id = ids[row.candidate_public_id]


def _names_update(pending: list[PendingRow]) -> None:
    """The client's lists call a person by the name of their latest submission."""
    names: dict[int, str] = {}
    for row in pending:
        if not row.creates_candidate:
            assert row.candidate_id is not None
            names[row.candidate_id] = row.cleaned.person.full_name
    if not names:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {Candidate._meta.db_table} AS c
            SET full_name = latest.full_name, updated_at = %s
            FROM unnest(%s::bigint[], %s::text[]) AS latest(id, full_name)
            WHERE c.id = latest.id AND c.full_name <> latest.full_name
            """,  # noqa: S608
            [timezone.now(), list(names), list(names.values())],
        )


def _submission_row(
    *, actor: Actor, agency: Agency, row: PendingRow, public_id: uuid.UUID, now: Any
) -> tuple[Any, ...]:
    profile, proof = row.cleaned.person.profile, row.cleaned.proof
    return (
        public_id,
        row.brief.pk,
        row.candidate_id,
        agency.pk,
        actor.user_id,
        profile["full_name"],
        profile["email"],
        profile["phone"],
        profile["location"],
        profile["availability"],
        profile["skills"],
        orjson.dumps(profile["links"]).decode(),
        profile["summary"],
        "",
        "",
        proof["proof_shipped_solution"],
        proof["proof_baseline"],
        proof["proof_improvement"],
        proof["proof_monitoring"],
        proof["proof_quality_dip"],
        proof["proof_domain"],
        proof["proof_metric"],
        proof["proof_metric_unit"],
        proof["proof_baseline_value"],
        proof["proof_result_value"],
        proof["proof_monitoring_signals"],
        proof["proof_alert_thresholds"],
        proof["proof_rollback"],
        proof["proof_input_validation"],
        proof["proof_iteration"],
        orjson.dumps(proof["proof_links"]).decode(),
        row.cleaned.rate_amount,
        row.cleaned.rate_currency,
        now,
        # Pending; asked (consent_requested_at) by the worker that sends the e-mail.
        *consent_values(email="", now=now),
        Stage.SUBMITTED.value,
        now,
        now,
        now,
    )


def _submissions_insert(
    *, actor: Actor, agency: Agency, pending: list[PendingRow], now: Any
) -> dict[uuid.UUID, int]:
    """Stage the submissions with COPY into a temporary table, then insert them in one
    statement; the one-submission-per-person-and-brief constraint has the last word.
    Returns public id -> id, in the rows' order."""
    columns = ", ".join(SUBMISSION_COLUMNS)
    table = Submission._meta.db_table
    public_ids = [uuid.uuid4() for _ in pending]
    with connection.cursor() as cursor:
        # Dropped with the transaction; the savepoint of a chunk decided again drops it too.
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {STAGE_TABLE} ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {columns} FROM {table} WITH NO DATA"
        )
        cursor.execute(f"TRUNCATE {STAGE_TABLE}")
        with cursor.copy(f"COPY {STAGE_TABLE} ({columns}) FROM STDIN") as copy:
            for row, public_id in zip(pending, public_ids, strict=True):
                copy.write_row(
                    _submission_row(
                        actor=actor, agency=agency, row=row, public_id=public_id, now=now
                    )
                )
        cursor.execute(
            f"""
            INSERT INTO {table} ({columns})
            SELECT {columns} FROM {STAGE_TABLE}
            ON CONFLICT (brief_id, candidate_id) DO NOTHING
            RETURNING public_id, id
            """  # noqa: S608
        )
        ids = dict(cursor.fetchall())
    if len(ids) != len(pending):
        raise ChunkRace
    return {public_id: ids[public_id] for public_id in public_ids}


def _stage_changes_insert(*, actor: Actor, submission_ids: list[int], now: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {StageChange._meta.db_table}
                (submission_id, from_stage, to_stage, reason, actor_kind, actor_user_id,
                 actor_ref, occurred_at)
            SELECT unnest(%s::bigint[]), '', %s, '', %s, %s, %s, %s
            """,
            [submission_ids, Stage.SUBMITTED.value, actor.kind, actor.user_id, actor.ref, now],
        )
