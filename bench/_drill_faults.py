"""Fault drills (`make drill-faults`): PostgreSQL restarted, Redis stopped and a Celery worker
killed with -9, each in the middle of traffic, on servers of the drill's own.

Servers: a private PostgreSQL cluster (initdb + pg_ctl from /usr/lib/postgresql/*/bin, a temp
dir, a spare port) and a private redis-server on a spare port (with an append-only file, as
in the compose file; DRILL_REDIS_PERSISTENT=0: in memory only, so that it comes back empty),
so that restarting or stopping them disturbs nobody. With DRILL_RESTART_POSTGRES=1 the drill
uses the machine's PostgreSQL instead (database BENCH_DATABASE + "_faults") and restarts THE
REAL SERVER with `pg_ctlcluster --skip-systemctl-redirect <version> main restart`.

Processes: gunicorn with production settings (3 sync workers), one Celery worker consuming
every queue (acks_late; a 10 s visibility timeout for the drill, production keeps 26 h), beat,
and a webhook receiver (a real HTTP server in this process) subscribed to submission.created
with a client key. Load: 8 agency integrations submitting with Idempotency-Keys (a failed or
unanswered request is sent again with the same key, as a client should) and an executive
reading shortlist pages.

1. PostgreSQL restart (pg_ctl restart -m fast) under load: failed requests are counted, the
   recovery time is from the restart to the first 201 after it, and every 201 must have its
   row (nothing committed lost) and no key two rows.
2. Redis stopped for 10 s under load: the shortlist pages (reads) keep answering 200,
   /readyz answers 503, submissions keep being committed with their outbox events; when
   Redis is back the relay publishes every event and every webhook is delivered.
3. kill -9 of the worker (its process group) while it runs a CSV import of 400 rows,
   shortlist recomputes of every open brief and webhook deliveries (the receiver answers
   slowly); a new worker starts: the import finishes with each row once, every recompute asked
   for runs (counted by bench/_drill_worker.py in the workers), every event since the
   subscription is delivered, one delivery row per event.

Run: .venv/bin/python bench/_drill_faults.py
Last line: RESULT drill_faults pg_errors=... pg_recovery_s=... lost=... duplicated=... ...
(exit status 0 only when nothing was lost or duplicated and Redis' outage behaved as above)
"""

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _drill_common import (
    BIN,
    ROOT,
    Gunicorn,
    PrivatePostgres,
    PrivateRedis,
    collectstatic,
    configured_urls,
    drill_django_setup,
    drill_workdir,
    free_port,
    new_secret_key,
    production_env,
    request,
    restart_shared_postgres,
    submission_body,
    with_database,
    workspace_seed,
)
from _drill_worker import RUNS_KEY
from worker_kill import BenchWorker, wait_until

AGENCY_THREADS = 8
IMPORT_ROWS = 400
VISIBILITY_TIMEOUT = 10


# --- the webhook receiver -----------------------------------------------------------------------


class Receiver:
    """A real HTTP endpoint: counts each webhook-id it is sent; answers slowly on demand."""

    def __init__(self) -> None:
        self.seen: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.delay = 0.0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                time.sleep(receiver.delay)
                del body
                with receiver.lock:
                    receiver.seen[self.headers.get("webhook-id", "")] += 1
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def messages(self) -> Counter[str]:
        with self.lock:
            return Counter(self.seen)


# --- load ---------------------------------------------------------------------------------------


class Load:
    """Agency integrations submitting (retrying with the same key until a 201 or 60 s), an
    executive reading shortlist pages, a probe of /readyz; everything timestamped."""

    def __init__(self, port: int, world: Any, cookie_name: str) -> None:
        self.port = port
        self.world = world
        self.cookie = f"{cookie_name}={world.executive_cookies[0]}"
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.created: dict[str, str] = {}  # idempotency key -> submission id
        self.given_up: list[tuple[str, int]] = []  # (key, last status) without a 201
        self.events: list[tuple[float, str, int]] = []  # (time, kind, status)
        self.threads = [
            threading.Thread(target=self._agency, args=(n,), daemon=True)
            for n in range(AGENCY_THREADS)
        ]
        self.threads.append(threading.Thread(target=self._reader, daemon=True))
        self.threads.append(threading.Thread(target=self._ready_probe, daemon=True))

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=90)

    def _note(self, kind: str, status: int) -> None:
        with self.lock:
            self.events.append((time.monotonic(), kind, status))

    def _agency(self, n: int) -> None:
        key = self.world.agency_keys[n % len(self.world.agency_keys)]
        headers = {
            "Host": self.world.host,
            "X-Forwarded-Proto": "https",
            "Authorization": f"Bearer {key}",
            "Content-Type": "application/json",
        }
        while not self.stop.is_set():
            idem = str(uuid.uuid4())
            body = json.dumps(
                submission_body(self.world.drill_briefs[n % 2], f"fault-{idem}@candidates.example")
            ).encode()
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                answer = request(
                    self.port, "POST", "/api/v1/submissions/",
                    {**headers, "Idempotency-Key": idem}, body, timeout=15,
                )  # fmt: skip
                self._note("submit", answer.status)
                if answer.status == 201:
                    with self.lock:
                        self.created[idem] = json.loads(answer.body)["id"]
                    break
                if answer.status not in (0, 409, 500, 502, 503, 504):
                    break  # a 4xx that a retry would not change: counted as an error
                time.sleep(0.5)
            if idem not in self.created:
                with self.lock:
                    self.given_up.append((idem, answer.status))
            time.sleep(0.2)

    def _reader(self) -> None:
        headers = {"Host": self.world.host, "X-Forwarded-Proto": "https", "Cookie": self.cookie}
        n = 0
        while not self.stop.is_set():
            path = self.world.shortlist_paths[n % len(self.world.shortlist_paths)]
            n += 1
            self._note("page", request(self.port, "GET", path, headers, timeout=15).status)
            time.sleep(0.3)

    def _ready_probe(self) -> None:
        headers = {"Host": self.world.host}
        while not self.stop.is_set():
            self._note("readyz", request(self.port, "GET", "/readyz", headers, timeout=10).status)
            time.sleep(0.5)

    def window(self, kind: str, start: float, end: float) -> Counter[int]:
        with self.lock:
            return Counter(s for t, k, s in self.events if k == kind and start <= t < end)

    def first_success_after(self, kind: str, start: float) -> float | None:
        with self.lock:
            times = [t for t, k, s in self.events if k == kind and s in (200, 201) and t > start]
        return min(times) if times else None


def errors_of(counts: Counter[int]) -> int:
    return sum(n for status, n in counts.items() if status not in (200, 201))


def fmt(counts: Counter[int]) -> str:
    return ", ".join(f"{status or 'no answer'}: {n}" for status, n in sorted(counts.items()))


# --- the drill ----------------------------------------------------------------------------------


def main() -> None:
    run = uuid.uuid4().hex[:8]
    queue = f"drill-faults-{run}"
    workdir = drill_workdir("drill-faults")
    shared_postgres = os.environ.get("DRILL_RESTART_POSTGRES") == "1"
    postgres = None
    if shared_postgres:
        database = with_database(
            configured_urls()[0], os.environ.get("BENCH_DATABASE", "aihiring_bench") + "_faults"
        )
    else:
        postgres = PrivatePostgres(workdir)
        database = with_database(postgres.url, "aihiring_drill")
    # DRILL_REDIS_PERSISTENT=0: Redis comes back empty (no append-only file), the worst case.
    redis_server = PrivateRedis(
        workdir, persistent=os.environ.get("DRILL_REDIS_PERSISTENT", "1") != "0"
    )
    redis_url = redis_server.url
    secret_key = new_secret_key()
    receiver = Receiver()
    # The worker and beat started below inherit this process's environment.
    os.environ["WEBHOOK_REQUIRE_HTTPS"] = "false"
    os.environ["WEBHOOK_ALLOWED_PRIVATE_TARGETS"] = f"127.0.0.1:{receiver.port}"
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    drill_django_setup(
        database_url=database, redis_url=redis_url, secret_key=secret_key, queue=queue
    )
    where = (
        "the machine's own (DRILL_RESTART_POSTGRES=1)"
        if postgres is None
        else f"private on port {postgres.port}"
    )
    print(
        f"servers: PostgreSQL {where}, Redis private on port {redis_server.port}, "
        f"webhook receiver on port {receiver.port}"
    )

    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django_redis import get_redis_connection
    from django_tenants.utils import schema_context

    from api.models import DeliveryStatus, WebhookDelivery
    from audit.actors import Actor
    from hiring.models import ImportJob, RoleBrief, Submission
    from hiring.models.imports import ImportStatus
    from hiring.services.imports import import_job_create
    from outbox.models import OutboxEvent
    from scoring.models import Shortlist
    from scoring.tasks.shortlists import RECOMPUTE_TASK, shortlist_request
    from tenants.models import Agency

    world = workspace_seed(agencies=2, keys_per_agency=4, client_keys=1)
    env = production_env(
        database_url=database,
        redis_url=redis_url,
        base_domain=settings.BASE_DOMAIN,
        secret_key=secret_key,
        queue=queue,
        workdir=workdir,
    )
    env["DATABASE_CONN_MAX_AGE"] = "60"
    collectstatic(env)
    transport = {
        "visibility_timeout": VISIBILITY_TIMEOUT,
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
        "unacked_mutex_expire": 5,
    }
    worker_env = {"BENCH_BROKER_TRANSPORT_OPTIONS": json.dumps(transport)}
    server = Gunicorn(env, workers=3, log=workdir / "gunicorn.log")
    workers: list[BenchWorker] = []
    beat: subprocess.Popen[bytes] | None = None
    load: Load | None = None
    results: dict[str, Any] = {}
    outcome = 1
    try:
        server.wait_ready(world.host)
        workers.append(
            BenchWorker(name=f"drill-{run}-1", queue=queue, include="worker_kill,_drill_worker",
                        concurrency=2, extra_env=worker_env)
        )  # fmt: skip
        workers[-1].wait_ready()
        with (workdir / "beat.log").open("wb") as beat_log:
            beat = subprocess.Popen(
                [str(BIN / "celery"), "-A", "config", "beat", "--loglevel=WARNING",
                 f"--schedule={workdir / 'celerybeat-schedule'}"],
                cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=beat_log,
                stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        client_headers = {
            "Host": world.host,
            "X-Forwarded-Proto": "https",
            "Authorization": f"Bearer {world.client_keys[0]}",
            "Content-Type": "application/json",
        }
        subscribed = request(
            server.port, "POST", "/api/v1/webhooks/", client_headers,
            json.dumps({"url": f"http://127.0.0.1:{receiver.port}/hook",
                        "event_types": ["submission.created"]}).encode(),
        )  # fmt: skip
        if subscribed.status != 201:
            raise SystemExit(f"webhook subscription: {subscribed.status} {subscribed.body[:300]!r}")
        from api.models import WebhookSubscription

        with schema_context(world.schema):
            subscribed_at = WebhookSubscription.objects.get(
                public_id=json.loads(subscribed.body)["id"]
            ).created_at

        load = Load(server.port, world, settings.SESSION_COOKIE_NAME)
        load.start()
        time.sleep(6)

        # --- 1. PostgreSQL restarted -------------------------------------------------------
        print("1. PostgreSQL restart under load ...", flush=True)
        restart_at = time.monotonic()
        if postgres is not None:
            postgres.restart()
        else:
            restart_shared_postgres()
        restarted = time.monotonic()
        from django.db import connection

        connection.close()  # this process's own connection died with the server
        time.sleep(10)
        recovered_at = load.first_success_after("submit", restarted)
        submit_window = load.window("submit", restart_at, time.monotonic())
        page_window = load.window("page", restart_at, time.monotonic())
        results["pg_restart_s"] = restarted - restart_at
        results["pg_errors"] = errors_of(submit_window) + errors_of(page_window)
        results["pg_recovery_s"] = (
            (recovered_at - restart_at) if recovered_at is not None else float("inf")
        )
        print(
            f"   restart took {results['pg_restart_s']:.1f}s; submissions in the 10 s after: "
            f"{fmt(submit_window)}; pages: {fmt(page_window)}; first 201 "
            f"{results['pg_recovery_s']:.1f}s after the restart began"
        )

        # --- 2. Redis stopped ----------------------------------------------------------------
        print("2. Redis stopped for 10 s under load ...", flush=True)
        stopped_at = time.monotonic()
        redis_server.stop()
        with schema_context(world.schema):
            events_before = OutboxEvent.objects.filter(event_type="submission.created").count()
        time.sleep(10)
        during = (stopped_at + 1, time.monotonic())
        pages = load.window("page", *during)
        ready = load.window("readyz", *during)
        submits = load.window("submit", *during)
        with schema_context(world.schema):
            events_during = (
                OutboxEvent.objects.filter(event_type="submission.created").count() - events_before
            )
        redis_server.start()
        results["redis_page_ok"] = pages.get(200, 0)
        results["redis_page_errors"] = errors_of(pages)
        results["redis_readyz_503"] = ready.get(503, 0)
        results["redis_readyz_200"] = ready.get(200, 0)
        print(
            f"   while Redis was down: shortlist pages {fmt(pages)}; /readyz {fmt(ready)}; "
            f"submissions {fmt(submits)} ({events_during} outbox events committed)"
        )

        # --- 3. worker killed -9 ----------------------------------------------------------------
        print(
            "3. kill -9 of the worker during an import, recomputes and deliveries ...", flush=True
        )
        sys.path.insert(0, str(ROOT / "bench"))
        from import_csv import build_csv

        receiver.delay = 0.3
        with schema_context(world.schema):
            agency = Agency.objects.get(slug="northstar")
            brief = RoleBrief.objects.get(public_id=world.drill_briefs[0])
            csv_path = workdir / "drill.csv"
            build_csv(path=csv_path, brief_id=str(brief.public_id), rows=IMPORT_ROWS, run=run)
            job = import_job_create(
                actor=Actor(kind="system", ref="drill"),
                agency=agency,
                upload=SimpleUploadedFile("drill.csv", csv_path.read_bytes()),
            )
            open_briefs = [str(b) for b in RoleBrief.objects.filter(status="open").values_list(
                "public_id", flat=True)]  # fmt: skip

        def import_done_rows() -> int:
            with schema_context(world.schema):
                return ImportJob.objects.get(pk=job.pk).done_rows

        wait_until(lambda: import_done_rows() >= IMPORT_ROWS // 4, timeout=180)
        # Recomputes asked for now are waiting out their debounce (an ETA task the worker
        # holds, unacknowledged) when the worker dies.
        redis = get_redis_connection("default")
        redis.delete(RUNS_KEY)
        with schema_context(world.schema):
            for public_id in open_briefs:
                redis.delete(f"shortlist-pending:{world.schema}:{public_id}")
                shortlist_request(brief_public_id=public_id)
        time.sleep(1)
        kill_at_rows = import_done_rows()
        killed_at = time.monotonic()
        workers[-1].kill()
        print(f"   killed the worker at {kill_at_rows}/{IMPORT_ROWS} import rows")
        time.sleep(2)
        workers.append(
            BenchWorker(name=f"drill-{run}-2", queue=queue, include="worker_kill,_drill_worker",
                        concurrency=2, extra_env=worker_env)
        )  # fmt: skip
        workers[-1].wait_ready()
        time.sleep(5)
        load.finish()
        receiver.delay = 0.0

        def settled() -> bool:
            with schema_context(world.schema):
                job_done = ImportJob.objects.get(pk=job.pk).status in (
                    ImportStatus.DONE, ImportStatus.FAILED,
                )  # fmt: skip
                events = OutboxEvent.objects.filter(
                    event_type="submission.created", created_at__gte=subscribed_at
                )
                unpublished = events.filter(published_at__isnull=True).count()
                undelivered = (
                    WebhookDelivery.objects.exclude(status=DeliveryStatus.DELIVERED).count()
                    + events.count()
                    - WebhookDelivery.objects.filter(event__in=events).count()
                )
            recomputed = len(recompute_runs())
            return (
                job_done and unpublished == 0 and undelivered == 0
                and recomputed == len(open_briefs)
            )  # fmt: skip

        def recompute_runs() -> dict[str, int]:
            runs = {}
            for field, count in redis.hgetall(RUNS_KEY).items():
                name, _, kwargs = field.decode().partition(":")
                if name == RECOMPUTE_TASK:
                    runs[json.loads(kwargs)["brief_public_id"]] = int(count)
            return runs

        drained = wait_until(settled, timeout=300, interval=1.0)
        results["worker_recovery_s"] = time.monotonic() - killed_at
        time.sleep(2)

        # --- the ledger against the database --------------------------------------------------
        with schema_context(world.schema):
            job = ImportJob.objects.get(pk=job.pk)
            imported = Counter(
                Submission.objects.filter(email__startswith=f"bench.{run}.").values_list(
                    "email", flat=True
                )
            )
            api_rows = Counter(
                str(p)
                for p in Submission.objects.filter(
                    email__startswith="fault-", brief__public_id__in=world.drill_briefs
                ).values_list("public_id", flat=True)
            )
            # Events since the subscription: earlier ones (the seed's) have no receiver.
            events = OutboxEvent.objects.filter(
                event_type="submission.created", created_at__gte=subscribed_at
            )
            event_count = events.count()
            unpublished = events.filter(published_at__isnull=True).count()
            deliveries = Counter(
                WebhookDelivery.objects.filter(event__in=events).values_list("event_id", flat=True)
            )
            delivered = WebhookDelivery.objects.filter(
                event__in=events, status=DeliveryStatus.DELIVERED
            ).count()
            event_ids = [str(p) for p in events.values_list("public_id", flat=True)]
            versions = Counter(Shortlist.objects.values_list("brief_id", "version"))
        created_ids = Counter(load.created.values())
        given_up = len(load.given_up)
        lost_201 = sum(1 for sid in created_ids if api_rows.get(sid) != 1)
        rows_without_201 = sum(1 for sid in api_rows if sid not in created_ids)
        seen = receiver.messages()
        missing_at_receiver = sum(1 for event_id in event_ids if event_id not in seen)
        resent = sum(n - 1 for n in seen.values() if n > 1)
        import_duplicates = sum(n - 1 for n in imported.values())
        import_lost = IMPORT_ROWS - len(imported)
        runs = recompute_runs()
        recompute_missing = len(set(open_briefs) - set(runs))
        recompute_reruns = sum(n - 1 for n in runs.values())
        duplicate_versions = sum(n - 1 for n in versions.values())
        delivery_duplicates = sum(n - 1 for n in deliveries.values())
        lost = lost_201 + import_lost + unpublished + (event_count - len(deliveries)) + (
            len(deliveries) - delivered) + missing_at_receiver + recompute_missing  # fmt: skip
        # Rows whose request was committed but never answered 201 within the client's 60 s of
        # retries (its idempotency record was left in flight): reported, not duplicates.
        duplicated = import_duplicates + duplicate_versions + delivery_duplicates
        print(
            f"   {'drained' if drained else 'NOT drained'} {results['worker_recovery_s']:.1f}s "
            f"after the kill: import {job.status}, {len(imported)} of {IMPORT_ROWS} rows "
            f"({import_duplicates} twice); recomputes asked for just before the kill ran for "
            f"{len(open_briefs) - recompute_missing} of {len(open_briefs)} open briefs "
            f"({recompute_reruns} ran twice, harmless: a recompute is idempotent), "
            f"{duplicate_versions} duplicate shortlist versions"
        )
        print(
            f"ledger: {len(created_ids)} submissions answered 201 by the API ({given_up} "
            f"keys given up after 60 s of retries: {Counter(s for _, s in load.given_up)}): "
            f"{lost_201} without "
            f"exactly one row, {rows_without_201} rows committed without a 201 reaching the "
            f"client; {event_count} "
            f"submission.created events ({unpublished} unpublished), {len(deliveries)} delivery "
            f"rows ({delivery_duplicates} extra), {delivered} delivered, {missing_at_receiver} "
            f"never reached the receiver, {resent} sent again after a kill or restart (same "
            f"webhook-id: receivers dedupe)"
        )
        print(
            f"RESULT drill_faults pg_errors={results['pg_errors']} "
            f"pg_recovery_s={results['pg_recovery_s']:.1f} "
            f"redis_page_ok={results['redis_page_ok']} "
            f"redis_page_errors={results['redis_page_errors']} "
            f"redis_readyz_503={results['redis_readyz_503']} "
            f"redis_readyz_200={results['redis_readyz_200']} "
            f"worker_recovery_s={results['worker_recovery_s']:.1f} "
            f"submissions={len(created_ids)} imported={len(imported)} events={event_count} "
            f"given_up={given_up} unanswered_rows={rows_without_201} lost={lost} "
            f"duplicated={duplicated} resent={resent}"
        )
        ok = (
            drained
            and lost == 0
            and duplicated == 0
            and results["redis_page_errors"] == 0
            and results["redis_readyz_200"] == 0
            and results["redis_readyz_503"] > 0
        )
        outcome = 0 if ok else 1
    finally:
        if load is not None:
            load.finish()
        if beat is not None and beat.poll() is None:
            beat.terminate()
            beat.wait(timeout=20)
        for worker in workers:
            worker.stop()
        server.stop()
        receiver.server.shutdown()
        redis_server.stop()
        if postgres is not None:
            postgres.stop()
        if outcome:
            print(f"logs kept in {workdir}")
        else:
            import shutil

            shutil.rmtree(workdir, ignore_errors=True)
    sys.exit(outcome)


if __name__ == "__main__":
    main()
