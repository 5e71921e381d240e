"""Reads inside a client's schema."""

from django.db.models import QuerySet

from hiring.models import AuditEntry


def audit_recent(*, limit: int = 20) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.order_by("-occurred_at", "-id")[:limit]
