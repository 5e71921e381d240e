"""Tenant isolation over HTTP: hosts, memberships, engagements."""

import pytest

from audit.models import AuditEntry
from tenants.models import EngagementStatus
from tenants.services import engagement_set_status
from tests.conftest import http_client
from tests.factories import AuditEntryFactory, UserFactory
from tests.query_counts import captured_sql

pytestmark = pytest.mark.django_db


def test_data_of_tenant_a_is_invisible_from_tenant_b(tenant_a, tenant_b, as_role, in_tenant):
    with in_tenant(tenant_a):
        AuditEntryFactory(action="alpha.secret-marker")
    with in_tenant(tenant_b):
        AuditEntryFactory(action="beta.visible-marker")
        assert not AuditEntry.objects.filter(action="alpha.secret-marker").exists()

    admin_b = as_role(tenant_b, "admin")
    page = admin_b.http.get("/audit/")
    assert page.status_code == 200
    assert b"beta.visible-marker" in page.content
    assert b"alpha.secret-marker" not in page.content

    admin_a = as_role(tenant_a, "admin")
    assert b"alpha.secret-marker" in admin_a.http.get("/audit/").content


def test_member_of_a_gets_404_on_b(tenant_a, tenant_b, as_role):
    member = as_role(tenant_a, "admin")
    assert member.http.get("/").status_code == 200
    on_b = http_client(tenant=tenant_b, user=member.user)
    response = on_b.get("/")
    assert response.status_code == 404
    assert tenant_b.name.encode() not in response.content


def test_every_client_role_enters_its_workspace(tenant_a, as_role):
    for role in ("admin", "hiring_manager", "interviewer", "executive"):
        assert as_role(tenant_a, role).http.get("/").status_code == 200


def test_anonymous_visitor_is_sent_to_sign_in(tenant_a):
    response = http_client(tenant=tenant_a).get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_unknown_host_is_404(db):
    response = http_client().get("/", HTTP_HOST="nobody.localhost")
    assert response.status_code == 404


def test_engaged_agency_recruiter_enters_and_sees_no_client_internals(tenant_a, as_role):
    recruiter = as_role(tenant_a, "recruiter")
    response = recruiter.http.get("/")
    assert response.status_code == 200
    assert recruiter.agency.name.encode() in response.content
    assert b"Recent activity" not in response.content
    assert b"Team" not in response.content


def test_agency_without_engagement_gets_404(tenant_a, tenant_b, as_role):
    recruiter = as_role(tenant_a, "recruiter")
    assert http_client(tenant=tenant_b, user=recruiter.user).get("/").status_code == 404


def test_ended_engagement_closes_the_workspace(tenant_a, as_role):
    recruiter = as_role(tenant_a, "recruiter")
    engagement_set_status(engagement=recruiter.engagement, status=EngagementStatus.ENDED)
    assert recruiter.http.get("/").status_code == 404


def test_paused_engagement_keeps_read_access(tenant_a, as_role):
    recruiter = as_role(tenant_a, "recruiter")
    engagement_set_status(engagement=recruiter.engagement, status=EngagementStatus.PAUSED)
    assert recruiter.http.get("/").status_code == 200


def test_deactivated_user_loses_access(tenant_a, as_role):
    admin = as_role(tenant_a, "admin")
    admin.user.is_active = False
    admin.user.save(update_fields=["is_active"])
    assert admin.http.get("/").status_code in (302, 404)


def test_public_dashboard_lists_only_engaged_clients(tenant_a, tenant_b, as_role):
    recruiter = as_role(tenant_a, "recruiter")
    page = http_client(user=recruiter.user).get("/")
    assert page.status_code == 200
    assert tenant_a.name.encode() in page.content
    assert tenant_b.name.encode() not in page.content


def test_public_dashboard_lists_client_memberships(tenant_a, tenant_b):
    user = UserFactory()
    from tests.factories import ClientMembershipFactory

    ClientMembershipFactory(user=user, client=tenant_b, role="executive")
    page = http_client(user=user).get("/")
    assert tenant_b.name.encode() in page.content
    assert tenant_a.name.encode() not in page.content


# --- host routing with the per-process memory (TENANT_ROUTING_CACHE_SECONDS) -------------------


@pytest.fixture
def routing_memory(settings):
    from tenants.middleware import TenantRoutingMiddleware

    settings.TENANT_ROUTING_CACHE_SECONDS = 10
    TenantRoutingMiddleware.forget()
    yield
    TenantRoutingMiddleware.forget()


def _domain_queries(client, host):
    with captured_sql() as statements:
        response = client.get("/healthz/x", HTTP_HOST=host)
    return response, [sql for sql in statements if "tenants_domain" in sql]


def test_remembered_hosts_still_route_each_workspace_to_its_own_data(
    routing_memory, tenant_a, tenant_b, as_role, in_tenant
):
    with in_tenant(tenant_a):
        AuditEntryFactory(action="alpha.secret-marker")
    admin_a, admin_b = as_role(tenant_a, "admin"), as_role(tenant_b, "admin")
    for _ in range(3):  # the second and third requests are served from the memory
        page_a, page_b = admin_a.http.get("/audit/"), admin_b.http.get("/audit/")
        assert b"alpha.secret-marker" in page_a.content
        assert b"alpha.secret-marker" not in page_b.content
        assert http_client(tenant=tenant_b, user=admin_a.user).get("/").status_code == 404


def test_a_remembered_host_costs_no_lookup_and_unknown_hosts_are_never_remembered(
    routing_memory, tenant_a
):
    from django.test import Client as HttpClient

    from tests.conftest import host_of

    client = HttpClient()
    _, first = _domain_queries(client, host_of(tenant_a))
    _, second = _domain_queries(client, host_of(tenant_a))
    assert (len(first), len(second)) == (1, 0)
    for _ in range(2):
        response, lookups = _domain_queries(client, "nobody.localhost")
        assert response.status_code == 404
        assert len(lookups) == 1


def test_a_removed_domain_stops_routing_at_once(routing_memory, tenant_a, as_role):
    from tenants.models import Domain

    admin = as_role(tenant_a, "admin")
    extra = Domain.objects.create(domain="careers-alpha.localhost", tenant=tenant_a)
    assert admin.http.get("/", HTTP_HOST=extra.domain).status_code in (200, 302)
    extra.delete()
    assert admin.http.get("/", HTTP_HOST=extra.domain).status_code == 404
