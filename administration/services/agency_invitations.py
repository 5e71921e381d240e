"""Inviting a new agency by its admin's e-mail (a client admin's engagements page).

An agency that is not on the platform yet cannot be engaged: the client admin invites its
admin instead, with the agency's name and the terms the engagement will start on. Nothing is
created for the agency until the link is used; accepting it, in one transaction:

1. creates the `Agency` (a platform-level row, slug drawn from the name),
2. makes the invitee its first agency admin (a new account with a password, or the account
   they signed in with),
3. starts the `Engagement` with the invited terms,
4. records it in the client's audit trail (and the agency's own people trail), and an outbox
   event from which the inviter is notified (notifications.events.notices).

The link works like a team invitation's (accounts.invitations): signed, one use, expiring
INVITATION_MAX_AGE_DAYS after the last send, a resend draws a new nonce so only the newest
e-mail's link works, a withdrawal closes it. Whatever is wrong with a link, nothing changes.
The audit rows hold ids and terms only, never the name or the address typed.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any, Final

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django_tenants.utils import schema_context

from accounts.invitations import (
    LinkProblem,
    invitation_link_problem,
    invitation_token_load,
    invitee_account_create,
)
from accounts.links import Links
from accounts.mail import account_mail_send_on_commit
from accounts.models import AgencyInvitation
from accounts.teams import Team, team_audit
from administration.services.engagements import clean_terms
from audit.actors import Actor
from audit.errors import ConflictError
from audit.services import audit_record
from hiring.text import line_text_clean
from outbox.services import outbox_record
from tenants.models import (
    Agency,
    AgencyMembership,
    AgencyRole,
    Client,
    ClientMembership,
    Engagement,
    User,
)
from tenants.selectors import AGENCY_VISIBLE_STATUSES
from tenants.services import (
    RESERVED_SLUGS,
    agency_membership_grant,
    engagement_create,
    normalize_login_email,
)

TOKEN_SALT: Final = "administration.agency_invitation"
ACCEPTED_EVENT: Final = "agency_invitation.accepted"
AGENCY_NAME_MAX_LENGTH: Final = 200
SLUG_MAX_LENGTH: Final = 40


def agency_invitation_token(invitation: AgencyInvitation) -> str:
    return signing.dumps(
        {"a": str(invitation.public_id), "n": invitation.link_nonce}, salt=TOKEN_SALT
    )


def agency_invitation_link(invitation: AgencyInvitation, *, links: Links) -> str:
    """The link in the e-mail: on the inviting client's host, where the agency will work."""
    return links.workspace(
        invitation.client, f"/accounts/agency-invitations/{agency_invitation_token(invitation)}/"
    )


def _expiry(sent_at: Any) -> Any:
    return sent_at + timedelta(days=settings.INVITATION_MAX_AGE_DAYS)


def _fee_text(fee: Decimal | None) -> str | None:
    return None if fee is None else f"{fee:.2f}"


def _send(invitation: AgencyInvitation, *, links: Links, inviter: User) -> None:
    account_mail_send_on_commit(
        to=invitation.email,
        subject=f"{invitation.client.name} invites {invitation.agency_name} to work with it "
        "on AI Hiring",
        template="agency_invitation",
        context={
            "inviter": inviter.display_name,
            "invitation": invitation,
            "client": invitation.client.name,
            "link": agency_invitation_link(invitation, links=links),
            "days": settings.INVITATION_MAX_AGE_DAYS,
        },
    )


def _audit(*, client: Client, actor: Actor, action: str, invitation: AgencyInvitation) -> None:
    with schema_context(client.schema_name):
        audit_record(
            actor=actor,
            action=action,
            object_type="agency_invitation",
            object_id=invitation.public_id,
            details={
                "ownership_window_days": invitation.ownership_window_days,
                "fee_percent": _fee_text(invitation.fee_percent),
                "send_count": invitation.send_count,
            },
        )


def _clean_agency_name(name: str) -> str:
    try:
        cleaned = " ".join(line_text_clean(name).split())
    except ValidationError as error:
        raise ValidationError({"agency_name": error.messages}) from None
    if not cleaned:
        raise ValidationError({"agency_name": "Give the agency's name."})
    if len(cleaned) > AGENCY_NAME_MAX_LENGTH:
        raise ValidationError(
            {"agency_name": f"Keep the name under {AGENCY_NAME_MAX_LENGTH} characters."}
        )
    return cleaned


def _refuse_known(*, client: Client, agency_name: str, email: str) -> None:
    """What the inviter may be told: about their own team, the agencies that work for them and
    the agencies on the platform (the engage page lists those anyway). Never whether an
    address has an account elsewhere."""
    member = (
        ClientMembership.objects.filter(client=client, user__email__iexact=email)
        .select_related("user")
        .first()
    )
    if member is not None:
        raise ValidationError(
            {
                "email": f"{email} is on your hiring team ({member.get_role_display()}): "
                "a member of the hiring team cannot also submit candidates as an agency."
            }
        )
    vendor = (
        AgencyMembership.objects.filter(
            user__email__iexact=email,
            agency__engagements__client=client,
            agency__engagements__status__in=AGENCY_VISIBLE_STATUSES,
        )
        .select_related("agency")
        .first()
    )
    if vendor is not None:
        raise ValidationError(
            {"email": f"{email} works for {vendor.agency.name}, which already works for you."}
        )
    same_name = Agency.objects.filter(name__iexact=agency_name, is_active=True).first()
    if same_name is not None:
        engaged = Engagement.objects.filter(
            client=client, agency=same_name, status__in=AGENCY_VISIBLE_STATUSES
        ).exists()
        if engaged:
            message = f"{same_name.name} already works for you."
        else:
            message = (
                f"An agency called {same_name.name} is already on the platform: engage it "
                "instead of inviting it."
            )
        raise ValidationError({"agency_name": message})


def _already_open(email: str) -> ValidationError:
    return ValidationError(
        {"email": f"An invitation to {email} is already open: send it again or withdraw it."}
    )


def agency_invitation_create(
    *,
    actor: Actor,
    inviter: User,
    client: Client,
    agency_name: str,
    email: str,
    ownership_window_days: object,
    fee_percent: object = None,
    links: Links,
) -> AgencyInvitation:
    """Invite the admin of an agency not on the platform yet, with the engagement's terms,
    and e-mail them the link."""
    errors: dict[str, list[str]] = {}
    name = ""
    window, fee = 0, None
    try:
        name = _clean_agency_name(agency_name)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        window, fee = clean_terms(
            ownership_window_days=ownership_window_days, fee_percent=fee_percent
        )
    except ValidationError as error:
        errors.update(error.message_dict)
    email = normalize_login_email(email)
    if not email:
        errors["email"] = ["Give the e-mail address of the agency's admin."]
    if errors:
        raise ValidationError(errors)
    _refuse_known(client=client, agency_name=name, email=email)
    open_ones = AgencyInvitation.objects.filter(
        client=client, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
    )
    if open_ones.exists():
        raise _already_open(email)
    try:
        with transaction.atomic():
            now = timezone.now()
            invitation = AgencyInvitation.objects.create(
                client=client,
                agency_name=name,
                email=email,
                ownership_window_days=window,
                fee_percent=fee,
                invited_by=inviter,
                link_nonce=secrets.token_hex(16),
                created_at=now,
                sent_at=now,
                expires_at=_expiry(now),
            )
            _audit(
                client=client,
                actor=actor,
                action="engagement.invitation_sent",
                invitation=invitation,
            )
            _send(invitation, links=links, inviter=inviter)
    except IntegrityError:
        raise _already_open(email) from None
    return invitation


def _locked_open(invitation: AgencyInvitation) -> AgencyInvitation:
    locked = (
        AgencyInvitation.objects.select_for_update(of=("self",))
        .select_related("client")
        .get(pk=invitation.pk)
    )
    if not locked.is_open:
        state = "accepted" if locked.accepted_at else "withdrawn"
        raise ConflictError(f"This invitation was already {state}.", code=f"invitation_{state}")
    return locked


def agency_invitation_resend(
    *, actor: Actor, inviter: User, invitation: AgencyInvitation, links: Links
) -> AgencyInvitation:
    """Send the invitation again with a new link that works another INVITATION_MAX_AGE_DAYS;
    the earlier links stop working."""
    with transaction.atomic():
        locked = _locked_open(invitation)
        locked.link_nonce = secrets.token_hex(16)
        locked.sent_at = timezone.now()
        locked.expires_at = _expiry(locked.sent_at)
        locked.send_count += 1
        locked.save(update_fields=["link_nonce", "sent_at", "expires_at", "send_count"])
        _audit(
            client=locked.client,
            actor=actor,
            action="engagement.invitation_resent",
            invitation=locked,
        )
        _send(locked, links=links, inviter=inviter)
    return locked


def agency_invitation_revoke(
    *, actor: Actor, inviter: User, invitation: AgencyInvitation
) -> AgencyInvitation:
    """Withdraw an open invitation: its link stops working and the invitee is told."""
    with transaction.atomic():
        locked = _locked_open(invitation)
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        _audit(
            client=locked.client,
            actor=actor,
            action="engagement.invitation_revoked",
            invitation=locked,
        )
        account_mail_send_on_commit(
            to=locked.email,
            subject=f"{locked.client.name} withdrew its invitation to {locked.agency_name}",
            template="agency_invitation_revoked",
            context={"invitation": locked, "client": locked.client.name},
        )
    return locked


# --- the invitee's side ------------------------------------------------------------------------


@dataclass(frozen=True)
class AgencyInvitationLink:
    """What a link leads to: the invitation, or why it no longer works (and then, where it is
    known, the invitation it was for)."""

    invitation: AgencyInvitation | None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None and self.invitation is not None


def agency_invitation_from_token(token: str) -> AgencyInvitationLink:
    data, problem = invitation_token_load(token, salt=TOKEN_SALT)
    if data is None:
        return AgencyInvitationLink(invitation=None, problem=problem)
    try:
        invitation = (
            AgencyInvitation.objects.filter(public_id=str(data.get("a") or ""))
            .select_related("client", "invited_by")
            .first()
        )
    except ValidationError:  # not a UUID
        invitation = None
    if invitation is None:
        return AgencyInvitationLink(invitation=None, problem=LinkProblem.DAMAGED)
    return AgencyInvitationLink(
        invitation=invitation, problem=invitation_link_problem(invitation, nonce=data.get("n"))
    )


def _refuse_conflicts_of(invitation: AgencyInvitation, user: User) -> None:
    other = AgencyMembership.objects.filter(user=user).select_related("agency").first()
    if other is not None:
        raise ConflictError(
            f"You already work for {other.agency.name}: a person belongs to one agency at a "
            f"time. Accept with another address, or ask {invitation.client.name} to engage "
            f"{other.agency.name} instead.",
            code="already_in_another_agency",
        )
    if ClientMembership.objects.filter(user=user, client=invitation.client).exists():
        raise ConflictError(
            f"You are on the hiring team of {invitation.client.name}, and cannot also submit "
            "candidates to it as an agency.",
            code="client_member_cannot_join_vendor",
        )


def _free_slug(name: str) -> str:
    """A slug for the new agency drawn from its name: the name's, or with -2, -3 ... when
    taken (agency slugs are unique on the platform)."""
    base = slugify(name)[: SLUG_MAX_LENGTH - 4].strip("-")
    if not base or not base[0].isalpha():
        base = f"agency-{base}".strip("-")[: SLUG_MAX_LENGTH - 4].strip("-")
    if len(base) < 2:
        base = "agency"
    taken = set(Agency.objects.filter(slug__startswith=base).values_list("slug", flat=True)) | set(
        RESERVED_SLUGS
    )
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def _agency_create(name: str) -> Agency:
    """The new agency, its slug drawn in a savepoint: two acceptances racing for the same slug
    both end with an agency (the second draws the next number)."""
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Agency.objects.create(slug=_free_slug(name), name=name)
        except IntegrityError:
            continue
    return Agency.objects.create(slug=f"agency-{secrets.token_hex(6)}", name=name)


def agency_invitation_accept(*, invitation: AgencyInvitation, user: User) -> Engagement:
    """`user` (signed in, with the invited address) accepts: the agency is created with them
    as its first admin, and its engagement with the client starts on the invited terms.
    Once: a second acceptance, even at the same moment, is refused."""
    if user.email.lower() != invitation.email.lower():
        raise ConflictError(
            "This invitation is for another e-mail address: sign out, then open the link again.",
            code="invitation_for_someone_else",
        )
    with transaction.atomic():
        # The person's row first: two invitations accepted by one person at the same moment
        # (from two clients) take turns, so the second sees the first's agency and is refused.
        User.objects.select_for_update().filter(pk=user.pk).first()
        locked = _locked_open(invitation)
        if locked.is_expired:
            raise ConflictError("This invitation has expired.", code="invitation_expired")
        client = locked.client
        _refuse_conflicts_of(locked, user)
        agency = _agency_create(locked.agency_name)
        agency_membership_grant(user=user, agency=agency, role=AgencyRole.AGENCY_ADMIN)
        engagement = engagement_create(
            client=client,
            agency=agency,
            ownership_window_days=locked.ownership_window_days,
            fee_percent=locked.fee_percent,
        )
        locked.accepted_at = timezone.now()
        locked.accepted_by = user
        locked.agency = agency
        locked.save(update_fields=["accepted_at", "accepted_by", "agency"])
        actor = Actor.for_user(user, agency_id=agency.pk)
        with schema_context(client.schema_name):
            audit_record(
                actor=actor,
                action="engagement.invitation_accepted",
                object_type="engagement",
                object_id=engagement.public_id,
                details={
                    "agency": agency.pk,
                    "invitation": str(locked.public_id),
                    "ownership_window_days": engagement.ownership_window_days,
                    "fee_percent": _fee_text(engagement.fee_percent),
                },
            )
            outbox_record(
                event_type=ACCEPTED_EVENT,
                aggregate_type="engagement",
                aggregate_id=engagement.public_id,
                payload={
                    "engagement_id": str(engagement.public_id),
                    "agency_id": str(agency.public_id),
                    "invitation_id": str(locked.public_id),
                },
            )
        team_audit(
            team=Team(client=client, agency=agency),
            actor=actor,
            action="member.joined",
            object_type="person",
            object_id=user.public_id,
            details={"role": AgencyRole.AGENCY_ADMIN, "via": "agency_invitation"},
        )
    return engagement


def agency_invitation_accept_with_new_account(
    *, invitation: AgencyInvitation, name: str, password: str
) -> User:
    """Create the invitee's account (name and password) and accept with it."""
    return invitee_account_create(
        email=invitation.email,
        name=name,
        password=password,
        accept=lambda user: agency_invitation_accept(invitation=invitation, user=user),
    )
