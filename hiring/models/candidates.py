import uuid

from django.db import models
from django.utils import timezone


class Candidate(models.Model):
    """A person known to this client: one row per person, recognised by normalized email and
    phone (E.164) whichever agency submits them.

    What an agency said about the person (name, contact data, resume, links, proof) belongs to
    that agency's submission (hiring.Submission): the client sees the person as one candidate
    with each agency's version, and no agency ever reads another agency's version.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The name in the person's latest submission: how the client's lists call the person.
    full_name = models.CharField(max_length=200)
    email_normalized = models.CharField(max_length=254, blank=True, db_index=True)
    phone_e164 = models.CharField(max_length=20, blank=True, db_index=True)
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
