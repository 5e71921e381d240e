"""The workspace the list benchmarks read (bench/api_list.py, bench/pages.py): open briefs and
submissions from a few agencies with a few sentences of proof each, 1 to 3 stage changes,
written in bulk (not measured)."""

import random
from datetime import timedelta
from decimal import Decimal
from typing import Any

SHIPPED = (
    "Shipped a churn model serving 2M users behind a feature flag, retrained weekly.",
    "Built the retrieval pipeline for a support assistant answering 40k tickets a month.",
    "Moved demand forecasting from spreadsheets to a gradient-boosted model in production.",
    "Replaced a rules engine for fraud scoring with a model served at 300 requests a second.",
)
BASELINES = (
    "Before: 18% monthly churn among trial users, measured on the billing data.",
    "Before: first answer took 9 hours on average and 35% of tickets were escalated.",
    "Before: forecast error (MAPE) of 31% on weekly store-level demand.",
    "",
)
IMPROVEMENTS = (
    "Churn fell to 14% over two quarters; the retention team targets the top decile.",
    "Median first answer under 2 minutes; escalations down to 21% after three months.",
    "MAPE down to 17%; stock-outs fell by a third in the pilot region.",
    "",
)
MONITORING = (
    "Drift dashboards on the top 20 features, alerting to the on-call rotation.",
    "Weekly sample of 200 answers graded by support leads; groundedness tracked per release.",
    "",
)
QUALITY_DIPS = (
    "A schema change upstream silently zeroed one feature; caught by the drift alert in a day.",
    "Answers degraded after a docs migration; we rolled back the index and re-embedded.",
    "",
)
REASONS = ("", "", "Strong proof of production work.", "Matches the brief's data stack.")


def bench_submissions(
    *, client: Any, agencies: list[Any], rows: int, run: str, briefs: int = 4
) -> tuple[list[Any], list[int]]:
    """`briefs` open briefs and `rows` submissions spread over them and over `agencies`, in
    the client's schema; returns the briefs and each submission's number of stage changes.
    Pairs of rows share updated_at (a bulk import does that)."""
    from django.db import connection
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from audit.actors import Actor
    from hiring.models import Candidate, Stage, StageChange, Submission
    from hiring.services.briefs import brief_create, brief_open

    rng = random.Random(20240601)
    with tenant_context(client):
        actor = Actor(kind="system", ref="bench")
        made: list[Any] = []
        for n in range(briefs):
            brief = brief_create(
                actor=actor,
                data={
                    "title": f"ML engineer for demand forecasting {n}",
                    "track": "python_ai_developer",
                    "needs": ["ml_features", "pipelines"],
                },
            )
            made.append(
                brief_open(actor=actor, brief=brief, override_reason="Benchmark brief, not real.")
            )
        start = timezone.now() - timedelta(days=60)
        candidates = Candidate.objects.bulk_create(
            (
                Candidate(
                    full_name=f"Bench Person {n}",
                    email_normalized=f"bench.{run}.{n}@corp.example",
                )
                for n in range(rows)
            ),
            batch_size=2000,
        )
        flow = (Stage.SUBMITTED, Stage.SCREENING, Stage.INTERVIEW)
        submissions = []
        histories: list[int] = []
        for n, candidate in enumerate(candidates):
            created = start + timedelta(seconds=n * 500)
            changes = rng.choice((1, 1, 2, 2, 2, 3))
            histories.append(changes)
            # Pairs of rows share updated_at (a bulk import does that), so the cursor's
            # public_id tie-break is exercised on every page.
            updated = start + timedelta(seconds=(n // 2) * 500 + 400)
            rate = rng.choice((None, Decimal("85.00"), Decimal("120.50"), Decimal("99.99")))
            submissions.append(
                Submission(
                    brief=made[n % briefs],
                    candidate=candidate,
                    agency=agencies[n % len(agencies)],
                    full_name=candidate.full_name,
                    email=candidate.email_normalized,
                    location="Berlin, Germany",
                    summary="Seven years of Python, four of them shipping ML to production.",
                    proof_shipped_solution=rng.choice(SHIPPED),
                    proof_baseline=rng.choice(BASELINES),
                    proof_improvement=rng.choice(IMPROVEMENTS),
                    proof_monitoring=rng.choice(MONITORING),
                    proof_quality_dip=rng.choice(QUALITY_DIPS),
                    proof_links=[f"https://github.com/bench-{n}/churn-model"]
                    + ([f"https://blog.example/posts/{n}"] if n % 3 == 0 else []),
                    rate_amount=rate,
                    rate_currency="" if rate is None else rng.choice(("EUR", "USD")),
                    right_to_represent_confirmed_at=created,
                    stage=flow[changes - 1],
                    stage_changed_at=created + timedelta(seconds=100 * (changes - 1)),
                    created_at=created,
                    updated_at=updated,
                )
            )
        submissions = Submission.objects.bulk_create(submissions, batch_size=2000)
        StageChange.objects.bulk_create(
            (
                StageChange(
                    submission=submission,
                    from_stage="" if k == 0 else flow[k - 1],
                    to_stage=flow[k],
                    reason=rng.choice(REASONS) if k else "",
                    actor_kind="api_key" if k == 0 else "user",
                    actor_ref="ahk_benchbench01" if k == 0 else "",
                    occurred_at=submission.created_at + timedelta(seconds=100 * k),
                )
                for submission, changes in zip(submissions, histories, strict=True)
                for k in range(changes)
            ),
            batch_size=5000,
        )
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Submission._meta.db_table}")
            cursor.execute(f"ANALYZE {StageChange._meta.db_table}")
            cursor.execute(f"ANALYZE {Candidate._meta.db_table}")
    return made, histories
