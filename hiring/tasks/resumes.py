"""Scheduled resume housekeeping, per tenant (beat reaches every tenant through
tenants.tasks.tenants_dispatch)."""

from celery import shared_task
from django.utils import timezone

from hiring.resumes import staged_resumes_sweep


@shared_task(name="hiring.tasks.resumes.staged_resumes_sweep")
def staged_resumes_sweep_task() -> int:
    """Delete resumes read to prefill a submission form that was never submitted, a day
    after upload. Safe to run twice. Returns how many went."""
    return staged_resumes_sweep(now=timezone.now())
