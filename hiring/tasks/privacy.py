"""Scheduled privacy work of the hiring app. Each task runs inside the schema named in its
header (beat reaches every tenant through tenants.tasks.tenants_dispatch)."""

from celery import shared_task

from hiring.services.privacy import retention_apply


@shared_task(name="hiring.tasks.privacy.retention_apply")
def retention_apply_task() -> int:
    """Anonymize this tenant's candidates whose retention period has ended. Safe to run
    twice: erased candidates are no longer due. Returns how many were erased."""
    return retention_apply()
