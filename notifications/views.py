"""Notification pages of a workspace host: the person's notifications, their email
preferences, the client's reminder settings (admins), and the public unsubscribe link.

The pages under /notifications/ go through pages.access.workspace_page; the unsubscribe page
lives under /accounts/ so it works without signing in (the token is the authority).
"""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from audit.errors import NotFoundError
from hiring.models import BriefStatus, Stage
from hiring.selectors import briefs_for, briefs_with_counts, submissions_for
from notifications.forms import PreferencesForm, ReminderSettingsForm
from notifications.inbox import (
    notification_mark_read,
    notifications_for,
    notifications_mark_all_read,
    notifications_unread_count,
)
from notifications.needs import needs_for
from notifications.preferences import (
    notification_preference_by_token,
    notification_preference_get_or_create,
    notification_preference_update,
    notification_unsubscribe_by_token,
)
from notifications.reminders.rule_settings import (
    SETTING_LIMITS,
    reminder_settings_get,
    reminder_settings_update,
)
from notifications.reminders.rules import submissions_awaiting_client
from pages.access import Caller, open_page, workspace_page
from pages.forms import form_action
from pages.paging import page_of
from tenants.models import AgencyRole, ClientRole
from tenants.roles import (
    ADMINISTER_WORKSPACE,
    ANY_AGENCY_ROLE,
    ANY_CLIENT_ROLE,
    MANAGE_HIRING,
    READ_AUDIT_TRAIL,
)
from tenants.selectors import client_engagements, client_team

PAGE_SIZE = 30
EVERYONE = ANY_CLIENT_ROLE | ANY_AGENCY_ROLE


# --- the home page: what needs this person, then what the workspace holds ------------------------

ROLE_LABELS = dict([*ClientRole.choices, *AgencyRole.choices])


@workspace_page(roles=EVERYONE)
def workspace_home(request: HttpRequest, caller: Caller) -> HttpResponse:
    """What needs the person now (notifications.needs), with links to act, then the
    workspace's figures for their role."""
    access = caller.access
    context: dict[str, Any] = {
        "access": access,
        "role_label": ROLE_LABELS.get(access.role),
        "needs": needs_for(access),
    }
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
    return render(request, "notifications/home.html", context)


# --- the person's notifications -----------------------------------------------------------------


@workspace_page(roles=EVERYONE)
def notification_list(request: HttpRequest, caller: Caller) -> HttpResponse:
    context: dict[str, Any] = {
        "access": caller.access,
        "page": page_of(request, notifications_for(user=caller.user), size=PAGE_SIZE),
        "page_query": "",
        "unread_count": notifications_unread_count(user=caller.user),
    }
    if caller.is_agency and caller.agency_id is not None:
        context["awaiting_client"] = submissions_awaiting_client(agency_id=caller.agency_id)
    return render(request, "notifications/list.html", context)


@workspace_page(roles=EVERYONE)
def notification_badge(request: HttpRequest, caller: Caller) -> HttpResponse:
    """The header's unread count, polled by htmx every few seconds (one COUNT)."""
    response = render(
        request,
        "notifications/_unread_badge.html",
        {"unread_notifications": notifications_unread_count(user=caller.user)},
    )
    response["Cache-Control"] = "private, no-store"
    return response


@workspace_page(roles=EVERYONE, methods=("POST",))
def notification_read(request: HttpRequest, caller: Caller, public_id: str) -> HttpResponse:
    """Mark one notification read; with `next` (a path on this host), continue there."""
    notification_mark_read(user=caller.user, public_id=public_id)
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("notifications:list")


@workspace_page(roles=EVERYONE, methods=("POST",))
def notification_read_all(request: HttpRequest, caller: Caller) -> HttpResponse:
    count = notifications_mark_all_read(user=caller.user)
    if count:
        messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} read.")
    return redirect("notifications:list")


# --- email preferences (every member) --------------------------------------------------------


@workspace_page(roles=EVERYONE, methods=("GET", "POST"))
def preferences_edit(request: HttpRequest, caller: Caller) -> HttpResponse:
    preference = notification_preference_get_or_create(user=caller.user)
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            notification_preference_update(
                actor=caller.actor,
                user=caller.user,
                email_reminders=form.cleaned_data["email_reminders"],
                email_digest=form.cleaned_data["email_digest"],
                email_updates=form.cleaned_data["email_updates"],
            )
            messages.success(request, "Your email preferences are saved.")
            return redirect("notifications:preferences")
    else:
        form = PreferencesForm(
            initial={
                "email_reminders": preference.email_reminders,
                "email_digest": preference.email_digest,
                "email_updates": preference.email_updates,
            }
        )
    return render(
        request, "notifications/preferences.html", {"form": form, "access": caller.access}
    )


# --- reminder settings (client admins) ------------------------------------------------------


@workspace_page(roles=ADMINISTER_WORKSPACE, methods=("GET", "POST"))
def reminder_settings_edit(request: HttpRequest, caller: Caller) -> HttpResponse:
    current = reminder_settings_get()
    status = 200
    if request.method == "POST":
        form = ReminderSettingsForm(request.POST)
        if form.is_valid():
            done = form_action(
                form, lambda: reminder_settings_update(actor=caller.actor, data=form.cleaned_data)
            )
            if done.ok:
                messages.success(request, "Reminder settings saved.")
                return redirect("notifications:settings")
        status = 400
    else:
        initial: dict[str, Any] = {name: getattr(current, name) for name in SETTING_LIMITS}
        initial["timezone"] = caller.client.timezone
        form = ReminderSettingsForm(initial=initial)
    return render(
        request,
        "notifications/settings.html",
        {"form": form, "access": caller.access, "saved": current.pk is not None},
        status=status,
    )


# --- unsubscribe by link (no sign-in) ---------------------------------------------------------


@open_page(because="digest emails link here; the secret token in the link is the authority")
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks for confirmation (mail scanners follow links; they must not unsubscribe
    anybody); POST turns the digest email off. CSRF-exempt so a mail client's one-click
    unsubscribe (RFC 8058, a POST without our cookie) works: the secret token is the proof."""
    try:
        if request.method == "POST":
            notification_unsubscribe_by_token(token=token)
            return render(request, "notifications/unsubscribe.html", {"done": True})
        preference = notification_preference_by_token(token=token)
    except NotFoundError:
        raise Http404("No such link.") from None
    return render(
        request,
        "notifications/unsubscribe.html",
        {"done": False, "already": not preference.email_digest},
    )
