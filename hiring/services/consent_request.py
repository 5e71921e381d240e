"""Asking the candidate: the signed, expiring link and the e-mail that carries it, and one
reminder to a person who has not answered.

Called by submission_create inside its transaction (and by the hourly reminder task); the
answer is hiring.services.consent.
"""

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.links import workspace_host
from audit.errors import NotFoundError
from hiring.models import ConsentState, Submission
from hiring.stages import CLOSED_STAGES
from hiring.text import subject_line
from tenants.models import Client
from tenants.schema import current_client, current_schema_name
from tenants.tasks import send_to_tenant

logger = logging.getLogger(__name__)

# How long the person has to answer; the link and the provisional ownership last as long.
CONSENT_ANSWER_DAYS = 7
# One reminder to a person who has not answered by then (beat: consent-reminders-hourly).
CONSENT_REMINDER_AFTER = dt.timedelta(days=3)
REMINDER_BATCH = 500


def _salt() -> str:
    # Bound to the workspace: a token signed for one client's submission means nothing on
    # another client's host.
    return f"hiring.consent.{current_schema_name()}"


def consent_token(submission: Submission) -> str:
    return signing.dumps(str(submission.public_id), salt=_salt(), compress=True)


def consent_submission_for_token(token: str) -> Submission:
    """The submission a consent link names. NotFoundError for a forged, altered, expired or
    unknown link (one answer for all: the page says the link is not valid)."""
    try:
        public_id = signing.loads(
            token, salt=_salt(), max_age=dt.timedelta(days=CONSENT_ANSWER_DAYS)
        )
    except signing.BadSignature:
        raise NotFoundError from None
    submission = (
        Submission.objects.select_related("brief", "agency", "candidate")
        .filter(public_id=public_id)
        .first()
    )
    if submission is None or submission.candidate.anonymized_at is not None:
        raise NotFoundError
    return submission


def consent_link(submission: Submission, *, client: Client, origin: str | None = None) -> str:
    """The absolute link of the consent page on the workspace's host. `origin` is the
    scheme, host and port of the request that caused the submission, where there was one."""
    if origin is None:
        origin = _workspace_origin(client)
    path = reverse("consent:answer", kwargs={"token": consent_token(submission)})
    return origin + path


def _workspace_origin(client: Client) -> str:
    scheme = "http" if settings.DEBUG else "https"
    return f"{scheme}://{workspace_host(client)}"


def consent_fields(*, email: str, now: dt.datetime) -> dict[str, Any]:
    """A new submission's consent: pending, due in CONSENT_ANSWER_DAYS, asked when there is
    an e-mail address to ask at (a person without one cannot be asked: their consent stays
    pending until it lapses)."""
    return {
        "consent_state": ConsentState.PENDING,
        "consent_expires_at": now + dt.timedelta(days=CONSENT_ANSWER_DAYS),
        "consent_requested_at": now if email else None,
    }


def consent_values(*, email: str, now: dt.datetime) -> tuple[str, dt.datetime | None, dt.datetime]:
    """consent_fields as the bulk import's columns: state, requested at, expires at."""
    fields = consent_fields(email=email, now=now)
    return (
        ConsentState(fields["consent_state"]).value,
        fields["consent_requested_at"],
        fields["consent_expires_at"],
    )


def consent_request_send(
    *, submission: Submission, client: Client, origin: str | None = None
) -> None:
    """Inside submission_create's transaction: the e-mail with the link goes out once the
    submission commits (a rolled-back submission asks nobody)."""
    if submission.email:
        _consent_mail_on_commit(submission, client=client, origin=origin, reminder=False)


def consent_reminders_send(*, now: dt.datetime | None = None) -> int:
    """One reminder, CONSENT_REMINDER_AFTER after the request, to each person of this
    workspace who has not answered yet (while the submission is open and the answer not
    due). Safe to run twice and from two workers at once: a conditional update claims each
    reminder before its e-mail is queued. Returns how many were sent."""
    now = now or timezone.now()
    client = current_client()
    due = (
        Submission.objects.filter(
            consent_state=ConsentState.PENDING,
            consent_requested_at__lte=now - CONSENT_REMINDER_AFTER,
            consent_reminded_at__isnull=True,
            consent_expires_at__gt=now,
        )
        .exclude(email="")
        .exclude(stage__in=CLOSED_STAGES)
        .select_related("brief", "agency")
        .order_by("id")[:REMINDER_BATCH]
    )
    sent = 0
    for submission in due:
        with transaction.atomic():
            claimed = Submission.objects.filter(
                pk=submission.pk,
                consent_state=ConsentState.PENDING,
                consent_reminded_at__isnull=True,
            ).update(consent_reminded_at=now)
            if not claimed:
                continue
            _consent_mail_on_commit(submission, client=client, origin=None, reminder=True)
        sent += 1
    return sent


CONSENT_DELIVER_TASK = "hiring.tasks.consent.consent_requests_deliver"


def consent_requests_queue(*, submission_ids: list[int]) -> None:
    """The bulk import's consent requests, inside its chunk's transaction: once the chunk
    commits, a worker sends them (consent_requests_deliver), so an import of thousands of
    rows never waits on the mail server. A chunk rolled back to its savepoint asks nobody."""
    if not submission_ids:
        return
    schema_name = current_schema_name()
    ids = list(submission_ids)
    transaction.on_commit(
        lambda: send_to_tenant(
            task_name=CONSENT_DELIVER_TASK,
            schema_name=schema_name,
            kwargs={"submission_ids": ids},
        )
    )


def consent_requests_deliver(*, submission_ids: list[int]) -> int:
    """Send the consent e-mail of each queued submission not asked yet, over one mail
    connection. Each is claimed by setting `consent_requested_at` under a row lock, so a
    task run twice (a redelivery, a retry) asks nobody twice. Returns how many were asked."""
    client = current_client()
    origin = _workspace_origin(client)  # one domain look-up for the batch
    now = timezone.now()
    with transaction.atomic():
        due = list(
            Submission.objects.select_for_update(of=("self",))
            .filter(
                pk__in=submission_ids,
                consent_state=ConsentState.PENDING,
                consent_requested_at__isnull=True,
            )
            .exclude(email="")
            .select_related("brief", "agency")
            .order_by("id")
        )
        if not due:
            return 0
        Submission.objects.filter(pk__in=[s.pk for s in due]).update(consent_requested_at=now)
        messages = [
            _consent_message(submission, client=client, origin=origin, reminder=False)
            for submission in due
        ]

        def send() -> None:
            try:
                mailers.default.send_messages(messages)
            except Exception:
                # The submissions stand; the agency sees the consent still awaited.
                logger.exception("consent_mail_failed", extra={"count": len(messages)})

        transaction.on_commit(send)
    return len(due)


def _consent_message(
    submission: Submission, *, client: Client, origin: str | None, reminder: bool
) -> EmailMessage:
    context = {
        "submission": submission,
        "client_name": client.name,
        "agency_name": submission.agency.name,
        "brief_title": submission.brief.title,
        "link": consent_link(submission, client=client, origin=origin),
        "expires_at": submission.consent_expires_at,
        "reminder": reminder,
    }
    body = render_to_string("hiring/email/consent_request.txt", context)
    subject = f"{submission.agency.name} would like to represent you at {client.name}"
    subject = subject_line(f"Reminder: {subject}" if reminder else subject)
    return EmailMessage(subject, body, None, [submission.email])


def _consent_mail_on_commit(
    submission: Submission, *, client: Client, origin: str | None, reminder: bool
) -> None:
    message = _consent_message(submission, client=client, origin=origin, reminder=reminder)

    def send() -> None:
        try:
            message.send()
        except Exception:
            # The submission stands; the agency sees the consent still awaited.
            logger.exception("consent_mail_failed", extra={"submission": str(submission.public_id)})

    transaction.on_commit(send)
