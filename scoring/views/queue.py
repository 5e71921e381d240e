"""The interviewer's queue: the scorecards they are asked for, due and overdue first."""

from django.db.models import F, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from hiring.models import Stage
from hiring.stages import OPEN_FOR_SCORING
from pages.access import Caller, workspace_page
from scoring.models import (
    ScorecardStatus,
)
from scoring.selectors import (
    assignments_for_interviewer,
    assignments_with_own_scorecard,
)
from tenants.roles import ANY_CLIENT_ROLE

DONE_SHOWN = 50
STAGE_LABELS = dict(Stage.choices)


@workspace_page(roles=ANY_CLIENT_ROLE)
def scorecard_queue(request: HttpRequest, caller: Caller) -> HttpResponse:
    access = caller.access

    assignments = assignments_with_own_scorecard(
        assignments_for_interviewer(user_id=caller.user.pk)
    )
    not_submitted = Q(card_status__isnull=True) | Q(card_status=ScorecardStatus.DRAFT)
    to_score = list(assignments.filter(not_submitted, submission__stage__in=OPEN_FOR_SCORING))
    # Submitted, or closed before a scorecard was needed: the latest first, a bounded list.
    done = list(
        assignments.exclude(not_submitted, submission__stage__in=OPEN_FOR_SCORING).order_by(
            F("card_submitted_at").desc(nulls_last=True), "-due_at"
        )[:DONE_SHOWN]
    )
    now = timezone.now()
    return render(
        request,
        "scoring/queue.html",
        {
            "access": access,
            "to_score": to_score,
            "done": done,
            "overdue_count": sum(1 for a in to_score if a.due_at < now),
            "now": now,
            "stage_labels": STAGE_LABELS,
        },
    )
