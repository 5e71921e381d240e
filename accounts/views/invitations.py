"""Accepting an invitation: the link from the e-mail, on the workspace's host (or the public
one). Open to people who are not members yet; the signed token is the authority."""

from django.conf import settings
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from accounts.forms import NewAccountForm
from accounts.invitations import (
    InvitationLink,
    LinkProblem,
    invitation_accept,
    invitation_accept_with_new_account,
    invitation_from_token,
)
from accounts.links import Links
from accounts.models import Invitation, SignInMethod
from accounts.sessions import sign_in_method_set
from accounts.teams import Team
from audit.errors import ConflictError
from pages.forms import apply_service_errors
from tenants.models import User
from tenants.selectors import workspace_access_for

PROBLEM_STATUS = {LinkProblem.DAMAGED: 400}


def _landing(request: HttpRequest, invitation: Invitation, user: User) -> HttpResponseRedirect:
    """The workspace the invitation was sent from, when the person may open it."""
    tenant = getattr(request, "tenant", None)
    links = Links.like(request)
    if workspace_access_for(user=user, client=invitation.client) is not None:
        if tenant is not None and tenant.pk == invitation.client_id:
            return HttpResponseRedirect("/")
        return HttpResponseRedirect(links.workspace(invitation.client, "/"))
    return HttpResponseRedirect(links.public("/"))


def _problem(request: HttpRequest, link: InvitationLink) -> HttpResponse:
    problem = link.problem or LinkProblem.DAMAGED
    return render(
        request,
        "accounts/invitation_problem.html",
        {"problem": problem, "invitation": link.invitation},
        status=PROBLEM_STATUS.get(problem, 410),
    )


@never_cache
@sensitive_post_parameters("password1", "password2")
def invitation_open(request: HttpRequest, token: str) -> HttpResponse:
    link = invitation_from_token(token)
    tenant = getattr(request, "tenant", None)
    moved = (  # a link carried onto another workspace's host
        link.invitation is not None
        and tenant is not None
        and not tenant.is_public
        and link.invitation.client_id != tenant.pk
    )
    if moved:
        link = InvitationLink(invitation=None, problem=LinkProblem.DAMAGED)
    if not link.ok or link.invitation is None:
        return _problem(request, link)
    invitation = link.invitation
    team = Team(client=invitation.client, agency=invitation.agency)
    context: dict[str, object] = {
        "invitation": invitation,
        "team": team,
        "role_label": team.role_label(invitation.role),
        "conflict": "",
    }
    user = request.user
    if user.is_authenticated:
        if str(getattr(user, "email", "")).lower() != invitation.email.lower():
            context["other_person"] = True
            return render(request, "accounts/invitation.html", context, status=403)
        if request.method == "POST":
            try:
                invitation_accept(invitation=invitation, user=user)
            except ConflictError as error:
                context["conflict"] = error.message
                return render(request, "accounts/invitation.html", context, status=409)
            return _landing(request, invitation, user)
        return render(request, "accounts/invitation.html", context)
    if User.objects.filter(email__iexact=invitation.email).exists():
        # The link was sent to the address: telling its holder that the address has an
        # account (so: sign in, not sign up) tells the owner only.
        context["sign_in_first"] = True
        return render(request, "accounts/invitation.html", context)
    form = NewAccountForm(request.POST or None)
    context["form"] = form
    if request.method == "POST" and form.is_valid():
        try:
            new_user = invitation_accept_with_new_account(
                invitation=invitation,
                name=form.cleaned_data["name"],
                password=form.cleaned_data["password1"],
            )
        except ConflictError as error:
            context["conflict"] = error.message
            return render(request, "accounts/invitation.html", context, status=409)
        except ValidationError as error:
            apply_service_errors(form, error, fields={"password": "password1"})
            return render(request, "accounts/invitation.html", context, status=400)
        sign_in_method_set(request, SignInMethod.INVITATION)
        login(request, new_user, backend=settings.AUTHENTICATION_BACKENDS[0])
        return _landing(request, invitation, new_user)
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/invitation.html", context, status=status)
