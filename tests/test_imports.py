"""Bulk import of candidates and submissions from CSV: the upload's checks, the run through
the real submission rules, re-uploads without duplicates, the pages, and a real worker."""

import csv
import datetime as dt
import io
import time
from typing import Any

import psycopg
import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import schema_context

import hiring.tasks  # noqa: F401  (registers the tasks with the test worker)
from audit.actors import Actor
from audit.models import AuditEntry
from hiring.models import Candidate, ImportJob, ImportStatus, Submission
from hiring.services import import_rows as import_rows_service
from hiring.services import imports as imports_service
from hiring.services.briefs import brief_create, brief_open
from hiring.services.import_files import COLUMNS
from hiring.services.import_rows import BRIEF_NOT_FOUND
from hiring.services.import_writes import import_chunk_write
from hiring.services.imports import (
    import_job_create,
    import_job_queue,
    import_job_run,
    import_run_lock_key,
)
from hiring.services.submissions import OWNERSHIP_REFUSAL
from outbox.models import OutboxEvent
from tenants.models import EngagementStatus
from tests.factories import AgencyFactory, EngagementFactory, UserFactory, ready_brief_data
from tests.query_counts import captured_sql, sql_listing

HEADER = [
    "brief_id",
    "full_name",
    "email",
    "phone",
    "skills",
    "proof_shipped_solution",
    "proof_baseline",
    "proof_improvement",
    "proof_monitoring",
    "proof_quality_dip",
    "right_to_represent",
    "rate_amount",
    "rate_currency",
]
PROOF = {
    "proof_shipped_solution": "Shipped a demand forecasting service used by 300 planners.",
    "proof_baseline": "Baseline MAPE was 31% with the spreadsheet method.",
    "proof_improvement": "Brought MAPE to 14% after adding promotions and holidays.",
    "proof_monitoring": "Weekly drift report on feature distributions and error by region.",
    "proof_quality_dip": "A supplier feed broke in week 3; rolled back and added schema checks.",
}


def row(brief: Any, n: int, **overrides: str) -> dict[str, str]:
    data = {
        "brief_id": str(brief.public_id) if brief is not None else "",
        "full_name": f"Imported Person {n}",
        "email": f"imported.person{n}@corp.example",
        "phone": "",
        "skills": "python; pytorch, sql",
        **PROOF,
        "right_to_represent": "yes",
        "rate_amount": "90",
        "rate_currency": "usd",
    }
    data.update(overrides)
    return data


def csv_bytes(
    rows: list[dict[str, str] | None],
    *,
    header: list[str] = HEADER,
    encoding: str = "utf-8",
    delimiter: str = ",",
) -> bytes:
    """`None` in `rows` writes a blank line (it still takes a row number, as in a sheet)."""
    output = io.StringIO()
    writer = csv.writer(output, delimiter=delimiter)
    writer.writerow(header)
    for values in rows:
        writer.writerow([] if values is None else [values.get(c, "") for c in header])
    return output.getvalue().encode(encoding)


def upload(data: bytes, name: str = "candidates.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def _open_brief(**overrides: Any) -> Any:
    client_actor = Actor.for_user(UserFactory())
    brief = brief_create(actor=client_actor, data=ready_brief_data(**overrides))
    return brief_open(actor=client_actor, brief=brief)


@pytest.fixture
def setup(tenant_a: Any) -> Any:
    """Inside tenant A: an open brief shared with all engaged agencies, and two engaged
    agencies with a recruiter each."""
    with schema_context(tenant_a.schema_name):
        agencies = []
        for _ in range(2):
            agency = AgencyFactory()
            EngagementFactory(client=tenant_a, agency=agency)
            agencies.append(agency)
        yield {
            "brief": _open_brief(),
            "agencies": agencies,
            "recruiters": [Actor.for_user(UserFactory(), agency_id=a.pk) for a in agencies],
        }


def create(setup: Any, data: bytes, index: int = 0, **kwargs: Any) -> ImportJob:
    return import_job_create(
        actor=setup["recruiters"][index],
        agency=setup["agencies"][index],
        upload=upload(data),
        **kwargs,
    )


def run(job: ImportJob) -> ImportJob:
    import_job_run(job_id=job.pk)
    job.refresh_from_db()
    return job


# --- the run, through the service ------------------------------------------------------------


@pytest.mark.django_db
def test_good_rows_land_and_bad_rows_are_reported_by_row_and_column(setup):
    brief = setup["brief"]
    bad_email = row(brief, 2, email="not-an-email-xq7")
    no_proof = row(brief, 4, proof_monitoring="", right_to_represent="no")
    data = csv_bytes([row(brief, 1), bad_email, None, no_proof, row(brief, 5)])
    job = create(setup, data)
    assert job.status == ImportStatus.QUEUED and job.total_rows == 4
    assert job.file.name.startswith("tenants/c_alpha/imports/")

    job = run(job)

    assert job.status == ImportStatus.DONE and job.error_message == ""
    assert (job.done_rows, job.failed_rows, job.skipped_rows) == (2, 2, 0)
    assert job.started_at is not None and job.finished_at is not None
    # Header is row 1; the blank line is row 4 and still counts, as a spreadsheet shows it.
    assert sorted((e["row"], e["field"]) for e in job.errors) == [
        (3, "email"),
        (5, "proof_monitoring"),
        (5, "right_to_represent"),
    ]
    messages = " ".join(e["message"] for e in job.errors)
    assert "xq7" not in messages and "not-an-email" not in messages
    submissions = Submission.objects.filter(agency=setup["agencies"][0])
    assert submissions.count() == 2
    landed = submissions.get(full_name="Imported Person 1")
    assert landed.skills == ["python", "pytorch", "sql"]
    assert landed.candidate.full_name == "Imported Person 1"
    assert landed.rate_currency == "USD" and landed.submitted_by_user_id
    assert landed.submitted_by_user_id == setup["recruiters"][0].user_id
    assert OutboxEvent.objects.filter(event_type="submission.created").count() == 2
    created = AuditEntry.objects.get(action="import.created", object_id=str(job.public_id))
    assert created.details["rows"] == 4
    finished = AuditEntry.objects.get(action="import.finished", object_id=str(job.public_id))
    assert finished.details == {"imported": 2, "failed": 2, "skipped": 0}
    assert "Imported Person" not in str(created.details) + str(finished.details)


@pytest.mark.django_db
def test_a_row_message_that_would_repeat_a_cell_is_replaced(setup, monkeypatch):
    def refuse(**kwargs: Any) -> Any:
        email = kwargs["candidate_data"]["email"]
        raise ValidationError({"email": f"{email} is refused.", "rate_amount": "Too high."})

    # The import checks rows with the single submission's own rules: refuse through them.
    monkeypatch.setattr(import_rows_service, "submission_input_clean", refuse)
    job = run(create(setup, csv_bytes([row(setup["brief"], 1)])))
    assert job.errors == [
        {"row": 2, "field": "email", "message": "This value is not valid."},
        {"row": 2, "field": "rate_amount", "message": "Too high."},
    ]


@pytest.mark.django_db
def test_reuploading_the_same_file_creates_nothing_new(setup):
    brief = setup["brief"]
    data = csv_bytes([row(brief, n) for n in range(1, 6)])
    first = run(create(setup, data))
    assert first.done_rows == 5
    # Its uploader is told the second import finished (import.finished); nothing else is new.
    rows_events = OutboxEvent.objects.exclude(event_type="import.finished")
    counts = (Candidate.objects.count(), Submission.objects.count(), rows_events.count())

    second = create(setup, data)
    with captured_sql() as sql:
        second = run(second)

    # Known rows are recognised from one look-up of the chunk's people; nothing is locked or
    # written for them.
    assert not any("FOR UPDATE" in q or "INSERT INTO hiring_" in q for q in sql)
    assert sum("FROM hiring_candidate c" in q for q in sql) == 1
    assert second.file_sha256 == first.file_sha256
    assert (second.done_rows, second.failed_rows, second.skipped_rows) == (0, 0, 5)
    assert second.errors == []
    assert counts == (
        Candidate.objects.count(),
        Submission.objects.count(),
        rows_events.count(),
    )
    assert OutboxEvent.objects.filter(event_type="import.finished").count() == 2


@pytest.mark.django_db
def test_the_same_person_twice_in_one_file_is_imported_once(setup):
    brief = setup["brief"]
    job = run(
        create(
            setup, csv_bytes([row(brief, 1), row(brief, 1, email="IMPORTED.PERSON1@corp.example")])
        )
    )
    assert (job.done_rows, job.skipped_rows) == (1, 1)
    assert Submission.objects.count() == 1


@pytest.mark.django_db
def test_a_known_person_under_a_new_email_is_recognised_by_phone_and_skipped(setup):
    brief = setup["brief"]
    run(create(setup, csv_bytes([row(brief, 1, email="", phone="+1 415 555 0132")])))
    job = run(
        create(
            setup,
            csv_bytes([row(brief, 1, email="new.address@corp.example", phone="(415) 555-0132")]),
        )
    )
    assert (job.done_rows, job.failed_rows, job.skipped_rows) == (0, 0, 1)
    assert Submission.objects.count() == 1 and Candidate.objects.count() == 1


@pytest.mark.django_db
def test_running_a_job_twice_does_not_duplicate(setup):
    brief = setup["brief"]
    job = run(create(setup, csv_bytes([row(brief, n) for n in range(1, 4)])))
    finished_at = job.finished_at

    again = run(job)
    assert again.finished_at == finished_at and again.done_rows == 3

    # Even forced back to the start, the duplicate rule keeps the rows from landing twice.
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.QUEUED, done_rows=0, failed_rows=0, skipped_rows=0
    )
    forced = run(job)
    assert (forced.done_rows, forced.skipped_rows, forced.status) == (0, 3, ImportStatus.DONE)
    assert Submission.objects.count() == 3


def _failing_at(call_number: int, error: BaseException) -> Any:
    """The writes of a chunk, failing on the `call_number`th chunk."""
    calls = {"n": 0}

    def write_or_fail(**kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == call_number:
            raise error
        return import_chunk_write(**kwargs)

    return write_or_fail


@pytest.mark.django_db
def test_a_stopped_run_says_how_far_it_got_and_drops_the_stored_file(
    setup, monkeypatch, tmp_path, django_capture_on_commit_callbacks
):
    job = create(setup, csv_bytes([row(setup["brief"], n) for n in range(1, 6)]))
    assert (tmp_path / job.file.name).is_file()
    monkeypatch.setattr(imports_service, "CHUNK_ROWS", 1)
    monkeypatch.setattr(
        import_rows_service, "import_chunk_write", _failing_at(3, SoftTimeLimitExceeded())
    )

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(SoftTimeLimitExceeded):
        import_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.done_rows) == (ImportStatus.FAILED, 2)
    assert job.error_message == (
        "The import stopped after 2 of 5 rows. Upload the same file again to import the rest: "
        "rows already imported are skipped."
    )
    assert not (tmp_path / job.file.name).exists()


@pytest.mark.django_db
def test_a_finished_import_keeps_no_copy_of_the_file(
    setup, tmp_path, django_capture_on_commit_callbacks
):
    job = create(setup, csv_bytes([row(setup["brief"], 1)]))
    with django_capture_on_commit_callbacks(execute=True):
        job = run(job)
    assert job.status == ImportStatus.DONE
    assert not any(path.is_file() for path in tmp_path.rglob("*"))


@pytest.mark.django_db
def test_a_run_whose_worker_died_resumes_after_its_last_saved_progress(setup, monkeypatch):
    job = create(setup, csv_bytes([row(setup["brief"], n) for n in range(1, 6)]))
    monkeypatch.setattr(imports_service, "CHUNK_ROWS", 2)
    # Like a killed process: nothing in the run gets to record the end.
    monkeypatch.setattr(import_rows_service, "import_chunk_write", _failing_at(2, SystemExit()))
    with pytest.raises(SystemExit):
        import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.done_rows) == (ImportStatus.RUNNING, 2)
    # The chunk that was being written (rows 3-4) went with its transaction.
    assert Submission.objects.count() == 2

    # The task is delivered again (acks_late): rows 1-2 are not read again; the rest land.
    monkeypatch.setattr(import_rows_service, "import_chunk_write", import_chunk_write)
    job = run(job)
    assert (job.status, job.done_rows, job.skipped_rows) == (ImportStatus.DONE, 5, 0)
    assert Submission.objects.count() == 5
    assert OutboxEvent.objects.filter(event_type="submission.created").count() == 5


@pytest.mark.django_db
def test_a_job_another_worker_is_running_is_left_alone(setup):
    job = create(setup, csv_bytes([row(setup["brief"], 1)]))
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as other_worker:
        other_worker.execute("SELECT pg_advisory_lock(%s)", [import_run_lock_key(job.pk)])
        other_pid = other_worker.info.backend_pid
        job = run(job)
    assert (job.status, job.done_rows) == (ImportStatus.QUEUED, 0)
    # The server ends the other backend (and drops its locks) shortly after the client hangs up.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [other_pid])
            if cursor.fetchone() is None:
                break
        time.sleep(0.05)
    assert Submission.objects.count() == 0
    assert run(job).status == ImportStatus.DONE  # the lock went with the other connection


@pytest.mark.django_db
def test_a_brief_chosen_at_upload_applies_to_rows_without_brief_id(setup, tenant_a):
    chosen, other = setup["brief"], _open_brief(title="Second brief")
    header = [c for c in HEADER if c != "brief_id"]
    job = run(create(setup, csv_bytes([row(None, 1), row(None, 2)], header=header), brief=chosen))
    assert job.done_rows == 2
    assert set(Submission.objects.values_list("brief_id", flat=True)) == {chosen.pk}

    # With the column present, a row's own brief wins and empty cells take the chosen one.
    rows = [row(other, 3), row(None, 4), row(None, 5, brief_id="no-such-brief")]
    job = run(create(setup, csv_bytes(rows), brief=chosen))
    assert (job.done_rows, job.failed_rows) == (2, 1)
    assert job.errors == [{"row": 4, "field": "brief_id", "message": BRIEF_NOT_FOUND}]
    assert Submission.objects.get(candidate__full_name="Imported Person 3").brief == other
    assert Submission.objects.get(candidate__full_name="Imported Person 4").brief == chosen


@pytest.mark.django_db
def test_rows_for_a_brief_not_shared_with_the_agency_fail(setup):
    client_actor = Actor.for_user(UserFactory())
    private = brief_open(
        actor=client_actor,
        brief=brief_create(actor=client_actor, data=ready_brief_data(title="Private")),
        agency_ids=[setup["agencies"][1].pk],
    )
    job = run(create(setup, csv_bytes([row(private, 1)])))
    assert job.failed_rows == 1
    assert job.errors == [{"row": 2, "field": "brief_id", "message": BRIEF_NOT_FOUND}]
    with pytest.raises(ValidationError) as refused:
        create(setup, csv_bytes([row(None, 1)]), brief=private)
    assert "brief" in refused.value.message_dict


@pytest.mark.django_db
def test_a_person_owned_by_another_agency_fails_with_the_ownership_reason(setup):
    brief = setup["brief"]
    run(create(setup, csv_bytes([row(brief, 1)]), index=1))
    job = run(create(setup, csv_bytes([row(brief, 1), row(brief, 2)]), index=0))
    assert (job.done_rows, job.failed_rows) == (1, 1)
    assert job.errors == [{"row": 2, "field": "", "message": OWNERSHIP_REFUSAL}]
    assert setup["agencies"][1].name not in job.errors[0]["message"]


@pytest.mark.django_db
def test_a_row_with_more_cells_than_columns_fails_alone(setup):
    brief = setup["brief"]
    data = csv_bytes([row(brief, 1), row(brief, 2)])
    data = data.rstrip(b"\r\n") + b",surplus, cells\r\n"
    job = run(create(setup, data))
    assert (job.done_rows, job.failed_rows) == (1, 1)
    assert job.errors[0]["row"] == 3 and "more cells" in job.errors[0]["message"]


@pytest.mark.django_db
def test_a_bom_semicolons_and_friendly_header_names_are_accepted(setup):
    brief = setup["brief"]
    header = ["Brief ID", "Full Name", "E-mail", *HEADER[3:]]
    values = [
        {
            **row(brief, 1),
            "Brief ID": str(brief.public_id),
            "Full Name": "Zoë Ångström",
            "E-mail": "zoe@corp.example",
        }
    ]
    data = b"\xef\xbb\xbf" + csv_bytes(values, header=header, delimiter=";")
    job = run(create(setup, data))
    assert job.done_rows == 1
    assert Candidate.objects.get().full_name == "Zoë Ångström"


@pytest.mark.django_db
def test_an_ended_engagement_stops_the_job_with_a_reason(setup, tenant_a):
    job = create(setup, csv_bytes([row(setup["brief"], 1)]))
    setup["agencies"][0].engagements.filter(client=tenant_a).update(status=EngagementStatus.ENDED)
    job = run(job)
    assert job.status == ImportStatus.FAILED
    assert "engagement with this client is not active" in job.error_message
    assert Submission.objects.count() == 0
    with pytest.raises(ValidationError) as refused:
        create(setup, csv_bytes([row(setup["brief"], 1)]))
    assert "agency" in refused.value.message_dict


@pytest.mark.django_db
def test_the_upload_queues_the_task_for_this_tenant_after_commit(
    setup, tenant_a, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(imports_service, "send_to_tenant", lambda **kw: sent.append(kw))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = create(setup, csv_bytes([row(setup["brief"], 1)]))
    assert sent == []
    for callback in callbacks:
        callback()
    assert {
        "task_name": "hiring.tasks.imports.import_job_run",
        "schema_name": tenant_a.schema_name,
        "kwargs": {"job_id": job.pk},
    } in sent


@pytest.mark.django_db
def test_statements_do_not_grow_with_rows_and_progress_is_saved_by_chunk(setup, monkeypatch):
    brief = setup["brief"]

    def statements_for(first: int, count: int) -> list[str]:
        job = create(setup, csv_bytes([row(brief, n) for n in range(first, first + count)]))
        with captured_sql() as statements:
            job = run(job)
        assert job.done_rows == count
        # django-tenants re-sets the search path before statements; those are not the work.
        return [sql for sql in statements if not sql.startswith("SET search_path")]

    small, large = statements_for(1000, 5), statements_for(2000, 150)
    # One chunk costs the same statements for 5 rows as for 150.
    assert len(small) == len(large), sql_listing(large)
    assert sum("COPY hiring_import_stage" in q for q in large) == 1
    assert sum('FROM "hiring_rolebrief"' in q for q in large) == 1

    # Three chunks of 50: each adds the same statements, its brief look-up and its progress.
    monkeypatch.setattr(imports_service, "CHUNK_ROWS", 50)
    chunked = statements_for(3000, 150)
    per_chunk, remainder = divmod(len(chunked) - len(large), 2)
    assert remainder == 0 and per_chunk < 25, sql_listing(chunked)
    assert sum('FROM "hiring_rolebrief"' in q for q in chunked) == 3
    # Progress: running, one save per chunk, the end.
    assert sum(q.startswith('UPDATE "hiring_importjob"') for q in chunked) == 5


# --- refusals at upload ----------------------------------------------------------------------


REFUSED_FILES = {
    "utf16": (
        "\n".join([",".join(HEADER), "x,Zoë"]).encode("utf-16"),
        "saved as UTF-16, not UTF-8",
    ),
    "latin1": (
        csv_bytes([{"full_name": "José Müller"}], encoding="latin-1"),
        "not in UTF-8",
    ),
    "missing_columns": (
        csv_bytes([{"full_name": "A"}], header=["brief_id", "full_name", "email"]),
        "missing required columns: proof_shipped_solution, right_to_represent",
    ),
    "no_contact_column": (
        csv_bytes([{"full_name": "A"}], header=[c for c in HEADER if c not in ("email", "phone")]),
        "Add an email column, a phone column, or both.",
    ),
    "unknown_column": (
        csv_bytes([{"full_name": "A"}], header=[*HEADER, "favourite_colour"]),
        "Unknown columns: favourite_colour",
    ),
    "duplicate_column": (
        csv_bytes([{"full_name": "A"}], header=[*HEADER, "email"]),
        "appear more than once: email",
    ),
    "empty": (b"", "The file is empty."),
    "header_only": (csv_bytes([]), "no candidates under it"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", REFUSED_FILES)
def test_a_file_that_cannot_be_imported_is_refused_with_what_to_do(setup, case, tmp_path):
    data, expected = REFUSED_FILES[case]
    with pytest.raises(ValidationError) as refused:
        create(setup, data)
    assert expected in " ".join(refused.value.message_dict["file"])
    assert ImportJob.objects.count() == 0
    assert not any(path.is_file() for path in tmp_path.rglob("*"))


@pytest.mark.django_db
def test_wrong_encoding_advice_names_utf8_csv(setup):
    with pytest.raises(ValidationError) as refused:
        create(setup, REFUSED_FILES["latin1"][0])
    assert "save the file as UTF-8 CSV" in refused.value.message_dict["file"][0]


@pytest.mark.django_db
def test_a_missing_brief_id_column_is_named_unless_a_brief_is_chosen(setup):
    header = [c for c in HEADER if c != "brief_id"]
    with pytest.raises(ValidationError) as refused:
        create(setup, csv_bytes([row(None, 1)], header=header))
    assert "missing required columns: brief_id" in refused.value.message_dict["file"][0]


@pytest.mark.django_db
def test_a_file_over_the_size_limit_is_refused(setup, settings):
    settings.IMPORT_MAX_BYTES = 300
    data = csv_bytes([row(setup["brief"], n) for n in range(3)])
    assert len(data) > 300
    with pytest.raises(ValidationError) as refused:
        create(setup, data)
    assert refused.value.message_dict["file"] == [
        "The file is larger than 300 bytes. Split it into smaller files."
    ]


@pytest.mark.django_db
def test_a_file_over_the_row_limit_is_refused_and_blank_rows_do_not_count(setup, settings):
    settings.IMPORT_MAX_ROWS = 2
    brief = setup["brief"]
    with pytest.raises(ValidationError) as refused:
        create(setup, csv_bytes([row(brief, n) for n in range(3)]))
    assert refused.value.message_dict["file"] == [
        "The file has more than 2 rows of candidates. Split it into files of up to 2 rows."
    ]
    job = create(setup, csv_bytes([row(brief, 1), None, None, row(brief, 2), None]))
    assert job.total_rows == 2


# --- pages -----------------------------------------------------------------------------------


@pytest.fixture
def web(tenant_a, as_role):
    """Tenant A with an open brief and a recruiter of an engaged agency."""
    recruiter = as_role(tenant_a, "recruiter")
    with schema_context(tenant_a.schema_name):
        brief = _open_brief()
    connection.set_schema_to_public()
    return {"recruiter": recruiter, "brief": brief, "tenant": tenant_a}


def post_upload(acting: Any, data: bytes, **fields: str) -> Any:
    return acting.http.post(reverse("imports:new"), {"file": upload(data), **fields})


def run_in(tenant: Any, job_public_id: Any) -> ImportJob:
    with schema_context(tenant.schema_name):
        job = ImportJob.objects.get(public_id=job_public_id)
        return run(job)


@pytest.mark.django_db
def test_a_recruiter_uploads_and_follows_the_import(web):
    recruiter, brief = web["recruiter"], web["brief"]
    page = recruiter.http.get(reverse("imports:new"))
    assert page.status_code == 200 and brief.title in page.content.decode()

    rows = [row(brief, 1), row(brief, 2, email="bad@", full_name="Hidden Name")]
    response = post_upload(recruiter, csv_bytes(rows))
    assert response.status_code == 302
    with schema_context(web["tenant"].schema_name):
        job = ImportJob.objects.get()
    assert response["Location"] == reverse("imports:detail", args=[job.public_id])
    assert job.agency == recruiter.agency and job.uploaded_by_user_id == recruiter.user.pk

    queued = recruiter.http.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 2s"' in queued and "Queued" in queued
    assert 'http-equiv="refresh"' in queued

    run_in(web["tenant"], job.public_id)
    done = recruiter.http.get(response["Location"]).content.decode()
    # The status block stops polling (the header's unread badge polls on every page).
    assert 'hx-trigger="every 2s"' not in done and 'http-equiv="refresh"' not in done
    assert "2 of 2 rows processed" in done
    assert "This is not a valid email address." in done and "<td>3</td>" in done
    assert "Hidden Name" not in done and "bad@" not in done

    partial = recruiter.http.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<section id="import-status"') and "<html" not in partial

    problems = recruiter.http.get(reverse("imports:problems", args=[job.public_id]))
    assert problems["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(problems.content.decode("utf-8-sig"))))
    assert lines == [
        ["row", "column", "problem"],
        ["3", "email", "This is not a valid email address."],
    ]

    listing = recruiter.http.get(reverse("imports:list")).content.decode()
    assert str(job.public_id) in listing


@pytest.mark.django_db
def test_an_import_is_readable_by_its_uploader_only(web, as_role):
    tenant, recruiter = web["tenant"], web["recruiter"]
    post_upload(recruiter, csv_bytes([row(web["brief"], 1)]))
    with schema_context(tenant.schema_name):
        job = ImportJob.objects.get()
    colleague = as_role(tenant, "agency_admin", agency=recruiter.agency)
    other_agency = as_role(tenant, "recruiter")
    client_admin = as_role(tenant, "admin")
    for outsider in (colleague, other_agency, client_admin):
        for name in ("imports:detail", "imports:problems"):
            assert outsider.http.get(reverse(name, args=[job.public_id])).status_code == 404
        assert str(job.public_id) not in outsider.http.get(reverse("imports:list")).content.decode()
    assert recruiter.http.get(reverse("imports:detail", args=[job.public_id])).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["interviewer", "executive"])
def test_interviewers_and_executives_cannot_import(web, as_role, role):
    acting = as_role(web["tenant"], role)
    for name in ("imports:list", "imports:new", "imports:template"):
        assert acting.http.get(reverse(name)).status_code == 404
    assert post_upload(acting, csv_bytes([row(web["brief"], 1)])).status_code == 404


@pytest.mark.django_db
def test_a_client_uploads_on_behalf_of_an_engaged_agency(web, as_role):
    tenant, agency = web["tenant"], web["recruiter"].agency
    manager = as_role(tenant, "hiring_manager")
    data = csv_bytes([row(web["brief"], 1)])

    missing = post_upload(manager, data)
    assert missing.status_code == 400 and "This field is required." in missing.content.decode()

    response = post_upload(manager, data, agency=str(agency.public_id))
    assert response.status_code == 302
    with schema_context(tenant.schema_name):
        job = ImportJob.objects.get()
        assert job.agency == agency and job.uploaded_by_user_id == manager.user.pk
        job = run(job)
        submission = Submission.objects.get()
    assert job.done_rows == 1 and submission.agency == agency
    assert submission.submitted_by_user_id == manager.user.pk


@pytest.mark.django_db
def test_a_refused_file_is_explained_on_the_form(web):
    response = post_upload(web["recruiter"], REFUSED_FILES["latin1"][0])
    assert response.status_code == 400
    assert "save the file as UTF-8 CSV" in response.content.decode()
    with schema_context(web["tenant"].schema_name):
        assert ImportJob.objects.count() == 0


@pytest.mark.django_db
def test_the_template_lists_every_column_and_imports_as_it_is(web):
    recruiter = web["recruiter"]
    response = recruiter.http.get(reverse("imports:template"))
    assert response["Content-Disposition"] == (
        'attachment; filename="candidates-import-template.csv"'
    )
    assert response.content.startswith(b"\xef\xbb\xbf")
    header, example = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header == list(COLUMNS)
    assert dict(zip(header, example, strict=True))["brief_id"] == str(web["brief"].public_id)

    assert post_upload(recruiter, response.content).status_code == 302
    with schema_context(web["tenant"].schema_name):
        job = run(ImportJob.objects.get())
    assert (job.done_rows, job.failed_rows) == (1, 0), job.errors


# --- a real worker ---------------------------------------------------------------------------


def _wait_for_finish(schema_name: str, job_id: int, timeout: float = 30.0) -> ImportJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with schema_context(schema_name):
            job = ImportJob.objects.get(pk=job_id)
        if job.status in (ImportStatus.DONE, ImportStatus.FAILED):
            return job
        time.sleep(0.1)
    raise AssertionError(f"import {job_id} did not finish: {job.status}")


@pytest.mark.worker
def test_a_worker_runs_the_upload_and_a_second_delivery_adds_nothing(celery_worker, tenant_a):
    schema_name = tenant_a.schema_name
    with schema_context(schema_name):
        agency = AgencyFactory()
        EngagementFactory(client=tenant_a, agency=agency)
        recruiter = Actor.for_user(UserFactory(), agency_id=agency.pk)
        brief = _open_brief()
        rows = [row(brief, n) for n in range(1, 41)] + [row(brief, 41, right_to_represent="")]
        # Committed for real: the upload's on-commit hook queues the task to the worker.
        job = import_job_create(actor=recruiter, agency=agency, upload=upload(csv_bytes(rows)))
        # A second delivery of the same job (a redelivery or a double click) at once.
        import_job_queue(job_id=job.pk, schema_name=schema_name)

    job = _wait_for_finish(schema_name, job.pk)

    assert job.status == ImportStatus.DONE, job.error_message
    assert (job.total_rows, job.done_rows, job.failed_rows, job.skipped_rows) == (41, 40, 1, 0)
    assert job.errors == [
        {
            "row": 42,
            "field": "right_to_represent",
            "message": "Confirm that the candidate agreed to be represented by your agency "
            "for this role.",
        }
    ]
    time.sleep(0.5)  # let the second delivery finish too
    with schema_context(schema_name):
        assert Submission.objects.filter(agency=agency).count() == 40
        assert ImportJob.objects.get(pk=job.pk).done_rows == 40
    connection.set_schema_to_public()


@pytest.mark.worker
def test_an_upload_whose_hand_over_failed_is_resumed_by_the_sweep(
    celery_worker, tenant_a, monkeypatch
):
    """The broker is down when the upload commits: the job stays queued; the periodic sweep
    hands it to a worker once it is old enough, and the worker imports it."""
    from hiring.services import imports as import_service
    from hiring.tasks.imports import imports_resume_task

    schema_name = tenant_a.schema_name
    handed_over: list[int] = []

    def broker_down(*, task_name: str, schema_name: str, kwargs: Any = None) -> None:
        handed_over.append(kwargs["job_id"])
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(import_service, "send_to_tenant", broker_down)
    with schema_context(schema_name):
        agency = AgencyFactory()
        EngagementFactory(client=tenant_a, agency=agency)
        recruiter = Actor.for_user(UserFactory(), agency_id=agency.pk)
        brief = _open_brief()
        job = import_job_create(
            actor=recruiter, agency=agency, upload=upload(csv_bytes([row(brief, 1)]))
        )
    assert handed_over == [job.pk]
    monkeypatch.undo()
    time.sleep(0.5)
    with schema_context(schema_name):
        assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.QUEUED
        # Too recent for the sweep: it may still be waiting in the queue.
        assert imports_resume_task.delay().get(timeout=30) == 0
        ImportJob.objects.filter(pk=job.pk).update(
            created_at=timezone.now() - dt.timedelta(minutes=11)
        )
        assert imports_resume_task.delay().get(timeout=30) == 1
    job = _wait_for_finish(schema_name, job.pk)
    assert (job.status, job.done_rows) == (ImportStatus.DONE, 1)
    with schema_context(schema_name):
        assert Submission.objects.filter(agency=agency).count() == 1
        # Finished: the next sweep leaves it alone.
        assert imports_resume_task.delay().get(timeout=30) == 0
    connection.set_schema_to_public()


@pytest.mark.django_db
def test_the_sweep_leaves_a_job_a_worker_is_running_alone(setup, monkeypatch):
    from hiring.services import imports as import_service

    job = create(setup, csv_bytes([row(setup["brief"], 1)]))
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.RUNNING, created_at=timezone.now() - dt.timedelta(hours=1)
    )
    queued: list[int] = []
    monkeypatch.setattr(
        import_service,
        "send_to_tenant",
        lambda *, task_name, schema_name, kwargs=None: queued.append(kwargs["job_id"]),
    )
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as worker:
        worker.execute("SELECT pg_advisory_lock(%s)", [import_run_lock_key(job.pk)])
        assert import_service.imports_resume() == 0
        worker.execute("SELECT pg_advisory_unlock(%s)", [import_run_lock_key(job.pk)])
    assert import_service.imports_resume() == 1
    assert queued == [job.pk]
