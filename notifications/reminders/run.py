"""One hourly run of a workspace's reminders."""

import datetime as dt
import logging
from dataclasses import dataclass

from notifications.reminders.context import (
    reminder_context,
)
from notifications.reminders.delivery import (
    notification_emails_flush,
    reminders_deliver,
)
from notifications.reminders.rules import (
    reminders_due,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReminderRun:
    quiet: bool
    due: int
    sent: int
    emailed_held: int


def reminders_send_due(*, now: dt.datetime | None = None) -> ReminderRun:
    """Evaluate every rule of the current workspace and send what is due. Safe to run twice
    or concurrently. Does nothing during the workspace's quiet hours."""
    ctx = reminder_context(now=now)
    if ctx.quiet:
        return ReminderRun(quiet=True, due=0, sent=0, emailed_held=0)
    due = reminders_due(ctx)
    sent = reminders_deliver(ctx, due)
    return ReminderRun(
        quiet=False, due=len(due), sent=sent, emailed_held=notification_emails_flush(ctx)
    )
