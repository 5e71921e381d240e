"""A request routed from the host memory keeps the search_path the previous request left on
the connection when it is the one it needs, and so skips `SET search_path`
(tenants.middleware._keep_search_path); any other request sets its own. The tests commit
(committed_db), as requests do."""

from typing import Any

import pytest

from tests.conftest import Acting
from tests.factories import AuditEntryFactory
from tests.query_counts import captured_sql, sql_listing


@pytest.fixture
def routing_memory(committed_db: None, settings: Any) -> Any:
    """The host memory on, and no wrapping transaction (as between real requests: the
    search_path is neither noted nor kept inside an open transaction)."""
    from tenants.middleware import TenantRoutingMiddleware

    settings.TENANT_ROUTING_CACHE_SECONDS = 10
    TenantRoutingMiddleware.forget()
    yield
    TenantRoutingMiddleware.forget()


def _get(acting: Acting, path: str) -> tuple[Any, list[str]]:
    with captured_sql() as statements:
        response = acting.http.get(path)
    assert response.status_code == 200
    return response, [sql for sql in statements if sql.startswith("SET search_path")]


def test_the_same_workspace_again_skips_the_set(routing_memory, tenant_a, as_role, in_tenant):
    with in_tenant(tenant_a):
        AuditEntryFactory(action="alpha.secret-marker")
    admin = as_role(tenant_a, "admin")
    _get(admin, "/audit/")  # remembers the host
    page, sets = _get(admin, "/audit/")
    assert b"alpha.secret-marker" in page.content
    # Routed from memory, the connection still in tenant_a's schema: nothing to set.
    assert sets == [], sql_listing(sets)


def test_another_workspace_on_the_same_connection_sets_its_own(
    routing_memory, tenant_a, tenant_b, as_role, in_tenant
):
    with in_tenant(tenant_a):
        AuditEntryFactory(action="alpha.secret-marker")
    admin_a, admin_b = as_role(tenant_a, "admin"), as_role(tenant_b, "admin")
    _get(admin_a, "/audit/"), _get(admin_b, "/audit/")  # both hosts remembered
    for _ in range(3):
        page_a, sets_a = _get(admin_a, "/audit/")
        page_b, sets_b = _get(admin_b, "/audit/")
        assert b"alpha.secret-marker" in page_a.content
        assert b"alpha.secret-marker" not in page_b.content
        assert sets_a == [f'SET search_path = "{tenant_a.schema_name}","public"']
        assert sets_b == [f'SET search_path = "{tenant_b.schema_name}","public"']


def test_a_query_in_another_schema_between_requests_is_not_trusted(
    routing_memory, tenant_a, tenant_b, as_role, in_tenant
):
    admin = as_role(tenant_a, "admin")
    _get(admin, "/audit/"), _get(admin, "/audit/")
    # Work outside a request (a test, a shell) moves the connection to another schema.
    with in_tenant(tenant_b):
        AuditEntryFactory(action="beta.secret-marker")
    page, sets = _get(admin, "/audit/")
    assert b"beta.secret-marker" not in page.content
    assert sets == [f'SET search_path = "{tenant_a.schema_name}","public"']
