"""Demo scorecards and shortlists inside the demo client's schema (called by seed_demo after
the hiring data exists).

Goes through the scoring services, so the demo shortlist shows the real engine at work: an
even profile ahead, a candidate below the GenAI brief's security floor, a category the panel
disagrees on, and one overdue scorecard for the reminders. Idempotent: an interviewer's
existing assignment or scorecard is left as it is.
"""

import datetime as dt
from typing import Any

from django.utils import timezone
from django_tenants.utils import tenant_context

from audit.actors import Actor
from hiring.models import InterviewAssignment, RoleBrief, Submission
from scoring.models import Scorecard, VendorReview
from scoring.services.scorecards import assignment_create, scorecard_save
from scoring.services.shortlists import shortlist_compute
from scoring.services.vendor_reviews import vendor_review_create
from tenants.models import Client, Engagement, User

# The hiring manager's review of each agency for the last quarter (vendor scorecards).
VENDOR_SCORES = {"score_a": 4, "score_b": 3, "score_c": 3, "score_d": 4, "score_e": 5}
VENDOR_SUMMARY = "Keep the proof this concrete; tell us about on-call gaps before interviews."
VENDOR_EVIDENCE = {
    "evidence_a": "Two of the three candidates had shipped forecasting models to production.",
    "evidence_b": "Proof named the datasets and how leakage was kept out of evaluation.",
    "evidence_c": "Rollback plans were concrete; one candidate had never been on call.",
    "evidence_d": "Every candidate's consent was confirmed before the profile reached us.",
    "evidence_e": "Answered within a day and told us early about a candidate's gap.",
}

EVIDENCE = {
    "a": "Walked through a model they shipped: the metric it moved and how they proved it.",
    "b": "Explained how they found label leakage and rebuilt the training set.",
    "c": "Described deployment, rollback and the alerts they rely on in production.",
    "d": "Covered prompt injection, PII redaction and access rules for retrieved documents.",
    "e": "Explained trade-offs clearly to a non-technical stakeholder in the role play.",
}

# (candidate email, interviewer email, scores A-E or None for an overdue, unscored
# assignment, recommendation, summary)
SCORES: list[tuple[str, str, tuple[int, ...] | None, str, str]] = [
    (
        "aiko.tanaka@example.org",
        "interviewer@acme.example",
        (4, 4, 5, 4, 4),
        "strong_yes",
        "Even, strong profile; owned a RAG assistant end to end including its evaluation.",
    ),
    (
        "aiko.tanaka@example.org",
        "interviewer2@acme.example",
        (4, 3, 4, 4, 5),
        "yes",
        "Solid on delivery and risk; data work was mostly done by a partner team.",
    ),
    (
        "mei.chen@example.org",
        "interviewer@acme.example",
        (5, 4, 4, 1, 4),
        "mixed",
        "Impressive delivery record, but no answer on prompt injection or data exposure.",
    ),
    (
        "mei.chen@example.org",
        "interviewer2@acme.example",
        (5, 4, 5, 2, 4),
        "mixed",
        "Ships fast; security thinking stops at 'the vendor handles it'.",
    ),
    (
        "omar.haddad@example.org",
        "interviewer@acme.example",
        (3, 3, 3, 3, 3),
        "mixed",
        "Competent across the board, nothing stood out.",
    ),
    (
        "omar.haddad@example.org",
        "interviewer2@acme.example",
        (3, 4, 3, 5, 3),
        "yes",
        "Deep on security reviews of LLM features; led a red-team exercise.",
    ),
    (
        "tomasz.nowak@example.org",
        "interviewer@acme.example",
        (3, 4, 3, 3, 4),
        "yes",
        "Good pipeline engineer; first production model is still ahead of him.",
    ),
    ("tomasz.nowak@example.org", "interviewer2@acme.example", None, "", ""),
]


def demo_scores_fill(*, client: Client, stdout: Any) -> None:
    hiring_manager = User.objects.get(email="hiring@acme.example")
    manager_actor = Actor.for_user(hiring_manager)
    interviewers = {
        user.email: user
        for user in User.objects.filter(email__in={interviewer for _, interviewer, *_ in SCORES})
    }
    written = 0
    with tenant_context(client):
        briefs: set[int] = set()
        for email, interviewer_email, scores, recommendation, summary in SCORES:
            submission = Submission.objects.filter(email=email).select_related("brief").first()
            interviewer = interviewers[interviewer_email]
            if submission is None:
                continue
            briefs.add(submission.brief_id)
            if not InterviewAssignment.objects.filter(
                submission=submission, interviewer=interviewer
            ).exists():
                # The unscored one is already overdue, so the reminders have work to show.
                due_at = timezone.now() + (
                    dt.timedelta(days=2) if scores else -dt.timedelta(hours=30)
                )
                assignment_create(
                    actor=manager_actor,
                    submission=submission,
                    interviewer=interviewer,
                    due_at=due_at,
                )
            if scores is None:
                continue
            if Scorecard.objects.filter(submission=submission, interviewer=interviewer).exists():
                continue
            data: dict[str, Any] = {"recommendation": recommendation, "summary": summary}
            for code, score in zip("abcde", scores, strict=True):
                data[f"score_{code}"] = score
                data[f"evidence_{code}"] = EVIDENCE[code]
            scorecard_save(
                actor=Actor.for_user(interviewer),
                submission=submission,
                data=data,
                submit=True,
            )
            written += 1
        computed = 0
        for brief in RoleBrief.objects.filter(pk__in=briefs):
            if shortlist_compute(brief=brief) is not None:
                computed += 1
        reviewed = 0
        today = timezone.localdate()
        for engagement in Engagement.objects.filter(client=client).select_related("agency"):
            if VendorReview.objects.filter(agency=engagement.agency).exists():
                continue
            vendor_review_create(
                actor=manager_actor,
                agency=engagement.agency,
                basis="period",
                period_start=today - dt.timedelta(days=91),
                period_end=today - dt.timedelta(days=1),
                data={
                    **VENDOR_SCORES,
                    **VENDOR_EVIDENCE,
                    "summary": "Keep the proof this concrete.",
                },
            )
            reviewed += 1
    stdout.write(
        f"Demo scoring: {written} new scorecards, {computed} shortlists computed, "
        f"{reviewed} vendor scorecards."
    )
