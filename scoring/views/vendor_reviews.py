"""Vendor scorecards: reviewers score agencies as delivery partners; an agency reads its own.

Agencies reach only their own reviews (another agency's answers the same 404 as a missing
one); interviewers none. Reviewers are named to the agency by their role only.
"""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from hiring.models import BriefStatus, RoleBrief
from hiring.rubric import CATEGORY_NAMES
from pages.access import Caller, workspace_page
from pages.forms import form_action
from scoring.charts_vendor import vendor_trend_svg
from scoring.models import VendorReview
from scoring.selectors import access_vendor_review_by_id, vendor_review_series, vendor_reviews_for
from scoring.services.vendor_reviews import vendor_review_create
from scoring.vendor_forms import VENDOR_GUIDANCE, VendorReviewForm
from tenants.models import Agency, ClientRole, Engagement
from tenants.roles import ANY_AGENCY_ROLE, REVIEW_AGENCIES

ROLE_LABELS = dict(ClientRole.choices)


def _rows(review: VendorReview) -> list[dict[str, Any]]:
    return [
        {
            "code": code,
            "name": name,
            "score": getattr(review, f"score_{code.lower()}"),
            "evidence": getattr(review, f"evidence_{code.lower()}"),
        }
        for code, name in CATEGORY_NAMES.items()
    ]


@workspace_page(roles=REVIEW_AGENCIES | ANY_AGENCY_ROLE)
def vendor_review_list(request: HttpRequest, caller: Caller) -> HttpResponse:
    reviews = list(vendor_reviews_for(caller.access).order_by("-created_at", "-id")[:200])
    agencies: dict[int, Agency] = {review.agency_id: review.agency for review in reviews}
    series = vendor_review_series(agency_ids=agencies)
    trends = [
        {
            "agency": agency,
            "svg": vendor_trend_svg(
                series[agency_id], title=f"Vendor scorecards of {agency.name} over time"
            ),
        }
        for agency_id, agency in sorted(agencies.items(), key=lambda item: item[1].name)
        if agency_id in series
    ]
    return render(
        request,
        "scoring/vendor_reviews/list.html",
        {
            "access": caller.access,
            "reviews": reviews,
            "trends": trends,
            "can_review": caller.is_client,
            "role_labels": ROLE_LABELS,
        },
    )


@workspace_page(roles=REVIEW_AGENCIES | ANY_AGENCY_ROLE)
def vendor_review_detail(request: HttpRequest, caller: Caller, public_id: str) -> HttpResponse:
    review = access_vendor_review_by_id(caller.access, public_id)
    return render(
        request,
        "scoring/vendor_reviews/detail.html",
        {
            "access": caller.access,
            "review": review,
            "rows": _rows(review),
            "reviewer_role": ROLE_LABELS.get(review.reviewer_role, review.reviewer_role),
            "show_reviewer_name": caller.is_client,
        },
    )


@workspace_page(roles=REVIEW_AGENCIES, methods=("GET", "POST"))
def vendor_review_new(request: HttpRequest, caller: Caller) -> HttpResponse:
    engaged = {
        str(e.agency.public_id): e.agency
        for e in Engagement.objects.filter(client=caller.client)
        .select_related("agency")
        .order_by("agency__name")
    }
    filled = {
        str(brief.public_id): brief
        for brief in RoleBrief.objects.filter(status=BriefStatus.FILLED).order_by("-updated_at")[
            :200
        ]
    }
    form_kwargs: dict[str, Any] = {
        "agency_choices": [(key, agency.name) for key, agency in engaged.items()],
        "brief_choices": [(key, brief.title) for key, brief in filled.items()],
    }
    initial = {"agency": request.GET.get("agency", "")}
    form = VendorReviewForm(initial=initial, **form_kwargs)
    page_error, status = "", 200
    if request.method == "POST":
        form = VendorReviewForm(request.POST, **form_kwargs)
        if form.is_valid():
            data = form.cleaned_data
            done = form_action(
                form,
                lambda: vendor_review_create(
                    actor=caller.actor,
                    agency=engaged[data["agency"]],
                    basis=data["basis"],
                    brief=filled.get(data.get("brief") or ""),
                    period_start=data.get("period_start"),
                    period_end=data.get("period_end"),
                    data=form.service_data(),
                ),
            )
            if done.ok and done.value is not None:
                messages.success(request, "Vendor scorecard recorded. The agency can read it.")
                return redirect("scoring:vendor_review_detail", public_id=done.value.public_id)
            page_error, status = done.conflict, done.status
        page_error = page_error or "Nothing was saved: fix the marked fields and try again."
    return render(
        request,
        "scoring/vendor_reviews/form.html",
        {
            "access": caller.access,
            "form": form,
            "guidance": VENDOR_GUIDANCE,
            "page_error": page_error,
        },
        status=status,
    )
