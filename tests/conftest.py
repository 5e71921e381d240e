"""Test harness: two client schemas made once per session, role helpers, a real worker.

- `tenant_a` / `tenant_b`: provisioned clients "alpha" and "beta" (alpha.localhost, ...).
- `db` tests run in a transaction rolled back afterwards (fast); `committed_db` tests commit
  for real (threads, a Celery worker) and the harness empties the tables afterwards.
- `as_role(tenant, role)` returns an HTTP test client signed in as a new person with that role
  (client roles, or "recruiter"/"agency_admin" of a new agency engaged by the tenant).
"""

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import OperationalError, connection
from django.test import Client as HttpClient
from django_redis import get_redis_connection
from django_tenants.utils import schema_context

from config import devservices
from tenants.models import AgencyRole, Client, ClientRole, Engagement, User
from tenants.services import client_provision, public_tenant_ensure
from tests.factories import (
    AgencyFactory,
    AgencyMembershipFactory,
    ClientMembershipFactory,
    EngagementFactory,
    UserFactory,
)

TEST_TENANTS = {"alpha": "Alpha Robotics", "beta": "Beta Insurance"}
# Public tables emptied after committed tests; clients and their domains stay for the session.
PUBLIC_TABLES_TO_EMPTY = [
    "accounts_invitation",
    "accounts_ssodomainrole",
    "accounts_ssoidentity",
    "accounts_ssoprovider",
    "accounts_accountsession",
    "otp_totp_totpdevice",
    "otp_static_statictoken",
    "otp_static_staticdevice",
    # The public schema's audit trail (agencies' people changes).
    "audit_auditentry",
    "tenants_clientmembership",
    "tenants_agencymembership",
    "tenants_engagement",
    "tenants_agency",
    "tenants_user_groups",
    "tenants_user_user_permissions",
    "django_admin_log",
    "django_session",
    "tenants_user",
]


def _provision_or_migrate(slug: str, name: str) -> Client:
    existing = Client.objects.filter(slug=slug).first()
    if existing is None:
        return client_provision(slug=slug, name=name).client
    # --reuse-db: bring a kept schema up to date with new migrations.
    call_command(
        "migrate_schemas",
        tenant=True,
        schema_name=existing.schema_name,
        interactive=False,
        verbosity=0,
    )
    return existing


@pytest.fixture(scope="session")
def django_db_setup(
    request: pytest.FixtureRequest,
    django_test_environment: None,
    django_db_blocker: Any,
    django_db_keepdb: bool,
    django_db_createdb: bool,
    django_db_modify_db_settings: None,
) -> Iterator[dict[str, Client]]:
    """The test database and the two test tenants, once per session.

    pytest-django's own fixture sets up only the databases named by `django_db` marks; a run
    of tests that use `committed_db` alone (no mark) would then talk to the development
    database. This one always sets up "default", whatever the selection.
    """
    from django.test.utils import setup_databases, teardown_databases

    verbosity = request.config.option.verbose
    with django_db_blocker.unblock():
        db_cfg = setup_databases(
            verbosity=verbosity,
            interactive=False,
            aliases={"default"},
            serialized_aliases=set(),
            keepdb=django_db_keepdb and not django_db_createdb,
        )
        public_tenant_ensure()
        tenants = {slug: _provision_or_migrate(slug, name) for slug, name in TEST_TENANTS.items()}
        connection.set_schema_to_public()
    yield tenants
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            teardown_databases(db_cfg, verbosity=verbosity)


@pytest.fixture(scope="session", autouse=True)
def _celery_config_frozen() -> None:
    """Celery reads Django settings lazily, on first use of app.conf. Read them now, so a test
    that overrides a broker setting for itself cannot leak that value into the app."""
    from config.celery import app

    assert app.conf.broker_url


@pytest.fixture(scope="session")
def test_tenants(django_db_setup: dict[str, Client]) -> dict[str, Client]:
    return django_db_setup


@pytest.fixture(scope="session")
def tenant_a(test_tenants: dict[str, Client]) -> Client:
    return test_tenants["alpha"]


@pytest.fixture(scope="session")
def tenant_b(test_tenants: dict[str, Client]) -> Client:
    return test_tenants["beta"]


@pytest.fixture(autouse=True)
def _public_schema_between_tests() -> Iterator[None]:
    yield
    connection.set_schema_to_public()


@pytest.fixture(autouse=True)
def _clean_redis_test_db() -> Iterator[None]:
    """Throttle counters and debounce keys must not leak from one test into the next."""
    yield
    get_redis_connection("default").flushdb()


def _empty_tables() -> None:
    """Empty every table the tests write. The session's Celery worker may still be finishing
    a task of the test that just ended (a relay, a recompute, a notification): its row locks
    can meet TRUNCATE's table locks in a deadlock, which PostgreSQL resolves by cancelling one
    of the two; TRUNCATE is then simply tried again."""
    for attempt in range(5):
        try:
            _truncate_all()
            return
        except OperationalError as error:
            if "deadlock" not in str(error) or attempt == 4:
                raise
            time.sleep(0.5)


def _truncate_all() -> None:
    # Never against a development database: only pytest-django's test database is emptied.
    name = connection.settings_dict["NAME"]
    if not str(name).startswith("test"):
        raise RuntimeError(f"refusing to empty tables of non-test database {name!r}")
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        for client in Client.objects.exclude(schema_name="public"):
            cursor.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = %s "
                "AND tablename NOT IN ('django_migrations', 'django_content_type')",
                [client.schema_name],
            )
            tables = [f'"{client.schema_name}"."{row[0]}"' for row in cursor.fetchall()]
            if tables:
                cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        cursor.execute(f"TRUNCATE {', '.join(PUBLIC_TABLES_TO_EMPTY)} CASCADE")


@pytest.fixture
def committed_db(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """Database access without a wrapping transaction: what a test writes is committed and
    visible to other threads and to a worker. Tables are emptied afterwards."""
    with django_db_blocker.unblock():
        yield
        _empty_tables()


def subprocess_database_url() -> str:
    """The test database as a DATABASE_URL, for a manage.py or gunicorn process a test starts
    (a TCP host or the embedded server's Unix socket directory)."""
    db = connection.settings_dict
    return devservices.database_url(
        user=str(db["USER"] or "postgres"),
        password=str(db.get("PASSWORD") or ""),
        host=str(db["HOST"] or "127.0.0.1"),
        port=str(db["PORT"] or ("" if str(db["HOST"]).startswith("/") else 5432)),
        name=str(db["NAME"]),
    )


def host_of(tenant: Client) -> str:
    return f"{tenant.slug}.{settings.BASE_DOMAIN}"


def http_client(*, tenant: Client | None = None, user: User | None = None) -> HttpClient:
    host = host_of(tenant) if tenant is not None else settings.BASE_DOMAIN
    client = HttpClient(HTTP_HOST=host)
    if user is not None:
        client.force_login(user)
    return client


@dataclass
class Acting:
    """A signed-in person with a role: `.http` to make requests, `.user`, and for agency
    roles `.agency` and `.engagement`."""

    http: HttpClient
    user: User
    role: str
    agency: Any = None
    engagement: Engagement | None = None


@pytest.fixture
def as_role() -> Callable[..., Acting]:
    def make(tenant: Client, role: str, *, agency: Any = None, user: User | None = None) -> Acting:
        user = user or UserFactory()
        if role in ClientRole.values:
            ClientMembershipFactory(user=user, client=tenant, role=role)
            return Acting(http=http_client(tenant=tenant, user=user), user=user, role=role)
        if role in AgencyRole.values:
            agency = agency or AgencyFactory()
            engagement = Engagement.objects.filter(client=tenant, agency=agency).first()
            engagement = engagement or EngagementFactory(client=tenant, agency=agency)
            AgencyMembershipFactory(user=user, agency=agency, role=role)
            return Acting(
                http=http_client(tenant=tenant, user=user),
                user=user,
                role=role,
                agency=agency,
                engagement=engagement,
            )
        raise ValueError(f"unknown role {role}")

    return make


@pytest.fixture
def in_tenant() -> Callable[[Client], Any]:
    """`with in_tenant(tenant): ...` runs ORM calls inside that client's schema."""
    return lambda tenant: schema_context(tenant.schema_name)


@pytest.fixture(scope="session")
def celery_worker_session(django_db_setup: Any) -> Iterator[Any]:
    """A real Celery worker (threads pool) consuming the test queue on the test Redis DB."""
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    app.control.purge()
    with start_worker(
        app,
        pool="threads",
        concurrency=2,
        perform_ping_check=False,
        loglevel="WARNING",
        shutdown_timeout=30,
    ) as worker:
        yield worker


@pytest.fixture
def celery_worker(celery_worker_session: Any, committed_db: None) -> Any:
    return celery_worker_session
