"""Settings shared by every environment.

Values come from the process environment first, then from `.env` at the repository root
(for local overrides), then from `.data/services.env`, which `config.devservices` writes when
it resolves PostgreSQL and Redis for `make run` / `make test`.
"""

from pathlib import Path

import environ
from django.utils.csp import CSP

from config import celery_queues
from observability.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# read_env never overrides variables already present in os.environ, so the order below gives
# the documented precedence: real environment, then .env, then the resolved local services.
# Production turns this off (production.py): its configuration comes from the environment only.
if env.bool("DJANGO_READ_ENV_FILES", default=True):
    for env_file in (BASE_DIR / ".env", BASE_DIR / ".data" / "services.env"):
        if env_file.exists():
            env.read_env(str(env_file))

SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-insecure-key-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=False)

# Tenants live on <slug>.<BASE_DOMAIN>; the public host is BASE_DOMAIN itself.
BASE_DOMAIN = env("BASE_DOMAIN", default="localhost")
# Extra host names that also serve the public site (health checks by IP, for example).
PUBLIC_EXTRA_HOSTS = env.list("PUBLIC_EXTRA_HOSTS", default=["127.0.0.1"])
ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=[BASE_DOMAIN, f".{BASE_DOMAIN}", *PUBLIC_EXTRA_HOSTS]
)

SHARED_APPS = [
    "django_tenants",
    "tenants",
    # The audit trail also has a table in the public schema: changes to an agency's people
    # (agencies are global, they have no schema of their own) are recorded there.
    "audit",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # django.contrib.admin with the throttled sign-in (tenants/admin_site.py).
    "tenants.admin_apps.PlatformAdminConfig",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "django.contrib.postgres",
    # Two-factor sign-in: TOTP devices and recovery codes (public schema, one set per person).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Logs, metrics and deploy checks (no models; the lowest layer).
    "observability",
    # Apps without models: the access layer of workspace pages, the client admin's pages
    # (engagements, privacy, the audit trail), and the demo workspace.
    "pages",
    "administration",
    "demo",
    # People and sign-in: invitations, roles, reset, two-factor, single sign-on, sessions.
    "accounts",
]
# Bottom to top: each app imports only apps listed before it (an import-linter contract in
# pyproject.toml, run by `make lint`, holds the order; docs/architecture.md draws it).
TENANT_APPS = [
    "django.contrib.contenttypes",
    "audit",
    "outbox",
    "hiring",
    "scoring",
    "notifications",
    "api",
]
INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Client"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
# New tenant schemas are cloned from a migrated template schema instead of replaying every
# migration: provisioning cost stays flat as migrations accumulate (bench/provisioning.py).
TENANT_BASE_SCHEMA = "tenant_template"
TENANT_CREATION_FAKES_MIGRATIONS = True
# Issue `SET search_path` once per schema switch, not before every cursor: half the statements
# of a typical request. Safe here: django-tenants 4 forgets the cached path on rollback and on
# rollback to a savepoint (PostgreSQL reverts a SET with them), on close and on set_tenant.
TENANT_LIMIT_SET_CALLS = True
# Host -> client lookups remembered per process (tenants.middleware.TenantRoutingMiddleware).
TENANT_ROUTING_CACHE_SECONDS = env.float("TENANT_ROUTING_CACHE_SECONDS", default=10.0)
PUBLIC_SCHEMA_URLCONF = "config.urls_public"
ROOT_URLCONF = "config.urls_tenant"
SHOW_PUBLIC_IF_NO_TENANT_FOUND = False

MIDDLEWARE = [
    # Request id, log context and latency of every request, whatever answers it.
    "observability.middleware.RequestContextMiddleware",
    # A NUL byte in the path, query string or a form field is a 400 before anything reads it.
    "tenants.middleware.NulRefusalMiddleware",
    # Health, readiness and metrics answer on any host, before tenant routing can 404 them.
    "tenants.middleware.HealthCheckMiddleware",
    "tenants.middleware.TenantRoutingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A session started through a client's single sign-on counts on that client's host only.
    "accounts.middleware.SessionScopeMiddleware",
    # request.user.is_verified(): whether this session passed a second factor.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tenants.middleware.WorkspaceAccessMiddleware",
    # The workspace's own sign-in rules: two-factor for its admins and executives, mandatory
    # single sign-on for its people (accounts/policy.py).
    "accounts.middleware.WorkspaceSignInPolicyMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tenants.context_processors.workspace",
                "accounts.context_processors.sign_in",
                "notifications.context_processors.notifications",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": env.db_url(
        "DATABASE_URL",
        default="postgres://postgres@127.0.0.1:5432/aihiring",
        engine="tenants.postgresql_backend",
    )
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")

CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        # Every cache key carries the tenant's schema, so one tenant can never read
        # another's cached value.
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="aihiring"),
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2},
    }
}

AUTH_USER_MODEL = "tenants.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sign-in throttling (tenants/signin_throttle.py, docs/security.md). Per account and address:
# LOGIN_FAILURE_LIMIT free failures, then blocks of 1, 2, 4 ... minutes up to an hour; the
# count is kept a day after the last failure. Per address and per account: fixed windows,
# with limits far above what an office's typos reach. A known device is held only to its own
# count.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_DELAY_BASE_SECONDS = env.int("LOGIN_DELAY_BASE_SECONDS", default=60)
LOGIN_DELAY_MAX_SECONDS = env.int("LOGIN_DELAY_MAX_SECONDS", default=60 * 60)
LOGIN_FAILURE_MEMORY_SECONDS = env.int("LOGIN_FAILURE_MEMORY_SECONDS", default=24 * 60 * 60)
LOGIN_FAILURE_WINDOW_SECONDS = env.int("LOGIN_FAILURE_WINDOW_SECONDS", default=15 * 60)
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=300)
LOGIN_ACCOUNT_FAILURE_LIMIT = env.int("LOGIN_ACCOUNT_FAILURE_LIMIT", default=50)
# How long a browser that signed in stays a known device of the account (tenants/signin_devices).
KNOWN_DEVICE_COOKIE_AGE = env.int("KNOWN_DEVICE_COOKIE_AGE", default=30 * 24 * 60 * 60)

# People and sign-in (accounts/, docs/people.md).
# Invitation links work this many days, once.
INVITATION_MAX_AGE_DAYS = env.int("INVITATION_MAX_AGE_DAYS", default=7)
# Password reset links (Django's tokens): seconds a link works; used once.
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=2 * 60 * 60)
# Requests for reset e-mails: per e-mail address and per network address, per hour. Counted
# whether or not the address has an account, so a refusal tells nothing about it.
PASSWORD_RESET_LIMIT_PER_EMAIL = env.int("PASSWORD_RESET_LIMIT_PER_EMAIL", default=3)
PASSWORD_RESET_LIMIT_PER_ADDRESS = env.int("PASSWORD_RESET_LIMIT_PER_ADDRESS", default=20)
# Invitations sent (new or resent) per person per hour.
INVITATION_LIMIT_PER_HOUR = env.int("INVITATION_LIMIT_PER_HOUR", default=30)
# The signed hand-off that opens a workspace from the dashboard: seconds a link works, once.
HANDOFF_MAX_AGE_SECONDS = env.int("HANDOFF_MAX_AGE_SECONDS", default=60)
# Between the password and the second factor: how long the half-done sign-in waits.
TWO_FACTOR_PENDING_SECONDS = env.int("TWO_FACTOR_PENDING_SECONDS", default=5 * 60)
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="AI Hiring")
RECOVERY_CODE_COUNT = 10
# Single sign-on: identity providers must be https and public, except "host:port" entries
# listed here (the tests' local provider). Client secrets are encrypted at rest with a key
# derived from SSO_SECRET_KEY (default: derived from SECRET_KEY; rotating it means entering
# the secrets again).
SSO_ALLOWED_PRIVATE_ISSUERS: list[str] = env.list("SSO_ALLOWED_PRIVATE_ISSUERS", default=[])
SSO_SECRET_KEY = env("SSO_SECRET_KEY", default="")
SSO_HTTP_TIMEOUT_SECONDS = 10
SSO_METADATA_CACHE_SECONDS = env.int("SSO_METADATA_CACHE_SECONDS", default=15 * 60)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 12)
# Host-only: each host holds its own session. One sign-in across hosts comes from the signed
# hand-off (accounts/handoff.py, docs/people.md), which also works for clients' own domains;
# a shared parent domain here is not needed and not recommended.
SESSION_COOKIE_DOMAIN = env("SESSION_COOKIE_DOMAIN", default=None)
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (Django's own middleware; docs/security.md): scripts, styles, images,
# fonts and requests only from the page's own host. No inline script or style attribute runs;
# a <script> or <style> element needs the response's nonce (`{{ csp_nonce }}` in templates),
# which Django's own pages (CSRF failure, admin) carry. SVG charts use presentation
# attributes, htmx's indicator style lives in app.css.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Set in production.py, where collectstatic fills it for WhiteNoise.
STATIC_ROOT: Path | None = None
STATICFILES_DIRS = [BASE_DIR / "templates" / "static"]
# Outside production, serve static files straight from the source folders (no collectstatic).
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / ".data" / "media")))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Django 6.1 mailers; dev writes mail to files, production uses SMTP (see production.py).
MAILERS = {
    "default": {
        "BACKEND": env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"),
    }
}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="AI Hiring <no-reply@localhost>")

# Celery: Redis is broker and result store. Tasks that belong to a tenant carry its schema in
# a header (tenant-schemas-celery) and run inside it.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL)
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="aihiring")
# A queue per workload beside the default one (config/celery_queues.py); a worker without -Q
# consumes all of them. Settings that change the default queue recompute both.
CELERY_TASK_QUEUES = celery_queues.task_queues(CELERY_TASK_DEFAULT_QUEUE)
CELERY_TASK_ROUTES = celery_queues.task_routes(CELERY_TASK_DEFAULT_QUEUE)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_TASK_TIME_LIMIT = 60 * 10
CELERY_TASK_SOFT_TIME_LIMIT = 60 * 9
# Must exceed the longest countdown/ETA used, or Redis redelivers scheduled tasks early.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60 * 60 * 26}
CELERY_TASK_TENANT_CACHE_SECONDS = 60
# Processes of a worker's pool (default: one per core); beat's schedule file.
CELERY_WORKER_CONCURRENCY = env.int("CELERY_WORKER_CONCURRENCY", default=None)
CELERY_BEAT_SCHEDULE_FILENAME = env("CELERY_BEAT_SCHEDULE_FILENAME", default="celerybeat-schedule")
# How many tenants one fan-out task covers (see tenants.tasks).
TENANT_FANOUT_BATCH_SIZE = env.int("TENANT_FANOUT_BATCH_SIZE", default=50)

# Partner API (api app): key auth only, problem+json errors, cursor pages, per-key throttle.
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.HasApiKeyScope"],
    "DEFAULT_RENDERER_CLASSES": ["api.renderers.OrjsonRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.SyncCursorPagination",
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ApiKeyRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api_key": env("API_RATE_LIMIT", default="600/min")},
    "EXCEPTION_HANDLER": "api.errors.problem_exception_handler",
    "UNAUTHENTICATED_USER": None,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "AI Hiring partner API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # The candidate's consent, named once for submissions and candidates' versions.
    "ENUM_NAME_OVERRIDES": {"ConsentStatusEnum": "hiring.models.CONSENT_STATUS_CHOICES"},
}
API_PAGE_SIZE = 50
# Accepted API keys remembered per process (api.key_cache): a revocation reaches other web
# processes within this many seconds; 0 turns the memory off.
API_KEY_CACHE_SECONDS = env.float("API_KEY_CACHE_SECONDS", default=5.0)
API_MAX_PAGE_SIZE = 200
# Request bodies above this are refused with 413 (form uploads have their own limits).
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=1024 * 1024)
IDEMPOTENCY_KEY_TTL_HOURS = 48

# Webhooks: targets must be https where required; loopback/private/link-local/metadata
# addresses are refused everywhere unless listed here as "host:port" (tests' local receiver).
WEBHOOK_REQUIRE_HTTPS = env.bool("WEBHOOK_REQUIRE_HTTPS", default=True)
WEBHOOK_ALLOWED_PRIVATE_TARGETS: list[str] = env.list("WEBHOOK_ALLOWED_PRIVATE_TARGETS", default=[])
WEBHOOK_TIMEOUT_SECONDS = 10
# Retry schedule (seconds after the first attempt fails), about 26 hours in all.
WEBHOOK_RETRY_DELAYS = [30, 120, 600, 1800, 3600, 3 * 3600, 6 * 3600, 8 * 3600, 8 * 3600]

# JSON lines with request id, tenant and actor, secrets and personal data redacted
# (observability.logs; docs/operations.md). LOG_FORMAT=console for a terminal.
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOG_FORMAT = env("LOG_FORMAT", default="json")
LOGGING = logging_config(level=LOG_LEVEL, renderer=LOG_FORMAT)

# Operators' metrics: GET /metrics with `Authorization: Bearer <METRICS_TOKEN>` (off when
# empty), and the worker's own metrics server on WORKER_METRICS_ADDRESS (host:port; off when
# empty). Several processes add up through PROMETHEUS_MULTIPROC_DIR (observability.metrics).
METRICS_TOKEN = env("METRICS_TOKEN", default="")
WORKER_METRICS_ADDRESS = env("WORKER_METRICS_ADDRESS", default="")

# Candidates: phone numbers typed without a country code are read in this region.
PHONE_DEFAULT_REGION = env("PHONE_DEFAULT_REGION", default="US")
# Resumes: accepted types are sniffed from the content, not trusted from the upload.
RESUME_MAX_BYTES = env.int("RESUME_MAX_BYTES", default=5 * 1024 * 1024)
# Bulk import of candidates (CSV).
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=20000)
