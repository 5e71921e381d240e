"""Engagements in the platform admin: read-only rows with search and filters, and pause,
resume and end as admin actions through the audited services, so the client's audit trail
records what the operator did. Engagements are created by the client admin's pages or the
`engage_agency` command, and their terms changed on the client's pages."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from administration.services.engagements import STATUS_CHANGES, engagement_status_change
from audit.actors import Actor
from audit.errors import ConflictError
from tenants.admin_site import StaffModelAdmin
from tenants.models import Engagement


def _change_action(change: str, label: str) -> Any:
    def act(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
        done, refused = 0, []
        for engagement in queryset.select_related("agency", "client"):
            try:
                engagement_status_change(
                    actor=Actor.for_user(request.user), engagement=engagement, change=change
                )
            except ConflictError as conflict:
                refused.append(conflict.message)
            else:
                done += 1
        if done:
            modeladmin.message_user(request, f"{label}: {done} engagement(s).", messages.SUCCESS)
        for message in refused:
            modeladmin.message_user(request, message, messages.WARNING)

    act.__name__ = f"engagement_{change}"
    return admin.action(description=f"{label} the selected engagements")(act)


@admin.register(Engagement)
class EngagementAdmin(StaffModelAdmin):
    list_display = (
        "agency",
        "client",
        "status",
        "ownership_window_days",
        "fee_percent",
        "started_at",
        "updated_at",
    )
    list_filter = ("status", "client", "agency")
    search_fields = ("agency__name", "agency__slug", "client__name", "client__slug")
    list_select_related = ("agency", "client")
    readonly_fields = (
        "public_id",
        "client",
        "agency",
        "status",
        "ownership_window_days",
        "fee_percent",
        "started_at",
        "updated_at",
    )
    fields = readonly_fields
    actions = [
        _change_action(code, label)
        for code, label in (("pause", "Pause"), ("resume", "Resume"), ("end", "End"))
        if code in STATUS_CHANGES
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
