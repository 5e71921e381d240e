"""Which client schemas have migrations to apply, and applying them, one schema after another
or several at a time (`migrate_all --parallel N`; docs/performance.md, "Many tenants").

Asking django-tenants to migrate every schema costs a full `migrate` run per schema even when
there is nothing to do: with 1,000 clients that is minutes for a deploy without a migration.
Instead the migration graph is loaded once, each schema's `django_migrations` is read (one
query per schema), and only the schemas behind are migrated, by django-tenants' own
executors: the standard one in this process, or its multiprocessing executor (a pool of
`parallel` forked processes, each migrating one schema at a time in its own connection).
"""

from typing import Any

from django.core.management import load_command_class
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test.utils import override_settings
from django_tenants.migration_executors import get_executor

from tenants.models import Client
from tenants.schema import use_public_schema


def client_schema_names() -> list[str]:
    """Every client schema, in creation order (the public row excluded)."""
    return list(
        Client.objects.exclude(schema_name="public")
        .order_by("pk")
        .values_list("schema_name", flat=True)
    )


def schemas_behind(schema_names: list[str]) -> list[str]:
    """The schemas whose django_migrations lacks a migration of the project's graph (or that
    cannot be read: a schema without the table is behind too)."""
    use_public_schema()
    expected = set(MigrationLoader(connection, ignore_no_migrations=True).graph.nodes)
    behind = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_schema FROM information_schema.tables "
            "WHERE table_name = 'django_migrations' AND table_schema = ANY(%s)",
            [schema_names],
        )
        with_table = {row[0] for row in cursor.fetchall()}
        for name in schema_names:
            if name not in with_table:
                behind.append(name)
                continue
            # Schema names come from Client rows, validated by django-tenants; quoted anyway.
            table = f"{connection.ops.quote_name(name)}.django_migrations"
            cursor.execute(f"SELECT app, name FROM {table}")  # noqa: S608
            if expected - set(cursor.fetchall()):
                behind.append(name)
    return behind


def _migrate_schemas_options(*, verbosity: int, executor: str) -> dict[str, Any]:
    """The options `migrate_schemas --tenant` runs with, from its own parser (every default
    the migrate command expects included)."""
    command = load_command_class("django_tenants", "migrate_schemas")
    parser = command.create_parser("manage.py", "migrate_schemas")
    arguments = ["--tenant", "--noinput", "--executor", executor, "--verbosity", str(verbosity)]
    options = vars(parser.parse_args(arguments))
    options.pop("args", None)
    return options


def schemas_migrate(schema_names: list[str], *, parallel: int = 1, verbosity: int = 0) -> None:
    """Apply the pending migrations of these schemas: in this process when `parallel` is 1,
    else in a pool of `parallel` processes (django-tenants' multiprocessing executor)."""
    if not schema_names:
        return
    codename = "multiprocessing" if parallel > 1 else "standard"
    options = _migrate_schemas_options(verbosity=verbosity, executor=codename)
    executor = get_executor(codename)((), options)
    with override_settings(
        TENANT_MULTIPROCESSING_MAX_PROCESSES=parallel,
        # Schemas handed to a process at a time: small, so the processes stay evenly busy.
        TENANT_MULTIPROCESSING_CHUNKS=max(1, min(10, len(schema_names) // (parallel * 4))),
    ):
        executor.run_migrations(tenants=list(schema_names))
    use_public_schema()
