"""Absolute links in e-mails and hand-offs: the scheme and port of the request that caused
them, the host of the workspace (its primary domain) or the public host."""

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest

from tenants.models import Client, Domain


@dataclass(frozen=True)
class Links:
    scheme: str
    port_suffix: str  # "" or ":8000"

    @classmethod
    def like(cls, request: HttpRequest) -> "Links":
        port = request.get_port()
        default = "443" if request.is_secure() else "80"
        return cls(
            scheme=request.scheme or "https", port_suffix="" if port == default else f":{port}"
        )

    def origin_of(self, host: str) -> str:
        return f"{self.scheme}://{host}{self.port_suffix}"

    def public(self, path: str) -> str:
        return self.origin_of(settings.BASE_DOMAIN) + path

    def workspace(self, client: Client, path: str) -> str:
        return self.origin_of(workspace_host(client)) + path


def workspace_host(client: Client) -> str:
    domain = (
        Domain.objects.filter(tenant=client)
        .order_by("-is_primary", "id")
        .values_list("domain", flat=True)
    ).first()
    return domain or f"{client.slug}.{settings.BASE_DOMAIN}"
