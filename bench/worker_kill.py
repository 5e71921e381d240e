"""Fault drill: kill -9 a Celery worker in the middle of 1,000 reminder tasks, restart it, and
count what was delivered, lost and duplicated.

Each task records its execution (a Redis counter per task) and then sends one reminder through
notifications.reminders.delivery.reminder_send_once, whose unique ReminderLog key makes the effect
exactly-once. The worker runs with acks_late (messages are acknowledged after the task), so
the messages of the killed worker stay "unacked" in Redis and are delivered again once the
visibility timeout has passed. Production keeps that timeout at 26 hours (see
docs/reminders.md); this drill gives its two workers 10 seconds so it ends in a minute.

Run: .venv/bin/python bench/worker_kill.py [--tasks 1000] [--kill-after 300] [--redis-db 15]
Last line: RESULT worker_kill tasks=... delivered=... lost=... duplicated=...
(duplicated counts duplicate effects; re-executions are printed separately.)
"""

import argparse
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from celery import shared_task

ROOT = Path(__file__).resolve().parent.parent
DRILL_TASK = "bench.worker_kill.drill_reminder"
DRILL_RULE = "bench_drill"


# --- what runs inside the bench workers ----------------------------------------------------------


@shared_task(name=DRILL_TASK, acks_late=True)
def drill_reminder(*, run: str, index: int, recipient_id: int) -> bool:
    """A reminder-like task: count the execution, take a little time, send one reminder."""
    from django_redis import get_redis_connection

    from notifications.reminders.delivery import reminder_send_once
    from tenants.models import User

    get_redis_connection("default").hincrby(f"bench:worker_kill:{run}:executions", str(index), 1)
    time.sleep(float(os.environ.get("BENCH_TASK_SECONDS", "0.02")))
    return reminder_send_once(
        rule=DRILL_RULE,
        object_key=f"drill:{index}",
        period=run,
        recipient=User.objects.get(pk=recipient_id),
        title=f"Drill reminder {index}",
        body="A reminder sent by the worker-kill drill.",
        link="",
        email_kind="reminder",
    )


def _configure_bench_worker() -> None:
    """Applied when a bench worker imports this module (--include): broker transport options
    for this worker only, e.g. a short visibility timeout for the drill."""
    raw = os.environ.get("BENCH_BROKER_TRANSPORT_OPTIONS")
    if not raw:
        return
    from config.celery import app

    app.conf.broker_transport_options = {
        **(app.conf.broker_transport_options or {}),
        **json.loads(raw),
    }


if os.environ.get("BENCH_WORKER") == "1":
    _configure_bench_worker()


# --- helpers shared with bench/reminders.py ---------------------------------------------------


def redis_url_with_db(url: str, db: int) -> str:
    base, _, last = url.rstrip("/").rpartition("/")
    if last.isdigit() and base.count("/") >= 2:
        return f"{base}/{db}"
    return f"{url.rstrip('/')}/{db}"


def bench_environment(*, redis_db: int, queue: str) -> None:
    """Point this process (and the workers it starts) at the bench database, a Redis database
    of the bench's own and a queue of the run's own, before Django starts."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from config import devservices

    resolved = devservices.resolve()
    redis_url = (
        os.environ.get("REDIS_URL") or resolved.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    )
    os.environ["REDIS_URL"] = redis_url_with_db(redis_url, redis_db)
    os.environ.pop("CELERY_BROKER_URL", None)
    # Progress is read from the database and Redis counters: no task results to store.
    os.environ["CELERY_RESULT_BACKEND"] = "disabled"
    os.environ["CELERY_TASK_DEFAULT_QUEUE"] = queue
    # The base settings: no DEBUG query log, and a mail backend chosen by EMAIL_BACKEND alone.
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ.setdefault("LOG_LEVEL", "WARNING")


class BenchWorker:
    """A `celery worker` subprocess in a process group of its own, on the run's queue and its
    workload queues (config/celery_queues.py)."""

    def __init__(
        self,
        *,
        name: str,
        queue: str,
        include: str,
        concurrency: int = 2,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        from config.celery_queues import queue_names

        self.nodename = f"{name}@{socket.gethostname()}"
        self.log = Path(tempfile.gettempdir()) / f"{name}.log"
        env = {
            **os.environ,
            "BENCH_WORKER": "1",
            "PYTHONPATH": os.pathsep.join([str(ROOT / "bench"), str(ROOT)]),
            **(extra_env or {}),
        }
        command = [
            sys.executable, "-m", "celery", "-A", "config", "worker",
            "--pool=prefork", f"--concurrency={concurrency}", "-Q", ",".join(queue_names(queue)),
            "-n", self.nodename, "--include", include,
            "--loglevel=WARNING", "--without-gossip", "--without-mingle",
        ]  # fmt: skip
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip

    def wait_ready(self, timeout: float = 60.0) -> None:
        from redis.exceptions import ConnectionError as RedisConnectionError

        from config.celery import app

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited early; see {self.log}")
            try:
                if app.control.ping(destination=[self.nodename], timeout=0.5):
                    return
            except (OSError, RedisConnectionError):  # the broker restarted: ask again
                time.sleep(0.2)
        raise RuntimeError(f"worker did not answer within {timeout}s; see {self.log}")

    def kill(self) -> None:
        """kill -9 the whole process group: the main process and its pool children."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self, timeout: float = 20.0) -> None:
        """Warm shutdown (finish running tasks), then kill what is left."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=timeout)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # stray pool children, if any
        if self.process.poll() is None:
            self.process.wait(timeout=10)

    def forget(self, redis: Any, *, keep_log: bool) -> None:
        """Remove what a worker leaves in Redis when it cannot say goodbye (kill -9), and its
        log unless the run failed (then the log's path is printed)."""
        for member in redis.smembers("_kombu.binding.celery.pidbox"):
            if self.nodename.encode() in member:
                redis.srem("_kombu.binding.celery.pidbox", member)
        from tenants.worker_heartbeat import KEY_PREFIX

        redis.delete(f"{self.nodename}.celery.pidbox", f"{KEY_PREFIX}{self.nodename}")
        if keep_log:
            print(f"worker log: {self.log}")
        else:
            self.log.unlink(missing_ok=True)


def forget_queue(redis: Any, queue: str) -> None:
    """Remove the run's queues (its own and its workload queues) and their bindings."""
    from config.celery_queues import queue_names

    for name in queue_names(queue):
        redis.delete(name, f"_kombu.binding.{name}", f"_kombu.binding_permanent.{name}")


def wait_until(predicate: Any, *, timeout: float, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


# --- the drill ----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--kill-after", type=int, default=300, help="executions before kill -9")
    parser.add_argument("--task-seconds", type=float, default=0.02)
    parser.add_argument("--visibility-timeout", type=int, default=10)
    parser.add_argument("--redis-db", type=int, default=15)
    parser.add_argument("--timeout", type=float, default=180.0)
    args = parser.parse_args()

    run = uuid.uuid4().hex[:8]
    queue = f"bench-worker-kill-{run}"
    bench_environment(redis_db=args.redis_db, queue=queue)
    sys.path.insert(0, str(ROOT / "bench"))
    from _setup import bench_django_setup

    bench_django_setup()

    from django.db import connection
    from django_redis import get_redis_connection
    from django_tenants.utils import schema_context

    from notifications.models import Notification, ReminderLog, ReminderSettings
    from tenants.models import Client, ClientMembership, User
    from tenants.services import client_provision, template_schema_ensure
    from tenants.tasks import send_to_tenant

    template_schema_ensure(force_check=True)
    redis = get_redis_connection("default")
    executions_key = f"bench:worker_kill:{run}:executions"
    # Keys of this run's own: another worker on the same Redis database never touches them.
    transport = {
        "visibility_timeout": args.visibility_timeout,
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
        "unacked_key": f"unacked-{run}",
        "unacked_index_key": f"unacked_index-{run}",
        "unacked_mutex_key": f"unacked_mutex-{run}",
        "unacked_mutex_expire": 5,
    }
    worker_env = {
        "BENCH_BROKER_TRANSPORT_OPTIONS": json.dumps(transport),
        "BENCH_TASK_SECONDS": str(args.task_seconds),
    }
    slug = f"wk-{run}"
    provisioned = client_provision(slug=slug, name=f"Worker kill drill {run}")
    client = provisioned.client
    user = User.objects.create_user(email=f"drill-{run}@bench.example.test", password=None)
    ClientMembership.objects.create(user=user, client=client, role="interviewer")
    with schema_context(client.schema_name):
        ReminderSettings.objects.create(quiet_hours_start=0, quiet_hours_end=0)

    def effects() -> tuple[int, int, int]:
        with schema_context(client.schema_name):
            rows = ReminderLog.objects.filter(rule=DRILL_RULE, period=run)
            distinct = rows.values("object_key").distinct().count()
            return rows.count(), distinct, Notification.objects.filter(kind=DRILL_RULE).count()

    def executed() -> int:
        return int(redis.hlen(executions_key))

    def queue_empty() -> bool:
        return not redis.llen(queue) and not redis.hlen(transport["unacked_key"])

    workers: list[BenchWorker] = []
    outcome = 1
    try:
        first = BenchWorker(
            name=f"bench-wk-{run}-1", queue=queue, include="worker_kill", extra_env=worker_env
        )
        workers.append(first)
        first.wait_ready()
        started = time.perf_counter()
        for index in range(args.tasks):
            send_to_tenant(
                task_name=DRILL_TASK,
                schema_name=client.schema_name,
                kwargs={"run": run, "index": index, "recipient_id": user.pk},
            )
        connection.set_schema_to_public()
        queued_seconds = time.perf_counter() - started
        if not wait_until(lambda: executed() >= args.kill_after, timeout=args.timeout):
            raise RuntimeError(f"fewer than {args.kill_after} executions; see {first.log}")
        first.kill()
        at_kill = executed()
        rows_at_kill = effects()[0]
        print(
            f"queued {args.tasks} tasks in {queued_seconds:.2f}s; killed the worker (kill -9 of "
            f"its process group) after {at_kill} executions, {rows_at_kill} reminders sent"
        )

        restarted_at = time.perf_counter()
        second = BenchWorker(
            name=f"bench-wk-{run}-2", queue=queue, include="worker_kill", extra_env=worker_env
        )
        workers.append(second)
        second.wait_ready()
        drained = wait_until(
            lambda: effects()[1] >= args.tasks and queue_empty(), timeout=args.timeout
        )
        recovery_seconds = time.perf_counter() - restarted_at
        time.sleep(1.0)  # let a last redelivered duplicate, if any, finish
        second.stop()
        rows, delivered, notifications = effects()
        per_task = [int(v) for v in redis.hvals(executions_key)]
        executions = sum(per_task)
        re_executions = executions - len(per_task)
        duplicated = max(rows - delivered, notifications - delivered)
        lost = args.tasks - delivered
        print(
            f"restarted; queue {'drained' if drained else 'NOT drained'} after "
            f"{recovery_seconds:.1f}s (visibility timeout for the drill: "
            f"{args.visibility_timeout}s; production keeps 26 h)"
        )
        print(
            f"executions: {executions} for {len(per_task)} tasks "
            f"({re_executions} re-executions after the kill)"
        )
        print(
            f"effects: {rows} reminder log rows, {notifications} notifications, "
            f"{delivered} distinct reminders; duplicate effects: {duplicated}"
        )
        print(
            f"RESULT worker_kill tasks={args.tasks} delivered={delivered} lost={lost} "
            f"duplicated={duplicated}"
        )
        outcome = 0 if lost == 0 and duplicated == 0 else 1
    finally:
        for worker in workers:
            worker.stop()
        for worker in workers:
            worker.forget(redis, keep_log=outcome != 0)
        forget_queue(redis, queue)
        redis.delete(executions_key, *[transport[k] for k in ("unacked_key",
                     "unacked_index_key", "unacked_mutex_key")])  # fmt: skip
        connection.set_schema_to_public()
        for leftover in Client.objects.filter(slug=slug):
            leftover.auto_drop_schema = True
            leftover.delete(force_drop=True)
        # Raw delete: the ORM would look for the user's rows in tenant tables that are gone.
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM tenants_user WHERE id = %s", [user.pk])
    sys.exit(outcome)


if __name__ == "__main__":
    main()
