"""Whose people a page or a service manages: a client's own team, or an agency's.

A `Team` comes from the caller's access, never from the request body: a client admin manages
the client's members, an agency admin their agency's (from any workspace the agency works in).
Changes are audited where the team's trail lives: a client's in its own schema, an agency's
(agencies have no schema) in the public schema's trail, with the agency's id in the details.
"""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django_tenants.utils import schema_context

from audit.actors import Actor
from audit.services import audit_record
from tenants.models import Agency, AgencyRole, Client, ClientRole


@dataclass(frozen=True)
class Team:
    client: Client  # the workspace; for an agency, the one the change was made from
    agency: Agency | None = None

    @property
    def is_agency(self) -> bool:
        return self.agency is not None

    @property
    def name(self) -> str:
        return self.agency.name if self.agency is not None else self.client.name

    @property
    def admin_role(self) -> str:
        return AgencyRole.AGENCY_ADMIN if self.is_agency else ClientRole.ADMIN

    @property
    def role_choices(self) -> list[tuple[str, str]]:
        return list(AgencyRole.choices if self.is_agency else ClientRole.choices)

    def role_label(self, role: str) -> str:
        return dict(self.role_choices).get(role, role)


def team_audit(
    *,
    team: Team,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: object,
    details: dict[str, Any] | None = None,
) -> None:
    """One audit row for a change to a team's people. Ids, roles and states only."""
    details = dict(details or {})
    if team.agency is None:
        schema = team.client.schema_name
    else:
        schema = settings.PUBLIC_SCHEMA_NAME
        details["agency"] = str(team.agency.public_id)
    with schema_context(schema):
        audit_record(
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=object_id,
            details=details,
        )
