"""Notifications from outbox events: exactly once, grouped, emailed after a short pause.

- **Exactly once.** Each notice is keyed (kind, dedupe key, recipient) in `ReminderLog`, the
  reminders' table of sent keys, through the same `delivery_keys_claim`: the relay may hand an
  event over twice and two workers may race on it; only the first insert of a key notifies.
- **Grouped.** A notice with a group key adds to the recipient's *open* notification of the
  same group (unread, not emailed yet, started less than GROUP_WINDOW ago) instead of making a
  new one: fifty imported submissions to one brief are one notification, "50 new candidates
  for ...". A per-(recipient, group) advisory lock keeps two concurrent consumers from
  opening two groups.
- **Email after a pause.** The email of a notification from an event waits EMAIL_DELAY so
  that a burst has settled into its group; `notification_emails_due` then claims and sends it
  like any reminder (preferences, quiet hours, one mail connection; a failure releases the
  claim). Once emailed, a group is closed: the next event opens a new one. The hourly
  reminder run's flush catches up any email whose task was lost.
"""

import datetime as dt
import logging

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from notifications.events.notices import Notice
from notifications.models import Notification
from notifications.reminders.delivery import delivery_keys_claim
from tenants.models import User
from tenants.schema import current_schema_name

logger = logging.getLogger(__name__)

GROUP_WINDOW = dt.timedelta(minutes=30)
EVENT_RULE_PREFIX = "event:"


def _group_lock(recipient_id: int, group_key: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s))",
            [f"notification-group:{current_schema_name()}:{recipient_id}:{group_key}"],
        )


def notices_deliver(notices: list[Notice], *, now: dt.datetime | None = None) -> int:
    """Record and show each notice once, in one transaction; returns how many were new.
    Inactive people are skipped."""
    if not notices:
        return 0
    now = now or timezone.now()
    active = set(
        User.objects.filter(pk__in={n.recipient_id for n in notices}, is_active=True).values_list(
            "pk", flat=True
        )
    )
    notices = [n for n in notices if n.recipient_id in active]
    delivered = 0
    with transaction.atomic():
        fresh = delivery_keys_claim(
            [(EVENT_RULE_PREFIX + n.kind, n.dedupe_key, "", n.recipient_id) for n in notices],
            now=now,
        )
        for notice in notices:
            if (EVENT_RULE_PREFIX + notice.kind, notice.dedupe_key, "", notice.recipient_id) in (
                fresh
            ):
                _notice_show(notice, now=now)
                delivered += 1
    return delivered


def _notice_show(notice: Notice, *, now: dt.datetime) -> None:
    """Add the notice to its open group, or start a notification of its own."""
    if notice.group_key:
        _group_lock(notice.recipient_id, notice.group_key)
        group = (
            Notification.objects.select_for_update()
            .filter(
                recipient_id=notice.recipient_id,
                group_key=notice.group_key,
                read_at__isnull=True,
                emailed_at__isnull=True,
                created_at__gte=now - GROUP_WINDOW,
            )
            .order_by("-created_at", "-id")
            .first()
        )
        if group is not None:
            count = group.group_count + 1
            Notification.objects.filter(pk=group.pk).update(
                group_count=F("group_count") + 1,
                title=notice.title_many.format(count=count)[:200],
                body=f"Latest: {notice.title}." + (f" {notice.body}" if notice.body else ""),
                link=(notice.link_many or notice.link)[:300],
                updated_at=now,
            )
            return
    Notification.objects.create(
        recipient_id=notice.recipient_id,
        kind=notice.kind,
        title=notice.title[:200],
        body=notice.body,
        link=notice.link[:300],
        group_key=notice.group_key,
        created_at=now,
        updated_at=now,
    )
