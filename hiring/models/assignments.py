from django.db import models
from django.utils import timezone


class InterviewAssignment(models.Model):
    """An interviewer asked to score a submission, by when."""

    submission = models.ForeignKey(
        "hiring.Submission", on_delete=models.CASCADE, related_name="assignments"
    )
    interviewer = models.ForeignKey("tenants.User", on_delete=models.PROTECT, related_name="+")
    assigned_by_user_id = models.BigIntegerField(null=True, blank=True)
    due_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "interviewer"], name="one_assignment_per_interviewer"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.interviewer_id} on {self.submission_id}"
