"""Reads of the per-tenant audit trail."""

from django.db.models import QuerySet

from audit.models import AuditEntry


def audit_recent(*, limit: int = 20) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.order_by("-occurred_at", "-id")[:limit]
