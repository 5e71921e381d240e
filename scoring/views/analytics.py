"""Agency analytics: clients see every agency's figures, an agency only its own."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from hiring.models import Stage
from hiring.rubric import CATEGORY_CODES, CATEGORY_NAMES
from pages.access import Caller, workspace_page
from scoring.analytics import FUNNEL, candidate_averages_visible
from scoring.charts import (
    FunnelStep,
    category_profile_svg,
    funnel_svg,
)
from scoring.charts_vendor import vendor_trend_svg
from scoring.models import (
    AgencyAnalytics,
)
from scoring.selectors import (
    VendorPoint,
    agency_analytics_for,
    blind_assignments,
    vendor_review_series,
)
from scoring.tasks.analytics import REFRESH_TASK
from tenants import tasks as tenant_tasks
from tenants.roles import ANY_AGENCY_ROLE, SEE_ALL_SCORES
from tenants.schema import current_schema_name

STAGE_LABELS = dict(Stage.choices)


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _agency_row(
    row: AgencyAnalytics, *, for_client: bool, blind: bool, vendor: list[VendorPoint]
) -> dict[str, Any]:
    figures: dict[str, Any] = row.figures or {}
    total = figures.get("submissions") or 0
    reached = figures.get("reached") or {}
    shares = figures.get("pass_through") or {}
    steps = [
        FunnelStep(
            label=STAGE_LABELS.get(stage, stage),
            count=int(reached.get(stage) or 0),
            share=shares.get(stage),
        )
        for stage in FUNNEL
    ]
    averages = candidate_averages_visible(figures, for_client=for_client)
    if blind:
        # The averages include the scores of a candidate the viewer still has to score.
        averages = None
    conflicts = figures.get("conflicts") or {}
    name = row.agency.name
    return {
        "agency": row.agency,
        "computed_at": row.computed_at,
        "submissions": total,
        "interviewed": int(reached.get(Stage.INTERVIEW) or 0),
        "hired": int(reached.get(Stage.HIRED) or 0),
        "median_hours": figures.get("median_hours_to_first_submission"),
        "averages": [(code, CATEGORY_NAMES[code], (averages or {}).get(code)) for code in "ABCDE"],
        "has_scores": bool(averages),
        "scores_blind": blind,
        "overall_average": _mean(
            [value for value in (averages or {}).values() if value is not None]
        ),
        "scorecards": figures.get("scorecards") or 0,
        "owned_elsewhere": int(conflicts.get("candidate_owned_by_another_agency") or 0),
        "duplicates": int(conflicts.get("duplicate_submission") or 0),
        "funnel_svg": funnel_svg(steps, title=f"Pass-through of {name}'s submissions by stage")
        if total
        else "",
        "profile_svg": category_profile_svg(
            {code: (averages or {}).get(code) for code in CATEGORY_CODES},
            title=f"Average scorecard scores of {name}'s candidates",
        )
        if averages
        else "",
        # The agency as a delivery partner: reviewers' vendor scorecards, live (not nightly).
        "vendor_reviews": len(vendor),
        "vendor_latest": vendor[-1] if vendor else None,
        "vendor_svg": vendor_trend_svg(vendor, title=f"Vendor scorecards of {name} over time")
        if vendor
        else "",
    }


@workspace_page(roles=SEE_ALL_SCORES | ANY_AGENCY_ROLE)
def agency_analytics(request: HttpRequest, caller: Caller) -> HttpResponse:
    access = caller.access
    blind_agencies = (
        set(
            blind_assignments(user_id=access.user_id).values_list(
                "submission__agency_id", flat=True
            )
        )
        if access.is_client
        else set()
    )
    analytics_rows = list(agency_analytics_for(access))
    vendor = vendor_review_series(agency_ids=[row.agency_id for row in analytics_rows])
    rows = [
        _agency_row(
            row,
            for_client=access.is_client,
            blind=row.agency_id in blind_agencies,
            vendor=vendor.get(row.agency_id, []),
        )
        for row in analytics_rows
    ]
    return render(
        request,
        "scoring/agency_analytics.html",
        {
            "access": access,
            "rows": rows,
            "computed_at": max((row["computed_at"] for row in rows), default=None),
            "oldest_computed_at": min((row["computed_at"] for row in rows), default=None),
            "can_refresh": access.is_client,
            "stage_labels": [STAGE_LABELS[stage] for stage in FUNNEL],
        },
    )


@workspace_page(roles=SEE_ALL_SCORES, methods=("POST",))
def agency_analytics_refresh(request: HttpRequest, caller: Caller) -> HttpResponse:
    tenant_tasks.send_to_tenant(
        task_name=REFRESH_TASK,
        schema_name=current_schema_name(),
    )
    messages.success(
        request,
        "Refresh queued. The figures are recomputed in the background within a minute; reload "
        "this page to see them.",
    )
    return redirect("scoring:agency_analytics")
