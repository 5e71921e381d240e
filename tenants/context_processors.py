from typing import Any

from django.conf import settings
from django.http import HttpRequest


def workspace(request: HttpRequest) -> dict[str, Any]:
    tenant = getattr(request, "tenant", None)
    access = getattr(request, "workspace_access", None)
    is_workspace = tenant is not None and tenant.schema_name != settings.PUBLIC_SCHEMA_NAME
    # The workspace's name is shown only to people who may enter it.
    return {
        "workspace": tenant if is_workspace and access is not None else None,
        "workspace_access": access,
        "base_domain": settings.BASE_DOMAIN,
    }
