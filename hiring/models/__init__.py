from hiring.models.audit import AuditEntry
from hiring.models.outbox import OutboxEvent

__all__ = ["AuditEntry", "OutboxEvent"]
