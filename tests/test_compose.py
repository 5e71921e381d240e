"""The production compose file works as written.

Where a Docker engine and the compose plugin answer, `docker compose config` validates the
file and the image is built. Everywhere, the file's structure is checked (the services, one
media location shared by web and worker and created for the image's user, users, health
checks), and the very commands the containers run (migrate, gunicorn with production settings,
a Celery worker, beat) are run against this machine's PostgreSQL and Redis for a few seconds:
readiness and health answer, the worker heartbeats and counts a task, the security headers
are there, metrics of several gunicorn workers add up, and the logs are JSON lines without
secrets.
"""

import concurrent.futures
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
import redis
import yaml
from django.conf import settings
from django.db import connection
from prometheus_client.parser import text_string_to_metric_families

from config.celery_queues import queue_names

ROOT = Path(settings.BASE_DIR)
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "config" / "docker" / "Dockerfile"
APP_SERVICES = ("migrate", "web", "worker", "beat")
SMOKE_REDIS_DB = 11
START_SECONDS = 40


def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text())


_VARIABLE = re.compile(r"\$\$|\$\{(\w+)(?:(:?[-?])([^}]*))?\}")


def interpolate(value: str, variables: dict[str, str]) -> str:
    """Compose's variable syntax: ${NAME}, ${NAME:-default}, ${NAME:?error}, $$."""

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, operator, argument = match.groups()
        current = variables.get(name)
        if operator in (":?", "?"):
            if not current:
                raise KeyError(f"compose needs {name}: {argument}")
            return current
        if operator in (":-", "-"):
            return current if current else argument
        return current or ""

    return _VARIABLE.sub(replace, value)


def dockerfile_arg(name: str) -> str:
    match = re.search(rf"^ARG {name}=(\S+)$", DOCKERFILE.read_text(), re.MULTILINE)
    assert match, f"the Dockerfile declares no ARG {name}"
    return match.group(1)


# --- the file -------------------------------------------------------------------------------


def test_the_compose_file_describes_the_production_shape():
    spec = compose()
    services = spec["services"]
    assert {"web", "worker", "beat", "postgres", "redis", "migrate"} <= set(services)
    for name in APP_SERVICES:
        service = services[name]
        assert service["environment"]["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
        user = str(service.get("user", ""))
        assert user and user.split(":")[0] not in ("0", "root"), f"{name} runs as root"
        assert user.split(":")[0] == dockerfile_arg("APP_UID")
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate_all"]
    for name in ("web", "worker", "beat", "postgres", "redis"):
        assert services[name]["healthcheck"]["test"], f"{name} has no health check"
    assert "/readyz" in " ".join(services["web"]["healthcheck"]["test"])
    assert services["beat"].get("deploy", {}).get("replicas", 1) == 1
    # The one worker consumes the default queue and every workload queue.
    worker = services["worker"]["command"]
    assert worker[:4] == ["celery", "-A", "config", "worker"]
    queues = worker[worker.index("-Q") + 1].split(",")
    assert queues == queue_names("aihiring")


def test_web_and_worker_share_one_media_location_the_image_creates_for_its_user():
    spec = compose()
    media_roots = set()
    for name in ("web", "worker"):
        service = spec["services"][name]
        media_root = service["environment"]["MEDIA_ROOT"]
        mounts = [m for m in service["volumes"] if m["target"] == media_root]
        assert len(mounts) == 1, f"{name} mounts nothing on MEDIA_ROOT ({media_root})"
        assert mounts[0]["type"] == "volume" and mounts[0]["source"] == "media"
        media_roots.add(media_root)
    assert len(media_roots) == 1
    (media_root,) = media_roots
    assert "media" in spec["volumes"]
    assert not media_root.startswith("/app"), "the code directory is read-only to the app user"
    # The image creates that directory owned by its user: a new volume starts out that way.
    dockerfile = DOCKERFILE.read_text()
    assert dockerfile_arg("MEDIA_ROOT") == media_root
    assert "MEDIA_ROOT=${MEDIA_ROOT}" in dockerfile
    assert re.search(r"chown app:app \$\{MEDIA_ROOT\}", dockerfile)
    assert re.search(r"^USER app$", dockerfile, re.MULTILINE)
    # Metrics of each process group in its own fresh directory.
    for name in ("web", "worker"):
        service = spec["services"][name]
        directory = service["environment"]["PROMETHEUS_MULTIPROC_DIR"]
        assert any(str(entry).split(":")[0] == directory for entry in service["tmpfs"])


def test_the_image_holds_every_package_of_the_project():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    packages = [p.rstrip("*") for p in project["tool"]["setuptools"]["packages"]["find"]["include"]]
    ignored = {
        line.strip().rstrip("/")
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert "COPY . ." in DOCKERFILE.read_text()
    for package in [*packages, "templates"]:
        assert (ROOT / package).is_dir(), package
        assert package not in ignored, f".dockerignore keeps {package} out of the image"


def _docker_unavailable() -> str | None:
    if shutil.which("docker") is None:
        return "no docker command"
    for probe in (["docker", "compose", "version"], ["docker", "info"]):
        try:
            done = subprocess.run(probe, capture_output=True, timeout=20)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"{' '.join(probe)}: {exc}"
        if done.returncode != 0:
            return f"`{' '.join(probe)}` failed (no compose plugin or no engine)"
    return None


def test_docker_validates_the_file_and_builds_the_image():
    reason = _docker_unavailable()
    if reason:
        pytest.skip(f"{reason}; the commands of the containers are run locally instead")
    env = {**os.environ, "DJANGO_SECRET_KEY": "x" * 50, "POSTGRES_PASSWORD": "x"}
    for command in (["config", "--quiet"], ["build", "web"]):
        done = subprocess.run(
            ["docker", "compose", "-f", str(COMPOSE_FILE), *command],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=1800,
        )
        assert done.returncode == 0, done.stdout + done.stderr


# --- the containers' commands, run here ------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _database_url() -> str:
    db = connection.settings_dict
    credentials = quote(str(db["USER"] or ""), safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(str(db["PASSWORD"]), safe="")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{credentials}@{quote(str(db['HOST'] or ''), safe='')}{port}/{db['NAME']}"


def _redis_url() -> str:
    parts = urlsplit(settings.REDIS_URL)
    return f"{parts.scheme}://{parts.netloc}/{SMOKE_REDIS_DB}"


@dataclass
class Stack:
    web: str
    worker_metrics: str
    token: str
    canary: str
    logs: dict[str, Path]
    processes: dict[str, subprocess.Popen[bytes]]
    envs: dict[str, dict[str, str]]
    beat_schedule: Path

    def log_text(self, name: str) -> str:
        return self.logs[name].read_text(errors="replace")


def _service_env(service: dict[str, Any], variables: dict[str, str]) -> dict[str, str]:
    return {
        name: interpolate(str(value), variables)
        for name, value in service.get("environment", {}).items()
    }


def _request(
    base: str, path: str, headers: dict[str, str] | None = None
) -> http.client.HTTPResponse:
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    conn.request("GET", path, headers={"Host": "localhost", **(headers or {})})
    response = conn.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    conn.close()
    return response


def _wait_for(check: Any, *, seconds: float, what: str, stack: "Stack | None" = None) -> Any:
    deadline = time.monotonic() + seconds
    last: Any = None
    while time.monotonic() < deadline:
        if stack is not None:
            for name, process in stack.processes.items():
                if process.poll() is not None:
                    pytest.fail(f"{name} exited with {process.returncode}:\n{stack.log_text(name)}")
        try:
            last = check()
            if last:
                return last
        except (OSError, http.client.HTTPException) as exc:
            last = exc
        time.sleep(0.2)
    pytest.fail(f"{what} did not happen within {seconds} s (last: {last!r})")


@pytest.fixture(scope="module")
def stack(django_db_setup: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    name = str(connection.settings_dict["NAME"])
    assert name.startswith("test"), f"refusing to run against non-test database {name!r}"
    tmp = tmp_path_factory.mktemp("compose-smoke")
    spec = compose()
    token = secrets.token_urlsafe(32)
    web_port, worker_metrics_port = _free_port(), _free_port()
    variables = {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "POSTGRES_PASSWORD": "unused-here",
        "BASE_DOMAIN": "localhost",
        "METRICS_TOKEN": token,
        "WEB_CONCURRENCY": "2",
        "WORKER_CONCURRENCY": "2",
        # Plain HTTP to 127.0.0.1 here, as behind the TLS proxy in production.
        "DJANGO_SECURE_SSL_REDIRECT": "true",
    }
    # What differs from the containers: addresses of this machine's services, and paths that
    # would be volumes or tmpfs there.
    media = tmp / "media"
    local = {
        "DATABASE_URL": _database_url(),
        "REDIS_URL": _redis_url(),
        "MEDIA_ROOT": str(media),
        "STATIC_ROOT": str(tmp / "static"),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(tmp),
        "DATABASE_CONN_MAX_AGE": "0",  # no idle connection may hold up the tables' TRUNCATE
    }
    per_service = {
        "web": {
            "GUNICORN_BIND": f"127.0.0.1:{web_port}",
            "PROMETHEUS_MULTIPROC_DIR": str(tmp / "prometheus-web"),
        },
        "worker": {
            "WORKER_METRICS_ADDRESS": f"127.0.0.1:{worker_metrics_port}",
            "PROMETHEUS_MULTIPROC_DIR": str(tmp / "prometheus-worker"),
        },
        "beat": {
            "CELERY_BEAT_SCHEDULE_FILENAME": str(tmp / "celerybeat-schedule"),
            "PROMETHEUS_MULTIPROC_DIR": str(tmp / "prometheus-beat"),
        },
        "migrate": {"PROMETHEUS_MULTIPROC_DIR": str(tmp / "prometheus-migrate")},
    }
    envs = {}
    for service_name in APP_SERVICES:
        service = spec["services"][service_name]
        env = _service_env(service, variables)
        env.update(local)
        env.update(per_service[service_name])
        envs[service_name] = env
    assert envs["web"]["MEDIA_ROOT"] == envs["worker"]["MEDIA_ROOT"]
    broker = redis.Redis.from_url(local["REDIS_URL"])
    broker.flushdb()

    # What building the image does (config/docker/Dockerfile): collect the static files.
    collected = subprocess.run(
        ["python", "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=envs["web"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert collected.returncode == 0, collected.stdout + collected.stderr
    migrate = subprocess.run(
        spec["services"]["migrate"]["command"],
        cwd=ROOT,
        env=envs["migrate"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert migrate.returncode == 0, migrate.stdout + migrate.stderr
    assert "All schemas are up to date." in migrate.stdout

    logs = {name: tmp / f"{name}.log" for name in ("web", "worker", "beat")}
    processes: dict[str, subprocess.Popen[bytes]] = {}
    try:
        for service_name, log_path in logs.items():
            with log_path.open("wb") as log:
                processes[service_name] = subprocess.Popen(
                    spec["services"][service_name]["command"],
                    cwd=ROOT,
                    env=envs[service_name],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
        yield Stack(
            web=f"http://127.0.0.1:{web_port}",
            worker_metrics=f"http://127.0.0.1:{worker_metrics_port}",
            token=token,
            canary=f"cn{secrets.token_hex(8)}",
            logs=logs,
            processes=processes,
            envs=envs,
            beat_schedule=tmp / "celerybeat-schedule",
        )
    finally:
        for process in processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        broker.flushdb()
        broker.close()


def _health_check(service: dict[str, Any], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run a service's health check as Docker would (CMD: the arguments; CMD-SHELL: sh -c)."""
    kind, *arguments = [arg.replace("$$", "$") for arg in service["healthcheck"]["test"]]
    command = ["sh", "-c", arguments[0]] if kind == "CMD-SHELL" else arguments
    # Docker sets HOSTNAME in every container; Celery names the worker celery@<hostname>.
    env = {**env, "HOSTNAME": socket.gethostname()}
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def _metric(page: str, name: str, **labels: str) -> float:
    total = 0.0
    for family in text_string_to_metric_families(page):
        for item in family.samples:
            if item.name == name and all(item.labels.get(k) == v for k, v in labels.items()):
                total += item.value
    return total


def test_the_containers_commands_run_and_answer(stack: Stack) -> None:
    readyz_answers = 0

    def ready() -> bool:
        nonlocal readyz_answers
        response = _request(stack.web, "/readyz")
        readyz_answers += 1
        return response.status == 200

    _wait_for(ready, seconds=START_SECONDS, what="/readyz answering 200", stack=stack)

    def healthy() -> bool:
        response = _request(stack.web, "/healthz")
        return response.status == 200 and json.loads(response.body)["checks"]["workers"]["ok"]

    # The full health check needs a worker's heartbeat in Redis.
    _wait_for(healthy, seconds=START_SECONDS, what="/healthz with a live worker", stack=stack)

    # Production's security headers, and HTTPS for everything but the probes.
    page = _request(stack.web, "/accounts/login/", {"X-Forwarded-Proto": "https"})
    assert page.status == 200
    assert page.headers["Strict-Transport-Security"] == (
        "max-age=2592000; includeSubDomains; preload"
    )
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert page.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "Secure" in page.headers["Set-Cookie"] and "HttpOnly" in page.headers["Set-Cookie"]
    plain = _request(stack.web, "/accounts/login/")
    assert plain.status == 301
    assert plain.headers["Location"] == "https://localhost/accounts/login/"

    # A request id is echoed; a canary in the query string and headers is logged nowhere.
    spoiled = _request(
        stack.web,
        f"/healthz?scope=web&api_key={stack.canary}&token={stack.canary}",
        {"X-Request-ID": "smoke-0001", "Authorization": f"Bearer {stack.canary}"},
    )
    assert spoiled.status == 200
    assert spoiled.headers["X-Request-ID"] == "smoke-0001"

    # Many requests at once reach both gunicorn workers; the metrics add them up.
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _: _request(stack.web, "/readyz").status, range(40)))
    assert statuses == [200] * 40
    readyz_answers += 40
    assert _request(stack.web, "/metrics").status == 401
    metrics = _request(stack.web, "/metrics", {"Authorization": f"Bearer {stack.token}"})
    assert metrics.status == 200
    page_text = metrics.body.decode()
    counted = _metric(page_text, "aihiring_http_request_duration_seconds_count", route="readyz")
    assert counted == readyz_answers
    assert "aihiring_outbox_oldest_unpublished_age_seconds" in page_text

    # The worker runs a task published the way web publishes them, and counts it.
    call = subprocess.run(
        [
            "python",
            "manage.py",
            "shell",
            "-c",
            "from tenants.tasks import sessions_clear_expired; sessions_clear_expired.delay()",
        ],
        cwd=ROOT,
        env=stack.envs["web"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert call.returncode == 0, call.stdout + call.stderr
    assert _request(stack.worker_metrics, "/metrics").status == 401

    def counted_by_worker() -> bool:
        response = _request(
            stack.worker_metrics, "/metrics", {"Authorization": f"Bearer {stack.token}"}
        )
        return (
            _metric(
                response.body.decode(),
                "aihiring_celery_tasks_total",
                task="tenants.tasks.sessions_clear_expired",
                state="success",
            )
            >= 1
        )

    _wait_for(counted_by_worker, seconds=30, what="the worker counting the task", stack=stack)

    # Uploads' directory: the deploy checks of the web container pass (MEDIA_ROOT writable).
    check = subprocess.run(
        ["python", "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=stack.envs["web"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert check.returncode == 0, check.stdout + check.stderr

    # Beat keeps running and keeps its schedule where it was told to.
    _wait_for(
        lambda: list(stack.beat_schedule.parent.glob(stack.beat_schedule.name + "*")),
        seconds=15,
        what="beat writing its schedule file",
        stack=stack,
    )
    # The containers' own health checks pass.
    for name in ("web", "worker", "beat"):
        done = _health_check(compose()["services"][name], stack.envs[name])
        assert done.returncode == 0, f"{name}'s health check: {done.stdout}{done.stderr}"
    for name, process in stack.processes.items():
        assert process.poll() is None, f"{name} stopped:\n{stack.log_text(name)}"

    # Logs: gunicorn's lines are JSON, the access lines carry request id and route, and the
    # canary is nowhere.
    time.sleep(0.5)
    web_lines = [line for line in stack.log_text("web").splitlines() if line.strip()]
    parsed = [json.loads(line) for line in web_lines]
    access = [line for line in parsed if line["logger"] == "gunicorn.access"]
    spoiled_line = next(line for line in access if line.get("request_id") == "smoke-0001")
    assert spoiled_line["route"] == "healthz"
    assert spoiled_line["query"] == "scope=web&api_key=[redacted]&token=[redacted]"
    for name in stack.logs:
        assert stack.canary not in stack.log_text(name), name
    worker_lines = [
        json.loads(line) for line in stack.log_text("worker").splitlines() if line.startswith("{")
    ]
    task_line = next(
        line
        for line in worker_lines
        if line.get("task") == "tenants.tasks.sessions_clear_expired"
        and "succeeded" in line["event"]
    )
    assert task_line["tenant"] == "public"
