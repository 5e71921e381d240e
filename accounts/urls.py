"""URLs of people and sign-in.

- `workspace_patterns`: the People and sign-in settings pages of a workspace host, in the
  "accounts" namespace (config.urls_tenant includes them at the root);
- `sign_in_patterns(open_page)`: the sign-in steps every host serves (two-factor, reset,
  invitation links); on a workspace host they are marked open, with the reason;
- `public_patterns`: the account pages and the dashboard's hand-off, on the public host.
"""

from collections.abc import Callable
from typing import Any

from django.urls import URLPattern, path

from accounts.views import account, handoff, invitations, people, reset, sign_in_settings, sso
from accounts.views import two_factor as two_factor_views

app_name = "accounts"

workspace_patterns = [
    path("people/", people.people_list, name="people"),
    path("people/invite/", people.people_invite, name="people_invite"),
    path("people/members/<uuid:public_id>/role/", people.member_role, name="member_role"),
    path(
        "people/members/<uuid:public_id>/remove/", people.member_remove_view, name="member_remove"
    ),
    path(
        "people/invitations/<uuid:public_id>/resend/",
        people.invitation_resend_view,
        name="invitation_resend",
    ),
    path(
        "people/invitations/<uuid:public_id>/revoke/",
        people.invitation_revoke_view,
        name="invitation_revoke",
    ),
    path("settings/sign-in/", sign_in_settings.sign_in_settings, name="sign_in_settings"),
]
urlpatterns = workspace_patterns

Mark = Callable[[Callable[..., Any]], Callable[..., Any]]


def _as_is(view: Callable[..., Any]) -> Callable[..., Any]:
    return view


def sign_in_patterns(mark: Callable[[str], Mark] | None = None) -> list[URLPattern]:
    """The sign-in steps; `mark(reason)` wraps each view (open_page on workspace hosts)."""

    def open_(reason: str) -> Mark:
        return mark(reason) if mark is not None else _as_is

    return [
        path(
            "accounts/two-factor/",
            open_("the second step of signing in comes before any membership is known")(
                two_factor_views.two_factor_step
            ),
            name="two_factor",
        ),
        path(
            "accounts/password/reset/",
            open_("someone who forgot their password cannot be signed in")(
                reset.ResetRequestView.as_view()
            ),
            name="password_reset",
        ),
        path(
            "accounts/password/reset/done/",
            open_("it only says an e-mail may be on its way")(reset.ResetDoneView.as_view()),
            name="password_reset_done",
        ),
        path(
            "accounts/password/reset/<uidb64>/<token>/",
            open_("the signed reset link from the e-mail is the authority")(
                reset.ResetConfirmView.as_view()
            ),
            name="password_reset_confirm",
        ),
        path(
            "accounts/password/reset/complete/",
            open_("it only says the password was changed")(reset.ResetCompleteView.as_view()),
            name="password_reset_complete",
        ),
        path(
            "accounts/invitations/<str:token>/",
            open_("an invitee is not a member until they accept; the signed link is the authority")(
                invitations.invitation_open
            ),
            name="invitation",
        ),
    ]


public_patterns = [
    path("account/", account.account_home, name="account"),
    path("account/password/", account.PasswordChangeView.as_view(), name="password_change"),
    path("account/sessions/end/", account.sessions_end, name="sessions_end"),
    path("account/two-factor/", account.two_factor_setup, name="two_factor_setup"),
    path(
        "account/two-factor/recovery-codes/",
        account.recovery_codes_renew,
        name="recovery_codes_renew",
    ),
    path("account/two-factor/off/", account.two_factor_off, name="two_factor_off"),
    path("workspaces/<uuid:public_id>/open/", handoff.workspace_open, name="workspace_open"),
]


def workspace_arrival_patterns(mark: Callable[[str], Mark]) -> list[URLPattern]:
    """Workspace-host pages that sign a person in: the hand-off and single sign-on."""
    return [
        path(
            "accounts/handoff/<str:token>/",
            mark("the signed hand-off from the dashboard is how the session here begins")(
                handoff.handoff_arrive
            ),
            name="handoff",
        ),
        path(
            "accounts/sso/start/",
            mark("single sign-on begins before anyone is signed in")(sso.sso_start),
            name="sso_start",
        ),
        path(
            "accounts/sso/callback/",
            mark("the identity provider sends the person back here to be signed in")(
                sso.sso_callback
            ),
            name="sso_callback",
        ),
    ]
