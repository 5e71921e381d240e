"""Writes about the audit trail itself: who downloaded it."""

from administration.audit_trail import TrailFilters
from audit.actors import Actor
from audit.services import audit_record


def audit_trail_export_record(*, actor: Actor, rows: int, filters: TrailFilters) -> None:
    """Record a CSV download of the trail, with the filters as ids, codes and dates only."""
    audit_record(
        actor=actor,
        action="audit_trail.exported",
        object_type="audit_trail",
        details={
            "rows": rows,
            "who": filters.actor_user_id,
            "what": filters.group or None,
            "object_type": filters.object_type or None,
            "object_id": filters.object_id or None,
            "since": filters.since.isoformat() if filters.since else None,
            "until": filters.until.isoformat() if filters.until else None,
        },
    )
