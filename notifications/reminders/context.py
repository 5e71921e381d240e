"""What a reminder run knows about its workspace: the rules, the clock and who is who."""

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from notifications.calendar import (
    is_quiet_hour,
    iso_week,
    zone_for,
)
from notifications.kinds import EMAIL_DIGEST, EMAIL_REMINDER
from notifications.models import ReminderSettings
from notifications.preferences import (
    notification_preferences_for,
)
from notifications.reminders.rule_settings import reminder_settings_get
from tenants.models import (
    Client,
    ClientMembership,
    Domain,
    NotificationPreference,
)
from tenants.schema import current_client

logger = logging.getLogger(__name__)

RULE_SCORECARD_OVERDUE = "scorecard_overdue"
RULE_FEEDBACK_SLA = "feedback_sla"
RULE_BRIEF_CLOSING = "brief_closing"
RULE_DRAFT_STALE = "draft_stale"
RULE_EXECUTIVE_DIGEST = "executive_digest"

# Notification.kind is the rule's name; this says which preference governs its email.
EMAIL_KIND_OF_RULE = {
    RULE_SCORECARD_OVERDUE: EMAIL_REMINDER,
    RULE_FEEDBACK_SLA: EMAIL_REMINDER,
    RULE_BRIEF_CLOSING: EMAIL_REMINDER,
    RULE_DRAFT_STALE: EMAIL_REMINDER,
    RULE_EXECUTIVE_DIGEST: EMAIL_DIGEST,
}


def workspace_base_url(client: Client) -> str:
    """Absolute base of the client's host for links in emails (https outside DEBUG)."""
    domains = sorted(Domain.objects.filter(tenant=client), key=lambda d: (not d.is_primary, d.pk))
    host = domains[0].domain if domains else f"{client.slug}.{settings.BASE_DOMAIN}"
    scheme = "http" if settings.DEBUG else "https"
    return f"{scheme}://{host}"


@dataclass
class ReminderContext:
    """Everything a run needs about the workspace, read once."""

    client: Client
    rules: ReminderSettings
    zone: ZoneInfo
    now: dt.datetime
    base_url: str
    # user id -> preferences; None: the person never saved any (every email on).
    preferences: dict[int, NotificationPreference | None] = field(default_factory=dict)
    _member_roles: dict[int, str] | None = None

    @property
    def local_now(self) -> dt.datetime:
        return self.now.astimezone(self.zone)

    @property
    def today(self) -> dt.date:
        return self.local_now.date()

    @property
    def day_period(self) -> str:
        return self.today.isoformat()

    @property
    def week_period(self) -> str:
        return iso_week(self.today)

    @property
    def quiet(self) -> bool:
        return is_quiet_hour(
            self.local_now.hour,
            start=self.rules.quiet_hours_start,
            end=self.rules.quiet_hours_end,
        )

    def member_roles(self) -> dict[int, str]:
        """Active client members: user id -> role (one query, then kept)."""
        if self._member_roles is None:
            self._member_roles = dict(
                ClientMembership.objects.filter(
                    client_id=self.client.pk, user__is_active=True
                ).values_list("user_id", "role")
            )
        return self._member_roles

    def load_preferences(self, user_ids: Iterable[int], *, create: bool = False) -> None:
        """Read (with `create`, make) the preferences of people not read yet, in bulk."""
        missing = {uid for uid in user_ids if self.preferences.get(uid) is None}
        if not create:
            missing = {uid for uid in missing if uid not in self.preferences}
        if missing:
            found = notification_preferences_for(user_ids=missing, create=create)
            self.preferences.update({uid: found.get(uid) for uid in missing})

    def local(self, moment: dt.datetime) -> str:
        return moment.astimezone(self.zone).strftime("%a %d %b %Y, %H:%M %Z")


def reminder_context(*, now: dt.datetime | None = None) -> ReminderContext:
    """The context of the workspace the connection is in."""
    client = current_client()
    return ReminderContext(
        client=client,
        rules=reminder_settings_get(),
        zone=zone_for(client.timezone),
        now=now or timezone.now(),
        base_url=workspace_base_url(client),
    )
