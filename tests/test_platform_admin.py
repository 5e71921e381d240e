"""The platform admin (/admin/ on the public host): the platform's own models for staff only,
provisioning as the only way to add a client, no key hashes, and changes that matter going
through the audited services."""

from typing import Any

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from audit.models import AuditEntry
from tenants.models import ApiKey, Client, Engagement, EngagementStatus, User
from tests.conftest import http_client
from tests.factories import ApiKeyFactory, EngagementFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator() -> Any:
    """Platform staff signed in with their second factor (the admin requires it)."""
    from accounts.two_factor import totp_enrolment_start

    user = UserFactory(name="Olive Operator", is_staff=True)
    device = totp_enrolment_start(user=user)
    device.confirmed = True
    device.save()
    client = http_client(user=user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client, user


def _schema_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", [name])
        return cursor.fetchone() is not None


def test_only_staff_use_it_and_it_lists_the_platforms_models(operator):
    assert http_client().get("/admin/").status_code == 302
    person = UserFactory()
    assert http_client(user=person).get("/admin/").status_code == 302
    client, _ = operator
    index = client.get("/admin/")
    assert index.status_code == 200
    page = index.content.decode()
    for model in (
        "tenants/client/",
        "tenants/domain/",
        "tenants/user/",
        "tenants/clientmembership/",
        "tenants/agencymembership/",
        "tenants/agency/",
        "tenants/engagement/",
        "tenants/apikey/",
    ):
        assert f"/admin/{model}" in page, model
    assert "/admin/auth/group/" not in page


def test_adding_a_client_is_provisioning(operator):
    client, _ = operator
    form = client.get("/admin/tenants/client/add/")
    assert form.status_code == 200
    assert 'name="slug"' in form.content.decode()
    assert 'name="schema_name"' not in form.content.decode()
    # The fields of a plain model form do not create anything.
    bypass = client.post(
        "/admin/tenants/client/add/", {"schema_name": "c_sneaky", "name": "Sneaky"}
    )
    assert bypass.status_code == 200
    assert not Client.objects.filter(name="Sneaky").exists()
    assert not _schema_exists("c_sneaky")
    bad = client.post("/admin/tenants/client/add/", {"slug": "public", "name": "X"})
    assert "is reserved" in bad.content.decode()

    done = client.post("/admin/tenants/client/add/", {"slug": "delta-works", "name": "Delta Works"})
    provisioned = Client.objects.get(slug="delta-works")
    assert done.status_code == 302
    assert done["Location"] == f"/admin/tenants/client/{provisioned.pk}/change/"
    assert provisioned.schema_name == "c_delta_works" and _schema_exists("c_delta_works")
    assert provisioned.domains.get().domain == "delta-works.localhost"
    # Clients are deactivated, not deleted, from here.
    assert client.get(f"/admin/tenants/client/{provisioned.pk}/delete/").status_code == 403
    change = client.get(f"/admin/tenants/client/{provisioned.pk}/change/").content.decode()
    assert 'name="name"' in change and 'name="slug"' not in change
    # The retention period is the client's own (audited) decision: read only here.
    assert 'name="candidate_retention_days"' not in change


def test_search_and_filters(operator, tenant_a):
    client, _ = operator
    person = UserFactory(email="findable.person@example.test")
    paused = EngagementFactory(client=tenant_a, status=EngagementStatus.PAUSED)
    active = EngagementFactory(client=tenant_a)
    found = client.get("/admin/tenants/user/", {"q": "findable"}).content.decode()
    assert person.email in found
    listing = client.get("/admin/tenants/engagement/", {"status__exact": "paused"}).content.decode()
    results = listing.split('id="result_list"')[1].split("</table>")[0]
    assert paused.agency.name in results and active.agency.name not in results


def test_new_people_get_their_password_through_the_service_and_no_hash_is_shown(operator):
    client, _ = operator
    created = client.post(
        "/admin/tenants/user/add/",
        {"email": "New.Person@Example.TEST", "name": "New Person", "password": "long enough pw"},
    )
    assert created.status_code == 302
    user = User.objects.get(email="new.person@example.test")
    assert user.check_password("long enough pw")
    change = client.get(f"/admin/tenants/user/{user.pk}/change/").content.decode()
    assert user.password not in change and "password" not in change.split("<form")[1].split(
        "</form>"
    )[0].replace("password_change", "")
    short = client.post(
        "/admin/tenants/user/add/", {"email": "short@example.test", "password": "short"}
    )
    assert short.status_code == 200
    assert "at least 8 characters" in short.content.decode()
    assert not User.objects.filter(email="short@example.test").exists()


def test_api_keys_show_no_hash_and_are_revoked_through_the_service(operator, tenant_a):
    client, staff = operator
    key = ApiKeyFactory(client=tenant_a, name="Greenhouse sync")
    page = client.get(f"/admin/tenants/apikey/{key.pk}/change/").content.decode()
    assert key.prefix in page and key.key_hash not in page
    assert client.get("/admin/tenants/apikey/add/").status_code == 403
    done = client.post(
        "/admin/tenants/apikey/",
        {"action": "revoke_keys", "_selected_action": [str(key.pk)]},
    )
    assert done.status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None
    with schema_context(tenant_a.schema_name):
        entry = AuditEntry.objects.get(action="api_key.revoked", object_id=str(key.public_id))
    assert entry.actor_user_id == staff.pk


def test_engagements_are_paused_through_the_audited_service(operator, tenant_a, as_role):
    client, staff = operator
    engagement = EngagementFactory(client=tenant_a)
    assert client.get("/admin/tenants/engagement/add/").status_code == 403
    done = client.post(
        "/admin/tenants/engagement/",
        {"action": "engagement_pause", "_selected_action": [str(engagement.pk)]},
    )
    assert done.status_code == 302
    engagement.refresh_from_db()
    assert engagement.status == EngagementStatus.PAUSED
    with schema_context(tenant_a.schema_name):
        entry = AuditEntry.objects.get(action="engagement.paused")
    assert entry.actor_user_id == staff.pk
    trail = as_role(tenant_a, "admin").http.get("/audit/").content.decode()
    assert "Olive Operator (platform operator) paused the engagement of" in trail
    # Pausing again is refused per engagement, with the reason.
    again = client.post(
        "/admin/tenants/engagement/",
        {"action": "engagement_pause", "_selected_action": [str(engagement.pk)]},
        follow=True,
    )
    assert "cannot be paused now" in again.content.decode()
    assert Engagement.objects.get(pk=engagement.pk).status == EngagementStatus.PAUSED
    assert ApiKey.objects.count() == 0
