"""Opening a workspace from the public dashboard without signing in again (accounts.handoff)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from accounts.handoff import handoff_redeem, handoff_token
from accounts.links import Links
from audit.errors import ConflictError
from tenants.models import Client
from tenants.selectors import workspace_access_for


@login_required
@never_cache
def workspace_open(request: HttpRequest, public_id: str) -> HttpResponse:
    """Public host: mint a one-minute, one-use token and send the browser to the workspace."""
    client = Client.objects.exclude(schema_name="public").filter(public_id=public_id).first()
    if client is None or workspace_access_for(user=request.user, client=client) is None:  # type: ignore[arg-type]
        raise Http404("No such page.")
    token = handoff_token(request=request, user=request.user, client=client)  # type: ignore[arg-type]
    return HttpResponseRedirect(
        Links.like(request).workspace(client, f"/accounts/handoff/{token}/")
    )


@never_cache
def handoff_arrive(request: HttpRequest, token: str) -> HttpResponse:
    """Workspace host: redeem the token, then strip it from the address bar."""
    try:
        handoff_redeem(request=request, token=token)
    except ConflictError as error:
        return render(
            request,
            "accounts/handoff_problem.html",
            {"message": error.message, "public_url": Links.like(request).public("/")},
            status=400,
        )
    return HttpResponseRedirect("/")
