"""Bulk import of candidates and their submissions from a CSV file.

Two steps:

- `import_job_create` runs while the uploader waits. It refuses a file that cannot be imported
  as a whole (too large, not UTF-8, missing columns, too many rows) with a message that says
  how to fix it, stores a normalised copy under the tenant's folder, records the ImportJob and
  queues the run once the transaction commits.
- `import_job_run` is the body of the Celery task. Every row goes through the same
  `submission_create` as a single submission, so every rule applies (proof, right to
  represent, duplicates, ownership). A row whose person this agency already submitted to the
  brief is *skipped*: uploading the same file again creates nothing new. Problems are kept per
  row (spreadsheet row number, column, message) and never repeat what the cell contained.

The run is safe to repeat: a finished job returns at once, two workers never run one job at
the same time (a PostgreSQL advisory lock), and a run whose worker died half-way continues,
when the task is delivered again, from its last saved progress; rows imported after that
point are then found as already submitted and counted as skipped. A run that fails says how
far it got, and the uploader uploads the same file again. The stored copy of the file is
deleted when the job ends: the people in it live on as candidates, which erasure and
retention cover.
"""

import csv
import datetime as dt
import hashlib
import io
import logging
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit.actors import Actor
from audit.errors import ConflictError
from audit.services import audit_record
from hiring.candidate_identity import normalize_email, normalize_phone
from hiring.models import BriefStatus, Candidate, ImportJob, ImportStatus, RoleBrief, Submission
from hiring.selectors import brief_visible_to_agency
from hiring.services.submissions import submission_create
from observability.metrics import import_rows_observe, import_run_observe
from tenants.models import Agency, AgencyMembership, Engagement, EngagementStatus
from tenants.schema import current_client, current_schema_name
from tenants.tasks import send_to_tenant

logger = logging.getLogger(__name__)

IMPORT_TASK_NAME = "hiring.tasks.imports.import_job_run"

CANDIDATE_COLUMNS = (
    "full_name",
    "email",
    "phone",
    "location",
    "availability",
    "skills",
    "links",
    "summary",
)
PROOF_COLUMNS = (
    "proof_shipped_solution",
    "proof_baseline",
    "proof_improvement",
    "proof_monitoring",
    "proof_quality_dip",
    "proof_links",
)
RATE_COLUMNS = ("rate_amount", "rate_currency")
# The order of the downloadable template.
COLUMNS = ("brief_id", *CANDIDATE_COLUMNS, *PROOF_COLUMNS, "right_to_represent", *RATE_COLUMNS)
REQUIRED_COLUMNS = ("full_name", "proof_shipped_solution", "right_to_represent")
CONTACT_COLUMNS = ("email", "phone")
YES_VALUES = frozenset({"yes", "true", "1"})

# Progress is written every this many rows: the uploader sees it move without a write per row.
PROGRESS_EVERY_ROWS = 100
# Row problems kept on the job; a file with more stops listing them (the counters stay exact).
MAX_STORED_ERRORS = 1000
# Cells shorter than this are not searched for in error messages (see _message_without_cells).
MIN_CELL_CHARS_TO_SCRUB = 6

FINISHED_STATUSES = (ImportStatus.DONE, ImportStatus.FAILED)
UTF8_ADVICE = (
    'save the file as UTF-8 CSV (in Excel: File > Save As > "CSV UTF-8 (Comma delimited)"; '
    "in Google Sheets: File > Download > Comma-separated values) and upload it again."
)
BRIEF_NOT_FOUND = "No open brief with this id is shared with the agency."


@dataclass(frozen=True)
class ParsedCsv:
    """A decoded CSV. `records[0]` is the header as written; `columns` is its normalised form
    (lower case, spaces and hyphens as underscores, "" for an unnamed column)."""

    records: list[list[str]]
    columns: list[str]

    def data_rows(self) -> Iterator[tuple[int, list[str]]]:
        """(spreadsheet row number, cells) of each row that is not blank. The header is row 1,
        so the first data row is row 2, as a spreadsheet shows it."""
        for index, cells in enumerate(self.records[1:], start=2):
            if any(cell.strip() for cell in cells):
                yield index, cells


# Common spellings of a column that people type in their own sheets.
COLUMN_ALIASES = {"e_mail": "email", "email_address": "email", "phone_number": "phone"}


def _normalise_column(name: str) -> str:
    column = re.sub(r"[\s\-]+", "_", name.strip().lower())
    return COLUMN_ALIASES.get(column, column)


def _delimiter(text: str) -> str:
    # Spreadsheets in many European locales write ";" (and some exports use tabs).
    header_line = text.split("\n", 1)[0]
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _file_error(message: str) -> ValidationError:
    return ValidationError({"file": message})


def csv_decode(data: bytes) -> str:
    """The file's text. UTF-8 only (a byte-order mark is fine); anything else is refused
    with what to do about it."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
        raise _file_error(f"This file is saved as UTF-16, not UTF-8: {UTF8_ADVICE}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _file_error(f"This file is not in UTF-8: {UTF8_ADVICE}") from None


def csv_parse(text: str, *, brief_chosen: bool) -> ParsedCsv:
    """Read the records and check the header. `brief_chosen`: the upload names one brief for
    rows that leave brief_id empty, so the brief_id column becomes optional."""
    if not text.strip():
        raise _file_error("The file is empty.")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    records: list[list[str]] = []
    data_rows = 0
    try:
        for cells in reader:
            records.append(cells)
            if len(records) > 1 and any(cell.strip() for cell in cells):
                data_rows += 1
                if data_rows > settings.IMPORT_MAX_ROWS:
                    raise _file_error(
                        f"The file has more than {settings.IMPORT_MAX_ROWS} rows of candidates. "
                        f"Split it into files of up to {settings.IMPORT_MAX_ROWS} rows."
                    )
    except csv.Error:
        raise _file_error(
            f"The file could not be read as CSV near row {len(records) + 1}. Check that "
            "quotation marks are paired, then save it again as CSV."
        ) from None
    columns = [_normalise_column(name) for name in records[0]]
    _check_columns(columns, brief_chosen=brief_chosen)
    if data_rows == 0:
        raise _file_error("The file has a header row but no candidates under it.")
    return ParsedCsv(records=records, columns=columns)


def _check_columns(columns: list[str], *, brief_chosen: bool) -> None:
    named = [column for column in columns if column]
    problems = []
    duplicated = sorted({column for column in named if named.count(column) > 1})
    if duplicated:
        problems.append(f"These columns appear more than once: {', '.join(duplicated)}.")
    unknown = [column for column in named if column not in COLUMNS]
    if unknown:
        shown = ", ".join(column[:40] for column in unknown[:10])
        problems.append(
            f"Unknown columns: {shown}. Rename or remove them; the template lists the columns "
            "this import reads."
        )
    required = REQUIRED_COLUMNS if brief_chosen else ("brief_id", *REQUIRED_COLUMNS)
    missing = [column for column in required if column not in named]
    if missing:
        problems.append(f"The file is missing required columns: {', '.join(missing)}.")
    if not any(column in named for column in CONTACT_COLUMNS):
        problems.append("Add an email column, a phone column, or both.")
    if problems:
        raise _file_error(" ".join(problems))


def _canonical_csv(parsed: ParsedCsv, *, brief: RoleBrief | None) -> bytes:
    """The stored copy: UTF-8 without a byte-order mark, comma-separated, and the brief chosen
    at upload written into rows that leave brief_id empty, so the job needs nothing but its
    file. Records, blank ones included, keep their positions: row numbers stay the uploader's.
    """
    output = io.StringIO()
    writer = csv.writer(output)
    records = parsed.records
    if brief is None:
        writer.writerows(records)
        return output.getvalue().encode("utf-8")
    if "brief_id" not in parsed.columns:
        records = [["brief_id", *records[0]], *(["", *cells] for cells in records[1:])]
    brief_index = [_normalise_column(name) for name in records[0]].index("brief_id")
    writer.writerow(records[0])
    for cells in records[1:]:
        is_blank = not any(cell.strip() for cell in cells)
        if not is_blank:
            cells = [*cells, *[""] * (brief_index + 1 - len(cells))]
            if not cells[brief_index].strip():
                cells = [*cells[:brief_index], str(brief.public_id), *cells[brief_index + 1 :]]
        writer.writerow([] if is_blank else cells)
    return output.getvalue().encode("utf-8")


def _read_upload(upload: IO[bytes]) -> bytes:
    limit = settings.IMPORT_MAX_BYTES
    too_large = _file_error(
        f"The file is larger than {megabytes(limit)}. Split it into smaller files."
    )
    size = getattr(upload, "size", None)
    if isinstance(size, int) and size > limit:
        raise too_large
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise too_large
    return data


def megabytes(size: int) -> str:
    """A size limit as people read it ("20 MB")."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g} MB"
    return f"{size} bytes"


def import_job_create(
    *, actor: Actor, agency: Agency, upload: IO[bytes], brief: RoleBrief | None = None
) -> ImportJob:
    """Check an uploaded CSV as a whole, store it and queue its import for `agency`.

    `brief`, when given, is the brief for rows whose brief_id is empty. Raises
    ValidationError (fields "file", "agency", "brief") when the upload cannot be imported.
    """
    engaged = Engagement.objects.filter(
        client=current_client(), agency=agency, status=EngagementStatus.ACTIVE
    ).exists()
    if not engaged or not agency.is_active:
        raise ValidationError({"agency": "The agency's engagement with this client is not active."})
    if brief is not None and (
        brief.status != BriefStatus.OPEN or not brief_visible_to_agency(brief, agency.pk)
    ):
        raise ValidationError({"brief": "This brief is not open to the agency."})
    data = _read_upload(upload)
    parsed = csv_parse(csv_decode(data), brief_chosen=brief is not None)
    total_rows = sum(1 for _ in parsed.data_rows())
    schema_name = current_schema_name()
    stored = default_storage.save(
        f"tenants/{schema_name}/imports/{uuid.uuid4()}.csv",
        ContentFile(_canonical_csv(parsed, brief=brief)),
    )
    try:
        with transaction.atomic():
            job = ImportJob.objects.create(
                uploaded_by_user_id=actor.user_id,
                uploaded_by_key_prefix=actor.ref if actor.kind == "api_key" else "",
                agency=agency,
                file=stored,
                file_sha256=hashlib.sha256(data).hexdigest(),
                total_rows=total_rows,
            )
            audit_record(
                actor=actor,
                action="import.created",
                object_type="import",
                object_id=job.public_id,
                details={
                    "agency": agency.pk,
                    "brief": str(brief.public_id) if brief is not None else None,
                    "rows": total_rows,
                    "bytes": len(data),
                },
            )
            job_id = job.pk
            transaction.on_commit(
                lambda: import_job_queue(job_id=job_id, schema_name=schema_name), robust=True
            )
    except Exception:
        default_storage.delete(stored)
        raise
    return job


def import_job_queue(*, job_id: int, schema_name: str) -> None:
    """Hand the job to a worker in the tenant's schema (called after commit)."""
    send_to_tenant(task_name=IMPORT_TASK_NAME, schema_name=schema_name, kwargs={"job_id": job_id})


# An unfinished job is handed to the workers again after this long without one holding it: its
# hand-over failed (the broker was down at upload) or its worker died mid-run (the broker would
# only redeliver it after the visibility timeout, 26 hours).
RESUME_AFTER = dt.timedelta(minutes=10)
RESUME_BATCH = 100


def imports_resume(*, now: dt.datetime | None = None) -> int:
    """Queue again this tenant's queued or running imports that are older than RESUME_AFTER
    and that no worker is running now (their run lock is free). A run resumes after its last
    saved progress, and a job that finished meanwhile returns at once, so a needless extra
    hand-over costs nothing. Returns how many jobs were queued."""
    cutoff = (now or timezone.now()) - RESUME_AFTER
    schema_name = current_schema_name()
    stale = (
        ImportJob.objects.filter(
            status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING], created_at__lt=cutoff
        )
        .order_by("id")
        .values_list("pk", flat=True)[:RESUME_BATCH]
    )
    queued = 0
    for job_id in stale:
        with _run_lock(job_id) as free:
            pass
        if free:
            import_job_queue(job_id=job_id, schema_name=schema_name)
            queued += 1
    if queued:
        logger.info("handed %s unfinished import(s) to the workers again", queued)
    return queued


# --- the run ---------------------------------------------------------------------------------


class _JobStopped(Exception):
    """The whole job cannot go on (its file is unreadable, the engagement ended)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class _Progress:
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

    def store_on(self, job: ImportJob) -> list[str]:
        job.done_rows, job.failed_rows, job.skipped_rows = self.done, self.failed, self.skipped
        job.errors = self.errors
        return ["done_rows", "failed_rows", "skipped_rows", "errors"]


class _Throughput:
    """Counts a run's rows into the import metrics each time the run saves its progress,
    and the run's rows per second when it ends."""

    def __init__(self, progress: _Progress) -> None:
        self.started = time.monotonic()
        self.first = progress.processed
        self.reported = (progress.done, progress.failed, progress.skipped)

    def report(self, progress: _Progress) -> None:
        now = (progress.done, progress.failed, progress.skipped)
        done, failed, skipped = (a - b for a, b in zip(now, self.reported, strict=True))
        import_rows_observe(imported=done, failed=failed, skipped=skipped)
        self.reported = now

    def finish(self, progress: _Progress) -> None:
        self.report(progress)
        import_run_observe(
            rows=progress.processed - self.first, seconds=time.monotonic() - self.started
        )


def import_job_run(*, job_id: int) -> ImportJob | None:
    """Import the rows of a queued job (the Celery task's body). Safe to run twice."""
    job = ImportJob.objects.select_related("agency").filter(pk=job_id).first()
    if job is None:
        logger.warning("import job %s does not exist in %s", job_id, current_schema_name())
        return None
    if job.status in FINISHED_STATUSES:
        return job
    with _run_lock(job_id) as acquired:
        if not acquired:
            logger.info("import job %s is already being run by another worker", job_id)
            return job
        job.refresh_from_db()
        if job.status in FINISHED_STATUSES:
            return job
        _run(job)
    return job


def import_run_lock_key(job_id: int) -> int:
    """The advisory lock key of one job in the current tenant (64-bit, from a hash)."""
    digest = hashlib.blake2b(
        f"{current_schema_name()}:import:{job_id}".encode(), digest_size=8
    ).digest()
    return int.from_bytes(digest, "big", signed=True)


@contextmanager
def _run_lock(job_id: int) -> Iterator[bool]:
    """A session-level advisory lock per job: held for the whole run (not one transaction),
    released when the run ends or its database connection dies with the worker."""
    key = import_run_lock_key(job_id)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        acquired = bool(cursor.fetchone()[0])
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


def _run(job: ImportJob) -> None:
    job.status = ImportStatus.RUNNING
    job.started_at = job.started_at or timezone.now()
    job.save(update_fields=["status", "started_at"])
    actor = _actor_for(job)
    # A run that stopped half-way resumes after its last saved progress.
    progress = _Progress(job.done_rows, job.failed_rows, job.skipped_rows, list(job.errors))
    throughput = _Throughput(progress)
    try:
        parsed = _readable_file_of(job)
        rows = list(parsed.data_rows())
        job.total_rows = len(rows)
        job.save(update_fields=["total_rows"])
        importer = _RowImporter(job=job, actor=actor, columns=parsed.columns)
        for row_number, cells in rows[progress.processed :]:
            importer.import_row(row_number, cells, progress)
            if progress.processed % PROGRESS_EVERY_ROWS == 0:
                job.save(update_fields=progress.store_on(job))
                throughput.report(progress)
                importer.forget_briefs()
    except _JobStopped as stop:
        throughput.finish(progress)
        _finish(job, actor, progress, status=ImportStatus.FAILED, message=stop.message)
        return
    except Exception:
        # A time limit, a lost database, a bug: say so on the job instead of leaving it
        # "running" forever, and let Celery record the failure.
        logger.exception("import job %s stopped after %s rows", job.pk, progress.processed)
        throughput.finish(progress)
        _finish(
            job,
            actor,
            progress,
            status=ImportStatus.FAILED,
            message=(
                f"The import stopped after {progress.processed} of {job.total_rows} rows. Upload "
                "the same file again to import the rest: rows already imported are skipped."
            ),
        )
        raise
    throughput.finish(progress)
    _finish(job, actor, progress, status=ImportStatus.DONE, message="")


def _finish(
    job: ImportJob, actor: Actor, progress: _Progress, *, status: str, message: str
) -> None:
    """Record the outcome, then delete the stored copy of the file once that commits.

    The rows now live as candidates and submissions, which erasure and retention cover; a CSV
    full of personal data must not linger beside them. A finished job never reads it again
    (a stopped one asks for a new upload)."""
    job.status = status
    job.error_message = message
    job.finished_at = timezone.now()
    fields = [*progress.store_on(job), "status", "error_message", "finished_at"]
    stored_name = job.file.name or ""
    try:
        with transaction.atomic():
            job.save(update_fields=fields)
            transaction.on_commit(lambda: _stored_file_delete(stored_name), robust=True)
            audit_record(
                actor=actor,
                action="import.finished" if status == ImportStatus.DONE else "import.failed",
                object_type="import",
                object_id=job.public_id,
                details={
                    "imported": progress.done,
                    "failed": progress.failed,
                    "skipped": progress.skipped,
                },
            )
    except DatabaseError:
        logger.exception("could not record the end of import job %s", job.pk)


def _stored_file_delete(name: str) -> None:
    if name:
        default_storage.delete(name)


def _actor_for(job: ImportJob) -> Actor:
    """The uploader, acting again for the same agency when they uploaded as its member."""
    if job.uploaded_by_key_prefix:
        return Actor.for_api_key(prefix=job.uploaded_by_key_prefix, agency_id=job.agency_id)
    is_member = (
        job.uploaded_by_user_id is not None
        and job.agency_id is not None
        and AgencyMembership.objects.filter(
            user_id=job.uploaded_by_user_id, agency_id=job.agency_id
        ).exists()
    )
    return Actor(
        kind="user",
        user_id=job.uploaded_by_user_id,
        agency_id=job.agency_id if is_member else None,
    )


def _readable_file_of(job: ImportJob) -> ParsedCsv:
    """The job's stored file, parsed; stops the job when it cannot go on at all."""
    try:
        with default_storage.open(job.file.name or "", "rb") as stored:
            data = stored.read()
        parsed = csv_parse(csv_decode(data), brief_chosen=False)
    except OSError:
        raise _JobStopped("The uploaded file can no longer be read. Upload it again.") from None
    except ValidationError as error:
        raise _JobStopped(" ".join(error.messages)) from None
    if job.agency is None:
        raise _JobStopped("The import names no agency. Upload the file again.")
    engagement = Engagement.objects.filter(client=current_client(), agency=job.agency).first()
    if engagement is None or engagement.status != EngagementStatus.ACTIVE:
        raise _JobStopped(
            "The agency's engagement with this client is not active, so the import cannot run."
        )
    return parsed


def _contact_keys(values: dict[str, Any]) -> tuple[str | None, str | None]:
    """The row's normalized email and phone: "" when the cell is empty, None when it holds
    something that is not valid (submission_create then reports the problem)."""
    keys: list[str | None] = []
    for column, normalize in (("email", normalize_email), ("phone", normalize_phone)):
        try:
            keys.append(normalize(values.get(column, "")))
        except ValidationError:
            keys.append(None)
    return keys[0], keys[1]


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


class _RowImporter:
    """Turns one CSV row into a `submission_create` call and files the outcome."""

    def __init__(self, *, job: ImportJob, actor: Actor, columns: list[str]) -> None:
        assert job.agency is not None
        self.agency: Agency = job.agency
        self.actor = actor
        self.columns = columns
        self._briefs: dict[str, RoleBrief | None] = {}
        # brief pk -> (normalized emails, phones) of people this agency submitted to it.
        self._submitted: dict[int, tuple[set[str], set[str]]] = {}

    def forget_briefs(self) -> None:
        """Briefs are looked up once per distinct id, and again after each progress save, so a
        brief closed during a long import stops taking rows soon after."""
        self._briefs.clear()

    def _brief(self, value: str) -> RoleBrief | None:
        if value not in self._briefs:
            brief = None
            try:
                public_id = uuid.UUID(value)
            except ValueError:
                public_id = None
            if public_id is not None:
                brief = RoleBrief.objects.filter(public_id=public_id).first()
            if brief is not None and (
                brief.status != BriefStatus.OPEN
                or not brief_visible_to_agency(brief, self.agency.pk)
            ):
                brief = None
            self._briefs[value] = brief
        return self._briefs[value]

    def import_row(self, row: int, cells: list[str], progress: _Progress) -> None:
        values, problems = self._values(cells)
        if problems:
            progress.fail(row, problems)
            return
        brief = self._brief(values.get("brief_id", ""))
        if brief is None:
            progress.fail(row, [("brief_id", BRIEF_NOT_FOUND)])
            return
        email, phone = _contact_keys(values)
        if self._submitted_before(brief, email, phone):
            progress.skipped += 1
            return
        try:
            submission_create(
                actor=self.actor,
                brief=brief,
                agency=self.agency,
                candidate_data={k: values[k] for k in CANDIDATE_COLUMNS if k in values},
                proof={k: values[k] for k in PROOF_COLUMNS if k in values},
                right_to_represent=values.get("right_to_represent", "").lower() in YES_VALUES,
                rate_amount=values.get("rate_amount") or None,
                rate_currency=values.get("rate_currency", ""),
            )
        except ValidationError as error:
            progress.fail(
                row,
                [
                    (
                        column if column in COLUMNS else "",
                        _message_without_cells(" ".join(messages), cells),
                    )
                    for column, messages in error.message_dict.items()
                ],
            )
            return
        except ConflictError as conflict:
            if conflict.code == "engagement_inactive":
                raise _JobStopped(
                    f"The import stopped at row {row}: the agency's engagement with this client "
                    "is no longer active. Rows above it were imported."
                ) from None
            if conflict.code == "duplicate_submission" and self._already_ours(brief, values):
                progress.skipped += 1
                return
            column = "brief_id" if conflict.code == "brief_not_open" else ""
            progress.fail(row, [(column, conflict.message)])
            return
        except DatabaseError:
            # submission_create's transaction has rolled back; one bad row must not stop the
            # other thousands. The database's message can quote values, so it is not kept.
            logger.warning("import row %s could not be saved", row, exc_info=False)
            progress.fail(row, [("", "This row could not be saved. Check its values.")])
            return
        progress.done += 1
        emails, phones = self._submitted[brief.pk]
        if email:
            emails.add(email)
        elif phone:
            phones.add(phone)

    def _submitted_before(self, brief: RoleBrief, email: str | None, phone: str | None) -> bool:
        """This agency already submitted the row's person to the brief: the row is skipped
        without a call to submission_create, which makes a re-upload of a corrected file
        cheap. The person is matched as submission_create matches them: by email when the
        row has one (emails are unique per candidate), otherwise by phone. Anything less
        certain goes through submission_create, whose duplicate check has the last word."""
        if brief.pk not in self._submitted:
            pairs = Submission.objects.filter(brief=brief, agency=self.agency).values_list(
                "candidate__email_normalized", "candidate__phone_e164"
            )
            self._submitted[brief.pk] = (
                {email for email, _ in pairs if email},
                {phone for _, phone in pairs if phone},
            )
        emails, phones = self._submitted[brief.pk]
        if email is None or phone is None:
            return False
        if email:
            return email in emails
        return bool(phone) and phone in phones

    def _values(self, cells: list[str]) -> tuple[dict[str, str], list[tuple[str, str]]]:
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

    def _already_ours(self, brief: RoleBrief, values: dict[str, Any]) -> bool:
        """The duplicate is this agency's own earlier submission of the same person (the
        person is found the way submission_create finds them: email first, then phone)."""
        candidate = None
        email, phone = _contact_keys(values)
        if email:
            candidate = Candidate.objects.filter(email_normalized=email).first()
        if candidate is None and phone:
            candidate = Candidate.objects.filter(phone_e164=phone).first()
        return (
            candidate is not None
            and Submission.objects.filter(
                brief=brief, candidate=candidate, agency=self.agency
            ).exists()
        )
