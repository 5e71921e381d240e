"""Reads of the administration pages, narrowed to the caller's reach.

`access_*` helpers answer the same NotFoundError for "not yours" and "does not exist".
"""

import uuid

from django.db.models import Q, QuerySet

from accounts.models import AgencyInvitation
from audit.errors import NotFoundError
from hiring.models import Candidate
from tenants.models import Agency, Client, Engagement, EngagementStatus

AGENCIES_LISTED_TO_ENGAGE = 25


def _parse_uuid(value: object) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NotFoundError from None


def engagements_for(*, client: Client, agency: Agency | None) -> QuerySet[Engagement]:
    """The client's engagements (a client admin), or the one of `agency` (its agency admin)."""
    engagements = Engagement.objects.filter(client=client).select_related("agency")
    if agency is not None:
        engagements = engagements.filter(agency=agency)
    return engagements.order_by("agency__name", "id")


def access_engagement_by_id(
    *, client: Client, agency: Agency | None, public_id: object
) -> Engagement:
    engagement = (
        engagements_for(client=client, agency=agency).filter(public_id=_parse_uuid(public_id))
    ).first()
    if engagement is None:
        raise NotFoundError
    return engagement


def agencies_to_engage(*, client: Client, query: str = "") -> QuerySet[Agency]:
    """Active agencies of the platform this client does not work with now: never engaged, or
    engaged once and ended. Paused ones are resumed from their engagement's page instead."""
    agencies = Agency.objects.filter(is_active=True).exclude(
        engagements__client=client,
        engagements__status__in=(EngagementStatus.ACTIVE, EngagementStatus.PAUSED),
    )
    query = query.strip()
    if query:
        agencies = agencies.filter(Q(name__icontains=query) | Q(slug__icontains=query))
    return agencies.order_by("name", "id")


def access_agency_to_engage(*, client: Client, public_id: object) -> Agency:
    agency = agencies_to_engage(client=client).filter(public_id=_parse_uuid(public_id)).first()
    if agency is None:
        raise NotFoundError
    return agency


def access_candidate_by_id(public_id: object) -> Candidate:
    """A candidate of the current workspace (the pages that call it are for client admins,
    who reach every candidate of their workspace)."""
    candidate = Candidate.objects.filter(public_id=_parse_uuid(public_id)).first()
    if candidate is None:
        raise NotFoundError
    return candidate


def access_agency_invitation_by_id(*, client: Client, public_id: object) -> AgencyInvitation:
    """An agency invitation of the client, or NotFoundError (also for another client's)."""
    found = (
        AgencyInvitation.objects.select_related("client", "invited_by")
        .filter(client=client, public_id=_parse_uuid(public_id))
        .first()
    )
    if found is None:
        raise NotFoundError
    return found


def agency_invitations_open(*, client: Client) -> list[AgencyInvitation]:
    """The client's invitations waiting for an answer (expired ones too: they can be sent
    again), newest first."""
    return list(
        AgencyInvitation.objects.filter(
            client=client, accepted_at__isnull=True, revoked_at__isnull=True
        )
        .select_related("invited_by")
        .order_by("-sent_at")
    )
