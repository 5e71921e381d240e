"""A provisioned schema is structurally identical to the migrated template."""

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django_tenants.utils import schema_context

from tenants.models import Client


def _catalog(schema: str) -> dict[str, object]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name, data_type, is_nullable, is_identity "
            "FROM information_schema.columns WHERE table_schema = %s ORDER BY 1, 2",
            [schema],
        )
        columns = cursor.fetchall()
        cursor.execute(
            "SELECT t.relname, con.conname, con.contype, "
            "replace(pg_get_constraintdef(con.oid), %s, '') "
            "FROM pg_constraint con JOIN pg_class t ON t.oid = con.conrelid "
            "JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = %s ORDER BY 1, 2",
            [f"{schema}.", schema],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT indexname, replace(indexdef, %s, '') FROM pg_indexes "
            "WHERE schemaname = %s ORDER BY 1",
            [f"{schema}.", schema],
        )
        indexes = [
            (name, definition.replace(f'"{schema}".', "")) for name, definition in cursor.fetchall()
        ]
    return {"columns": columns, "constraints": constraints, "indexes": indexes}


@pytest.mark.django_db
def test_cloned_schema_matches_template_and_has_no_pending_migrations(tenant_a):
    template = _catalog(settings.TENANT_BASE_SCHEMA)
    cloned = _catalog(tenant_a.schema_name)
    assert template["columns"] and template["constraints"] and template["indexes"]
    assert cloned == template
    with schema_context(tenant_a.schema_name):
        executor = MigrationExecutor(connection)
        assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []


@pytest.mark.django_db
def test_test_tenants_route_by_host(tenant_a, tenant_b):
    assert tenant_a.domains.get().domain == "alpha.localhost"
    assert Client.objects.get(schema_name=tenant_b.schema_name).slug == "beta"
