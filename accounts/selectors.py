"""Reads for the people pages and the account page."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import schema_context

from accounts.models import AccountSession, Invitation
from accounts.teams import Team
from audit.models import AuditEntry
from tenants.models import AgencyMembership, ClientMembership, User


@dataclass(frozen=True)
class MemberRow:
    user: User
    role: str
    role_label: str
    joined_at: datetime
    last_login: datetime | None
    two_factor: bool


def team_members(*, team: Team) -> list[MemberRow]:
    """The team's members with when they last signed in and whether they use two-factor."""
    has_device = Exists(TOTPDevice.objects.filter(user=OuterRef("user"), confirmed=True))
    memberships: QuerySet[Any]
    if team.agency is None:
        memberships = ClientMembership.objects.filter(client=team.client)
    else:
        memberships = AgencyMembership.objects.filter(agency=team.agency)
    rows = memberships.select_related("user").annotate(two_factor=has_device)
    return sorted(
        (
            MemberRow(
                user=m.user,
                role=m.role,
                role_label=team.role_label(m.role),
                joined_at=m.created_at,
                last_login=m.user.last_login,
                two_factor=bool(m.two_factor),
            )
            for m in rows
        ),
        key=lambda row: (-_rank(row.role), row.user.email),
    )


def _rank(role: str) -> int:
    from tenants.roles import ROLE_RANK

    return ROLE_RANK.get(role, 0)


def team_open_invitations(*, team: Team) -> QuerySet[Invitation]:
    invitations = Invitation.objects.filter(accepted_at__isnull=True, revoked_at__isnull=True)
    if team.agency is None:
        invitations = invitations.filter(client=team.client, agency__isnull=True)
    else:
        invitations = invitations.filter(agency=team.agency)
    return invitations.select_related("invited_by").order_by("-sent_at")


PEOPLE_ACTIONS = (
    "member.invited",
    "member.invitation_resent",
    "member.invitation_revoked",
    "member.joined",
    "member.role_changed",
    "member.removed",
    "sign_in.settings_changed",
    "sign_in.sso_changed",
)


def team_recent_changes(*, team: Team, limit: int = 15) -> list[AuditEntry]:
    """The latest people changes of the team, from its audit trail."""
    if team.agency is None:
        with schema_context(team.client.schema_name):
            return list(AuditEntry.objects.filter(action__in=PEOPLE_ACTIONS)[:limit])
    with schema_context(settings.PUBLIC_SCHEMA_NAME):
        return list(
            AuditEntry.objects.filter(
                action__in=PEOPLE_ACTIONS, details__agency=str(team.agency.public_id)
            )[:limit]
        )


def sessions_of(*, user: User) -> QuerySet[AccountSession]:
    return AccountSession.objects.filter(user=user).order_by("-signed_in_at")
