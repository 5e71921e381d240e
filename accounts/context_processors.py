"""Template context of people and sign-in: where the public host is (for the account link on
workspace hosts) and whether this host's sign-in page offers single sign-on (looked up only
when a template asks)."""

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accounts.links import Links


def _sso_offered(request: HttpRequest) -> bool:
    from accounts.sso import enabled_provider_of

    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.is_public:
        return False
    return enabled_provider_of(tenant) is not None


def sign_in(request: HttpRequest) -> dict[str, Any]:
    return {
        "public_site_url": SimpleLazyObject(lambda: Links.like(request).public("")),
        "sso_offered": SimpleLazyObject(lambda: _sso_offered(request)),
    }
