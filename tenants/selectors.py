"""Reads in the public schema: who may act in which workspace, and as what."""

from dataclasses import dataclass

from django.db.models import QuerySet

from tenants.models import (
    Agency,
    AgencyMembership,
    AgencyRole,
    Client,
    ClientMembership,
    ClientRole,
    Engagement,
    EngagementStatus,
    User,
)

# An agency keeps read access while an engagement is paused; it can only submit while active.
AGENCY_VISIBLE_STATUSES = (EngagementStatus.ACTIVE, EngagementStatus.PAUSED)


@dataclass(frozen=True)
class WorkspaceAccess:
    """What the signed-in person is inside one client's workspace."""

    kind: str  # "client" or "agency"
    role: str
    agency: Agency | None = None
    engagement: Engagement | None = None
    # The person's public id; None for a partner API key (which reads like a client admin or
    # an agency's recruiter, never like an interviewer).
    user_id: int | None = None

    @property
    def is_client(self) -> bool:
        return self.kind == "client"

    @property
    def is_agency(self) -> bool:
        return self.kind == "agency"

    @property
    def is_interviewer(self) -> bool:
        """Interviewers reach only the submissions they are assigned to score."""
        return self.is_client and self.role == ClientRole.INTERVIEWER

    def has_client_role(self, *roles: str) -> bool:
        return self.is_client and self.role in roles


def workspace_access_for(*, user: User, client: Client) -> WorkspaceAccess | None:
    """The person's access to a client's workspace, or None when they have none.

    A client role wins over an agency role if a person somehow holds both.
    """
    if not user.is_authenticated or not user.is_active or client.is_public:
        return None
    membership = ClientMembership.objects.filter(user=user, client=client).only("role").first()
    if membership is not None:
        return WorkspaceAccess(kind="client", role=membership.role, user_id=user.pk)
    agency_membership = (
        AgencyMembership.objects.filter(
            user=user,
            agency__is_active=True,
            agency__engagements__client=client,
            agency__engagements__status__in=AGENCY_VISIBLE_STATUSES,
        )
        .select_related("agency")
        .first()
    )
    if agency_membership is None:
        return None
    engagement = Engagement.objects.get(client=client, agency=agency_membership.agency)
    return WorkspaceAccess(
        kind="agency",
        role=agency_membership.role,
        agency=agency_membership.agency,
        engagement=engagement,
        user_id=user.pk,
    )


@dataclass(frozen=True)
class WorkspaceLink:
    client: Client
    host: str
    as_what: str


def workspaces_for_user(*, user: User) -> list[WorkspaceLink]:
    """Every workspace the person can open from the public dashboard, with the role that lets
    them in: client memberships, then clients their agencies are engaged with."""
    links: list[WorkspaceLink] = []
    seen: set[int] = set()
    memberships = (
        ClientMembership.objects.filter(user=user, client__is_active=True)
        .select_related("client")
        .prefetch_related("client__domains")
        .order_by("client__name")
    )
    for membership in memberships:
        seen.add(membership.client_id)
        links.append(
            WorkspaceLink(
                client=membership.client,
                host=_primary_host(membership.client),
                as_what=membership.get_role_display(),
            )
        )
    engagements = (
        Engagement.objects.filter(
            agency__memberships__user=user,
            agency__is_active=True,
            client__is_active=True,
            status__in=AGENCY_VISIBLE_STATUSES,
        )
        .select_related("client", "agency")
        .prefetch_related("client__domains")
        .order_by("client__name")
        .distinct()
    )
    for engagement in engagements:
        if engagement.client_id in seen:
            continue
        seen.add(engagement.client_id)
        label = f"Vendor ({engagement.agency.name})"
        if engagement.status == EngagementStatus.PAUSED:
            label += ", engagement paused"
        links.append(
            WorkspaceLink(
                client=engagement.client, host=_primary_host(engagement.client), as_what=label
            )
        )
    return links


def _primary_host(client: Client) -> str:
    domains = list(client.domains.all())
    primary = next((d for d in domains if d.is_primary), domains[0] if domains else None)
    return primary.domain if primary else ""


def agencies_of_user(*, user: User) -> QuerySet[AgencyMembership]:
    return AgencyMembership.objects.filter(user=user).select_related("agency")


def engagements_of_agencies_administered(*, user: User) -> QuerySet[Engagement]:
    """Every engagement (active, paused, ended) of the agencies the person is an agency admin
    of, with their terms: what the agency admin's dashboard lists."""
    return (
        Engagement.objects.filter(
            agency__memberships__user=user,
            agency__memberships__role=AgencyRole.AGENCY_ADMIN,
            client__is_active=True,
        )
        .select_related("agency", "client")
        .order_by("agency__name", "client__name")
    )


def client_team(*, client: Client) -> QuerySet[ClientMembership]:
    return (
        ClientMembership.objects.filter(client=client)
        .select_related("user")
        .order_by("role", "user__email")
    )


def client_engagements(*, client: Client) -> QuerySet[Engagement]:
    return (
        Engagement.objects.filter(client=client).select_related("agency").order_by("agency__name")
    )


def user_names(user_ids: set[int]) -> dict[int, str]:
    """Display names of people by id, in one query (for "decided by", "assigned by" and the
    like); people who no longer exist are simply absent."""
    if not user_ids:
        return {}
    return {user.pk: user.display_name for user in User.objects.filter(pk__in=user_ids)}
