"""People and sign-in, in the public schema: invitations, a client's single sign-on and the
sessions a person has open. A client's two sign-in rules (two-factor for its admins and
executives, mandatory single sign-on) are fields of `tenants.Client`, which every request
already has.

TOTP devices and recovery codes are django-otp's own models (django_otp.plugins.otp_totp and
otp_static), also in the public schema: one set per person, valid on every host.
"""

import uuid

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from tenants.models import Agency, Client, ClientRole, User


class Invitation(models.Model):
    """An invitation to join a client's team (agency None) or an agency (agency set) with a
    role. `client` is also where the invitee lands: the workspace it was sent from.

    The link is signed (accounts.invitations) and carries `link_nonce`; resending draws a new
    nonce, so only the newest e-mail's link works. Used once: `accepted_at`."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(max_length=254)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="invitations")
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    role = models.CharField(max_length=20)
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    link_nonce = models.CharField(max_length=32)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(default=timezone.now)
    send_count = models.PositiveIntegerField(default=1)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            # One open invitation per address and team: a second one would be a second link.
            models.UniqueConstraint(
                Lower("email"),
                "client",
                condition=Q(agency__isnull=True, accepted_at__isnull=True, revoked_at__isnull=True),
                name="one_open_client_invitation",
            ),
            models.UniqueConstraint(
                Lower("email"),
                "agency",
                condition=Q(
                    agency__isnull=False, accepted_at__isnull=True, revoked_at__isnull=True
                ),
                name="one_open_agency_invitation",
            ),
        ]

    def __str__(self) -> str:
        return f"invitation {self.public_id} ({self.role})"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class AgencyInvitation(models.Model):
    """A client admin's invitation to a staffing agency that is not on the platform yet, sent
    to its admin's e-mail with the terms the engagement will start on.

    Nothing exists for the agency until the link is used: accepting creates the `Agency`, makes
    the invitee its first agency admin and starts the `Engagement` with these terms
    (administration.services.agency_invitations). The link is signed and carries `link_nonce`
    like an `Invitation`'s; resending draws a new nonce. Used once: `accepted_at`."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="agency_invitations")
    agency_name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254)
    ownership_window_days = models.PositiveIntegerField()
    fee_percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    link_nonce = models.CharField(max_length=32)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(default=timezone.now)
    send_count = models.PositiveIntegerField(default=1)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The agency the acceptance created (kept if the agency is removed later: SET_NULL).
    agency = models.ForeignKey(
        Agency, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            # One open invitation per address and client: a second one would be a second link.
            models.UniqueConstraint(
                Lower("email"),
                "client",
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="one_open_agency_invitation_per_client",
            ),
            models.CheckConstraint(
                condition=Q(ownership_window_days__gte=1) & Q(ownership_window_days__lte=3650),
                name="agency_invitation_window_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"agency invitation {self.public_id}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class SsoProvider(models.Model):
    """A client's OpenID Connect identity provider (accounts.sso)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="sso_provider")
    issuer = models.URLField(max_length=300)
    oidc_client_id = models.CharField(max_length=200)
    # Encrypted (accounts.secrets); never shown again once saved.
    client_secret_encrypted = models.TextField()
    # Whether the workspace's sign-in page offers it. Making it mandatory for the people of
    # the mapped domains is `Client.sso_mandatory` (read on every request without a query).
    is_enabled = models.BooleanField(default=False)
    # The last sign-in that went through: SSO can be made mandatory only once one has.
    last_success_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"SSO of {self.client_id}"


class SsoDomainRole(models.Model):
    """People whose verified e-mail is at `domain` may join through SSO with `role`."""

    provider = models.ForeignKey(SsoProvider, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=253)
    role = models.CharField(max_length=20, choices=ClientRole.choices)

    class Meta:
        ordering = ["domain"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "domain"], name="one_role_per_sso_domain")
        ]

    def __str__(self) -> str:
        return f"{self.domain} -> {self.role}"


class SsoIdentity(models.Model):
    """Which person a provider's subject is: matched on `sub`, never again on the e-mail."""

    provider = models.ForeignKey(SsoProvider, on_delete=models.CASCADE, related_name="identities")
    subject = models.CharField(max_length=255)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sso_identities")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="one_person_per_subject"),
            models.UniqueConstraint(fields=["provider", "user"], name="one_subject_per_person"),
        ]

    def __str__(self) -> str:
        return f"SSO identity of {self.user_id}"


class SignInMethod(models.TextChoices):
    PASSWORD = "password", "Password"
    SSO = "sso", "Single sign-on"
    HANDOFF = "handoff", "Opened from the dashboard"
    INVITATION = "invitation", "Accepted an invitation"
    RESET = "reset", "Password reset"


class AccountSession(models.Model):
    """One signed-in session of a person on one host. Sessions opened from one another by the
    dashboard's hand-off share a `family`: signing out ends the family (this browser on every
    host); "sign out of other sessions" ends every other family."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="account_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    family = models.UUIDField(default=uuid.uuid4, db_index=True)
    host = models.CharField(max_length=253)
    method = models.CharField(max_length=20, choices=SignInMethod.choices)
    # A short description of the browser ("Chrome on Linux"), never the full user agent.
    browser = models.CharField(max_length=60, blank=True)
    signed_in_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-signed_in_at"]

    def __str__(self) -> str:
        return f"session of {self.user_id} on {self.host}"
