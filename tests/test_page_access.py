"""Every page of a workspace host goes through the access layer (pages.access).

A new page cannot forget the access check: this walks every URL pattern of the workspace
host and fails on a view that is neither wrapped in `workspace_page` nor explicitly open (with
the reason), nor part of the partner API (whose base class owns its checks).
"""

from collections.abc import Iterator
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from api.base import PartnerViewSet
from api.docs_views import ApiDocsView, ApiSchemaView
from api.errors import api_not_found
from pages.access import OPEN_MARK, WRAPPED_MARK


def _patterns(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, Any]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def _is_partner_api(callback: Any) -> bool:
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if view_class is not None and issubclass(
        view_class, PartnerViewSet | ApiSchemaView | ApiDocsView
    ):
        return True
    return callback is api_not_found


def test_every_workspace_view_goes_through_the_access_layer() -> None:
    unguarded = []
    seen = 0
    for route, callback in _patterns(get_resolver("config.urls_tenant")):
        seen += 1
        if hasattr(callback, WRAPPED_MARK) or getattr(callback, OPEN_MARK, ""):
            continue
        if _is_partner_api(callback):
            continue
        unguarded.append(f"{route} -> {callback.__module__}.{callback.__name__}")
    assert seen > 30
    assert not unguarded, "views without pages.access.workspace_page:\n" + "\n".join(unguarded)


def test_open_views_say_why() -> None:
    reasons = {
        route: getattr(callback, OPEN_MARK)
        for route, callback in _patterns(get_resolver("config.urls_tenant"))
        if hasattr(callback, OPEN_MARK)
    }
    assert set(reasons) == {
        "accounts/login/",
        "accounts/logout/",
        "accounts/unsubscribe/<str:token>/",
        # People and sign-in (accounts/urls.py): the second step, reset, invitation links,
        # the dashboard's hand-off and single sign-on all come before any membership.
        "accounts/two-factor/",
        "accounts/password/reset/",
        "accounts/password/reset/done/",
        "accounts/password/reset/<uidb64>/<token>/",
        "accounts/password/reset/complete/",
        "accounts/invitations/<str:token>/",
        "accounts/handoff/<str:token>/",
        "accounts/sso/start/",
        "accounts/sso/callback/",
        # A new agency's admin accepts the client's invitation before the agency exists.
        "accounts/agency-invitations/<str:token>/",
        # The candidate's consent link (hiring.views.consent): the candidate is no member.
        "consent/<str:token>/",
    }
    assert all(len(reason) > 20 for reason in reasons.values())


def test_wrapped_views_name_a_role_group() -> None:
    for route, callback in _patterns(get_resolver("config.urls_tenant")):
        roles = getattr(callback, WRAPPED_MARK, None)
        if roles is not None:
            assert roles, f"{route} allows no role at all"
