"""The main pages of each role through the full stack, beside the partner API list of as many
rows as the baseline.

One workspace with 10,000 submissions (bench/_workspace.py: 4 open briefs, 3 agencies, 1 to 3
stage changes each), a shortlist of 200 candidates on the first brief (two submitted
scorecards each, computed by scoring.services.shortlists.shortlist_compute), an interviewer
assigned to 60 submissions of it (scored 30 of them), and the agency analytics computed.
People: a client admin, a hiring manager, an interviewer, an executive, and a recruiter and
an agency admin of the first agency.

Pages, each signed in as its person (a session made in this process, sent as a cookie):
home of every role, the brief list (admin, recruiter), the submissions list plain, filtered
by stage and searched, sorted, and as the recruiter and the interviewer see it, the shortlist
(executive), the interviewer's scorecard form, agency analytics (admin, agency admin).

Served by gunicorn (config.wsgi) with bench/api_list.py's settings (`-w 2 -k sync`, DEBUG
off, CONN_MAX_AGE 60); every request on a new connection, timed from connect to the last
body byte. Rounds alternate over all pages and the baseline: GET
/api/v1/submissions/?page_size=50 (as many rows as a page lists, pages.paging) with a client
key. The target is every page's p50 at most 3 times the baseline's p50.

Queries are counted in-process (django.test.Client, CaptureQueriesContext) on the second
request of each page (the first one of a session touches it once), with their time in the
database; for a page that misses the target its slowest statement is printed. That the counts do not
grow with rows is tests/test_query_counts.py's job (1 and 100 rows per page).

Run: .venv/bin/python bench/pages.py [--rows N] [--rounds N] [--conn-max-age S]
"""

import argparse
import os
import re
import statistics
import subprocess
import time
import uuid
from datetime import timedelta
from typing import Any

from _setup import ROOT, bench_django_setup
from _workspace import bench_submissions
from api_list import fetch, free_port, percentile, start_server, stop_server

AGENCIES = 3
BRIEFS = 4
SHORTLISTED = 200
ASSIGNED = 60
BASELINE_PATH = "/api/v1/submissions/?page_size=50"
TARGET_RATIO = 3.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--conn-max-age", type=int, default=60)
    args = parser.parse_args()
    bench_django_setup()

    from django.db import connection
    from django.test import Client as TestClient
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from api.keys import api_key_create
    from config.celery import app as celery_app
    from hiring.models import InterviewAssignment, Stage, Submission
    from scoring.analytics import agency_analytics_compute
    from scoring.models import Recommendation, Scorecard, ScorecardStatus
    from scoring.services.shortlists import shortlist_compute
    from tenants.models import (
        Agency,
        AgencyMembership,
        ApiKey,
        ApiScope,
        ClientMembership,
        Engagement,
        User,
    )
    from tenants.schema import use_public_schema
    from tenants.services import client_provision, template_schema_ensure

    template_schema_ensure(force_check=True)
    run = uuid.uuid4().hex[:6]
    provisioned = client_provision(slug=f"bench-pages-{run}", name=f"Bench pages {run}")
    client = provisioned.client
    host = provisioned.domain
    agencies = Agency.objects.bulk_create(
        Agency(slug=f"bench-pages-{run}-{n}", name=f"Bench agency {run} {n}")
        for n in range(AGENCIES)
    )
    Engagement.objects.bulk_create(Engagement(client=client, agency=a) for a in agencies)
    _, raw_key = api_key_create(
        client=client, name="Bench pages", scopes=[ApiScope.SUBMISSIONS_READ], created_by=None
    )
    api_headers = {"Host": host, "Authorization": f"Bearer {raw_key}"}

    people: dict[str, Any] = {}
    for role in ("admin", "hiring_manager", "interviewer", "executive"):
        people[role] = User.objects.create_user(f"{role}.{run}@bench.example", name=role)
        ClientMembership.objects.create(user=people[role], client=client, role=role)
    for role in ("recruiter", "agency_admin"):
        people[role] = User.objects.create_user(f"{role}.{run}@bench.example", name=role)
        AgencyMembership.objects.create(user=people[role], agency=agencies[0], role=role)
    scorers = [
        User.objects.create_user(f"scorer{n}.{run}@bench.example", name=f"Scorer {n}")
        for n in range(2)
    ]
    for scorer in scorers:
        ClientMembership.objects.create(user=scorer, client=client, role="interviewer")

    server: subprocess.Popen[bytes] | None = None
    try:
        setup_started = time.perf_counter()
        briefs, _ = bench_submissions(
            client=client, agencies=agencies, rows=args.rows, run=run, briefs=BRIEFS
        )
        with tenant_context(client):
            brief = briefs[0]
            listed = list(Submission.objects.filter(brief=brief).order_by("id")[: SHORTLISTED + 1])
            shortlisted, unscored = listed[:SHORTLISTED], listed[SHORTLISTED]
            Submission.objects.filter(pk__in=[s.pk for s in listed]).update(stage=Stage.INTERVIEW)
            now = timezone.now()
            interviewer = people["interviewer"]
            # The interviewer: assigned to the first ASSIGNED - 1 shortlisted candidates and
            # the unscored one; submitted scorecards for half of them.
            InterviewAssignment.objects.bulk_create(
                InterviewAssignment(
                    submission=submission,
                    interviewer=person,
                    due_at=now + timedelta(days=3),
                )
                for submission in shortlisted
                for person in scorers
            )
            InterviewAssignment.objects.bulk_create(
                InterviewAssignment(submission=s, interviewer=interviewer, due_at=now)
                for s in [*shortlisted[: ASSIGNED - 1], unscored]
            )
            scorecards = [
                Scorecard(
                    submission=submission,
                    interviewer=person,
                    status=ScorecardStatus.SUBMITTED,
                    **{
                        f"score_{code}": (index + offset + number) % 6
                        for offset, code in enumerate("abcde")
                    },
                    evidence_a="Walked through a production incident and its fix.",
                    recommendation=Recommendation.YES,
                    submitted_at=now,
                )
                for index, submission in enumerate(shortlisted)
                for number, person in enumerate(scorers)
            ]
            scorecards += [
                Scorecard(
                    submission=submission,
                    interviewer=interviewer,
                    status=ScorecardStatus.SUBMITTED,
                    score_a=3,
                    score_b=4,
                    score_c=3,
                    score_d=2,
                    score_e=4,
                    recommendation=Recommendation.YES,
                    submitted_at=now,
                )
                for submission in shortlisted[: ASSIGNED // 2]
            ]
            Scorecard.objects.bulk_create(scorecards, batch_size=2000)
            snapshot = shortlist_compute(brief=brief)
            assert snapshot is not None
            shortlist_size = snapshot.entries.count()
            agency_analytics_compute()
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        use_public_schema()
        setup_seconds = time.perf_counter() - setup_started

        pages: list[tuple[str, str, str]] = [
            ("home admin", "admin", "/"),
            ("home hiring manager", "hiring_manager", "/"),
            ("home interviewer", "interviewer", "/"),
            ("home executive", "executive", "/"),
            ("home recruiter", "recruiter", "/"),
            ("briefs admin", "admin", "/briefs/"),
            ("briefs recruiter", "recruiter", "/briefs/"),
            ("submissions admin", "admin", "/submissions/"),
            ("submissions admin stage", "admin", "/submissions/?stage=interview"),
            ("submissions admin search", "admin", "/submissions/?q=Person+12"),
            (
                "submissions admin search sorted",
                "admin",
                f"/submissions/?q=Person&sort=-candidate&brief={brief.public_id}",
            ),
            ("submissions recruiter", "recruiter", "/submissions/?q=Person"),
            ("submissions interviewer", "interviewer", "/submissions/"),
            ("shortlist executive", "executive", f"/briefs/{brief.public_id}/shortlist/"),
            ("scorecard form", "interviewer", f"/submissions/{unscored.public_id}/scorecard/"),
            ("agency analytics admin", "admin", "/analytics/agencies/"),
            ("agency analytics agency admin", "agency_admin", "/analytics/agencies/"),
        ]

        # Sessions for every person, made here; the server reads them from the database.
        browsers: dict[str, Any] = {}
        cookies: dict[str, str] = {}
        for role, person in people.items():
            browser = TestClient(HTTP_HOST=host)
            browser.force_login(person)
            browsers[role] = browser
            cookies[role] = f"sessionid={browser.cookies['sessionid'].value}"

        # Queries, in-process, on the second request of each page.
        queries: dict[str, int] = {}
        database_ms: dict[str, float] = {}
        slowest: dict[str, tuple[float, str]] = {}
        for label, role, path in pages:
            browsers[role].get(path)
            with CaptureQueriesContext(connection) as captured:
                response = browsers[role].get(path)
            if response.status_code != 200:
                raise SystemExit(f"in-process {label} {path}: {response.status_code}")
            queries[label] = len(captured.captured_queries)
            statements = captured.captured_queries
            database_ms[label] = sum(float(q["time"]) for q in statements) * 1000
            slow = max(statements, key=lambda q: float(q["time"]))
            slowest[label] = (float(slow["time"]) * 1000, slow["sql"])
        api_browser = TestClient(HTTP_HOST=host, headers={"Authorization": f"Bearer {raw_key}"})
        api_browser.get(BASELINE_PATH)
        with CaptureQueriesContext(connection) as captured:
            api_browser.get(BASELINE_PATH)
        queries["baseline"] = len(captured.captured_queries)
        use_public_schema()

        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "DJANGO_DEBUG": "false",
            "LOG_LEVEL": "WARNING",
            "DATABASE_CONN_MAX_AGE": str(args.conn_max_age),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        port = free_port()
        server = start_server("config.wsgi:application", ROOT, port, env, api_headers)
        targets: list[tuple[str, str, dict[str, str]]] = [
            (label, path, {"Host": host, "Cookie": cookies[role]}) for label, role, path in pages
        ]
        targets.append(("baseline", BASELINE_PATH, api_headers))
        times: dict[str, list[float]] = {label: [] for label, _, _ in targets}
        for round_number in range(args.rounds + 2):
            ordered = targets if round_number % 2 == 0 else list(reversed(targets))
            for label, path, headers in ordered:
                status, body, seconds = fetch(port, path, headers)
                if status != 200:
                    raise SystemExit(f"GET {path} ({label}) answered {status}: {body[:300]!r}")
                if round_number >= 2:  # two rounds warm every worker on every page
                    times[label].append(seconds)
    finally:
        stop_server(server)
        use_public_schema()
        # The client's schema and rows; the people and agencies stay in the bench database,
        # which the next benchmark creates afresh.
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {ApiKey._meta.db_table} WHERE client_id = %s", [client.pk])
        client.auto_drop_schema = True
        client.delete(force_drop=True)
        celery_app.control.purge()

    def ms(seconds: float) -> float:
        return seconds * 1000

    base_p50 = ms(statistics.median(times["baseline"]))
    print(
        f"setup (bulk, not measured): {setup_seconds:.1f}s for {args.rows} submissions, "
        f"shortlist of {shortlist_size}, {len(scorecards)} scorecards"
    )
    print(
        f"server: gunicorn -w 2 -k sync, DEBUG off, CONN_MAX_AGE={args.conn_max_age}; "
        f"{args.rounds} rounds over {len(pages)} pages and the baseline, alternating"
    )
    print(f"{'page':<34} {'p50 ms':>8} {'p95 ms':>8} {'ratio':>6} {'queries':>7}")
    worst_label, worst_ratio = "", 0.0
    missed: list[str] = []
    for label, _, _ in targets:
        p50 = ms(statistics.median(times[label]))
        p95 = ms(percentile(times[label], 0.95))
        ratio = p50 / base_p50
        print(f"{label:<34} {p50:8.2f} {p95:8.2f} {ratio:6.2f} {queries[label]:7d}")
        if label != "baseline":
            if ratio > worst_ratio:
                worst_label, worst_ratio = label, ratio
            if ratio > TARGET_RATIO:
                missed.append(label)
    if missed:
        print("pages that miss, in-process: time in the database and the slowest statement")
        for label in missed:
            took, sql = slowest[label]
            short = re.sub(r"^SELECT .*? FROM ", "SELECT ... FROM ", sql)
            print(f"  {label}: {database_ms[label]:.1f} ms in SQL; slowest {took:.1f} ms:")
            print(f"    {short[:300]}")
    print(
        f"target: every page p50 <= {TARGET_RATIO:g} x the API list of 50 rows; "
        + (f"missed by: {', '.join(missed)}" if missed else "all pages meet it")
    )
    print(
        f"RESULT pages rows={args.rows} pages={len(pages)} baseline_p50_ms={base_p50:.2f} "
        f"worst_ratio={worst_ratio:.2f} worst_page={worst_label.replace(' ', '_')} "
        f"missed={len(missed)} max_queries={max(v for k, v in queries.items() if k != 'baseline')}"
    )


if __name__ == "__main__":
    main()
