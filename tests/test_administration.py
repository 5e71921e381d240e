"""The client admin's workspace pages: agencies and engagements, privacy (retention period,
erasure, the export for an access request) and the audit trail; the agency admin's view of
its engagements."""

import csv
import datetime as dt
import html
import io
import json
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from administration.services.engagements import (
    engagement_engage,
    engagement_status_change,
    engagement_terms_update,
)
from audit.actors import Actor
from audit.errors import ConflictError
from audit.models import AuditEntry
from hiring.models import Candidate, Stage
from hiring.services.privacy import candidate_pii_read_record
from hiring.services.submissions import submission_move_stage
from tenants.models import Engagement, EngagementStatus
from tests.conftest import http_client
from tests.factories import (
    AgencyFactory,
    AgencyMembershipFactory,
    CandidateFactory,
    EngagementFactory,
    InterviewAssignmentFactory,
    RoleBriefFactory,
    ScorecardFactory,
    ShortlistEntryFactory,
    ShortlistFactory,
    StageChangeFactory,
    SubmissionFactory,
    UserFactory,
    ready_brief_data,
)

pytestmark = pytest.mark.django_db


def text(response: Any) -> str:
    """The page's text, tags removed and entities decoded, whitespace folded."""
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(html.unescape(body).split())


def trail_text(response: Any) -> str:
    """The text of the audit trail's table alone (not the filters' choices)."""
    found = re.search(r'<table class="trail">.*?</table>', response.content.decode(), re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(0))).split()) if found else ""


def entries(in_tenant: Any, tenant: Any, **filters: Any) -> list[AuditEntry]:
    with in_tenant(tenant):
        return list(AuditEntry.objects.filter(**filters).order_by("id"))


# --- agencies and engagements ----------------------------------------------------------------


def test_admin_finds_and_engages_an_agency_already_on_the_platform(tenant_a, as_role, in_tenant):
    admin = as_role(tenant_a, "admin")
    talent = AgencyFactory(name="Talent North")
    AgencyFactory(name="Talent Dormant", is_active=False)
    engaged = EngagementFactory(client=tenant_a, agency=AgencyFactory(name="Talent Already"))
    recruiter = UserFactory()
    AgencyMembershipFactory(user=recruiter, agency=talent)
    assert http_client(tenant=tenant_a, user=recruiter).get("/").status_code == 404

    page = admin.http.get("/engagements/new/", {"q": "talent"})
    assert page.status_code == 200
    listed = text(page)
    assert "Talent North" in listed
    assert "Talent Dormant" not in listed and "Talent Already" not in listed

    refused = admin.http.post(
        "/engagements/new/",
        {"agency": str(talent.public_id), "ownership_window_days": "0", "fee_percent": "18"},
    )
    assert refused.status_code == 400
    assert not Engagement.objects.filter(client=tenant_a, agency=talent).exists()

    done = admin.http.post(
        "/engagements/new/",
        {"agency": str(talent.public_id), "ownership_window_days": "120", "fee_percent": "17.5"},
    )
    engagement = Engagement.objects.get(client=tenant_a, agency=talent)
    assert done.status_code == 302
    assert done["Location"] == f"/engagements/{engagement.public_id}/"
    assert engagement.status == EngagementStatus.ACTIVE
    assert (engagement.ownership_window_days, engagement.fee_percent) == (120, Decimal("17.50"))
    (entry,) = entries(in_tenant, tenant_a, action="engagement.started")
    assert entry.actor_user_id == admin.user.pk
    assert entry.object_id == str(engagement.public_id)
    assert entry.details == {
        "agency": talent.pk,
        "ownership_window_days": 120,
        "fee_percent": "17.50",
    }
    # Its people are in now.
    assert http_client(tenant=tenant_a, user=recruiter).get("/").status_code == 200
    # An agency already engaged is not among the choices.
    again = admin.http.post(
        "/engagements/new/",
        {"agency": str(engaged.agency.public_id), "ownership_window_days": "90"},
    )
    assert again.status_code == 400 and "Select a valid choice" in text(again)
    engaged.refresh_from_db()
    assert engaged.ownership_window_days == 180


def test_pausing_explains_first_then_stops_submitting_but_keeps_reading(
    tenant_a, as_role, in_tenant
):
    admin = as_role(tenant_a, "admin")
    recruiter = as_role(tenant_a, "recruiter")
    engagement = recruiter.engagement
    with in_tenant(tenant_a):
        brief = RoleBriefFactory(**ready_brief_data())
        submission = SubmissionFactory(brief=brief, agency=recruiter.agency)

    asked = admin.http.get(f"/engagements/{engagement.public_id}/pause/")
    assert asked.status_code == 200
    said = text(asked)
    assert f"Pause the engagement of {recruiter.agency.name}?" in said
    assert "keep read access" in said and "cannot submit new candidates" in said
    engagement.refresh_from_db()
    assert engagement.status == EngagementStatus.ACTIVE  # asking changes nothing

    paused = admin.http.post(f"/engagements/{engagement.public_id}/pause/")
    assert paused.status_code == 302
    engagement.refresh_from_db()
    assert engagement.status == EngagementStatus.PAUSED
    (entry,) = entries(in_tenant, tenant_a, action="engagement.paused")
    assert entry.details == {"agency": recruiter.agency.pk, "from": "active", "to": "paused"}

    submit_page = recruiter.http.get(f"/briefs/{brief.public_id}/submit/")
    assert submit_page.status_code == 409
    assert "engagement with this client is paused" in text(submit_page)
    assert recruiter.http.get(f"/submissions/{submission.public_id}/").status_code == 200

    # Pausing twice is refused, with the reason, and changes nothing.
    twice = admin.http.post(f"/engagements/{engagement.public_id}/pause/")
    assert twice.status_code == 409
    assert "cannot be paused now" in text(twice)

    assert admin.http.post(f"/engagements/{engagement.public_id}/resume/").status_code == 302
    engagement.refresh_from_db()
    assert engagement.status == EngagementStatus.ACTIVE
    assert recruiter.http.get(f"/briefs/{brief.public_id}/submit/").status_code == 200

    asked_end = text(admin.http.get(f"/engagements/{engagement.public_id}/end/"))
    assert "The workspace closes to" in asked_end
    assert admin.http.post(f"/engagements/{engagement.public_id}/end/").status_code == 302
    assert recruiter.http.get("/").status_code == 404
    assert [e.action for e in entries(in_tenant, tenant_a, object_type="engagement")] == [
        "engagement.paused",
        "engagement.resumed",
        "engagement.ended",
    ]
    # An ended engagement is engaged again through "Engage", with new terms.
    assert admin.http.get(f"/engagements/{engagement.public_id}/resume/").status_code == 409
    again = admin.http.post(
        "/engagements/new/",
        {"agency": str(recruiter.agency.public_id), "ownership_window_days": "60"},
    )
    assert again.status_code == 302
    engagement.refresh_from_db()
    assert (engagement.status, engagement.ownership_window_days) == ("active", 60)
    assert entries(in_tenant, tenant_a, action="engagement.restarted")


def test_terms_change_is_validated_recorded_and_applies_from_now_on(tenant_a, as_role, in_tenant):
    admin = as_role(tenant_a, "admin")
    engagement = EngagementFactory(client=tenant_a, ownership_window_days=180)
    path = f"/engagements/{engagement.public_id}/terms/"
    assert admin.http.get(path).status_code == 200
    bad = admin.http.post(path, {"ownership_window_days": "4000", "fee_percent": "120"})
    assert bad.status_code == 400
    assert "Nothing was saved" in text(bad)
    assert (
        admin.http.post(path, {"ownership_window_days": "90", "fee_percent": "15"}).status_code
        == 302
    )
    engagement.refresh_from_db()
    assert (engagement.ownership_window_days, engagement.fee_percent) == (90, Decimal("15.00"))
    (entry,) = entries(in_tenant, tenant_a, action="engagement.terms_changed")
    assert entry.details["from"] == {"ownership_window_days": 180, "fee_percent": None}
    assert entry.details["to"] == {"ownership_window_days": 90, "fee_percent": "15.00"}
    # Saving the same terms records nothing.
    admin.http.post(path, {"ownership_window_days": "90", "fee_percent": "15"})
    assert len(entries(in_tenant, tenant_a, action="engagement.terms_changed")) == 1


def test_services_refuse_what_the_status_does_not_allow(tenant_a, in_tenant):
    actor = Actor.for_user(UserFactory())
    engagement = EngagementFactory(client=tenant_a)
    with pytest.raises(ConflictError, match="already engaged"):
        engagement_engage(
            actor=actor, client=tenant_a, agency=engagement.agency, ownership_window_days=30
        )
    engagement_status_change(actor=actor, engagement=engagement, change="pause")
    with pytest.raises(ConflictError, match="paused: resume it"):
        engagement_engage(
            actor=actor, client=tenant_a, agency=engagement.agency, ownership_window_days=30
        )
    with pytest.raises(ValidationError):
        engagement_status_change(actor=actor, engagement=engagement, change="archive")
    with pytest.raises(ValidationError) as invalid:
        engagement_terms_update(
            actor=actor, engagement=engagement, ownership_window_days="soon", fee_percent="x"
        )
    assert set(invalid.value.message_dict) == {"ownership_window_days", "fee_percent"}
    # The platform admin calls them from the public schema: the audit row still lands in the
    # client's schema.
    engagement_status_change(actor=actor, engagement=engagement, change="end")
    assert [e.action for e in entries(in_tenant, tenant_a, object_type="engagement")] == [
        "engagement.paused",
        "engagement.ended",
    ]


def test_agency_admin_reads_its_own_engagement_and_changes_nothing(tenant_a, tenant_b, as_role):
    agency_admin = as_role(tenant_a, "agency_admin")
    engagement = agency_admin.engagement
    engagement.fee_percent = Decimal("20")
    engagement.save()
    listing = agency_admin.http.get("/engagements/")
    assert listing.status_code == 302
    assert listing["Location"] == f"/engagements/{engagement.public_id}/"
    page = text(agency_admin.http.get(listing["Location"]))
    assert "180 days" in page and "20% of first-year salary" in page
    assert "Pause" not in page and "Change the terms" not in page
    for path in ("pause", "terms", "end"):
        assert (
            agency_admin.http.post(f"/engagements/{engagement.public_id}/{path}/").status_code
            == 404
        )
    # The dashboard of the public host lists every engagement of the agency, ended ones too.
    EngagementFactory(client=tenant_b, agency=agency_admin.agency, status=EngagementStatus.ENDED)
    dashboard = text(http_client(user=agency_admin.user).get("/"))
    assert "Your agencies' engagements" in dashboard
    assert tenant_a.name in dashboard and tenant_b.name in dashboard and "Ended" in dashboard


def test_other_roles_get_404_on_the_engagement_pages(tenant_a, as_role):
    engagement = EngagementFactory(client=tenant_a)
    for role in ("hiring_manager", "interviewer", "executive", "recruiter"):
        person = as_role(tenant_a, role)
        for path in ("/engagements/", "/engagements/new/", f"/engagements/{engagement.public_id}/"):
            assert person.http.get(path).status_code == 404, (role, path)


# --- privacy: the retention period ------------------------------------------------------------


def _closed_candidate(tenant: Any, in_tenant: Any, *, days_ago: int) -> Candidate:
    with in_tenant(tenant):
        submission = SubmissionFactory(
            stage=Stage.REJECTED,
            stage_changed_at=timezone.now() - dt.timedelta(days=days_ago),
        )
        return submission.candidate


def test_retention_page_says_what_it_does_and_confirms_before_erasing_more(
    tenant_a, as_role, in_tenant
):
    admin = as_role(tenant_a, "admin")
    tenant_a.refresh_from_db()
    assert tenant_a.candidate_retention_days == 365
    _closed_candidate(tenant_a, in_tenant, days_ago=60)
    page = text(admin.http.get("/settings/privacy/"))
    assert "365 days" in page and "Nobody is due" in page

    asked = admin.http.post("/settings/privacy/", {"candidate_retention_days": "30"})
    assert asked.status_code == 200
    assert "1 person's personal data will be erased at the next nightly run" in text(asked)
    tenant_a.refresh_from_db()
    assert tenant_a.candidate_retention_days == 365

    saved = admin.http.post(
        "/settings/privacy/", {"candidate_retention_days": "30", "confirmed": "on"}
    )
    assert saved.status_code == 302
    tenant_a.refresh_from_db()
    assert tenant_a.candidate_retention_days == 30
    assert "1 person is due" in text(admin.http.get("/settings/privacy/"))
    # Turning it off needs no confirmation: it erases nobody.
    assert (
        admin.http.post("/settings/privacy/", {"candidate_retention_days": "0"}).status_code == 302
    )
    tenant_a.refresh_from_db()
    assert tenant_a.candidate_retention_days == 0
    assert "Automatic erasure is off" in text(admin.http.get("/settings/privacy/"))
    assert [
        e.details for e in entries(in_tenant, tenant_a, action="privacy.retention_changed")
    ] == [
        {"from": 365, "to": 30},
        {"from": 30, "to": 0},
    ]
    bad = admin.http.post("/settings/privacy/", {"candidate_retention_days": "-1"})
    assert bad.status_code == 400
    tenant_a.candidate_retention_days = 365
    tenant_a.save()


# --- privacy: erasure and the export ----------------------------------------------------------


@pytest.fixture
def person(tenant_a, as_role, in_tenant) -> dict[str, Any]:
    """One person submitted by two agencies (two versions), with a stage reason, a submitted
    scorecard, an interviewer's draft and a shortlist placement."""
    first, second = as_role(tenant_a, "recruiter"), as_role(tenant_a, "recruiter")
    interviewer = UserFactory(name="Ines Interviewer")
    with in_tenant(tenant_a):
        candidate = CandidateFactory(full_name="Priya Raman", email_normalized="priya@mail.test")
        version_a = SubmissionFactory(
            candidate=candidate,
            agency=first.agency,
            full_name="Priya Raman",
            email="priya@mail.test",
            phone="+44 20 7946 0123",
            summary="Owns forecasting models after launch.",
        )
        version_b = SubmissionFactory(
            candidate=candidate,
            agency=second.agency,
            full_name="Priya R.",
            email="priya.r@other.test",
        )
        StageChangeFactory(
            submission=version_a,
            from_stage="submitted",
            to_stage="screening",
            reason="Strong call about drift alerts.",
        )
        ScorecardFactory(
            submission=version_a,
            interviewer=interviewer,
            submitted=True,
            evidence_b="Explained leakage checks in the feature store.",
        )
        shortlist = ShortlistFactory(brief=version_a.brief)
        ShortlistEntryFactory(shortlist=shortlist, submission=version_a, reason="Even profile.")
    return {
        "candidate": candidate,
        "versions": (version_a, version_b),
        "interviewer": interviewer,
        "agencies": (first.agency, second.agency),
    }


def test_erasure_needs_a_reason_and_the_typed_name(tenant_a, as_role, in_tenant, person):
    admin = as_role(tenant_a, "admin")
    candidate = person["candidate"]
    path = f"/candidates/{candidate.public_id}/privacy/"
    page = text(admin.http.get(path))
    assert "Priya Raman" in page and "2 submissions" in page and "Erase this person" in page

    for data, message in (
        ({"reason": "request", "confirm_name": "Priya"}, "The name does not match"),
        ({"reason": "", "confirm_name": "Priya Raman"}, "This field is required"),
        ({"reason": "because", "confirm_name": "Priya Raman"}, "Select a valid choice"),
    ):
        refused = admin.http.post(path, data)
        assert refused.status_code == 400
        assert message in text(refused) and "Nothing was erased" in text(refused)
    with in_tenant(tenant_a):
        candidate.refresh_from_db()
    assert candidate.anonymized_at is None

    done = admin.http.post(path, {"reason": "request", "confirm_name": "  priya  RAMAN "})
    assert done.status_code == 302 and done["Location"] == path
    with in_tenant(tenant_a):
        candidate.refresh_from_db()
        (entry,) = AuditEntry.objects.filter(action="candidate.erased")
    assert candidate.anonymized_at is not None
    assert entry.actor_user_id == admin.user.pk and entry.details["reason"] == "request"
    after = text(admin.http.get(path))
    assert "was erased on" in after and "the candidate asked to be erased" in after
    assert "Priya Raman" not in after and "Erase this person" not in after
    # Erasing again is not offered, and a POST changes nothing.
    assert (
        admin.http.post(path, {"reason": "legal", "confirm_name": candidate.full_name}).status_code
        == 200
    )
    assert len(entries(in_tenant, tenant_a, action="candidate.erased")) == 1


def test_the_export_holds_everything_the_client_holds_and_is_recorded(
    tenant_a, as_role, in_tenant, person
):
    admin = as_role(tenant_a, "admin")
    candidate = person["candidate"]
    response = admin.http.get(f"/candidates/{candidate.public_id}/export/person.json")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="person-{candidate.public_id}.json"'
    )
    assert response["Cache-Control"] == "private, no-store"
    export = json.loads(response.content)
    assert export["person"]["name_used_by_the_client"] == "Priya Raman"
    versions = {s["agency"]: s["as_presented_by_the_agency"] for s in export["submissions"]}
    first, second = person["agencies"]
    assert versions[first.name]["phone"] == "+44 20 7946 0123"
    assert versions[second.name]["email"] == "priya.r@other.test"
    (with_history,) = [s for s in export["submissions"] if s["agency"] == first.name]
    assert with_history["stage_history"][0]["reason"] == "Strong call about drift alerts."
    (card,) = with_history["scorecards"]
    assert card["interviewer"] == "Interviewer 1"
    assert card["scores"] == dict.fromkeys("ABCDE", 3)
    assert card["evidence"]["B"] == "Explained leakage checks in the feature store."
    assert export["shortlist_placements"][0]["reason"] == "Even profile."
    # Colleagues are not named: the interviewer's identity is theirs, not the candidate's.
    assert "Ines Interviewer" not in response.content.decode()

    page = admin.http.get(f"/candidates/{candidate.public_id}/export/")
    shown = text(page)
    assert "+44 20 7946 0123" in shown and "priya.r@other.test" in shown
    assert "Explained leakage checks in the feature store." in shown
    reads = entries(in_tenant, tenant_a, action="candidate.pii_viewed")
    assert [(e.object_id, e.details["purpose"]) for e in reads] == [
        (str(candidate.public_id), "access_request_export")
    ] * 2
    # The second export lists the first one in "who read the data".
    again = json.loads(
        admin.http.get(f"/candidates/{candidate.public_id}/export/person.json").content
    )
    assert {
        "what": "everything held exported (access request)",
        "by": tenant_a.name,
    }.items() <= again["access_log"][0].items()

    for role in ("hiring_manager", "executive", "interviewer", "recruiter"):
        assert (
            as_role(tenant_a, role)
            .http.get(f"/candidates/{candidate.public_id}/export/person.json")
            .status_code
            == 404
        )


def test_an_admin_blind_on_the_person_is_refused_the_export(tenant_a, as_role, in_tenant, person):
    admin = as_role(tenant_a, "admin")
    with in_tenant(tenant_a):
        InterviewAssignmentFactory(submission=person["versions"][0], interviewer=admin.user)
    refused = admin.http.get(f"/candidates/{person['candidate'].public_id}/export/person.json")
    assert refused.status_code == 409
    assert "have not submitted your scorecard" in text(refused)
    assert "Explained leakage" not in refused.content.decode()
    assert not entries(in_tenant, tenant_a, action="candidate.pii_viewed")


# --- the audit trail --------------------------------------------------------------------------


def test_the_trail_reads_in_plain_language_with_links_filters_and_a_csv(
    tenant_a, as_role, in_tenant, person
):
    admin = as_role(tenant_a, "admin")
    admin.user.name = "Ada Admin"
    admin.user.save()
    manager = as_role(tenant_a, "hiring_manager")
    manager.user.name = "Hugo Hiring"
    manager.user.save()
    candidate, (version_a, _) = person["candidate"], person["versions"]
    with in_tenant(tenant_a):
        candidate_pii_read_record(
            actor=Actor.for_user(admin.user), candidate=candidate, purpose="submission_detail"
        )
        submission_move_stage(
            actor=Actor.for_user(manager.user), submission=version_a, to_stage="screening"
        )
    engagement = Engagement.objects.get(client=tenant_a, agency=person["agencies"][0])
    engagement_status_change(
        actor=Actor.for_user(admin.user), engagement=engagement, change="pause"
    )

    page = admin.http.get("/audit/")
    assert page.status_code == 200
    shown = text(page)
    assert "Ada Admin viewed Priya Raman's contact details" in shown
    assert (
        f"Hugo Hiring moved Priya Raman for {version_a.brief.title} from submitted to screening"
        in shown
    )
    assert f"Ada Admin paused the engagement of {engagement.agency.name}" in shown
    body = page.content.decode()
    assert f'href="/candidates/{candidate.public_id}/privacy/"' in body
    assert f'href="/submissions/{version_a.public_id}/"' in body
    assert f'href="/engagements/{engagement.public_id}/"' in body

    only_hugo = trail_text(admin.http.get("/audit/", {"who": str(manager.user.public_id)}))
    assert "Hugo Hiring moved" in only_hugo and "Ada Admin" not in only_hugo
    reads = trail_text(admin.http.get("/audit/", {"what": "personal_data_reads"}))
    assert "viewed Priya Raman's contact details" in reads and "moved" not in reads
    about = trail_text(
        admin.http.get(
            "/audit/", {"object_type": "candidate", "object_id": str(candidate.public_id)}
        )
    )
    assert "viewed Priya Raman's contact details" in about and "paused" not in about
    tomorrow = (timezone.now() + dt.timedelta(days=2)).date().isoformat()
    assert "Nothing matches these filters" in text(admin.http.get("/audit/", {"since": tomorrow}))

    # An executive reads it (without the admin-only links); the rest of the team does not.
    executive = as_role(tenant_a, "executive")
    as_executive = executive.http.get("/audit/").content.decode()
    assert "Priya Raman" in as_executive
    assert f'href="/candidates/{candidate.public_id}/privacy/"' not in as_executive
    assert f'href="/engagements/{engagement.public_id}/"' not in as_executive
    for role in ("hiring_manager", "interviewer", "recruiter", "agency_admin"):
        assert as_role(tenant_a, role).http.get("/audit/").status_code == 404

    download = admin.http.get("/audit/export.csv", {"who": str(manager.user.public_id)})
    assert download.status_code == 200
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "when",
        "who",
        "what happened",
        "object kind",
        "object",
        "object id",
        "action",
    ]
    assert [row[1] for row in rows[1:]] == ["Hugo Hiring"]
    assert rows[1][6] == "submission.stage_changed"
    (exported,) = entries(in_tenant, tenant_a, action="audit_trail.exported")
    assert exported.details["rows"] == 1 and exported.details["who"] == manager.user.pk


def test_an_erased_person_shows_their_erased_name_in_the_trail(
    tenant_a, as_role, in_tenant, person
):
    admin = as_role(tenant_a, "admin")
    candidate = person["candidate"]
    with in_tenant(tenant_a):
        candidate_pii_read_record(
            actor=Actor.for_user(admin.user), candidate=candidate, purpose="resume_download"
        )
    admin.http.post(
        f"/candidates/{candidate.public_id}/privacy/",
        {"reason": "request", "confirm_name": "Priya Raman"},
    )
    shown = text(admin.http.get("/audit/"))
    erased = f"Erased candidate {str(candidate.public_id)[:8]}"
    assert f"downloaded {erased}'s resume" in shown
    assert f"erased the personal data of {erased}: the candidate asked to be erased" in shown
    assert "Priya" not in shown


def test_unknown_actions_and_former_people_still_read(tenant_a, as_role, in_tenant):
    admin = as_role(tenant_a, "admin")
    with in_tenant(tenant_a):
        AuditEntry.objects.create(
            actor_kind="user",
            actor_user_id=999_999,
            action="brief.created",
            object_type="brief",
            object_id="00000000-0000-0000-0000-000000000000",
        )
        AuditEntry.objects.create(
            actor_kind="system",
            actor_ref="retention",
            action="future.thing",
            object_type="gadget",
            object_id="abc",
        )
    shown = text(admin.http.get("/audit/"))
    assert "A former user created the brief (removed)" in shown
    assert "The retention policy: future.thing (gadget abc)" in shown


# --- safety rails ----------------------------------------------------------------------------


def test_withdrawing_asks_first_and_says_what_it_means(tenant_a, as_role, in_tenant):
    recruiter = as_role(tenant_a, "recruiter")
    with in_tenant(tenant_a):
        submission = SubmissionFactory(agency=recruiter.agency)
    detail = recruiter.http.get(f"/submissions/{submission.public_id}/").content.decode()
    assert f'href="/submissions/{submission.public_id}/withdraw/"' in detail
    assert f'action="/submissions/{submission.public_id}/withdraw/"' not in detail
    asked = recruiter.http.get(f"/submissions/{submission.public_id}/withdraw/")
    assert asked.status_code == 200
    assert "This cannot be undone" in text(asked) and 'name="reason"' in asked.content.decode()
    with in_tenant(tenant_a):
        submission.refresh_from_db()
    assert submission.stage == Stage.SUBMITTED
    done = recruiter.http.post(
        f"/submissions/{submission.public_id}/withdraw/", {"reason": "Took another offer."}
    )
    assert done.status_code == 302
    with in_tenant(tenant_a):
        submission.refresh_from_db()
    assert submission.stage == Stage.WITHDRAWN
    closed = text(recruiter.http.get(f"/submissions/{submission.public_id}/withdraw/"))
    assert "cannot be withdrawn any more" in closed
