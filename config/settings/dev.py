"""Local development: `make run` and `.venv/bin/python manage.py ...`."""

from observability.logs import logging_config

from .base import *  # noqa: F403
from .base import LOG_LEVEL, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
MAILERS = {
    "default": {
        "BACKEND": env("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend"),
        "OPTIONS": {"file_path": str(BASE_DIR / ".data" / "mail")},  # noqa: F405
    }
}

# Local partners are often plain http while developing.
WEBHOOK_REQUIRE_HTTPS = env.bool("WEBHOOK_REQUIRE_HTTPS", default=False)

# Readable lines in a terminal; LOG_FORMAT=json shows what production writes.
LOG_FORMAT = env("LOG_FORMAT", default="console")
LOGGING = logging_config(level=LOG_LEVEL, renderer=LOG_FORMAT)
