"""Normalising contact data so the same person is recognised however an agency typed it."""

import functools

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

# Providers known to deliver "name+tag@" to "name@": the tag can be dropped safely there.
# Elsewhere a plus sign may be part of a real, distinct address, so it is kept.
PLUS_TAG_PROVIDERS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "icloud.com",
        "me.com",
        "fastmail.com",
        "proton.me",
        "protonmail.com",
    }
)
# Gmail ignores dots in the local part.
DOTLESS_PROVIDERS = frozenset({"gmail.com", "googlemail.com"})


def normalize_email(email: str) -> str:
    """Lower-case; drop plus tags (and Gmail dots) where the provider ignores them.

    Raises ValidationError for an address that is not valid."""
    email = (email or "").strip().lower()
    if not email:
        return ""
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": "This is not a valid email address."}) from None
    local, _, domain = email.rpartition("@")
    if domain == "googlemail.com":
        domain = "gmail.com"
    if domain in PLUS_TAG_PROVIDERS:
        local = local.split("+", 1)[0]
    if domain in DOTLESS_PROVIDERS:
        local = local.replace(".", "")
    return f"{local}@{domain}"


def normalize_phone(phone: str, *, region: str | None = None) -> str:
    """E.164 form ("+14155550123"). Numbers without a country code are read in `region`
    (default PHONE_DEFAULT_REGION). Raises ValidationError for impossible numbers."""
    phone = (phone or "").strip()
    if not phone:
        return ""
    return _phone_e164(phone, region or settings.PHONE_DEFAULT_REGION)


# Parsing a number is the costliest check of a submission (about 0.1 ms); an import checks
# each row's number twice (its quick skip, then the submission rules), so recent answers are
# kept. Refusals raise and are not kept.
@functools.lru_cache(maxsize=4096)
def _phone_e164(phone: str, region: str) -> str:
    try:
        parsed = phonenumbers.parse(phone, region)
    except phonenumbers.NumberParseException:
        raise ValidationError({"phone": "This is not a phone number."}) from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationError(
            {
                "phone": "This phone number is not valid; include the country "
                "code, e.g. +44 20 7946 0000."
            }
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
