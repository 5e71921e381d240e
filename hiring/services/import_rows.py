"""An import's rows, a chunk at a time: the same rules as a single submission, decided for the
whole chunk with a few statements instead of a dozen per row.

For each chunk (hiring.services.imports runs them, one transaction each):

1. every row is read and checked in Python with the single submission's own rule set
   (`submission_input_clean`), so a row fails for exactly the reasons a hand-made
   submission would, with the same messages, kept per row without repeating the cell;
2. the people of the chunk are matched by normalised email and phone in one query, which
   also brings their ownership and their submissions to the chunk's briefs;
3. each row is then decided in file order as the single path decides it: skipped when this
   agency already submitted the person to the brief (a re-upload creates nothing), refused
   when another agency owns them or another agency's submission is there, otherwise written;
4. the rows to write go to the database set-wise (hiring.services.import_writes): the
   ownership claim there is the single path's own statement and the database's constraints
   have the last word. When they disagree with what the chunk read (a page or the API
   submitted one of the chunk's people meanwhile), the chunk's writes are rolled back to a
   savepoint and the chunk is decided again from what is now committed.
"""

import datetime as dt
import logging
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit.actors import Actor
from hiring.candidate_identity import normalize_email, normalize_phone
from hiring.models import (
    BriefStatus,
    Candidate,
    CandidateOwnership,
    ImportJob,
    RoleBrief,
    Submission,
)
from hiring.selectors import brief_visible_to_agency
from hiring.services.consent_request import CONSENT_ANSWER_DAYS
from hiring.services.import_files import (
    CANDIDATE_COLUMNS,
    COLUMNS,
    PROOF_COLUMNS,
    YES_VALUES,
)
from hiring.services.import_writes import (
    ChunkRace,
    PendingRow,
    Refusal,
    import_chunk_write,
)
from hiring.services.submissions import (
    DUPLICATE_SUBMISSION,
    OWNERSHIP_REFUSAL,
    submission_input_clean,
)
from tenants.models import Agency, Engagement, EngagementStatus
from tenants.schema import current_client

logger = logging.getLogger(__name__)

# Row problems kept on the job; a file with more stops listing them (the counters stay exact).
MAX_STORED_ERRORS = 1000
# Cells shorter than this are not searched for in error messages (see _message_without_cells).
MIN_CELL_CHARS_TO_SCRUB = 6
BRIEF_NOT_FOUND = "No open brief with this id is shared with the agency."
ROW_NOT_SAVED = "This row could not be saved. Check its values."
# A chunk decided again this many times (each time something committed meanwhile changed what
# it read) is then written row by row.
CHUNK_ATTEMPTS = 3


class ImportStopped(Exception):
    """The whole job cannot go on (its file is unreadable, the engagement ended)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class ImportProgress:
    done: int = 0
    failed: int = 0
    skipped: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def processed(self) -> int:
        return self.done + self.failed + self.skipped

    def fail(self, row: int, problems: list[tuple[str, str]]) -> None:
        self.failed += 1
        for column, message in problems:
            if len(self.errors) < MAX_STORED_ERRORS:
                self.errors.append({"row": row, "field": column, "message": message})

    def copy(self) -> "ImportProgress":
        # Stored problems are never changed once filed, so the list is copied, not its items.
        return ImportProgress(self.done, self.failed, self.skipped, list(self.errors))

    def store_on(self, job: ImportJob) -> list[str]:
        job.done_rows, job.failed_rows, job.skipped_rows = self.done, self.failed, self.skipped
        job.errors = self.errors
        return ["done_rows", "failed_rows", "skipped_rows", "errors"]


def _split_list(value: str, separators: str) -> list[str]:
    return [part.strip() for part in re.split(separators, value) if part.strip()]


def _message_without_cells(message: str, cells: list[str]) -> str:
    """Row problems are shown to the uploader and stored: they must never carry what the cell
    held (personal data). Today's messages are fixed sentences; this guards future ones."""
    lowered = message.lower()
    for cell in cells:
        value = cell.strip().lower()
        if len(value) >= MIN_CELL_CHARS_TO_SCRUB and value in lowered:
            return "This value is not valid."
    return message


@dataclass
class _Row:
    """One row as read: its cells, values, brief and contact keys ("" when the cell is empty,
    None when it holds something that is not valid: the rules then report it)."""

    number: int
    cells: list[str]
    values: dict[str, Any]
    problems: list[tuple[str, str]]
    brief: RoleBrief | None = None
    email: str | None = ""
    phone: str | None = ""


@dataclass
class _Known:
    """A person the chunk's look-up found: their ownership and submissions to its briefs."""

    id: int
    public_id: uuid.UUID
    email: str
    phone: str
    owner_agency_id: int | None
    owner_expires_at: dt.datetime | None
    submitted_by: dict[int, int]  # brief id -> agency id


class ChunkImporter:
    """Imports the chunks of one job for its agency and uploader."""

    def __init__(self, *, job: ImportJob, actor: Actor, columns: list[str]) -> None:
        assert job.agency is not None
        self.agency: Agency = job.agency
        self.actor = actor
        self.columns = columns
        self._email_keys: dict[str, str | None] = {}
        self._phone_keys: dict[str, str | None] = {}

    # --- reading --------------------------------------------------------------------------

    def _values(self, cells: list[str]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        columns = self.columns
        extra = cells[len(columns) :]
        if any(cell.strip() for cell in extra):
            return {}, [
                (
                    "",
                    "This row has more cells than the header has columns: put values that "
                    "contain commas in quotation marks.",
                )
            ]
        values: dict[str, Any] = {
            column: cell.strip() for column, cell in zip(columns, cells, strict=False) if column
        }
        if "skills" in values:
            values["skills"] = _split_list(values["skills"], r"[,;]")
        for column in ("links", "proof_links"):
            if column in values:
                values[column] = _split_list(values[column], r"[\s,;]+")
        return values, []

    def _key(self, cache: dict[str, str | None], normalize: Any, value: str) -> str | None:
        if value not in cache:
            try:
                cache[value] = normalize(value)
            except ValidationError:
                cache[value] = None
        return cache[value]

    def _briefs(self, rows: list[_Row]) -> dict[str, RoleBrief | None]:
        """The chunk's briefs by the cell's text, looked up once per chunk: a brief closed
        during a long import stops taking rows at the next chunk."""
        wanted: dict[str, uuid.UUID | None] = {}
        for row in rows:
            value = row.values.get("brief_id", "")
            if value not in wanted:
                try:
                    wanted[value] = uuid.UUID(value)
                except ValueError:
                    wanted[value] = None
        ids = {public_id for public_id in wanted.values() if public_id is not None}
        found = {brief.public_id: brief for brief in RoleBrief.objects.filter(public_id__in=ids)}
        open_to_agency = {
            public_id: brief
            for public_id, brief in found.items()
            if brief.status == BriefStatus.OPEN and brief_visible_to_agency(brief, self.agency.pk)
        }
        return {
            value: open_to_agency.get(public_id) if public_id is not None else None
            for value, public_id in wanted.items()
        }

    def _read(self, chunk: list[tuple[int, list[str]]]) -> list[_Row]:
        rows = []
        for number, cells in chunk:
            values, problems = self._values(cells)
            rows.append(_Row(number=number, cells=cells, values=values, problems=problems))
        readable = [row for row in rows if not row.problems]
        briefs = self._briefs(readable) if readable else {}
        for row in readable:
            row.brief = briefs[row.values.get("brief_id", "")]
            row.email = self._key(self._email_keys, normalize_email, row.values.get("email", ""))
            row.phone = self._key(self._phone_keys, normalize_phone, row.values.get("phone", ""))
        # The caches are per chunk: memory stays flat over a long file.
        self._email_keys.clear()
        self._phone_keys.clear()
        return rows

    def _known(self, rows: list[_Row]) -> list[_Known]:
        """The people of the chunk, matched by normalised email and phone in one query, with
        their ownership and their submissions to the chunk's briefs."""
        emails = sorted({row.email for row in rows if row.email})
        phones = sorted({row.phone for row in rows if row.phone})
        brief_ids = sorted({row.brief.pk for row in rows if row.brief is not None})
        if not emails and not phones:
            return []
        candidates = Candidate._meta.db_table
        ownerships = CandidateOwnership._meta.db_table
        submissions = Submission._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                SELECT c.id, c.public_id, c.email_normalized, c.phone_e164,
                       o.agency_id, o.expires_at,
                       coalesce(s.brief_ids, '{{}}'), coalesce(s.agency_ids, '{{}}')
                FROM {candidates} c
                LEFT JOIN {ownerships} o ON o.candidate_id = c.id
                LEFT JOIN LATERAL (
                    SELECT array_agg(brief_id) AS brief_ids, array_agg(agency_id) AS agency_ids
                    FROM {submissions}
                    WHERE candidate_id = c.id AND brief_id = ANY(%s::bigint[])
                ) s ON true
                WHERE c.email_normalized = ANY(%s::text[]) OR c.phone_e164 = ANY(%s::text[])
                """,  # noqa: S608
                [brief_ids, emails or [""], phones or [""]],
            )
            return [
                _Known(
                    id=pk,
                    public_id=public_id,
                    email=email,
                    phone=phone,
                    owner_agency_id=owner,
                    owner_expires_at=expires,
                    submitted_by=dict(zip(brief_list, agency_list, strict=True)),
                )
                for pk, public_id, email, phone, owner, expires, brief_list, agency_list in (
                    cursor.fetchall()
                )
            ]

    # --- deciding -------------------------------------------------------------------------

    def import_chunk(self, chunk: list[tuple[int, list[str]]], progress: ImportProgress) -> None:
        """Import one chunk in the caller's transaction and file each row's outcome."""
        engagement = Engagement.objects.filter(client=current_client(), agency=self.agency).first()
        if engagement is None or engagement.status != EngagementStatus.ACTIVE:
            raise ImportStopped(
                f"The import stopped at row {chunk[0][0]}: the agency's engagement with this "
                "client is no longer active. Rows above it were imported."
            )
        rows = self._read(chunk)
        # Provisional, as for a single submission: the candidate's confirmation extends it
        # to the engagement's window (hiring.services.consent).
        window_days = CONSENT_ANSWER_DAYS
        for attempt in range(1, CHUNK_ATTEMPTS + 1):
            outcome = progress.copy()
            try:
                with transaction.atomic():
                    self._decide_and_write(rows, outcome, window_days=window_days)
            except ChunkRace:
                logger.info(
                    "import chunk from row %s changed meanwhile (try %s)", chunk[0][0], attempt
                )
                continue
            except DatabaseError:
                if len(rows) == 1:
                    # The database's message can quote values, so it is not kept.
                    logger.warning("import row %s could not be saved", rows[0].number)
                    outcome = progress.copy()
                    outcome.fail(rows[0].number, [("", ROW_NOT_SAVED)])
                    break
                # One bad row must not stop the others: each goes on its own.
                self._row_by_row(rows, progress, window_days=window_days)
                return
            break
        else:
            self._row_by_row(rows, progress, window_days=window_days)
            return
        _replace(progress, outcome)

    def _row_by_row(self, rows: list[_Row], progress: ImportProgress, *, window_days: int) -> None:
        for row in rows:
            outcome = progress.copy()
            try:
                with transaction.atomic():
                    self._decide_and_write([row], outcome, window_days=window_days)
            except (DatabaseError, ChunkRace):
                logger.warning("import row %s could not be saved", row.number)
                outcome = progress.copy()
                outcome.fail(row.number, [("", ROW_NOT_SAVED)])
            _replace(progress, outcome)

    def _decide_and_write(
        self, rows: list[_Row], progress: ImportProgress, *, window_days: int
    ) -> None:
        readable = [row for row in rows if not row.problems and row.brief is not None]
        known = self._known(readable)
        by_email = {person.email: person for person in known if person.email}
        by_phone = {person.phone: person for person in known if person.phone}
        # brief id -> emails and phones of the people this agency submitted to it (the quick
        # skip of a re-upload: by email when the row has one, otherwise by phone).
        ours: dict[int, tuple[set[str], set[str]]] = {}
        for known_person in known:
            for brief_id, agency_id in known_person.submitted_by.items():
                if agency_id == self.agency.pk:
                    emails, phones = ours.setdefault(brief_id, (set(), set()))
                    if known_person.email:
                        emails.add(known_person.email)
                    if known_person.phone:
                        phones.add(known_person.phone)
        now = timezone.now()
        pending: list[PendingRow] = []
        refusals: list[Refusal] = []
        outcomes: list[tuple[int, str, list[tuple[str, str]]]] = []
        # People first met in this chunk, by their keys (a later row may find them by phone).
        new_by_email: dict[str, PendingRow] = {}
        new_by_phone: dict[str, PendingRow] = {}
        # (id of the row that creates a new person, brief id) already written by this chunk.
        new_pairs: set[tuple[int, int]] = set()
        for row in rows:
            if row.problems:
                outcomes.append((row.number, "failed", row.problems))
                continue
            brief = row.brief
            if brief is None:
                outcomes.append((row.number, "failed", [("brief_id", BRIEF_NOT_FOUND)]))
                continue
            emails, phones = ours.setdefault(brief.pk, (set(), set()))
            if (
                row.email is not None
                and row.phone is not None
                and (
                    (row.email and row.email in emails)
                    or (not row.email and row.phone and row.phone in phones)
                )
            ):
                outcomes.append((row.number, "skipped", []))
                continue
            values = row.values
            try:
                cleaned = submission_input_clean(
                    track=brief.track,
                    candidate_data={k: values[k] for k in CANDIDATE_COLUMNS if k in values},
                    proof={k: values[k] for k in PROOF_COLUMNS if k in values},
                    right_to_represent=values.get("right_to_represent", "").lower() in YES_VALUES,
                    rate_amount=values.get("rate_amount") or None,
                    rate_currency=values.get("rate_currency", ""),
                )
            except ValidationError as error:
                outcomes.append(
                    (
                        row.number,
                        "failed",
                        [
                            (
                                column if column in COLUMNS else "",
                                _message_without_cells(" ".join(messages), row.cells),
                            )
                            for column, messages in error.message_dict.items()
                        ],
                    )
                )
                continue
            person = cleaned.person
            # The person as the single path finds them: by email, then by phone.
            found: _Known | PendingRow | None = None
            if person.email_normalized:
                found = by_email.get(person.email_normalized) or new_by_email.get(
                    person.email_normalized
                )
            if found is None and person.phone_e164:
                found = by_phone.get(person.phone_e164) or new_by_phone.get(person.phone_e164)
            if isinstance(found, _Known):
                owned_elsewhere = (
                    found.owner_agency_id is not None
                    and found.owner_agency_id != self.agency.pk
                    and found.owner_expires_at is not None
                    and found.owner_expires_at > now
                )
                if owned_elsewhere:
                    refusals.append(Refusal(brief=brief, code="candidate_owned_by_another_agency"))
                    outcomes.append((row.number, "failed", [("", OWNERSHIP_REFUSAL)]))
                    continue
                submitted_by = found.submitted_by.get(brief.pk)
                if submitted_by is not None:
                    refusals.append(Refusal(brief=brief, code="duplicate_submission"))
                    if submitted_by == self.agency.pk:
                        outcomes.append((row.number, "skipped", []))
                    else:
                        outcomes.append((row.number, "failed", [("", DUPLICATE_SUBMISSION)]))
                    continue
                found.submitted_by[brief.pk] = self.agency.pk
                # A later row of the chunk sees the person as this agency's from now on.
                found.owner_agency_id, found.owner_expires_at = self.agency.pk, None
                pending_row = PendingRow(
                    number=row.number,
                    brief=brief,
                    cleaned=cleaned,
                    candidate_id=found.id,
                    candidate_public_id=found.public_id,
                )
            elif isinstance(found, PendingRow):
                if (id(found), brief.pk) in new_pairs:
                    refusals.append(Refusal(brief=brief, code="duplicate_submission"))
                    outcomes.append((row.number, "skipped", []))
                    continue
                pending_row = PendingRow(
                    number=row.number, brief=brief, cleaned=cleaned, new_candidate_of=found
                )
                new_pairs.add((id(found), brief.pk))
            else:
                pending_row = PendingRow(number=row.number, brief=brief, cleaned=cleaned)
                new_pairs.add((id(pending_row), brief.pk))
                if person.email_normalized:
                    new_by_email[person.email_normalized] = pending_row
                if person.phone_e164:
                    new_by_phone[person.phone_e164] = pending_row
            pending.append(pending_row)
            outcomes.append((row.number, "done", []))
            if row.email:
                emails.add(row.email)
            elif row.phone:
                phones.add(row.phone)

        import_chunk_write(
            actor=self.actor,
            agency=self.agency,
            pending=pending,
            refusals=refusals,
            window_days=window_days,
        )
        for number, result, problems in outcomes:
            if result == "failed":
                progress.fail(number, problems)
            elif result == "skipped":
                progress.skipped += 1
            else:
                progress.done += 1


def _replace(progress: ImportProgress, outcome: ImportProgress) -> None:
    progress.done, progress.failed, progress.skipped = outcome.done, outcome.failed, outcome.skipped
    progress.errors = outcome.errors
