"""The audit trail (/audit/) for client admins and executives: who did what to which object,
in plain language, with filters, links, paging and a CSV export of what the filters show."""

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from administration.audit_trail import (
    OBJECT_KINDS,
    TrailFilters,
    actors_in_trail,
    entries_filtered,
    trail_rows,
)
from administration.forms import AuditFilterForm
from administration.services.audit_trail import audit_trail_export_record
from pages.access import Caller, workspace_page
from pages.downloads import csv_download
from pages.paging import page_of, query_without_page
from tenants.models import User
from tenants.roles import ADMINISTER_WORKSPACE, READ_AUDIT_TRAIL

PAGE_SIZE = 50
# The CSV holds at most this many entries (the newest); narrow the filters for older ones.
CSV_MAX_ROWS = 20_000
CSV_BATCH = 1_000


def _zone(caller: Caller) -> dt.tzinfo:
    try:
        return ZoneInfo(caller.client.timezone)
    except (ValueError, KeyError):
        return dt.UTC


def _filters(request: HttpRequest, caller: Caller) -> tuple[AuditFilterForm, TrailFilters]:
    form = AuditFilterForm(request.GET, people=actors_in_trail())
    zone = _zone(caller)
    if not form.is_valid():
        return form, TrailFilters(zone=zone)
    data = form.cleaned_data
    actor_user_id = None
    if data["who"]:
        actor_user_id = (
            User.objects.filter(public_id=uuid.UUID(data["who"]))
            .values_list("pk", flat=True)
            .first()
        )
    return form, TrailFilters(
        actor_user_id=actor_user_id,
        group=data["what"],
        object_type=data["object_type"],
        object_id=data["object_id"],
        since=data["since"],
        until=data["until"],
        zone=zone,
    )


@workspace_page(roles=READ_AUDIT_TRAIL)
def audit_trail(request: HttpRequest, caller: Caller) -> HttpResponse:
    form, filters = _filters(request, caller)
    page = page_of(request, entries_filtered(filters), size=PAGE_SIZE)
    rows = trail_rows(
        page.object_list, client=caller.client, may_administer=caller.may(ADMINISTER_WORKSPACE)
    )
    return render(
        request,
        "administration/audit/trail.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "page_query": query_without_page(request),
            "object_kind": OBJECT_KINDS.get(filters.object_type, ""),
            "zone": _zone(caller),
        },
    )


@workspace_page(roles=READ_AUDIT_TRAIL)
def audit_trail_csv(request: HttpRequest, caller: Caller) -> HttpResponse:
    _form, filters = _filters(request, caller)
    zone = _zone(caller)
    entries = list(entries_filtered(filters)[:CSV_MAX_ROWS])
    header: list[object] = [
        "when",
        "who",
        "what happened",
        "object kind",
        "object",
        "object id",
        "action",
    ]
    lines: list[list[object]] = [header]
    for start in range(0, len(entries), CSV_BATCH):
        for row in trail_rows(
            entries[start : start + CSV_BATCH], client=caller.client, may_administer=False
        ):
            entry = row.entry
            lines.append(
                [
                    timezone.localtime(entry.occurred_at, zone).strftime("%Y-%m-%d %H:%M:%S %Z"),
                    row.who,
                    row.what,
                    OBJECT_KINDS.get(entry.object_type, entry.object_type),
                    row.object_label,
                    entry.object_id,
                    entry.action,
                ]
            )
    audit_trail_export_record(actor=caller.actor, rows=len(entries), filters=filters)
    stamp = timezone.localtime(timezone.now(), zone).strftime("%Y%m%d-%H%M")
    return csv_download(lines, f"audit-trail-{caller.client.slug}-{stamp}.csv")
