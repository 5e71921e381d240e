"""Client secrets of identity providers, encrypted at rest (Fernet, from `cryptography`).

The key is derived from SSO_SECRET_KEY, or from SECRET_KEY when that is unset. Rotating the
key makes stored secrets unreadable: the client admins then enter them again (the sign-in
page says single sign-on is unavailable until they do).
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet() -> Fernet:
    material = settings.SSO_SECRET_KEY or f"sso-secrets:{settings.SECRET_KEY}"
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(material.encode()).digest()))


def secret_encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def secret_decrypt(token: str) -> str | None:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        return None
