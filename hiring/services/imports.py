"""Bulk import of candidates and their submissions from a CSV file.

Two steps:

- `import_job_create` runs while the uploader waits. It refuses a file that cannot be imported
  as a whole (too large, not UTF-8, missing columns, too many rows) with a message that says
  how to fix it, stores a normalised copy under the tenant's folder, records the ImportJob and
  queues the run once the transaction commits.
- `import_job_run` is the body of the Celery task. It streams the stored copy in chunks of
  CHUNK_ROWS rows; each chunk goes through the single submission's own rules and ownership
  decision, set-wise (hiring.services.import_rows and import_writes), so every rule applies
  (proof, right to represent, duplicates, ownership). A row whose person this agency already
  submitted to the brief is *skipped*: uploading the same file again creates nothing new.
  Problems are kept per row (spreadsheet row number, column, message) and never repeat what
  the cell contained.

The run is safe to repeat: a finished job returns at once, two workers never run one job at
the same time (a PostgreSQL advisory lock), and each chunk commits together with the
progress it made, so a run whose worker died half-way continues, when the task is delivered
again, exactly after its last committed chunk (and rows found already submitted are counted
as skipped). A run that fails says how far it got, and the uploader uploads the same file
again. The stored copy of the file is
deleted when the job ends: the people in it live on as candidates, which erasure and
retention cover.
"""

import datetime as dt
import hashlib
import itertools
import logging
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit.actors import Actor
from audit.services import audit_record
from hiring.models import BriefStatus, ImportJob, ImportStatus, RoleBrief
from hiring.selectors import brief_visible_to_agency
from hiring.services.import_files import CsvRows, csv_check_and_copy, csv_rows
from hiring.services.import_rows import ChunkImporter, ImportProgress, ImportStopped
from observability.metrics import import_rows_observe, import_run_observe
from outbox.services import outbox_record
from tenants.models import Agency, AgencyMembership, Engagement, EngagementStatus
from tenants.schema import current_client, current_schema_name
from tenants.tasks import send_to_tenant

logger = logging.getLogger(__name__)

IMPORT_TASK_NAME = "hiring.tasks.imports.import_job_run"

# Rows are imported this many at a time, each chunk in one transaction with the progress it
# makes: the uploader sees the progress move by chunks, and a run whose worker died resumes
# exactly after its last committed chunk.
CHUNK_ROWS = 1000

FINISHED_STATUSES = (ImportStatus.DONE, ImportStatus.FAILED)


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
    checked = csv_check_and_copy(upload, brief=brief)
    total_rows = checked.total_rows
    schema_name = current_schema_name()
    with checked.copy:
        stored = default_storage.save(
            f"tenants/{schema_name}/imports/{uuid.uuid4()}.csv", File(checked.copy)
        )
    try:
        with transaction.atomic():
            job = ImportJob.objects.create(
                uploaded_by_user_id=actor.user_id,
                uploaded_by_key_prefix=actor.ref if actor.kind == "api_key" else "",
                agency=agency,
                file=stored,
                file_sha256=checked.sha256,
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
                    "bytes": checked.size,
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


class _Throughput:
    """Counts a run's rows into the import metrics each time the run saves its progress,
    and the run's rows per second when it ends."""

    def __init__(self, progress: ImportProgress) -> None:
        self.started = time.monotonic()
        self.first = progress.processed
        self.reported = (progress.done, progress.failed, progress.skipped)

    def report(self, progress: ImportProgress) -> None:
        now = (progress.done, progress.failed, progress.skipped)
        done, failed, skipped = (a - b for a, b in zip(now, self.reported, strict=True))
        import_rows_observe(imported=done, failed=failed, skipped=skipped)
        self.reported = now

    def finish(self, progress: ImportProgress) -> None:
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
    progress = ImportProgress(job.done_rows, job.failed_rows, job.skipped_rows, list(job.errors))
    throughput = _Throughput(progress)
    try:
        with _readable_file_of(job) as parsed:
            importer = ChunkImporter(job=job, actor=actor, columns=parsed.columns)
            rows = itertools.islice(parsed.rows, progress.processed, None)
            for chunk in itertools.batched(_rows_read(rows), CHUNK_ROWS):
                attempt = progress.copy()
                with transaction.atomic():
                    importer.import_chunk(list(chunk), attempt)
                    job.save(update_fields=attempt.store_on(job))
                progress = attempt
                throughput.report(progress)
    except ImportStopped as stop:
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
    job: ImportJob, actor: Actor, progress: ImportProgress, *, status: str, message: str
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
            # Its uploader is told (notifications.events); ids and counts only.
            outbox_record(
                event_type="import.finished",
                aggregate_type="import",
                aggregate_id=job.public_id,
                payload={
                    "import_id": str(job.public_id),
                    "status": status,
                    "imported": progress.done,
                    "failed": progress.failed,
                    "skipped": progress.skipped,
                },
                agency_id=job.agency_id,
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


def _rows_read(rows: Iterator[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str]]]:
    """The stored copy's rows; a copy that stops being CSV half-way stops the job."""
    try:
        yield from rows
    except ValidationError as error:
        raise ImportStopped(" ".join(error.messages)) from None


@contextmanager
def _readable_file_of(job: ImportJob) -> Iterator[CsvRows]:
    """The job's stored file, opened to be read row by row; stops the job when it cannot go
    on at all."""
    if job.agency is None:
        raise ImportStopped("The import names no agency. Upload the file again.")
    engagement = Engagement.objects.filter(client=current_client(), agency=job.agency).first()
    if engagement is None or engagement.status != EngagementStatus.ACTIVE:
        raise ImportStopped(
            "The agency's engagement with this client is not active, so the import cannot run."
        )
    try:
        stored = default_storage.open(job.file.name or "", "rb")
    except OSError:
        raise ImportStopped("The uploaded file can no longer be read. Upload it again.") from None
    with stored:
        try:
            parsed = csv_rows(stored)
        except OSError:
            raise ImportStopped(
                "The uploaded file can no longer be read. Upload it again."
            ) from None
        except ValidationError as error:
            raise ImportStopped(" ".join(error.messages)) from None
        yield parsed
