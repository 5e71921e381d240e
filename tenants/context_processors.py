from typing import Any

from django.conf import settings
from django.http import HttpRequest

from tenants.models import AgencyRole, ClientRole
from tenants.roles import MANAGE_PEOPLE

ROLE_LABELS = {**dict(ClientRole.choices), **dict(AgencyRole.choices)}


def _nav(access: Any) -> dict[str, bool]:
    """Which header links a person sees; each page still checks the role itself."""
    if access is None:
        return {}
    role = access.role
    client = access.is_client
    return {
        "scorecards": client,
        "analytics": access.is_agency
        or role in (ClientRole.ADMIN, ClientRole.HIRING_MANAGER, ClientRole.EXECUTIVE),
        "imports": access.is_agency or role in (ClientRole.ADMIN, ClientRole.HIRING_MANAGER),
        "api_keys": (client and role == ClientRole.ADMIN) or role == AgencyRole.AGENCY_ADMIN,
        "reminder_settings": client and role == ClientRole.ADMIN,
        "people": role in MANAGE_PEOPLE,
        "sign_in_settings": client and role == ClientRole.ADMIN,
    }


def workspace(request: HttpRequest) -> dict[str, Any]:
    tenant = getattr(request, "tenant", None)
    access = getattr(request, "workspace_access", None)
    is_workspace = tenant is not None and tenant.schema_name != settings.PUBLIC_SCHEMA_NAME
    # The workspace's name is shown only to people who may enter it.
    return {
        "workspace": tenant if is_workspace and access is not None else None,
        "workspace_access": access,
        "workspace_role_label": ROLE_LABELS.get(access.role, "") if access is not None else "",
        "workspace_nav": _nav(access),
        "base_domain": settings.BASE_DOMAIN,
    }
