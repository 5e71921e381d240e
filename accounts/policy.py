"""A workspace's own sign-in rules, applied on every request to its host.

- `Client.two_factor_required`: its admins and executives open the workspace only with a
  session that passed a second factor; others are sent to the two-factor step (enrol, or
  enter a code), then back. A session that came through the client's own single sign-on
  counts: the client's identity provider is where the client decides its people's factors.
- `Client.sso_mandatory`: its members whose e-mail domain is mapped to the single sign-on
  must come through it; a password session of such a person is sent to the provider.
Agencies' people are not covered: their sign-in is their own agency's affair.
Both flags are fields of the client every request already has, so a workspace without them
costs no query.
"""

from django.http import HttpRequest

from accounts.models import SsoDomainRole
from tenants.models import Client
from tenants.roles import TWO_FACTOR_POLICY_ROLES
from tenants.selectors import WorkspaceAccess

SSO_SESSION_KEY = "sso_client_id"


def came_through_sso(request: HttpRequest, client: Client) -> bool:
    return request.session.get(SSO_SESSION_KEY) == client.pk


def needs_second_factor_here(request: HttpRequest, client: Client, access: WorkspaceAccess) -> bool:
    if not client.two_factor_required or not access.is_client:
        return False
    if access.role not in TWO_FACTOR_POLICY_ROLES or came_through_sso(request, client):
        return False
    verified = getattr(request.user, "is_verified", None)
    return not (verified is not None and verified())


def needs_sso_here(request: HttpRequest, client: Client, access: WorkspaceAccess) -> bool:
    if not client.sso_mandatory or not access.is_client or came_through_sso(request, client):
        return False
    email = str(getattr(request.user, "email", ""))
    domain = email.rpartition("@")[2].lower()
    return SsoDomainRole.objects.filter(
        provider__client=client, provider__is_enabled=True, domain=domain
    ).exists()
