"""API key authentication: `Authorization: Bearer ahk_...`, on the key's own client host.

The API never authenticates with the session: a browser signed in to the workspace gets no
API access from its cookie. Every refusal is a 401 problem with `WWW-Authenticate: Bearer`
and a code saying why (invalid_key, key_revoked, key_expired, key_wrong_host,
key_in_query_string, invalid_authorization_header).
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any, ClassVar

from django.utils import timezone
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from api.errors import AUTHENTICATE_HEADER, KeyRefused
from api.keys import KEY_MARK, api_key_find, api_key_is_expired, api_key_touch
from audit.actors import Actor
from tenants.models import Agency, ApiKey, Client, ClientRole, Engagement, EngagementStatus
from tenants.selectors import WorkspaceAccess

# last_used_at is written at most this often per key: no write on most requests.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
# Query parameters that would carry a key in the URL (where proxies and logs keep it).
KEY_QUERY_PARAMS = frozenset(
    {"api_key", "apikey", "api-key", "key", "token", "access_token", "auth", "authorization"}
)


@dataclass(frozen=True)
class ApiPrincipal:
    """Who is calling: the key, the client whose host it is on and, for an agency key, the
    engagement that lets the agency work there. Stands in for request.user in API views."""

    api_key: ApiKey
    client: Client
    engagement: Engagement | None

    is_authenticated: ClassVar[bool] = True
    is_anonymous: ClassVar[bool] = False

    @property
    def agency(self) -> Agency | None:
        return self.api_key.agency

    @property
    def is_agency(self) -> bool:
        return self.api_key.agency_id is not None

    @property
    def is_client(self) -> bool:
        return not self.is_agency

    @property
    def kind(self) -> str:
        return "agency" if self.is_agency else "client"

    @property
    def scopes(self) -> frozenset[str]:
        return frozenset(self.api_key.scopes)

    @property
    def engagement_active(self) -> bool:
        agency = self.agency
        return (
            agency is not None
            and agency.is_active
            and self.engagement is not None
            and self.engagement.status == EngagementStatus.ACTIVE
        )

    @property
    def access(self) -> WorkspaceAccess:
        """The workspace reach of the key, for hiring/scoring selectors: a client key reads
        like a client admin; an agency key like one of the agency's recruiters."""
        if self.is_client:
            return WorkspaceAccess(kind="client", role=ClientRole.ADMIN)
        return WorkspaceAccess(
            kind="agency", role="recruiter", agency=self.agency, engagement=self.engagement
        )

    @property
    def actor(self) -> Actor:
        return Actor.for_api_key(
            prefix=self.api_key.prefix,
            agency_id=self.api_key.agency_id,
            api_key_id=self.api_key.pk,
        )

    def actor_on_behalf_of(self, user_id: int) -> Actor:
        """The key writing for a named person (scorecards): audited with the key's prefix, and
        the key is recorded on what it writes."""
        return Actor(
            kind="api_key", user_id=user_id, ref=self.api_key.prefix, api_key_id=self.api_key.pk
        )


def _key_in_url(request: Request) -> bool:
    for name, values in request.query_params.lists():
        if name.lower() in KEY_QUERY_PARAMS:
            return True
        if any(value.startswith(KEY_MARK) for value in values):
            return True
    return False


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[ApiPrincipal, ApiKey] | None:
        if _key_in_url(request):
            raise KeyRefused(
                "API keys are accepted only in the Authorization header, never in the URL "
                "(URLs end up in logs and browser history). If a key was sent in a URL, revoke "
                "it and create a new one.",
                code="key_in_query_string",
            )
        header = get_authorization_header(request)
        if not header:
            return None
        parts = header.split()
        if len(parts) != 2 or parts[0].lower() != b"bearer":
            raise KeyRefused(
                "Send the key as 'Authorization: Bearer <key>'.",
                code="invalid_authorization_header",
            )
        try:
            raw_key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raw_key = ""
        api_key = api_key_find(raw_key)
        if api_key is None:
            raise KeyRefused("This API key is not valid.", code="invalid_key")
        now = timezone.now()
        if api_key.revoked_at is not None:
            raise KeyRefused("This API key was revoked.", code="key_revoked")
        if api_key_is_expired(api_key, now=now):
            raise KeyRefused("This API key has expired.", code="key_expired")
        tenant = getattr(request._request, "tenant", None)
        if tenant is None or tenant.pk != api_key.client_id:
            raise KeyRefused(
                "This key belongs to another workspace: call the API on the address of the "
                "workspace that issued it.",
                code="key_wrong_host",
            )
        engagement = None
        if api_key.agency_id is not None:
            engagement = Engagement.objects.filter(
                client_id=api_key.client_id, agency_id=api_key.agency_id
            ).first()
        api_key_touch(api_key=api_key, now=now, every=LAST_USED_RESOLUTION)
        return ApiPrincipal(api_key=api_key, client=tenant, engagement=engagement), api_key

    def authenticate_header(self, request: Request) -> str:
        return AUTHENTICATE_HEADER


def principal_of(request: Any) -> ApiPrincipal | None:
    user = getattr(request, "user", None)
    return user if isinstance(user, ApiPrincipal) else None
