"""Scheduled tasks of reminders and the executive digest.

Each runs inside the schema named in its header; beat reaches every tenant through
tenants.tasks.tenants_dispatch. Both are safe to run twice or concurrently (reminders and
digests are keyed in ReminderLog, exactly once), and acks_late with reject-on-worker-lost from
the settings, so a task on a worker that dies is delivered again.
"""

from celery import shared_task

from notifications.reminders.digest import digest_send
from notifications.reminders.run import reminders_send_due
from outbox.services import CONSUMER_TASK_OPTIONS


@shared_task(name="notifications.tasks.reminders_run", acks_late=True)
def reminders_run() -> dict[str, int | bool]:
    """Evaluate every reminder rule of this tenant and send what is due (hourly)."""
    run = reminders_send_due()
    return {"quiet": run.quiet, "due": run.due, "sent": run.sent, "emailed_held": run.emailed_held}


@shared_task(name="notifications.tasks.digest_run", acks_late=True)
def digest_run() -> int:
    """Send this tenant's weekly executive digest once it is due (hourly; sends once a week)."""
    return digest_send()


@shared_task(name="notifications.tasks.notifications_on_event", **CONSUMER_TASK_OPTIONS)
def notifications_on_event(*, event_id: int) -> int:
    """Outbox consumer (registered in NotificationsConfig.ready): tell the people an event
    concerns. Safe to run twice: each notice is keyed, so a repeat notifies nobody again.
    Emails follow once the burst has settled (EVENT_EMAIL_DELAY)."""
    from notifications.events.run import event_notify

    return event_notify(event_id=event_id)


@shared_task(name="notifications.tasks.notification_emails_send", acks_late=True)
def notification_emails_send() -> int:
    """Send the emails due in this tenant now (queued after events, with a countdown)."""
    from notifications.reminders.delivery import notification_emails_due

    return notification_emails_due()
