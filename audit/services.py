"""Writes of the per-tenant audit trail. Call them inside the service's transaction."""

from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from audit.actors import Actor
from audit.models import AuditEntry


def audit_record(
    *,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: object = "",
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Record one action. `details` must carry no personal data: ids, field names, states."""
    return AuditEntry.objects.create(
        actor_kind=actor.kind,
        actor_user_id=actor.user_id,
        actor_ref=actor.ref,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        details=details or {},
    )


def audit_record_many(
    *,
    actor: Actor,
    action: str,
    object_type: str,
    object_ids: Iterable[object],
    details: dict[str, Any] | None = None,
) -> int:
    """The same action on many objects (a page of candidates read, say), in one statement."""
    now = timezone.now()
    rows = AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                occurred_at=now,
                actor_kind=actor.kind,
                actor_user_id=actor.user_id,
                actor_ref=actor.ref,
                action=action,
                object_type=object_type,
                object_id=str(object_id),
                details=details or {},
            )
            for object_id in object_ids
        ]
    )
    return len(rows)
