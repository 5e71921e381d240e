"""`migrate_all` migrates only the client schemas that are behind, one after another or with
`--parallel N` processes (tenants.schema_migrations)."""

import uuid
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from tenants.schema_migrations import client_schema_names, schemas_behind
from tenants.services import client_provision

PENDING = ("scoring", "0002_joint_calibration")


def _has_calibration(schema: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM information_schema.columns WHERE table_schema = %s "
            "AND table_name = 'scoring_shortlist' AND column_name = 'calibration'",
            [schema],
        )
        return cursor.fetchone() is not None


def _applied(schema: str) -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT app, name FROM "{schema}".django_migrations')
        return set(cursor.fetchall())


@pytest.fixture
def three_clients(committed_db: Any) -> Any:
    run = uuid.uuid4().hex[:6]
    made = [client_provision(slug=f"mig-{run}-{n}", name=f"Mig {n}").client for n in range(3)]
    yield made
    for client in made:
        client.auto_drop_schema = True
        client.delete(force_drop=True)


@pytest.mark.parametrize("parallel", [2, 1])
def test_migrate_all_applies_an_unapplied_migration_in_each_schema(
    three_clients: list[Any], parallel: int
) -> None:
    schemas = [client.schema_name for client in three_clients]
    for schema in schemas:
        call_command("migrate_schemas", "scoring", "0001_initial", schema_name=schema, verbosity=0)
        assert not _has_calibration(schema) and PENDING not in _applied(schema)
    assert schemas_behind(client_schema_names()) == schemas

    out = StringIO()
    call_command("migrate_all", parallel=parallel, verbosity=1, stdout=out)

    assert f"3 of {len(client_schema_names())} client schemas have migrations" in out.getvalue()
    for schema in schemas:
        assert _has_calibration(schema)
        assert PENDING in _applied(schema)
    assert schemas_behind(client_schema_names()) == []


def test_migrate_all_with_nothing_to_do_migrates_no_client_schema(committed_db: Any) -> None:
    out = StringIO()
    call_command("migrate_all", parallel=2, verbosity=1, stdout=out)
    assert f"0 of {len(client_schema_names())} client schemas" in out.getvalue()


def test_parallel_must_be_positive(committed_db: Any) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--parallel"):
        call_command("migrate_all", parallel=0)
