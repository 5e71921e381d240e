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
