"""Sending reminders exactly once, in app and by email, with quiet hours and preferences."""

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import connection, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from hiring.text import subject_line
from notifications.kinds import EMAIL_KIND_OF_EVENT, EMAIL_UPDATES, EVENT_EMAIL_DELAY
from notifications.models import Notification, ReminderLog
from notifications.preferences import (
    PREFERENCES_PATH,
    UNSUBSCRIBE_PATH,
    notification_preference_get_or_create,
    wants_email,
)
from notifications.reminders.context import (
    EMAIL_DIGEST,
    EMAIL_KIND_OF_RULE,
    ReminderContext,
    reminder_context,
)
from notifications.reminders.rules import (
    DueReminder,
)
from tenants.models import (
    User,
)

logger = logging.getLogger(__name__)

# A held email is still worth sending within this window; older ones are dropped (the
# notification stays in the app).
HELD_EMAIL_WINDOW = dt.timedelta(hours=24)
HELD_EMAIL_BATCH = 500
EMAIL_KIND_OF_NOTIFICATION = {**EMAIL_KIND_OF_RULE, **EMAIL_KIND_OF_EVENT}
# Reminders recorded per transaction in a run (each batch: one insert of log rows, one of
# notifications, one claim of emails).
SEND_BATCH_SIZE = 500


@dataclass(frozen=True)
class _Outgoing:
    reminder: DueReminder
    recipient: User
    email_kind: str

    @property
    def key(self) -> tuple[str, str, str, int]:
        r = self.reminder
        return (r.rule, r.object_key, r.period, self.recipient.pk)


DeliveryKey = tuple[str, str, str, int]


def delivery_keys_claim(keys: list[DeliveryKey], *, now: dt.datetime) -> set[DeliveryKey]:
    """In the caller's transaction, insert a ReminderLog row for each (rule, object key,
    period, recipient id) and return the keys that went in: the deliveries nobody made
    before. Keys already taken are skipped (ON CONFLICT DO NOTHING on the unique
    constraint); a concurrent transaction inserting the same key makes this one wait for it
    to commit and then skip the key, so of two racing callers exactly one gets each key.
    Reminders and notifications from events (notifications.events) share this."""
    if not keys:
        return set()
    table = connection.ops.quote_name(ReminderLog._meta.db_table)
    placeholders = ", ".join(["(%s, %s, %s, %s, %s)"] * len(keys))
    with connection.cursor() as cursor:
        cursor.execute(
            # Only the table name (from the model) and placeholders are formatted in.
            f"INSERT INTO {table} (rule, object_key, period, recipient_id, sent_at) "  # noqa: S608
            f"VALUES {placeholders} "
            "ON CONFLICT (rule, object_key, period, recipient_id) DO NOTHING "
            "RETURNING rule, object_key, period, recipient_id",
            [value for key in keys for value in (*key, now)],
        )
        return set(cursor.fetchall())


def _reminders_record(
    ctx: ReminderContext, outgoing: list[_Outgoing]
) -> list[tuple[Notification, str]]:
    """In the caller's transaction: insert the ReminderLog rows first, skipping every key that
    is already taken, then the notifications of the rows that went in. Returns those
    notifications with the kind of email each may get.

    A concurrent transaction inserting the same key makes this one wait until it commits and
    then skip the key (ON CONFLICT DO NOTHING on the unique constraint), so of two runs that
    race, exactly one records, notifies and emails."""
    inserted = delivery_keys_claim([o.key for o in outgoing], now=ctx.now)
    fresh = [o for o in outgoing if o.key in inserted]
    notifications = Notification.objects.bulk_create(
        [
            Notification(
                recipient=o.recipient,
                kind=o.reminder.rule,
                title=o.reminder.title[:200],
                body=o.reminder.body,
                link=o.reminder.link[:300],
                created_at=ctx.now,
            )
            for o in fresh
        ]
    )
    return [(n, o.email_kind) for n, o in zip(notifications, fresh, strict=True)]


def _reminders_send(ctx: ReminderContext, outgoing: list[_Outgoing]) -> int:
    """Record and notify each reminder once, emails after commit; returns how many were new."""
    unique: dict[tuple[str, str, str, int], _Outgoing] = {}
    for item in outgoing:
        unique.setdefault(item.key, item)
    items = list(unique.values())
    sent = 0
    for start in range(0, len(items), SEND_BATCH_SIZE):
        with transaction.atomic():
            created = _reminders_record(ctx, items[start : start + SEND_BATCH_SIZE])
            if created:
                transaction.on_commit(partial(_emails_after_commit, created=created, ctx=ctx))
        sent += len(created)
    return sent


def reminder_send_once(
    *,
    rule: str,
    object_key: str,
    period: str,
    recipient: User,
    title: str,
    body: str,
    link: str,
    email_kind: str,
    context: ReminderContext | None = None,
    now: dt.datetime | None = None,
) -> bool:
    """Record and deliver one reminder unless its key (rule, object, period, recipient) was
    already used. Returns True when this call sent it.

    The ReminderLog row goes in first, with the Notification, in one transaction; a second
    caller with the same key (a rerun, a retry, an overlapping dispatcher) waits for the first
    to commit and then finds the key taken. The email goes after commit (held during quiet
    hours, skipped when the person's preferences say so).
    """
    ctx = context or reminder_context(now=now)
    reminder = DueReminder(
        rule=rule,
        object_key=object_key,
        period=period,
        recipient_id=recipient.pk,
        title=title,
        body=body,
        link=link,
    )
    ctx.load_preferences([recipient.pk])
    return bool(_reminders_send(ctx, [_Outgoing(reminder, recipient, email_kind)]))


def reminders_deliver(ctx: ReminderContext, due: Iterable[DueReminder]) -> int:
    """Send each due reminder once, in batches (a few queries per batch, not per reminder).
    Returns how many were new."""
    due = list(due)
    if not due:
        return 0
    recipient_ids = {d.recipient_id for d in due}
    users = User.objects.filter(pk__in=recipient_ids, is_active=True).in_bulk()
    ctx.load_preferences(recipient_ids)
    return _reminders_send(
        ctx,
        [
            _Outgoing(d, users[d.recipient_id], EMAIL_KIND_OF_RULE[d.rule])
            for d in due
            if d.recipient_id in users
        ],
    )


def _emails_after_commit(*, created: list[tuple[Notification, str]], ctx: ReminderContext) -> None:
    if ctx.quiet:
        return  # held: notification_emails_flush sends them after quiet hours
    _emails_send(created, ctx)


def _emails_claim(ids: list[int]) -> set[int]:
    """Stamp emailed_at on the notifications that are not emailed (nor read) yet and return
    their ids: whoever stamps a notification is the one who emails it."""
    table = connection.ops.quote_name(Notification._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET emailed_at = %s WHERE id = ANY(%s) "  # noqa: S608
            "AND emailed_at IS NULL AND read_at IS NULL RETURNING id",
            [timezone.now(), ids],
        )
        return {row[0] for row in cursor.fetchall()}


def _emails_send(items: list[tuple[Notification, str]], ctx: ReminderContext) -> int:
    """Email the notifications whose recipients want that kind of email, over one mail
    connection. Each is claimed first; a failed send releases its claim so a later flush
    retries it. Returns how many were sent."""
    ctx.load_preferences({n.recipient_id for n, _ in items})
    wanted = [
        (n, kind)
        for n, kind in items
        if n.recipient.is_active
        and n.recipient.email
        and wants_email(ctx.preferences.get(n.recipient_id), email_kind=kind)
    ]
    if not wanted:
        return 0
    claimed = _emails_claim([n.pk for n, _ in wanted])
    to_send = [(n, kind) for n, kind in wanted if n.pk in claimed]
    sent: set[int] = set()
    try:
        with mailers.default as mailer:
            for notification, kind in to_send:
                message = _email_message(notification=notification, email_kind=kind, ctx=ctx)
                try:
                    mailer.send_messages([message])
                except Exception:
                    logger.warning(
                        "email of notification %s failed; the next run retries",
                        notification.pk,
                        exc_info=True,
                    )
                else:
                    sent.add(notification.pk)
    except Exception:
        logger.warning("the mail server could not be reached; the next run retries", exc_info=True)
    unsent = [n.pk for n, _ in to_send if n.pk not in sent]
    if unsent:
        Notification.objects.filter(pk__in=unsent).update(emailed_at=None)
    return len(sent)


def _email_message(
    *, notification: Notification, email_kind: str, ctx: ReminderContext
) -> EmailMessage:
    recipient = notification.recipient
    link = notification.link
    if link.startswith("/"):
        link = ctx.base_url + link
    headers: dict[str, str] = {}
    unsubscribe_url = ""
    if email_kind == EMAIL_DIGEST:
        preference = ctx.preferences.get(recipient.pk) or notification_preference_get_or_create(
            user=recipient
        )
        unsubscribe_url = ctx.base_url + UNSUBSCRIBE_PATH.format(token=preference.unsubscribe_token)
        # RFC 2369 / RFC 8058: mail clients show an "Unsubscribe" button that POSTs here.
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    body = render_to_string(
        "notifications/email/notification.txt",
        {
            "notification": notification,
            "recipient": recipient,
            "client": ctx.client,
            "link": link,
            "is_digest": email_kind == EMAIL_DIGEST,
            "is_update": email_kind == EMAIL_UPDATES,
            "preferences_url": ctx.base_url + PREFERENCES_PATH,
            "unsubscribe_url": unsubscribe_url,
        },
    )
    return EmailMessage(
        # Titles quote names and titles people typed (some stored before they were checked):
        # a line break in a subject would make every send of this e-mail fail.
        subject=subject_line(notification.title),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        headers=headers,
    )


def notification_emails_flush(ctx: ReminderContext) -> int:
    """Send the emails that were held (quiet hours) or failed, outside quiet hours, for
    notifications of the last day that are still unread. Returns how many were sent."""
    if ctx.quiet:
        return 0
    held = list(
        Notification.objects.filter(
            Q(kind__in=list(EMAIL_KIND_OF_RULE))
            # A notification from events is emailed once its burst has settled.
            | Q(kind__in=list(EMAIL_KIND_OF_EVENT), updated_at__lte=ctx.now - EVENT_EMAIL_DELAY),
            emailed_at__isnull=True,
            read_at__isnull=True,
            created_at__gte=ctx.now - HELD_EMAIL_WINDOW,
        )
        .select_related("recipient")
        .order_by("id")[:HELD_EMAIL_BATCH]
    )
    if not held:
        return 0
    return _emails_send([(n, EMAIL_KIND_OF_NOTIFICATION[n.kind]) for n in held], ctx)


def notification_emails_due(*, now: dt.datetime | None = None) -> int:
    """Send the emails that are due now in the current workspace (held ones, failed ones,
    and notifications from events whose burst has settled); what the email task runs."""
    return notification_emails_flush(reminder_context(now=now))
