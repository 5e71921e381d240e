"""Candidate consent: the signed, expiring link e-mailed at every submission (page, API, CSV
import), the public page that confirms or declines, contact details hidden from the client
until confirmed, decline withdrawing and releasing ownership, lapse after a week."""

import csv
import datetime as dt
import html
import io
import re
import time
from typing import Any

import pytest
from django.core import mail, signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import schema_context

from api.webhooks.events import AGENCY_WEBHOOK_EVENT_TYPES, FAN_OUT_EVENT_TYPES
from audit.actors import Actor
from audit.errors import ConflictError
from audit.models import AuditEntry
from hiring.models import CandidateOwnership, ConsentState, Stage, StageChange, Submission
from hiring.services import consent_request as consent_request_module
from hiring.services.briefs import brief_create, brief_open
from hiring.services.consent import consent_answer
from hiring.services.consent_request import (
    CONSENT_ANSWER_DAYS,
    CONSENT_DELIVER_TASK,
    CONSENT_REMINDER_AFTER,
    consent_reminders_send,
    consent_requests_deliver,
)
from hiring.services.imports import import_job_create, import_job_run
from hiring.services.submissions import submission_create
from notifications.events.notices import notices_for
from outbox.models import OutboxEvent
from tests.api_support import api as api_client
from tests.api_support import make_key, send, submission_body
from tests.conftest import host_of
from tests.factories import UserFactory, ready_brief_data

pytestmark = pytest.mark.django_db

PROOF = {
    "proof_shipped_solution": "Shipped a ticket triage model used by 300 support agents daily.",
    "proof_baseline": "Manual triage took 6 minutes per ticket with 70% correct routing.",
    "proof_improvement": "Routing accuracy rose to 92% and handling time fell by 35%.",
    "proof_monitoring": "Tracked accuracy on a labelled weekly sample, drift alerts on inputs.",
    "proof_quality_dip": "A launch shifted vocabulary; retrained on fresh labels in 3 days.",
}
LINK = re.compile(r"https?://[^\s]+/consent/[^\s/]+/")


def _text(response: Any) -> str:
    return html.unescape(response.content.decode())


def _open_brief(title: str = "Forecasting lead") -> Any:
    actor = Actor.for_user(UserFactory())
    return brief_open(
        actor=actor, brief=brief_create(actor=actor, data=ready_brief_data(title=title))
    )


@pytest.fixture
def world(tenant_a: Any, as_role: Any) -> dict[str, Any]:
    recruiter = as_role(tenant_a, "recruiter")
    rival = as_role(tenant_a, "recruiter")
    admin = as_role(tenant_a, "admin")
    with schema_context(tenant_a.schema_name):
        brief = _open_brief()
    return {"recruiter": recruiter, "rival": rival, "admin": admin, "brief": brief}


def _submit(world: dict[str, Any], who: str = "recruiter", **person: Any) -> Submission:
    acting = world[who]
    return submission_create(
        actor=Actor.for_user(acting.user, agency_id=acting.agency.pk),
        brief=person.pop("brief", world["brief"]),
        agency=acting.agency,
        candidate_data={
            "full_name": "Dana Delivery",
            "email": "dana.delivery@mail.example.test",
            "phone": "+14155550123",
            **person,
        },
        proof=PROOF,
        right_to_represent=True,
    )


def _link_path(message: Any) -> str:
    found = LINK.search(str(message.body))
    assert found, message.body
    return "/" + found.group(0).split("/", 3)[3]


def _anonymous(tenant: Any) -> HttpClient:
    return HttpClient(HTTP_HOST=host_of(tenant))


def test_a_page_submission_asks_the_candidate_and_the_client_sees_contact_once_confirmed(
    tenant_a, world, django_capture_on_commit_callbacks
):
    recruiter, admin, brief = world["recruiter"], world["admin"], world["brief"]
    form = {
        "full_name": "Dana Delivery",
        "email": "dana.delivery@mail.example.test",
        "phone": "+14155550123",
        **PROOF,
        "right_to_represent": "on",
        "resume": SimpleUploadedFile("cv.txt", b"Dana Delivery\nML engineer"),
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = recruiter.http.post(
            reverse("hiring:submission_new", args=[brief.public_id]), form
        )
    assert response.status_code == 302
    [message] = [m for m in mail.outbox if "dana.delivery@mail.example.test" in m.to]
    assert recruiter.agency.name in message.subject and tenant_a.name in message.subject
    assert brief.title in message.body
    # The link is on the workspace's host, as the request that caused it.
    assert f"://{host_of(tenant_a)}/consent/" in message.body
    path = _link_path(message)
    with schema_context(tenant_a.schema_name):
        submission = Submission.objects.get(brief=brief)
        assert submission.consent_state == ConsentState.PENDING
        assert submission.consent_requested_at is not None
        assert submission.consent_expires_at - submission.created_at == dt.timedelta(
            days=CONSENT_ANSWER_DAYS
        )
        ownership = CandidateOwnership.objects.get(candidate=submission.candidate)
        assert ownership.expires_at <= timezone.now() + dt.timedelta(days=CONSENT_ANSWER_DAYS)

    detail = reverse("hiring:submission_detail", args=[submission.public_id])
    hidden = _text(admin.http.get(detail))
    assert "dana.delivery@mail.example.test" not in hidden and "+14155550123" not in hidden
    assert "Awaiting the candidate: asked by e-mail" in hidden
    assert "shown once the candidate confirms" in hidden
    resume = reverse("hiring:submission_resume", args=[submission.public_id])
    assert admin.http.get(resume).status_code == 404
    # Nor does the client find the person by the hidden e-mail address.
    found = admin.http.get(reverse("hiring:submission_list"), {"q": "dana.delivery@mail"})
    assert found.context["page"].paginator.count == 0
    people = admin.http.get(reverse("hiring:candidate_list"), {"q": "dana.delivery@mail"})
    assert people.context["page"].paginator.count == 0
    # The submitting agency sees what it typed, and the consent state.
    own = _text(recruiter.http.get(detail))
    assert "dana.delivery@mail.example.test" in own and "Awaiting the candidate" in own

    # The candidate opens the link: nothing changes until they answer (mail scanners).
    candidate = _anonymous(tenant_a)
    page = candidate.get(path)
    assert page.status_code == 200
    text = _text(page)
    assert f"Do you want {recruiter.agency.name} to represent you?" in text
    assert tenant_a.name in text and brief.title in text
    assert page["Referrer-Policy"] == "same-origin"
    with schema_context(tenant_a.schema_name):
        assert Submission.objects.get(pk=submission.pk).consent_state == ConsentState.PENDING

    answered = candidate.post(path, {"answer": "confirm"})
    assert answered.status_code == 200 and "you confirmed" in _text(answered)
    with schema_context(tenant_a.schema_name):
        submission.refresh_from_db()
        assert submission.consent_state == ConsentState.CONFIRMED
        assert submission.consent_answered_at is not None
        ownership.refresh_from_db()
        window = recruiter.engagement.ownership_window_days
        assert ownership.expires_at == submission.created_at + dt.timedelta(days=window)
        audit = AuditEntry.objects.get(action="submission.consent_confirmed")
        assert audit.actor_ref == "candidate_consent"
        event = OutboxEvent.objects.get(event_type="submission.consent_changed")
        assert event.payload["consent"] == "confirmed"
        assert event.agency_id == recruiter.agency.pk
        # The submitting agency's people hear of it.
        assert {n.recipient_id for n in notices_for(event)} >= {recruiter.user.pk}
    shown = _text(admin.http.get(detail))
    assert "dana.delivery@mail.example.test" in shown and "+14155550123" in shown
    assert "Confirmed by the candidate" in shown
    assert admin.http.get(resume).status_code == 200
    # Confirming again is harmless.
    assert candidate.post(path, {"answer": "confirm"}).status_code == 200


def test_declining_withdraws_the_submission_and_releases_the_ownership(tenant_a, world):
    with schema_context(tenant_a.schema_name):
        submission = _submit(world)
        declined = consent_answer(submission=submission, answer="decline")
        assert declined.consent_state == ConsentState.DECLINED
        assert declined.stage == Stage.WITHDRAWN
        change = StageChange.objects.filter(submission=submission).last()
        assert change is not None and change.to_stage == Stage.WITHDRAWN
        assert "declined" in change.reason
        ownership = CandidateOwnership.objects.get(candidate=submission.candidate)
        assert ownership.expires_at <= timezone.now()
        assert OutboxEvent.objects.filter(event_type="submission.stage_changed").exists()
        # Another agency may now put the person forward.
        other = _submit(world, "rival", brief=_open_brief("Later role"))
        assert other.candidate_id == submission.candidate_id
        # A declined consent is not turned into a confirmation.
        with pytest.raises(ConflictError) as refused:
            consent_answer(submission=submission, answer="confirm")
        assert refused.value.code == "consent_declined"
    history = _text(
        world["admin"].http.get(reverse("hiring:submission_detail", args=[submission.public_id]))
    )
    assert "The candidate" in history and "Declined by the candidate" in history


def test_a_confirmation_can_be_taken_back(tenant_a, world):
    with schema_context(tenant_a.schema_name):
        submission = _submit(world)
        consent_answer(submission=submission, answer="confirm")
        withdrawn = consent_answer(submission=submission, answer="decline")
        assert withdrawn.stage == Stage.WITHDRAWN
        assert CandidateOwnership.objects.get(candidate=submission.candidate).expires_at <= (
            timezone.now()
        )


def test_an_unanswered_request_lapses_with_its_provisional_ownership(tenant_a, world):
    with schema_context(tenant_a.schema_name):
        submission = _submit(world)
        token_path = reverse("consent:answer", args=[_token(tenant_a, submission)])
        past = timezone.now() - dt.timedelta(minutes=1)
        Submission.objects.filter(pk=submission.pk).update(consent_expires_at=past)
        CandidateOwnership.objects.filter(candidate=submission.candidate).update(expires_at=past)
        submission.refresh_from_db()
        assert submission.consent_status == "expired"
    page = _anonymous(tenant_a).get(token_path)
    assert "The time to answer has passed" in _text(page)
    refused = _anonymous(tenant_a).post(token_path, {"answer": "confirm"})
    assert refused.status_code == 409
    detail = _text(
        world["admin"].http.get(reverse("hiring:submission_detail", args=[submission.public_id]))
    )
    assert "Not answered in time" in detail and "dana.delivery@mail.example.test" not in detail
    with schema_context(tenant_a.schema_name):
        assert _submit(world, "rival", brief=_open_brief("Later role")).pk


def _token(tenant: Any, submission: Submission) -> str:
    from hiring.services.consent_request import consent_token

    with schema_context(tenant.schema_name):
        return consent_token(submission)


def test_forged_expired_and_other_workspace_links_are_not_valid(tenant_a, tenant_b, world):
    with schema_context(tenant_a.schema_name):
        submission = _submit(world)
        token = _token(tenant_a, submission)

    class SignedLongAgo(signing.TimestampSigner):
        def timestamp(self) -> str:
            return signing.b62_encode(int(time.time()) - (CONSENT_ANSWER_DAYS + 1) * 86400)

    old = SignedLongAgo(salt=f"hiring.consent.{tenant_a.schema_name}").sign_object(
        str(submission.public_id), compress=True
    )
    for host_tenant, bad in (
        (tenant_a, token[:-2] + ("AA" if not token.endswith("AA") else "BB")),
        (tenant_a, old),
        (tenant_b, token),
        (tenant_a, "not-a-token"),
    ):
        client = _anonymous(host_tenant)
        response = client.get(reverse("consent:answer", args=[bad]))
        assert response.status_code == 404
        assert "This link is not valid" in _text(response)
        assert (
            client.post(reverse("consent:answer", args=[bad]), {"answer": "confirm"}).status_code
            == 404
        )
    with schema_context(tenant_a.schema_name):
        assert Submission.objects.get(pk=submission.pk).consent_state == ConsentState.PENDING
    # An unknown answer changes nothing.
    path = reverse("consent:answer", args=[token])
    assert _anonymous(tenant_a).post(path, {"answer": "maybe"}).status_code == 404


def test_without_an_email_address_the_candidate_cannot_be_asked(
    tenant_a, world, django_capture_on_commit_callbacks
):
    with schema_context(tenant_a.schema_name), django_capture_on_commit_callbacks(execute=True):
        submission = _submit(world, email="")
    assert mail.outbox == []
    assert submission.consent_requested_at is None
    detail = _text(
        world["admin"].http.get(reverse("hiring:submission_detail", args=[submission.public_id]))
    )
    assert "no e-mail address was given" in detail and "+14155550123" not in detail


def test_api_and_csv_import_submissions_ask_by_the_same_email(
    tenant_a, world, settings, tmp_path, django_capture_on_commit_callbacks, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path
    queued_tasks: list[dict[str, Any]] = []
    monkeypatch.setattr(
        consent_request_module, "send_to_tenant", lambda **call: queued_tasks.append(call)
    )
    recruiter = world["recruiter"]
    with schema_context(tenant_a.schema_name):
        _key, raw = make_key(tenant_a, agency=recruiter.agency)
        _client_key, client_raw = make_key(tenant_a)
    with django_capture_on_commit_callbacks(execute=True):
        created = send(
            api_client(tenant_a, raw),
            "POST",
            "/api/v1/submissions/",
            submission_body(world["brief"].public_id, email="ada@example.test"),
        )
    assert created.status_code == 201, created.content
    consent = created.json()["consent"]
    assert consent["state"] == "pending" and consent["answered_at"] is None
    assert consent["requested_at"] and consent["expires_at"]
    [message] = [m for m in mail.outbox if "ada@example.test" in m.to]
    path = _link_path(message)
    # The client's key reads the person without contact details until they confirm.
    people = api_client(tenant_a, client_raw).get("/api/v1/candidates/").json()["results"]
    [version] = [
        v for p in people for v in p["versions"] if v["submission"] == created.json()["id"]
    ]
    assert version["email"] == "" and version["consent"] == "pending"
    assert _anonymous(tenant_a).post(path, {"answer": "confirm"}).status_code == 200
    people = api_client(tenant_a, client_raw).get("/api/v1/candidates/").json()["results"]
    [version] = [
        v for p in people for v in p["versions"] if v["submission"] == created.json()["id"]
    ]
    assert version["email"] == "ada@example.test" and version["consent"] == "confirmed"
    listed = api_client(tenant_a, client_raw).get("/api/v1/submissions/").json()["results"]
    [row] = [r for r in listed if r["id"] == created.json()["id"]]
    assert row["consent"]["state"] == "confirmed" and row["consent"]["answered_at"]

    header = ["brief_id", "full_name", "email", *PROOF, "right_to_represent"]
    cells = [str(world["brief"].public_id), "Imported Person", "imported@corp.example"]
    output = io.StringIO()
    csv.writer(output).writerows([header, [*cells, *PROOF.values(), "yes"]])
    data = output.getvalue().encode()
    with schema_context(tenant_a.schema_name), django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(
            actor=Actor.for_user(recruiter.user, agency_id=recruiter.agency.pk),
            agency=recruiter.agency,
            upload=SimpleUploadedFile("people.csv", data, content_type="text/csv"),
        )
        import_job_run(job_id=job.pk)
        job.refresh_from_db()
        assert job.failed_rows == 0, job.errors
        imported = Submission.objects.get(email="imported@corp.example")
        assert imported.consent_state == ConsentState.PENDING
        assert imported.consent_requested_at is None  # asked by the worker, not the import
    # The import queued the e-mails for a worker (the broker is the edge here): run what it
    # queued, twice, as a redelivery would; the person is asked once.
    [queued] = [call for call in queued_tasks if call["task_name"] == CONSENT_DELIVER_TASK]
    assert queued["schema_name"] == tenant_a.schema_name
    assert imported.pk in queued["kwargs"]["submission_ids"]
    with schema_context(tenant_a.schema_name), django_capture_on_commit_callbacks(execute=True):
        assert consent_requests_deliver(**queued["kwargs"]) == 1
        assert consent_requests_deliver(**queued["kwargs"]) == 0
        imported.refresh_from_db()
        assert imported.consent_requested_at is not None
    [message] = [m for m in mail.outbox if "imported@corp.example" in m.to]
    assert "/consent/" in message.body


def test_webhooks_carry_consent_events_to_clients_and_the_agency():
    assert "submission.consent_changed" in FAN_OUT_EVENT_TYPES
    assert "submission.consent_changed" in AGENCY_WEBHOOK_EVENT_TYPES


def test_one_reminder_goes_to_a_candidate_who_has_not_answered(
    tenant_a, world, django_capture_on_commit_callbacks
):
    with schema_context(tenant_a.schema_name):
        waiting = _submit(world)
        answered = _submit(world, full_name="Ada", email="ada@example.test", phone="")
        consent_answer(submission=answered, answer="confirm")
        later = timezone.now() + CONSENT_REMINDER_AFTER + dt.timedelta(minutes=1)
        mail.outbox = []
        assert consent_reminders_send(now=timezone.now()) == 0  # too early
        with django_capture_on_commit_callbacks(execute=True):
            assert consent_reminders_send(now=later) == 1
            assert consent_reminders_send(now=later) == 0  # once only
        # Past the deadline nobody is reminded.
        assert consent_reminders_send(now=waiting.consent_expires_at) == 0
    [message] = mail.outbox
    assert message.to == ["dana.delivery@mail.example.test"]
    assert message.subject.startswith("Reminder: ")
    assert "you have not answered yet" in message.body
    path = _link_path(message)
    assert _anonymous(tenant_a).post(path, {"answer": "confirm"}).status_code == 200
