"""Submission pages: an agency submits a candidate with proof, everyone follows submissions
within their reach, the client moves them through the stages, the agency withdraws them.

Every view goes through pages.access.workspace_page; reads go through hiring.selectors and
writes through hiring.services.submissions.
"""

import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from hiring.forms.submissions import (
    MoveStageForm,
    SubmissionFilterForm,
    SubmissionForm,
    WithdrawForm,
)
from hiring.models import BriefStatus, InterviewAssignment, Stage, Submission, Track
from hiring.proof import proof_strength
from hiring.resumes import EXTENSIONS
from hiring.search import Sorting, search_text, sort_headers, sorting, submissions_search
from hiring.selectors import (
    access_brief_by_id,
    access_submission_by_id,
    briefs_for,
    stage_history,
    submissions_for,
)
from hiring.services.consent import CANDIDATE_ACTOR
from hiring.services.privacy import candidate_pii_read_record
from hiring.services.submissions import (
    CLIENT_TRANSITIONS,
    PROOF_REQUIRED,
    submission_create,
    submission_move_stage,
    submission_withdraw,
)
from hiring.stages import AWAITING_CLIENT_STAGES, CLOSED_STAGES
from hiring.views.resume_prefill import submission_form_extras
from pages.access import Caller, workspace_page
from pages.downloads import csv_download
from pages.forms import form_action
from pages.paging import page_of, query_without_page
from tenants.models import User
from tenants.roles import (
    ANSWER_PRIVACY_REQUESTS,
    ANY_AGENCY_ROLE,
    ANY_CLIENT_ROLE,
    MANAGE_HIRING,
    SEE_ALL_SCORES,
)
from tenants.selectors import client_engagements

PAUSED_ENGAGEMENT = (
    "Your agency's engagement with this client is paused: you can follow your submissions, "
    "but new candidates can only be submitted while it is active."
)


@workspace_page(roles=ANY_AGENCY_ROLE, methods=("GET", "POST"))
def submission_new(request: HttpRequest, caller: Caller, public_id: str) -> HttpResponse:
    brief = access_brief_by_id(caller.access, public_id)
    required_proof = PROOF_REQUIRED[Track(brief.track)]
    engagement = caller.engagement
    context: dict[str, Any] = {
        "brief": brief,
        "engagement_active": caller.may_submit,
        "engagement_window_days": engagement.ownership_window_days if engagement else None,
    }
    if not caller.may_submit:
        context["page_error"] = PAUSED_ENGAGEMENT
        return render(request, "hiring/submission_form.html", context, status=409)

    status = 200
    if request.method == "POST":
        form = SubmissionForm(request.POST, request.FILES, required_proof=required_proof)
        if form.is_valid():
            agency = caller.agency
            assert agency is not None  # agency roles only
            done = form_action(
                form,
                lambda: submission_create(
                    actor=caller.actor,
                    brief=brief,
                    agency=agency,
                    candidate_data=form.candidate_data(),
                    proof=form.proof_data(),
                    right_to_represent=form.cleaned_data["right_to_represent"],
                    rate_amount=form.cleaned_data["rate_amount"],
                    rate_currency=form.cleaned_data["rate_currency"],
                    resume=form.cleaned_data["resume"],
                    staged_resume=form.cleaned_data["staged_resume"],
                    link_origin=request.build_absolute_uri("/").rstrip("/"),
                ),
            )
            if done.ok and done.value is not None:
                messages.success(
                    request,
                    "Candidate submitted. It is on the client's submissions list now; follow "
                    "its stage here.",
                )
                return redirect("hiring:submission_detail", public_id=done.value.public_id)
            context["page_error"], status = done.conflict, done.status
    else:
        form = SubmissionForm(
            initial={"rate_currency": brief.rate_currency}, required_proof=required_proof
        )
    # The rate is quoted in the brief's unit of time ("105 USD per hour").
    form.fields["rate_amount"].label = f"Candidate's rate, {brief.get_rate_unit_display()}"
    context["form"] = form
    context.update(submission_form_extras(form, brief=brief, caller=caller))
    return render(request, "hiring/submission_form.html", context, status=status)


SUBMISSION_SORT_COLUMNS = {
    "candidate": ("full_name",),
    "brief": ("brief__title", "full_name"),
    "agency": ("agency__name", "full_name"),
    "stage": ("stage", "full_name"),
    "rate": ("rate_amount",),
    "submitted": ("created_at",),
}
SUBMISSION_COLUMN_LABELS = {
    "candidate": "Candidate",
    "brief": "Brief",
    "agency": "Agency",
    "stage": "Stage",
    "rate": "Rate",
    "submitted": "Submitted",
}


@dataclass(frozen=True)
class SubmissionListing:
    """The submissions a list or an export shows: within reach, filtered, searched, sorted."""

    submissions: QuerySet[Submission]
    filter_form: SubmissionFilterForm
    sort: Sorting
    filtered: bool
    search: str


def submissions_listed(request: HttpRequest, caller: Caller) -> SubmissionListing:
    submissions = submissions_for(caller.access)
    if caller.is_agency:
        # An agency also follows submissions to briefs that are no longer open.
        brief_choices = [
            (str(public_id), title)
            for public_id, title in submissions.order_by("brief__title")
            .values_list("brief__public_id", "brief__title")
            .distinct()
        ]
        agency_choices = None
    else:
        brief_choices = [
            (str(public_id), title)
            for public_id, title in briefs_for(caller.access)
            .order_by("title")
            .values_list("public_id", "title")
        ]
        agency_choices = [
            (str(e.agency.public_id), e.agency.name)
            for e in client_engagements(client=caller.client)
        ]
    filter_form = SubmissionFilterForm(
        request.GET, brief_choices=brief_choices, agency_choices=agency_choices
    )
    query = ""
    if filter_form.is_valid():
        chosen = filter_form.cleaned_data
        query = chosen["q"]
        submissions = submissions_search(
            submissions,
            query,
            contact_details=contact_details_shown(caller),
            agency_names=caller.is_client,
            contact_confirmed_only=caller.is_client,
        )
        brief = search_text(chosen.get("brief"))
        if brief:
            try:
                submissions = submissions.filter(brief__public_id=uuid.UUID(brief))
            except ValueError:
                submissions = submissions.filter(brief__title__icontains=brief)
        if chosen.get("stage"):
            submissions = submissions.filter(stage=chosen["stage"])
        if chosen.get("agency"):
            submissions = submissions.filter(agency__public_id=chosen["agency"])
    sort = sorting(
        request.GET.get("sort"),
        {
            column: fields
            for column, fields in SUBMISSION_SORT_COLUMNS.items()
            # What a role does not see, it cannot sort by either.
            if (column != "agency" or caller.is_client)
            and (column != "rate" or not caller.access.is_interviewer)
        },
        default=("-created_at", "-id"),
    )
    return SubmissionListing(
        submissions=submissions.order_by(*sort.order_by),
        filter_form=filter_form,
        sort=sort,
        filtered=any(request.GET.get(name) for name in ("q", "brief", "stage", "agency")),
        search=search_text(query),
    )


@workspace_page(roles=ANY_CLIENT_ROLE | ANY_AGENCY_ROLE)
def submission_list(request: HttpRequest, caller: Caller) -> HttpResponse:
    """Submissions within reach: searched, filtered (combined, kept in the URL), sorted by a
    column (an unknown one is ignored), exported as CSV with the same filters."""
    listing = submissions_listed(request, caller)
    labels = dict(SUBMISSION_COLUMN_LABELS)
    if not caller.is_client:
        del labels["agency"]
    if caller.access.is_interviewer:
        del labels["rate"]
    return render(
        request,
        "hiring/submission_list.html",
        {
            "access": caller.access,
            "page": page_of(request, listing.submissions, narrow_first=True),
            "filter_form": listing.filter_form,
            "filtered": listing.filtered,
            "search_text": listing.search,
            "sort": listing.sort,
            "headers": sort_headers(request.GET, listing.sort, labels),
            "show_rate": not caller.access.is_interviewer,
            "page_query": query_without_page(request),
            "export_query": query_without_page(request),
            "awaiting_client_stages": AWAITING_CLIENT_STAGES,
        },
    )


@workspace_page(roles=ANY_CLIENT_ROLE | ANY_AGENCY_ROLE)
def submission_export(request: HttpRequest, caller: Caller) -> HttpResponse:
    """The list as CSV, with the list's filters and order, every page, formula-safe
    (pages.downloads). Contact details stay on each submission's page, where reading them is
    audited; the rate is left out for interviewers, as on every page."""
    listing = submissions_listed(request, caller)
    show_rate = not caller.access.is_interviewer
    header: list[object] = ["candidate", "brief", *(["agency"] if caller.is_client else [])]
    header.append("stage")
    header += [*(["rate", "rate_currency", "rate_unit"] if show_rate else [])]
    header += ["location", "availability", "skills", "submitted_at", "submission_id"]
    rows: list[list[object]] = [header]
    for submission in listing.submissions.iterator(chunk_size=500):
        row: list[object] = [submission.full_name, submission.brief.title]
        if caller.is_client:
            row.append(submission.agency.name)
        row.append(submission.get_stage_display())
        if show_rate:
            row += [
                "" if submission.rate_amount is None else f"{submission.rate_amount:f}",
                submission.rate_currency if submission.rate_amount is not None else "",
                submission.brief.get_rate_unit_display()
                if submission.rate_amount is not None
                else "",
            ]
        row += [
            submission.location,
            submission.availability,
            ", ".join(submission.skills),
            submission.created_at.isoformat(timespec="seconds"),
            str(submission.public_id),
        ]
        rows.append(row)
    return csv_download(rows, "submissions.csv")


def contact_details_shown(caller: Caller, submission: Submission | None = None) -> bool:
    """Contact details and resumes: the submitting agency sees them; the hiring team once
    the candidate confirmed the agency's representation (hiring.services.consent), and
    interviewers only where the client also chose to show them. Without a `submission`: may
    this viewer see any contact details at all."""
    if caller.is_agency:
        return True
    if submission is not None and not submission.consent_confirmed:
        return False
    if caller.access.is_interviewer:
        return caller.client.interviewers_see_contact_details
    return True


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
        elif change.actor_ref == CANDIDATE_ACTOR.ref:
            who = "The candidate"
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


@workspace_page(roles=ANY_CLIENT_ROLE | ANY_AGENCY_ROLE)
def submission_detail(request: HttpRequest, caller: Caller, public_id: str) -> HttpResponse:
    submission = access_submission_by_id(caller.access, public_id)
    return _render_submission_detail(request, caller, submission)


def _render_submission_detail(
    request: HttpRequest,
    caller: Caller,
    submission: Submission,
    *,
    move_form: MoveStageForm | None = None,
    page_error: str = "",
    status: int = 200,
) -> HttpResponse:
    candidate = submission.candidate
    show_contact = contact_details_shown(caller, submission)
    if show_contact:
        candidate_pii_read_record(
            actor=caller.actor, candidate=candidate, purpose="submission_detail"
        )
    context: dict[str, Any] = {
        "access": caller.access,
        "submission": submission,
        "candidate": candidate,
        "show_contact": show_contact,
        # Hidden only because the candidate has not confirmed (not by the viewer's role).
        "contact_awaits_consent": caller.is_client
        and not submission.consent_confirmed
        and contact_details_shown(caller),
        # What the agency charges is for the hiring team and the agency, not interviewers.
        "show_rate": not caller.access.is_interviewer,
        "history": _history_rows(submission),
        "page_error": page_error,
        "awaiting_client": submission.stage in AWAITING_CLIENT_STAGES,
        "brief_linkable": caller.is_client or submission.brief.status == BriefStatus.OPEN,
    }
    if caller.is_client and not caller.access.is_interviewer:
        # The client sees the person as one candidate with each agency's version.
        context["other_versions"] = list(
            submissions_for(caller.access)
            .filter(candidate=candidate)
            .exclude(pk=submission.pk)
            .order_by("created_at", "id")
        )
    if caller.is_client:
        # What the proof evidences with numbers and what it only claims (hiring.proof).
        context["proof_strength"] = proof_strength(submission.brief.track, submission.__dict__)
        context["is_interviewer"] = InterviewAssignment.objects.filter(
            submission=submission, interviewer_id=caller.user.pk
        ).exists()
        context["can_review_scores"] = caller.may(SEE_ALL_SCORES)
    if caller.may(MANAGE_HIRING):
        allowed = _allowed_moves(submission)
        if allowed:
            context["move_form"] = move_form or MoveStageForm(allowed=allowed)
    context["may_withdraw"] = caller.is_agency and submission.stage not in CLOSED_STAGES
    context["answers_privacy_requests"] = caller.may(ANSWER_PRIVACY_REQUESTS)
    return render(request, "hiring/submission_detail.html", context, status=status)


def _allowed_moves(submission: Submission) -> list[str]:
    allowed = CLIENT_TRANSITIONS[Stage(submission.stage)]
    return [stage for stage in Stage.values if stage in allowed]


@workspace_page(roles=MANAGE_HIRING, methods=("POST",))
def submission_move(request: HttpRequest, caller: Caller, public_id: str) -> HttpResponse:
    submission = access_submission_by_id(caller.access, public_id)
    form = MoveStageForm(request.POST, allowed=_allowed_moves(submission))
    if not form.is_valid():
        return _render_submission_detail(request, caller, submission, move_form=form)
    done = form_action(
        form,
        lambda: submission_move_stage(
            actor=caller.actor,
            submission=submission,
            to_stage=form.cleaned_data["to_stage"],
            reason=form.cleaned_data["reason"],
        ),
    )
    if done.ok and done.value is not None:
        messages.success(request, f"Moved to {done.value.get_stage_display().lower()}.")
        return redirect("hiring:submission_detail", public_id=submission.public_id)
    if done.conflict:
        submission.refresh_from_db()
        return _render_submission_detail(
            request, caller, submission, page_error=done.conflict, status=done.status
        )
    return _render_submission_detail(request, caller, submission, move_form=form)


@workspace_page(roles=ANY_AGENCY_ROLE, methods=("GET", "POST"))
def submission_withdraw_view(request: HttpRequest, caller: Caller, public_id: str) -> HttpResponse:
    """What withdrawing means, with the reason to give (GET), then the withdrawal (POST)."""
    submission = access_submission_by_id(caller.access, public_id)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    context: dict[str, Any] = {"submission": submission, "form": form}
    if submission.stage in CLOSED_STAGES:
        context["page_error"] = (
            f"This submission is {submission.get_stage_display().lower()}: it cannot be "
            "withdrawn any more."
        )
    if request.method == "GET" or not form.is_valid():
        status = 200 if request.method == "GET" else 400
        return render(request, "hiring/submission_withdraw.html", context, status=status)
    done = form_action(
        form,
        lambda: submission_withdraw(
            actor=caller.actor, submission=submission, reason=form.cleaned_data["reason"]
        ),
    )
    if done.ok:
        messages.success(
            request, "Submission withdrawn. The client sees it as withdrawn, with your reason."
        )
        return redirect("hiring:submission_detail", public_id=submission.public_id)
    if done.conflict:
        submission.refresh_from_db()
        context["page_error"] = done.conflict
    return render(request, "hiring/submission_withdraw.html", context, status=done.status)


@workspace_page(roles=ANY_CLIENT_ROLE | ANY_AGENCY_ROLE)
def submission_resume(request: HttpRequest, caller: Caller, public_id: str) -> FileResponse:
    """The candidate's resume as an attachment with a neutral name (no personal data)."""
    submission = access_submission_by_id(caller.access, public_id)
    stored_name = submission.resume.name or ""
    if not contact_details_shown(caller, submission) or not stored_name:
        raise Http404("No resume.")
    if not default_storage.exists(stored_name):
        raise Http404("No resume.")
    candidate_pii_read_record(
        actor=caller.actor, candidate=submission.candidate, purpose="resume_download"
    )
    content_type = submission.resume_content_type or "application/octet-stream"
    extension = EXTENSIONS.get(content_type, "bin")
    response = FileResponse(
        default_storage.open(stored_name, "rb"),
        as_attachment=True,
        filename=f"resume-{submission.public_id}.{extension}",
        content_type=content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response
