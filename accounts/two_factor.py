"""Two-factor sign-in with django-otp: a TOTP device (an authenticator app) and recovery
codes (otp_static's one-use tokens), one set per person, valid on every host.

Who must use it (`second_factor_required`, registered with tenants.signin_steps):
- platform staff, always (and the platform admin opens only for a verified session);
- anyone who enrolled a device;
- admins and executives of a client that requires it (`Client.two_factor_required`).
Someone required to use it who has no device yet enrols during sign-in, before the session
starts.
"""

import base64
import io
from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django_otp import devices_for_user, match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.errors import ConflictError
from tenants.models import ClientMembership, User
from tenants.roles import TWO_FACTOR_POLICY_ROLES

TOTP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"


def totp_device_of(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def policy_requires_two_factor(user: User) -> bool:
    """Staff, or an admin or executive of a client that requires a second factor."""
    if user.is_staff:
        return True
    return ClientMembership.objects.filter(
        user=user, role__in=TWO_FACTOR_POLICY_ROLES, client__two_factor_required=True
    ).exists()


def second_factor_required(user: User) -> bool:
    return totp_device_of(user) is not None or policy_requires_two_factor(user)


def code_verify(*, user: User, code: str) -> Any:
    """The device (TOTP or recovery codes) that accepts the code, else None. A recovery code
    works once; django-otp's own throttling slows repeated failures on each device too."""
    code = "".join(code.split()).replace("-", "")
    if not code:
        return None
    return match_token(user, code)


def totp_enrolment_start(*, user: User) -> TOTPDevice:
    """An unconfirmed device to scan (the same one until it is confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def totp_enrolment_confirm(*, user: User, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the scanned device with a code from the app. Returns the new recovery codes,
    or None when the code is wrong."""
    code = "".join(code.split())
    if device.user_id != user.pk or device.confirmed or not device.verify_token(code):
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = recovery_codes_generate(user=user)
    return codes


def recovery_codes_generate(*, user: User) -> list[str]:
    """New recovery codes (the old ones stop working). Shown once; stored as django-otp keeps
    them, each usable once."""
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(
            user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(settings.RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def recovery_codes_left(*, user: User) -> int:
    return StaticToken.objects.filter(device__user=user).count()


def two_factor_disable(*, user: User) -> None:
    """Turn two-factor off: refused when it is required of the person."""
    if policy_requires_two_factor(user):
        raise ConflictError(
            "Two-factor sign-in is required for you (platform staff, or an admin or executive "
            "of a workspace that requires it), so it cannot be turned off.",
            code="two_factor_required",
        )
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=None):
            device.delete()


def totp_qr_data_uri(device: TOTPDevice) -> str:
    """The enrolment QR code as an SVG data URI for an <img> (the CSP allows data: images)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def totp_secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
