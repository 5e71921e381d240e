"""Helpers of the people and sign-in tests: codes an authenticator app would show, links in
e-mails."""

import re

from django.core import mail
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

LINK = re.compile(r"https?://\S+")


def current_code(device: TOTPDevice, *, offset_steps: int = 0) -> str:
    """The code an authenticator app shows now for the device (or `offset_steps` later)."""
    device.refresh_from_db()
    value = totp(
        device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset_steps
    )
    return str(value).zfill(device.digits)


def link_in(message: mail.EmailMessage) -> str:
    found = LINK.search(str(message.body))
    assert found, message.body
    return found.group(0)


def mails_to(address: str) -> list[mail.EmailMessage]:
    return [m for m in mail.outbox if address in m.to]
