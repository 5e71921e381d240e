"""Each person's email preferences and the one-click unsubscribe link.

Preferences live in the public schema, one row per person, and apply to every workspace.
Changing one is audited in the workspace where it happened.
"""

import secrets
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.actors import Actor
from audit.errors import NotFoundError
from audit.services import audit_record
from tenants.models import NotificationPreference, User
from tenants.schema import current_schema_name

# Workspace-relative paths used in emails. They are built without reverse() because emails
# are written by workers, where the URL configuration of a host is not at hand; a test checks
# that they match the routes (tests/test_reminders.py).
PREFERENCES_PATH = "/notifications/preferences/"
UNSUBSCRIBE_PATH = "/accounts/unsubscribe/{token}/"


def _new_token() -> str:
    # 256 bits: the token alone lets its holder turn the digest off, so it must not be guessable.
    return secrets.token_urlsafe(32)


def notification_preference_get_or_create(*, user: User) -> NotificationPreference:
    """The person's preferences; created with the defaults (every email on) and a fresh
    unsubscribe token on first use. Safe against two concurrent first uses."""
    preference, _ = NotificationPreference.objects.get_or_create(
        user=user, defaults={"unsubscribe_token": _new_token()}
    )
    return preference


def notification_preferences_for(
    *, user_ids: Iterable[int], create: bool = False
) -> dict[int, NotificationPreference]:
    """Preferences of many people in two queries (three when rows are created).

    Without `create`, people who never saved preferences are simply absent: callers treat
    them as "every email on", the default.
    """
    wanted = set(user_ids)
    if not wanted:
        return {}
    found = {p.user_id: p for p in NotificationPreference.objects.filter(user_id__in=wanted)}
    missing = wanted - set(found)
    if create and missing:
        NotificationPreference.objects.bulk_create(
            [
                NotificationPreference(user_id=uid, unsubscribe_token=_new_token())
                for uid in missing
            ],
            ignore_conflicts=True,
        )
        found.update(
            {p.user_id: p for p in NotificationPreference.objects.filter(user_id__in=missing)}
        )
    return found


def wants_email(preference: NotificationPreference | None, *, email_kind: str) -> bool:
    """Whether the person accepts this kind of email ("reminder", "digest" or "updates")."""
    if preference is None:
        return True
    if email_kind == "digest":
        return preference.email_digest
    if email_kind == "updates":
        return preference.email_updates
    return preference.email_reminders


def _audit_in_workspace(*, actor: Actor, action: str, user: User, details: dict[str, bool]) -> None:
    # Preferences are personal and global; the trail of the workspace where the change was
    # made records it. On the public host there is no workspace trail to write to.
    if current_schema_name() == settings.PUBLIC_SCHEMA_NAME:
        return
    audit_record(
        actor=actor, action=action, object_type="user", object_id=user.public_id, details=details
    )


def notification_preference_update(
    *,
    actor: Actor,
    user: User,
    email_reminders: bool,
    email_digest: bool,
    email_updates: bool | None = None,
) -> NotificationPreference:
    """Save which emails the person wants. In-app notifications are always kept."""
    with transaction.atomic():
        preference = notification_preference_get_or_create(user=user)
        preference = NotificationPreference.objects.select_for_update().get(pk=preference.pk)
        changed = {
            name: value
            for name, value in (
                ("email_reminders", email_reminders),
                ("email_digest", email_digest),
                ("email_updates", email_updates),
            )
            if value is not None and getattr(preference, name) != value
        }
        if not changed:
            return preference
        for name, value in changed.items():
            setattr(preference, name, value)
        preference.updated_at = timezone.now()
        preference.save(update_fields=[*changed, "updated_at"])
        _audit_in_workspace(
            actor=actor, action="notification_preference.updated", user=user, details=changed
        )
    return preference


def notification_preference_by_token(*, token: str) -> NotificationPreference:
    """The preferences an unsubscribe link points to; NotFoundError for an unknown token."""
    if not token or len(token) > 64:
        raise NotFoundError
    preference = (
        NotificationPreference.objects.select_related("user")
        .filter(unsubscribe_token=token)
        .first()
    )
    if preference is None:
        raise NotFoundError
    return preference


def notification_unsubscribe_by_token(*, token: str) -> NotificationPreference:
    """Turn the weekly digest email off for whoever the link was sent to. Idempotent: a second
    click changes nothing and writes no second audit row."""
    preference = notification_preference_by_token(token=token)
    with transaction.atomic():
        updated = NotificationPreference.objects.filter(pk=preference.pk, email_digest=True).update(
            email_digest=False, updated_at=timezone.now()
        )
        if updated:
            _audit_in_workspace(
                actor=Actor(kind="user", user_id=preference.user_id, ref="unsubscribe-link"),
                action="notification_preference.unsubscribed",
                user=preference.user,
                details={"email_digest": False},
            )
    preference.email_digest = False
    return preference
