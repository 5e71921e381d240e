"""Bulk import of 10,000 CSV rows through the real import path (upload checks and the stored
copy, then every row through the submission rules, ownership, stage history, audit rows and
outbox events, chunk by chunk), beside a raw PostgreSQL COPY of the same rows into an
unlogged scratch table: the floor for moving these bytes into the database at all.

The file is written to disk and uploaded from there, as Django hands a large upload to a
view (a temporary file), so the process's memory is the import's own: the peak RSS is
printed beside the RSS before the upload.

Run: .venv/bin/python bench/import_csv.py [--rows N] [--reupload]
     .venv/bin/python bench/import_csv.py --memory   (10,000 then 100,000 rows, each in a
     fresh process; prints how much the peak RSS grows with 10 times the rows)
A run over IMPORT_MAX_ROWS (20,000 by default) raises that limit and IMPORT_MAX_BYTES for
itself.
"""

import argparse
import csv
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from _setup import bench_django_setup

# Tasks the run queues (the import itself, outbox relay kicks) go to a queue no worker reads,
# emptied at the end, so a `make run` worker never sees this benchmark's tenant.
os.environ.setdefault("CELERY_TASK_DEFAULT_QUEUE", "aihiring-bench")
# Workers run without DEBUG; with it, Django's debug cursor formats and keeps every statement.
os.environ.setdefault("DJANGO_DEBUG", "false")

PROOF = {
    "proof_shipped_solution": "Shipped a demand forecasting service used by 300 planners.",
    "proof_baseline": "Baseline MAPE was 31% with the spreadsheet method.",
    "proof_improvement": "Brought MAPE to 14% after adding promotions and holidays.",
    "proof_monitoring": "Weekly drift report on feature distributions and error by region.",
    "proof_quality_dip": "A supplier feed broke in week 3; rolled back and added schema checks.",
}
HEADER = [
    "brief_id",
    "full_name",
    "email",
    "phone",
    "location",
    "skills",
    "links",
    *PROOF,
    "right_to_represent",
    "rate_amount",
    "rate_currency",
]


def current_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def backend_cpu_seconds(pid: int) -> float:
    """CPU time of a PostgreSQL backend on this machine (user + system). On a shared, busy
    machine CPU seconds vary far less than wall time, so they are printed beside it."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build_csv(*, path: Path, brief_id: str, rows: int, run: str) -> None:
    with path.open("w", newline="", encoding="utf-8") as output:
        _write_rows(output, brief_id=brief_id, rows=rows, run=run)


def _write_rows(output: object, *, brief_id: str, rows: int, run: str) -> None:
    writer = csv.writer(output)  # type: ignore[arg-type]
    writer.writerow(HEADER)
    for n in range(rows):
        writer.writerow(
            [
                brief_id,
                f"Bench Person {n}",
                f"bench.{run}.{n}@corp.example",
                f"+1 212 {200 + n // 10000} {n % 10000:04d}",
                "Lisbon, Portugal",
                "python; pytorch; sql",
                f"https://example.com/{run}/{n}",
                *PROOF.values(),
                "yes",
                "95",
                "USD",
            ]
        )


def memory_check() -> None:
    """The import at 10,000 and 100,000 rows, each in a fresh process (peak RSS is per
    process): streaming keeps the peak flat."""
    peaks = {}
    for rows in (10_000, 100_000):
        done = subprocess.run(
            [sys.executable, __file__, "--rows", str(rows)],
            check=True,
            capture_output=True,
            text=True,
        )
        print(done.stdout.strip())
        result = done.stdout.strip().splitlines()[-1].split()
        fields = dict(part.split("=", 1) for part in result[2:])
        peaks[rows] = (float(fields["peak_rss_mb"]), float(fields["rss_growth_mb"]))
    (peak_10k, growth_10k), (peak_100k, growth_100k) = peaks[10_000], peaks[100_000]
    print(
        f"RESULT import_csv_memory peak_rss_10k_mb={peak_10k:.0f} "
        f"peak_rss_100k_mb={peak_100k:.0f} growth_10k_mb={growth_10k:.0f} "
        f"growth_100k_mb={growth_100k:.0f} peak_ratio={peak_100k / peak_10k:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument(
        "--reupload",
        action="store_true",
        help="also time a second upload of the same file (every row skipped)",
    )
    parser.add_argument("--memory", action="store_true", help="compare 10,000 and 100,000 rows")
    args = parser.parse_args()
    if args.memory:
        memory_check()
        return
    if args.rows > 20_000:
        os.environ.setdefault("IMPORT_MAX_ROWS", str(args.rows))
        os.environ.setdefault("IMPORT_MAX_BYTES", str(args.rows * 2_000))
    bench_django_setup()

    from django.core.files.base import File
    from django.core.files.storage import default_storage
    from django.db import connection
    from django_tenants.utils import tenant_context

    from audit.actors import Actor
    from config.celery import app
    from hiring.models import ImportStatus, Submission
    from hiring.services.briefs import brief_create, brief_open
    from hiring.services.imports import import_job_create, import_job_run
    from tenants.models import Agency, AgencyMembership, AgencyRole, Engagement, User
    from tenants.services import client_provision, template_schema_ensure

    template_schema_ensure(force_check=True)
    run = uuid.uuid4().hex[:6]
    client = client_provision(slug=f"bench-import-{run}", name=f"Bench import {run}").client
    agency = Agency.objects.create(slug=f"bench-import-{run}", name=f"Bench agency {run}")
    recruiter = User.objects.create_user(f"recruiter.{run}@bench.example", None)
    AgencyMembership.objects.create(user=recruiter, agency=agency, role=AgencyRole.RECRUITER)
    Engagement.objects.create(client=client, agency=agency)
    queries = {"n": 0}
    scratch = Path(tempfile.mkdtemp(prefix="bench-import-"))
    csv_path = scratch / "bench.csv"

    def upload() -> File:
        handle = csv_path.open("rb")
        return File(handle, name="bench.csv")

    spent: dict[str, float] = {}

    def count(execute, sql, params, many, context):
        queries["n"] += 1
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            key = " ".join(sql.split())[:70]
            spent[key] = spent.get(key, 0.0) + time.perf_counter() - began

    try:
        with tenant_context(client):
            client_actor = Actor(kind="system", ref="bench")
            brief = brief_create(
                actor=client_actor,
                data={
                    "title": "ML engineer for demand forecasting",
                    "track": "python_ai_developer",
                    "needs": ["ml_features", "pipelines"],
                },
            )
            brief = brief_open(
                actor=client_actor, brief=brief, override_reason="Benchmark brief, not a real role."
            )
            build_csv(path=csv_path, brief_id=str(brief.public_id), rows=args.rows, run=run)
            actor = Actor.for_user(recruiter, agency_id=agency.pk)

            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                backend = cursor.fetchone()[0]
            rss_before = current_rss_mb()
            backend_started = backend_cpu_seconds(backend)
            cpu_started = time.process_time()
            started = time.perf_counter()
            with upload() as file:
                job = import_job_create(actor=actor, agency=agency, upload=file)
            checked = time.perf_counter()
            with connection.execute_wrapper(count):
                import_job_run(job_id=job.pk)
            import_seconds = time.perf_counter() - started
            cpu_seconds = time.process_time() - cpu_started
            db_cpu_seconds = backend_cpu_seconds(backend) - backend_started
            peak_rss = peak_rss_mb()
            job.refresh_from_db()
            assert job.status == ImportStatus.DONE, job.error_message
            assert job.done_rows == args.rows, (job.done_rows, job.failed_rows, job.errors[:3])
            assert Submission.objects.count() == args.rows

            reupload_seconds = None
            if args.reupload:
                again_started = time.perf_counter()
                with upload() as file:
                    again = import_job_create(actor=actor, agency=agency, upload=file)
                import_job_run(job_id=again.pk)
                reupload_seconds = time.perf_counter() - again_started
                again.refresh_from_db()
                assert again.skipped_rows == args.rows, (again.done_rows, again.failed_rows)
                assert Submission.objects.count() == args.rows

            # Baseline: the same bytes straight into a table by COPY, no rule, no index.
            with connection.cursor() as cursor:
                columns = ", ".join(f'"{name}" text' for name in HEADER)
                cursor.execute(f"CREATE UNLOGGED TABLE bench_import_copy ({columns})")
                copy_cpu_started = time.process_time() + backend_cpu_seconds(backend)
                copy_started = time.perf_counter()
                with (
                    cursor.copy(
                        "COPY bench_import_copy FROM STDIN WITH (FORMAT csv, HEADER true)"
                    ) as copy,
                    csv_path.open("rb") as source,
                ):
                    while block := source.read(1024 * 1024):
                        copy.write(block)
                copy_seconds = time.perf_counter() - copy_started
                copy_cpu = time.process_time() + backend_cpu_seconds(backend) - copy_cpu_started
                cursor.execute("SELECT count(*) FROM bench_import_copy")
                assert cursor.fetchone()[0] == args.rows
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        connection.set_schema_to_public()
        # The import deletes its stored file when it ends; this removes the emptied folders.
        shutil.rmtree(default_storage.path(f"tenants/{client.schema_name}"), ignore_errors=True)
        client.auto_drop_schema = True
        client.delete(force_drop=True)
        # Plain SQL: the ORM's cascade would look for tenant tables from the public schema.
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM tenants_agencymembership WHERE agency_id = %s", [agency.pk])
            cursor.execute("DELETE FROM tenants_engagement WHERE agency_id = %s", [agency.pk])
            cursor.execute("DELETE FROM tenants_agency WHERE id = %s", [agency.pk])
            cursor.execute("DELETE FROM tenants_user WHERE id = %s", [recruiter.pk])
        app.control.purge()

    rows_per_s = args.rows / import_seconds
    ratio = import_seconds / copy_seconds
    print(
        f"import: {import_seconds:.2f}s for {args.rows} rows ({rows_per_s:.0f} rows/s); "
        f"upload checks and storage {checked - started:.3f}s; "
        f"{queries['n']} statements ({queries['n'] / args.rows:.2f} per row); "
        f"CPU {cpu_seconds:.2f}s in this process + {db_cpu_seconds:.2f}s in its database backend"
    )
    if os.environ.get("BENCH_PROFILE"):
        for key, seconds in sorted(spent.items(), key=lambda item: -item[1])[:10]:
            print(f"  {seconds:7.3f}s  {key}")
    if reupload_seconds is not None:
        print(
            f"re-upload of the same file: {reupload_seconds:.2f}s, {args.rows} rows skipped, "
            "nothing created"
        )
    print(
        f"COPY baseline: {copy_seconds:.3f}s ({args.rows / copy_seconds:.0f} rows/s), "
        f"CPU {copy_cpu:.2f}s"
    )
    cpu_ratio = (cpu_seconds + db_cpu_seconds) / max(copy_cpu, 0.01)
    print(f"memory: {rss_before:.0f} MB before the upload, peak {peak_rss:.0f} MB")
    print(
        f"RESULT import_csv rows={args.rows} seconds={import_seconds:.2f} "
        f"rows_per_s={rows_per_s:.0f} ratio={ratio:.0f} "
        f"cpu_seconds={cpu_seconds + db_cpu_seconds:.2f} cpu_ratio={cpu_ratio:.0f} "
        f"peak_rss_mb={peak_rss:.0f} "
        f"rss_growth_mb={peak_rss - rss_before:.0f}"
    )


if __name__ == "__main__":
    main()
