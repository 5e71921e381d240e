"""Brief pages: the list, the form with its live readiness panel, the brief's page, opening a
brief to agencies and its status changes.

Every view goes through pages.access.workspace_page; reads go through hiring.selectors and
writes through hiring.services.briefs.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render

from hiring.forms.briefs import (
    READINESS_AREAS,
    READINESS_FIELD_NAMES,
    SCORECARD_CATEGORIES,
    BriefFilterForm,
    BriefForm,
    BriefOpenForm,
    readiness_input,
)
from hiring.models import BriefShare, BriefStatus, Need, RoleBrief, Track
from hiring.outcome import framework_warnings, outcome_statement
from hiring.readiness import brief_readiness_gaps, is_genai_fields, recommend_track, track_warning
from hiring.safety import checklist_items_for, retention_days
from hiring.search import briefs_search, search_text, sort_headers, sorting
from hiring.selectors import access_brief_by_id, briefs_with_counts, submissions_for
from hiring.services.briefs import (
    STATUS_TRANSITIONS,
    brief_create,
    brief_open,
    brief_set_status,
    brief_update,
)
from pages.access import Caller, workspace_page
from pages.forms import form_action
from pages.paging import page_of, query_without_page
from tenants.models import EngagementStatus, User
from tenants.roles import ANY_AGENCY_ROLE, ANY_CLIENT_ROLE, MANAGE_HIRING, SEE_ALL_SCORES
from tenants.selectors import client_engagements

STATUS_ACTION_LABELS = {
    BriefStatus.ON_HOLD: "Put on hold",
    BriefStatus.FILLED: "Mark filled",
    BriefStatus.CLOSED: "Close",
}


# --- readiness, shown on the form, the live panel and the brief page ---------------------------


@dataclass(frozen=True)
class ReadinessArea:
    key: str
    title: str
    applies: bool
    missing: list[str]
    not_needed_note: str = ""
    blocking: bool = False


# When an area does not apply, the panel says why.
_NOT_NEEDED_NOTES = {
    "genai_evaluation": "Only for roles that involve LLMs, RAG or agents.",
    "safety_checklist": "Only for roles that involve LLMs, RAG or agents.",
    "decision_impact": "Only when the AI influences approvals, pricing or risk decisions.",
    "lifecycle": "Only for AI roles (Python AI developer, AI/ML engineer or GenAI).",
}


def _area_applies(key: str, fields: dict[str, Any], *, genai: bool) -> bool:
    if key in ("genai_evaluation", "safety_checklist"):
        return genai
    if key == "decision_impact":
        return fields.get("decision_impact") not in (None, "", False, "false", "0", "off")
    if key == "lifecycle":
        return genai or fields.get("track") in (Track.PYTHON_AI_DEVELOPER, Track.AI_ML_ENGINEER)
    return True


def readiness_summary(fields: dict[str, Any]) -> dict[str, Any]:
    """Everything the readiness panel and checklist show, from a brief's field values."""
    needs = list(fields.get("needs") or [])
    track = fields.get("track") or ""
    gaps = brief_readiness_gaps(fields)
    genai = is_genai_fields(fields)
    recommended = recommend_track(needs)
    areas = [
        ReadinessArea(
            key=key,
            title=title,
            applies=_area_applies(key, fields, genai=genai),
            # Under its own heading the plan's prefix would only repeat the heading.
            missing=[
                gap.message.removeprefix("GenAI evaluation plan: ")
                for gap in gaps
                if gap.area == key
            ],
            not_needed_note=_NOT_NEEDED_NOTES.get(key, ""),
            blocking=key == "safety_checklist",
        )
        for key, title in READINESS_AREAS.items()
    ]
    blocking = [gap for gap in gaps if gap.blocking]
    return {
        "ready": not gaps,
        "blocked": bool(blocking),
        "blocking_names": [READINESS_FIELD_NAMES.get(gap.field, gap.field) for gap in blocking],
        "outcome_statement": outcome_statement(fields, genai=genai),
        "framework_warnings": framework_warnings(fields),
        "gap_count": len(gaps),
        "missing_names": [READINESS_FIELD_NAMES.get(gap.field, gap.field) for gap in gaps],
        "areas": areas,
        "is_genai": genai,
        "recommended_track": recommended,
        "recommended_track_label": dict(Track.choices).get(recommended or "", ""),
        "track": track,
        "track_label": dict(Track.choices).get(track, ""),
        "track_warning": track_warning(track=track, needs=needs) if track in Track.values else None,
    }


def _scorecard_rows(brief: RoleBrief) -> list[dict[str, Any]]:
    """The scorecard policy as the page shows it. Weights are relative (docs/scoring.md): a
    GenAI brief's security bonus makes the stored weights add up to 1.10, so each is shown as
    its share of the whole, which always adds up to 100%."""
    weights = brief.scorecard_weights or {}
    floors = brief.scorecard_floors or {}
    numbers = {code: _float(weights.get(code)) for code in SCORECARD_CATEGORIES}
    total = sum(value for value in numbers.values() if value is not None)
    return [
        {
            "code": code,
            "name": name,
            "weight": _number(weights.get(code)),
            "share": None
            if numbers[code] is None or total <= 0
            else f"{100 * (numbers[code] or 0) / total:.0f}%",
            "floor": _number(floors.get(code)),
        }
        for code, name in SCORECARD_CATEGORIES.items()
    ]


def _float(value: object) -> float | None:
    try:
        return float(str(value)) if value not in (None, "") else None
    except ValueError:
        return None


def _number(value: object) -> str | None:
    """A weight or floor as typed: 0.15 stays 0.15, 3.0 shows as 3."""
    if value is None or value == "":
        return None
    try:
        return f"{float(str(value)):g}"
    except ValueError:
        return str(value)


# --- the list and the form ----------------------------------------------------------------------


BRIEF_SORT_COLUMNS = {
    "title": ("title",),
    "track": ("track", "title"),
    "status": ("status", "title"),
    "submissions": ("submission_count",),
    "deadline": ("deadline",),
    "updated": ("updated_at",),
}
BRIEF_COLUMN_LABELS = {
    "title": "Title",
    "track": "Track",
    "status": "Status",
    "submissions": "Submissions",
    "deadline": "Fill by",
}


@workspace_page(roles=ANY_CLIENT_ROLE | ANY_AGENCY_ROLE)
def brief_list(request: HttpRequest, caller: Caller) -> HttpResponse:
    """Briefs within reach: searched, filtered (the filters combine and stay in the URL) and
    sorted by a column (an unknown one is ignored)."""
    briefs = briefs_with_counts(caller.access)
    filter_form = BriefFilterForm(request.GET)
    if not caller.is_client:
        del filter_form.fields["status"]  # agencies see open briefs only
    query = ""
    if filter_form.is_valid():
        chosen = filter_form.cleaned_data
        query = chosen["q"]
        briefs = briefs_search(briefs, query)
        if chosen.get("status"):
            briefs = briefs.filter(status=chosen["status"])
        if chosen.get("track"):
            briefs = briefs.filter(track=chosen["track"])
    sort = sorting(request.GET.get("sort"), BRIEF_SORT_COLUMNS, default=("-updated_at", "-id"))
    page = page_of(request, briefs.order_by(*sort.order_by))
    rows = [
        {"brief": brief, "gap_count": len(brief_readiness_gaps(brief.__dict__))}
        for brief in page.object_list
    ]
    return render(
        request,
        "hiring/brief_list.html",
        {
            "access": caller.access,
            "rows": rows,
            "page": page,
            "filter_form": filter_form,
            "filtered": any(request.GET.get(name) for name in ("q", "status", "track")),
            "search_text": search_text(query),
            "sort": sort,
            "headers": sort_headers(
                request.GET,
                sort,
                {
                    **BRIEF_COLUMN_LABELS,
                    "submissions": "Submissions" if caller.is_client else "Your submissions",
                },
            ),
            "page_query": query_without_page(request),
            "can_write_briefs": caller.may(MANAGE_HIRING),
        },
    )


@workspace_page(roles=MANAGE_HIRING, methods=("GET", "POST"))
def brief_new(request: HttpRequest, caller: Caller) -> HttpResponse:
    if request.method != "POST":
        return _render_brief_form(
            request, form=BriefForm(), brief=None, fields=readiness_input(QueryDict())
        )
    form = BriefForm(request.POST)
    if form.is_valid():
        done = form_action(form, lambda: brief_create(actor=caller.actor, data=form.service_data()))
        if done.ok and done.value is not None:
            messages.success(request, "Brief saved as a draft.")
            return redirect("hiring:brief_detail", public_id=done.value.public_id)
    return _render_brief_form(request, form=form, brief=None, fields=readiness_input(request.POST))


@workspace_page(roles=MANAGE_HIRING, methods=("GET", "POST"))
def brief_edit(request: HttpRequest, caller: Caller, public_id: str) -> HttpResponse:
    brief = access_brief_by_id(caller.access, public_id)
    if request.method != "POST":
        form = BriefForm(initial=BriefForm.initial_from(brief))
        return _render_brief_form(request, form=form, brief=brief, fields=dict(brief.__dict__))
    form = BriefForm(request.POST)
    page_error, status = "", 200
    if form.is_valid():
        done = form_action(
            form,
            lambda: brief_update(actor=caller.actor, brief=brief, data=form.service_data()),
        )
        if done.ok:
            messages.success(request, "Brief updated.")
            return redirect("hiring:brief_detail", public_id=brief.public_id)
        page_error, status = done.conflict, done.status
        # The service may have changed the in-memory brief before refusing: read it again.
        brief.refresh_from_db()
    return _render_brief_form(
        request,
        form=form,
        brief=brief,
        fields=readiness_input(request.POST),
        page_error=page_error,
        status=status,
    )


def _render_brief_form(
    request: HttpRequest,
    *,
    form: BriefForm,
    brief: RoleBrief | None,
    fields: dict[str, Any],
    page_error: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "hiring/brief_form.html",
        {
            "form": form,
            "brief": brief,
            "readiness": readiness_summary(fields),
            "page_error": page_error,
            "is_closed": brief is not None and brief.status == BriefStatus.CLOSED,
        },
        status=status,
    )


@workspace_page(roles=MANAGE_HIRING, methods=("POST",))
def brief_readiness(request: HttpRequest, caller: Caller) -> HttpResponse:
    """The live readiness panel of the brief form (htmx posts the form here as it changes)."""
    return render(
        request,
        "hiring/partials/readiness_panel.html",
        {"readiness": readiness_summary(readiness_input(request.POST))},
    )


# --- the brief's page, opening it and its status ---------------------------------------------


@workspace_page(roles=ANY_CLIENT_ROLE | ANY_AGENCY_ROLE)
def brief_detail(request: HttpRequest, caller: Caller, public_id: str) -> HttpResponse:
    brief = access_brief_by_id(caller.access, public_id)
    return _render_brief_detail(request, caller, brief)


def _active_agency_choices(caller: Caller) -> tuple[list[tuple[str, str]], dict[str, int]]:
    engagements = [
        engagement
        for engagement in client_engagements(client=caller.client)
        if engagement.status == EngagementStatus.ACTIVE and engagement.agency.is_active
    ]
    choices = [(str(e.agency.public_id), e.agency.name) for e in engagements]
    ids = {str(e.agency.public_id): e.agency.pk for e in engagements}
    return choices, ids


def _render_brief_detail(
    request: HttpRequest,
    caller: Caller,
    brief: RoleBrief,
    *,
    open_form: BriefOpenForm | None = None,
    page_error: str = "",
    status: int = 200,
) -> HttpResponse:
    is_writer = caller.may(MANAGE_HIRING)
    context: dict[str, Any] = {
        "access": caller.access,
        "brief": brief,
        "readiness": readiness_summary(brief.__dict__),
        "scorecard": _scorecard_rows(brief),
        "need_labels": [dict(Need.choices).get(need, need) for need in brief.needs],
        # The checklist as agencies read it: each applicable question and its answer.
        "checklist": [
            {"label": item.label, "answer": getattr(brief, item.field)}
            for item in checklist_items_for(brief.__dict__)
        ],
        "log_retention_days": retention_days(brief.safety_log_retention_days),
        "submissions": list(submissions_for(caller.access).filter(brief=brief)),
        "is_writer": is_writer,
        "page_error": page_error,
        "can_submit": caller.is_agency and caller.may_submit,
    }
    if caller.is_client:
        context["can_view_shortlist"] = caller.may(SEE_ALL_SCORES)
        context["shares"] = (
            []
            if brief.shared_with_all_engaged
            else list(BriefShare.objects.filter(brief=brief).select_related("agency"))
        )
        if brief.readiness_override_user_id:
            context["override_by"] = User.objects.filter(
                pk=brief.readiness_override_user_id
            ).first()
    if is_writer:
        if brief.status in (BriefStatus.DRAFT, BriefStatus.ON_HOLD) or (
            brief.status == BriefStatus.OPEN and not brief.shared_with_all_engaged
        ):
            choices, _ = _active_agency_choices(caller)
            context["open_form"] = open_form or BriefOpenForm(agency_choices=choices)
        context["status_actions"] = [
            (value, STATUS_ACTION_LABELS[BriefStatus(value)])
            for value in BriefStatus.values
            if value in STATUS_TRANSITIONS[BriefStatus(brief.status)]
        ]
        context["can_edit"] = brief.status != BriefStatus.CLOSED
    return render(request, "hiring/brief_detail.html", context, status=status)


@workspace_page(roles=MANAGE_HIRING, methods=("POST",))
def brief_open_view(request: HttpRequest, caller: Caller, public_id: str) -> HttpResponse:
    brief = access_brief_by_id(caller.access, public_id)
    choices, agency_ids = _active_agency_choices(caller)
    form = BriefOpenForm(request.POST, agency_choices=choices)
    if not form.is_valid():
        return _render_brief_detail(request, caller, brief, open_form=form)
    selected = None
    if form.cleaned_data["share_with"] == "selected":
        selected = [agency_ids[public] for public in form.cleaned_data["agencies"]]
    done = form_action(
        form,
        lambda: brief_open(
            actor=caller.actor,
            brief=brief,
            agency_ids=selected,
            override_reason=form.cleaned_data["override_reason"],
        ),
        # The checklist on the page lists what is missing; the form shows why it was refused.
        fields={"readiness": None, "agency_ids": "agencies"},
    )
    if not done.ok:
        return _render_brief_detail(
            request, caller, brief, open_form=form, page_error=done.conflict, status=done.status
        )
    messages.success(request, "The brief is open: the agencies you chose can now see it.")
    return redirect("hiring:brief_detail", public_id=brief.public_id)


@workspace_page(roles=MANAGE_HIRING, methods=("POST",))
def brief_status(request: HttpRequest, caller: Caller, public_id: str) -> HttpResponse:
    brief = access_brief_by_id(caller.access, public_id)
    brief = brief_set_status(actor=caller.actor, brief=brief, status=request.POST.get("status", ""))
    messages.success(request, f"The brief is now {brief.get_status_display().lower()}.")
    return redirect("hiring:brief_detail", public_id=brief.public_id)
