"""The audit trail in plain language: "Ada Admin viewed Priya Raman's contact details".

Audit rows hold ids, codes and states only (audit.models.AuditEntry), never names: the names
are looked up when the trail is read, in one query per kind of thing on the page (people,
API keys, candidates, submissions, briefs, scorecards, engagements, agencies), never one per
row. So a person who was erased shows their erased name ("Erased candidate 1a2b3c4d"), and a
renamed brief its current title.

`trail_rows(entries, ...)` turns a page of entries into `TrailRow`s; the filter choices
(`ACTION_GROUPS`, `OBJECT_KINDS`) and `entries_filtered` live here too, so the page and the
CSV export read the same trail.
"""

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.urls import reverse

from accounts.models import AgencyInvitation
from audit.models import AuditEntry
from hiring.models import BriefStatus, Candidate, RoleBrief, Stage, Submission
from hiring.services.privacy import ERASURE_REASONS
from scoring.models import Scorecard
from tenants.models import Agency, ApiKey, Client, Engagement, EngagementStatus, User

PII_READ: Final = "candidate.pii_viewed"
EXPORT_PURPOSE: Final = "access_request_export"


@dataclass(frozen=True)
class ActionGroup:
    """A choice of the "What" filter: exact actions and/or action prefixes."""

    code: str
    label: str
    actions: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()

    def condition(self) -> Q:
        condition = Q(action__in=self.actions) if self.actions else Q(pk__in=[])
        for prefix in self.prefixes:
            condition |= Q(action__startswith=prefix)
        return condition


ACTION_GROUPS: Final = (
    ActionGroup("personal_data_reads", "Reads of personal data", actions=(PII_READ,)),
    ActionGroup("erasures", "Erasures of personal data", actions=("candidate.erased",)),
    ActionGroup("briefs", "Briefs", prefixes=("brief.",)),
    ActionGroup("submissions", "Submissions and stages", prefixes=("submission.",)),
    ActionGroup("imports", "CSV imports", prefixes=("import.",)),
    ActionGroup("scoring", "Interviewers and scorecards", prefixes=("assignment.", "scorecard.")),
    ActionGroup("shortlists", "Shortlists and decisions", prefixes=("shortlist.",)),
    ActionGroup("engagements", "Agencies and engagements", prefixes=("engagement.",)),
    ActionGroup("integrations", "API keys and webhooks", prefixes=("api_key.", "webhook.")),
    ActionGroup(
        "settings",
        "Settings and exports",
        prefixes=(
            "privacy.",
            "reminder_settings.",
            "scoring_settings.",
            "notification_preference.",
            "audit_trail.",
        ),
    ),
)
ACTION_GROUP_BY_CODE: Final = {group.code: group for group in ACTION_GROUPS}

# object_type -> what the "Object" filter calls it
OBJECT_KINDS: Final = {
    "candidate": "Candidates",
    "submission": "Submissions",
    "brief": "Briefs",
    "scorecard": "Scorecards",
    "import": "CSV imports",
    "engagement": "Engagements",
    "agency_invitation": "Agency invitations",
    "api_key": "API keys",
    "webhook_subscription": "Webhooks",
    "client": "Workspace settings",
    "user": "People's email preferences",
}

SYSTEM_ACTORS: Final = {
    "retention": "The retention policy",
    "shortlist_compute": "The shortlist engine",
    "webhook_deliver": "The webhook sender",
    "create_api_key": "An operator's command",
    "revoke_api_key": "An operator's command",
}
REFUSAL_REASONS: Final = {
    "candidate_owned_by_another_agency": "another agency represents the person here",
    "duplicate_submission": "the person was already submitted to that brief",
}
STAGE_LABELS: Final = dict(Stage.choices)
BRIEF_STATUS_LABELS: Final = dict(BriefStatus.choices)
ENGAGEMENT_STATUS_LABELS: Final = dict(EngagementStatus.choices)


# --- filtering ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrailFilters:
    """What the trail is narrowed to; every part optional. Dates are days in the client's
    time zone, both included."""

    actor_user_id: int | None = None
    group: str = ""
    object_type: str = ""
    object_id: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    zone: dt.tzinfo = dt.UTC


def entries_filtered(filters: TrailFilters) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.order_by("-occurred_at", "-id")
    if filters.actor_user_id is not None:
        entries = entries.filter(actor_kind="user", actor_user_id=filters.actor_user_id)
    group = ACTION_GROUP_BY_CODE.get(filters.group)
    if group is not None:
        entries = entries.filter(group.condition())
    if filters.object_type:
        entries = entries.filter(object_type=filters.object_type)
    if filters.object_id:
        entries = entries.filter(object_id=filters.object_id)
    if filters.since is not None:
        start = dt.datetime.combine(filters.since, dt.time.min, tzinfo=filters.zone)
        entries = entries.filter(occurred_at__gte=start)
    if filters.until is not None:
        end = dt.datetime.combine(filters.until + dt.timedelta(days=1), dt.time.min, filters.zone)
        entries = entries.filter(occurred_at__lt=end)
    return entries


def actors_in_trail() -> list[tuple[str, str]]:
    """(public id, name) of every person who appears as the actor of an entry, by name: the
    choices of the "Who" filter. Two queries, whatever the size of the trail."""
    user_ids = (
        AuditEntry.objects.filter(actor_kind="user", actor_user_id__isnull=False)
        .order_by()
        .values_list("actor_user_id", flat=True)
        .distinct()
    )
    people = User.objects.filter(pk__in=list(user_ids)).only("public_id", "name", "email")
    choices = [(str(person.public_id), _person_label(person)) for person in people]
    return sorted(choices, key=lambda choice: choice[1].lower())


def _person_label(person: User) -> str:
    return f"{person.display_name} ({person.email})" if person.name else person.email


# --- names, in bulk ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Named:
    label: str
    url: str = ""


@dataclass
class Names:
    """Everything the entries of a page refer to, looked up once per kind."""

    users: dict[int, str] = field(default_factory=dict)
    users_by_public_id: dict[str, str] = field(default_factory=dict)
    keys_by_prefix: dict[str, str] = field(default_factory=dict)
    agencies: dict[int, str] = field(default_factory=dict)
    objects: dict[tuple[str, str], Named] = field(default_factory=dict)


def _uuids(values: Iterable[object]) -> list[uuid.UUID]:
    found = []
    for value in values:
        try:
            found.append(uuid.UUID(str(value)))
        except ValueError:
            continue
    return found


def _link(name: str, *args: object, allowed: bool = True) -> str:
    return reverse(name, args=args) if allowed else ""


def names_for(entries: list[AuditEntry], *, client: Client, may_administer: bool) -> Names:
    """Look up every name the entries need, one query per kind present on the page.
    `may_administer`: links to pages only client admins open (engagements, API keys,
    webhooks, a candidate's privacy page) are given."""
    names = Names()
    ids: dict[str, set[str]] = {}
    user_ids: set[int] = set()
    agency_ids: set[int] = set()
    prefixes: set[str] = set()
    for entry in entries:
        ids.setdefault(entry.object_type, set()).add(entry.object_id)
        details = entry.details if isinstance(entry.details, dict) else {}
        if entry.actor_kind == "user" and entry.actor_user_id is not None:
            user_ids.add(entry.actor_user_id)
        elif entry.actor_kind == "api_key" and entry.actor_ref:
            prefixes.add(entry.actor_ref)
        if isinstance(details.get("agency"), int):
            agency_ids.add(details["agency"])
        if isinstance(details.get("interviewer"), int):
            user_ids.add(details["interviewer"])
        if isinstance(details.get("brief"), str):
            ids.setdefault("brief", set()).add(details["brief"])

    if user_ids:
        # A platform operator acting from the platform admin is named as such.
        names.users = {
            user.pk: f"{user.display_name} (platform operator)"
            if user.is_staff
            else user.display_name
            for user in User.objects.filter(pk__in=user_ids)
        }
    if ids.get("user"):
        names.users_by_public_id = {
            str(user.public_id): user.display_name
            for user in User.objects.filter(public_id__in=_uuids(ids["user"]))
        }
    if agency_ids:
        names.agencies = dict(Agency.objects.filter(pk__in=agency_ids).values_list("pk", "name"))
    if prefixes:
        names.keys_by_prefix = {
            key.prefix: f"{key.name} ({key.prefix}…)"
            for key in ApiKey.objects.filter(client=client, prefix__in=prefixes)
        }

    objects = names.objects
    if ids.get("candidate"):
        latest = Submission.objects.filter(candidate=OuterRef("pk")).order_by("-created_at", "-id")
        for candidate in Candidate.objects.filter(public_id__in=_uuids(ids["candidate"])).annotate(
            latest_submission=Subquery(latest.values("public_id")[:1])
        ):
            if may_administer:
                url = _link("administration:candidate_privacy", candidate.public_id)
            elif candidate.latest_submission:
                url = _link("hiring:submission_detail", candidate.latest_submission)
            else:
                url = ""
            objects["candidate", str(candidate.public_id)] = Named(candidate.full_name, url)
    if ids.get("submission"):
        for submission in Submission.objects.filter(
            public_id__in=_uuids(ids["submission"])
        ).select_related("candidate", "brief"):
            objects["submission", str(submission.public_id)] = Named(
                f"{submission.candidate.full_name} for {submission.brief.title}",
                _link("hiring:submission_detail", submission.public_id),
            )
    if ids.get("brief"):
        for public_id, title in RoleBrief.objects.filter(
            public_id__in=_uuids(ids["brief"])
        ).values_list("public_id", "title"):
            objects["brief", str(public_id)] = Named(title, _link("hiring:brief_detail", public_id))
    if ids.get("scorecard"):
        for scorecard in Scorecard.objects.filter(
            public_id__in=_uuids(ids["scorecard"])
        ).select_related("submission__candidate", "submission__brief", "interviewer"):
            submission = scorecard.submission
            objects["scorecard", str(scorecard.public_id)] = Named(
                f"{scorecard.interviewer.display_name}'s scorecard of "
                f"{submission.candidate.full_name} for {submission.brief.title}",
                _link("scoring:submission_scorecards", submission.public_id),
            )
    if ids.get("engagement"):
        for engagement in Engagement.objects.filter(
            client=client, public_id__in=_uuids(ids["engagement"])
        ).select_related("agency"):
            objects["engagement", str(engagement.public_id)] = Named(
                engagement.agency.name,
                _link(
                    "administration:engagement_detail",
                    engagement.public_id,
                    allowed=may_administer,
                ),
            )
    if ids.get("agency_invitation"):
        engagements = _link("administration:engagement_list", allowed=may_administer)
        for invitation in AgencyInvitation.objects.filter(
            client=client, public_id__in=_uuids(ids["agency_invitation"])
        ):
            objects["agency_invitation", str(invitation.public_id)] = Named(
                f"{invitation.agency_name} ({invitation.email})", engagements
            )
    if ids.get("api_key"):
        key_list = _link("api:key_list", allowed=may_administer)
        for key in ApiKey.objects.filter(client=client, public_id__in=_uuids(ids["api_key"])):
            objects["api_key", str(key.public_id)] = Named(f"{key.name} ({key.prefix}…)", key_list)
    return names


# --- sentences ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrailRow:
    """One entry as the page and the CSV show it."""

    entry: AuditEntry
    who: str
    what: str
    object_label: str
    object_url: str
    personal_data_read: bool


@dataclass(frozen=True)
class _Context:
    entry: AuditEntry
    details: Mapping[str, Any]
    names: Names

    def obj(self) -> str:
        return self.named().label

    def named(self) -> Named:
        entry = self.entry
        found = self.names.objects.get((entry.object_type, entry.object_id))
        if found is not None:
            return found
        return Named(_fallback_object_label(entry, self.details, self.names))

    def agency(self) -> str:
        return self.names.agencies.get(self.details.get("agency") or 0, "an agency")


# Kinds whose names are looked up: one that is not found was removed since.
RESOLVED_KINDS: Final = frozenset(
    {"candidate", "submission", "brief", "scorecard", "engagement", "api_key", "agency_invitation"}
)


def _fallback_object_label(entry: AuditEntry, details: Mapping[str, Any], names: Names) -> str:
    kind = entry.object_type
    if kind == "webhook_subscription":
        origin = details.get("origin")
        return f"the webhook to {origin}" if origin else "a webhook subscription"
    if kind == "import":
        return "a CSV import"
    if kind == "client":
        return "the workspace's settings"
    if kind == "audit_trail":
        return "the audit trail"
    if kind == "scoring_settings":
        return "the scoring settings"
    if kind == "reminder_settings":
        return "the reminder rules"
    if kind == "user":
        return names.users_by_public_id.get(entry.object_id, "a former user")
    if kind in RESOLVED_KINDS:
        return "(removed)"
    return f"{kind.replace('_', ' ')} {entry.object_id[:8]}".strip()


def _days(value: object) -> str:
    if value in (0, "0"):
        return "off"
    return f"{value} days"


def _fee(value: object) -> str:
    return "no fee" if value in (None, "") else f"a {value}% fee"


def _pii_read(ctx: _Context) -> str:
    purpose = str(ctx.details.get("purpose", ""))
    if purpose == "resume_download":
        return f"downloaded {ctx.obj()}'s resume"
    if purpose == EXPORT_PURPOSE:
        return f"exported everything held about {ctx.obj()} (access request)"
    if purpose.startswith("api"):
        return f"read {ctx.obj()}'s contact details through the API"
    if purpose in ("submission_detail", "candidate_detail", ""):
        return f"viewed {ctx.obj()}'s contact details"
    return f"viewed {ctx.obj()}'s contact details ({purpose.replace('_', ' ')})"


def _erased(ctx: _Context) -> str:
    reason = ERASURE_REASONS.get(str(ctx.details.get("reason")), "")
    return f"erased the personal data of {ctx.obj()}" + (f": {reason}" if reason else "")


def _brief_status(ctx: _Context) -> str:
    before = BRIEF_STATUS_LABELS.get(ctx.details.get("from", ""), ctx.details.get("from", "?"))
    after = BRIEF_STATUS_LABELS.get(ctx.details.get("to", ""), ctx.details.get("to", "?"))
    return f"changed the brief {ctx.obj()} from {before.lower()} to {after.lower()}"


def _stage(ctx: _Context) -> str:
    before = STAGE_LABELS.get(ctx.details.get("from", ""), ctx.details.get("from", "?"))
    after = STAGE_LABELS.get(ctx.details.get("to", ""), ctx.details.get("to", "?"))
    return f"moved {ctx.obj()} from {before.lower()} to {after.lower()}"


def _refused(ctx: _Context) -> str:
    why = REFUSAL_REASONS.get(str(ctx.details.get("code")), "it was refused")
    return f"tried to submit someone to {ctx.obj()}, refused because {why}"


def _assigned(ctx: _Context) -> str:
    interviewer = ctx.names.users.get(ctx.details.get("interviewer") or 0, "a former user")
    return f"asked {interviewer} to score {ctx.obj()}"


def _import_created(ctx: _Context) -> str:
    rows = ctx.details.get("rows")
    return f"uploaded a CSV import of {rows} rows for {ctx.agency()}"


def _import_done(ctx: _Context) -> str:
    verb = "finished" if ctx.entry.action == "import.finished" else "failed"
    d = ctx.details
    return (
        f"'s CSV import {verb}: {d.get('imported', 0)} imported, {d.get('failed', 0)} failed, "
        f"{d.get('skipped', 0)} skipped"
    )


def _engaged(ctx: _Context) -> str:
    again = " again" if ctx.entry.action == "engagement.restarted" else ""
    return (
        f"engaged {ctx.obj()}{again}: ownership window "
        f"{_days(ctx.details.get('ownership_window_days'))}, {_fee(ctx.details.get('fee_percent'))}"
    )


def _invited(ctx: _Context) -> str:
    verb = "sent again the invitation of" if ctx.entry.action.endswith("resent") else "invited"
    return (
        f"{verb} the new agency {ctx.obj()}: ownership window "
        f"{_days(ctx.details.get('ownership_window_days'))}, {_fee(ctx.details.get('fee_percent'))}"
    )


def _invitation_accepted(ctx: _Context) -> str:
    return (
        f"accepted the invitation of {ctx.obj()}, which joined the platform and started its "
        f"engagement: ownership window {_days(ctx.details.get('ownership_window_days'))}, "
        f"{_fee(ctx.details.get('fee_percent'))}"
    )


def _terms(ctx: _Context) -> str:
    before = ctx.details.get("from") or {}
    after = ctx.details.get("to") or {}
    changes = []
    if before.get("ownership_window_days") != after.get("ownership_window_days"):
        changes.append(
            f"ownership window from {_days(before.get('ownership_window_days'))} to "
            f"{_days(after.get('ownership_window_days'))}"
        )
    if before.get("fee_percent") != after.get("fee_percent"):
        changes.append(
            f"fee from {_fee(before.get('fee_percent'))} to {_fee(after.get('fee_percent'))}"
        )
    return f"changed the terms of {ctx.obj()}: " + "; ".join(changes or ["no change"])


def _retention(ctx: _Context) -> str:
    return (
        "set the retention period of closed candidates from "
        f"{_days(ctx.details.get('from'))} to {_days(ctx.details.get('to'))}"
    )


def _webhook_disabled(ctx: _Context) -> str:
    return f"switched off {ctx.obj()} after {ctx.details.get('attempts', 'many')} failed attempts"


def _decision(ctx: _Context) -> str:
    verb = "advanced" if ctx.entry.action.endswith(".advance") else "rejected"
    return f"{verb} {ctx.obj()} from the shortlist"


def _exported_trail(ctx: _Context) -> str:
    rows = ctx.details.get("rows", 0)
    return f"downloaded {rows} entries of the audit trail as CSV"


Phrase = Callable[[_Context], str]
# What follows the actor's name. A phrase starting with "'s" follows it directly.
PHRASES: Final[dict[str, Phrase]] = {
    PII_READ: _pii_read,
    "candidate.erased": _erased,
    "brief.created": lambda c: f"created the brief {c.obj()}",
    "brief.updated": lambda c: f"edited the brief {c.obj()}",
    "brief.readiness_overridden": lambda c: f"opened the brief {c.obj()} although it was not ready",
    "brief.opened": lambda c: (
        f"reopened the brief {c.obj()} to agencies"
        if c.details.get("reopened")
        else f"opened the brief {c.obj()} to agencies"
    ),
    "brief.status_changed": _brief_status,
    "import.created": _import_created,
    "import.finished": _import_done,
    "import.failed": _import_done,
    "submission.created": lambda c: f"submitted {c.obj()}",
    "submission.refused": _refused,
    "submission.stage_changed": _stage,
    "assignment.created": _assigned,
    "scorecard.saved": lambda c: f"saved a draft: {c.obj()}",
    "scorecard.submitted": lambda c: f"submitted {c.obj()}",
    "shortlist.computed": lambda c: (
        f"computed version {c.details.get('version', '?')} of the shortlist of {c.obj()}"
    ),
    "shortlist.floor_overridden": lambda c: (
        f"let {c.obj()} compete for the top despite a category floor"
    ),
    "shortlist.decision.advance": _decision,
    "shortlist.decision.reject": _decision,
    "scoring_settings.updated": lambda c: (
        "turned "
        + ("on" if c.details.get("workspace_evidence") else "off")
        + " the use of earlier briefs in shortlist calibration"
    ),
    "engagement.started": _engaged,
    "engagement.restarted": _engaged,
    "engagement.terms_changed": _terms,
    "engagement.invitation_sent": _invited,
    "engagement.invitation_resent": _invited,
    "engagement.invitation_revoked": lambda c: f"withdrew the invitation of {c.obj()}",
    "engagement.invitation_accepted": _invitation_accepted,
    "engagement.paused": lambda c: f"paused the engagement of {c.obj()}",
    "engagement.resumed": lambda c: f"resumed the engagement of {c.obj()}",
    "engagement.ended": lambda c: f"ended the engagement of {c.obj()}",
    "api_key.created": lambda c: f"created the API key {c.obj()}",
    "api_key.revoked": lambda c: f"revoked the API key {c.obj()}",
    "webhook.subscription_created": lambda c: f"created {c.obj()}",
    "webhook.subscription_deleted": lambda c: f"deleted {c.obj()}",
    "webhook.secret_rotated": lambda c: f"rotated the signing secret of {c.obj()}",
    "webhook.test_sent": lambda c: f"sent a test event to {c.obj()}",
    "webhook.subscription_disabled": _webhook_disabled,
    "reminder_settings.updated": lambda c: "changed the reminder rules",
    "notification_preference.updated": lambda c: f"changed the email preferences of {c.obj()}",
    "notification_preference.unsubscribed": lambda c: (
        f"unsubscribed {c.obj()} from the weekly digest"
    ),
    "privacy.retention_changed": _retention,
    "audit_trail.exported": _exported_trail,
}


def _who(entry: AuditEntry, names: Names) -> str:
    if entry.actor_kind == "user":
        return names.users.get(entry.actor_user_id or 0, "A former user")
    if entry.actor_kind == "api_key":
        key = names.keys_by_prefix.get(entry.actor_ref)
        return f"The API key {key}" if key else f"An API key ({entry.actor_ref}…)"
    if entry.actor_ref.startswith("command:"):
        return "An operator's command"
    return SYSTEM_ACTORS.get(entry.actor_ref, "The system")


def trail_rows(
    entries: Iterable[AuditEntry], *, client: Client, may_administer: bool
) -> list[TrailRow]:
    """The entries in plain language, names looked up in bulk (see module docstring)."""
    entries = list(entries)
    names = names_for(entries, client=client, may_administer=may_administer)
    rows = []
    for entry in entries:
        details = entry.details if isinstance(entry.details, dict) else {}
        ctx = _Context(entry=entry, details=details, names=names)
        who = _who(entry, names)
        phrase = PHRASES.get(entry.action)
        if phrase is None:
            # An action this page has no words for yet shows its code as it is.
            what = f"{who}: {entry.action} ({ctx.obj()})"
        else:
            text = phrase(ctx)
            what = f"{who}{text}" if text.startswith("'s") else f"{who} {text}"
        named = ctx.named()
        rows.append(
            TrailRow(
                entry=entry,
                who=who,
                what=what,
                object_label=named.label,
                object_url=named.url,
                personal_data_read=entry.action == PII_READ,
            )
        )
    return rows
