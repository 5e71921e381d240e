"""A team's members: change a role, remove someone.

Rules, checked under a lock on the team's admin rows so two admins acting at once cannot
both step away:
- nobody grants a role above their own, or manages someone whose role is above theirs
  (tenants.roles.ROLE_RANK: only admins manage admins);
- the last admin of a team can neither be demoted nor removed.
The person is told by e-mail; the change is audited (accounts.teams.team_audit).
"""

from typing import Any

from django.db import transaction

from accounts.mail import account_mail_send_on_commit
from accounts.managers import Manager, manager_check
from accounts.teams import Team, team_audit
from audit.errors import ConflictError, NotFoundError
from tenants.models import AgencyMembership, ClientMembership, User


def _memberships(team: Team) -> Any:
    if team.agency is None:
        return ClientMembership.objects.filter(client=team.client)
    return AgencyMembership.objects.filter(agency=team.agency)


def access_member_by_id(*, team: Team, public_id: object) -> ClientMembership | AgencyMembership:
    """The membership of the person with this public id in the team, or NotFoundError (the
    same for someone of another team and for nobody)."""
    found = _memberships(team).select_related("user").filter(user__public_id=public_id).first()
    if found is None:
        raise NotFoundError()
    return found


def _lock_admins(team: Team) -> int:
    """Lock the team's admin rows (until the transaction ends) and count them."""
    return len(
        list(
            _memberships(team)
            .filter(role=team.admin_role)
            .select_for_update()
            .values_list("pk", flat=True)
        )
    )


def _check_reach(manager: Manager, membership: Any) -> None:
    team = manager.team
    if not manager.may_grant(membership.role):
        raise ConflictError(
            f"{membership.user.display_name} is {team.role_label(membership.role).lower()}, a "
            f"role above yours: only someone at that role or above can change it.",
            code="role_above_yours",
        )


def _refuse_last_admin(team: Team, membership: Any, *, doing: str) -> None:
    if membership.role == team.admin_role and _lock_admins(team) <= 1:
        raise ConflictError(
            f"{membership.user.display_name} is the only admin of {team.name}: make someone "
            f"else admin first, then {doing}.",
            code="last_admin",
        )


def member_role_change(*, manager: Manager, user: User, role: str) -> Any:
    """Give a member of the manager's team another role."""
    manager_check(manager)
    team = manager.team
    if role not in dict(team.role_choices):
        raise ConflictError(f"'{role}' is not a role of {team.name}.", code="unknown_role")
    with transaction.atomic():
        membership = _memberships(team).select_for_update().select_related("user").get(user=user)
        _check_reach(manager, membership)
        if not manager.may_grant(role):
            raise ConflictError(
                f"You can give roles up to your own ({team.role_label(manager.role)}).",
                code="role_above_yours",
            )
        if membership.role == role:
            return membership
        if role != team.admin_role:
            _refuse_last_admin(team, membership, doing="change this role")
        before = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        team_audit(
            team=team,
            actor=manager.actor,
            action="member.role_changed",
            object_type="person",
            object_id=user.public_id,
            details={"from": before, "to": role},
        )
        account_mail_send_on_commit(
            to=user.email,
            subject=f"Your role at {team.name} is now {team.role_label(role)}",
            template="role_changed",
            context={
                "team": team,
                "manager": manager.user.display_name,
                "before": team.role_label(before),
                "after": team.role_label(role),
            },
        )
    return membership


def member_removal_refusal(*, manager: Manager, membership: Any) -> str:
    """Why the manager cannot remove this member now ("" when they can), for the confirmation
    page; `member_remove` checks the same again under its lock."""
    try:
        _check_reach(manager, membership)
    except ConflictError as error:
        return error.message
    team = manager.team
    if (
        membership.role == team.admin_role
        and _memberships(team).filter(role=team.admin_role).count() <= 1
    ):
        return (
            f"{membership.user.display_name} is the only admin of {team.name}: make someone "
            "else admin first, then remove this person."
        )
    return ""


def member_remove(*, manager: Manager, user: User) -> None:
    """Remove a member from the manager's team: access ends with their next request."""
    manager_check(manager)
    team = manager.team
    with transaction.atomic():
        membership = _memberships(team).select_for_update().select_related("user").get(user=user)
        _check_reach(manager, membership)
        _refuse_last_admin(team, membership, doing="remove this person")
        role = membership.role
        membership.delete()
        team_audit(
            team=team,
            actor=manager.actor,
            action="member.removed",
            object_type="person",
            object_id=user.public_id,
            details={"role": role},
        )
        account_mail_send_on_commit(
            to=user.email,
            subject=f"You were removed from {team.name}",
            template="removed",
            context={
                "team": team,
                "manager": manager.user.display_name,
                "role": team.role_label(role),
            },
        )
