"""Writes of the per-tenant audit trail. Call them inside the service's transaction."""

from collections.abc import Iterable, Sequence
from typing import Any

import orjson
from django.db import connection
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


def audit_record_each(
    *,
    actor: Actor,
    action: str,
    object_type: str,
    entries: Sequence[tuple[object, dict[str, Any]]],
) -> int:
    """The same action on many objects, each with its own details (`entries`: (object id,
    details)), in one statement: for bulk writes such as an import's chunk of submissions."""
    if not entries:
        return 0
    table = AuditEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (public_id, occurred_at, actor_user_id, actor_kind, actor_ref,
                                 action, object_type, object_id, details)
            SELECT gen_random_uuid(), %s, %s, %s, %s, %s, %s, entry.object_id, entry.details
            FROM unnest(%s::text[], %s::jsonb[]) AS entry(object_id, details)
            """,  # noqa: S608
            [
                timezone.now(),
                actor.user_id,
                actor.kind,
                actor.ref,
                action,
                object_type,
                [str(object_id) for object_id, _ in entries],
                [orjson.dumps(details).decode() for _, details in entries],
            ],
        )
        return cursor.rowcount
