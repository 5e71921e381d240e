"""Typed access to django-tenants' per-connection schema state."""

from typing import Any, cast

from django.db import connection


def _tenant_connection() -> Any:
    # django-tenants' backend adds schema attributes the Django stubs do not know about.
    return cast(Any, connection)


def current_schema_name() -> str:
    return str(_tenant_connection().schema_name)


def use_public_schema() -> None:
    _tenant_connection().set_schema_to_public()


def current_client() -> Any:
    """The tenants.Client whose schema the connection is in.

    Requests and tasks set the real Client on the connection; `schema_context` sets a
    stand-in that only knows the schema name, so fall back to a look-up by schema."""
    from tenants.models import Client

    tenant = _tenant_connection().tenant
    if isinstance(tenant, Client):
        return tenant
    return Client.objects.get(schema_name=current_schema_name())
