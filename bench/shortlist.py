"""Shortlist recompute for a large brief: 5,000 submissions with 3 submitted scorecards each
(15,000 scorecards from 30 interviewers), through the real path `shortlist_compute` (advisory
lock, load, fingerprint, calibrated engine with reasons, snapshot of 5,000 entries, audit row
and outbox event), beside one SQL aggregate over the same rows: per submission the mean of
each category and the weighted sum, ordered by it. The aggregate is the floor for reading
these rows and ranking them at all; it has no calibration, floors, balance, flags, reasons
or stored snapshot.

Run: .venv/bin/python bench/shortlist.py [--submissions N]
"""

import argparse
import os
import random
import statistics
import time
import uuid
from pathlib import Path
from typing import Any

from _setup import bench_django_setup

# The outbox kick after each snapshot goes to a queue no worker reads, emptied at the end,
# so a `make run` worker never sees this benchmark's tenant.
os.environ.setdefault("CELERY_TASK_DEFAULT_QUEUE", "aihiring-bench")

INTERVIEWERS = 30
CARDS_PER_SUBMISSION = 3
AGENCIES = 3
RUNS = 3
EVIDENCE = "Walked through the rollout, the metric it moved and the rollback plan."


def backend_cpu_seconds(pid: int) -> float:
    """CPU time of a PostgreSQL backend on this machine (user + system). On a shared, busy
    machine CPU seconds vary far less than wall time, so they are printed beside it."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--submissions", type=int, default=5_000)
    args = parser.parse_args()
    bench_django_setup()

    from django.db import connection
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from audit.actors import Actor
    from config.celery import app
    from hiring.models import Candidate, Stage, Submission
    from hiring.services.briefs import brief_create, brief_open
    from scoring.models import SCORE_FIELDS, Scorecard, ScorecardStatus, Shortlist
    from scoring.services.shortlists import brief_policy, shortlist_compute
    from tenants.models import Agency, Engagement, User
    from tenants.schema import use_public_schema
    from tenants.services import client_provision, template_schema_ensure

    template_schema_ensure(force_check=True)
    run = uuid.uuid4().hex[:6]
    client = client_provision(slug=f"bench-shortlist-{run}", name=f"Bench shortlist {run}").client
    agencies = Agency.objects.bulk_create(
        Agency(slug=f"bench-shortlist-{run}-{n}", name=f"Bench agency {run} {n}")
        for n in range(AGENCIES)
    )
    Engagement.objects.bulk_create(Engagement(client=client, agency=a) for a in agencies)
    users = User.objects.bulk_create(
        User(email=f"interviewer.{run}.{n}@bench.example", name=f"Interviewer {n}")
        for n in range(INTERVIEWERS)
    )
    queries = {"n": 0}

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries["n"] += 1
        return execute(sql, params, many, context)

    rng = random.Random(20240601)
    compute_times: list[float] = []
    compute_cpu: list[float] = []
    sql_cpu: list[float] = []
    compute_queries: list[int] = []
    sql_times: list[float] = []
    try:
        with tenant_context(client):
            actor = Actor(kind="system", ref="bench")
            brief = brief_create(
                actor=actor,
                data={
                    "title": "ML engineer for demand forecasting",
                    "track": "python_ai_developer",
                    "needs": ["ml_features", "pipelines"],
                },
            )
            brief = brief_open(
                actor=actor, brief=brief, override_reason="Benchmark brief, not a real role."
            )

            # Setup in bulk: not what is measured.
            setup_started = time.perf_counter()
            now = timezone.now()
            candidates = Candidate.objects.bulk_create(
                (
                    Candidate(
                        full_name=f"Bench Person {n}",
                        email_normalized=f"bench.{run}.{n}@corp.example",
                    )
                    for n in range(args.submissions)
                ),
                batch_size=2000,
            )
            submissions = Submission.objects.bulk_create(
                (
                    Submission(
                        brief=brief,
                        candidate=candidate,
                        agency=agencies[n % AGENCIES],
                        full_name=candidate.full_name,
                        proof_shipped_solution="Shipped a churn model serving 2M users.",
                        right_to_represent_confirmed_at=now,
                        stage=Stage.INTERVIEW,
                    )
                    for n, candidate in enumerate(candidates)
                ),
                batch_size=2000,
            )
            # Each candidate has a true level per category; each interviewer a leniency; a few
            # categories stay unscored, so calibration, floors and flags all have work to do.
            leniency = [rng.choice((-1, 0, 0, 0, 1)) for _ in range(INTERVIEWERS)]
            cards = []
            for n, submission in enumerate(submissions):
                level = [rng.randint(0, 5) for _ in SCORE_FIELDS]
                for k in range(CARDS_PER_SUBMISSION):
                    who = (n + k * 7) % INTERVIEWERS  # three different interviewers
                    scores = {
                        field: (
                            None
                            if rng.random() < 0.03
                            else min(5, max(0, level[i] + leniency[who] + rng.randint(-1, 1)))
                        )
                        for i, field in enumerate(SCORE_FIELDS)
                    }
                    cards.append(
                        Scorecard(
                            submission=submission,
                            interviewer=users[who],
                            status=ScorecardStatus.SUBMITTED,
                            submitted_at=now,
                            recommendation=rng.choice(("no", "mixed", "yes", "strong_yes")),
                            evidence_a=EVIDENCE,
                            **scores,
                        )
                    )
            Scorecard.objects.bulk_create(cards, batch_size=5000)
            # Statistics, as autovacuum keeps them on a workspace whose scorecards arrived over
            # weeks: without them the planner takes these freshly filled tables for empty and
            # both the engine's load and the baseline run a nested loop over 15,000 rows.
            with connection.cursor() as cursor:
                for model in (Candidate, Submission, Scorecard):
                    cursor.execute(f"ANALYZE {model._meta.db_table}")
            setup_seconds = time.perf_counter() - setup_started
            card_ids = [card.pk for card in cards]

            for index in range(RUNS):
                if index:
                    # One changed score: the fingerprint differs, so this is a real recompute.
                    changed = Scorecard.objects.get(pk=rng.choice(card_ids))
                    old = changed.score_a if changed.score_a is not None else 2
                    changed.score_a = (old + 1) % 6
                    changed.save(update_fields=["score_a"])
                queries["n"] = 0
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_backend_pid()")
                    backend = cursor.fetchone()[0]
                cpu_started = time.process_time() + backend_cpu_seconds(backend)
                started = time.perf_counter()
                with connection.execute_wrapper(count):
                    shortlist = shortlist_compute(brief=brief)
                compute_times.append(time.perf_counter() - started)
                compute_cpu.append(time.process_time() + backend_cpu_seconds(backend) - cpu_started)
                compute_queries.append(queries["n"])
                assert shortlist is not None and shortlist.version == index + 1
                assert shortlist.scorecard_count == len(cards), shortlist.scorecard_count
            assert shortlist_compute(brief=brief) is None  # unchanged inputs: no new version
            assert shortlist is not None
            entries = shortlist.entries.count()
            assert entries == args.submissions, entries
            durations_ms = list(
                Shortlist.objects.filter(brief=brief)
                .order_by("version")
                .values_list("duration_ms", flat=True)
            )

            # Baseline: one aggregate in SQL with the same weights, fetched.
            policy = brief_policy(brief)
            total = sum(policy.weights.values())
            weights = [policy.weights[code] / total for code in "ABCDE"]
            weighted = " + ".join(f"%s * COALESCE(AVG(s.{field}), 0)" for field in SCORE_FIELDS)
            means = ", ".join(f"AVG(s.{field})" for field in SCORE_FIELDS)
            sql = (
                f"SELECT s.submission_id, {means}, {weighted} AS weighted, COUNT(*) "
                f"FROM {Scorecard._meta.db_table} s "
                f"JOIN {Submission._meta.db_table} sub ON sub.id = s.submission_id "
                "WHERE sub.brief_id = %s AND s.status = %s AND sub.stage NOT IN (%s, %s) "
                "GROUP BY s.submission_id ORDER BY weighted DESC, s.submission_id"
            )
            params: list[Any] = [
                *weights,
                brief.pk,
                ScorecardStatus.SUBMITTED,
                Stage.WITHDRAWN,
                Stage.REJECTED,
            ]
            if os.environ.get("BENCH_PROFILE"):
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                    print("\n".join(line for (line,) in cursor.fetchall()))
            for _ in range(RUNS):
                cpu_started = time.process_time() + backend_cpu_seconds(backend)
                started = time.perf_counter()
                with connection.cursor() as cursor:
                    cursor.execute(sql, params)
                    rows = cursor.fetchall()
                sql_times.append(time.perf_counter() - started)
                sql_cpu.append(time.process_time() + backend_cpu_seconds(backend) - cpu_started)
                assert len(rows) == args.submissions, len(rows)
    finally:
        use_public_schema()
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
            cursor.execute(
                f"DELETE FROM {User._meta.db_table} WHERE id = ANY(%s)", [[u.pk for u in users]]
            )
        app.control.purge()

    seconds = statistics.median(compute_times)
    sql_seconds = statistics.median(sql_times)
    scorecards = args.submissions * CARDS_PER_SUBMISSION
    print(
        f"setup (bulk, not measured): {setup_seconds:.1f}s for {args.submissions} submissions "
        f"and {scorecards} scorecards from {INTERVIEWERS} interviewers"
    )
    print(
        "shortlist_compute: "
        + ", ".join(f"{t:.3f}s" for t in compute_times)
        + f" (median {seconds:.3f}s; {compute_queries[-1]} statements and one COPY per run; "
        f"stored duration_ms {durations_ms})"
    )
    print(
        "SQL aggregate baseline: "
        + ", ".join(f"{t:.3f}s" for t in sql_times)
        + f" (median {sql_seconds:.3f}s)"
    )
    cpu = statistics.median(compute_cpu)
    cpu_sql = max(statistics.median(sql_cpu), 0.01)
    print(
        "CPU (this process + its database backend): shortlist_compute "
        + ", ".join(f"{t:.2f}s" for t in compute_cpu)
        + "; SQL aggregate "
        + ", ".join(f"{t:.2f}s" for t in sql_cpu)
    )
    print(
        f"RESULT shortlist submissions={args.submissions} seconds={seconds:.3f} "
        f"sql_seconds={sql_seconds:.3f} ratio={seconds / sql_seconds:.1f} "
        f"cpu_seconds={cpu:.2f} sql_cpu_seconds={cpu_sql:.2f} cpu_ratio={cpu / cpu_sql:.1f}"
    )


if __name__ == "__main__":
    main()
