"""Agency analytics at one client: volume, pass-through, speed, quality and conflicts.

Computed by Celery (nightly and on demand) into AgencyAnalytics rows; clients see all rows,
each agency only its own (scoring.selectors.agency_analytics_for).
"""

import statistics
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.db.models import Avg, Count, Min
from django.utils import timezone

from audit.models import AuditEntry
from hiring.models import RoleBrief, StageChange, Submission
from scoring.models import AgencyAnalytics, Scorecard, ScorecardStatus
from tenants.models import Engagement
from tenants.schema import current_client

# Agencies see the average scores of their candidates only when at least this many scorecards
# make them up (docs/scoring.md, Agency analytics): pages and the API apply the same rule.
AGENCY_SCORES_MIN_SCORECARDS = 5

# A submission "passed" a stage when it ever reached it (from its stage history).
FUNNEL = ("submitted", "screening", "interview", "shortlisted", "offer", "hired")


def candidate_averages_visible(
    figures: dict[str, Any], *, for_client: bool
) -> dict[str, float | None] | None:
    """The candidates' per-category averages a reader may see: clients always, an agency
    only once they blend AGENCY_SCORES_MIN_SCORECARDS scorecards or more (a handful would tell
    it what one interviewer scored). None when hidden or not computed."""
    averages = figures.get("average_scores") or None
    if not for_client and int(figures.get("scorecards") or 0) < AGENCY_SCORES_MIN_SCORECARDS:
        return None
    return averages


def agency_analytics_compute() -> int:
    """Recompute every engaged agency's figures for the current client. Returns the count."""
    client = current_client()
    agency_ids = list(Engagement.objects.filter(client=client).values_list("agency_id", flat=True))
    totals = dict(
        Submission.objects.values_list("agency_id")
        .annotate(n=Count("id"))
        .values_list("agency_id", "n")
    )
    reached: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FUNNEL, 0))
    rows = StageChange.objects.values("submission__agency_id", "to_stage").annotate(
        n=Count("submission_id", distinct=True)
    )
    for row in rows:
        if row["to_stage"] in FUNNEL:
            reached[row["submission__agency_id"]][row["to_stage"]] = row["n"]

    opened = dict(RoleBrief.objects.exclude(opened_at=None).values_list("id", "opened_at"))
    first_by_brief = Submission.objects.values("agency_id", "brief_id").annotate(
        first=Min("created_at")
    )
    hours: dict[int, list[float]] = defaultdict(list)
    for first_row in first_by_brief:
        opened_at = opened.get(first_row["brief_id"])
        if opened_at is not None:
            hours[first_row["agency_id"]].append(
                max((first_row["first"] - opened_at).total_seconds(), 0) / 3600
            )

    score_rows = (
        Scorecard.objects.filter(status=ScorecardStatus.SUBMITTED)
        .values("submission__agency_id")
        .annotate(
            a=Avg("score_a"),
            b=Avg("score_b"),
            c=Avg("score_c"),
            d=Avg("score_d"),
            e=Avg("score_e"),
            n=Count("id"),
        )
    )
    scores: dict[int, dict[str, Any]] = {
        row["submission__agency_id"]: dict(row) for row in score_rows
    }

    conflicts: dict[int, dict[str, int]] = defaultdict(
        lambda: {"candidate_owned_by_another_agency": 0, "duplicate_submission": 0}
    )
    for entry in AuditEntry.objects.filter(action="submission.refused").values_list(
        "details", flat=True
    ):
        agency_id, code = entry.get("agency"), entry.get("code")
        if agency_id is not None and code in conflicts[agency_id]:
            conflicts[agency_id][code] += 1

    now = timezone.now()
    with transaction.atomic():
        for agency_id in agency_ids:
            total = totals.get(agency_id, 0)
            funnel = reached[agency_id]
            figures: dict[str, Any] = {
                "submissions": total,
                "reached": funnel,
                "pass_through": {
                    stage: (round(funnel[stage] / total, 3) if total else None) for stage in FUNNEL
                },
                "median_hours_to_first_submission": (
                    round(statistics.median(hours[agency_id]), 1) if hours[agency_id] else None
                ),
                "average_scores": (
                    {
                        code.upper(): (
                            round(scores[agency_id][code], 2)
                            if scores[agency_id][code] is not None
                            else None
                        )
                        for code in "abcde"
                    }
                    if agency_id in scores
                    else None
                ),
                "scorecards": scores[agency_id]["n"] if agency_id in scores else 0,
                "conflicts": conflicts[agency_id],
            }
            AgencyAnalytics.objects.update_or_create(
                agency_id=agency_id, defaults={"figures": figures, "computed_at": now}
            )
    return len(agency_ids)
