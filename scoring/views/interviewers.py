"""Assigning interviewers to a submission (client admins and hiring managers)."""

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from audit.errors import NotFoundError
from hiring.models import InterviewAssignment
from hiring.selectors import access_submission_by_id
from hiring.stages import OPEN_FOR_SCORING
from pages.access import Caller, workspace_page
from pages.forms import form_action
from scoring.forms import (
    AssignInterviewerForm,
    RescheduleForm,
)
from scoring.selectors import assignments_with_own_scorecard
from scoring.services.scorecards import (
    assignment_create,
    assignment_remove,
    assignment_reschedule,
)
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
            "reschedule_form": RescheduleForm(timezone_name=caller.client.timezone),
        },
        status=status,
    )


@workspace_page(roles=MANAGE_HIRING, methods=("POST",))
def assignment_change(request: HttpRequest, caller: Caller, public_id: str) -> HttpResponse:
    """Give an assigned interviewer a new due date, or take them off the submission
    (refused once their scorecard is submitted). The interviewer is told either way."""
    submission = access_submission_by_id(caller.access, public_id)
    interviewer_id = _uuid_or_none(request.POST.get("interviewer"))
    if interviewer_id is None:
        raise NotFoundError
    assignment = (
        InterviewAssignment.objects.filter(
            submission=submission, interviewer__public_id=interviewer_id
        )
        .select_related("interviewer", "submission__brief")
        .first()
    )
    if assignment is None:
        raise NotFoundError
    name = assignment.interviewer.display_name
    if request.POST.get("action") == "remove":
        assignment_remove(actor=caller.actor, assignment=assignment)
        messages.success(request, f"{name} no longer scores this candidate; they are told.")
    else:
        form = RescheduleForm(request.POST, timezone_name=caller.client.timezone)
        if not form.is_valid():
            raise ValidationError(
                [message for messages_ in form.errors.values() for message in messages_]
            )
        assignment_reschedule(actor=caller.actor, assignment=assignment, due_at=form.due_at())
        messages.success(
            request, f"{name}'s scorecard is now due {form.cleaned_data['due_date']:%d %b %Y}."
        )
    return redirect("scoring:submission_interviewers", public_id=submission.public_id)


def _uuid_or_none(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
