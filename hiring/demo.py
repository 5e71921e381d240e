"""Demo data inside the demo client's schema (called by the seed_demo command)."""

from typing import Any

from django_tenants.utils import tenant_context

from hiring.actors import Actor
from hiring.audit import audit_record
from hiring.models import AuditEntry
from tenants.models import Client


def demo_workspace_fill(*, client: Client, stdout: Any) -> None:
    with tenant_context(client):
        if not AuditEntry.objects.filter(action="workspace.seeded").exists():
            audit_record(
                actor=Actor.system("seed_demo"),
                action="workspace.seeded",
                object_type="client",
                object_id=client.public_id,
            )
