from typing import Any

from django.conf import settings
from django.http import HttpRequest

from tenants.models import AgencyRole, ClientRole
from tenants.roles import ADMINISTER_AGENCY, ADMINISTER_WORKSPACE, MANAGE_PEOPLE, READ_AUDIT_TRAIL

ROLE_LABELS = {**dict(ClientRole.choices), **dict(AgencyRole.choices)}


def _nav(access: Any) -> dict[str, bool]:
    """Which header links a person sees; each page still checks the role itself."""
    if access is None:
        return {}
    role = access.role
    client = access.is_client
    return {
        "scorecards": client,
        "candidates": role in (ClientRole.ADMIN, ClientRole.HIRING_MANAGER, ClientRole.EXECUTIVE),
        "analytics": access.is_agency
        or role in (ClientRole.ADMIN, ClientRole.HIRING_MANAGER, ClientRole.EXECUTIVE),
        "imports": access.is_agency or role in (ClientRole.ADMIN, ClientRole.HIRING_MANAGER),
        "people": role in MANAGE_PEOPLE,
        # The settings hub leads to agencies, privacy, reminders, API keys, webhooks and the
        # audit trail; executives read the audit trail from their own link.
        "settings": (client and role in ADMINISTER_WORKSPACE)
        or (access.is_agency and role in ADMINISTER_AGENCY),
        "audit_trail": client and role in READ_AUDIT_TRAIL and role not in ADMINISTER_WORKSPACE,
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
