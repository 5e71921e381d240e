"""Which identity-provider URLs the server may fetch: an admin types the issuer, so every URL
derived from it (discovery, token endpoint, keys) is checked before a request goes out.

https only, to a host whose every address is public (no loopback, private, link-local,
reserved or metadata addresses), no redirects followed. The one exception is
SSO_ALLOWED_PRIVATE_ISSUERS, a list of exact "host:port" entries (the tests' local provider).
A name is resolved at the check and again by the HTTP library; the time between the two is
small, and the endpoints are fetched with redirects off.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError


def _host_port(url: str) -> tuple[str, str, int]:
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise ValidationError("This is not a valid URL.") from None
    if not host or parts.scheme not in ("http", "https") or parts.username or parts.password:
        raise ValidationError("Use the provider's https URL, without a user name or password.")
    return parts.scheme, host, port


def _address_is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast and str(ip) != "169.254.169.254"


def provider_url_check(url: str) -> str:
    """The URL when the server may fetch it; ValidationError with the reason otherwise."""
    scheme, host, port = _host_port(url)
    if f"{host}:{port}" in settings.SSO_ALLOWED_PRIVATE_ISSUERS:
        return url
    if scheme != "https":
        raise ValidationError("The identity provider must be reached over https.")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        raise ValidationError(f"The host {host} could not be found.") from None
    if not infos or not all(_address_is_public(str(info[4][0])) for info in infos):
        raise ValidationError(
            f"The host {host} is on a private or reserved network, which the platform does not "
            "reach."
        )
    return url
