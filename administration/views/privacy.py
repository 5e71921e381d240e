"""Privacy pages of a client admin.

- /settings/privacy/: the retention period of closed candidates, with what it does now (how
  many people the next nightly run would erase). A period that would erase more people at
  the next run than the current one asks for confirmation first.
- /candidates/<id>/privacy/: a person's requests: the export of everything held about them
  (access request) and erasure, with a reason category and the person's name typed to
  confirm.
- /candidates/<id>/export/ (a readable page) and /candidates/<id>/export/person.json: the
  export (administration.export). Each is recorded as a read of personal data.
"""

import json
from typing import Any

from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from administration.export import candidate_export, export_blocked_by
from administration.forms import ErasureForm, RetentionForm
from administration.selectors import access_candidate_by_id
from administration.services.privacy import retention_period_set
from audit.models import AuditEntry
from hiring.models import Candidate, Submission
from hiring.services.privacy import (
    ERASURE_REASONS,
    candidate_erase,
    candidate_pii_read_record,
    retention_candidates_due,
)
from pages.access import Caller, refusal_page, workspace_page
from pages.forms import form_action
from tenants.roles import ADMINISTER_WORKSPACE, ANSWER_PRIVACY_REQUESTS

EXPORT_PURPOSE = "access_request_export"


def _due_now(days: int) -> int:
    return retention_candidates_due(now=timezone.now(), retention_days=days).count()


@workspace_page(roles=ADMINISTER_WORKSPACE, methods=("GET", "POST"))
def privacy_settings(request: HttpRequest, caller: Caller) -> HttpResponse:
    client = caller.client
    current = client.candidate_retention_days
    form = RetentionForm(
        request.POST if request.method == "POST" else None,
        initial={"candidate_retention_days": current},
    )
    context: dict[str, Any] = {"form": form, "current": current, "due_now": _due_now(current)}
    if request.method == "POST" and form.is_valid():
        days = form.cleaned_data["candidate_retention_days"]
        due_then = _due_now(days)
        if days and due_then > context["due_now"] and not form.cleaned_data["confirmed"]:
            return render(
                request,
                "administration/privacy/retention_confirm.html",
                {"days": days, "due_then": due_then, "current": current},
            )
        done = form_action(
            form,
            lambda: retention_period_set(
                actor=caller.actor, client=client, candidate_retention_days=days
            ),
        )
        if done.ok:
            if days:
                messages.success(
                    request,
                    f"Saved: people whose last submission closed more than {days} days ago are "
                    "erased by the nightly run.",
                )
            else:
                messages.success(request, "Saved: automatic erasure is off.")
            return redirect("administration:privacy_settings")
    status = 400 if request.method == "POST" else 200
    return render(request, "administration/privacy/settings.html", context, status=status)


def _person_summary(candidate: Candidate) -> dict[str, Any]:
    submissions = list(
        Submission.objects.filter(candidate=candidate)
        .select_related("brief", "agency")
        .order_by("created_at", "id")
    )
    erasure = (
        AuditEntry.objects.filter(
            action="candidate.erased", object_type="candidate", object_id=str(candidate.public_id)
        )
        .order_by("-occurred_at")
        .first()
    )
    return {
        "candidate": candidate,
        "submissions": submissions,
        "agencies": sorted({s.agency.name for s in submissions}),
        "erasure_reason": ERASURE_REASONS.get(str((erasure.details or {}).get("reason")), "")
        if erasure is not None
        else "",
    }


@workspace_page(roles=ANSWER_PRIVACY_REQUESTS, methods=("GET", "POST"))
def candidate_privacy(request: HttpRequest, caller: Caller, public_id: str) -> HttpResponse:
    candidate = access_candidate_by_id(public_id)
    form = ErasureForm(
        request.POST if request.method == "POST" else None, expected_name=candidate.full_name
    )
    status = 200
    if request.method == "POST" and candidate.anonymized_at is None:
        status = 400
        if form.is_valid():
            done = form_action(
                form,
                lambda: candidate_erase(
                    actor=caller.actor, candidate=candidate, reason=form.cleaned_data["reason"]
                ),
            )
            if done.ok and done.value is not None:
                messages.success(
                    request,
                    "The person's personal data is erased: name, contact details, resume and "
                    f"free text of {done.value.submissions_cleared} submission(s). Stages, "
                    "dates and scores stay, so your figures still add up.",
                )
                return redirect("administration:candidate_privacy", public_id=public_id)
    context = _person_summary(candidate) | {"form": form}
    return render(request, "administration/privacy/candidate.html", context, status=status)


def _export_or_refusal(request: HttpRequest, caller: Caller, public_id: str) -> Any:
    candidate = access_candidate_by_id(public_id)
    blind_on = export_blocked_by(user_id=caller.user.pk, candidate=candidate)
    if blind_on:
        return None, refusal_page(
            request,
            messages=[
                "You are asked to score this person for "
                + ", ".join(blind_on)
                + " and have not submitted your scorecard: the export holds the other "
                "interviewers' scores, which stay hidden from you until yours is in.",
                "Submit your scorecard first, or ask another admin to export.",
            ],
            status=409,
        )
    candidate_pii_read_record(actor=caller.actor, candidate=candidate, purpose=EXPORT_PURPOSE)
    return candidate_export(candidate=candidate, client=caller.client), None


@workspace_page(roles=ANSWER_PRIVACY_REQUESTS)
def candidate_export_page(request: HttpRequest, caller: Caller, public_id: str) -> HttpResponse:
    export, refused = _export_or_refusal(request, caller, public_id)
    if refused is not None:
        return refused
    response = render(request, "administration/privacy/export.html", {"export": export})
    response["Cache-Control"] = "private, no-store"
    return response


@workspace_page(roles=ANSWER_PRIVACY_REQUESTS)
def candidate_export_json(request: HttpRequest, caller: Caller, public_id: str) -> HttpResponse:
    export, refused = _export_or_refusal(request, caller, public_id)
    if refused is not None:
        return refused
    response = HttpResponse(
        json.dumps(export, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    # A neutral file name: no personal data in download folders or logs.
    response["Content-Disposition"] = f'attachment; filename="person-{public_id}.json"'
    response["Cache-Control"] = "private, no-store"
    return response
