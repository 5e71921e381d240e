"""Partner API keys: create (shown once), revoke, and find the key a request presents.

A key reads `ahk_<12 visible characters>_<secret>`. The first 16 characters (`ahk_` and the
visible part) are stored in clear as `ApiKey.prefix` so people can tell keys apart and the
API can find the row; the secret is 32 random bytes (256 bits, URL-safe base64). Only the
SHA-256 of the whole key is stored. A fast hash is enough here: unlike a password, the key
has full entropy, so there is nothing to brute-force.
"""

import datetime as dt
import hashlib
import hmac
import secrets
import string
import uuid
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_tenants.utils import schema_context

from api.key_cache import (
    forget_api_keys,
    note_api_key_used,
    remember_api_key,
    remembered_api_key,
)
from audit.actors import Actor
from audit.errors import NotFoundError
from audit.services import audit_record
from tenants.models import (
    Agency,
    ApiKey,
    ApiScope,
    Client,
    Engagement,
    EngagementStatus,
    User,
)

KEY_MARK = "ahk_"
VISIBLE_LENGTH = 12
# Lower-case letters and digits only: the visible part never contains the "_" separator.
VISIBLE_ALPHABET = string.ascii_lowercase + string.digits
PREFIX_LENGTH = len(KEY_MARK) + VISIBLE_LENGTH
SECRET_BYTES = 32
NAME_MAX_LENGTH = 100
# Longest key we bother to look at (the real ones are 60 characters).
MAX_PRESENTED_LENGTH = 200

# What an agency's own system may do at a client: follow shared briefs, submit and follow its
# candidates, read its events and manage its webhooks. Never candidates' contact data held by
# the client, scorecards or shortlists.
AGENCY_SCOPES: tuple[str, ...] = (
    ApiScope.BRIEFS_READ,
    ApiScope.SUBMISSIONS_READ,
    ApiScope.SUBMISSIONS_WRITE,
    ApiScope.EVENTS_READ,
    ApiScope.WEBHOOKS_MANAGE,
    # The agency's own figures and vendor scorecards at this client, never another agency's.
    ApiScope.ANALYTICS_READ,
)
CLIENT_SCOPES: tuple[str, ...] = tuple(ApiScope.values)


def scopes_for_kind(*, agency: bool) -> tuple[str, ...]:
    """Scopes a key of this kind may hold, in the order ApiScope lists them."""
    return AGENCY_SCOPES if agency else CLIENT_SCOPES


def key_hash(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def key_prefix_of(raw_key: str) -> str | None:
    """The stored prefix of a presented key, or None when it is not shaped like one of ours."""
    if (
        not raw_key
        or len(raw_key) > MAX_PRESENTED_LENGTH
        or not raw_key.startswith(KEY_MARK)
        or len(raw_key) <= PREFIX_LENGTH + 1
        or raw_key[PREFIX_LENGTH] != "_"
    ):
        return None
    visible = raw_key[len(KEY_MARK) : PREFIX_LENGTH]
    if any(char not in VISIBLE_ALPHABET for char in visible):
        return None
    return raw_key[:PREFIX_LENGTH]


def api_key_find(raw_key: str) -> ApiKey | None:
    """The key row matching a presented key (whether revoked or expired: the caller decides
    what to answer), or None. The hash comparison takes constant time."""
    prefix = key_prefix_of(raw_key)
    if prefix is None:
        return None
    hashed = key_hash(raw_key)
    api_key = remembered_api_key(hashed)
    if api_key is not None:
        return api_key
    api_key = ApiKey.objects.select_related("agency").filter(prefix=prefix).first()
    if api_key is None or not hmac.compare_digest(api_key.key_hash, hashed):
        return None
    remember_api_key(hashed, api_key)
    return api_key


def api_key_is_expired(api_key: ApiKey, *, now: dt.datetime | None = None) -> bool:
    return api_key.expires_at is not None and api_key.expires_at <= (now or timezone.now())


def _clean_scopes(scopes: Iterable[str] | None, *, agency: bool) -> list[str]:
    if scopes is None or isinstance(scopes, str):
        raise ValidationError({"scopes": "Give the scopes as a list."})
    requested = [str(scope).strip() for scope in scopes if str(scope).strip()]
    if not requested:
        raise ValidationError({"scopes": "Choose at least one scope."})
    unknown = sorted(set(requested) - set(ApiScope.values))
    if unknown:
        raise ValidationError(
            {
                "scopes": f"Unknown scope: {', '.join(unknown)}. "
                f"Scopes are: {', '.join(ApiScope.values)}."
            }
        )
    allowed = scopes_for_kind(agency=agency)
    refused = sorted(set(requested) - set(allowed))
    if refused:
        raise ValidationError(
            {
                "scopes": f"An agency key cannot have {', '.join(refused)}. "
                f"Agency keys may have: {', '.join(allowed)}."
            }
        )
    return [scope for scope in ApiScope.values if scope in set(requested)]


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Name the key after the system that will use it."})
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError({"name": f"Keep the name under {NAME_MAX_LENGTH} characters."})
    return name


def _actor_for(user: User | None, job: str) -> Actor:
    return Actor.for_user(user) if user is not None else Actor.system(job)


def api_key_create(
    *,
    client: Client,
    agency: Agency | None = None,
    name: str,
    scopes: Iterable[str],
    created_by: User | None,
    expires_at: dt.datetime | None = None,
) -> tuple[ApiKey, str]:
    """Create a key for a client's own systems, or for an agency engaged by the client.

    Returns the row and the key itself, which is never stored and cannot be shown again.
    An agency key needs an active engagement and only gets agency scopes (AGENCY_SCOPES).
    """
    errors: dict[str, list[str]] = {}
    if client.is_public or not client.is_active:
        errors["client"] = ["API keys belong to an active client workspace."]
    if agency is not None:
        engagement = Engagement.objects.filter(client=client, agency=agency).first()
        if engagement is None or engagement.status != EngagementStatus.ACTIVE:
            errors["agency"] = [
                "This agency has no active engagement with the client, so it cannot get a key."
            ]
        elif not agency.is_active:
            errors["agency"] = ["This agency is deactivated."]
    clean_name = clean_scopes = None
    try:
        clean_name = _clean_name(name)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        clean_scopes = _clean_scopes(scopes, agency=agency is not None)
    except ValidationError as error:
        errors.update(error.message_dict)
    if expires_at is not None:
        if timezone.is_naive(expires_at):
            errors["expires_at"] = ["Give the expiry with a time zone."]
        elif expires_at <= timezone.now():
            errors["expires_at"] = ["The expiry must be in the future."]
    if errors:
        raise ValidationError(errors)
    assert clean_name is not None and clean_scopes is not None

    for _attempt in range(5):
        visible = "".join(secrets.choice(VISIBLE_ALPHABET) for _ in range(VISIBLE_LENGTH))
        prefix = f"{KEY_MARK}{visible}"
        raw_key = f"{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"
        try:
            with transaction.atomic():
                api_key = ApiKey.objects.create(
                    client=client,
                    agency=agency,
                    name=clean_name,
                    prefix=prefix,
                    key_hash=key_hash(raw_key),
                    scopes=clean_scopes,
                    created_by_user_id=created_by.pk if created_by is not None else None,
                    expires_at=expires_at,
                )
                with schema_context(client.schema_name):
                    audit_record(
                        actor=_actor_for(created_by, "create_api_key"),
                        action="api_key.created",
                        object_type="api_key",
                        object_id=api_key.public_id,
                        details={
                            "prefix": prefix,
                            "agency": agency.pk if agency is not None else None,
                            "scopes": clean_scopes,
                            "expires": expires_at.isoformat() if expires_at else None,
                        },
                    )
        except IntegrityError:
            continue  # two keys drew the same visible part (1 in 36**12): draw again
        return api_key, raw_key
    raise ValidationError({"__all__": "Could not create a key just now; try again."})


def api_key_revoke(*, api_key: ApiKey, revoked_by: User | None) -> ApiKey:
    """Stop a key from working, at once and for good. Revoking a revoked key changes nothing."""
    if api_key.revoked_at is not None:
        return api_key
    now = timezone.now()
    with transaction.atomic():
        updated = ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(
            revoked_at=now
        )
        forget_api_keys()
        api_key.refresh_from_db(fields=["revoked_at"])
        if updated:
            with schema_context(api_key.client.schema_name):
                audit_record(
                    actor=_actor_for(revoked_by, "revoke_api_key"),
                    action="api_key.revoked",
                    object_type="api_key",
                    object_id=api_key.public_id,
                    details={"prefix": api_key.prefix},
                )
    return api_key


def api_key_touch(*, api_key: ApiKey, now: dt.datetime, every: dt.timedelta) -> None:
    """Record that the key was used, at most once per `every` (no write on most requests)."""
    if api_key.last_used_at is not None and now - api_key.last_used_at < every:
        return
    ApiKey.objects.filter(pk=api_key.pk).exclude(last_used_at__gte=now - every).update(
        last_used_at=now
    )
    api_key.last_used_at = now
    note_api_key_used(api_key.key_hash, now)


def api_keys_for(*, client: Client, agency: Agency | None = None) -> QuerySet[ApiKey]:
    """A client's keys, newest first; with an agency, only that agency's keys."""
    keys = ApiKey.objects.filter(client=client).select_related("agency")
    if agency is not None:
        keys = keys.filter(agency=agency)
    return keys.order_by("-created_at", "-id")


def access_api_key_by_id(*, client: Client, agency: Agency | None, public_id: object) -> ApiKey:
    """One of the keys `api_keys_for` lists; anything else raises the same NotFoundError."""
    try:
        parsed = uuid.UUID(str(public_id))
    except ValueError:
        raise NotFoundError from None
    api_key = api_keys_for(client=client, agency=agency).filter(public_id=parsed).first()
    if api_key is None:
        raise NotFoundError
    return api_key
