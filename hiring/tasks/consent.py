"""The candidate consent reminder, per tenant (beat reaches every tenant through
tenants.tasks.tenants_dispatch)."""

from celery import shared_task

from hiring.services.consent_request import consent_reminders_send


@shared_task(name="hiring.tasks.consent.consent_reminders_run")
def consent_reminders_run() -> int:
    """Remind the people of this workspace who have not answered their consent e-mail.
    Safe to run twice (each reminder is claimed once). Returns how many were sent."""
    return consent_reminders_send()
