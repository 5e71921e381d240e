"""The access layer of workspace pages: who is asking, whether the page is theirs, and what a
refusal looks like.

Every view of a workspace host is wrapped in `workspace_page` (a test walks the URL patterns
and fails on a view that is not). The decorator

- takes the person's access to the workspace from `WorkspaceAccessMiddleware` (which already
  let only members and engaged agencies' people in) and builds the `Caller` the view gets:
  the access, the signed-in user, the client and the Actor services take;
- answers the product's 404 page to roles it does not serve, so "not for your role" looks the
  same as "does not exist", then 405 to methods the page does not take;
- maps what the services raise, in one place, as api/errors.py does for the API:
  `NotFoundError` -> the 404 page; `ConflictError` -> 409 with the service's message;
  a `ValidationError` that escapes the view -> 400 with its messages. Views that can show a
  refusal next to the form they rendered call the service through `pages.forms.form_action`,
  which puts field errors on the form and a conflict's message on the page instead.

Object look-ups go through the selectors' `access_*_by_id(access, id)` helpers, which raise
the same NotFoundError for "not yours" and "does not exist"; the API's create paths use them
too.
"""

import functools
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, Concatenate, ParamSpec, cast

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotAllowed
from django.shortcuts import render

from audit.actors import Actor
from audit.errors import ConflictError, NotFoundError
from tenants.models import Agency, Client, Engagement, User
from tenants.selectors import WorkspaceAccess

P = ParamSpec("P")
PageView = Callable[Concatenate[HttpRequest, "Caller", P], HttpResponseBase]

# The attributes the URL walk tests look for on every workspace view.
WRAPPED_MARK = "workspace_page_roles"
METHODS_MARK = "workspace_page_methods"
# Views of a workspace host that are open without membership (sign-in, the unsubscribe link)
# carry this mark with the reason instead.
OPEN_MARK = "workspace_page_open_because"


@dataclass(frozen=True)
class Caller:
    """The person a workspace page serves, resolved once per request."""

    access: WorkspaceAccess
    user: User
    client: Client
    actor: Actor

    @property
    def is_client(self) -> bool:
        return self.access.is_client

    @property
    def is_agency(self) -> bool:
        return self.access.is_agency

    @property
    def role(self) -> str:
        return self.access.role

    @property
    def agency(self) -> Agency | None:
        return self.access.agency

    @property
    def engagement(self) -> Engagement | None:
        return self.access.engagement

    @property
    def agency_id(self) -> int | None:
        return self.access.agency.pk if self.access.agency is not None else None

    @property
    def may_submit(self) -> bool:
        """An agency submits only while its engagement is active (paused: read only)."""
        return self.engagement is not None and self.engagement.is_active

    def may(self, roles: Collection[str]) -> bool:
        """Whether the person's role is in a role group of tenants.roles."""
        return self.access.role in roles


def caller_of(request: HttpRequest) -> Caller:
    """The Caller of a request the middleware let into a workspace; 404 otherwise."""
    access: WorkspaceAccess | None = getattr(request, "workspace_access", None)
    user = request.user
    if access is None or not user.is_authenticated:
        raise Http404("No such page.")
    return Caller(
        access=access,
        user=cast(User, user),
        client=request.tenant,  # type: ignore[attr-defined]
        actor=Actor.for_user(
            user, agency_id=access.agency.pk if access.agency is not None else None
        ),
    )


def refusal_page(request: HttpRequest, *, messages: list[str], status: int) -> HttpResponse:
    """The page shown when a request was understood but refused (409) or malformed (400)."""
    return render(
        request, "pages/refused.html", {"messages": messages, "status": status}, status=status
    )


def workspace_page(
    *, roles: Collection[str], methods: Collection[str] = ("GET",)
) -> Callable[[PageView[P]], Callable[Concatenate[HttpRequest, P], HttpResponseBase]]:
    """Wrap a workspace view: `roles` is a group from tenants.roles (client and agency role
    values may be mixed), `methods` the HTTP methods it takes (HEAD comes with GET)."""
    allowed_roles = frozenset(roles)
    allowed_methods = {method.upper() for method in methods}
    if "GET" in allowed_methods:
        allowed_methods.add("HEAD")

    def decorate(view: PageView[P]) -> Callable[Concatenate[HttpRequest, P], HttpResponseBase]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
            caller = caller_of(request)
            if not caller.may(allowed_roles):
                raise Http404("No such page.")
            if request.method not in allowed_methods:
                return HttpResponseNotAllowed(sorted(allowed_methods))
            try:
                return view(request, caller, *args, **kwargs)
            except NotFoundError:
                raise Http404("No such page.") from None
            except ConflictError as error:
                return refusal_page(request, messages=[error.message], status=409)
            except ValidationError as error:
                return refusal_page(request, messages=list(error.messages), status=400)

        setattr(wrapped, WRAPPED_MARK, allowed_roles)
        setattr(wrapped, METHODS_MARK, frozenset(allowed_methods))
        return wrapped

    return decorate


def open_page(*, because: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark a view of a workspace host that must work without membership, and say why."""

    def mark(view: Callable[..., Any]) -> Callable[..., Any]:
        setattr(view, OPEN_MARK, because)
        return view

    return mark
