"""The workspace's home page: what the workspace holds for this person's role."""

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from hiring.models import BriefStatus, Stage
from hiring.selectors import briefs_for, briefs_with_counts, submissions_for
from pages.access import Caller, workspace_page
from tenants.models import AgencyRole, ClientRole
from tenants.roles import ANY_AGENCY_ROLE, ANY_CLIENT_ROLE, MANAGE_HIRING, READ_AUDIT_TRAIL
from tenants.selectors import client_engagements, client_team

ROLE_LABELS = dict([*ClientRole.choices, *AgencyRole.choices])


@workspace_page(roles=ANY_CLIENT_ROLE | ANY_AGENCY_ROLE)
def workspace_home(request: HttpRequest, caller: Caller) -> HttpResponse:
    access = caller.access
    context: dict[str, Any] = {"access": access, "role_label": ROLE_LABELS.get(access.role)}
    if caller.is_client:
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
        context["team"] = client_team(client=caller.client)
        context["engagements"] = client_engagements(client=caller.client)
        context["can_write_briefs"] = caller.may(MANAGE_HIRING)
        context["reads_audit_trail"] = caller.may(READ_AUDIT_TRAIL)
    else:
        stage_labels = dict(Stage.choices)
        context["open_briefs"] = list(briefs_with_counts(access)[:10])
        by_stage = dict(
            submissions_for(access).order_by().values_list("stage").annotate(n=Count("id"))
        )
        context["stage_counts"] = [
            {"value": stage, "label": stage_labels[stage], "count": by_stage[stage]}
            for stage in Stage.values
            if by_stage.get(stage)
        ]
        context["can_submit"] = caller.may_submit
    return render(request, "hiring/home.html", context)
