"""Assigning interviewers to a submission (client admins and hiring managers)."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from hiring.models import InterviewAssignment
from hiring.selectors import access_submission_by_id
from hiring.stages import OPEN_FOR_SCORING
from pages.access import Caller, workspace_page
from pages.forms import form_action
from scoring.forms import (
    AssignInterviewerForm,
)
from scoring.selectors import assignments_with_own_scorecard
from scoring.services.scorecards import assignment_create
from tenants.models import ClientMembership, User
from tenants.roles import BE_ASSIGNED_TO_SCORE, MANAGE_HIRING


def _interviewer_choices(caller: Caller, exclude_user_ids: set[int]) -> list[tuple[str, str]]:
    memberships = (
        ClientMembership.objects.filter(
            client=caller.client,
            role__in=BE_ASSIGNED_TO_SCORE,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("user__name", "user__email")
    )
    return [
        (
            str(membership.user.public_id),
            f"{membership.user.display_name} ({membership.get_role_display().lower()}, "
            f"{membership.user.email})",
        )
        for membership in memberships
        if membership.user_id not in exclude_user_ids
    ]


@workspace_page(roles=MANAGE_HIRING, methods=("GET", "POST"))
def submission_interviewers(request: HttpRequest, caller: Caller, public_id: str) -> HttpResponse:
    access = caller.access
    submission = access_submission_by_id(access, public_id)
    assignments = list(
        assignments_with_own_scorecard(
            InterviewAssignment.objects.filter(submission=submission).select_related("interviewer")
        ).order_by("due_at", "id")
    )
    choices = _interviewer_choices(caller, {a.interviewer_id for a in assignments})
    form_kwargs: dict[str, Any] = {
        "interviewer_choices": choices,
        "timezone_name": caller.client.timezone,
    }
    page_error = ""
    status = 200
    if request.method == "POST":
        form = AssignInterviewerForm(request.POST, **form_kwargs)
        if form.is_valid():
            interviewer = User.objects.filter(
                public_id=form.cleaned_data["interviewer"], is_active=True
            ).first()
            if interviewer is None:
                form.add_error("interviewer", "Choose a person from the list.")
            else:
                done = form_action(
                    form,
                    lambda: assignment_create(
                        actor=caller.actor,
                        submission=submission,
                        interviewer=interviewer,
                        due_at=form.due_at(),
                    ),
                )
                if done.ok:
                    messages.success(
                        request,
                        f"{interviewer.display_name} is asked to score this candidate. "
                        "The request is in their scorecard queue.",
                    )
                    return redirect(
                        "scoring:submission_interviewers", public_id=submission.public_id
                    )
                page_error, status = done.conflict, done.status
    else:
        form = AssignInterviewerForm(**form_kwargs)
    return render(
        request,
        "scoring/interviewers.html",
        {
            "access": access,
            "submission": submission,
            "assignments": assignments,
            "form": form,
            "open_for_scoring": submission.stage in OPEN_FOR_SCORING,
            "page_error": page_error,
            "now": timezone.now(),
        },
        status=status,
    )
