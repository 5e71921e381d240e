"""Celery tasks of the CSV import. Each runs inside the schema named in its header."""

from celery import shared_task

from hiring.services.imports import IMPORT_TASK_NAME, import_job_run, imports_resume

# An import of the largest allowed file (IMPORT_MAX_ROWS rows) must not hit the default
# 10-minute limit; bench/import_csv.py measures the rate these limits are set from.
IMPORT_SOFT_TIME_LIMIT_SECONDS = 60 * 50
IMPORT_TIME_LIMIT_SECONDS = 60 * 55


@shared_task(
    name=IMPORT_TASK_NAME,
    acks_late=True,
    soft_time_limit=IMPORT_SOFT_TIME_LIMIT_SECONDS,
    time_limit=IMPORT_TIME_LIMIT_SECONDS,
)
def import_job_run_task(*, job_id: int) -> str | None:
    """Import the rows of one uploaded CSV. Safe to run twice: a finished job returns at once
    and rows already imported are skipped. Returns the job's final status."""
    job = import_job_run(job_id=job_id)
    return job.status if job is not None else None


@shared_task(name="hiring.tasks.imports.imports_resume")
def imports_resume_task() -> int:
    """Beat, every 5 minutes per tenant: hand unfinished imports nobody runs to the workers
    again (see imports_resume). Returns how many were queued."""
    return imports_resume()
