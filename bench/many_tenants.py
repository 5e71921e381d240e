"""1,000 client schemas: what provisioning, migrations, routing and the hourly reminder pass
cost, measured when the database holds the small count (100) and again at the full count.

- Provisioning: `tenants.services.client_provision` (a clone of the migrated template
  schema, tenants/schema_clone.py, in one transaction with the client and domain rows) for
  every tenant, one after another; the rate of the first `--small` and of the last `--small`.
- Migrations: `migrate_all` with nothing to apply (its check reads each schema's
  django_migrations), then with a migration to apply in `--pending` schemas (scoring
  0002_joint_calibration taken back by hand: its table and columns dropped and its row
  deleted), with `--parallel 2` and with `--parallel 1` (one after another in-process).
- Routing: an anonymous GET of a workspace's sign-in page on a random host (in-process,
  django.test.Client), with the per-process host memory off (every request looks its domain
  up among all domains) and on; p50 over `--requests` requests.
- Reminders: the hourly pass as beat starts it (`tenants_dispatch` of
  notifications.tasks.reminders_run, batches, one task per tenant) run by a celery worker
  with `--concurrency` processes, every tenant with `--submissions` overdue scorecards of
  one interviewer; beside the same work in this process, tenant after tenant.

Run: .venv/bin/python bench/many_tenants.py [--tenants 1000] [--small 100] [--pending 20]
     [--submissions 5] [--requests 200] [--concurrency 2]
Quick: --tenants 200 --small 100. Last line: RESULT many_tenants ...
"""

import argparse
import datetime as dt
import io
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from worker_kill import BenchWorker, bench_environment, forget_queue, wait_until

ROOT = Path(__file__).resolve().parent.parent
REMINDERS_TASK = "notifications.tasks.reminders_run"
# scoring 0002_joint_calibration, taken back by hand (the same as migrating scoring to 0001).
UNAPPLY_SCORING_0002 = (
    "DROP TABLE {s}.scoring_scoringsettings",
    "ALTER TABLE {s}.scoring_shortlist DROP COLUMN calibration",
    "ALTER TABLE {s}.scoring_shortlistentry DROP COLUMN panel_group, "
    "DROP COLUMN uncalibrated_rank, DROP COLUMN uncalibrated_score",
    "DELETE FROM {s}.django_migrations WHERE app = 'scoring' AND name = '0002_joint_calibration'",
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tenants", type=int, default=1000)
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--pending", type=int, default=20)
    parser.add_argument("--submissions", type=int, default=5)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--redis-db", type=int, default=15)
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args()
    if not 0 < args.small <= args.tenants or args.pending > args.small:
        raise SystemExit("need 0 < --small <= --tenants and --pending <= --small")

    run = uuid.uuid4().hex[:8]
    queue = f"bench-tenants-{run}"
    bench_environment(redis_db=args.redis_db, queue=queue)
    # The worker counts finished reminder tasks of schemas c_rem_<run>_* (bench/reminders.py).
    os.environ["BENCH_RUN"] = run
    sys.path.insert(0, str(ROOT / "bench"))
    from _setup import bench_django_setup

    bench_django_setup()

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client as TestClient
    from django.test.utils import override_settings
    from django.utils import timezone
    from django_redis import get_redis_connection
    from django_tenants.utils import schema_context

    from config.celery import app
    from hiring.models import BriefStatus, Candidate, InterviewAssignment, RoleBrief, Submission
    from notifications.models import Notification, ReminderLog, ReminderSettings
    from notifications.reminders.run import reminders_send_due
    from tenants.middleware import TenantRoutingMiddleware
    from tenants.models import Agency, Client, ClientMembership, User
    from tenants.services import client_provision, template_schema_ensure

    template_schema_ensure(force_check=True)
    redis = get_redis_connection("default")
    runs_key, last_key = f"bench:reminders:{run}:runs", f"bench:reminders:{run}:last"
    failures_key = f"bench:reminders:{run}:failures"
    clients: list[Any] = []
    hosts: list[str] = []
    figures: dict[int, dict[str, float]] = {}
    agency = Agency.objects.create(slug=f"tenants-{run}", name=f"Bench agency {run}")
    worker: BenchWorker | None = None
    outcome = 1

    def provision(count: int) -> float:
        """Seconds per tenant for `count` more tenants."""
        started = time.perf_counter()
        for _ in range(count):
            index = len(clients)
            made = client_provision(slug=f"rem-{run}-{index}", name=f"Tenants {index}")
            clients.append(made.client)
            hosts.append(made.domain)
        return (time.perf_counter() - started) / count

    def reminder_data(batch: list[Any]) -> None:
        """One interviewer per tenant with `--submissions` overdue scorecards."""
        now = timezone.now()
        users = User.objects.bulk_create(
            User(email=f"interviewer-{run}-{c.pk}@bench.example.test", password="!") for c in batch
        )
        ClientMembership.objects.bulk_create(
            ClientMembership(user=u, client=c, role="interviewer")
            for u, c in zip(users, batch, strict=True)
        )
        for client, interviewer in zip(batch, users, strict=True):
            with schema_context(client.schema_name):
                ReminderSettings.objects.create(quiet_hours_start=0, quiet_hours_end=0)
                brief = RoleBrief.objects.create(
                    title="ML engineer", track="python_ai_developer", status=BriefStatus.OPEN
                )
                candidates = Candidate.objects.bulk_create(
                    Candidate(full_name=f"Candidate {j}", email_normalized=f"c{j}@x.test")
                    for j in range(args.submissions)
                )
                submissions = Submission.objects.bulk_create(
                    Submission(
                        brief=brief,
                        candidate=candidate,
                        agency=agency,
                        full_name=candidate.full_name,
                        proof_shipped_solution="Shipped a churn model to production.",
                        right_to_represent_confirmed_at=now,
                    )
                    for candidate in candidates
                )
                InterviewAssignment.objects.bulk_create(
                    InterviewAssignment(
                        submission=s, interviewer=interviewer, due_at=now - dt.timedelta(days=3)
                    )
                    for s in submissions
                )
        connection.set_schema_to_public()

    def count_all(table: str) -> int:
        total = 0
        with connection.cursor() as cursor:
            for start in range(0, len(clients), 200):
                parts = [
                    f'SELECT count(*) AS n FROM "{c.schema_name}".{table}'
                    for c in clients[start : start + 200]
                ]
                cursor.execute(f"SELECT coalesce(sum(n), 0) FROM ({' UNION ALL '.join(parts)}) t")
                total += int(cursor.fetchone()[0])
        return total

    def routing_p50(memory_seconds: float) -> float:
        """Milliseconds, p50, of a sign-in page on random hosts."""
        rng = random.Random(7)
        http = TestClient()
        times = []
        with override_settings(TENANT_ROUTING_CACHE_SECONDS=memory_seconds):
            TenantRoutingMiddleware.forget()
            for number in range(args.requests + 20):
                host = rng.choice(hosts) if memory_seconds <= 0 else hosts[number % 10]
                started = time.perf_counter()
                response = http.get("/accounts/login/", HTTP_HOST=host)
                if response.status_code != 200:
                    raise SystemExit(f"sign-in page on {host}: {response.status_code}")
                if number >= 20:
                    times.append(time.perf_counter() - started)
            TenantRoutingMiddleware.forget()
        connection.set_schema_to_public()
        return statistics.median(times) * 1000

    def migrations(size: int, *, sequential_too: bool) -> dict[str, float]:
        out: dict[str, float] = {}
        started = time.perf_counter()
        call_command("migrate_all", verbosity=0, stdout=io.StringIO())
        out["migrate_noop_s"] = time.perf_counter() - started
        rounds = [2, 1] if sequential_too else [2]
        for parallel in rounds:
            sample = random.Random(size + parallel).sample(clients, args.pending)
            with connection.cursor() as cursor:
                for client in sample:
                    for statement in UNAPPLY_SCORING_0002:
                        cursor.execute(statement.format(s=f'"{client.schema_name}"'))
            started = time.perf_counter()
            call_command("migrate_all", parallel=parallel, verbosity=0, stdout=io.StringIO())
            out[f"migrate_{args.pending}_parallel{parallel}_s"] = time.perf_counter() - started
        return out

    def forget_reminders() -> None:
        """No reminder sent yet in any tenant (they are sent exactly once)."""
        with connection.cursor() as cursor:
            for client in clients:
                cursor.execute(
                    f'TRUNCATE "{client.schema_name}".{ReminderLog._meta.db_table}, '
                    f'"{client.schema_name}".{Notification._meta.db_table}'
                )

    def reminders_pass() -> dict[str, float]:
        nonlocal worker
        forget_reminders()
        redis.delete(runs_key, last_key, failures_key)
        worker = BenchWorker(
            name=f"bench-tenants-{run}",
            queue=queue,
            include="reminders,notifications.tasks",
            concurrency=args.concurrency,
        )
        worker.wait_ready()
        dispatched_at = time.time()
        app.send_task(
            "tenants.tasks.tenants_dispatch",
            kwargs={"task_name": REMINDERS_TASK},
            headers={"_schema_name": settings.PUBLIC_SCHEMA_NAME},
        )

        def finished() -> int:
            return int(redis.get(runs_key) or 0) + int(redis.get(failures_key) or 0)

        if not wait_until(lambda: finished() >= len(clients), timeout=args.timeout):
            raise RuntimeError(f"{finished()} of {len(clients)} tasks ended; {worker.log}")
        celery_seconds = float(redis.get(last_key)) - dispatched_at
        failures = int(redis.get(failures_key) or 0)
        sent = count_all(ReminderLog._meta.db_table)
        worker.stop()
        worker.forget(redis, keep_log=failures > 0)
        worker = None
        forget_reminders()
        started = time.perf_counter()
        for client in clients:
            with schema_context(client.schema_name):
                reminders_send_due()
        baseline_seconds = time.perf_counter() - started
        connection.set_schema_to_public()
        baseline_sent = count_all(ReminderLog._meta.db_table)
        expected = len(clients) * args.submissions
        if sent != expected or baseline_sent != expected or failures:
            raise RuntimeError(
                f"reminders: {sent} by the workers, {baseline_sent} in-process, {expected} "
                f"expected, {failures} failed tasks"
            )
        return {
            "reminders_s": celery_seconds,
            "tasks_per_s": len(clients) / celery_seconds,
            "reminders_baseline_s": baseline_seconds,
        }

    try:
        started = time.perf_counter()
        others = Client.objects.exclude(schema_name="public").count()
        for size in dict.fromkeys((args.small, args.tenants)):
            before = len(clients)
            per_tenant = provision(size - before)
            reminder_data(clients[before:])
            step: dict[str, float] = {"provision_s_per_tenant": per_tenant}
            step["routing_lookup_ms"] = routing_p50(0)
            step["routing_memory_ms"] = routing_p50(10)
            step.update(migrations(size, sequential_too=size == args.small))
            step.update(reminders_pass())
            figures[size] = step
            print(
                f"{size} tenants: provisioning {per_tenant:.3f} s/tenant (the last "
                f"{size if size == args.small else size - args.small}); routing p50 "
                f"{step['routing_lookup_ms']:.2f} ms with the domain look-up, "
                f"{step['routing_memory_ms']:.2f} ms from memory; migrate_all with nothing to "
                f"do {step['migrate_noop_s']:.2f} s"
            )
            for parallel in (2, 1):
                key = f"migrate_{args.pending}_parallel{parallel}_s"
                if key in step:
                    print(
                        f"  migrate_all applying a migration in {args.pending} of {size} "
                        f"schemas, --parallel {parallel}: {step[key]:.2f} s"
                    )
            print(
                f"  reminder pass over {size} tenants with {args.concurrency} worker processes: "
                f"{step['reminders_s']:.2f} s ({step['tasks_per_s']:.1f} tasks/s); in-process "
                f"sequential {step['reminders_baseline_s']:.2f} s"
            )
        total_seconds = time.perf_counter() - started
        small, full = figures[args.small], figures[args.tenants]
        grow = args.tenants / args.small

        def growth(key: str) -> float:
            return full[key] / small[key]

        pending_key = f"migrate_{args.pending}_parallel2_s"
        speedup = small[f"migrate_{args.pending}_parallel1_s"] / small[pending_key]
        print(f"growth {args.small} -> {args.tenants} tenants ({grow:.0f}x):")
        print(f"  provisioning per tenant x{growth('provision_s_per_tenant'):.2f} (flat: 1)")
        print(f"  request with domain look-up x{growth('routing_lookup_ms'):.2f} (flat: 1)")
        print(f"  migrate_all check x{growth('migrate_noop_s'):.2f} (linear: {grow:.0f})")
        print(f"  applying to {args.pending} schemas x{growth(pending_key):.2f} (flat: 1)")
        print(f"  reminder pass x{growth('reminders_s'):.2f} (linear: {grow:.0f})")
        print(
            f"parallel migration speed-up with 2 processes: {speedup:.2f}; reminder pass for "
            f"{args.tenants} tenants {full['reminders_s']:.1f} s (target < 60 s)"
        )
        if others:
            print(f"note: {others} other tenants were in the bench database")
        print(f"bench time {total_seconds:.0f} s")
        print(
            f"RESULT many_tenants tenants={args.tenants} small={args.small} "
            f"provision_s={full['provision_s_per_tenant']:.3f} "
            f"provision_growth={growth('provision_s_per_tenant'):.2f} "
            f"routing_ms={full['routing_lookup_ms']:.2f} "
            f"routing_growth={growth('routing_lookup_ms'):.2f} "
            f"migrate_noop_s={full['migrate_noop_s']:.2f} "
            f"migrate_pending_s={full[pending_key]:.2f} parallel_speedup={speedup:.2f} "
            f"reminders_s={full['reminders_s']:.2f} tasks_per_s={full['tasks_per_s']:.1f} "
            f"reminders_baseline_s={full['reminders_baseline_s']:.2f}"
        )
        outcome = 0
    finally:
        if worker is not None:
            worker.stop()
            worker.forget(redis, keep_log=True)
        forget_queue(redis, queue)
        redis.delete(runs_key, last_key, failures_key)
        connection.set_schema_to_public()
        # The bench database is made afresh by the next benchmark; schemas are dropped here
        # so that a stopped run does not leave a thousand behind for long.
        for client in clients:
            client.auto_drop_schema = True
            client.delete(force_drop=True)
        with connection.cursor() as cursor:
            # Raw deletes: the ORM would look for rows in tenant tables that are gone.
            cursor.execute("DELETE FROM tenants_user WHERE email LIKE %s", [f"interviewer-{run}-%"])
            cursor.execute("DELETE FROM tenants_agency WHERE id = %s", [agency.pk])
    sys.exit(outcome)


if __name__ == "__main__":
    main()
