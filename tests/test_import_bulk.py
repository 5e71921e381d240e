"""The set-wise import path: the ownership decision it shares with a single submission, the
database having the last word when a chunk read something that changed, a row the database
refuses failing alone, and what each chunk writes."""

import datetime as dt
from typing import Any

import pytest
from django.db import DatabaseError
from django.utils import timezone

from audit.models import AuditEntry
from hiring.models import Candidate, CandidateOwnership, StageChange, Submission
from hiring.services import import_rows as import_rows_service
from hiring.services import imports as imports_service
from hiring.services.import_rows import ROW_NOT_SAVED
from hiring.services.import_writes import import_chunk_write
from hiring.services.submissions import OWNERSHIP_REFUSAL, ownership_claim, submission_create
from outbox.models import OutboxEvent
from tests.factories import CandidateFactory
from tests.test_imports import PROOF, _media_in_tmp, create, csv_bytes, row, run, setup

__all__ = ["_media_in_tmp", "setup"]  # fixtures shared with tests/test_imports.py


@pytest.mark.django_db
def test_the_ownership_claim_claims_extends_refuses_and_takes_over_after_the_window(setup):
    ours, theirs = (agency.pk for agency in setup["agencies"])
    fresh, kept, expired = (CandidateFactory() for _ in range(3))
    now = timezone.now()
    CandidateOwnership.objects.create(
        candidate=kept, agency_id=theirs, started_at=now, expires_at=now + dt.timedelta(days=9)
    )
    CandidateOwnership.objects.create(
        candidate=expired,
        agency_id=theirs,
        started_at=now - dt.timedelta(days=200),
        expires_at=now - dt.timedelta(days=1),
    )

    claimed = ownership_claim(
        candidate_ids=[fresh.pk, kept.pk, expired.pk, fresh.pk], agency_id=ours, window_days=30
    )

    assert claimed == {fresh.pk, expired.pk}
    assert CandidateOwnership.objects.get(candidate=kept).agency_id == theirs
    taken = CandidateOwnership.objects.get(candidate=expired)
    assert taken.agency_id == ours and taken.started_at > now - dt.timedelta(seconds=5)
    # The owner's own new submission extends the window and keeps when it started.
    first = CandidateOwnership.objects.get(candidate=fresh)
    assert ownership_claim(candidate_ids=[fresh.pk], agency_id=ours, window_days=90) == {fresh.pk}
    extended = CandidateOwnership.objects.get(candidate=fresh)
    assert extended.started_at == first.started_at and extended.expires_at > first.expires_at
    # A shorter window never shortens it.
    assert ownership_claim(candidate_ids=[fresh.pk], agency_id=ours, window_days=1) == {fresh.pk}
    assert CandidateOwnership.objects.get(candidate=fresh).expires_at == extended.expires_at


@pytest.mark.django_db
def test_a_person_claimed_since_the_chunk_read_them_is_refused_by_the_database(setup, monkeypatch):
    """The chunk read the file's person as unknown; meanwhile another agency submitted them
    through the page. The chunk's insert meets the unique email, the chunk is decided again
    from what is committed, and the row gets the single submission's ownership refusal."""
    brief, other = setup["brief"], setup["agencies"][1]
    submission_create(
        actor=setup["recruiters"][1],
        brief=brief,
        agency=other,
        candidate_data={"full_name": "Imported Person 1", "email": "imported.person1@corp.example"},
        proof=PROOF,
        right_to_represent=True,
    )
    real_known = import_rows_service.ChunkImporter._known
    reads = {"n": 0}

    def stale_first_read(self: Any, rows: Any) -> Any:
        reads["n"] += 1
        return [] if reads["n"] == 1 else real_known(self, rows)

    monkeypatch.setattr(import_rows_service.ChunkImporter, "_known", stale_first_read)
    job = run(create(setup, csv_bytes([row(brief, 1), row(brief, 2)])))

    assert reads["n"] == 2
    assert (job.done_rows, job.failed_rows) == (1, 1)
    assert job.errors == [{"row": 2, "field": "", "message": OWNERSHIP_REFUSAL}]
    assert Submission.objects.filter(agency=setup["agencies"][0]).count() == 1
    assert Candidate.objects.count() == 2
    refused = AuditEntry.objects.filter(action="submission.refused")
    assert [entry.details["code"] for entry in refused] == ["candidate_owned_by_another_agency"]


@pytest.mark.django_db
def test_a_row_the_database_refuses_fails_alone_and_the_chunk_lands(setup, monkeypatch):
    def refuse_row_4(**kwargs: Any) -> Any:
        if any(pending.number == 4 for pending in kwargs["pending"]):
            raise DatabaseError("value too long for type character varying(200)")
        return import_chunk_write(**kwargs)

    monkeypatch.setattr(import_rows_service, "import_chunk_write", refuse_row_4)
    job = run(create(setup, csv_bytes([row(setup["brief"], n) for n in range(1, 6)])))
    assert (job.done_rows, job.failed_rows) == (4, 1)
    assert job.errors == [{"row": 4, "field": "", "message": ROW_NOT_SAVED}]
    assert Submission.objects.count() == 4


@pytest.mark.django_db
def test_each_chunk_writes_what_a_single_submission_writes(setup, monkeypatch):
    brief = setup["brief"]
    known = CandidateFactory(email_normalized="known.person@corp.example", full_name="Old Name")
    monkeypatch.setattr(imports_service, "CHUNK_ROWS", 2)
    rows = [
        row(brief, 1),
        row(brief, 2, email="known.person@corp.example", full_name="New Name"),
        row(brief, 3, phone="+1 415 555 0199"),
        # The person of row 3 again, recognised by phone: skipped, as a single path would.
        row(brief, 4, email="other.address@corp.example", phone="(415) 555-0199"),
        row(brief, 5),
    ]
    job = run(create(setup, csv_bytes(rows)))

    assert (job.done_rows, job.failed_rows, job.skipped_rows) == (4, 0, 1)
    submissions = Submission.objects.filter(brief=brief).order_by("id")
    assert [s.full_name for s in submissions] == [
        "Imported Person 1",
        "New Name",
        "Imported Person 3",
        "Imported Person 5",
    ]
    known.refresh_from_db()
    assert known.full_name == "New Name"
    assert set(CandidateOwnership.objects.values_list("agency_id", flat=True)) == {
        setup["agencies"][0].pk
    }
    assert CandidateOwnership.objects.count() == 4
    assert StageChange.objects.filter(submission__in=submissions, to_stage="submitted").count() == 4
    created = AuditEntry.objects.filter(action="submission.created").order_by("id")
    assert [entry.details["new_candidate"] for entry in created] == [True, False, True, True]
    assert {entry.object_id for entry in created} == {str(s.public_id) for s in submissions}
    events = OutboxEvent.objects.filter(event_type="submission.created").order_by("id")
    assert [event.payload for event in events] == [
        {
            "submission_id": str(s.public_id),
            "brief_id": str(brief.public_id),
            "candidate_id": str(s.candidate.public_id),
            "stage": "submitted",
        }
        for s in submissions
    ]
    assert {event.agency_id for event in events} == {setup["agencies"][0].pk}
    # The phone match went through the duplicate rule, which agency analytics count.
    refused = AuditEntry.objects.get(action="submission.refused")
    assert refused.details == {"code": "duplicate_submission", "agency": setup["agencies"][0].pk}


@pytest.mark.django_db
def test_a_chunk_running_alongside_a_single_submission_by_the_same_agency(setup):
    """The same agency submits a person by hand, then imports a file holding them: the row
    is skipped and the owner's window is kept, not reset."""
    brief, agency = setup["brief"], setup["agencies"][0]
    submission_create(
        actor=setup["recruiters"][0],
        brief=brief,
        agency=agency,
        candidate_data={"full_name": "Imported Person 1", "email": "imported.person1@corp.example"},
        proof=PROOF,
        right_to_represent=True,
    )
    before = CandidateOwnership.objects.get()
    job = run(create(setup, csv_bytes([row(brief, 1)])))
    assert (job.done_rows, job.skipped_rows) == (0, 1)
    after = CandidateOwnership.objects.get()
    assert (after.agency_id, after.started_at) == (agency.pk, before.started_at)
