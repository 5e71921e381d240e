"""Production: configuration from the process environment only, secrets without defaults.

Missing DJANGO_SECRET_KEY, DATABASE_URL, REDIS_URL, BASE_DOMAIN or MEDIA_ROOT stops the
process at start with the variable's name. `manage.py check --deploy` runs clean with these
settings (tests/test_production.py) and adds the project's own deploy checks: MEDIA_ROOT
writable, metrics configured (observability.checks).
"""

import os

# Neither a .env file nor the development services file in the working directory may fill in
# what the environment lacks (config/settings/base.py reads them unless told not to).
os.environ["DJANGO_READ_ENV_FILES"] = "false"

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import CACHES, PUBLIC_EXTRA_HOSTS, env

MIN_SECRET_KEY_LENGTH = 50
MIN_METRICS_TOKEN_LENGTH = 32

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
if len(SECRET_KEY) < MIN_SECRET_KEY_LENGTH or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured(
        f"DJANGO_SECRET_KEY must be a random value of at least {MIN_SECRET_KEY_LENGTH} "
        "characters (python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )
# Rotation: the previous key(s) keep verifying what they signed (sessions, reset links, API
# cursors) until removed, after the session lifetime (docs/operations.md, "Rotating secrets").
SECRET_KEY_FALLBACKS = env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[])
if any(len(key) < MIN_SECRET_KEY_LENGTH for key in SECRET_KEY_FALLBACKS):
    raise ImproperlyConfigured(
        f"Each DJANGO_SECRET_KEY_FALLBACKS entry must be at least {MIN_SECRET_KEY_LENGTH} "
        "characters (a previous DJANGO_SECRET_KEY)."
    )
BASE_DOMAIN = env("BASE_DOMAIN")
ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=[BASE_DOMAIN, f".{BASE_DOMAIN}", *PUBLIC_EXTRA_HOSTS]
)
DATABASES = {"default": env.db_url("DATABASE_URL", engine="tenants.postgresql_backend")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
REDIS_URL = env("REDIS_URL")
CACHES["default"]["LOCATION"] = REDIS_URL
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL)

# One location for uploads (resumes, CSV imports), shared by web and worker: required, so
# that nothing silently writes inside the image (docker-compose.yml mounts a volume there).
MEDIA_ROOT = Path(env("MEDIA_ROOT"))

METRICS_TOKEN = env("METRICS_TOKEN", default="")
if METRICS_TOKEN and len(METRICS_TOKEN) < MIN_METRICS_TOKEN_LENGTH:
    raise ImproperlyConfigured(
        f"METRICS_TOKEN must be at least {MIN_METRICS_TOKEN_LENGTH} characters when set."
    )

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 30)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Consent to browsers' preload lists; nothing is submitted until the domain's owner does so.
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
# Probes and scrapers call these over plain HTTP inside the network. (They are answered by
# HealthCheckMiddleware, before SecurityMiddleware, so this only documents it.)
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$", r"^readyz/?$", r"^metrics/?$"]

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

_SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
_email_backend = env("EMAIL_BACKEND", default=_SMTP_BACKEND)
# The SMTP options belong to the SMTP backend only: Django 6.1's other backends (locmem,
# console, file) refuse unknown options, and every e-mail would fail.
MAILERS = {
    "default": {"BACKEND": _email_backend}
    if _email_backend != _SMTP_BACKEND
    else {
        "BACKEND": _SMTP_BACKEND,
        "OPTIONS": {
            "host": env("EMAIL_HOST", default="localhost"),
            "port": env.int("EMAIL_PORT", default=587),
            "username": env("EMAIL_HOST_USER", default=""),
            "password": env("EMAIL_HOST_PASSWORD", default=""),
            "use_tls": env.bool("EMAIL_USE_TLS", default=True),
        },
    }
}
# Filled by collectstatic when the image is built; WhiteNoise serves it.
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))  # noqa: F405
WHITENOISE_USE_FINDERS = False
