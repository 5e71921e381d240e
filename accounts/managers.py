"""Who manages a team's people, checked against the database on every change."""

from dataclasses import dataclass

from accounts.teams import Team
from audit.actors import Actor
from audit.errors import ConflictError
from tenants.models import AgencyMembership, AgencyRole, ClientMembership, Engagement, User
from tenants.roles import MANAGE_PEOPLE, role_within_reach
from tenants.selectors import AGENCY_VISIBLE_STATUSES


@dataclass(frozen=True)
class Manager:
    """A person managing `team` with `role` (their role in that team)."""

    user: User
    role: str
    team: Team

    @property
    def actor(self) -> Actor:
        agency = self.team.agency
        return Actor.for_user(self.user, agency_id=agency.pk if agency is not None else None)

    def may_grant(self, role: str) -> bool:
        return role_within_reach(manager_role=self.role, role=role)

    def grantable_roles(self) -> list[tuple[str, str]]:
        return [(value, label) for value, label in self.team.role_choices if self.may_grant(value)]


def manager_check(manager: Manager) -> None:
    """The manager still holds their role in the team, the role manages people, and an
    agency's team is managed only by its own admins from a workspace it works in."""
    team = manager.team
    if team.agency is None:
        held = (
            ClientMembership.objects.filter(user=manager.user, client=team.client)
            .values_list("role", flat=True)
            .first()
        )
    else:
        held = (
            AgencyMembership.objects.filter(user=manager.user, agency=team.agency)
            .values_list("role", flat=True)
            .first()
        )
        if held != AgencyRole.AGENCY_ADMIN:
            raise ConflictError(
                f"You can manage only your own agency's people: you are not an admin of "
                f"{team.agency.name}.",
                code="not_your_agency",
            )
        engaged = Engagement.objects.filter(
            client=team.client, agency=team.agency, status__in=AGENCY_VISIBLE_STATUSES
        ).exists()
        if not engaged:
            raise ConflictError(
                f"{team.agency.name} does not work with {team.client.name}: manage its people "
                "from a workspace the agency works in.",
                code="agency_not_engaged",
            )
    if held is None or held != manager.role or held not in MANAGE_PEOPLE:
        raise ConflictError(
            "Your role here no longer lets you manage people. Reload the page.",
            code="not_a_people_manager",
        )
