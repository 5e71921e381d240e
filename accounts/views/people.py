"""The People page of a workspace host (/people/).

- Client admins and hiring managers manage the client's own team (roles up to their own).
- An agency admin manages their agency's people, from any workspace the agency works in.
Everyone else gets the same 404 as a page that does not exist, and a person or an invitation
of another team is a 404 too (`access_member_by_id`, `access_invitation_by_id`).
"""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.forms import InviteForm, RoleForm
from accounts.invitations import (
    access_invitation_by_id,
    invitation_create,
    invitation_resend,
    invitation_revoke,
)
from accounts.links import Links
from accounts.managers import Manager
from accounts.members import (
    access_member_by_id,
    member_removal_refusal,
    member_remove,
    member_role_change,
)
from accounts.selectors import team_members, team_open_invitations, team_recent_changes
from accounts.teams import Team
from accounts.views.limits import invitation_limit_refusal
from pages.access import Caller, refusal_page, workspace_page
from pages.forms import form_action
from tenants.models import User
from tenants.roles import MANAGE_PEOPLE
from tenants.selectors import user_names


def manager_of(caller: Caller) -> Manager:
    team = Team(client=caller.client, agency=caller.agency if caller.is_agency else None)
    return Manager(user=caller.user, role=caller.role, team=team)


def change_lines(team: Team) -> list[tuple[object, str]]:
    """The team's recent people changes as sentences: who (by id, looked up now) did what."""
    changes = team_recent_changes(team=team)
    people = {c.actor_user_id for c in changes if c.actor_user_id is not None}
    names = user_names(people)
    subjects = {
        str(u.public_id): u.display_name
        for u in User.objects.filter(
            public_id__in=[c.object_id for c in changes if c.object_type == "person"]
        )
    }
    lines: list[tuple[object, str]] = []
    for change in changes:
        who = (
            names.get(change.actor_user_id or 0, "Someone")
            if change.actor_user_id
            else "The platform"
        )
        details = change.details or {}

        def role(key: str, details: dict[str, object] = details) -> str:
            return team.role_label(str(details.get(key, ""))).lower()

        subject = subjects.get(change.object_id, "a former member")
        what = {
            "member.invited": f"invited someone as {role('role')}",
            "member.invitation_resent": "sent an invitation again",
            "member.invitation_revoked": "withdrew an invitation",
            "member.joined": f"joined as {role('role')}"
            + (" through single sign-on" if details.get("via") == "sso" else ""),
            "member.role_changed": f"changed {subject} from {role('from')} to {role('to')}",
            "member.removed": f"removed {subject} ({role('role')})",
            "sign_in.settings_changed": "changed the sign-in rules",
            "sign_in.sso_changed": "changed single sign-on",
        }.get(change.action, change.action)
        lines.append((change.occurred_at, f"{who} {what}."))
    return lines


def _page(
    request: HttpRequest,
    manager: Manager,
    *,
    form: InviteForm | None = None,
    status: int = 200,
    conflict: str = "",
) -> HttpResponse:
    members = team_members(team=manager.team)
    return render(
        request,
        "accounts/people.html",
        {
            "manager": manager,
            "team": manager.team,
            "members": members,
            "manager_role_label": manager.team.role_label(manager.role),
            "grantable": manager.grantable_roles(),
            "grantable_values": [value for value, _ in manager.grantable_roles()],
            "invitations": team_open_invitations(team=manager.team),
            "changes": change_lines(manager.team),
            "form": form or InviteForm(manager=manager),
            "role_form": RoleForm(manager=manager),
            "conflict": conflict,
        },
        status=status,
    )


@workspace_page(roles=MANAGE_PEOPLE)
def people_list(request: HttpRequest, caller: Caller) -> HttpResponse:
    return _page(request, manager_of(caller))


@workspace_page(roles=MANAGE_PEOPLE, methods=("POST",))
def people_invite(request: HttpRequest, caller: Caller) -> HttpResponse:
    manager = manager_of(caller)
    form = InviteForm(request.POST, manager=manager)
    if not form.is_valid():
        return _page(request, manager, form=form, status=400)
    refused = invitation_limit_refusal(request, user_id=manager.user.pk)
    if refused is not None:
        return refused
    done = form_action(
        form,
        lambda: invitation_create(
            manager=manager,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            links=Links.like(request),
        ),
    )
    if not done.ok:
        return _page(
            request,
            manager,
            form=form,
            status=done.status if done.conflict else 400,
            conflict=done.conflict,
        )
    messages.success(
        request,
        f"Invitation sent to {form.cleaned_data['email']}. The link works for "
        f"{settings.INVITATION_MAX_AGE_DAYS} days, once.",
    )
    return redirect("accounts:people")


@workspace_page(roles=MANAGE_PEOPLE, methods=("POST",))
def member_role(request: HttpRequest, caller: Caller, public_id: str) -> HttpResponse:
    manager = manager_of(caller)
    membership = access_member_by_id(team=manager.team, public_id=public_id)
    form = RoleForm(request.POST, manager=manager)
    if not form.is_valid():
        return refusal_page(request, messages=["Choose one of the roles."], status=400)
    role = form.cleaned_data["role"]
    before = membership.role
    member_role_change(manager=manager, user=membership.user, role=role)
    if before != role:
        messages.success(
            request,
            f"{membership.user.display_name} is now {manager.team.role_label(role).lower()}; "
            "we told them by e-mail.",
        )
    return redirect("accounts:people")


@workspace_page(roles=MANAGE_PEOPLE, methods=("GET", "POST"))
def member_remove_view(request: HttpRequest, caller: Caller, public_id: str) -> HttpResponse:
    """The confirmation of a removal, saying what it means (GET), and the removal (POST)."""
    manager = manager_of(caller)
    membership = access_member_by_id(team=manager.team, public_id=public_id)
    if request.method == "POST":
        member_remove(manager=manager, user=membership.user)
        messages.success(
            request, f"{membership.user.display_name} was removed from {manager.team.name}."
        )
        if membership.user.pk == caller.user.pk:
            return redirect("/")
        return redirect("accounts:people")
    refusal = member_removal_refusal(manager=manager, membership=membership)
    return render(
        request,
        "accounts/member_remove.html",
        {
            "member": membership.user,
            "team": manager.team,
            "role_label": manager.team.role_label(membership.role),
            "is_self": membership.user.pk == caller.user.pk,
            "refusal": refusal,
        },
        status=409 if refusal else 200,
    )


@workspace_page(roles=MANAGE_PEOPLE, methods=("POST",))
def invitation_resend_view(request: HttpRequest, caller: Caller, public_id: str) -> HttpResponse:
    manager = manager_of(caller)
    invitation = access_invitation_by_id(team=manager.team, public_id=public_id)
    refused = invitation_limit_refusal(request, user_id=manager.user.pk)
    if refused is not None:
        return refused
    invitation_resend(manager=manager, invitation=invitation, links=Links.like(request))
    messages.success(
        request, f"Invitation sent again to {invitation.email}; the earlier link no longer works."
    )
    return redirect("accounts:people")


@workspace_page(roles=MANAGE_PEOPLE, methods=("POST",))
def invitation_revoke_view(request: HttpRequest, caller: Caller, public_id: str) -> HttpResponse:
    manager = manager_of(caller)
    invitation = access_invitation_by_id(team=manager.team, public_id=public_id)
    invitation_revoke(manager=manager, invitation=invitation)
    messages.success(request, f"The invitation to {invitation.email} is withdrawn.")
    return redirect("accounts:people")
