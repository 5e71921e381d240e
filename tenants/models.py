"""Public-schema models: client companies (tenants), their host names, people, agencies
and who may act where."""

import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone as django_timezone
from django_tenants.models import DomainMixin, TenantMixin

DEFAULT_OWNERSHIP_WINDOW_DAYS = 180


class Client(TenantMixin):
    """A client company. Its briefs, candidates and scorecards live in its own schema."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    timezone = models.CharField(max_length=64, default="UTC")
    ownership_window_days = models.PositiveIntegerField(default=DEFAULT_OWNERSHIP_WINDOW_DAYS)
    # Privacy: rejected/withdrawn candidates are anonymized this many days after their last
    # submission closed (0 disables the policy).
    candidate_retention_days = models.PositiveIntegerField(default=365)
    # Interviewers see the candidates they are asked to score; their contact details and
    # resumes only when the client chooses so (the hiring team always sees them).
    interviewers_see_contact_details = models.BooleanField(default=False)
    # Sign-in rules a client admin sets (accounts/policy.py): admins and executives need a
    # second factor; the people of the single sign-on's domains must come through it.
    two_factor_required = models.BooleanField(default=False)
    sso_mandatory = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=django_timezone.now)

    # Schemas are created by tenants.services.client_provision, which clones the template.
    auto_create_schema = False

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_public(self) -> bool:
        return self.schema_name == "public"


class Domain(DomainMixin):
    def __str__(self) -> str:
        return self.domain


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: object) -> "User":
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """One account per person, signed in with an email address, valid on every host."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(max_length=254, unique=True)
    name = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="Platform operator: may use /admin/.")
    date_joined = models.DateTimeField(default=django_timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.name or self.email

    @property
    def display_name(self) -> str:
        return self.name or self.email.split("@", 1)[0]


class ClientRole(models.TextChoices):
    ADMIN = "admin", "Admin"
    HIRING_MANAGER = "hiring_manager", "Hiring manager"
    INTERVIEWER = "interviewer", "Interviewer"
    EXECUTIVE = "executive", "Executive"


class ClientMembership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="client_memberships")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=ClientRole.choices)
    created_at = models.DateTimeField(default=django_timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "client"], name="one_membership_per_client"),
        ]

    def __str__(self) -> str:
        return f"{self.user} is {self.role} at {self.client}"


class Agency(models.Model):
    """A staffing vendor. Global: one agency can be engaged by many clients."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=django_timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class AgencyRole(models.TextChoices):
    AGENCY_ADMIN = "agency_admin", "Agency admin"
    RECRUITER = "recruiter", "Recruiter"


class AgencyMembership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="agency_memberships")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=AgencyRole.choices)
    created_at = models.DateTimeField(default=django_timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "agency"], name="one_membership_per_agency"),
        ]

    def __str__(self) -> str:
        return f"{self.user} is {self.role} at {self.agency}"


class EngagementStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    ENDED = "ended", "Ended"


class Engagement(models.Model):
    """Which agency works for which client, and on what terms."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="engagements")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="engagements")
    status = models.CharField(
        max_length=10, choices=EngagementStatus.choices, default=EngagementStatus.ACTIVE
    )
    ownership_window_days = models.PositiveIntegerField(default=DEFAULT_OWNERSHIP_WINDOW_DAYS)
    fee_percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    started_at = models.DateTimeField(default=django_timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "agency"], name="one_engagement_per_pair"),
            models.CheckConstraint(
                condition=models.Q(ownership_window_days__gte=1)
                & models.Q(ownership_window_days__lte=3650),
                name="ownership_window_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency} for {self.client} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status == EngagementStatus.ACTIVE


class ApiScope(models.TextChoices):
    BRIEFS_READ = "briefs:read", "Read briefs"
    BRIEFS_WRITE = "briefs:write", "Create, edit and open briefs"
    SUBMISSIONS_READ = "submissions:read", "Read submissions"
    SUBMISSIONS_WRITE = "submissions:write", "Create, withdraw or move submissions"
    CANDIDATES_READ = "candidates:read", "Read candidates"
    SCORECARDS_READ = "scorecards:read", "Read scorecards"
    SCORECARDS_WRITE = "scorecards:write", "Create and edit scorecards"
    SHORTLISTS_READ = "shortlists:read", "Read shortlists"
    EVENTS_READ = "events:read", "Read the event feed"
    WEBHOOKS_MANAGE = "webhooks:manage", "Manage webhook subscriptions"
    DECISIONS_READ = "decisions:read", "Read shortlist decisions"
    DECISIONS_WRITE = "decisions:write", "Record shortlist decisions (advance or reject)"
    ANALYTICS_READ = "analytics:read", "Read agency analytics and vendor scorecards"
    KITS_READ = "kits:read", "Read interview kits"


class ApiKey(models.Model):
    """A partner integration's key. Belongs to a client (client-side integrations) or to an
    agency engaged by that client (the agency's own tracking system). Only a hash is stored;
    the key itself is shown once, at creation."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="api_keys")
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, null=True, blank=True, related_name="api_keys"
    )
    name = models.CharField(max_length=100)
    # The visible part of the key ("ahk_" + 12 characters): lets people tell keys apart.
    prefix = models.CharField(max_length=24, unique=True)
    key_hash = models.CharField(max_length=64)
    scopes = ArrayField(models.CharField(max_length=30, choices=ApiScope.choices), default=list)
    created_by_user_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=django_timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}...)"


class NotificationPreference(models.Model):
    """How a person wants to hear from the product (one row per person, all workspaces)."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email_reminders = models.BooleanField(default=True)
    email_digest = models.BooleanField(default=True)
    # Emails about what happened (a new candidate, an assignment, a stage change...).
    email_updates = models.BooleanField(default=True)
    # Opaque token for the one-click unsubscribe link in digest emails.
    unsubscribe_token = models.CharField(max_length=64, unique=True)
    updated_at = models.DateTimeField(default=django_timezone.now)

    def __str__(self) -> str:
        return f"preferences of {self.user_id}"
