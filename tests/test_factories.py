"""tests/factories.py has a factory for every model of the project, each call gives a new
valid row, and the API key factory's key works against the API."""

from typing import Any

import factory.django
import pytest
from django.apps import apps
from django.db import connection
from django_tenants.utils import schema_context

from tests import factories
from tests.api_support import api

pytestmark = pytest.mark.django_db

PROJECT_APPS = (
    "accounts",
    "tenants",
    "audit",
    "outbox",
    "hiring",
    "scoring",
    "notifications",
    "api",
)
# A client is a PostgreSQL schema: `client_provision` makes one (conftest provisions two per
# session), a factory cannot.
WITHOUT_FACTORY = {"tenants.Client"}
# Factories of rows that hang off a client take the client.
NEEDS_CLIENT = {
    "tenants.ClientMembership": "client",
    "tenants.Engagement": "client",
    "tenants.ApiKey": "client",
    "tenants.Domain": "tenant",
    "accounts.Invitation": "client",
    "accounts.AgencyInvitation": "client",
    "accounts.SsoDomainRole": "provider__client",
    "accounts.SsoIdentity": "provider__client",
}
# One row per client (a OneToOne to it): the second call gets the other test client.
ONE_PER_CLIENT = {"accounts.SsoProvider": "client"}
# Fields left out of full_clean(): set by the database or stored as a file name only.
NOT_VALIDATED = ["file", "password"]


def _factories() -> dict[str, type[factory.django.DjangoModelFactory]]:
    found = {}
    for value in vars(factories).values():
        if (
            isinstance(value, type)
            and issubclass(value, factory.django.DjangoModelFactory)
            and value is not factory.django.DjangoModelFactory
        ):
            found[value._meta.model._meta.label] = value
    return found


FACTORIES = _factories()


def test_every_model_of_the_project_has_a_factory():
    models = {
        model._meta.label
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS and not model._meta.proxy
    }
    assert models - set(FACTORIES) == WITHOUT_FACTORY


@pytest.mark.parametrize("label", sorted(FACTORIES))
def test_each_call_makes_a_new_valid_row(label, tenant_a, tenant_b):
    make = FACTORIES[label]
    extra: dict[str, Any] = {}
    if label in NEEDS_CLIENT:
        extra[NEEDS_CLIENT[label]] = tenant_a
    with schema_context(tenant_a.schema_name):
        if label in ONE_PER_CLIENT:
            field = ONE_PER_CLIENT[label]
            first, second = make(**{field: tenant_a}), make(**{field: tenant_b})
        else:
            first, second = make(**extra), make(**extra)
        assert first.pk != second.pk
        model = type(first)
        assert model.objects.filter(pk__in=[first.pk, second.pk]).count() == 2
        for row in (first, second):
            # Empty lists and dicts are the models' own defaults (services save them as they
            # are), though the fields are not marked blank=True.
            empty = [f.name for f in model._meta.fields if getattr(row, f.attname) in ([], {})]
            row.full_clean(exclude=[*NOT_VALIDATED, *empty], validate_unique=True)
    connection.set_schema_to_public()


@pytest.mark.parametrize("kind", ["client", "agency"])
def test_an_api_key_from_the_factory_works(kind, tenant_a):
    agency = factories.EngagementFactory(client=tenant_a).agency if kind == "agency" else None
    api_key = factories.ApiKeyFactory(client=tenant_a, agency=agency)
    assert api_key.raw_key.startswith(api_key.prefix + "_")
    assert "raw_key" not in {field.name for field in api_key._meta.fields}

    response = api(tenant_a, api_key.raw_key).get("/api/v1/briefs/")
    assert response.status_code == 200, response.content
    # A key the factory did not make is refused: the check is real.
    forged = api_key.raw_key[:-4] + "AAAA"
    assert api(tenant_a, forged).get("/api/v1/briefs/").status_code == 401
