"""Agencies and engagements (/engagements/): a client admin engages an agency already on the
platform, sets the ownership window and the fee, pauses, resumes and ends an engagement, each
change explained on a confirmation page before it happens. An agency admin reads its own
engagement's terms here.

Every change is a POST answered by a redirect (post-redirect-get); the services record it in
the audit trail.
"""

from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from administration.forms import AgencySearchForm, EngageForm, TermsForm
from administration.selectors import (
    AGENCIES_LISTED_TO_ENGAGE,
    access_agency_to_engage,
    access_engagement_by_id,
    agencies_to_engage,
    agency_invitations_open,
    engagements_for,
)
from administration.services.engagements import (
    STATUS_CHANGES,
    engagement_engage,
    engagement_status_change,
    engagement_terms_update,
)
from audit.errors import NotFoundError
from hiring.models import Submission
from pages.access import Caller, workspace_page
from pages.forms import form_action
from tenants.models import Engagement, EngagementStatus
from tenants.roles import ADMINISTER_AGENCY, ADMINISTER_WORKSPACE

READERS = ADMINISTER_WORKSPACE | ADMINISTER_AGENCY

# What each status means for the agency, shown on the engagement's page.
STATUS_MEANINGS = {
    EngagementStatus.ACTIVE: "The agency sees the briefs shared with it and submits candidates.",
    EngagementStatus.PAUSED: (
        "The agency follows its submissions and sees the briefs shared with it, but cannot "
        "submit until the engagement is resumed."
    ),
    EngagementStatus.ENDED: (
        "The workspace is closed to the agency. Its past submissions stay with you."
    ),
}

# The same, told to the agency's admin.
AGENCY_STATUS_MEANINGS = {
    EngagementStatus.ACTIVE: "You see the briefs the client shares with you and submit candidates.",
    EngagementStatus.PAUSED: (
        "The client paused the engagement: you follow your submissions and read the briefs "
        "shared with you, but cannot submit (and your API keys are refused) until it resumes."
    ),
    EngagementStatus.ENDED: "The engagement has ended.",
}

# What a change means, shown on its confirmation page before it happens. {agency} is the name.
CHANGE_PAGES: dict[str, dict[str, Any]] = {
    "pause": {
        "title": "Pause the engagement of {agency}?",
        "button": "Pause the engagement",
        "danger": False,
        "points": [
            "{agency}'s people keep read access: they still see the briefs you shared with "
            "them and follow their submissions.",
            "They cannot submit new candidates (on the page, by CSV import or through the API) "
            "until you resume; the submit page tells them the engagement is paused.",
            "Its API keys are refused while the engagement is paused. Its webhooks keep "
            "reporting the progress of its submissions.",
            "Submissions already in progress stay where they are: you can keep moving, scoring "
            "and deciding on them.",
        ],
        "done": "The engagement of {agency} is paused: its people can follow their "
        "submissions but not submit.",
    },
    "resume": {
        "title": "Resume the engagement of {agency}?",
        "button": "Resume the engagement",
        "danger": False,
        "points": [
            "{agency} can submit candidates again to the briefs shared with it, on the page, "
            "by CSV import and through its API keys.",
            "The terms stay as they are; change them from the engagement's page.",
        ],
        "done": "The engagement of {agency} is active again: it can submit candidates.",
    },
    "end": {
        "title": "End the engagement of {agency}?",
        "button": "End the engagement",
        "danger": True,
        "points": [
            'The workspace closes to {agency}\'s people: they get the same "page not found" '
            "as anyone outside your company, and it leaves their list of workspaces.",
            "Its API keys and webhooks stop working here.",
            "Its submissions, their stage history and the scorecards stay with you.",
            "Candidates it represents stay represented by it until their ownership window "
            "ends: another agency's submission of them is still refused until then.",
            "You can engage {agency} again later; its old API keys would then work again "
            "unless you revoke them.",
        ],
        "done": "The engagement of {agency} has ended: the workspace is closed to it.",
    },
}


def _manager_agency(caller: Caller) -> Any:
    """None for a client admin (every engagement); the agency for its agency admin."""
    return caller.agency if caller.is_agency else None


@workspace_page(roles=READERS)
def engagement_list(request: HttpRequest, caller: Caller) -> HttpResponse:
    engagements = list(engagements_for(client=caller.client, agency=_manager_agency(caller)))
    if caller.is_agency and len(engagements) == 1:
        return redirect("administration:engagement_detail", public_id=engagements[0].public_id)
    counts = dict(
        Submission.objects.filter(agency_id__in=[e.agency_id for e in engagements])
        .order_by()
        .values_list("agency_id")
        .annotate(n=Count("id"))
    )
    rows = [{"engagement": e, "submissions": counts.get(e.agency_id, 0)} for e in engagements]
    invitations = agency_invitations_open(client=caller.client) if caller.is_client else []
    return render(
        request,
        "administration/engagements/list.html",
        {"rows": rows, "invitations": invitations},
    )


@workspace_page(roles=ADMINISTER_WORKSPACE, methods=("GET", "POST"))
def engagement_new(request: HttpRequest, caller: Caller) -> HttpResponse:
    client = caller.client
    search = AgencySearchForm(request.GET)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    found = list(agencies_to_engage(client=client, query=query)[: AGENCIES_LISTED_TO_ENGAGE + 1])
    more = len(found) > AGENCIES_LISTED_TO_ENGAGE
    found = found[:AGENCIES_LISTED_TO_ENGAGE]
    chosen = request.POST.get("agency") or request.GET.get("agency") or ""
    choices = [(str(agency.public_id), agency.name) for agency in found]
    if chosen and chosen not in dict(choices):
        # Chosen from an earlier search (or a link from an ended engagement): keep it listed.
        try:
            agency = access_agency_to_engage(client=client, public_id=chosen)
        except NotFoundError:
            pass
        else:
            choices.insert(0, (str(agency.public_id), agency.name))
    initial = {"ownership_window_days": client.ownership_window_days, "agency": chosen}
    form = EngageForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        agency_choices=choices,
    )
    context: dict[str, Any] = {
        "search": search,
        "query": query,
        "form": form,
        "more": more,
        "found_any": bool(choices),
    }
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            agency = access_agency_to_engage(client=client, public_id=form.cleaned_data["agency"])
            done = form_action(
                form,
                lambda: engagement_engage(
                    actor=caller.actor,
                    client=client,
                    agency=agency,
                    ownership_window_days=form.cleaned_data["ownership_window_days"],
                    fee_percent=form.cleaned_data["fee_percent"],
                ),
            )
            if done.ok and done.value is not None:
                messages.success(
                    request,
                    f"{agency.name} is engaged. Its people can open this workspace now and see "
                    "the briefs you share with all agencies or with it.",
                )
                return redirect("administration:engagement_detail", public_id=done.value.public_id)
            context["page_error"] = done.conflict
            status = done.status if done.conflict else 400
    return render(request, "administration/engagements/new.html", context, status=status)


def _detail_context(caller: Caller, engagement: Engagement) -> dict[str, Any]:
    return {
        "engagement": engagement,
        "meaning": (STATUS_MEANINGS if caller.is_client else AGENCY_STATUS_MEANINGS)[
            EngagementStatus(engagement.status)
        ],
        "may_manage": caller.is_client,
        "submissions": Submission.objects.filter(agency_id=engagement.agency_id).count(),
        "changes": [
            code for code, rule in STATUS_CHANGES.items() if engagement.status in rule.from_statuses
        ],
    }


@workspace_page(roles=READERS)
def engagement_detail(request: HttpRequest, caller: Caller, public_id: str) -> HttpResponse:
    engagement = access_engagement_by_id(
        client=caller.client, agency=_manager_agency(caller), public_id=public_id
    )
    return render(
        request, "administration/engagements/detail.html", _detail_context(caller, engagement)
    )


@workspace_page(roles=ADMINISTER_WORKSPACE, methods=("GET", "POST"))
def engagement_terms(request: HttpRequest, caller: Caller, public_id: str) -> HttpResponse:
    engagement = access_engagement_by_id(client=caller.client, agency=None, public_id=public_id)
    form = TermsForm(
        request.POST if request.method == "POST" else None,
        initial={
            "ownership_window_days": engagement.ownership_window_days,
            "fee_percent": engagement.fee_percent,
        },
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            done = form_action(
                form,
                lambda: engagement_terms_update(
                    actor=caller.actor,
                    engagement=engagement,
                    ownership_window_days=form.cleaned_data["ownership_window_days"],
                    fee_percent=form.cleaned_data["fee_percent"],
                ),
            )
            if done.ok:
                messages.success(
                    request,
                    f"The terms of {engagement.agency.name} are saved. The window applies to "
                    "its submissions from now on.",
                )
                return redirect("administration:engagement_detail", public_id=public_id)
    return render(
        request,
        "administration/engagements/terms.html",
        {"engagement": engagement, "form": form},
        status=status,
    )


@workspace_page(roles=ADMINISTER_WORKSPACE, methods=("GET", "POST"))
def engagement_change(
    request: HttpRequest, caller: Caller, public_id: str, change: str
) -> HttpResponse:
    """The confirmation page of a pause, resume or end (GET), and the change itself (POST)."""
    engagement = access_engagement_by_id(client=caller.client, agency=None, public_id=public_id)
    name = engagement.agency.name
    page = CHANGE_PAGES[change]
    if request.method == "POST":
        engagement_status_change(actor=caller.actor, engagement=engagement, change=change)
        messages.success(request, page["done"].format(agency=name))
        return redirect("administration:engagement_detail", public_id=public_id)
    possible = engagement.status in STATUS_CHANGES[change].from_statuses
    return render(
        request,
        "administration/engagements/confirm.html",
        {
            "engagement": engagement,
            "change": change,
            "possible": possible,
            "title": page["title"].format(agency=name),
            "button": page["button"],
            "danger": page["danger"],
            "points": [point.format(agency=name) for point in page["points"]],
        },
        status=200 if possible else 409,
    )
