"""Load drill (`make drill-load`): the web container's command (gunicorn with production
settings) under 50 agency integrations, client syncs and executives, for DRILL_SECONDS
(default 60), played by locust headless (bench/_drill_load_users.py).

- Database: a fresh one of its own (BENCH_DATABASE + "_load", default aihiring_bench_load) on
  the machine's PostgreSQL; Redis: logical database 14 of the machine's Redis (cache, rate
  counters and the broker queue of this run, which no worker reads and which is removed at the
  end). The demo workspace is seeded, then 8 more engaged agencies (10 in all) with 5 keys
  each (the 50 integrations), 6 client keys and the executive's signed-in session.
- Prints throughput, p50/p95/p99 and errors per endpoint (locust's figures), then checks the
  ledger of every 201 against the database: every 201 has exactly one row, no row of the
  drill's briefs lacks its 201, every replay with the same Idempotency-Key returned the first
  answer's id.

Run: .venv/bin/python bench/_drill_load.py [--seconds 60] [--workers 3]
Last line: RESULT drill_load seconds=... requests=... rps=... errors=... created=... ...
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _drill_common import (
    BIN,
    PROOF,
    ROOT,
    Gunicorn,
    collectstatic,
    configured_urls,
    drill_django_setup,
    drill_workdir,
    new_secret_key,
    production_env,
    request,
    with_database,
    workspace_seed,
)
from worker_kill import forget_queue, redis_url_with_db

AGENCIES = 10
KEYS_PER_AGENCY = 5
SYNC_USERS = 6
EXECUTIVES = 4
REDIS_DB = 14


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("DRILL_SECONDS", "60")))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("DRILL_WORKERS", "3")))
    args = parser.parse_args()

    run = uuid.uuid4().hex[:8]
    queue = f"drill-load-{run}"
    database, redis_base = configured_urls()
    database = with_database(database, os.environ.get("BENCH_DATABASE", "aihiring_bench") + "_load")
    redis_url = redis_url_with_db(redis_base, REDIS_DB)
    secret_key = new_secret_key()
    workdir = drill_workdir("drill-load")
    drill_django_setup(
        database_url=database, redis_url=redis_url, secret_key=secret_key, queue=queue
    )

    from django.conf import settings
    from django_redis import get_redis_connection
    from django_tenants.utils import schema_context

    from hiring.models import Submission

    started = time.perf_counter()
    world = workspace_seed(
        agencies=AGENCIES, keys_per_agency=KEYS_PER_AGENCY, client_keys=SYNC_USERS
    )
    print(
        f"seeded in {time.perf_counter() - started:.1f}s: {len(world.agency_keys)} agency keys "
        f"({AGENCIES} agencies), {len(world.client_keys)} client keys, "
        f"{len(world.shortlist_paths)} shortlists, database {database.rsplit('/', 1)[1]}"
    )
    config_path = workdir / "config.json"
    ledger_path = workdir / "ledger.jsonl"
    config_path.write_text(
        json.dumps(
            {**world.as_dict(), "proof": PROOF, "session_cookie": settings.SESSION_COOKIE_NAME}
        )
    )
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
    server = Gunicorn(env, workers=args.workers, log=workdir / "gunicorn.log")
    outcome = 1
    try:
        server.wait_ready(world.host)
        # The executive's session is valid on the production server (same secret key).
        probe = request(
            server.port,
            "GET",
            world.shortlist_paths[0],
            {
                "Host": world.host,
                "X-Forwarded-Proto": "https",
                "Cookie": f"{settings.SESSION_COOKIE_NAME}={world.executive_cookies[0]}",
            },
        )
        if probe.status != 200:
            raise SystemExit(f"the executive's shortlist page answered {probe.status}")

        users = len(world.agency_keys) + SYNC_USERS + EXECUTIVES
        prefix = workdir / "locust"
        locust_env = {
            **os.environ,
            "DRILL_CONFIG": str(config_path),
            "DRILL_LEDGER": str(ledger_path),
            "DRILL_AGENCY_USERS": str(len(world.agency_keys)),
            "DRILL_SYNC_USERS": str(SYNC_USERS),
            "DRILL_EXECUTIVE_USERS": str(EXECUTIVES),
        }
        print(
            f"load: {users} users ({len(world.agency_keys)} agency integrations, {SYNC_USERS} "
            f"client syncs, {EXECUTIVES} executives) for {args.seconds}s against gunicorn "
            f"(production settings, {args.workers} sync workers) ...",
            flush=True,
        )
        subprocess.run(
            [str(BIN / "locust"), "-f", str(ROOT / "bench" / "_drill_load_users.py"),
             "--headless", "-u", str(users), "-r", "25", "-t", f"{args.seconds}s",
             "--host", f"http://127.0.0.1:{server.port}", "--csv", str(prefix),
             "--only-summary", "--stop-timeout", "15", "--loglevel", "WARNING"],
            cwd=ROOT, env=locust_env, check=False, stdout=subprocess.DEVNULL,
            stderr=(workdir / "locust.log").open("wb"),
        )  # fmt: skip
        with (workdir / "locust_stats.csv").open() as stats_file:
            rows = list(csv.DictReader(stats_file))
        print(f"{'endpoint':52} {'requests':>8} {'errors':>6} {'rps':>6} "
              f"{'p50':>6} {'p95':>6} {'p99':>6}  (ms)")  # fmt: skip
        total = None
        for row in rows:
            if row["Name"] == "Aggregated":
                total = row
            print(
                f"{row['Name'][:52]:52} {row['Request Count']:>8} {row['Failure Count']:>6} "
                f"{float(row['Requests/s']):>6.1f} {row['50%']:>6} {row['95%']:>6} "
                f"{row['99%']:>6}"
            )
        assert total is not None
        requests_total = int(total["Request Count"])
        errors = int(total["Failure Count"])
        failures = (workdir / "locust_failures.csv").read_text().strip().splitlines()[1:]
        for line in failures[:10]:
            print("failure:", line)

        # --- every 201 against the database ------------------------------------------------
        entries = [json.loads(line) for line in ledger_path.read_text().splitlines() if line]
        created = {e["key"]: e["id"] for e in entries if e["kind"] == "created"}
        created_count = sum(1 for e in entries if e["kind"] == "created")
        replays = [e for e in entries if e["kind"] == "replayed"]
        replay_mismatch = sum(1 for e in replays if created.get(e["key"]) != e["id"])
        with schema_context(world.schema):
            rows_by_id = Counter(
                str(public_id)
                for public_id in Submission.objects.filter(
                    brief__public_id__in=world.drill_briefs
                ).values_list("public_id", flat=True)
            )
        created_ids = Counter(created.values())
        missing = sum(1 for sid in created_ids if rows_by_id.get(sid, 0) != 1)
        without_201 = sum(1 for sid in rows_by_id if sid not in created_ids)
        reused = created_count - len(created) + sum(n - 1 for n in created_ids.values())
        print(
            f"ledger: {created_count} answers 201, {len(replays)} replays with the same "
            f"Idempotency-Key ({replay_mismatch} with another id); database: "
            f"{sum(rows_by_id.values())} rows in the drill's briefs; 201 without exactly one "
            f"row: {missing}; rows without "
            f"a 201: {without_201}; ids or keys answered twice: {reused}"
        )
        load_average = " ".join(f"{v:.1f}" for v in os.getloadavg())
        print(f"machine: {os.cpu_count()} cores, load average {load_average} (1, 5, 15 min)")
        error_lines = [
            line for line in server.log.read_text().splitlines() if '"level": "error"' in line
        ]
        server_errors = len(error_lines)
        if error_lines:
            # The server's log is structured and redacted: the first error says what went wrong.
            print(f"first server error line: {error_lines[0][:2000]}")
        seconds = args.seconds
        aggregated = {k: total[k] for k in ("50%", "95%", "99%")}
        print(
            f"RESULT drill_load seconds={seconds} users={users} requests={requests_total} "
            f"rps={float(total['Requests/s']):.1f} errors={errors} created={created_count} "
            f"rows={sum(rows_by_id.values())} missing_rows={missing} "
            f"rows_without_201={without_201} "
            f"replays={len(replays)} replay_mismatch={replay_mismatch} "
            f"p50_ms={aggregated['50%']} p95_ms={aggregated['95%']} p99_ms={aggregated['99%']} "
            f"server_error_lines={server_errors}"
        )
        outcome = 0 if (errors == 0 and missing == 0 and without_201 == 0
                        and replay_mismatch == 0 and reused == 0) else 1  # fmt: skip
    finally:
        server.stop()
        forget_queue(get_redis_connection("default"), queue)
        if outcome:
            print(f"logs kept in {workdir}")
        else:
            import shutil

            shutil.rmtree(workdir, ignore_errors=True)
    sys.exit(outcome)


if __name__ == "__main__":
    main()
