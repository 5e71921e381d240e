"""Reminder rules of a workspace and their exactly-once delivery.

The rules (defaults in ReminderSettings, edited by client admins on the settings page):

- `scorecard_overdue`: the interviewer, once due_at + N hours has passed and the scorecard is
  not submitted; then daily, at most `scorecard_repeat_limit` in all. Period: local day.
- `feedback_sla`: the brief's owner and the hiring managers, when a submission has stayed in
  submitted/screening for N business days (Mon-Fri, client's time zone). Period: local day.
- `brief_closing`: people of each engaged agency that can see an open brief whose deadline is
  within N days. Period: the deadline date.
- `draft_stale`: the owner of a draft older than N days that is still not ready. Period: ISO
  week.
- `executive_digest`: executives with the digest on, weekly from the configured weekday and
  hour (client's time zone). Period: ISO week.

Exactly once: `reminder_send_once` inserts the ReminderLog row (unique on rule, object,
period, recipient) and the Notification in one transaction and sends the email only after
commit. A rerun, a retried task or two overlapping dispatchers insert the same key: the
database refuses all but the first, so nobody hears the same reminder twice.

Quiet hours (client's time zone): rules are not evaluated during quiet hours at all, so no
reminder is created at night; the first run after quiet hours creates it, keyed by that day.
An email that would be sent during quiet hours anyway (a digest scheduled by a direct call, a
retry) is held: its notification keeps `emailed_at` empty and `notification_emails_flush`
sends it on the first run after quiet hours (within a day; a notification read in the app
meanwhile is not emailed). Emails are claimed before sending (`emailed_at` stamped first), so
two runs never email the same notification twice.
"""
