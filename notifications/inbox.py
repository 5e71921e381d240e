"""A person's in-app notifications in the current workspace.

Notifications live in the workspace's schema: a person sees the ones of the workspace they are
in. Reading one is not audited (it changes nothing anybody else relies on).
"""

import datetime as dt
import uuid
from typing import Any

from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Left, Replace
from django.utils import timezone

from audit.errors import NotFoundError
from notifications.models import Notification
from tenants.models import User


def notifications_for(*, user: User) -> QuerySet[Notification]:
    """The person's notifications in the current workspace, newest first."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def notifications_unread_count(*, user: User) -> int:
    """One COUNT on the partial index of unread notifications."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_mark_read(
    *, user: User, public_id: object, now: dt.datetime | None = None
) -> Notification:
    """Mark one of the person's notifications read. Another person's notification and an
    unknown id raise the same NotFoundError. Marking twice keeps the first reading time."""
    try:
        parsed = uuid.UUID(str(public_id))
    except ValueError:
        raise NotFoundError from None
    notification = Notification.objects.filter(recipient=user, public_id=parsed).first()
    if notification is None:
        raise NotFoundError
    if notification.read_at is None:
        notification.read_at = now or timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def notifications_mark_all_read(*, user: User, now: dt.datetime | None = None) -> int:
    """Mark every unread notification of the person read; returns how many changed."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=now or timezone.now()
    )


def notifications_scrub_name(*, former: str, replacement: str) -> int:
    """Replace a person's former name wherever this workspace's notifications quote it
    (reminder titles, digest bodies): called by candidate erasure, inside its transaction.
    Emails already sent are outside our reach. Returns how many notifications changed."""
    former = former.strip()
    if not former:
        return 0
    title_length = Notification._meta.get_field("title").max_length or 200
    return Notification.objects.filter(Q(title__contains=former) | Q(body__contains=former)).update(
        title=Left(Replace(F("title"), Value(former), Value(replacement)), title_length),
        body=Replace(F("body"), Value(former), Value(replacement)),
    )


def notifications_candidate_erase(candidate: Any, *, former_name: str) -> None:
    """Candidate erasure's hook (registered in NotificationsConfig.ready): reminder titles
    and digests quote the candidate's name, so the erased name replaces it."""
    notifications_scrub_name(former=former_name, replacement=candidate.full_name)
