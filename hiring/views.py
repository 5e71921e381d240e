"""Workspace pages on a client's host. WorkspaceAccessMiddleware has already let only members
and engaged agencies in; each view narrows further by role."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hiring.selectors import audit_recent
from tenants.models import ClientRole
from tenants.selectors import client_engagements, client_team


@login_required
def workspace_home(request: HttpRequest) -> HttpResponse:
    access = request.workspace_access  # type: ignore[attr-defined]
    client = request.tenant  # type: ignore[attr-defined]
    context: dict[str, object] = {"access": access}
    if access.is_client:
        context["team"] = client_team(client=client)
        context["engagements"] = client_engagements(client=client)
        if access.has_client_role(ClientRole.ADMIN, ClientRole.EXECUTIVE):
            context["activity"] = audit_recent(limit=15)
    return render(request, "hiring/home.html", context)
