"""PgBouncer in transaction mode with a schema per tenant (docs/operations.md, "Connection
pooling"): what breaks and what holds, tried against the real pooler where it is installed
(Debian's `pgbouncer` package; skipped otherwise).

One server connection (default_pool_size=1) makes the sharing deterministic: every client
transaction runs on the same server connection, one after the other, as happens under load
with any pool size.
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

PGBOUNCER = shutil.which("pgbouncer") or (
    "/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None
)
pytestmark = pytest.mark.skipif(PGBOUNCER is None, reason="pgbouncer is not installed")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def pooler() -> Iterator[str]:
    database = settings.DATABASES["default"]
    # PgBouncer refuses to run as root; as root it is started with `-u nobody`, which must be
    # able to read its files.
    tmp = Path(tempfile.mkdtemp(prefix="pgbouncer-"))
    tmp.chmod(0o777)
    as_root = ["-u", "nobody"] if os.geteuid() == 0 else []
    port = _free_port()
    user = database.get("USER") or "postgres"
    (tmp / "users.txt").write_text(f'"{user}" "{database.get("PASSWORD") or ""}"\n')
    (tmp / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"app = host={database.get('HOST') or '127.0.0.1'} port={database.get('PORT') or 5432} "
        f"dbname=postgres user={user}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {tmp / 'users.txt'}\n"
        "pool_mode = transaction\ndefault_pool_size = 1\nmax_client_conn = 20\n"
        f"logfile = {tmp / 'pgbouncer.log'}\npidfile = {tmp / 'pgbouncer.pid'}\n"
    )
    for path in tmp.iterdir():
        path.chmod(0o644)
    process = subprocess.Popen([PGBOUNCER, *as_root, str(tmp / "pgbouncer.ini")])
    deadline = time.monotonic() + 10
    dsn = f"host=127.0.0.1 port={port} dbname=app user={user}"
    while True:
        try:
            psycopg.connect(dsn, connect_timeout=1).close()
            break
        except psycopg.OperationalError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise
            time.sleep(0.1)
    yield dsn
    process.terminate()
    process.wait(timeout=10)
    shutil.rmtree(tmp, ignore_errors=True)


def test_a_session_search_path_leaks_to_another_client(pooler):
    """What django-tenants does by default: `SET search_path` once, then queries in
    autocommit. In transaction mode the SET stays on the server connection, which the pooler
    hands to the next client's transaction: client A then runs on tenant B's schemas."""
    a = psycopg.connect(pooler, autocommit=True, prepare_threshold=None)
    b = psycopg.connect(pooler, autocommit=True, prepare_threshold=None)
    try:
        a.execute("SET search_path = tenant_a, public")
        b.execute("SET search_path = tenant_b, public")
        (seen_by_a,) = a.execute("SHOW search_path").fetchone()
        assert seen_by_a == "tenant_b, public"
    finally:
        a.close()
        b.close()


def test_set_local_inside_each_transaction_holds(pooler):
    """What works: every transaction sets its own search_path with SET LOCAL (gone at COMMIT)
    before its first query; the server connection carries nothing to the next client."""
    a = psycopg.connect(pooler, autocommit=True, prepare_threshold=None)
    b = psycopg.connect(pooler, autocommit=True, prepare_threshold=None)
    try:
        # (The pooler runs no reset query in transaction mode: a SET of an earlier client,
        # even one long gone, may still be on the server connection.)
        (before,) = a.execute("SHOW search_path").fetchone()
        for _ in range(3):
            for conn, schema in ((a, "tenant_a"), (b, "tenant_b")):
                with conn.transaction():
                    conn.execute(f"SET LOCAL search_path = {schema}, public")
                    (seen,) = conn.execute("SHOW search_path").fetchone()
                    assert seen == f"{schema}, public"
        (after,) = a.execute("SHOW search_path").fetchone()
        assert after == before  # SET LOCAL left nothing behind on the server connection
    finally:
        a.close()
        b.close()


def test_server_side_prepared_statements_collide(pooler):
    """psycopg prepares a statement after 5 executions (prepare_threshold). PgBouncer before
    1.21 does not track prepared statements: two clients' statements meet on one server
    connection. Production must set prepare_threshold to None behind such a pooler."""
    a = psycopg.connect(pooler, autocommit=True, prepare_threshold=0)
    b = psycopg.connect(pooler, autocommit=True, prepare_threshold=0)
    try:
        a.execute("SELECT 1 WHERE %s::int = 1", [1])
        with pytest.raises(psycopg.Error):
            b.execute("SELECT 2 WHERE %s::int = 1", [1])
    finally:
        a.close()
        b.close()
