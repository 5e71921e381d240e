"""Workspace pages on a client's host.

WorkspaceAccessMiddleware has already let only members and engaged agencies in; each view
narrows further by role, reads through hiring.selectors and writes through hiring.services.
Anything outside the person's reach answers the same 404 as a page that does not exist.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.actors import Actor
from audit.errors import ConflictError, NotFoundError
from hiring.forms import (
    READINESS_AREAS,
    READINESS_FIELD_NAMES,
    SCORECARD_CATEGORIES,
    BriefFilterForm,
    BriefForm,
    BriefOpenForm,
    MoveStageForm,
    SubmissionFilterForm,
    SubmissionForm,
    WithdrawForm,
    apply_service_errors,
    readiness_input,
)
from hiring.models import BriefShare, BriefStatus, Need, RoleBrief, Stage, Submission, Track
from hiring.readiness import brief_readiness_gaps, is_genai_fields, recommend_track, track_warning
from hiring.resumes import EXTENSIONS
from hiring.selectors import (
    access_brief_by_id,
    access_submission_by_id,
    audit_recent,
    briefs_for,
    briefs_with_counts,
    stage_history,
    submissions_for,
)
from hiring.services.briefs import (
    STATUS_TRANSITIONS,
    brief_create,
    brief_open,
    brief_set_status,
    brief_update,
)
from hiring.services.submissions import (
    CLIENT_TRANSITIONS,
    PROOF_REQUIRED,
    submission_create,
    submission_move_stage,
    submission_withdraw,
)
from hiring.stages import AWAITING_CLIENT_STAGES, CLOSED_STAGES
from tenants.models import AgencyRole, ClientRole, EngagementStatus, User
from tenants.roles import MANAGE_HIRING, SEE_ALL_SCORES
from tenants.selectors import WorkspaceAccess, client_engagements, client_team

PAGE_SIZE = 50
STATUS_ACTION_LABELS = {
    BriefStatus.ON_HOLD: "Put on hold",
    BriefStatus.FILLED: "Mark filled",
    BriefStatus.CLOSED: "Close",
}


# --- who is asking ----------------------------------------------------------------------------


def _access(request: HttpRequest) -> WorkspaceAccess:
    access = getattr(request, "workspace_access", None)
    if access is None:
        raise Http404("No such page.")
    return access


def _actor(request: HttpRequest, access: WorkspaceAccess) -> Actor:
    return Actor.for_user(request.user, agency_id=access.agency.pk if access.agency else None)


def _is_brief_writer(access: WorkspaceAccess) -> bool:
    return access.has_client_role(*MANAGE_HIRING)


def _require_brief_writer(access: WorkspaceAccess) -> None:
    if not _is_brief_writer(access):
        raise Http404("No such page.")


def _brief_or_404(access: WorkspaceAccess, public_id: object) -> RoleBrief:
    try:
        return access_brief_by_id(access, public_id)
    except NotFoundError:
        raise Http404("No such brief.") from None


def _submission_or_404(access: WorkspaceAccess, public_id: object) -> Submission:
    try:
        return access_submission_by_id(access, public_id)
    except NotFoundError:
        raise Http404("No such submission.") from None


def _page(request: HttpRequest, rows: Any) -> Page:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- readiness, shown on the form, the live panel and the brief page ---------------------------


@dataclass(frozen=True)
class ReadinessArea:
    key: str
    title: str
    applies: bool
    missing: list[str]


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
            applies=key != "genai_evaluation" or genai,
            # Under its own heading the plan's prefix would only repeat the heading.
            missing=[
                gap.message.removeprefix("GenAI evaluation plan: ")
                for gap in gaps
                if gap.area == key
            ],
        )
        for key, title in READINESS_AREAS.items()
    ]
    return {
        "ready": not gaps,
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
    weights = brief.scorecard_weights or {}
    floors = brief.scorecard_floors or {}
    return [
        {
            "code": code,
            "name": name,
            "weight": _number(weights.get(code)),
            "floor": _number(floors.get(code)),
        }
        for code, name in SCORECARD_CATEGORIES.items()
    ]


def _number(value: object) -> str | None:
    """A weight or floor as typed: 0.15 stays 0.15, 3.0 shows as 3."""
    if value is None or value == "":
        return None
    try:
        return f"{float(str(value)):g}"
    except ValueError:
        return str(value)


# --- home ---------------------------------------------------------------------------------------


@login_required
@require_GET
def workspace_home(request: HttpRequest) -> HttpResponse:
    access = _access(request)
    client = request.tenant  # type: ignore[attr-defined]
    role_labels = dict([*ClientRole.choices, *AgencyRole.choices])
    context: dict[str, Any] = {"access": access, "role_label": role_labels.get(access.role)}
    stage_labels = dict(Stage.choices)
    if access.is_client:
        by_status = dict(
            briefs_for(access).order_by().values_list("status").annotate(n=Count("id"))
        )
        context["brief_statuses"] = [
            {"value": value, "label": label, "count": by_status.get(value, 0)}
            for value, label in BriefStatus.choices
        ]
        now = timezone.now()
        context["submission_counts"] = submissions_for(access).aggregate(
            total=Count("id"),
            last_7_days=Count("id", filter=Q(created_at__gte=now - dt.timedelta(days=7))),
            last_30_days=Count("id", filter=Q(created_at__gte=now - dt.timedelta(days=30))),
            new=Count("id", filter=Q(stage=Stage.SUBMITTED)),
            screening=Count("id", filter=Q(stage=Stage.SCREENING)),
        )
        context["team"] = client_team(client=client)
        context["engagements"] = client_engagements(client=client)
        context["can_write_briefs"] = _is_brief_writer(access)
        if access.has_client_role(ClientRole.ADMIN, ClientRole.EXECUTIVE):
            context["activity"] = audit_recent(limit=15)
    else:
        context["open_briefs"] = list(briefs_with_counts(access)[:10])
        by_stage = dict(
            submissions_for(access).order_by().values_list("stage").annotate(n=Count("id"))
        )
        context["stage_counts"] = [
            {"value": stage, "label": stage_labels[stage], "count": by_stage[stage]}
            for stage in Stage.values
            if by_stage.get(stage)
        ]
        context["can_submit"] = bool(access.engagement and access.engagement.is_active)
    return render(request, "hiring/home.html", context)


# --- briefs ------------------------------------------------------------------------------------


@require_GET
def brief_list(request: HttpRequest) -> HttpResponse:
    access = _access(request)
    briefs = briefs_with_counts(access).order_by("-updated_at", "-id")
    filter_form = None
    if access.is_client:
        filter_form = BriefFilterForm(request.GET)
        if filter_form.is_valid() and filter_form.cleaned_data["status"]:
            briefs = briefs.filter(status=filter_form.cleaned_data["status"])
    page = _page(request, briefs)
    rows = [
        {"brief": brief, "gap_count": len(brief_readiness_gaps(brief.__dict__))}
        for brief in page.object_list
    ]
    return render(
        request,
        "hiring/brief_list.html",
        {
            "access": access,
            "rows": rows,
            "page": page,
            "filter_form": filter_form,
            "page_query": _query_without_page(request),
            "can_write_briefs": _is_brief_writer(access),
        },
    )


@require_http_methods(["GET", "POST"])
def brief_new(request: HttpRequest) -> HttpResponse:
    access = _access(request)
    _require_brief_writer(access)
    if request.method == "POST":
        form = BriefForm(request.POST)
        if form.is_valid():
            try:
                brief = brief_create(actor=_actor(request, access), data=form.service_data())
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, "Brief saved as a draft.")
                return redirect("hiring:brief_detail", public_id=brief.public_id)
        fields = readiness_input(request.POST)
    else:
        form = BriefForm()
        fields = readiness_input(QueryDict())
    return _render_brief_form(request, form=form, brief=None, fields=fields)


@require_http_methods(["GET", "POST"])
def brief_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    access = _access(request)
    _require_brief_writer(access)
    brief = _brief_or_404(access, public_id)
    if request.method == "POST":
        form = BriefForm(request.POST)
        if form.is_valid():
            try:
                brief_update(actor=_actor(request, access), brief=brief, data=form.service_data())
            except ValidationError as error:
                apply_service_errors(form, error)
            except ConflictError as error:
                return _render_brief_form(
                    request,
                    form=form,
                    brief=brief,
                    fields=readiness_input(request.POST),
                    page_error=error.message,
                    status=409,
                )
            else:
                messages.success(request, "Brief updated.")
                return redirect("hiring:brief_detail", public_id=brief.public_id)
        # The service may have changed the in-memory brief before refusing: read it again.
        brief.refresh_from_db()
        fields = readiness_input(request.POST)
    else:
        form = BriefForm(initial=BriefForm.initial_from(brief))
        fields = dict(brief.__dict__)
    return _render_brief_form(request, form=form, brief=brief, fields=fields)


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


@require_POST
def brief_readiness(request: HttpRequest) -> HttpResponse:
    """The live readiness panel of the brief form (htmx posts the form here as it changes)."""
    _require_brief_writer(_access(request))
    return render(
        request,
        "hiring/partials/readiness_panel.html",
        {"readiness": readiness_summary(readiness_input(request.POST))},
    )


@require_GET
def brief_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    access = _access(request)
    brief = _brief_or_404(access, public_id)
    return _render_brief_detail(request, access, brief)


def _active_agency_choices(request: HttpRequest) -> tuple[list[tuple[str, str]], dict[str, int]]:
    engagements = [
        engagement
        for engagement in client_engagements(client=request.tenant)  # type: ignore[attr-defined]
        if engagement.status == EngagementStatus.ACTIVE and engagement.agency.is_active
    ]
    choices = [(str(e.agency.public_id), e.agency.name) for e in engagements]
    ids = {str(e.agency.public_id): e.agency.pk for e in engagements}
    return choices, ids


def _render_brief_detail(
    request: HttpRequest,
    access: WorkspaceAccess,
    brief: RoleBrief,
    *,
    open_form: BriefOpenForm | None = None,
    page_error: str = "",
    status: int = 200,
) -> HttpResponse:
    is_writer = _is_brief_writer(access)
    context: dict[str, Any] = {
        "access": access,
        "brief": brief,
        "readiness": readiness_summary(brief.__dict__),
        "scorecard": _scorecard_rows(brief),
        "need_labels": [dict(Need.choices).get(need, need) for need in brief.needs],
        "submissions": list(submissions_for(access).filter(brief=brief)),
        "is_writer": is_writer,
        "page_error": page_error,
        "can_submit": access.is_agency
        and access.engagement is not None
        and access.engagement.is_active,
    }
    if access.is_client:
        context["can_view_shortlist"] = access.has_client_role(*SEE_ALL_SCORES)
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
            choices, _ = _active_agency_choices(request)
            context["open_form"] = open_form or BriefOpenForm(agency_choices=choices)
        context["status_actions"] = [
            (value, STATUS_ACTION_LABELS[BriefStatus(value)])
            for value in BriefStatus.values
            if value in STATUS_TRANSITIONS[BriefStatus(brief.status)]
        ]
        context["can_edit"] = brief.status != BriefStatus.CLOSED
    return render(request, "hiring/brief_detail.html", context, status=status)


@require_POST
def brief_open_view(request: HttpRequest, public_id: str) -> HttpResponse:
    access = _access(request)
    _require_brief_writer(access)
    brief = _brief_or_404(access, public_id)
    choices, agency_ids = _active_agency_choices(request)
    form = BriefOpenForm(request.POST, agency_choices=choices)
    if not form.is_valid():
        return _render_brief_detail(request, access, brief, open_form=form)
    selected = None
    if form.cleaned_data["share_with"] == "selected":
        selected = [agency_ids[public] for public in form.cleaned_data["agencies"]]
    try:
        brief_open(
            actor=_actor(request, access),
            brief=brief,
            agency_ids=selected,
            override_reason=form.cleaned_data["override_reason"],
        )
    except ValidationError as error:
        # The checklist on the page lists what is missing; the form shows why it was refused.
        error_dict = {k: v for k, v in error.message_dict.items() if k != "readiness"}
        if "agency_ids" in error_dict:
            error_dict["agencies"] = error_dict.pop("agency_ids")
        apply_service_errors(form, ValidationError(error_dict))
        return _render_brief_detail(request, access, brief, open_form=form)
    except ConflictError as error:
        return _render_brief_detail(
            request, access, brief, open_form=form, page_error=error.message, status=409
        )
    messages.success(request, "The brief is open: the agencies you chose can now see it.")
    return redirect("hiring:brief_detail", public_id=brief.public_id)


@require_POST
def brief_status(request: HttpRequest, public_id: str) -> HttpResponse:
    access = _access(request)
    _require_brief_writer(access)
    brief = _brief_or_404(access, public_id)
    new_status = request.POST.get("status", "")
    try:
        brief = brief_set_status(actor=_actor(request, access), brief=brief, status=new_status)
    except ValidationError as error:
        return _render_brief_detail(request, access, brief, page_error=" ".join(error.messages))
    except ConflictError as error:
        return _render_brief_detail(request, access, brief, page_error=error.message, status=409)
    messages.success(request, f"The brief is now {brief.get_status_display().lower()}.")
    return redirect("hiring:brief_detail", public_id=brief.public_id)


# --- submissions ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def submission_new(request: HttpRequest, public_id: str) -> HttpResponse:
    access = _access(request)
    if not access.is_agency or access.agency is None:
        raise Http404("No such page.")
    brief = _brief_or_404(access, public_id)
    required_proof = PROOF_REQUIRED[Track(brief.track)]
    engagement_active = access.engagement is not None and access.engagement.is_active
    context: dict[str, Any] = {
        "brief": brief,
        "engagement_active": engagement_active,
        "engagement_window_days": access.engagement.ownership_window_days
        if access.engagement
        else None,
    }
    if not engagement_active:
        context["page_error"] = (
            "Your agency's engagement with this client is paused: you can follow your "
            "submissions, but new candidates can only be submitted while it is active."
        )
        return render(request, "hiring/submission_form.html", context, status=409)

    if request.method == "POST":
        form = SubmissionForm(request.POST, request.FILES, required_proof=required_proof)
        if form.is_valid():
            try:
                submission = submission_create(
                    actor=_actor(request, access),
                    brief=brief,
                    agency=access.agency,
                    candidate_data=form.candidate_data(),
                    proof=form.proof_data(),
                    right_to_represent=form.cleaned_data["right_to_represent"],
                    rate_amount=form.cleaned_data["rate_amount"],
                    rate_currency=form.cleaned_data["rate_currency"],
                    resume=form.cleaned_data["resume"],
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            except ConflictError as error:
                context.update(form=form, page_error=error.message)
                return render(request, "hiring/submission_form.html", context, status=409)
            else:
                messages.success(
                    request, "Candidate submitted. The client has been told; follow it here."
                )
                return redirect("hiring:submission_detail", public_id=submission.public_id)
    else:
        form = SubmissionForm(
            initial={"rate_currency": brief.rate_currency}, required_proof=required_proof
        )
    context["form"] = form
    return render(request, "hiring/submission_form.html", context)


@require_GET
def submission_list(request: HttpRequest) -> HttpResponse:
    access = _access(request)
    submissions = submissions_for(access)
    brief_choices = [
        (str(public_id), title)
        for public_id, title in briefs_for(access).values_list("public_id", "title")
    ]
    if access.is_agency:
        # An agency also follows submissions to briefs that are no longer open.
        brief_choices = [
            (str(public_id), title)
            for public_id, title in submissions.order_by("brief__title")
            .values_list("brief__public_id", "brief__title")
            .distinct()
        ]
    agency_choices = None
    if access.is_client:
        agency_choices = [
            (str(e.agency.public_id), e.agency.name)
            for e in client_engagements(client=request.tenant)  # type: ignore[attr-defined]
        ]
    filter_form = SubmissionFilterForm(
        request.GET, brief_choices=brief_choices, agency_choices=agency_choices
    )
    if filter_form.is_valid():
        chosen = filter_form.cleaned_data
        if chosen.get("brief"):
            submissions = submissions.filter(brief__public_id=chosen["brief"])
        if chosen.get("stage"):
            submissions = submissions.filter(stage=chosen["stage"])
        if chosen.get("agency"):
            submissions = submissions.filter(agency__public_id=chosen["agency"])
    page = _page(request, submissions)
    return render(
        request,
        "hiring/submission_list.html",
        {
            "access": access,
            "page": page,
            "filter_form": filter_form,
            "page_query": _query_without_page(request),
            "awaiting_client_stages": AWAITING_CLIENT_STAGES,
        },
    )


def _history_rows(submission: Submission) -> list[dict[str, Any]]:
    changes = list(stage_history(submission))
    user_ids = {c.actor_user_id for c in changes if c.actor_user_id is not None}
    users = {u.pk: u for u in User.objects.filter(pk__in=user_ids)} if user_ids else {}
    labels = dict(Stage.choices)
    rows = []
    for change in changes:
        if change.actor_kind == "user":
            user = users.get(change.actor_user_id or 0)
            who = user.display_name if user else "A former user"
        elif change.actor_kind == "api_key":
            who = "API key"
        else:
            who = "System"
        rows.append(
            {
                "when": change.occurred_at,
                "who": who,
                "from": labels.get(change.from_stage, ""),
                "to": labels.get(change.to_stage, change.to_stage),
                "reason": change.reason,
            }
        )
    return rows


@require_GET
def submission_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    access = _access(request)
    submission = _submission_or_404(access, public_id)
    return _render_submission_detail(request, access, submission)


def _render_submission_detail(
    request: HttpRequest,
    access: WorkspaceAccess,
    submission: Submission,
    *,
    move_form: MoveStageForm | None = None,
    withdraw_form: WithdrawForm | None = None,
    page_error: str = "",
    status: int = 200,
) -> HttpResponse:
    from hiring.services.privacy import candidate_pii_read_record

    candidate = submission.candidate
    candidate_pii_read_record(
        actor=_actor(request, access), candidate=candidate, purpose="submission_detail"
    )
    context: dict[str, Any] = {
        "access": access,
        "submission": submission,
        "candidate": candidate,
        "history": _history_rows(submission),
        "page_error": page_error,
        "awaiting_client": submission.stage in AWAITING_CLIENT_STAGES,
        "brief_linkable": access.is_client or submission.brief.status == BriefStatus.OPEN,
    }
    if access.is_client:
        from hiring.models import InterviewAssignment

        context["is_interviewer"] = InterviewAssignment.objects.filter(
            submission=submission, interviewer_id=request.user.pk
        ).exists()
        context["can_review_scores"] = access.has_client_role(*SEE_ALL_SCORES)
    if _is_brief_writer(access):
        allowed = _allowed_moves(submission)
        if allowed:
            context["move_form"] = move_form or MoveStageForm(allowed=allowed)
    if access.is_agency and submission.stage not in CLOSED_STAGES:
        context["withdraw_form"] = withdraw_form or WithdrawForm()
    return render(request, "hiring/submission_detail.html", context, status=status)


def _allowed_moves(submission: Submission) -> list[str]:
    allowed = CLIENT_TRANSITIONS[Stage(submission.stage)]
    return [stage for stage in Stage.values if stage in allowed]


@require_POST
def submission_move(request: HttpRequest, public_id: str) -> HttpResponse:
    access = _access(request)
    _require_brief_writer(access)
    submission = _submission_or_404(access, public_id)
    form = MoveStageForm(request.POST, allowed=_allowed_moves(submission))
    if not form.is_valid():
        return _render_submission_detail(request, access, submission, move_form=form)
    try:
        submission = submission_move_stage(
            actor=_actor(request, access),
            submission=submission,
            to_stage=form.cleaned_data["to_stage"],
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        apply_service_errors(form, error)
        return _render_submission_detail(request, access, submission, move_form=form)
    except ConflictError as error:
        submission.refresh_from_db()
        return _render_submission_detail(
            request, access, submission, page_error=error.message, status=409
        )
    messages.success(request, f"Moved to {submission.get_stage_display().lower()}.")
    return redirect("hiring:submission_detail", public_id=submission.public_id)


@require_POST
def submission_withdraw_view(request: HttpRequest, public_id: str) -> HttpResponse:
    access = _access(request)
    if not access.is_agency:
        raise Http404("No such page.")
    submission = _submission_or_404(access, public_id)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        return _render_submission_detail(request, access, submission, withdraw_form=form)
    try:
        submission = submission_withdraw(
            actor=_actor(request, access), submission=submission, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        apply_service_errors(form, error)
        return _render_submission_detail(request, access, submission, withdraw_form=form)
    except ConflictError as error:
        submission.refresh_from_db()
        return _render_submission_detail(
            request, access, submission, page_error=error.message, status=409
        )
    messages.success(request, "Submission withdrawn. The client has been told.")
    return redirect("hiring:submission_detail", public_id=submission.public_id)


@require_GET
def submission_resume(request: HttpRequest, public_id: str) -> FileResponse:
    """The candidate's resume as an attachment with a neutral name (no personal data)."""
    from hiring.services.privacy import candidate_pii_read_record

    access = _access(request)
    submission = _submission_or_404(access, public_id)
    candidate = submission.candidate
    stored_name = candidate.resume.name or ""
    if not stored_name or not default_storage.exists(stored_name):
        raise Http404("No resume.")
    candidate_pii_read_record(
        actor=_actor(request, access), candidate=candidate, purpose="resume_download"
    )
    content_type = candidate.resume_content_type or "application/octet-stream"
    extension = EXTENSIONS.get(content_type, "bin")
    response = FileResponse(
        default_storage.open(stored_name, "rb"),
        as_attachment=True,
        filename=f"resume-{submission.public_id}.{extension}",
        content_type=content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response
