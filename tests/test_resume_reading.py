"""Resume reading: real PDF, DOCX and text files prefill the submission form; hostile files
(encrypted, garbage, zip bomb, entity bomb, element flood, too slow) give a clear message and
the form stays usable; the staged resume is attached on submit; the duplicate warning."""

import datetime as dt
import html
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from hiring import resume_reading
from hiring.models import CandidateOwnership, Submission
from hiring.resume_reading import PROBLEMS, resume_fields_read, resume_read
from hiring.resumes import DOCX, PDF, TEXT, staged_folder, staged_resumes_sweep
from tests.factories import CandidateFactory, RoleBriefFactory, SubmissionFactory
from tests.resume_files import (
    docx_billion_laughs,
    docx_bytes,
    docx_element_flood,
    docx_zip_bomb,
    encrypted_pdf_bytes,
    pdf_bytes,
)

PRIYA_LINES = [
    "Priya Raman",
    "Senior ML Engineer, London",
    "priya.raman@example.com | +44 20 7946 0958",
    "github.com/priya-r",
    "Skills: Python, PyTorch, MLflow, Kubernetes, feature engineering",
    "Reference: Sam Stone, +1 415 555 0132, sam@example.org",
]


def test_a_pdf_resume_gives_name_contact_links_and_skills():
    reading = resume_read(
        data=pdf_bytes(PRIYA_LINES, link="https://www.linkedin.com/in/priya-raman"),
        content_type=PDF,
    )
    assert reading.problem == ""
    assert reading.full_name == "Priya Raman"
    assert reading.email == "priya.raman@example.com"
    assert reading.phone == "+44 20 7946 0958"
    assert reading.links == [
        "https://www.linkedin.com/in/priya-raman",
        "https://github.com/priya-r",
    ]
    assert reading.skills == ["Python", "PyTorch", "MLflow", "Kubernetes", "feature engineering"]
    assert reading.initial()["skills"] == "Python, PyTorch, MLflow, Kubernetes, feature engineering"


def test_a_docx_resume_reads_paragraphs_and_tables():
    data = docx_bytes(
        ["Curriculum Vitae", "Ada Lovelace", "ada.lovelace@example.org"],
        table=[["Phone", "+1 415 555 0132"], ["Stack", "Airflow, scikit-learn, FastAPI"]],
    )
    reading = resume_read(data=data, content_type=DOCX)
    assert (reading.full_name, reading.email) == ("Ada Lovelace", "ada.lovelace@example.org")
    assert reading.phone.replace("-", " ") == "+1 415 555 0132"
    assert reading.skills == ["Airflow", "scikit-learn", "FastAPI"]


def test_a_text_resume_and_what_is_not_taken_for_a_name():
    reading = resume_read(
        data="RESUME\nName: José Núñez-García\njose@example.es\nGo, RAG, rest api\n".encode(),
        content_type=TEXT,
    )
    assert reading.full_name == "José Núñez-García"
    # Short words that are ordinary English count only in their exact spelling.
    assert reading.skills == ["Go", "RAG"]
    assert resume_fields_read(text="Experience 2019-2024\nLead engineer at Acme").full_name == ""


@pytest.mark.parametrize(
    ("data", "content_type", "problem"),
    [
        (encrypted_pdf_bytes(["Ada Lovelace"], password="secret"), PDF, "encrypted"),
        (b"%PDF-1.7\n" + b"\x8f garbage " * 500, PDF, "unreadable"),
        (b"PK\x03\x04 not really a zip", DOCX, "unreadable"),
        (docx_zip_bomb(), DOCX, "too_large"),
        (docx_billion_laughs(), DOCX, "unreadable"),
        (pdf_bytes([]), PDF, "no_text"),
    ],
    ids=["encrypted", "garbage-pdf", "garbage-docx", "zip-bomb", "entity-bomb", "no-text"],
)
def test_hostile_and_bad_files_give_a_clear_message(data, content_type, problem):
    reading = resume_read(data=data, content_type=content_type)
    assert reading.problem == PROBLEMS[problem]
    assert reading.initial() == {}


def test_a_pdf_with_an_empty_password_is_still_read():
    data = encrypted_pdf_bytes(["Ada Lovelace", "ada@example.org"], password="")
    assert resume_read(data=data, content_type=PDF).email == "ada@example.org"


def test_a_file_that_needs_too_much_memory_stops_the_reader_not_the_caller():
    reading = resume_read(data=docx_element_flood(), content_type=DOCX)
    assert reading.problem == PROBLEMS["too_large"]


def test_a_reader_that_takes_too_long_is_stopped(monkeypatch):
    monkeypatch.setattr(resume_reading, "READ_SECONDS", 0.01)
    reading = resume_read(data=pdf_bytes(PRIYA_LINES), content_type=PDF)
    assert reading.problem == PROBLEMS["timeout"]


# --- the pages ------------------------------------------------------------------------------


def _brief(tenant: Any, in_tenant: Any) -> Any:
    with in_tenant(tenant):
        return RoleBriefFactory(title="Forecasting lead", track="python_developer")


def _text(response: Any) -> str:
    return html.unescape(response.content.decode())


def _upload(recruiter: Any, brief: Any, name: str, data: bytes) -> Any:
    return recruiter.http.post(
        reverse("hiring:submission_from_resume", args=[brief.public_id]),
        {"resume_file": SimpleUploadedFile(name, data)},
    )


@pytest.mark.django_db
def test_a_recruiter_uploads_a_pdf_confirms_the_prefilled_form_and_the_resume_is_attached(
    tenant_a, as_role, in_tenant
):
    brief = _brief(tenant_a, in_tenant)
    recruiter = as_role(tenant_a, "recruiter")
    response = _upload(recruiter, brief, "priya.pdf", pdf_bytes(PRIYA_LINES))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["full_name"] == "Priya Raman"
    assert form.initial["email"] == "priya.raman@example.com"
    assert form.initial["phone"] == "+44 20 7946 0958"
    assert form.initial["links"] == "https://github.com/priya-r"
    text = _text(response)
    assert "Read from the resume: name, e-mail, phone, links, skills." in text
    assert 'value="Priya Raman"' in text and "The resume you uploaded is attached." in text
    token = form.initial["staged_resume"]
    with in_tenant(tenant_a):
        assert len(default_storage.listdir(staged_folder())[1]) >= 1

    data = {
        name: form.initial.get(name, "")
        for name in ("full_name", "email", "phone", "links", "skills", "staged_resume")
    }
    data.update(
        proof_shipped_solution="Shipped a demand forecast used by 40 planners every day.",
        proof_domain="Retail demand planning",
        proof_input_validation="Every feed is checked against a schema; bad rows are held back.",
        right_to_represent="on",
    )
    done = recruiter.http.post(reverse("hiring:submission_new", args=[brief.public_id]), data)
    assert done.status_code == 302, _text(done)
    with in_tenant(tenant_a):
        submission = Submission.objects.get(brief=brief)
        assert submission.resume_content_type == PDF
        assert submission.skills[:2] == ["Python", "PyTorch"]
        with default_storage.open(submission.resume.name, "rb") as stored:
            assert stored.read().startswith(b"%PDF-")
        assert not submission.resume.name.startswith(staged_folder())
        # The staged copy went with it; its token is spent.
        again = recruiter.http.post(
            reverse("hiring:submission_new", args=[brief.public_id]),
            {**data, "email": "other@example.com", "staged_resume": token},
        )
        assert "The resume read for this form is no longer kept" in _text(again)
        default_storage.delete(submission.resume.name)


@pytest.mark.django_db
def test_an_unreadable_resume_says_so_and_the_recruiter_can_still_type(
    tenant_a, as_role, in_tenant
):
    brief = _brief(tenant_a, in_tenant)
    recruiter = as_role(tenant_a, "recruiter")
    response = _upload(
        recruiter, brief, "cv.pdf", encrypted_pdf_bytes(["Ada Lovelace"], password="x")
    )
    assert response.status_code == 200
    text = _text(response)
    assert PROBLEMS["encrypted"] in text
    assert 'name="full_name"' in text and 'name="proof_shipped_solution"' in text

    not_a_resume = _upload(recruiter, brief, "photo.png", b"\x89PNG\r\n\x1a\n\x00\x00")
    assert not_a_resume.status_code == 400
    assert "Upload the resume as PDF, DOCX or plain text." in _text(not_a_resume)
    assert 'name="full_name"' in _text(not_a_resume)
    # A GET of the upload address goes back to the empty form.
    back = recruiter.http.get(reverse("hiring:submission_from_resume", args=[brief.public_id]))
    assert back.status_code == 302


@pytest.mark.django_db
def test_the_duplicate_warning_before_submitting(tenant_a, as_role, in_tenant):
    brief = _brief(tenant_a, in_tenant)
    recruiter = as_role(tenant_a, "recruiter")
    rival = as_role(tenant_a, "recruiter")
    with in_tenant(tenant_a):
        # Another agency represents Priya here (the e-mail typed differently).
        priya = CandidateFactory(
            full_name="Priya Raman", email_normalized="priya.raman@example.com"
        )
        SubmissionFactory(candidate=priya, agency=rival.agency)
        CandidateOwnership.objects.create(
            candidate=priya,
            agency=rival.agency,
            expires_at=timezone.now() + dt.timedelta(days=30),
        )
    response = _upload(recruiter, brief, "priya.pdf", pdf_bytes(PRIYA_LINES))
    text = _text(response)
    assert "already represented at this client by another agency" in text
    assert rival.agency.name not in text
    # The warning also shows when the person was typed, on a refused or corrected form.
    typed = recruiter.http.post(
        reverse("hiring:submission_new", args=[brief.public_id]),
        {"full_name": "Priya", "email": "Priya.Raman@Example.com"},
    )
    assert "already represented at this client by another agency" in _text(typed)


@pytest.mark.django_db
def test_staged_resumes_older_than_a_day_are_swept(tenant_a, as_role, in_tenant):
    brief = _brief(tenant_a, in_tenant)
    recruiter = as_role(tenant_a, "recruiter")
    _upload(recruiter, brief, "priya.pdf", pdf_bytes(PRIYA_LINES))
    with in_tenant(tenant_a):
        files = default_storage.listdir(staged_folder())[1]
        assert files
        assert staged_resumes_sweep(now=timezone.now()) == 0
        assert staged_resumes_sweep(now=timezone.now() + dt.timedelta(days=2)) == len(files)
        assert default_storage.listdir(staged_folder())[1] == []
