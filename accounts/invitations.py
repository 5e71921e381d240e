"""Invitations: a person is asked by e-mail to join a team with a role.

The link carries a signed token (`signing.dumps` of the invitation's id and its link nonce,
salted for invitations): a changed character is "damaged", an old nonce (the invitation was
sent again) is "superseded", and the row itself says "expired" (INVITATION_MAX_AGE_DAYS after
the last send), "used" or "withdrawn". Whatever is wrong, nothing changes.

Whether the invited address has an account is never shown to the inviter: the answer, the
e-mail's subject and the page the inviter sees are the same either way. The invitee, who holds
the link, is asked for a password to create the account or to sign in to an existing one.
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.links import Links
from accounts.mail import account_mail_send_on_commit
from accounts.managers import Manager, manager_check
from accounts.models import Invitation
from accounts.teams import Team, team_audit
from audit.actors import Actor
from audit.errors import ConflictError, NotFoundError
from tenants.models import (
    AgencyMembership,
    AgencyRole,
    ClientMembership,
    User,
)
from tenants.selectors import AGENCY_VISIBLE_STATUSES
from tenants.services import (
    agency_membership_grant,
    client_membership_grant,
    normalize_login_email,
)

TOKEN_SALT = "accounts.invitation"
NAME_MAX_LENGTH = 200
ACCOUNT_EXISTS = "An account with this address exists already: sign in to accept the invitation."


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps(
        {"i": str(invitation.public_id), "n": invitation.link_nonce}, salt=TOKEN_SALT
    )


def invitation_link(invitation: Invitation, *, links: Links) -> str:
    return links.workspace(
        invitation.client, f"/accounts/invitations/{invitation_token(invitation)}/"
    )


def _expiry(sent_at: Any) -> Any:
    return sent_at + timedelta(days=settings.INVITATION_MAX_AGE_DAYS)


def _team_of(invitation: Invitation) -> Team:
    return Team(client=invitation.client, agency=invitation.agency)


def _send_invitation(invitation: Invitation, *, links: Links, inviter: User) -> None:
    team = _team_of(invitation)
    account_mail_send_on_commit(
        to=invitation.email,
        subject=f"{inviter.display_name} invited you to {team.name} on AI Hiring",
        template="invitation",
        context={
            "inviter": inviter.display_name,
            "team": team,
            "workspace": invitation.client.name,
            "role": team.role_label(invitation.role),
            "link": invitation_link(invitation, links=links),
            "days": settings.INVITATION_MAX_AGE_DAYS,
            "expires_at": invitation.expires_at,
        },
    )


def _check_role(manager: Manager, role: str) -> None:
    team = manager.team
    if role not in dict(team.role_choices):
        if not team.is_agency and role in AgencyRole.values:
            message = "Agency roles are given by the agency's own admin, not by the workspace."
        else:
            labels = ", ".join(label for _, label in team.role_choices)
            message = f"Choose one of the roles of {team.name}: {labels}."
        raise ValidationError({"role": message})
    if not manager.may_grant(role):
        raise ValidationError(
            {
                "role": f"You can give roles up to your own ({team.role_label(manager.role)}); "
                f"ask an admin to invite a {team.role_label(role).lower()}."
            }
        )


def _refuse_existing_people(team: Team, email: str) -> None:
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        return
    if team.agency is None:
        client_member = ClientMembership.objects.filter(user=user, client=team.client).first()
        if client_member is not None:
            raise ValidationError(
                {
                    "email": f"{email} is already a member of {team.client.name} "
                    f"({client_member.get_role_display()}). Change their role in the list instead."
                }
            )
        vendor = (
            AgencyMembership.objects.filter(
                user=user,
                agency__engagements__client=team.client,
                agency__engagements__status__in=AGENCY_VISIBLE_STATUSES,
            )
            .select_related("agency")
            .first()
        )
        if vendor is not None:
            raise ValidationError(
                {
                    "email": f"{email} works for {vendor.agency.name}, an agency of this "
                    "workspace. Agencies' people cannot also join the hiring team, which sees "
                    "every agency's candidates."
                }
            )
        return
    membership = AgencyMembership.objects.filter(user=user, agency=team.agency).first()
    if membership is not None:
        raise ValidationError(
            {
                "email": f"{email} is already in {team.agency.name} "
                f"({membership.get_role_display()})."
            }
        )
    hiring_side = ClientMembership.objects.filter(
        user=user,
        client__engagements__agency=team.agency,
        client__engagements__status__in=AGENCY_VISIBLE_STATUSES,
    ).exists()
    if hiring_side:
        raise ValidationError(
            {
                "email": f"{email} is on the hiring team of a client {team.agency.name} works "
                "for, and cannot also submit candidates to it."
            }
        )


def invitation_create(*, manager: Manager, email: str, role: str, links: Links) -> Invitation:
    """Invite `email` to the manager's team with `role` and e-mail the link."""
    manager_check(manager)
    team = manager.team
    email = normalize_login_email(email)
    _check_role(manager, role)
    _refuse_existing_people(team, email)
    pending = Invitation.objects.filter(
        email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
    )
    if team.agency is None:
        pending = pending.filter(client=team.client, agency__isnull=True)
    else:
        pending = pending.filter(agency=team.agency)
    if pending.exists():
        raise ValidationError(
            {"email": f"An invitation to {email} is already open: send it again or withdraw it."}
        )
    try:
        with transaction.atomic():
            now = timezone.now()
            invitation = Invitation.objects.create(
                email=email,
                client=team.client,
                agency=team.agency,
                role=role,
                invited_by=manager.user,
                link_nonce=secrets.token_hex(16),
                created_at=now,
                sent_at=now,
                expires_at=_expiry(now),
            )
            team_audit(
                team=team,
                actor=manager.actor,
                action="member.invited",
                object_type="invitation",
                object_id=invitation.public_id,
                details={"role": role},
            )
            _send_invitation(invitation, links=links, inviter=manager.user)
    except IntegrityError:
        raise ValidationError(
            {"email": f"An invitation to {email} is already open: send it again or withdraw it."}
        ) from None
    return invitation


def _open_invitation_for(manager: Manager, invitation: Invitation) -> None:
    if not invitation.is_open:
        state = "accepted" if invitation.accepted_at else "withdrawn"
        raise ConflictError(f"This invitation was already {state}.", code=f"invitation_{state}")
    if not manager.may_grant(invitation.role):
        raise ConflictError(
            f"Only people with a role at or above {manager.team.role_label(invitation.role)} "
            "can manage this invitation.",
            code="role_above_yours",
        )


def invitation_resend(*, manager: Manager, invitation: Invitation, links: Links) -> Invitation:
    """Send the invitation again with a new link that works another INVITATION_MAX_AGE_DAYS;
    the earlier links stop working."""
    manager_check(manager)
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        _open_invitation_for(manager, invitation)
        invitation.link_nonce = secrets.token_hex(16)
        invitation.sent_at = timezone.now()
        invitation.expires_at = _expiry(invitation.sent_at)
        invitation.send_count += 1
        invitation.save(update_fields=["link_nonce", "sent_at", "expires_at", "send_count"])
        team_audit(
            team=manager.team,
            actor=manager.actor,
            action="member.invitation_resent",
            object_type="invitation",
            object_id=invitation.public_id,
            details={"role": invitation.role, "send_count": invitation.send_count},
        )
        _send_invitation(invitation, links=links, inviter=manager.user)
    return invitation


def invitation_revoke(*, manager: Manager, invitation: Invitation) -> Invitation:
    """Withdraw an open invitation: its link stops working and the invitee is told."""
    manager_check(manager)
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        _open_invitation_for(manager, invitation)
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        team_audit(
            team=manager.team,
            actor=manager.actor,
            action="member.invitation_revoked",
            object_type="invitation",
            object_id=invitation.public_id,
            details={"role": invitation.role},
        )
        account_mail_send_on_commit(
            to=invitation.email,
            subject=f"Your invitation to {manager.team.name} was withdrawn",
            template="invitation_revoked",
            context={"team": manager.team, "manager": manager.user.display_name},
        )
    return invitation


# --- the invitee's side ------------------------------------------------------------------------


class LinkProblem:
    DAMAGED = "damaged"
    SUPERSEDED = "superseded"
    EXPIRED = "expired"
    USED = "used"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class InvitationLink:
    """What a link leads to: the invitation, or why it no longer works (and then, where it
    is known, the invitation it was for)."""

    invitation: Invitation | None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None and self.invitation is not None


def invitation_token_load(
    token: str, *, salt: str = TOKEN_SALT
) -> tuple[dict[str, Any] | None, str | None]:
    """The data an invitation link signs (team invitations with TOKEN_SALT, agency
    invitations with their own salt; the same lifetime), or None with why the link no
    longer works."""
    try:
        data = signing.loads(
            token, salt=salt, max_age=timedelta(days=settings.INVITATION_MAX_AGE_DAYS)
        )
    except signing.SignatureExpired:
        return None, LinkProblem.EXPIRED
    except signing.BadSignature:
        return None, LinkProblem.DAMAGED
    if not isinstance(data, dict):
        return None, LinkProblem.DAMAGED
    return data, None


def invitation_link_problem(invitation: Any, *, nonce: object) -> str | None:
    """Why a found invitation's link no longer works, or None: used, withdrawn, replaced by
    a newer link (its nonce), or past its date. For team and agency invitations alike."""
    if invitation.accepted_at is not None:
        return LinkProblem.USED
    if invitation.revoked_at is not None:
        return LinkProblem.WITHDRAWN
    if not secrets.compare_digest(str(nonce or ""), invitation.link_nonce):
        return LinkProblem.SUPERSEDED
    if invitation.is_expired:
        return LinkProblem.EXPIRED
    return None


def invitation_from_token(token: str) -> InvitationLink:
    data, problem = invitation_token_load(token)
    if data is None:
        return InvitationLink(invitation=None, problem=problem)
    invitation = (
        Invitation.objects.filter(public_id=str(data.get("i") or ""))
        .select_related("client", "agency", "invited_by")
        .first()
    )
    if invitation is None:
        return InvitationLink(invitation=None, problem=LinkProblem.DAMAGED)
    return InvitationLink(
        invitation=invitation, problem=invitation_link_problem(invitation, nonce=data.get("n"))
    )


def _refuse_conflicts_of(invitation: Invitation, user: User) -> None:
    if invitation.agency is None:
        vendor = (
            AgencyMembership.objects.filter(
                user=user,
                agency__engagements__client=invitation.client,
                agency__engagements__status__in=AGENCY_VISIBLE_STATUSES,
            )
            .select_related("agency")
            .first()
        )
        if vendor is not None:
            raise ConflictError(
                f"You work for {vendor.agency.name}, an agency of {invitation.client.name}: "
                "an agency's people cannot also join the client's hiring team.",
                code="vendor_cannot_join_client",
            )
        return
    other = (
        AgencyMembership.objects.filter(user=user)
        .exclude(agency=invitation.agency)
        .select_related("agency")
        .first()
    )
    if other is not None:
        raise ConflictError(
            f"You already work for {other.agency.name}: a person belongs to one agency at a "
            f"time. Ask {other.agency.name}'s admin to remove you first, then open this link "
            "again.",
            code="already_in_another_agency",
        )
    hiring_side = ClientMembership.objects.filter(
        user=user,
        client__engagements__agency=invitation.agency,
        client__engagements__status__in=AGENCY_VISIBLE_STATUSES,
    ).exists()
    if hiring_side:
        raise ConflictError(
            f"You are on the hiring team of a client {invitation.agency.name} works for, and "
            "cannot also submit candidates to it.",
            code="client_member_cannot_join_vendor",
        )


def invitation_accept(*, invitation: Invitation, user: User) -> Invitation:
    """`user` (signed in, with the invited address) joins the team with the invited role.
    Once: a second acceptance, even at the same moment, is refused."""
    if user.email.lower() != invitation.email.lower():
        raise ConflictError(
            "This invitation is for another e-mail address: sign out, then open the link again.",
            code="invitation_for_someone_else",
        )
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("client", "agency")
            .get(pk=invitation.pk)
        )
        if not invitation.is_open:
            raise ConflictError(
                "This invitation was already used or withdrawn.", code="invitation_closed"
            )
        if invitation.is_expired:
            raise ConflictError("This invitation has expired.", code="invitation_expired")
        _refuse_conflicts_of(invitation, user)
        if invitation.agency is None:
            existing = ClientMembership.objects.filter(user=user, client=invitation.client).first()
            if existing is None:
                client_membership_grant(user=user, client=invitation.client, role=invitation.role)
        else:
            existing_agency = AgencyMembership.objects.filter(
                user=user, agency=invitation.agency
            ).first()
            if existing_agency is None:
                agency_membership_grant(user=user, agency=invitation.agency, role=invitation.role)
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        team_audit(
            team=_team_of(invitation),
            actor=Actor.for_user(user, agency_id=invitation.agency_id),
            action="member.joined",
            object_type="person",
            object_id=user.public_id,
            details={"role": invitation.role, "invitation": str(invitation.public_id)},
        )
    return invitation


def invitee_account_create(
    *, email: str, name: str, password: str, accept: Callable[[User], object]
) -> User:
    """Create an invitee's account (name and password) and accept with it, in one
    transaction: `accept(user)` is the invitation's own acceptance (a team's or an agency's).
    ValidationError by field for a bad name or password; ConflictError when the address has
    an account already (the invitee signs in to accept instead)."""
    errors: dict[str, list[str]] = {}
    name = " ".join((name or "").split())
    if len(name) > NAME_MAX_LENGTH:
        errors["name"] = [f"Keep the name under {NAME_MAX_LENGTH} characters."]
    if User.objects.filter(email__iexact=email).exists():
        raise ConflictError(ACCOUNT_EXISTS, code="account_exists")
    candidate = User(email=email.lower(), name=name)
    try:
        validate_password(password, user=candidate)
    except ValidationError as error:
        errors["password"] = list(error.messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        try:
            user = User.objects.create_user(email=email, password=password, name=name)
        except IntegrityError:
            raise ConflictError(ACCOUNT_EXISTS, code="account_exists") from None
        accept(user)
    return user


def invitation_accept_with_new_account(*, invitation: Invitation, name: str, password: str) -> User:
    """Create the invitee's account (name and password) and accept the invitation with it."""
    return invitee_account_create(
        email=invitation.email,
        name=name,
        password=password,
        accept=lambda user: invitation_accept(invitation=invitation, user=user),
    )


def access_invitation_by_id(*, team: Team, public_id: object) -> Invitation:
    """An invitation of the team, or NotFoundError (also for another team's)."""
    invitations = Invitation.objects.select_related("client", "agency")
    if team.agency is None:
        invitations = invitations.filter(client=team.client, agency__isnull=True)
    else:
        invitations = invitations.filter(agency=team.agency)
    found = invitations.filter(public_id=str(public_id)).first()
    if found is None:
        raise NotFoundError()
    return found
