"""Proof that matches the role: parts required per track, numbers with units, the
proof-strength summary on the client's page, and the CSV import's new optional columns."""

import csv
import html
import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_tenants.utils import schema_context

from audit.actors import Actor
from hiring.models import Submission
from hiring.proof import proof_strength, required_parts
from hiring.services.briefs import brief_create, brief_open
from hiring.services.imports import import_job_create, import_job_run
from hiring.services.submissions import submission_create
from tests.factories import AgencyFactory, EngagementFactory, UserFactory, ready_brief_data

pytestmark = pytest.mark.django_db

STORY = {
    "proof_shipped_solution": "Shipped a demand forecasting service used by 300 planners.",
    "proof_baseline": "Baseline MAPE was 31% with the spreadsheet method.",
    "proof_improvement": "Brought MAPE to 14% after adding promotions and holidays.",
    "proof_monitoring": "Weekly drift report on feature distributions and error by region.",
    "proof_quality_dip": "A supplier feed broke in week 3; rolled back and added schema checks.",
}
OPERATIONS = {
    "proof_alert_thresholds": "Page the on-call when weekly MAPE rises above 18%.",
    "proof_rollback": "Every model versioned in the registry; one-command rollback, rehearsed.",
}
MEASURED = {
    "proof_metric": "MAPE",
    "proof_metric_unit": "%",
    "proof_baseline_value": "31",
    "proof_result_value": "14",
}


@pytest.fixture
def world(tenant_a):
    with schema_context(tenant_a.schema_name):
        client = Actor.for_user(UserFactory())
        agency = AgencyFactory()
        EngagementFactory(client=tenant_a, agency=agency)
        briefs = {
            track: brief_open(
                actor=client,
                brief=brief_create(
                    actor=client,
                    data=ready_brief_data(title=track, track=track, needs=["ml_features"]),
                ),
            )
            for track in ("python_developer", "python_ai_developer", "ai_ml_engineer")
        }
        yield {
            "briefs": briefs,
            "agency": agency,
            "recruiter": Actor.for_user(UserFactory(), agency_id=agency.pk),
        }


def submit(world, track, proof, email="ada@mail.example.test"):
    return submission_create(
        actor=world["recruiter"],
        brief=world["briefs"][track],
        agency=world["agency"],
        candidate_data={"full_name": "Ada Example", "email": email},
        proof=proof,
        right_to_represent=True,
    )


def refused_fields(world, track, proof) -> set[str]:
    with pytest.raises(ValidationError) as error:
        submit(world, track, proof)
    return set(error.value.message_dict)


def test_each_track_requires_its_own_parts():
    assert required_parts("python_developer") == (
        "proof_shipped_solution",
        "proof_domain",
        "proof_input_validation",
    )
    assert set(required_parts("python_ai_developer")) == set(STORY)
    assert set(required_parts("ai_ml_engineer")) == set(STORY) | set(OPERATIONS)


def test_an_ai_ml_engineer_shows_alerts_and_rollback(tenant_a, world):
    with schema_context(tenant_a.schema_name):
        assert refused_fields(world, "ai_ml_engineer", STORY) == set(OPERATIONS)
        vague = {**OPERATIONS, "proof_alert_thresholds": "We alert when quality looks off."}
        assert refused_fields(world, "ai_ml_engineer", {**STORY, **vague}) == {
            "proof_alert_thresholds"
        }
        submission = submit(world, "ai_ml_engineer", {**STORY, **OPERATIONS})
        assert submission.proof_rollback.startswith("Every model versioned")


def test_baseline_and_result_carry_numbers_with_units(tenant_a, world):
    with schema_context(tenant_a.schema_name):
        words = {
            **STORY,
            "proof_baseline": "The old spreadsheet method was quite inaccurate.",
            "proof_improvement": "Forecasts became a lot more accurate after the work.",
        }
        assert refused_fields(world, "python_ai_developer", words) == {
            "proof_baseline",
            "proof_improvement",
        }
        # The structured numbers stand in for numbers in the text.
        submission = submit(world, "python_ai_developer", {**words, **MEASURED})
        assert (submission.proof_baseline_value, submission.proof_result_value) == (31, 14)
        assert submission.proof_metric_unit == "%"


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"proof_baseline_value": "about thirty"}, "proof_baseline_value"),
        ({"proof_baseline_value": "31"}, "proof_result_value"),  # a pair, with metric and unit
        ({"proof_monitoring_signals": "quality, vibes"}, "proof_monitoring_signals"),
        ({"proof_unknown": "x"}, "proof"),
    ],
)
def test_bad_structured_parts_are_refused_by_field(tenant_a, world, extra, field):
    with schema_context(tenant_a.schema_name):
        assert field in refused_fields(world, "python_ai_developer", {**STORY, **extra})
        assert not Submission.objects.exists()


def test_a_python_developer_proves_the_domain_and_input_validation(tenant_a, world):
    with schema_context(tenant_a.schema_name):
        shipped = {"proof_shipped_solution": STORY["proof_shipped_solution"]}
        assert refused_fields(world, "python_developer", shipped) == {
            "proof_domain",
            "proof_input_validation",
        }
        submission = submit(
            world,
            "python_developer",
            {
                **shipped,
                "proof_domain": "Retail demand",
                "proof_input_validation": "Schema checks on every feed; bad rows quarantined.",
                "proof_monitoring_signals": "latency;quality",
            },
        )
        assert submission.proof_monitoring_signals == ["quality", "latency"]


def test_strength_separates_numbers_from_claims():
    claims = proof_strength(
        "python_ai_developer",
        {
            "proof_shipped_solution": "A forecasting service.",
            "proof_baseline": "Was poor.",
            "proof_improvement": "Much better.",
            "proof_monitoring": "Dashboards.",
        },
    )
    assert claims["verdict"] == "claimed"
    states = {line.field: line.state for line in claims["lines"]}
    assert states["proof_baseline"] == states["proof_improvement"] == "claimed"
    assert states["proof_quality_dip"] == "missing"

    strong = proof_strength(
        "ai_ml_engineer",
        {
            **STORY,
            **OPERATIONS,
            **MEASURED,
            "proof_baseline_value": 31,
            "proof_result_value": 14,
            "proof_monitoring_signals": ["quality", "cost"],
        },
    )
    assert strong["verdict"] == "strong"
    lines = {line.field: line for line in strong["lines"]}
    assert lines["proof_baseline"].detail == "MAPE: 31 % \u2192 14 %"
    assert lines["proof_alert_thresholds"].state == "evidenced"
    assert lines["proof_monitoring"].detail == "Watches: quality, cost."


def test_the_client_sees_the_strength_summary_and_the_agency_does_not(tenant_a, world, as_role):
    manager = as_role(tenant_a, "hiring_manager")
    recruiter = as_role(tenant_a, "recruiter", agency=world["agency"])
    with schema_context(tenant_a.schema_name):
        submission = submit(world, "python_ai_developer", {**STORY, **MEASURED})
    url = reverse("hiring:submission_detail", args=[submission.public_id])
    page = html.unescape(manager.http.get(url).content.decode())
    assert "proof-strength" in page
    assert "evidenced with numbers" in page
    assert "MAPE: 31 % \u2192 14 %" in page
    assert "Measured result" in page
    agency_page = recruiter.http.get(url).content.decode()
    assert "proof-strength" not in agency_page


def test_the_agency_form_asks_for_every_part_and_marks_the_tracks_required(
    tenant_a, world, as_role
):
    recruiter = as_role(tenant_a, "recruiter", agency=world["agency"])
    brief = world["briefs"]["ai_ml_engineer"]
    page = recruiter.http.get(reverse("hiring:submission_new", args=[brief.public_id]))
    text = page.content.decode()
    for name in ("proof_domain", "proof_alert_thresholds", "proof_rollback", "proof_iteration"):
        assert f'name="{name}"' in text
    tag = re.search(r'<textarea[^>]*name="proof_rollback"[^>]*>', text)
    assert tag is not None and " required" in tag.group(0)
    iteration = re.search(r'<textarea[^>]*name="proof_iteration"[^>]*>', text)
    assert iteration is not None and " required" not in iteration.group(0)


def _csv(rows: list[dict[str, str]]) -> bytes:
    header = list(rows[0])
    output = io.StringIO()
    writer = csv.DictWriter(output, fieldnames=header)
    writer.writeheader()
    writer.writerows(rows)
    return output.getvalue().encode()


def test_csv_import_reads_the_new_optional_columns_and_old_files_still_import(tenant_a, world):
    with schema_context(tenant_a.schema_name):
        brief = world["briefs"]["python_ai_developer"]
        old_style = {
            "brief_id": str(brief.public_id),
            "full_name": "Old Style",
            "email": "old.style@corp.example",
            **STORY,
            "right_to_represent": "yes",
        }
        new_style = {
            **old_style,
            "full_name": "New Style",
            "email": "new.style@corp.example",
            **MEASURED,
            "proof_monitoring_signals": "quality, cost",
            "proof_iteration": "Two releases after launch cut bias by a third.",
        }
        for rows in ([old_style], [new_style]):
            job = import_job_create(
                actor=world["recruiter"],
                agency=world["agency"],
                upload=SimpleUploadedFile("c.csv", _csv(rows), content_type="text/csv"),
            )
            import_job_run(job_id=job.pk)
            job.refresh_from_db()
            assert (job.failed_rows, job.errors) == (0, [])
        new = Submission.objects.get(full_name="New Style")
        assert (new.proof_metric, new.proof_result_value) == ("MAPE", 14)
        assert new.proof_monitoring_signals == ["quality", "cost"]
        assert Submission.objects.get(full_name="Old Style").proof_metric == ""
