"""Reminder dispatch over many tenants through real Celery workers.

200 tenants, each with 50 submissions whose scorecards are overdue (one interviewer per
tenant). The timed part is what beat does every hour: one tenants_dispatch for
hiring.tasks.reminders_run, which fans out in batches to one task per tenant, run by a
`celery worker` subprocess (prefork) on a queue of the run's own. It ends when the last
tenant's task has finished (reported by the worker) and every reminder is in the database.
Baseline, in the same run: the same evaluation and sending done in this process, one tenant
after another, without Celery (after the reminders of the first pass are deleted).

Run: .venv/bin/python bench/reminders.py [--tenants 200] [--submissions 50] [--concurrency 2]
     [--redis-db 15]
Last line: RESULT reminders tenants=... tasks=... seconds=... tasks_per_s=... ...
"""

import argparse
import datetime as dt
import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from celery.signals import task_postrun
from worker_kill import BenchWorker, bench_environment, forget_queue, wait_until

ROOT = Path(__file__).resolve().parent.parent
REMINDERS_TASK = "notifications.tasks.reminders_run"


def _count_reminder_runs(
    sender: Any = None, kwargs: Any = None, state: str | None = None, **_: Any
) -> None:
    """In the bench worker: count this run's finished reminder tasks (other tenants of the
    bench database are not ours) and remember when the last one ended."""
    if sender is None or sender.name != REMINDERS_TASK:
        return
    from django_redis import get_redis_connection
    from tenant_schemas_celery.app import get_schema_name_from_task

    run = os.environ["BENCH_RUN"]
    if not str(get_schema_name_from_task(sender, kwargs or {}) or "").startswith(f"c_rem_{run}_"):
        return
    pipe = get_redis_connection("default").pipeline()
    pipe.incr(f"bench:reminders:{run}:{'runs' if state == 'SUCCESS' else 'failures'}")
    pipe.set(f"bench:reminders:{run}:last", repr(time.time()))
    pipe.execute()


if os.environ.get("BENCH_WORKER") == "1":
    task_postrun.connect(_count_reminder_runs, weak=False)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tenants", type=int, default=200)
    parser.add_argument("--submissions", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--redis-db", type=int, default=15)
    parser.add_argument("--timeout", type=float, default=240.0)
    args = parser.parse_args()

    run = uuid.uuid4().hex[:8]
    queue = f"bench-reminders-{run}"
    bench_environment(redis_db=args.redis_db, queue=queue)
    os.environ["BENCH_RUN"] = run
    sys.path.insert(0, str(ROOT / "bench"))
    from _setup import bench_django_setup

    bench_django_setup()

    from django.conf import settings
    from django.db import connection
    from django.utils import timezone
    from django_redis import get_redis_connection
    from django_tenants.utils import schema_context

    from config.celery import app
    from hiring.models import BriefStatus, Candidate, InterviewAssignment, RoleBrief, Submission
    from notifications.models import Notification, ReminderLog, ReminderSettings
    from notifications.reminders.run import reminders_send_due
    from tenants.models import Agency, Client, ClientMembership, User
    from tenants.services import client_provision, template_schema_ensure

    template_schema_ensure(force_check=True)
    redis = get_redis_connection("default")
    runs_key, last_key = f"bench:reminders:{run}:runs", f"bench:reminders:{run}:last"
    failures_key = f"bench:reminders:{run}:failures"
    expected = args.tenants * args.submissions
    clients: list[Client] = []
    users: list[User] = []
    agency: Agency | None = None
    worker: BenchWorker | None = None
    outcome = 1

    def count_all(table: str, where: str = "") -> int:
        """One query over every bench schema."""
        parts = [f'SELECT count(*) AS n FROM "{c.schema_name}".{table} {where}' for c in clients]
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT coalesce(sum(n), 0) FROM ({' UNION ALL '.join(parts)}) t")
            return int(cursor.fetchone()[0])

    try:
        started = time.perf_counter()
        for index in range(args.tenants):
            clients.append(
                client_provision(slug=f"rem-{run}-{index}", name=f"Reminders {index}").client
            )
        provision_seconds = time.perf_counter() - started

        started = time.perf_counter()
        now = timezone.now()
        agency = Agency.objects.create(slug=f"rem-{run}", name=f"Bench agency {run}")
        users = User.objects.bulk_create(
            [
                User(email=f"interviewer-{run}-{i}@bench.example.test", password="!")
                for i in range(args.tenants)
            ]
        )
        ClientMembership.objects.bulk_create(
            [
                ClientMembership(user=user, client=client, role="interviewer")
                for user, client in zip(users, clients, strict=True)
            ]
        )
        for client, interviewer in zip(clients, users, strict=True):
            with schema_context(client.schema_name):
                # No quiet hours, so the bench measures the same work at any hour of the day.
                ReminderSettings.objects.create(quiet_hours_start=0, quiet_hours_end=0)
                brief = RoleBrief.objects.create(
                    title="ML engineer", track="python_ai_developer", status=BriefStatus.OPEN
                )
                candidates = Candidate.objects.bulk_create(
                    [
                        Candidate(
                            full_name=f"Candidate {j}",
                            email_normalized=f"c{j}@bench.example.test",
                        )
                        for j in range(args.submissions)
                    ]
                )
                submissions = Submission.objects.bulk_create(
                    [
                        Submission(
                            brief=brief,
                            candidate=candidate,
                            agency=agency,
                            full_name=candidate.full_name,
                            proof_shipped_solution="Shipped a churn model to production.",
                            right_to_represent_confirmed_at=now,
                        )
                        for candidate in candidates
                    ]
                )
                InterviewAssignment.objects.bulk_create(
                    [
                        InterviewAssignment(
                            submission=submission,
                            interviewer=interviewer,
                            due_at=now - dt.timedelta(days=3),
                        )
                        for submission in submissions
                    ]
                )
        connection.set_schema_to_public()
        data_seconds = time.perf_counter() - started
        print(
            f"provisioned {args.tenants} tenants in {provision_seconds:.1f}s; "
            f"{expected} overdue scorecards written in {data_seconds:.1f}s"
        )

        others = (
            Client.objects.filter(is_active=True).exclude(schema_name="public").count()
            - args.tenants
        )
        if others:
            print(f"note: the dispatcher also reaches {others} other tenants of the bench database")
        worker = BenchWorker(
            name=f"bench-rem-{run}",
            queue=queue,
            include="reminders,notifications.tasks",
            concurrency=args.concurrency,
        )
        worker.wait_ready()

        # --- timed: beat's hourly dispatch through real workers --------------------------------
        dispatched_at = time.time()
        app.send_task(
            "tenants.tasks.tenants_dispatch",
            kwargs={"task_name": REMINDERS_TASK},
            headers={"_schema_name": settings.PUBLIC_SCHEMA_NAME},
        )

        def finished_tasks() -> int:
            return int(redis.get(runs_key) or 0) + int(redis.get(failures_key) or 0)

        if not wait_until(lambda: finished_tasks() >= args.tenants, timeout=args.timeout):
            raise RuntimeError(f"{finished_tasks()} of {args.tenants} tasks ended; {worker.log}")
        celery_seconds = float(redis.get(last_key)) - dispatched_at
        tasks = int(redis.get(runs_key) or 0)
        if redis.get(failures_key):
            print(f"FAILED tenant tasks: {int(redis.get(failures_key))}; see {worker.log}")
        sent = count_all(ReminderLog._meta.db_table)
        emailed = count_all(Notification._meta.db_table, "WHERE emailed_at IS NOT NULL")
        worker.stop()
        batches = -(-(args.tenants + others) // settings.TENANT_FANOUT_BATCH_SIZE)

        # --- baseline: the same work in this process, tenant after tenant -----------------------
        with connection.cursor() as cursor:
            for client in clients:
                cursor.execute(
                    f'TRUNCATE "{client.schema_name}".{ReminderLog._meta.db_table}, '
                    f'"{client.schema_name}".{Notification._meta.db_table}'
                )
        started = time.perf_counter()
        for client in clients:
            with schema_context(client.schema_name):
                reminders_send_due()
        baseline_seconds = time.perf_counter() - started
        connection.set_schema_to_public()
        baseline_sent = count_all(ReminderLog._meta.db_table)

        speedup = baseline_seconds / celery_seconds
        print(
            f"celery: 1 dispatch + {batches} batch tasks + {tasks} tenant tasks on "
            f"{args.concurrency} worker processes: {celery_seconds:.2f}s, {sent} reminders "
            f"({emailed} emailed), {tasks / celery_seconds:.1f} tenant tasks/s, "
            f"{sent / celery_seconds:.0f} reminders/s"
        )
        print(
            f"baseline, in-process and sequential: {baseline_seconds:.2f}s, {baseline_sent} "
            f"reminders, {baseline_sent / baseline_seconds:.0f} reminders/s"
        )
        print(f"ratio baseline/celery: {speedup:.2f}")
        print(
            f"RESULT reminders tenants={args.tenants} tasks={tasks} seconds={celery_seconds:.2f} "
            f"tasks_per_s={tasks / celery_seconds:.1f} reminders={sent} "
            f"baseline_seconds={baseline_seconds:.2f} ratio={speedup:.2f}"
        )
        outcome = 0 if sent == expected and baseline_sent == expected else 1
    finally:
        if worker is not None:
            worker.stop()
            worker.forget(redis, keep_log=outcome != 0)
        forget_queue(redis, queue)
        redis.delete(runs_key, last_key, failures_key)
        connection.set_schema_to_public()
        for client in Client.objects.filter(slug__startswith=f"rem-{run}-"):
            client.auto_drop_schema = True
            client.delete(force_drop=True)
        with connection.cursor() as cursor:
            # Raw deletes: the ORM would look for rows in tenant tables that are gone.
            cursor.execute("DELETE FROM tenants_user WHERE email LIKE %s", [f"interviewer-{run}-%"])
            if agency is not None:
                cursor.execute("DELETE FROM tenants_agency WHERE id = %s", [agency.pk])
    sys.exit(outcome)


if __name__ == "__main__":
    main()
