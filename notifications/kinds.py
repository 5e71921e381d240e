"""The kinds of notification and the preference that governs each one's email.

Reminders (notifications.reminders) are named after their rule; notifications from events
(notifications.events) after what happened. A person's preferences (`NotificationPreference`)
say which kinds of email they want: reminders, the weekly digest, and updates (events).
"""

import datetime as dt
from typing import Final

EMAIL_REMINDER: Final = "reminder"
EMAIL_DIGEST: Final = "digest"
EMAIL_UPDATES: Final = "updates"

# Notification.kind of the notifications made from outbox events.
EVENT_SUBMISSION_NEW: Final = "submission_new"
EVENT_ASSIGNMENT_NEW: Final = "assignment_new"
EVENT_ASSIGNMENT_CHANGED: Final = "assignment_changed"
EVENT_ASSIGNMENT_REMOVED: Final = "assignment_removed"
EVENT_SCORECARD_SUBMITTED: Final = "scorecard_submitted"
EVENT_STAGE_CHANGED: Final = "stage_changed"
EVENT_BRIEF_OPENED: Final = "brief_opened"
EVENT_IMPORT_FINISHED: Final = "import_finished"
EVENT_AGENCY_JOINED: Final = "agency_joined"
EVENT_CONSENT_ANSWERED: Final = "consent_answered"

EVENT_KINDS: Final = (
    EVENT_SUBMISSION_NEW,
    EVENT_ASSIGNMENT_NEW,
    EVENT_ASSIGNMENT_CHANGED,
    EVENT_ASSIGNMENT_REMOVED,
    EVENT_SCORECARD_SUBMITTED,
    EVENT_STAGE_CHANGED,
    EVENT_BRIEF_OPENED,
    EVENT_IMPORT_FINISHED,
    EVENT_AGENCY_JOINED,
    EVENT_CONSENT_ANSWERED,
)
EMAIL_KIND_OF_EVENT: Final = dict.fromkeys(EVENT_KINDS, EMAIL_UPDATES)
# The email of a notification from events waits this long after its last event, so that a
# burst settles into its group first (notifications.events.delivery).
EVENT_EMAIL_DELAY: Final = dt.timedelta(seconds=60)
