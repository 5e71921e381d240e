"""The per-tenant audit trail. Call audit_record inside the service's transaction."""

from typing import Any

from hiring.actors import Actor
from hiring.models import AuditEntry


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
