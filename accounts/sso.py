"""Single sign-on with OpenID Connect, one identity provider per client.

The relying party is Authlib's Django client (`DjangoOAuth2App`), built per request from the
client's `SsoProvider` row: authorization code flow with PKCE (S256), state and nonce kept in
the session by Authlib, the ID token's signature checked against the provider's keys and its
issuer, audience, expiry and nonce validated by Authlib. The provider's discovery document
and keys are fetched here, through the URL guard (accounts.issuer_guard), without following
redirects, and cached for SSO_METADATA_CACHE_SECONDS; Authlib gets them ready-made, so it
never fetches a URL of its own choosing.

Who gets in (`sso_person_resolve`):
- the provider's subject (`sub`) already linked to a person: that person;
- else a verified e-mail (`email_verified` true) of a member of the client: linked to them;
- else a verified e-mail at a domain the client mapped to a role: the person (an existing
  account, or a new one without a password) joins with that role, the first time only;
- anyone else is refused, with the reason.
A session that came through SSO counts on the client's host only (accounts.middleware), so a
client's provider can never open another workspace or the account pages of the public host.
"""

import re
from dataclasses import dataclass
from typing import Any

import requests
from authlib.integrations.django_client import DjangoIntegration, DjangoOAuth2App
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.issuer_guard import provider_url_check
from accounts.models import SsoDomainRole, SsoIdentity, SsoProvider
from accounts.secrets_at_rest import secret_decrypt, secret_encrypt
from accounts.teams import Team, team_audit
from audit.actors import Actor
from audit.errors import ConflictError
from tenants.models import AgencyMembership, Client, ClientMembership, ClientRole, User
from tenants.selectors import AGENCY_VISIBLE_STATUSES
from tenants.services import client_membership_grant

DISCOVERY_PATH = "/.well-known/openid-configuration"
SCOPES = "openid email profile"
DOMAIN_PATTERN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
ENDPOINTS = ("authorization_endpoint", "token_endpoint", "jwks_uri")


class SsoUnavailable(Exception):
    """The provider cannot be used right now (unreachable, misconfigured): `message` says why,
    for the sign-in page."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- configuration --------------------------------------------------------------------------


def sso_domains_parse(text: str) -> list[tuple[str, str]]:
    """Lines of `domain = role` (role as its value or its label). ValidationError names the
    first line that does not read."""
    labels = {label.lower(): value for value, label in ClientRole.choices}
    found: dict[str, str] = {}
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        domain, sep, role = (part.strip() for part in line.partition("="))
        domain = domain.lower().lstrip("@")
        role_value = role.lower().replace(" ", "_")
        role_value = labels.get(role.lower(), role_value)
        if not sep or not DOMAIN_PATTERN.match(domain) or role_value not in ClientRole.values:
            raise ValidationError(
                f"Line {number} does not read as `domain = role` (for example "
                "`example.com = interviewer`; roles: " + ", ".join(ClientRole.values) + ")."
            )
        if domain in found:
            raise ValidationError(f"Line {number}: {domain} is mapped twice.")
        found[domain] = role_value
    return sorted(found.items())


def sso_domains_text(provider: SsoProvider | None) -> str:
    if provider is None:
        return ""
    return "\n".join(f"{d.domain} = {d.role}" for d in provider.domains.all())


def sso_provider_save(
    *,
    client: Client,
    actor: Actor,
    issuer: str,
    oidc_client_id: str,
    client_secret: str,
    is_enabled: bool,
    domains: list[tuple[str, str]],
) -> SsoProvider:
    """Create or change the client's identity provider. A blank secret keeps the stored one.
    Enabling it reads the provider's discovery document first: a provider that does not
    answer, or answers for another issuer, is refused with the reason."""
    issuer = (issuer or "").strip()
    oidc_client_id = (oidc_client_id or "").strip()
    errors: dict[str, list[str]] = {}
    try:
        provider_url_check(issuer)
    except ValidationError as error:
        errors["issuer"] = list(error.messages)
    if not oidc_client_id or len(oidc_client_id) > 200:
        errors["oidc_client_id"] = ["Enter the client id the provider gave you."]
    existing = SsoProvider.objects.filter(client=client).first()
    if not client_secret and existing is None:
        errors["client_secret"] = ["Enter the client secret the provider gave you."]
    if errors:
        raise ValidationError(errors)
    if is_enabled:
        try:
            _metadata_fetch(issuer)
        except SsoUnavailable as problem:
            raise ValidationError({"issuer": problem.message}) from None
    with transaction.atomic():
        provider = existing or SsoProvider(client=client)
        changed_provider = existing is None or existing.issuer != issuer
        provider.issuer = issuer
        provider.oidc_client_id = oidc_client_id
        if client_secret:
            provider.client_secret_encrypted = secret_encrypt(client_secret)
        provider.is_enabled = is_enabled
        if changed_provider:
            provider.last_success_at = None
        provider.updated_at = timezone.now()
        provider.save()
        if changed_provider and existing is not None:
            # Subjects are the old provider's: they mean nothing to a new one.
            provider.identities.all().delete()
        provider.domains.all().delete()
        SsoDomainRole.objects.bulk_create(
            [SsoDomainRole(provider=provider, domain=d, role=r) for d, r in domains]
        )
        if not is_enabled and client.sso_mandatory:
            client.sso_mandatory = False
            client.save()
        team_audit(
            team=Team(client=client),
            actor=actor,
            action="sign_in.sso_changed",
            object_type="sso_provider",
            object_id=provider.public_id,
            details={
                "enabled": is_enabled,
                "domains": len(domains),
                "secret_changed": bool(client_secret),
                "issuer_changed": changed_provider,
            },
        )
    cache.delete(_metadata_key(issuer))
    return provider


def sign_in_rules_set(
    *, client: Client, actor: Actor, two_factor_required: bool, sso_mandatory: bool
) -> Client:
    """The client's two sign-in rules. SSO becomes mandatory only once it works: enabled,
    with a mapped domain, and one sign-in through it has gone through."""
    if sso_mandatory:
        provider = SsoProvider.objects.filter(client=client).first()
        if provider is None or not provider.is_enabled or not provider.domains.exists():
            raise ValidationError(
                {"sso_mandatory": "Set up and enable single sign-on with a domain first."}
            )
        if provider.last_success_at is None:
            raise ValidationError(
                {
                    "sso_mandatory": "Sign in once through single sign-on first, so that we "
                    "know it works before it is the only way in."
                }
            )
    with transaction.atomic():
        before = (client.two_factor_required, client.sso_mandatory)
        client.two_factor_required = two_factor_required
        client.sso_mandatory = sso_mandatory
        client.save()
        if before != (two_factor_required, sso_mandatory):
            team_audit(
                team=Team(client=client),
                actor=actor,
                action="sign_in.settings_changed",
                object_type="client",
                object_id=client.public_id,
                details={
                    "two_factor_required": two_factor_required,
                    "sso_mandatory": sso_mandatory,
                },
            )
    return client


# --- the provider's documents ---------------------------------------------------------------


def _metadata_key(issuer: str) -> str:
    return f"sso:metadata:{issuer}"


def _get_json(url: str) -> dict[str, Any]:
    try:
        provider_url_check(url)
        response = requests.get(
            url, timeout=settings.SSO_HTTP_TIMEOUT_SECONDS, allow_redirects=False
        )
        response.raise_for_status()
        data = response.json()
    except ValidationError as error:
        raise SsoUnavailable(" ".join(error.messages)) from None
    except (requests.RequestException, ValueError):
        raise SsoUnavailable(
            "The identity provider did not answer as expected. Check the issuer URL."
        ) from None
    if not isinstance(data, dict):
        raise SsoUnavailable("The identity provider answered something other than JSON.")
    return data


def _metadata_fetch(issuer: str) -> dict[str, Any]:
    metadata = _get_json(issuer.rstrip("/") + DISCOVERY_PATH)
    if metadata.get("issuer") != issuer:
        raise SsoUnavailable(
            "The provider's configuration names another issuer "
            f"({str(metadata.get('issuer'))[:200]}): enter exactly the issuer it names."
        )
    for name in ENDPOINTS:
        try:
            provider_url_check(str(metadata.get(name) or ""))
        except ValidationError:
            raise SsoUnavailable(f"The provider's {name} is missing or not reachable.") from None
    metadata["jwks"] = _get_json(str(metadata["jwks_uri"]))
    return metadata


def sso_metadata(provider: SsoProvider) -> dict[str, Any]:
    key = _metadata_key(provider.issuer)
    metadata = cache.get(key)
    if metadata is None:
        metadata = _metadata_fetch(provider.issuer)
        cache.set(key, metadata, settings.SSO_METADATA_CACHE_SECONDS)
    return dict(metadata)


def _no_redirects(session: Any) -> None:
    session.max_redirects = 0


def sso_client(provider: SsoProvider) -> DjangoOAuth2App:
    """Authlib's client for this provider (a new one per request: no shared state)."""
    secret = secret_decrypt(provider.client_secret_encrypted)
    if secret is None:
        raise SsoUnavailable(
            "Single sign-on needs its client secret entered again by an admin of this workspace."
        )
    metadata = sso_metadata(provider)
    name = f"sso-{provider.public_id}"
    return DjangoOAuth2App(
        DjangoIntegration(name),
        name=name,
        client_id=provider.oidc_client_id,
        client_secret=secret,
        client_kwargs={
            "scope": SCOPES,
            "code_challenge_method": "S256",
            "timeout": settings.SSO_HTTP_TIMEOUT_SECONDS,
        },
        compliance_fix=_no_redirects,
        **{key: value for key, value in metadata.items() if not key.startswith("_")},
    )


def enabled_provider_of(client: Client) -> SsoProvider | None:
    return SsoProvider.objects.filter(client=client, is_enabled=True).first()


# --- who signs in ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SsoPerson:
    user: User
    joined_with_role: str | None  # set when this sign-in made them a member


def _refuse(message: str, code: str) -> ConflictError:
    return ConflictError(message, code=code)


def sso_person_resolve(*, provider: SsoProvider, claims: dict[str, Any]) -> SsoPerson:
    """The person an ID token's claims stand for at the provider's client (see the module's
    docstring), joining them with the mapped role the first time. Raises ConflictError with
    what the person should do when they cannot get in."""
    subject = str(claims.get("sub") or "")
    if not subject:
        raise _refuse("The identity provider did not say who you are.", "sso_no_subject")
    with transaction.atomic():
        identity = (
            SsoIdentity.objects.select_related("user")
            .filter(provider=provider, subject=subject)
            .first()
        )
        if identity is not None:
            user = identity.user
            if not user.is_active:
                raise _refuse("This account is disabled.", "sso_inactive")
            joined = _ensure_member(provider, user, claims)
            identity.last_used_at = timezone.now()
            identity.save(update_fields=["last_used_at"])
        else:
            email = str(claims.get("email") or "").strip().lower()
            if not email or claims.get("email_verified") is not True:
                raise _refuse(
                    "Your identity provider did not confirm your e-mail address, so it cannot "
                    "be matched to a member of this workspace. Ask your IT team.",
                    "sso_email_unverified",
                )
            found = User.objects.filter(email__iexact=email).first()
            if found is not None and not found.is_active:
                raise _refuse("This account is disabled.", "sso_inactive")
            if found is None:
                _mapped_role(provider, email)  # refuses an unmapped domain before creating
                name = " ".join(str(claims.get("name") or "").split())[:200]
                found = User.objects.create_user(email=email, password=None, name=name)
            user = found
            joined = _ensure_member(provider, user, claims)
            try:
                SsoIdentity.objects.create(provider=provider, subject=subject, user=user)
            except IntegrityError:
                raise _refuse(
                    "Your account is linked to another identity at this provider. Ask an "
                    "admin of this workspace.",
                    "sso_identity_conflict",
                ) from None
        provider.last_success_at = timezone.now()
        provider.save(update_fields=["last_success_at"])
    return SsoPerson(user=user, joined_with_role=joined)


def _mapped_role(provider: SsoProvider, email: str) -> str:
    domain = email.rpartition("@")[2]
    mapped = provider.domains.filter(domain=domain).values_list("role", flat=True).first()
    if mapped is None:
        raise _refuse(
            f"Signing in through {provider.client.name}'s single sign-on does not give "
            f"{domain} addresses access to this workspace. Ask an admin to invite you.",
            "sso_domain_not_mapped",
        )
    return str(mapped)


def _ensure_member(provider: SsoProvider, user: User, claims: dict[str, Any]) -> str | None:
    client = provider.client
    if ClientMembership.objects.filter(user=user, client=client).exists():
        return None
    role = _mapped_role(provider, user.email)
    vendor = AgencyMembership.objects.filter(
        user=user,
        agency__engagements__client=client,
        agency__engagements__status__in=AGENCY_VISIBLE_STATUSES,
    ).exists()
    if vendor:
        raise _refuse(
            "You work for an agency of this workspace, and an agency's people cannot also join "
            "its hiring team.",
            "sso_vendor",
        )
    client_membership_grant(user=user, client=client, role=role)
    team_audit(
        team=Team(client=client),
        actor=Actor.for_user(user),
        action="member.joined",
        object_type="person",
        object_id=user.public_id,
        details={"role": role, "via": "sso"},
    )
    return role
