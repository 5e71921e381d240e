"""API key pages on a workspace host (/settings/api-keys/).

- A client admin sees every key of the workspace (the client's own and its agencies'),
  creates client keys and may revoke any of them.
- An agency admin sees, creates and revokes only their agency's keys for this client, with
  agency scopes only.
Everyone else gets the same 404 as a page that does not exist. A new key is shown once, on
the page that answers its creation (never stored, never in a redirect or the session).
"""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from api.forms import ApiKeyForm
from api.keys import api_key_create, api_key_is_expired, api_key_revoke, api_keys_for
from tenants.models import Agency, AgencyRole, ApiKey, ClientRole
from tenants.selectors import WorkspaceAccess


@dataclass(frozen=True)
class KeyManager:
    """Who manages keys on this page: a client admin (agency None) or an agency admin."""

    agency: Agency | None

    @property
    def is_agency(self) -> bool:
        return self.agency is not None


def _manager(request: HttpRequest) -> KeyManager:
    access: WorkspaceAccess | None = getattr(request, "workspace_access", None)
    if access is not None and access.has_client_role(ClientRole.ADMIN):
        return KeyManager(agency=None)
    if access is not None and access.is_agency and access.role == AgencyRole.AGENCY_ADMIN:
        return KeyManager(agency=access.agency)
    raise Http404("No such page.")


def _key_state(api_key: ApiKey) -> str:
    if api_key.revoked_at is not None:
        return "revoked"
    if api_key_is_expired(api_key):
        return "expired"
    return "active"


@require_http_methods(["GET"])
def api_key_list(request: HttpRequest) -> HttpResponse:
    manager = _manager(request)
    keys = api_keys_for(client=request.tenant, agency=manager.agency)  # type: ignore[attr-defined]
    rows = [{"key": key, "state": _key_state(key)} for key in keys]
    return render(
        request,
        "api/keys/list.html",
        {"rows": rows, "manager": manager, "now": timezone.now()},
    )


@require_http_methods(["GET", "POST"])
def api_key_new(request: HttpRequest) -> HttpResponse:
    manager = _manager(request)
    client = request.tenant  # type: ignore[attr-defined]
    form = ApiKeyForm(request.POST or None, agency_key=manager.is_agency)
    if request.method == "POST" and form.is_valid():
        try:
            api_key, raw_key = api_key_create(
                client=client,
                agency=manager.agency,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                created_by=request.user,  # type: ignore[arg-type]
                expires_at=form.expires_at(client.timezone),
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                target = {"expires_at": "expires_on"}.get(field, field)
                for message in errors:
                    form.add_error(target if target in form.fields else None, message)
        else:
            response = render(
                request,
                "api/keys/created.html",
                {"api_key": api_key, "raw_key": raw_key, "manager": manager},
                status=201,
            )
            # The key is in this page only: keep it out of every cache.
            response["Cache-Control"] = "no-store"
            return response
    status = 400 if request.method == "POST" else 200
    return render(request, "api/keys/new.html", {"form": form, "manager": manager}, status=status)


@require_POST
def api_key_revoke_view(request: HttpRequest, public_id: str) -> HttpResponse:
    manager = _manager(request)
    keys = api_keys_for(client=request.tenant, agency=manager.agency)  # type: ignore[attr-defined]
    api_key = keys.filter(public_id=public_id).first()
    if api_key is None:
        raise Http404("No such key.")
    already = api_key.revoked_at is not None
    api_key_revoke(api_key=api_key, revoked_by=request.user)  # type: ignore[arg-type]
    if already:
        messages.info(request, f"The key {api_key.prefix}… was already revoked.")
    else:
        messages.success(
            request,
            f"The key {api_key.prefix}… is revoked: requests with it are refused from now on.",
        )
    return redirect("api:key_list")
