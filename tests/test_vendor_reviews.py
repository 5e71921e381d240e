"""Vendor scorecards (scoring.services.vendor_reviews) through the service and the pages:
reviewers score agencies per period or per filled brief, with evidence; the agency analytics
show the scorecards over time; each agency reads only its own."""

import datetime as dt
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.actors import Actor
from audit.errors import ConflictError
from audit.models import AuditEntry
from hiring.models import BriefStatus
from outbox.models import OutboxEvent
from scoring.analytics import agency_analytics_compute
from scoring.charts_vendor import vendor_trend_svg
from scoring.selectors import VendorPoint, vendor_review_series
from scoring.services.vendor_reviews import vendor_review_create
from tests.factories import (
    AgencyFactory,
    RoleBriefFactory,
    ScorecardFactory,
    SubmissionFactory,
    VendorReviewFactory,
    ready_brief_data,
)

pytestmark = pytest.mark.django_db

EVIDENCE = {
    "evidence_a": "Three of four candidates had shipped forecasting models.",
    "evidence_b": "Proof named datasets, splits and leakage checks every time.",
    "evidence_c": "Every candidate described a rollback they ran in production.",
    "evidence_d": "Consent confirmed before submitting; no CVs sent by e-mail.",
    "evidence_e": "Answered within a day and flagged a candidate's gap honestly.",
}


def scores(a: int = 4, b: int = 3, c: int = 4, d: int = 2, e: int = 5) -> dict[str, Any]:
    return {"score_a": a, "score_b": b, "score_c": c, "score_d": d, "score_e": e, **EVIDENCE}


@pytest.fixture
def scene(tenant_a: Any, as_role: Any) -> dict[str, Any]:
    agency_a, agency_b = AgencyFactory(name="Agency A"), AgencyFactory(name="Agency B")
    return {
        "agency_a": agency_a,
        "agency_b": agency_b,
        "manager": as_role(tenant_a, "hiring_manager"),
        "executive": as_role(tenant_a, "executive"),
        "interviewer": as_role(tenant_a, "interviewer"),
        "recruiter_a": as_role(tenant_a, "recruiter", agency=agency_a),
        "recruiter_b": as_role(tenant_a, "recruiter", agency=agency_b),
    }


def _period() -> dict[str, dt.date]:
    today = timezone.localdate()
    return {
        "period_start": today - dt.timedelta(days=91),
        "period_end": today - dt.timedelta(days=1),
    }


def test_a_periodic_review_is_recorded_audited_and_announced(
    tenant_a: Any, in_tenant: Any, scene: dict[str, Any]
) -> None:
    with in_tenant(tenant_a):
        review = vendor_review_create(
            actor=Actor.for_user(scene["manager"].user),
            agency=scene["agency_a"],
            basis="period",
            data={**scores(), "summary": "Keep the proof this concrete."},
            **_period(),
        )
        assert review.scores() == {"A": 4, "B": 3, "C": 4, "D": 2, "E": 5}
        assert review.reviewer_role == "hiring_manager"
        assert AuditEntry.objects.filter(action="vendor_review.recorded").count() == 1
        event = OutboxEvent.objects.get(event_type="vendor_review.recorded")
        assert event.agency_id == scene["agency_a"].pk
        assert event.payload["scores"]["E"] == 5
        with pytest.raises(ConflictError) as twice:
            vendor_review_create(
                actor=Actor.for_user(scene["manager"].user),
                agency=scene["agency_a"],
                basis="period",
                data=scores(),
                **_period(),
            )
        assert twice.value.code == "vendor_review_exists"


def test_every_category_needs_a_score_and_evidence(
    tenant_a: Any, in_tenant: Any, scene: dict[str, Any]
) -> None:
    data = scores()
    data.pop("score_b")
    data["evidence_d"] = "fine"
    data["score_e"] = 6
    with in_tenant(tenant_a), pytest.raises(ValidationError) as refused:
        vendor_review_create(
            actor=Actor.for_user(scene["manager"].user),
            agency=scene["agency_a"],
            basis="period",
            data=data,
            **_period(),
        )
    assert set(refused.value.message_dict) == {"score_b", "evidence_d", "score_e"}


def test_periods_and_briefs_are_checked(
    tenant_a: Any, in_tenant: Any, scene: dict[str, Any]
) -> None:
    actor = Actor.for_user(scene["executive"].user)
    today = timezone.localdate()
    with in_tenant(tenant_a):
        with pytest.raises(ValidationError) as future:
            vendor_review_create(
                actor=actor,
                agency=scene["agency_a"],
                basis="period",
                data=scores(),
                period_start=today - dt.timedelta(days=10),
                period_end=today + dt.timedelta(days=10),
            )
        assert "period_end" in future.value.message_dict
        with pytest.raises(ValidationError) as backwards:
            vendor_review_create(
                actor=actor,
                agency=scene["agency_a"],
                basis="period",
                data=scores(),
                period_start=today - dt.timedelta(days=1),
                period_end=today - dt.timedelta(days=10),
            )
        assert "period_end" in backwards.value.message_dict
        open_brief = RoleBriefFactory(**ready_brief_data())
        SubmissionFactory(brief=open_brief, agency=scene["agency_a"])
        with pytest.raises(ValidationError) as not_filled:
            vendor_review_create(
                actor=actor,
                agency=scene["agency_a"],
                basis="brief",
                brief=open_brief,
                data=scores(),
            )
        assert "filled" in not_filled.value.message_dict["brief"][0]
        filled = RoleBriefFactory(**ready_brief_data(), status=BriefStatus.FILLED)
        SubmissionFactory(brief=filled, agency=scene["agency_a"])
        with pytest.raises(ValidationError) as nobody:
            vendor_review_create(
                actor=actor, agency=scene["agency_b"], basis="brief", brief=filled, data=scores()
            )
        assert "submitted nobody" in nobody.value.message_dict["brief"][0]
        review = vendor_review_create(
            actor=actor, agency=scene["agency_a"], basis="brief", brief=filled, data=scores()
        )
        assert review.brief_id == filled.pk and review.period_start is None
        stranger = AgencyFactory()
        with pytest.raises(ValidationError) as not_engaged:
            vendor_review_create(
                actor=actor, agency=stranger, basis="period", data=scores(), **_period()
            )
        assert "agency" in not_engaged.value.message_dict


def test_interviewers_do_not_review_agencies(
    tenant_a: Any, in_tenant: Any, scene: dict[str, Any]
) -> None:
    with in_tenant(tenant_a), pytest.raises(ConflictError):
        vendor_review_create(
            actor=Actor.for_user(scene["interviewer"].user),
            agency=scene["agency_a"],
            basis="period",
            data=scores(),
            **_period(),
        )
    assert scene["interviewer"].http.get("/vendor-reviews/").status_code == 404
    assert scene["interviewer"].http.get("/vendor-reviews/new/").status_code == 404


def test_a_reviewer_records_a_review_from_the_page(
    tenant_a: Any, in_tenant: Any, scene: dict[str, Any]
) -> None:
    http = scene["manager"].http
    form = http.get(f"/vendor-reviews/new/?agency={scene['agency_a'].public_id}")
    assert form.status_code == 200 and b"Agency A" in form.content
    period = _period()
    post = {
        "agency": str(scene["agency_a"].public_id),
        "basis": "period",
        "period_start": period["period_start"].isoformat(),
        "period_end": period["period_end"].isoformat(),
        "brief": "",
        "summary": "",
        **{k: str(v) for k, v in scores().items()},
    }
    refused = http.post("/vendor-reviews/new/", {**post, "evidence_c": "ok"})
    assert refused.status_code == 200
    assert "Say what the score rests on" in refused.content.decode()
    done = http.post("/vendor-reviews/new/", post)
    assert done.status_code == 302
    detail = http.get(done["Location"])
    assert detail.status_code == 200
    assert EVIDENCE["evidence_c"] in detail.content.decode()
    twice = http.post("/vendor-reviews/new/", post)
    assert twice.status_code == 409


def test_each_agency_reads_only_its_own_vendor_scorecards(
    tenant_a: Any, in_tenant: Any, scene: dict[str, Any]
) -> None:
    with in_tenant(tenant_a):
        own = VendorReviewFactory(
            agency=scene["agency_a"], reviewer=scene["manager"].user, evidence_a="Only for A."
        )
        other = VendorReviewFactory(
            agency=scene["agency_b"], reviewer=scene["manager"].user, evidence_a="Only for B."
        )
    recruiter = scene["recruiter_a"].http
    listing = recruiter.get("/vendor-reviews/").content.decode()
    assert f"/vendor-reviews/{own.public_id}/" in listing
    assert f"/vendor-reviews/{other.public_id}/" not in listing
    assert "Agency B" not in listing
    mine = recruiter.get(f"/vendor-reviews/{own.public_id}/")
    assert mine.status_code == 200
    body = mine.content.decode()
    assert "Only for A." in body
    # The agency reads the reviewer's role, not their name.
    assert "hiring manager" in body and scene["manager"].user.display_name not in body
    assert recruiter.get(f"/vendor-reviews/{other.public_id}/").status_code == 404
    # The client's reviewers see both, with names.
    client_listing = scene["executive"].http.get("/vendor-reviews/").content.decode()
    assert "Agency A" in client_listing and "Agency B" in client_listing


def test_another_workspace_s_review_is_not_found(
    tenant_a: Any, tenant_b: Any, in_tenant: Any, scene: dict[str, Any], as_role: Any
) -> None:
    with in_tenant(tenant_b):
        elsewhere = VendorReviewFactory(agency=scene["agency_a"])
    assert scene["manager"].http.get(f"/vendor-reviews/{elsewhere.public_id}/").status_code == 404
    assert (
        scene["recruiter_a"].http.get(f"/vendor-reviews/{elsewhere.public_id}/").status_code == 404
    )


def test_analytics_show_candidate_quality_and_the_vendor_scorecard_over_time(
    tenant_a: Any, in_tenant: Any, scene: dict[str, Any]
) -> None:
    today = timezone.localdate()
    with in_tenant(tenant_a):
        brief = RoleBriefFactory(**ready_brief_data())
        for _ in range(2):
            ScorecardFactory(
                submission=SubmissionFactory(brief=brief, agency=scene["agency_a"]),
                submitted=True,
            )
        for quarter, overall in ((2, 2), (1, 4)):
            VendorReviewFactory(
                agency=scene["agency_a"],
                reviewer=scene["manager"].user,
                period_start=today - dt.timedelta(days=91 * quarter),
                period_end=today - dt.timedelta(days=91 * quarter - 90),
                score_a=overall,
                score_b=overall,
                score_c=overall,
                score_d=overall,
                score_e=overall,
            )
        agency_analytics_compute()
        series = vendor_review_series(agency_ids=[scene["agency_a"].pk])[scene["agency_a"].pk]
        assert [point.overall for point in series] == [2.0, 4.0]
    client_page = scene["manager"].http.get("/analytics/agencies/").content.decode()
    assert "Vendor scorecards of Agency A over time" in client_page
    assert "Average scorecard scores of Agency A" in client_page
    agency_page = scene["recruiter_a"].http.get("/analytics/agencies/").content.decode()
    assert "Vendor scorecards of Agency A over time" in agency_page
    # Two scorecards are too few for the agency to see its candidates' averages.
    assert "Average scorecard scores of Agency A" not in agency_page
    assert "Agency B" not in agency_page


def test_the_vendor_chart_is_valid_svg_with_a_point_per_review() -> None:
    today = timezone.localdate()
    points = [
        VendorPoint(
            on=today - dt.timedelta(days=30 * n),
            scores=dict.fromkeys("ABCDE", n),
            overall=float(n),
            label=f"Q{n} <b>",
        )
        for n in (3, 2, 1)
    ][::-1]
    svg = vendor_trend_svg(points, title="Vendor <trend>")
    root = ET.fromstring(str(svg))
    ns = "{http://www.w3.org/2000/svg}"
    assert len(root.findall(f"{ns}g")) == 3
    assert root.find(f"{ns}polyline") is not None
    assert root.find(f"{ns}title").text == "Vendor <trend>"  # type: ignore[union-attr]
    assert "No vendor scorecards yet." in str(vendor_trend_svg([], title="Empty"))
