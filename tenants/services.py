"""Writes in the public schema: provisioning clients, people, agencies and who may act where.

Every service validates all of its input before it writes anything, raising
django.core.exceptions.ValidationError with field-level messages, so a caller (a command, a
view, the API) can answer bad input clearly and nothing is half-written.
"""

import re
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django_tenants.utils import schema_context, schema_exists

from tenants.models import (
    Agency,
    AgencyMembership,
    AgencyRole,
    Client,
    ClientMembership,
    ClientRole,
    Domain,
    Engagement,
    EngagementStatus,
    User,
)
from tenants.schema import use_public_schema
from tenants.schema_clone import schema_clone_structure

SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9-]{0,38}[a-z0-9]$")
# Slugs that would collide with host names the platform uses or with schema names.
RESERVED_SLUGS = frozenset(
    {
        "public",
        "www",
        "api",
        "admin",
        "static",
        "media",
        "mail",
        "app",
        "platform",
        "template",
        "tenant-template",
        "healthz",
        "status",
        "docs",
    }
)
HOSTNAME_PATTERN = re.compile(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$"
)


def _validate_slug(slug: str, *, field: str = "slug") -> str:
    slug = (slug or "").strip()
    if not SLUG_PATTERN.match(slug):
        raise ValidationError(
            {
                field: f"'{slug}' is not a valid slug: use 2-40 lowercase letters, digits or "
                "hyphens, starting with a letter."
            }
        )
    if slug in RESERVED_SLUGS:
        raise ValidationError({field: f"'{slug}' is reserved; choose another slug."})
    return slug


def slug_validate(slug: str) -> str:
    """The slug rules of clients and agencies for a form field: the cleaned slug, or a
    ValidationError with the message alone."""
    try:
        return _validate_slug(slug)
    except ValidationError as error:
        raise ValidationError(error.messages) from None


def _validate_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "A name is required."})
    if len(name) > 200:
        raise ValidationError({"name": "The name is longer than 200 characters."})
    return name


def normalize_login_email(email: str) -> str:
    """Login emails compare case-insensitively; store them lower-cased and trimmed."""
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": f"'{email}' is not a valid email address."}) from None
    return email


def schema_name_for_slug(slug: str) -> str:
    return "c_" + slug.replace("-", "_")


# --- tenant schemas -------------------------------------------------------------------------

_template_checked = False


def _unapplied_migrations(schema_name: str) -> list[Any]:
    with schema_context(schema_name):
        executor = MigrationExecutor(connection)
        return executor.migration_plan(executor.loader.graph.leaf_nodes())


def template_schema_ensure(*, verbosity: int = 0, force_check: bool = False) -> bool:
    """Create or migrate the template schema that new tenants are cloned from.

    Returns True when the template had to be created or migrated. Checked once per process
    unless force_check: migrations only change with a deploy, and a deploy restarts processes.
    """
    from django.core.management import call_command

    global _template_checked
    if _template_checked and not force_check:
        return False
    base = settings.TENANT_BASE_SCHEMA
    changed = False
    if not schema_exists(base):
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{base}"')
        changed = True
    if changed or _unapplied_migrations(base):
        call_command(
            "migrate_schemas",
            tenant=True,
            schema_name=base,
            interactive=False,
            verbosity=verbosity,
        )
        changed = True
    use_public_schema()
    _template_checked = True
    return changed


def public_tenant_ensure() -> Client:
    """The row that routes the public host (sign-in, agency dashboard, admin, health)."""
    public, _ = Client.objects.get_or_create(
        schema_name="public", defaults={"slug": "public", "name": "Platform"}
    )
    hosts = [settings.BASE_DOMAIN, *settings.PUBLIC_EXTRA_HOSTS]
    for index, host in enumerate(dict.fromkeys(hosts)):
        Domain.objects.get_or_create(
            domain=host, defaults={"tenant": public, "is_primary": index == 0}
        )
    return public


@dataclass(frozen=True)
class ProvisionResult:
    client: Client
    domain: str
    seconds: float


def client_provision(*, slug: str, name: str, domain: str | None = None) -> ProvisionResult:
    """Create a client company: its row, its host name and its own schema.

    The schema is cloned from the migrated template (TENANT_BASE_SCHEMA), so the cost does not
    grow with the number of migrations.
    """
    started = time.perf_counter()
    slug = _validate_slug(slug)
    name = _validate_name(name)
    host = (domain or f"{slug}.{settings.BASE_DOMAIN}").strip().lower()
    if not HOSTNAME_PATTERN.match(host):
        raise ValidationError({"domain": f"'{host}' is not a valid host name."})
    if Client.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": f"A client with slug '{slug}' already exists."})
    schema_name = schema_name_for_slug(slug)
    if Client.objects.filter(schema_name=schema_name).exists() or schema_exists(schema_name):
        raise ValidationError({"slug": f"The schema for '{slug}' already exists."})
    if Domain.objects.filter(domain=host).exists():
        raise ValidationError({"domain": f"The host name '{host}' is already in use."})

    template_schema_ensure()
    with transaction.atomic():
        client = Client.objects.create(schema_name=schema_name, slug=slug, name=name)
        Domain.objects.create(domain=host, tenant=client, is_primary=True)
        schema_clone_structure(source=settings.TENANT_BASE_SCHEMA, target=schema_name)
    use_public_schema()
    return ProvisionResult(client=client, domain=host, seconds=time.perf_counter() - started)


# --- people ----------------------------------------------------------------------------------


MIN_PASSWORD_LENGTH = 8


def password_validate(password: str) -> str:
    """The rule every new password follows (a form field can check it before saving)."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"The password must have at least {MIN_PASSWORD_LENGTH} characters.")
    return password


def user_create(*, email: str, password: str, name: str = "") -> User:
    email = normalize_login_email(email)
    try:
        password_validate(password)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from None
    if len(name) > 200:
        raise ValidationError({"name": "The name is longer than 200 characters."})
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "A user with this email already exists."})
    return User.objects.create_user(email=email, password=password, name=name.strip())


def user_get_by_email(email: str) -> User:
    email = normalize_login_email(email)
    try:
        return User.objects.get(email__iexact=email)
    except User.DoesNotExist:
        raise ValidationError({"email": f"No user has the email '{email}'."}) from None


def client_get_by_slug(slug: str, *, field: str = "client") -> Client:
    try:
        return Client.objects.exclude(schema_name="public").get(slug=slug)
    except Client.DoesNotExist:
        raise ValidationError({field: f"No client has the slug '{slug}'."}) from None


def agency_get_by_slug(slug: str, *, field: str = "agency") -> Agency:
    try:
        return Agency.objects.get(slug=slug)
    except Agency.DoesNotExist:
        raise ValidationError({field: f"No agency has the slug '{slug}'."}) from None


def client_membership_grant(*, user: User, client: Client, role: str) -> ClientMembership:
    """Give a person a role at a client, or change the role they have there."""
    if role not in ClientRole.values:
        raise ValidationError(
            {
                "role": f"'{role}' is not a client role; choose one of "
                + ", ".join(ClientRole.values)
                + "."
            }
        )
    membership, _ = ClientMembership.objects.update_or_create(
        user=user, client=client, defaults={"role": role}
    )
    return membership


def agency_membership_grant(*, user: User, agency: Agency, role: str) -> AgencyMembership:
    if role not in AgencyRole.values:
        raise ValidationError(
            {
                "role": f"'{role}' is not an agency role; choose one of "
                + ", ".join(AgencyRole.values)
                + "."
            }
        )
    membership, _ = AgencyMembership.objects.update_or_create(
        user=user, agency=agency, defaults={"role": role}
    )
    return membership


# --- agencies and engagements ---------------------------------------------------------------


def agency_create(*, slug: str, name: str) -> Agency:
    slug = _validate_slug(slug)
    name = _validate_name(name)
    if Agency.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": f"An agency with slug '{slug}' already exists."})
    return Agency.objects.create(slug=slug, name=name)


def engagement_create(
    *,
    client: Client,
    agency: Agency,
    ownership_window_days: int | None = None,
    fee_percent: Decimal | None = None,
) -> Engagement:
    """Engage an agency for a client. The ownership window defaults to the client's setting."""
    window = (
        client.ownership_window_days if ownership_window_days is None else ownership_window_days
    )
    if not 1 <= window <= 3650:
        raise ValidationError({"ownership_window_days": "Use a window between 1 and 3650 days."})
    if fee_percent is not None and not Decimal("0") <= fee_percent <= Decimal("100"):
        raise ValidationError({"fee_percent": "The fee is a percentage between 0 and 100."})
    existing = Engagement.objects.filter(client=client, agency=agency).first()
    if existing is not None:
        if existing.status == EngagementStatus.ACTIVE:
            raise ValidationError({"agency": f"{agency.name} is already engaged by {client.name}."})
        existing.status = EngagementStatus.ACTIVE
        existing.ownership_window_days = window
        existing.fee_percent = fee_percent
        existing.save(
            update_fields=["status", "ownership_window_days", "fee_percent", "updated_at"]
        )
        return existing
    return Engagement.objects.create(
        client=client, agency=agency, ownership_window_days=window, fee_percent=fee_percent
    )


def engagement_set_status(*, engagement: Engagement, status: str) -> Engagement:
    if status not in EngagementStatus.values:
        raise ValidationError({"status": f"'{status}' is not an engagement status."})
    engagement.status = status
    engagement.save(update_fields=["status", "updated_at"])
    return engagement
