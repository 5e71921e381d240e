"""Where webhooks may go, and the one way they are sent: the SSRF guard.

A partner chooses the URL, so every URL is treated as hostile until proven otherwise:

- at creation (`webhook_url_validate`) the URL's form is checked and, when the host name
  resolves, every address it resolves to must be public;
- at every delivery (`webhook_target_resolve`) the name is resolved again and every address
  checked again, because DNS can change after creation;
- the request then goes to one of the vetted addresses (`webhook_post`), never to a fresh
  look-up of the name, so a name that answers a public address to the check and a private one
  to the connection (DNS rebinding) gains nothing. The Host header and TLS SNI carry the name.

Loopback, private (RFC 1918, fc00::/7), link-local, multicast, unspecified, reserved, CGNAT
and cloud metadata addresses are refused in every environment. The only way around the rule
is `WEBHOOK_ALLOWED_PRIVATE_TARGETS`, a list of exact "host:port" entries, empty by default
(tests use it for their local receiver). Redirects are never followed.
"""

import contextlib
import http.client
import ipaddress
import re
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from django.conf import settings

URL_MAX_LENGTH = 500
USER_AGENT = "AIHiring-Webhooks/1.0"
# How much of an error response is kept in the delivery log.
RESPONSE_EXCERPT_CHARS = 200

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Ranges that `is_global` does not (on every Python version) flag, checked explicitly.
_EXTRA_BLOCKED_NETWORKS = [
    ipaddress.ip_network(net)
    for net in (
        "100.64.0.0/10",  # carrier-grade NAT; Alibaba's metadata service lives here
        "192.0.0.0/24",  # IETF protocol assignments
        "198.18.0.0/15",  # benchmarking
        "64:ff9b:1::/48",  # local-use NAT64
    )
]
# Cloud metadata and platform endpoints. Most are covered by the ranges above; listed so the
# rule does not depend on that, and because Azure's wire server is a public address.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(address)
    for address in ("169.254.169.254", "fd00:ec2::254", "168.63.129.16", "100.100.100.200")
)
_NAT64_PREFIX = ipaddress.ip_network("64:ff9b::/96")
# Names that only mean something inside a private network.
_PRIVATE_NAME_SUFFIXES = (".localhost", ".local", ".internal", ".localdomain", ".home.arpa")
_PRIVATE_NAMES = frozenset({"localhost", "localhost.localdomain"})
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


class WebhookTargetError(Exception):
    """The URL or the address it leads to is not an acceptable webhook target. `message` is
    written for the partner and never contains the URL's query string."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class WebhookTarget:
    """A URL checked against the rules, with the addresses a delivery may connect to."""

    scheme: str
    host: str  # lower-case; an IPv6 literal without brackets
    port: int
    request_target: str  # path and query, as sent on the request line
    addresses: tuple[str, ...] = ()

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default_port = 443 if self.scheme == "https" else 80
        return host if self.port == default_port else f"{host}:{self.port}"


@dataclass(frozen=True)
class PostResult:
    status_code: int | None
    latency_ms: int | None  # None when nothing was sent
    error: str  # empty when the receiver answered 2xx

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def url_origin(url: str) -> str:
    """scheme://host[:port] of a URL: what logs, audit rows and emails may show. Paths and
    query strings can carry the partner's own tokens, so they are left out."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return "(invalid URL)"
    host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{host}" + (f":{port}" if port else "")


def address_is_blocked(address: IPAddress) -> bool:
    """True for any address a webhook must never reach."""
    if address in METADATA_ADDRESSES:
        return True
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64_PREFIX:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None and address_is_blocked(embedded):
            return True
        if address.teredo is not None:
            return True
    return (
        not address.is_global
        or address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_unspecified
        or address.is_reserved
        or any(address in network for network in _EXTRA_BLOCKED_NETWORKS)
    )


def _allow_listed(host: str, port: int) -> bool:
    host = f"[{host}]" if ":" in host else host
    allowed = {entry.strip().lower() for entry in settings.WEBHOOK_ALLOWED_PRIVATE_TARGETS}
    return f"{host}:{port}" in allowed


def _parse(url: object) -> tuple[SplitResult, str, int]:
    """Check the URL's form; return its parts, lower-case host and effective port."""
    if not isinstance(url, str) or not url.strip():
        raise WebhookTargetError("Enter the URL that should receive the events.")
    url = url.strip()
    if len(url) > URL_MAX_LENGTH:
        raise WebhookTargetError(f"Use a URL of at most {URL_MAX_LENGTH} characters.")
    if not url.isascii() or any(ord(char) <= 32 or ord(char) == 127 for char in url):
        raise WebhookTargetError(
            "Write the URL without spaces or control characters, and percent-encode any "
            "non-ASCII characters (use the punycode form of an international host name)."
        )
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if settings.WEBHOOK_REQUIRE_HTTPS and scheme != "https":
        raise WebhookTargetError("Use an https:// URL: events are only sent over TLS.")
    if scheme not in ("http", "https"):
        raise WebhookTargetError("Use an http:// or https:// URL.")
    if "@" in parts.netloc:
        raise WebhookTargetError(
            "Remove the user name and password from the URL. Receivers authenticate events "
            "by checking their signature."
        )
    if parts.fragment or url.endswith("#"):
        raise WebhookTargetError("Remove the #fragment from the URL: it is never sent.")
    try:
        port = parts.port
    except ValueError:
        raise WebhookTargetError("The port in the URL is not a valid number.") from None
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise WebhookTargetError("The URL needs a host name.")
    if port == 0:
        raise WebhookTargetError("The port in the URL is not a valid number.")
    return parts, host, port or (443 if scheme == "https" else 80)


def _check_host(host: str, port: int) -> None:
    """Refuse hosts that are private by their very form (before any DNS look-up)."""
    if _allow_listed(host, port):
        return
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        if address_is_blocked(literal):
            raise WebhookTargetError(
                "This address is private, loopback, link-local or reserved: webhooks can only "
                "be sent to public addresses."
            )
        return
    labels = host.split(".")
    if not all(_HOST_LABEL.match(label) for label in labels):
        raise WebhookTargetError("The host name is not valid.")
    if labels[-1].isdigit() or labels[-1].startswith("0x"):
        # 2130706433, 0x7f.1, 127.1: numeric forms resolvers read as addresses.
        raise WebhookTargetError("Write an IP address in its usual form, or use a host name.")
    if len(labels) == 1 or host in _PRIVATE_NAMES or host.endswith(_PRIVATE_NAME_SUFFIXES):
        raise WebhookTargetError(
            "This host name only works inside a private network: use a public host name."
        )


def _resolve(host: str, port: int) -> list[str]:
    """Every address the name resolves to (raises socket.gaierror when it does not)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    addresses: list[str] = []
    for info in infos:
        address = str(info[4][0])
        if address not in addresses:
            addresses.append(address)
    return addresses


def _check_addresses(addresses: list[str]) -> None:
    for address in addresses:
        if address_is_blocked(ipaddress.ip_address(address)):
            raise WebhookTargetError(
                "This host resolves to a private, loopback, link-local or reserved address: "
                "webhooks can only be sent to public addresses."
            )


def webhook_url_validate(url: object) -> str:
    """Check a URL a partner wants to register; return it stripped.

    The name is resolved when possible and every address must be public. A name that does not
    resolve (yet) is accepted: every delivery resolves and checks it again anyway, and its log
    shows the look-up failure.
    """
    parts, host, port = _parse(url)
    _check_host(host, port)
    if not _allow_listed(host, port):
        try:
            addresses = _resolve(host, port)
        except (OSError, UnicodeError):
            addresses = []
        _check_addresses(addresses)
    return parts.geturl()


def webhook_target_resolve(url: str) -> WebhookTarget:
    """Check a stored URL again at delivery time and return the addresses to connect to.

    Raises WebhookTargetError when the URL is no longer acceptable (settings changed, or its
    name now resolves to a private address) or when the name does not resolve.
    """
    parts, host, port = _parse(url)
    _check_host(host, port)
    try:
        addresses = _resolve(host, port)
    except (OSError, UnicodeError):
        raise WebhookTargetError("The host name could not be resolved (DNS).") from None
    if not addresses:
        raise WebhookTargetError("The host name could not be resolved (DNS).")
    if not _allow_listed(host, port):
        _check_addresses(addresses)
    request_target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return WebhookTarget(
        scheme=parts.scheme.lower(),
        host=host,
        port=port,
        request_target=request_target,
        addresses=tuple(addresses),
    )


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to vetted addresses only (tried in order), never to a new look-up."""

    def __init__(self, target: WebhookTarget, *, timeout: float) -> None:
        super().__init__(target.addresses[0], target.port, timeout=timeout)
        self._target = target

    def connect(self) -> None:
        last_error: OSError | None = None
        for address in self._target.addresses:
            try:
                self.sock = socket.create_connection((address, self.port), self.timeout)
                self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                return
            except OSError as error:
                last_error = error
        assert last_error is not None
        raise last_error


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    """TLS to a vetted address, with SNI and certificate checks against the URL's host."""

    def __init__(self, target: WebhookTarget, *, timeout: float) -> None:
        super().__init__(target, timeout=timeout)
        self._context = ssl.create_default_context()

    def connect(self) -> None:
        super().connect()
        self.sock = self._context.wrap_socket(self.sock, server_hostname=self._target.host)


def _describe(error: BaseException, *, timed_out: bool) -> str:
    """A fixed phrase per failure class: exception texts can quote hosts or paths."""
    name = type(error).__name__
    if timed_out or isinstance(error, TimeoutError | socket.timeout):
        phrase = "Timed out waiting for the receiver"
    elif isinstance(error, ConnectionRefusedError):
        phrase = "Connection refused"
    elif isinstance(error, ssl.SSLCertVerificationError):
        phrase = "The receiver's TLS certificate is not valid for this host"
    elif isinstance(error, ssl.SSLError):
        phrase = "TLS handshake failed"
    elif isinstance(error, http.client.HTTPException | ConnectionError):
        phrase = "The receiver closed the connection without a valid HTTP response"
    else:
        phrase = "Could not connect to the receiver"
    return f"{phrase} ({name})"


def _excerpt(response: http.client.HTTPResponse) -> str:
    try:
        raw = response.read(RESPONSE_EXCERPT_CHARS)
    except (OSError, http.client.HTTPException):
        return ""
    text = " ".join(raw.decode("utf-8", errors="replace").split())
    return "".join(char for char in text if char.isprintable())


def webhook_post(
    target: WebhookTarget, *, body: bytes, headers: dict[str, str], timeout: float
) -> PostResult:
    """POST once to a vetted target. Never raises for network failures; never follows a
    redirect (a 3xx is a failure). The whole attempt, from connecting to reading the status,
    must finish within `timeout` seconds: a receiver that trickles bytes is cut off."""
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(target, timeout=timeout)
    started = time.monotonic()
    timed_out = threading.Event()

    def cut_off() -> None:
        timed_out.set()
        sock = connection.sock
        if sock is not None:
            # The plain socket's shutdown wakes a blocked read, TLS or not.
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)

    watchdog = threading.Timer(timeout, cut_off)
    watchdog.daemon = True
    watchdog.start()
    try:
        connection.request(
            "POST",
            target.request_target,
            body=body,
            headers={"Host": target.host_header, "User-Agent": USER_AGENT, **headers},
        )
        response = connection.getresponse()
        latency_ms = int((time.monotonic() - started) * 1000)
        status = response.status
        if 200 <= status < 300:
            return PostResult(status_code=status, latency_ms=latency_ms, error="")
        if 300 <= status < 400:
            error = f"HTTP {status}: redirects are not followed; register the final URL"
        else:
            excerpt = _excerpt(response)
            error = f"HTTP {status}" + (f": {excerpt}" if excerpt else "")
        return PostResult(
            status_code=status, latency_ms=latency_ms, error=error[:RESPONSE_EXCERPT_CHARS]
        )
    except (OSError, http.client.HTTPException, ValueError) as error:
        latency_ms = int((time.monotonic() - started) * 1000)
        return PostResult(
            status_code=None,
            latency_ms=latency_ms,
            error=_describe(error, timed_out=timed_out.is_set()),
        )
    finally:
        watchdog.cancel()
        connection.close()
