"""Submissions: proof, dedupe, ownership (race-safe), conflicts, stage machine."""

import datetime as dt
import io
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from audit.actors import Actor
from audit.errors import ConflictError
from audit.models import AuditEntry
from hiring.models import Candidate, CandidateOwnership, StageChange, Submission
from hiring.services.briefs import brief_create, brief_open
from hiring.services.consent import consent_answer
from hiring.services.submissions import (
    OWNERSHIP_REFUSAL,
    submission_create,
    submission_move_stage,
    submission_withdraw,
)
from outbox.models import OutboxEvent
from tenants.models import EngagementStatus
from tests.factories import AgencyFactory, EngagementFactory, UserFactory, ready_brief_data

FULL_PROOF = {
    "proof_shipped_solution": "Shipped a demand forecasting service used by 300 planners.",
    "proof_baseline": "Baseline MAPE was 31% with the spreadsheet method.",
    "proof_improvement": "Brought MAPE to 14% after adding promotions and holidays.",
    "proof_monitoring": "Weekly drift report on feature distributions and error by region.",
    "proof_quality_dip": "A supplier feed broke in week 3; rolled back and added schema checks.",
}


def person(**overrides):
    data = {
        "full_name": "Dana Scully",
        "email": "dana.scully+agency@gmail.com",
        "phone": "+1 415 555 0132",
        "skills": "python, pytorch",
        "location": "Lisbon",
    }
    data.update(overrides)
    return data


@pytest.fixture
def setup(tenant_a):
    """Inside tenant A: an open brief and two engaged agencies with a recruiter each."""
    with schema_context(tenant_a.schema_name):
        client_actor = Actor.for_user(UserFactory())
        brief = brief_open(
            actor=client_actor, brief=brief_create(actor=client_actor, data=ready_brief_data())
        )
        agencies = []
        for _ in range(2):
            agency = AgencyFactory()
            EngagementFactory(client=tenant_a, agency=agency, ownership_window_days=180)
            agencies.append(agency)
        recruiters = [Actor.for_user(UserFactory(), agency_id=a.pk) for a in agencies]
        yield {
            "brief": brief,
            "agencies": agencies,
            "recruiters": recruiters,
            "client_actor": client_actor,
        }


def submit(setup, index=0, **kwargs):
    params = {"candidate_data": person(), "proof": FULL_PROOF, "right_to_represent": True}
    params.update(kwargs)
    return submission_create(
        actor=setup["recruiters"][index],
        brief=setup["brief"],
        agency=setup["agencies"][index],
        **params,
    )


@pytest.mark.django_db
def test_submission_lands_with_history_audit_and_event(setup):
    submission = submit(setup, rate_amount="95", rate_currency="usd")
    assert submission.stage == "submitted"
    assert submission.rate_currency == "USD"
    candidate = submission.candidate
    assert candidate.email_normalized == "danascully@gmail.com"
    assert candidate.phone_e164 == "+14155550132"
    assert submission.skills == ["python", "pytorch"]
    assert submission.email and submission.phone
    history = list(StageChange.objects.filter(submission=submission))
    assert [(h.from_stage, h.to_stage) for h in history] == [("", "submitted")]
    assert CandidateOwnership.objects.get(candidate=candidate).agency == setup["agencies"][0]
    event = OutboxEvent.objects.get(event_type="submission.created")
    assert event.agency_id == setup["agencies"][0].pk
    assert "Scully" not in str(event.payload) and "gmail" not in str(event.payload)
    entry = AuditEntry.objects.get(action="submission.created")
    assert "Scully" not in str(entry.details)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "second",
    [
        {"email": "DANA.SCULLY@gmail.com"},  # case and Gmail dots
        {"email": "danascully+other@googlemail.com"},  # plus tag and googlemail alias
        {"email": "", "phone": "(415) 555-0132"},  # same phone, national format
    ],
)
def test_the_same_person_is_recognised_and_refused_for_another_agency(setup, second):
    submit(setup, 0)
    with pytest.raises(ConflictError) as error:
        submit(setup, 1, candidate_data=person(**second))
    assert error.value.code == "candidate_owned_by_another_agency"
    assert error.value.message == OWNERSHIP_REFUSAL
    assert setup["agencies"][0].name not in error.value.message
    assert Candidate.objects.count() == 1
    assert Submission.objects.count() == 1


@pytest.mark.django_db
def test_plus_tags_are_kept_where_the_provider_may_treat_them_as_distinct(setup):
    submit(setup, 0, candidate_data=person(email="sam+work@corp.example", phone=""))
    submit(
        setup,
        0,
        candidate_data=person(email="sam+home@corp.example", phone="", full_name="Another Sam"),
    )
    assert Candidate.objects.count() == 2


@pytest.mark.django_db
def test_same_agency_resubmitting_to_the_same_brief_is_a_conflict(setup):
    submit(setup, 0)
    with pytest.raises(ConflictError) as error:
        submit(setup, 0)
    assert error.value.code == "duplicate_submission"
    assert Submission.objects.count() == 1


@pytest.mark.django_db
def test_owner_may_submit_the_person_to_another_brief(setup):
    first = submit(setup, 0)
    other_brief = brief_open(
        actor=setup["client_actor"],
        brief=brief_create(actor=setup["client_actor"], data=ready_brief_data(title="Second role")),
    )
    second = submission_create(
        actor=setup["recruiters"][0],
        brief=other_brief,
        agency=setup["agencies"][0],
        candidate_data=person(),
        proof=FULL_PROOF,
        right_to_represent=True,
    )
    assert second.candidate_id == first.candidate_id


@pytest.mark.django_db
def test_ownership_expires_and_another_agency_may_then_submit(setup):
    first = submit(setup, 0)
    CandidateOwnership.objects.filter(candidate=first.candidate).update(
        expires_at=timezone.now() - dt.timedelta(days=1)
    )
    other_brief = brief_open(
        actor=setup["client_actor"],
        brief=brief_create(actor=setup["client_actor"], data=ready_brief_data(title="Later role")),
    )
    second = submission_create(
        actor=setup["recruiters"][1],
        brief=other_brief,
        agency=setup["agencies"][1],
        candidate_data=person(),
        proof=FULL_PROOF,
        right_to_represent=True,
    )
    ownership = CandidateOwnership.objects.get(candidate=first.candidate)
    assert ownership.agency == setup["agencies"][1]
    # Provisional until the candidate confirms (docs/hiring.md, "Candidate consent"), then
    # the engagement's whole window from the submission.
    assert ownership.expires_at < timezone.now() + dt.timedelta(days=8)
    consent_answer(submission=second, answer="confirm")
    ownership.refresh_from_db()
    assert ownership.expires_at > timezone.now() + dt.timedelta(days=179)
    assert second.candidate_id == first.candidate_id


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "fields"),
    [
        ({"right_to_represent": False}, {"right_to_represent"}),
        ({"candidate_data": person(full_name="")}, {"full_name"}),
        ({"candidate_data": person(email="not-an-email")}, {"email"}),
        ({"candidate_data": person(phone="12")}, {"phone"}),
        ({"candidate_data": person(email="", phone="")}, {"email"}),
        ({"candidate_data": person(links="ftp://x")}, {"links"}),
        ({"candidate_data": {**person(), "agency": "someone else"}}, {"candidate"}),
        ({"proof": {**FULL_PROOF, "proof_baseline": ""}}, {"proof_baseline"}),
        (
            {"proof": {"proof_shipped_solution": "a notebook"}},
            {
                "proof_shipped_solution",
                "proof_baseline",
                "proof_improvement",
                "proof_monitoring",
                "proof_quality_dip",
            },
        ),
        ({"rate_amount": "lots"}, {"rate_amount"}),
        ({"rate_amount": "90", "rate_currency": "$"}, {"rate_currency"}),
    ],
)
def test_bad_input_is_refused_by_field_and_writes_nothing(setup, kwargs, fields):
    with pytest.raises(ValidationError) as error:
        submit(setup, 0, **kwargs)
    assert fields <= set(error.value.message_dict)
    assert not Submission.objects.exists()
    assert not Candidate.objects.exists()
    assert not OutboxEvent.objects.filter(event_type="submission.created").exists()


@pytest.mark.django_db
def test_python_developer_brief_needs_the_shipped_system_its_domain_and_input_checks(setup):
    brief = brief_open(
        actor=setup["client_actor"],
        brief=brief_create(
            actor=setup["client_actor"],
            data=ready_brief_data(title="API developer", track="python_developer", needs=["apis"]),
        ),
    )
    submission = submission_create(
        actor=setup["recruiters"][0],
        brief=brief,
        agency=setup["agencies"][0],
        candidate_data=person(),
        right_to_represent=True,
        proof={
            "proof_shipped_solution": "Built and runs the claims API, 400 requests/s.",
            "proof_domain": "Insurance claims",
            "proof_input_validation": "Every payload is checked against a schema; bad ones "
            "get a clear 422 and never reach the database.",
        },
    )
    assert submission.proof_baseline == ""


@pytest.mark.django_db
def test_inactive_engagement_and_unshared_brief_are_refused(setup, tenant_a):
    agency = setup["agencies"][0]
    engagement = agency.engagements.get(client=tenant_a)
    engagement.status = EngagementStatus.PAUSED
    engagement.save(update_fields=["status"])
    with pytest.raises(ConflictError) as error:
        submit(setup, 0)
    assert error.value.code == "engagement_inactive"
    outsider = AgencyFactory()
    EngagementFactory(client=tenant_a, agency=outsider)
    brief = brief_open(
        actor=setup["client_actor"],
        agency_ids=[setup["agencies"][1].pk],
        brief=brief_create(actor=setup["client_actor"], data=ready_brief_data(title="Selective")),
    )
    with pytest.raises(ConflictError) as error:
        submission_create(
            actor=Actor.for_user(UserFactory(), agency_id=outsider.pk),
            brief=brief,
            agency=outsider,
            candidate_data=person(),
            proof=FULL_PROOF,
            right_to_represent=True,
        )
    assert error.value.code == "brief_not_open"


@pytest.mark.django_db
def test_resume_is_sniffed_and_stored_per_tenant(setup, tenant_a):
    submission = submit(setup, 0, resume=io.BytesIO(b"%PDF-1.7\n...resume..."))
    assert submission.resume_content_type == "application/pdf"
    assert submission.resume.name.startswith(f"tenants/{tenant_a.schema_name}/resumes/")
    with pytest.raises(ValidationError) as error:
        submit(
            setup,
            0,
            candidate_data=person(email="other@corp.example", phone=""),
            resume=io.BytesIO(b"MZ\x90\x00\x03binary-executable"),
        )
    assert "resume" in error.value.message_dict


@pytest.mark.django_db
def test_resume_size_limit(setup, settings):
    settings.RESUME_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as error:
        submit(setup, 0, resume=io.BytesIO(b"a" * 2048))
    assert "larger" in error.value.message_dict["resume"][0]
    assert not Candidate.objects.exists()


@pytest.mark.django_db
def test_stage_machine_allows_only_listed_moves_and_records_history(setup):
    submission = submit(setup, 0)
    client = setup["client_actor"]
    with pytest.raises(ConflictError):
        submission_move_stage(actor=client, submission=submission, to_stage="hired")
    with pytest.raises(ValidationError):
        submission_move_stage(actor=client, submission=submission, to_stage="rejected")
    with pytest.raises(ValidationError):
        submission_move_stage(actor=client, submission=submission, to_stage="lost")
    for stage in ("screening", "interview", "shortlisted", "offer", "hired"):
        submission = submission_move_stage(actor=client, submission=submission, to_stage=stage)
    with pytest.raises(ConflictError):
        submission_move_stage(
            actor=client, submission=submission, to_stage="rejected", reason="changed our mind"
        )
    history = [
        (c.from_stage, c.to_stage)
        for c in StageChange.objects.filter(submission=submission).order_by("id")
    ]
    assert history == [
        ("", "submitted"),
        ("submitted", "screening"),
        ("screening", "interview"),
        ("interview", "shortlisted"),
        ("shortlisted", "offer"),
        ("offer", "hired"),
    ]
    assert OutboxEvent.objects.filter(event_type="submission.stage_changed").count() == 5


@pytest.mark.django_db
def test_only_the_submitting_agency_can_withdraw(setup):
    submission = submit(setup, 0)
    with pytest.raises(ConflictError):
        submission_withdraw(actor=setup["recruiters"][1], submission=submission)
    with pytest.raises(ConflictError):
        submission_withdraw(actor=setup["client_actor"], submission=submission)
    submission = submission_withdraw(
        actor=setup["recruiters"][0], submission=submission, reason="took another offer"
    )
    assert submission.stage == "withdrawn"
    with pytest.raises(ConflictError):
        submission_withdraw(actor=setup["recruiters"][0], submission=submission)


def test_concurrent_submissions_of_one_person_give_exactly_one_owner(committed_db, tenant_a):
    with schema_context(tenant_a.schema_name):
        client_actor = Actor.for_user(UserFactory())
        brief = brief_open(
            actor=client_actor, brief=brief_create(actor=client_actor, data=ready_brief_data())
        )
        agencies = [AgencyFactory() for _ in range(2)]
        for agency in agencies:
            EngagementFactory(client=tenant_a, agency=agency)
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def attempt(agency, email):
        try:
            with schema_context(tenant_a.schema_name):
                barrier.wait(timeout=10)
                submission_create(
                    actor=Actor.for_user(UserFactory(), agency_id=agency.pk),
                    brief=brief,
                    agency=agency,
                    candidate_data=person(email=email, phone=""),
                    proof=FULL_PROOF,
                    right_to_represent=True,
                )
            outcomes.append("created")
        except ConflictError as error:
            outcomes.append(error.code)
        except Exception as error:  # anything else would be a 500
            outcomes.append(f"error: {error!r}")
        finally:
            connection.close()

    # Two agencies, each firing twice, with differently written forms of one address.
    threads = [
        threading.Thread(target=attempt, args=(agencies[i % 2], email))
        for i, email in enumerate(
            [
                "ann.lee@gmail.com",
                "annlee@gmail.com",
                "ANN.LEE+x@gmail.com",
                "annlee+y@googlemail.com",
            ]
        )
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert outcomes.count("created") == 1, outcomes
    assert all(
        o in ("created", "candidate_owned_by_another_agency", "duplicate_submission")
        for o in outcomes
    ), outcomes
    with schema_context(tenant_a.schema_name):
        assert Candidate.objects.count() == 1
        assert CandidateOwnership.objects.count() == 1
        assert Submission.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("full_name", "Dana Scully\r\nBcc: everyone@corp.example"),
        ("location", "Lisbon\x00"),
        ("email", "dana@corp.example\n"),
        ("summary", "Ships models\x1b[31m in red"),
    ],
)
def test_control_characters_in_the_person_are_refused_and_nothing_is_stored(setup, field, value):
    """The attack: a CR/LF in a candidate's name was stored, and every e-mail quoting it then
    failed on each retry ("Header values may not contain linefeed")."""
    if field == "email":
        value = "dana@corp.example\nx"
    with pytest.raises(ValidationError) as error:
        submit(setup, candidate_data=person(**{field: value}))
    assert field in error.value.message_dict
    assert not Submission.objects.exists() and not Candidate.objects.exists()


@pytest.mark.django_db
def test_control_characters_in_proof_and_reasons_are_refused(setup):
    with pytest.raises(ValidationError) as error:
        submit(setup, proof={**FULL_PROOF, "proof_baseline": "Baseline\x07 was 60% accurate."})
    assert "proof_baseline" in error.value.message_dict
    submission = submit(setup)
    with pytest.raises(ValidationError) as refused:
        submission_move_stage(
            actor=Actor.system("tests"),
            submission=submission,
            to_stage="rejected",
            reason="Rate\x00 too high",
        )
    assert "reason" in refused.value.message_dict
    # Line breaks in long text are fine: a reason may run over lines.
    moved = submission_move_stage(
        actor=Actor.system("tests"),
        submission=submission,
        to_stage="rejected",
        reason="Rate too high.\r\nAsk again next quarter.",
    )
    assert moved.stage_changes.last().reason == "Rate too high.\nAsk again next quarter."
