"""Notification pages of a workspace host: the person's notifications, their email
preferences, the client's reminder settings (admins), and the public unsubscribe link.

WorkspaceAccessMiddleware lets only members and engaged agencies' people reach the pages under
/notifications/; the unsubscribe page lives under /accounts/ so it works without signing in.
"""

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.actors import Actor
from audit.errors import NotFoundError
from hiring.forms import apply_service_errors
from notifications.calendar import known_time_zones, weekday_choices
from notifications.inbox import (
    notification_mark_read,
    notifications_for,
    notifications_mark_all_read,
    notifications_unread_count,
)
from notifications.preferences import (
    notification_preference_by_token,
    notification_preference_get_or_create,
    notification_preference_update,
    notification_unsubscribe_by_token,
)
from notifications.reminders.context import reminder_settings_get
from notifications.reminders.rule_settings import SETTING_LIMITS, reminder_settings_update
from notifications.reminders.rules import submissions_awaiting_client
from tenants.models import ClientRole, User
from tenants.selectors import WorkspaceAccess

PAGE_SIZE = 30
HOUR_CHOICES = [(hour, f"{hour:02d}:00") for hour in range(24)]


def _access(request: HttpRequest) -> WorkspaceAccess:
    access = getattr(request, "workspace_access", None)
    if access is None:
        raise Http404("No such page.")
    return access


def _user(request: HttpRequest) -> User:
    # The workspace middleware lets only signed-in members reach these pages.
    return cast(User, request.user)


def _actor(request: HttpRequest, access: WorkspaceAccess) -> Actor:
    return Actor.for_user(request.user, agency_id=access.agency.pk if access.agency else None)


# --- the person's notifications -----------------------------------------------------------------


@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    access = _access(request)
    user = _user(request)
    page = Paginator(notifications_for(user=user), PAGE_SIZE).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "access": access,
        "page": page,
        "page_query": "",
        "unread_count": notifications_unread_count(user=user),
    }
    if access.is_agency and access.agency is not None:
        context["awaiting_client"] = submissions_awaiting_client(agency_id=access.agency.pk)
    return render(request, "notifications/list.html", context)


@require_POST
def notification_read(request: HttpRequest, public_id: str) -> HttpResponse:
    """Mark one notification read; with `next` (a path on this host), continue there."""
    _access(request)
    try:
        notification_mark_read(user=_user(request), public_id=public_id)
    except NotFoundError:
        raise Http404("No such notification.") from None
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("notifications:list")


@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    _access(request)
    count = notifications_mark_all_read(user=_user(request))
    if count:
        messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} read.")
    return redirect("notifications:list")


# --- email preferences (every member) --------------------------------------------------------


class PreferencesForm(forms.Form):
    email_reminders = forms.BooleanField(
        required=False,
        label="Email me reminders",
        help_text="Overdue scorecards, candidates waiting for feedback, briefs about to close "
        "and drafts that are not ready yet. They always appear here in the app.",
    )
    email_digest = forms.BooleanField(
        required=False,
        label="Email me the weekly hiring digest",
        help_text="Executives receive a summary of shortlist changes, the pipeline of open "
        "briefs and overdue items once a week.",
    )


@require_http_methods(["GET", "POST"])
def preferences_edit(request: HttpRequest) -> HttpResponse:
    access = _access(request)
    preference = notification_preference_get_or_create(user=_user(request))
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            notification_preference_update(
                actor=_actor(request, access),
                user=_user(request),
                email_reminders=form.cleaned_data["email_reminders"],
                email_digest=form.cleaned_data["email_digest"],
            )
            messages.success(request, "Your email preferences are saved.")
            return redirect("notifications:preferences")
    else:
        form = PreferencesForm(
            initial={
                "email_reminders": preference.email_reminders,
                "email_digest": preference.email_digest,
            }
        )
    return render(request, "notifications/preferences.html", {"form": form, "access": access})


# --- reminder settings (client admins) ------------------------------------------------------


def _number(name: str, label: str, help_text: str) -> forms.IntegerField:
    lowest, highest = SETTING_LIMITS[name]
    return forms.IntegerField(label=label, help_text=help_text, min_value=lowest, max_value=highest)


class ReminderSettingsForm(forms.Form):
    timezone = forms.ChoiceField(
        label="Time zone of the workspace",
        help_text="Business days, quiet hours and the digest follow this time zone.",
    )
    scorecard_overdue_hours = _number(
        "scorecard_overdue_hours",
        "Remind interviewers this many hours after a scorecard is due",
        "Then once a day until the limit below.",
    )
    scorecard_repeat_limit = _number(
        "scorecard_repeat_limit",
        "Reminders per overdue scorecard, at most",
        "Counting the first one.",
    )
    feedback_sla_business_days = _number(
        "feedback_sla_business_days",
        "Give agencies feedback within this many business days",
        "Monday to Friday. Past it, the brief's owner and the hiring managers are reminded "
        "daily; agencies see how long their candidates have been waiting.",
    )
    brief_closing_days = _number(
        "brief_closing_days",
        "Tell agencies this many days before a brief's deadline",
        "Once per brief and deadline, to the people of each agency that can see the brief.",
    )
    draft_stale_days = _number(
        "draft_stale_days",
        "Remind the owner of a draft that is not ready after this many days",
        "Once a week while it stays unready.",
    )
    digest_weekday = forms.TypedChoiceField(
        label="Send the executive digest on", coerce=int, choices=weekday_choices()
    )
    digest_hour = forms.TypedChoiceField(label="at", coerce=int, choices=HOUR_CHOICES)
    quiet_hours_start = forms.TypedChoiceField(
        label="Quiet hours from",
        coerce=int,
        choices=HOUR_CHOICES,
        help_text="No reminders are created or emailed in quiet hours; they go out when "
        "quiet hours end. Choose the same hour twice for no quiet hours.",
    )
    quiet_hours_end = forms.TypedChoiceField(label="until", coerce=int, choices=HOUR_CHOICES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = [(z, z) for z in sorted(known_time_zones())]  # type: ignore[attr-defined]


@require_http_methods(["GET", "POST"])
def reminder_settings_edit(request: HttpRequest) -> HttpResponse:
    access = _access(request)
    if not access.has_client_role(ClientRole.ADMIN):
        raise Http404("No such page.")
    client = request.tenant  # type: ignore[attr-defined]
    current = reminder_settings_get()
    status = 200
    if request.method == "POST":
        form = ReminderSettingsForm(request.POST)
        if form.is_valid():
            try:
                reminder_settings_update(actor=_actor(request, access), data=form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, "Reminder settings saved.")
                return redirect("notifications:settings")
        status = 400
    else:
        initial: dict[str, Any] = {name: getattr(current, name) for name in SETTING_LIMITS}
        initial["timezone"] = client.timezone
        form = ReminderSettingsForm(initial=initial)
    return render(
        request,
        "notifications/settings.html",
        {"form": form, "access": access, "saved": current.pk is not None},
        status=status,
    )


# --- unsubscribe by link (no sign-in) ---------------------------------------------------------


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
