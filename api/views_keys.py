"""API key pages on a workspace host (/settings/api-keys/).

- A client admin sees every key of the workspace (the client's own and its agencies'),
  creates client keys and may revoke any of them.
- An agency admin sees, creates and revokes only their agency's keys for this client, with
  agency scopes only.
Everyone else gets the same 404 as a page that does not exist.

Post-redirect-get: creating a key answers with a redirect to the page that shows it, once
(the key waits for that page in the cache for a few minutes at most, never in the URL or the
database: pages.shown_once). Reloading that page shows no key and creates none. Revoking asks
for confirmation on a page of its own first.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from api.forms import ApiKeyForm
from api.keys import (
    access_api_key_by_id,
    api_key_create,
    api_key_is_expired,
    api_key_revoke,
    api_keys_for,
)
from pages.access import Caller, workspace_page
from pages.forms import form_action
from pages.shown_once import shown_once_keep, shown_once_take
from tenants.models import Agency, ApiKey
from tenants.roles import ADMINISTER_AGENCY, ADMINISTER_WORKSPACE


@dataclass(frozen=True)
class KeyManager:
    """Who manages keys on this page: a client admin (agency None) or an agency admin."""

    agency: Agency | None

    @property
    def is_agency(self) -> bool:
        return self.agency is not None


KEY_MANAGERS = ADMINISTER_WORKSPACE | ADMINISTER_AGENCY
KEY_SHOWN_ONCE = "api_key"


def _manager(caller: Caller) -> KeyManager:
    return KeyManager(agency=caller.agency if caller.is_agency else None)


def _key_state(api_key: ApiKey) -> str:
    if api_key.revoked_at is not None:
        return "revoked"
    if api_key_is_expired(api_key):
        return "expired"
    return "active"


@workspace_page(roles=KEY_MANAGERS)
def api_key_list(request: HttpRequest, caller: Caller) -> HttpResponse:
    manager = _manager(caller)
    keys = api_keys_for(client=caller.client, agency=manager.agency)
    rows = [{"key": key, "state": _key_state(key)} for key in keys]
    return render(
        request,
        "api/keys/list.html",
        {"rows": rows, "manager": manager, "now": timezone.now()},
    )


@workspace_page(roles=KEY_MANAGERS, methods=("GET", "POST"))
def api_key_new(request: HttpRequest, caller: Caller) -> HttpResponse:
    manager = _manager(caller)
    client = caller.client
    form = ApiKeyForm(request.POST or None, agency_key=manager.is_agency)
    if request.method == "POST" and form.is_valid():
        done = form_action(
            form,
            lambda: api_key_create(
                client=client,
                agency=manager.agency,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                created_by=caller.user,
                expires_at=form.expires_at(client.timezone),
            ),
            fields={"expires_at": "expires_on"},
        )
        if done.ok and done.value is not None:
            api_key, raw_key = done.value
            shown_once_keep(
                request, purpose=KEY_SHOWN_ONCE, object_id=api_key.public_id, value=raw_key
            )
            return redirect("api:key_created", public_id=api_key.public_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "api/keys/new.html", {"form": form, "manager": manager}, status=status)


@workspace_page(roles=KEY_MANAGERS)
def api_key_created(request: HttpRequest, caller: Caller, public_id: str) -> HttpResponse:
    """The new key, shown once: a reload finds it gone and says what to do instead."""
    manager = _manager(caller)
    api_key = access_api_key_by_id(client=caller.client, agency=manager.agency, public_id=public_id)
    raw_key = shown_once_take(request, purpose=KEY_SHOWN_ONCE, object_id=api_key.public_id)
    response = render(
        request,
        "api/keys/created.html",
        {"api_key": api_key, "raw_key": raw_key, "manager": manager},
    )
    # The key is in this page only: keep it out of every cache.
    response["Cache-Control"] = "no-store"
    return response


@workspace_page(roles=KEY_MANAGERS, methods=("GET", "POST"))
def api_key_revoke_view(request: HttpRequest, caller: Caller, public_id: str) -> HttpResponse:
    """What revoking means (GET), then the revocation itself (POST)."""
    manager = _manager(caller)
    api_key = access_api_key_by_id(client=caller.client, agency=manager.agency, public_id=public_id)
    already = api_key.revoked_at is not None
    if request.method == "GET":
        return render(
            request,
            "api/keys/revoke.html",
            {"api_key": api_key, "manager": manager, "already": already},
        )
    api_key_revoke(api_key=api_key, revoked_by=caller.user)
    if already:
        messages.info(request, f"The key {api_key.prefix}… was already revoked.")
    else:
        messages.success(
            request,
            f"The key {api_key.prefix}… is revoked: requests with it are refused from now on.",
        )
    return redirect("api:key_list")
