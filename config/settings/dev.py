"""Local development: `make run` and `.venv/bin/python manage.py ...`."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
MAILERS = {
    "default": {
        "BACKEND": env("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend"),
        "OPTIONS": {"file_path": str(BASE_DIR / ".data" / "mail")},  # noqa: F405
    }
}

# Local partners are often plain http while developing.
WEBHOOK_REQUIRE_HTTPS = env.bool("WEBHOOK_REQUIRE_HTTPS", default=False)
