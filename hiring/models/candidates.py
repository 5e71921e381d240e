import uuid

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone


def resume_upload_path(instance: "Candidate", filename: str) -> str:
    # The tenant's schema is prefixed by the storage caller (hiring.services.candidates);
    # the stored name never contains the uploader's original file name (it can hold PII).
    return f"resumes/{instance.public_id}"


class Candidate(models.Model):
    """A person known to this client. One row per person: deduplicated on normalized email
    and on phone number (E.164)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    full_name = models.CharField(max_length=200)
    email = models.CharField(max_length=254, blank=True)
    email_normalized = models.CharField(max_length=254, blank=True, db_index=True)
    phone = models.CharField(max_length=40, blank=True)
    phone_e164 = models.CharField(max_length=20, blank=True, db_index=True)
    location = models.CharField(max_length=200, blank=True)
    links = models.JSONField(default=list, blank=True)
    skills = ArrayField(models.CharField(max_length=60), default=list, blank=True)
    availability = models.CharField(max_length=200, blank=True)
    summary = models.TextField(blank=True)
    resume = models.FileField(upload_to=resume_upload_path, blank=True, max_length=300)
    resume_content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)
    anonymized_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["email_normalized"],
                name="candidate_unique_email",
                condition=~models.Q(email_normalized=""),
            ),
            models.UniqueConstraint(
                fields=["phone_e164"],
                name="candidate_unique_phone",
                condition=~models.Q(phone_e164=""),
            ),
        ]

    def __str__(self) -> str:
        return f"Candidate {self.public_id}"


class CandidateOwnership(models.Model):
    """Which agency represents the candidate at this client, until when.

    One row per candidate (database-unique): the first agency to submit the person takes it;
    another agency can take it over only after `expires_at`. Updates happen under a row lock.
    """

    candidate = models.OneToOneField(Candidate, on_delete=models.CASCADE, related_name="ownership")
    agency = models.ForeignKey("tenants.Agency", on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.candidate_id} owned by {self.agency_id} until {self.expires_at:%Y-%m-%d}"
