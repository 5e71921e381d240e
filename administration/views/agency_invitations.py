"""Inviting a new agency by its admin's e-mail (/engagements/invite/), the pending
invitations (sent again, withdrawn after a confirmation), and the link the agency's admin
opens (/accounts/agency-invitations/<token>/), where the agency and its engagement start.

The client admin's pages are workspace pages for client admins; the link's page is open (the
invitee is not a member of anything yet): the signed token is the authority, and it works
only on the host of the client that sent it. Every change is a POST answered by a redirect.
"""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from accounts.forms import NewAccountForm
from accounts.invitations import LinkProblem
from accounts.links import Links
from accounts.models import SignInMethod
from accounts.sessions import sign_in_method_set
from accounts.views.limits import invitation_limit_refusal
from administration.forms import AgencyInviteForm
from administration.selectors import access_agency_invitation_by_id
from administration.services.agency_invitations import (
    AgencyInvitationLink,
    agency_invitation_accept,
    agency_invitation_accept_with_new_account,
    agency_invitation_create,
    agency_invitation_from_token,
    agency_invitation_resend,
    agency_invitation_revoke,
)
from audit.errors import ConflictError
from pages.access import Caller, workspace_page
from pages.forms import apply_service_errors, form_action
from tenants.models import User
from tenants.roles import ADMINISTER_WORKSPACE

PROBLEM_STATUS = {LinkProblem.DAMAGED: 400}
INVITATION_PAGE = "administration/engagements/invitation.html"


@workspace_page(roles=ADMINISTER_WORKSPACE, methods=("GET", "POST"))
def agency_invite(request: HttpRequest, caller: Caller) -> HttpResponse:
    client = caller.client
    form = AgencyInviteForm(
        request.POST if request.method == "POST" else None,
        initial={"ownership_window_days": client.ownership_window_days},
    )
    context: dict[str, Any] = {"form": form, "days": settings.INVITATION_MAX_AGE_DAYS}
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            refused = invitation_limit_refusal(request, user_id=caller.user.pk)
            if refused is not None:
                return refused
            done = form_action(
                form,
                lambda: agency_invitation_create(
                    actor=caller.actor,
                    inviter=caller.user,
                    client=client,
                    agency_name=form.cleaned_data["agency_name"],
                    email=form.cleaned_data["email"],
                    ownership_window_days=form.cleaned_data["ownership_window_days"],
                    fee_percent=form.cleaned_data["fee_percent"],
                    links=Links.like(request),
                ),
            )
            if done.ok and done.value is not None:
                messages.success(
                    request,
                    f"Invitation sent to {done.value.email}. When they accept (the link works "
                    f"for {settings.INVITATION_MAX_AGE_DAYS} days, once), "
                    f"{done.value.agency_name} joins the platform and starts working for you "
                    "on these terms; we will tell you.",
                )
                return redirect("administration:engagement_list")
            context["page_error"] = done.conflict
            status = done.status if done.conflict else 400
    return render(request, "administration/engagements/invite.html", context, status=status)


@workspace_page(roles=ADMINISTER_WORKSPACE, methods=("POST",))
def agency_invitation_resend_view(
    request: HttpRequest, caller: Caller, public_id: str
) -> HttpResponse:
    invitation = access_agency_invitation_by_id(client=caller.client, public_id=public_id)
    refused = invitation_limit_refusal(request, user_id=caller.user.pk)
    if refused is not None:
        return refused
    agency_invitation_resend(
        actor=caller.actor, inviter=caller.user, invitation=invitation, links=Links.like(request)
    )
    messages.success(
        request,
        f"Invitation sent again to {invitation.email}; the earlier link no longer works.",
    )
    return redirect("administration:engagement_list")


@workspace_page(roles=ADMINISTER_WORKSPACE, methods=("GET", "POST"))
def agency_invitation_revoke_view(
    request: HttpRequest, caller: Caller, public_id: str
) -> HttpResponse:
    """The confirmation of a withdrawal (GET), and the withdrawal itself (POST)."""
    invitation = access_agency_invitation_by_id(client=caller.client, public_id=public_id)
    if request.method == "POST":
        agency_invitation_revoke(actor=caller.actor, inviter=caller.user, invitation=invitation)
        messages.success(
            request,
            f"The invitation of {invitation.agency_name} ({invitation.email}) is withdrawn.",
        )
        return redirect("administration:engagement_list")
    return render(
        request,
        "administration/engagements/invitation_revoke.html",
        {"invitation": invitation},
        status=200 if invitation.is_open else 409,
    )


# --- the invitee's side ------------------------------------------------------------------------


def _problem(request: HttpRequest, link: AgencyInvitationLink) -> HttpResponse:
    problem = link.problem or LinkProblem.DAMAGED
    return render(
        request,
        "accounts/invitation_problem.html",
        {"problem": problem, "invitation": link.invitation},
        status=PROBLEM_STATUS.get(problem, 410),
    )


@never_cache
@sensitive_post_parameters("password1", "password2")
def agency_invitation_open(request: HttpRequest, token: str) -> HttpResponse:
    link = agency_invitation_from_token(token)
    tenant = getattr(request, "tenant", None)
    if link.invitation is not None and (tenant is None or link.invitation.client_id != tenant.pk):
        # A link carried onto another host is no link at all there.
        link = AgencyInvitationLink(invitation=None, problem=LinkProblem.DAMAGED)
    if not link.ok or link.invitation is None:
        return _problem(request, link)
    invitation = link.invitation
    context: dict[str, Any] = {"invitation": invitation, "conflict": ""}
    user = request.user
    if user.is_authenticated:
        if str(getattr(user, "email", "")).lower() != invitation.email.lower():
            context["other_person"] = True
            return render(request, INVITATION_PAGE, context, status=403)
        if request.method == "POST":
            try:
                agency_invitation_accept(invitation=invitation, user=user)
            except ConflictError as error:
                context["conflict"] = error.message
                return render(request, INVITATION_PAGE, context, status=409)
            messages.success(request, _welcome(invitation.agency_name, invitation.client.name))
            return redirect("/")
        return render(request, INVITATION_PAGE, context)
    if User.objects.filter(email__iexact=invitation.email).exists():
        # The link was sent to the address: telling its holder that the address has an
        # account (so: sign in, not sign up) tells the owner only.
        context["sign_in_first"] = True
        return render(request, INVITATION_PAGE, context)
    form = NewAccountForm(request.POST or None)
    context["form"] = form
    if request.method == "POST" and form.is_valid():
        try:
            new_user = agency_invitation_accept_with_new_account(
                invitation=invitation,
                name=form.cleaned_data["name"],
                password=form.cleaned_data["password1"],
            )
        except ConflictError as error:
            context["conflict"] = error.message
            return render(request, INVITATION_PAGE, context, status=409)
        except ValidationError as error:
            apply_service_errors(form, error, fields={"password": "password1"})
            return render(request, INVITATION_PAGE, context, status=400)
        sign_in_method_set(request, SignInMethod.INVITATION)
        login(request, new_user, backend=settings.AUTHENTICATION_BACKENDS[0])
        messages.success(request, _welcome(invitation.agency_name, invitation.client.name))
        return redirect("/")
    status = 400 if request.method == "POST" else 200
    return render(request, INVITATION_PAGE, context, status=status)


def _welcome(agency: str, client: str) -> str:
    return (
        f"{agency} is on AI Hiring and works for {client}: you are its admin. Invite your "
        "recruiters from People, and open the briefs shared with you to submit candidates."
    )
