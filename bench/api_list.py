"""The partner API's submissions list through the full stack, beside the limit.

A tenant with 10,000 submissions (4 briefs, 3 agencies, 1 to 3 stage changes each, proof
text of a few sentences) is read page by page, 100 rows a page, following the `next` links
from the first page to the last: GET /api/v1/submissions/?page_size=100 served by gunicorn
(the Django app, config.wsgi) over real HTTP on 127.0.0.1 with the workspace's Host header
and a client key holding submissions:read. Every request opens a new connection (sync
workers close it after the response) and is timed from connect to the last body byte.

The limit: bench/_raw_list_app.py, a bare WSGI app under the same gunicorn settings that
answers the same URL with the same JSON, byte for byte (same rows, order, keyset cursor,
fields and values, stage history included; checked; the cursor is signed the same way and
compared without its timestamp and signature, which differ by the second it was signed),
using one psycopg connection per worker, two queries a page (the page with its joins, then
the stage history of its rows) and orjson.
It checks that an Authorization header is present and nothing else: no tenant lookup from
the host, no key lookup or hash check, no revocation/expiry/engagement/scope checks, no
last_used_at touch, no Redis rate limit, no Django middleware, DRF negotiation, filters,
ORM instances or serializers. The ratio is what all of that costs per page.

Both servers: `-w 2 -k sync --threads 1`, the bench database, DEBUG off, log level WARNING,
and a rate limit high enough never to throttle. Django keeps its database connection
between requests (DATABASE_CONN_MAX_AGE=60, production's default; dev's default is 0, a new
connection per request: try --conn-max-age 0). The walks alternate between the two apps.
Both walks must return the same ids in the same order, and the same page bodies.

Queries per page are counted in-process (django.test.Client, CaptureQueriesContext) for the
first page and the last, reached by following the cursors; they are listed with their SQL.
The count is a page whose key is not remembered (api.key_cache off) and whose host is
(routing memory on, as in the servers): no domain look-up, and no `SET search_path` when the
connection is already in the workspace's schema (tenants.postgresql_backend).

Run: .venv/bin/python bench/api_list.py [--rows N] [--walks N] [--conn-max-age S] [--profile]
"""

import argparse
import cProfile
import http.client
import io
import os
import pstats
import re
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson
from _setup import ROOT, bench_django_setup
from _workspace import bench_submissions

# Outbox kicks (brief created/opened) go to a queue no worker reads, emptied at the end, so
# a `make run` worker never sees this benchmark's tenant.
os.environ.setdefault("CELERY_TASK_DEFAULT_QUEUE", "aihiring-bench")
# In-process requests (query counts, profile) run as the servers do: DEBUG off, and a rate
# limit never reached (the per-key counter in Redis is shared with the servers' requests).
os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ["API_RATE_LIMIT"] = "1000000/min"

PAGE_SIZE = 100
AGENCIES = 3
BRIEFS = 4
WARMUP_PAGES = 10
DEPTH_PAGES = 10
LIST_PATH = f"/api/v1/submissions/?page_size={PAGE_SIZE}"
BIN = Path(sys.executable).parent
BENCH_DIR = Path(__file__).resolve().parent


# A signed cursor's timestamp and signature (django.core.signing), ":" or URL-encoded.
CURSOR_TAIL = re.compile(r"(?::|%3A)[0-9A-Za-z]+(?::|%3A)[A-Za-z0-9_-]{43}")


def unsigned(text: str) -> str:
    return CURSOR_TAIL.sub("", text)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(port: int, target: str, headers: dict[str, str]) -> tuple[int, bytes, float]:
    """One request on a new connection: status, body, seconds from connect to last byte."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", target, headers=headers)
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    return response.status, body, time.perf_counter() - started


def target_of(link: str) -> str:
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def walk(
    port: int, headers: dict[str, str], *, max_pages: int | None = None
) -> tuple[list[float], list[dict[str, Any]]]:
    """Follow `next` from the first page; per-request seconds and the parsed pages."""
    target: str | None = LIST_PATH
    times: list[float] = []
    pages: list[dict[str, Any]] = []
    while target is not None and (max_pages is None or len(pages) < max_pages):
        status, body, seconds = fetch(port, target, headers)
        if status != 200:
            raise SystemExit(f"GET {target} on port {port} answered {status}: {body[:500]!r}")
        page = orjson.loads(body)
        times.append(seconds)
        pages.append(page)
        target = target_of(page["next"]) if page["next"] else None
    return times, pages


def start_server(
    app: str, chdir: Path, port: int, env: dict[str, str], headers: dict[str, str]
) -> subprocess.Popen[bytes]:
    command = [
        str(BIN / "gunicorn"),
        app,
        "--chdir",
        str(chdir),
        "-w",
        "2",
        "--threads",
        "1",
        "-k",
        "sync",
        "-b",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, env=env, cwd=str(chdir))
    deadline = time.monotonic() + 90
    while True:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn {app} exited with {process.returncode}")
        try:
            status, body, _ = fetch(port, LIST_PATH, headers)
        except OSError:
            status, body = 0, b""
        if status == 200:
            return process
        if status not in (0, 502, 503) or time.monotonic() > deadline:
            process.terminate()
            raise SystemExit(f"gunicorn {app} not ready: {status} {body[:500]!r}")
        time.sleep(0.2)


def stop_server(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def ids_of(pages: list[dict[str, Any]]) -> list[str]:
    return [row["id"] for page in pages for row in page["results"]]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--walks", type=int, default=3)
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=60,
        help="DATABASE_CONN_MAX_AGE for the Django server (production's default is 60)",
    )
    parser.add_argument(
        "--profile", action="store_true", help="cProfile in-process requests for one page"
    )
    args = parser.parse_args()
    bench_django_setup()

    from django.conf import settings
    from django.core import signing
    from django.db import connection
    from django.test import Client as TestClient
    from django.test.utils import CaptureQueriesContext

    from api.keys import api_key_create
    from api.pagination import CURSOR_SALT, _CursorSerializer
    from config.celery import app as celery_app
    from tenants.models import Agency, ApiKey, ApiScope, Engagement
    from tenants.schema import use_public_schema
    from tenants.services import client_provision, template_schema_ensure

    template_schema_ensure(force_check=True)
    run = uuid.uuid4().hex[:6]
    provisioned = client_provision(slug=f"bench-list-{run}", name=f"Bench list {run}")
    client = provisioned.client
    host = provisioned.domain
    agencies = Agency.objects.bulk_create(
        Agency(slug=f"bench-list-{run}-{n}", name=f"Bench agency {run} {n}")
        for n in range(AGENCIES)
    )
    Engagement.objects.bulk_create(Engagement(client=client, agency=a) for a in agencies)
    _, raw_key = api_key_create(
        client=client,
        name="Bench list",
        scopes=[ApiScope.SUBMISSIONS_READ],
        created_by=None,
    )
    headers = {"Host": host, "Authorization": f"Bearer {raw_key}", "Accept": "application/json"}
    api_key_id = ApiKey.objects.get(prefix=raw_key[:16]).pk
    # The salt the API signs this list's cursors with (api.pagination._binding): the raw
    # app's cursors must verify with it too.
    binding = (
        CURSOR_SALT
        + orjson.dumps(
            {
                "schema": client.schema_name,
                "key": api_key_id,
                "path": "/api/v1/submissions/",
                "ordering": ["updated_at", "public_id"],
                "filters": [],
            }
        ).decode()
    )

    def comparable(page: dict[str, Any]) -> dict[str, Any]:
        """The page with its cursor's timestamp and signature taken out, once the signature
        is checked: two servers answering in different seconds sign different tokens."""
        token = page["next_cursor"]
        if token is None:
            return page
        try:
            signing.loads(token, salt=binding, serializer=_CursorSerializer)
        except signing.BadSignature:
            raise SystemExit(f"a cursor does not verify with the API's binding: {token}") from None
        return {
            **page,
            "next_cursor": unsigned(token),
            "next": None if page["next"] is None else unsigned(page["next"]),
        }

    servers: list[subprocess.Popen[bytes]] = []
    api_times: list[float] = []
    raw_times: list[float] = []
    walks_by_port: dict[int, list[list[float]]] = {}
    page_queries: dict[str, list[str]] = {}
    profile_text = ""
    bodies_identical = True
    try:
        setup_started = time.perf_counter()
        _, histories = bench_submissions(
            client=client, agencies=agencies, rows=args.rows, run=run, briefs=BRIEFS
        )
        use_public_schema()
        setup_seconds = time.perf_counter() - setup_started
        stage_changes = sum(histories)

        # --- the two servers -----------------------------------------------------------------
        base_env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "DJANGO_DEBUG": "false",
            "LOG_LEVEL": "WARNING",
            "DATABASE_CONN_MAX_AGE": str(args.conn_max_age),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        raw_env = {
            **base_env,
            "RAW_LIST_DSN": os.environ["DATABASE_URL"],
            "RAW_LIST_SCHEMA": client.schema_name,
            "RAW_LIST_KEY_ID": str(api_key_id),
            "RAW_LIST_SECRET_KEY": settings.SECRET_KEY,
        }
        api_port, raw_port = free_port(), free_port()
        servers.append(start_server("config.wsgi:application", ROOT, api_port, base_env, headers))
        servers.append(
            start_server("_raw_list_app:application", BENCH_DIR, raw_port, raw_env, headers)
        )

        # Warm both (each worker opens its database connection on its first request).
        for port in (api_port, raw_port):
            for _ in range(2):
                walk(port, headers, max_pages=WARMUP_PAGES)

        expected_pages = -(-args.rows // PAGE_SIZE)
        for index in range(args.walks):
            order = ((api_port, api_times), (raw_port, raw_times))
            for port, times in order if index % 2 == 0 else reversed(order):
                seconds, pages = walk(port, headers)
                times.extend(seconds)
                walks_by_port.setdefault(port, []).append(seconds)
                ids = ids_of(pages)
                if len(pages) != expected_pages or len(ids) != args.rows:
                    raise SystemExit(
                        f"port {port}: {len(pages)} pages and {len(ids)} ids, expected "
                        f"{expected_pages} pages and {args.rows} ids"
                    )
                if len(set(ids)) != args.rows:
                    raise SystemExit(f"port {port}: {args.rows - len(set(ids))} repeated ids")
                if port == api_port:
                    api_pages = pages
                else:
                    raw_pages = pages
            if ids_of(api_pages) != ids_of(raw_pages):
                raise SystemExit("the API and the raw app returned different ids or order")
            for number, pair in enumerate(zip(api_pages, raw_pages, strict=True)):
                api_page, raw_page = (comparable(page) for page in pair)
                if api_page != raw_page:
                    for key in api_page:
                        if api_page[key] != raw_page.get(key):
                            print(f"page {number + 1} differs on {key!r}:")
                            print(" api:", str(api_page[key])[:600])
                            print(" raw:", str(raw_page.get(key))[:600])
                            break
                    raise SystemExit("the API and the raw app returned different page bodies")
        # Byte for byte too (same key order, same formatting), page 1 and a middle page.
        for target in (LIST_PATH, target_of(api_pages[len(api_pages) // 2 - 1]["next"])):
            api_body = unsigned(fetch(api_port, target, headers)[1].decode())
            raw_body = unsigned(fetch(raw_port, target, headers)[1].decode())
            bodies_identical = bodies_identical and api_body == raw_body

        # --- queries per page, in-process ----------------------------------------------------
        # With the per-process memory of keys off, so every page counts its key look-up (the
        # servers remember a key for API_KEY_CACHE_SECONDS; a walk is longer than that).
        settings.API_KEY_CACHE_SECONDS = 0
        http = TestClient(HTTP_HOST=host, headers={"Authorization": f"Bearer {raw_key}"})

        def get_page(target: str) -> dict[str, Any]:
            response = http.get(target)
            if response.status_code != 200:
                raise SystemExit(f"in-process GET {target}: {response.status_code}")
            return orjson.loads(response.content)

        get_page(LIST_PATH)  # warm: first use of this process, and the last_used_at touch
        page_number = 0
        target: str | None = LIST_PATH
        middle_target = LIST_PATH
        while target is not None:
            page_number += 1
            with CaptureQueriesContext(connection) as captured:
                page = get_page(target)
            if page_number in (1, expected_pages):
                page_queries[f"page{page_number}"] = [q["sql"] for q in captured.captured_queries]
            if page_number == expected_pages // 2:
                middle_target = target
            target = target_of(page["next"]) if page["next"] else None
        use_public_schema()

        if args.profile:
            for _ in range(3):
                get_page(middle_target)
            profiler = cProfile.Profile()
            started = time.perf_counter()
            repeats = 20
            profiler.enable()
            for _ in range(repeats):
                get_page(middle_target)
            profiler.disable()
            per_request_ms = (time.perf_counter() - started) * 1000 / repeats
            use_public_schema()
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out).strip_dirs()
            stats.sort_stats("cumulative").print_stats(45)
            stats.sort_stats("tottime").print_stats(25)
            profile_text = (
                f"in-process profile, {repeats} requests for page {expected_pages // 2} "
                f"({per_request_ms:.2f} ms each under the profiler):\n{out.getvalue()}"
            )
    finally:
        for server in servers:
            stop_server(server)
        use_public_schema()
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {ApiKey._meta.db_table} WHERE client_id = %s", [client.pk])
        client.auto_drop_schema = True
        client.delete(force_drop=True)
        # Plain deletes: the ORM's cascade collector would look for these rows' dependants in
        # tenant tables, which do not exist in the public schema.
        with connection.cursor() as cursor:
            agency_ids = [agency.pk for agency in agencies]
            cursor.execute(
                f"DELETE FROM {Engagement._meta.db_table} WHERE agency_id = ANY(%s)", [agency_ids]
            )
            cursor.execute(f"DELETE FROM {Agency._meta.db_table} WHERE id = ANY(%s)", [agency_ids])
        celery_app.control.purge()

    def ms(seconds: float) -> float:
        return seconds * 1000

    p50, p95 = ms(statistics.median(api_times)), ms(percentile(api_times, 0.95))
    raw_p50, raw_p95 = ms(statistics.median(raw_times)), ms(percentile(raw_times, 0.95))
    q1, q_last = page_queries["page1"], page_queries[f"page{expected_pages}"]
    print(
        f"setup (bulk, not measured): {setup_seconds:.1f}s for {args.rows} submissions in "
        f"{BRIEFS} briefs from {AGENCIES} agencies, {stage_changes} stage changes"
    )
    print(
        f"servers: gunicorn -w 2 -k sync --threads 1, DEBUG off, Host {host}, "
        f"Django CONN_MAX_AGE={args.conn_max_age}; "
        f"{args.walks} walks of {expected_pages} pages each per app, alternating"
    )
    print(
        f"API (Django/DRF):  p50 {p50:.2f} ms  p95 {p95:.2f} ms  "
        f"min {ms(min(api_times)):.2f}  max {ms(max(api_times)):.2f}  n={len(api_times)}"
    )
    print(
        f"raw psycopg+orjson: p50 {raw_p50:.2f} ms  p95 {raw_p95:.2f} ms  "
        f"min {ms(min(raw_times)):.2f}  max {ms(max(raw_times)):.2f}  n={len(raw_times)}"
    )
    # Keyset paging should cost the same on every page: compare the first pages and the last.
    for label, port in (("API", api_port), ("raw", raw_port)):
        first = [t for one in walks_by_port[port] for t in one[:DEPTH_PAGES]]
        last = [t for one in walks_by_port[port] for t in one[-DEPTH_PAGES:]]
        print(
            f"{label} p50 by depth: pages 1-{DEPTH_PAGES} {ms(statistics.median(first)):.2f} ms, "
            f"last {DEPTH_PAGES} pages {ms(statistics.median(last)):.2f} ms"
        )
    print(
        f"same {args.rows} ids in the same order and equal page bodies in every walk; "
        f"bodies byte-identical: {'yes' if bodies_identical else 'no'}"
    )
    print(f"ratio p50 {p50 / raw_p50:.2f}, p95 {p95 / raw_p95:.2f}; raw app: 2 queries a page")
    for label, queries in (("page 1", q1), (f"page {expected_pages}", q_last)):
        print(f"queries {label}: {len(queries)}")
        for sql in queries:
            short = re.sub(r"^SELECT .*? FROM ", "SELECT ... FROM ", sql)
            print(f"  {short[:400]}{'...' if len(short) > 400 else ''}")
    if len(q1) != len(q_last):
        print(f"FINDING: page 1 runs {len(q1)} queries, the last page {len(q_last)}")
    if profile_text:
        print(profile_text)
    print(
        f"RESULT api_list rows={args.rows} page={PAGE_SIZE} p50_ms={p50:.2f} p95_ms={p95:.2f} "
        f"raw_p50_ms={raw_p50:.2f} ratio_p50={p50 / raw_p50:.2f} "
        f"queries_page1={len(q1)} queries_page{expected_pages}={len(q_last)}"
    )


if __name__ == "__main__":
    main()
