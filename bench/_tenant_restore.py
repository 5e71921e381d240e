"""Back up one tenant and restore it alone (docs/operations.md, "Backups and restoring one
tenant"), tried on a database of its own: the demo workspace is seeded, its schema is dumped
with `pg_dump --schema=<schema> -Fc`, the schema is dropped (the accident), restored with
`pg_restore`, and every table's row count and a checksum of its rows are compared with
before. The other tenant's schema and the public schema are checked untouched.

Run: .venv/bin/python bench/_tenant_restore.py
Last line: RESULT tenant_restore tables=... rows=... dump_bytes=... ... same=yes
"""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _drill_common import (
    configured_urls,
    drill_django_setup,
    drill_workdir,
    new_secret_key,
    postgres_bin,
    with_database,
)


def snapshot(cursor, schema: str) -> dict[str, tuple[int, str]]:  # type: ignore[no-untyped-def]
    cursor.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
        "AND table_type = 'BASE TABLE' ORDER BY table_name",
        [schema],
    )
    tables = [row[0] for row in cursor.fetchall()]
    result = {}
    for table in tables:
        cursor.execute(
            f"SELECT count(*), coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') "
            f'FROM "{schema}"."{table}" t'
        )
        count, digest = cursor.fetchone()
        result[table] = (count, digest)
    return result


def main() -> None:
    run = uuid.uuid4().hex[:8]
    database = with_database(
        configured_urls()[0], os.environ.get("BENCH_DATABASE", "aihiring_bench") + "_restore"
    )
    workdir = drill_workdir("tenant-restore")
    drill_django_setup(
        database_url=database,
        redis_url=configured_urls()[1],
        secret_key=new_secret_key(),
        queue=f"tenant-restore-{run}",
    )
    from io import StringIO

    import environ
    from django.core.management import call_command
    from django.db import connection

    from tenants.models import Client
    from tenants.services import client_provision

    call_command("seed_demo", stdout=StringIO())
    other = client_provision(slug=f"other-{run}", name="Another client").client
    acme = Client.objects.get(slug="acme")
    schema = acme.schema_name
    with connection.cursor() as cursor:
        before = snapshot(cursor, schema)
        other_before = snapshot(cursor, other.schema_name)
        public_before = snapshot(cursor, "public")
    config = environ.Env.db_url_config(database)
    conn_args = [
        "-h", str(config.get("HOST") or "127.0.0.1"), "-p", str(config.get("PORT") or 5432),
        "-U", str(config.get("USER") or "postgres"), "-d", str(config["NAME"]),
    ]  # fmt: skip
    env = {**os.environ}
    if config.get("PASSWORD"):
        env["PGPASSWORD"] = str(config["PASSWORD"])
    dump = workdir / f"{schema}.dump"

    started = time.perf_counter()
    subprocess.run(
        [postgres_bin("pg_dump"), *conn_args, f"--schema={schema}", "-Fc", "-f", str(dump)],
        check=True, env=env,
    )  # fmt: skip
    dump_seconds = time.perf_counter() - started

    # The accident: the tenant's schema is gone (a bad migration, a wrong DROP).
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA "{schema}" CASCADE')
    started = time.perf_counter()
    subprocess.run(
        [postgres_bin("pg_restore"), *conn_args, "--exit-on-error", "--single-transaction",
         str(dump)],
        check=True, env=env,
    )  # fmt: skip
    restore_seconds = time.perf_counter() - started
    connection.close()
    with connection.cursor() as cursor:
        after = snapshot(cursor, schema)
        other_after = snapshot(cursor, other.schema_name)
        public_after = snapshot(cursor, "public")

    differing = [t for t in before if before[t] != after.get(t)]
    rows = sum(count for count, _ in before.values())
    same = not differing and set(before) == set(after)
    print(
        f"schema {schema}: {len(before)} tables, {rows} rows; dump {dump.stat().st_size} bytes "
        f"in {dump_seconds:.2f}s; dropped, restored in {restore_seconds:.2f}s; "
        f"tables differing after the restore: {differing or 'none'}"
    )
    print(
        f"other tenant untouched: {other_before == other_after}; public schema untouched: "
        f"{public_before == public_after}"
    )
    print(
        f"RESULT tenant_restore tables={len(before)} rows={rows} "
        f"dump_bytes={dump.stat().st_size} dump_s={dump_seconds:.2f} "
        f"restore_s={restore_seconds:.2f} same={'yes' if same else 'no'}"
    )
    dump.unlink()
    workdir.rmdir()
    ok = same and other_before == other_after and public_before == public_after
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
