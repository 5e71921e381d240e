"""Copy the structure of the migrated template schema into a new tenant schema.

Cost grows with the number of tables, not of migrations. Unlike `CREATE TABLE ... LIKE
... INCLUDING ALL`, constraint and index names are kept exactly as the migrations made them,
because later migrations drop and alter them by name. Only the rows of the migration history
and content types are copied; they tell later `migrate_schemas` runs where the schema stands.
"""

import re

from django.db import connection

# Identifiers below are quoted with _quote() and come from the catalog, never from users.

DATA_TABLES = ("django_migrations", "django_content_type")
# Constraint kinds in the order they can be added: primary/unique/check/exclusion, then
# foreign keys (which need the referenced primary keys in place).
CONSTRAINT_ORDER = {"p": 0, "u": 1, "c": 2, "x": 3, "f": 4}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def schema_clone_structure(*, source: str, target: str) -> int:
    """Create schema `target` with the tables, constraints and indexes of `source`. Run it
    inside the caller's transaction with the search path on public. Returns the table count.

    The template's catalog is read in three queries; the statements that build the new
    schema are then sent together, in one round trip (a few hundred statements: one per
    table, constraint and index), so the cost is PostgreSQL's work, not the round trips."""
    src, dst = _quote(source), _quote(target)
    # How the catalog prints a reference to the source schema inside definitions.
    source_prefix = re.compile(rf"(?<![\w\"]){re.escape(source)}\.|{re.escape(src)}\.")
    statements = [f"CREATE SCHEMA {dst}"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind IN ('r', 'p') ORDER BY c.relname",
            [source],
        )
        tables = [row[0] for row in cursor.fetchall()]
        for table in tables:
            statements.append(
                f"CREATE TABLE {dst}.{_quote(table)} (LIKE {src}.{_quote(table)} "
                "INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING GENERATED INCLUDING STORAGE "
                "INCLUDING COMMENTS)"
            )

        cursor.execute(
            "SELECT t.relname, con.conname, con.contype, pg_get_constraintdef(con.oid) "
            "FROM pg_constraint con JOIN pg_class t ON t.oid = con.conrelid "
            "JOIN pg_namespace n ON n.oid = t.relnamespace "
            "WHERE n.nspname = %s AND con.contype IN ('p', 'u', 'c', 'x', 'f')",
            [source],
        )
        constraints = sorted(cursor.fetchall(), key=lambda row: (CONSTRAINT_ORDER[row[2]], row))
        for table, name, _kind, definition in constraints:
            definition = source_prefix.sub(f"{dst}.", definition)
            statements.append(
                f"ALTER TABLE {dst}.{_quote(table)} ADD CONSTRAINT {_quote(name)} {definition}"
            )

        cursor.execute(
            "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace "
            "WHERE n.nspname = %s AND NOT EXISTS ("
            "  SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid)",
            [source],
        )
        for (index_definition,) in cursor.fetchall():
            statements.append(source_prefix.sub(f"{dst}.", index_definition))

        for table in DATA_TABLES:
            if table in tables:
                qualified = f"{dst}.{_quote(table)}"
                statements.append(f"INSERT INTO {qualified} SELECT * FROM {src}.{_quote(table)}")
                statements.append(
                    f"SELECT setval(pg_get_serial_sequence({_literal(qualified)}, 'id'), "
                    f"COALESCE((SELECT max(id) FROM {qualified}), 0) + 1, false)"
                )
        # No parameters: psycopg sends the statements as one simple query, run in order
        # inside the caller's transaction (a failure anywhere rolls all of them back).
        cursor.execute(";\n".join(statements))
    return len(tables)
