"""The candidate consent reminder, per tenant (beat reaches every tenant through
tenants.tasks.tenants_dispatch)."""

from celery import shared_task

from hiring.services.consent_request import consent_reminders_send, consent_requests_deliver


@shared_task(name="hiring.tasks.consent.consent_reminders_run")
def consent_reminders_run() -> int:
    """Remind the people of this workspace who have not answered their consent e-mail.
    Safe to run twice (each reminder is claimed once). Returns how many were sent."""
    return consent_reminders_send()


@shared_task(name="hiring.tasks.consent.consent_requests_deliver")
def consent_requests_deliver_run(*, submission_ids: list[int]) -> int:
    """Send the consent e-mails a bulk import queued (in the tenant's schema). Safe to run
    twice: each submission is asked once. Returns how many were asked."""
    return consent_requests_deliver(submission_ids=submission_ids)
