"""Candidate privacy: PII reads audited, erasure leaves no trace, retention by schedule."""

import datetime as dt
import io
import os
import subprocess
import sys
import time
import uuid
from io import StringIO
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from audit.actors import Actor
from audit.models import AuditEntry
from hiring.fields import PROOF_TEXT_FIELDS
from hiring.models import Candidate, CandidateOwnership, StageChange, Submission
from hiring.services import privacy
from hiring.services.briefs import brief_create, brief_open
from hiring.services.privacy import (
    candidate_erase,
    candidate_pii_read_record,
    candidates_pii_read_record,
    register_candidate_text_eraser,
    retention_apply,
    retention_candidates_due,
)
from hiring.services.submissions import (
    submission_create,
    submission_move_stage,
    submission_withdraw,
)
from hiring.tasks.privacy import retention_apply_task
from outbox.models import OutboxEvent
from tenants.models import Client
from tenants.tasks import send_to_tenant
from tests.conftest import subprocess_database_url
from tests.factories import AgencyFactory, EngagementFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent
OVERRIDE = "Pilot role: the readiness details follow after the kickoff."


def _world(tenant: Client, *, briefs: int = 1, agency=None) -> SimpleNamespace:
    """Inside the tenant: open briefs, an engaged agency and one of its recruiters."""
    client_actor = Actor.for_user(UserFactory())
    opened = []
    for number in range(briefs):
        brief = brief_create(
            actor=client_actor,
            data={"title": f"Backend engineer {number}", "track": "python_developer"},
        )
        opened.append(brief_open(actor=client_actor, brief=brief, override_reason=OVERRIDE))
    agency = agency or AgencyFactory()
    EngagementFactory(client=tenant, agency=agency)
    recruiter = Actor.for_user(UserFactory(), agency_id=agency.pk)
    return SimpleNamespace(
        briefs=opened, agency=agency, recruiter=recruiter, client_actor=client_actor
    )


def _submit(world, *, person: dict, brief_index: int = 0, proof: dict | None = None, **kw):
    proof = proof or {
        "proof_shipped_solution": "Shipped a billing API used by 40 teams daily.",
        "proof_domain": "Billing",
        "proof_input_validation": "Every request is checked against a schema before it runs.",
    }
    return submission_create(
        actor=world.recruiter,
        brief=world.briefs[brief_index],
        agency=world.agency,
        candidate_data=person,
        proof=proof,
        right_to_represent=True,
        **kw,
    )


def _person(n: int | str) -> dict:
    return {"full_name": f"Person {n}", "email": f"person.{n}@example.org"}


def _text_hits(schema_name: str, needles: list[str], *, tables: set[str] | None = None):
    """Every column of every table of the schema (cast to text) that contains a needle."""
    patterns = [f"%{needle}%" for needle in needles]
    hits = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.table_name, c.column_name FROM information_schema.columns c "
            "JOIN information_schema.tables t "
            "ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
            "WHERE c.table_schema = %s AND t.table_type = 'BASE TABLE' "
            "ORDER BY c.table_name, c.ordinal_position",
            [schema_name],
        )
        columns = cursor.fetchall()
        assert len(columns) > 50, "the scan must see the whole tenant schema"
        # A table named here that does not exist would make the scan pass for nothing.
        assert tables is None or tables <= {table for table, _ in columns}, tables
        for table, column in columns:
            if tables is not None and table not in tables:
                continue
            cursor.execute(
                f'SELECT count(*) FROM "{schema_name}"."{table}" '
                f'WHERE "{column}"::text ILIKE ANY (%s)',
                [patterns],
            )
            if cursor.fetchone()[0]:
                hits.append(f"{table}.{column}")
    return hits


def _media_hits(schema_name: str, needles: list[str]) -> list[str]:
    root = Path(settings.MEDIA_ROOT) / "tenants" / schema_name
    lowered = [needle.lower() for needle in needles]
    hits = []
    for path in root.rglob("*") if root.exists() else []:
        if not path.is_file():
            continue
        content = path.read_bytes().lower()
        name = str(path.relative_to(root)).lower()
        if any(n.encode() in content or n in name for n in lowered):
            hits.append(str(path))
    return hits


@pytest.fixture
def files_to_remove():
    """Files a failing test could leave behind in the shared test media folder."""
    paths: list[Path] = []
    yield paths
    for path in paths:
        path.unlink(missing_ok=True)


@pytest.fixture
def erasers(monkeypatch):
    """A private eraser registry for the test; the registered functions are restored after."""
    registry: list = []
    monkeypatch.setattr(privacy, "_text_erasers", registry)
    return registry


# --- (a) erasure: the canary is found nowhere afterwards ----------------------------------


@pytest.mark.django_db
def test_erasure_leaves_no_trace_and_keeps_the_numbers(
    tenant_a, erasers, files_to_remove, django_capture_on_commit_callbacks
):
    # Unique per run, so nothing left in the shared media folder by another run can match.
    canary = f"CANARY-{uuid.uuid4().hex[:8]}"
    line = f"{uuid.uuid4().int % 1000:03d}"  # a UK number reserved for fiction: 020 7946 0xxx
    phone_raw, phone_e164 = f"+44 20 7946 0{line}", f"+442079460{line}"
    needles = [canary, phone_raw, phone_e164]
    schema = tenant_a.schema_name
    eraser_calls = []

    @register_candidate_text_eraser
    def scoring_like_eraser(candidate, *, former_name):
        assert connection.in_atomic_block
        eraser_calls.append(candidate.pk)

    with tenant_context(tenant_a):
        world = _world(tenant_a, briefs=2)
        person = {
            "full_name": f"Ada {canary} Lovelace",
            "email": f"ada.{canary}@example.com",
            "phone": phone_raw,
            "location": f"Lisbon {canary}",
            "availability": f"Two weeks notice {canary}",
            "summary": f"Led the forecasting platform {canary}",
            "skills": [f"python-{canary}", "pytorch"],
            "links": [f"https://example.com/{canary}/portfolio"],
        }
        proof = {
            field: f"Story for {field} told in detail, {canary}." for field in PROOF_TEXT_FIELDS
        }
        proof["proof_links"] = [f"https://example.com/{canary}/case-study"]
        first = _submit(
            world,
            person=person,
            proof=proof,
            rate_amount="95",
            rate_currency="USD",
            resume=io.BytesIO(f"Ada Lovelace\n{canary}\n{phone_raw}\n".encode()),
        )
        second = _submit(world, person=person, proof=proof, brief_index=1)
        candidate = first.candidate
        assert second.candidate_id == candidate.pk
        submission_move_stage(
            actor=world.client_actor,
            submission=first,
            to_stage="interview",
            reason=f"Strong screening call, {canary}",
        )
        submission_move_stage(
            actor=world.client_actor,
            submission=second,
            to_stage="rejected",
            reason=f"Rate too high for {canary}",
        )
        bystander_proof = {
            field: f"Another person's {field}, in detail." for field in PROOF_TEXT_FIELDS
        }
        bystander = _submit(world, person=_person("bystander"), proof=bystander_proof)
        candidate.refresh_from_db()
        first.refresh_from_db()
        assert candidate.phone_e164 == phone_e164
        resume_path = Path(settings.MEDIA_ROOT) / first.resume.name
        files_to_remove.append(resume_path)
        assert resume_path.is_file()

        # The scan finds what was planted (so its silence afterwards means something) ...
        before = _text_hits(schema, needles)
        for column in [
            "hiring_candidate.full_name",
            "hiring_candidate.phone_e164",
            "hiring_submission.full_name",
            "hiring_submission.email",
            "hiring_submission.phone",
            "hiring_submission.location",
            "hiring_submission.availability",
            "hiring_submission.summary",
            "hiring_submission.skills",
            "hiring_submission.links",
            "hiring_submission.proof_links",
            *(f"hiring_submission.{field}" for field in PROOF_TEXT_FIELDS),
            "hiring_stagechange.reason",
        ]:
            assert column in before
        assert str(resume_path) in _media_hits(schema, needles)
        # ... and the audit trail and the outbox never held any of it.
        assert (
            _text_hits(
                schema, needles, tables={AuditEntry._meta.db_table, OutboxEvent._meta.db_table}
            )
            == []
        )

        kept_before = list(
            Submission.objects.filter(candidate=candidate)
            .order_by("id")
            .values_list("id", "stage", "stage_changed_at", "rate_amount", "agency_id")
        )
        history_before = list(
            StageChange.objects.filter(submission__candidate=candidate)
            .order_by("id")
            .values_list("id", "from_stage", "to_stage", "occurred_at")
        )

        with django_capture_on_commit_callbacks(execute=True):
            result = candidate_erase(
                actor=Actor.for_user(UserFactory()), candidate=candidate, reason="request"
            )

        assert not result.already_erased
        assert result.submissions_cleared == 2
        assert result.resume_removed
        assert _text_hits(schema, needles) == []
        assert _media_hits(schema, needles) == []
        assert not resume_path.exists()

        candidate.refresh_from_db()
        assert candidate.full_name == f"Erased candidate {str(candidate.public_id)[:8]}"
        assert candidate.anonymized_at is not None
        assert (candidate.email_normalized, candidate.phone_e164) == ("", "")
        for version in Submission.objects.filter(candidate=candidate):
            assert version.full_name == candidate.full_name
            assert (version.email, version.phone, version.resume.name) == ("", "", "")
            assert (version.links, version.skills, version.summary) == ([], [], "")
        assert eraser_calls == [candidate.pk]
        # What aggregates need stays: rows, stages, dates, rates, agency, history, ownership.
        assert (
            list(
                Submission.objects.filter(candidate=candidate)
                .order_by("id")
                .values_list("id", "stage", "stage_changed_at", "rate_amount", "agency_id")
            )
            == kept_before
        )
        assert (
            list(
                StageChange.objects.filter(submission__candidate=candidate)
                .order_by("id")
                .values_list("id", "from_stage", "to_stage", "occurred_at")
            )
            == history_before
        )
        assert CandidateOwnership.objects.get(candidate=candidate).agency_id == world.agency.pk
        # Someone else's submission is untouched.
        bystander.refresh_from_db()
        assert bystander.proof_baseline == bystander_proof["proof_baseline"]
        assert bystander.candidate.full_name == "Person bystander"

        entry = AuditEntry.objects.get(action="candidate.erased")
        assert entry.object_id == str(candidate.public_id)
        assert entry.details == {"reason": "request", "submissions": 2, "resume_removed": True}
        event = OutboxEvent.objects.get(event_type="candidate.erased")
        assert event.payload == {
            "candidate_id": str(candidate.public_id),
            "submission_ids": [str(first.public_id), str(second.public_id)],
            "reason": "request",
        }

        # Erasing again succeeds and changes nothing.
        again = candidate_erase(actor=Actor.system("tests"), candidate=candidate, reason="request")
        assert again.already_erased
        assert AuditEntry.objects.filter(action="candidate.erased").count() == 1
        assert eraser_calls == [candidate.pk]


@pytest.mark.django_db
def test_a_failed_erasure_changes_nothing_and_keeps_the_resume(
    tenant_a, erasers, files_to_remove, django_capture_on_commit_callbacks
):
    @register_candidate_text_eraser
    def broken_eraser(candidate, *, former_name):
        raise RuntimeError("scorecard store unavailable")

    with tenant_context(tenant_a):
        world = _world(tenant_a)
        submission = _submit(
            world, person=_person("keep"), resume=io.BytesIO(b"Plain text resume of Person keep\n")
        )
        candidate = submission.candidate
        resume_path = Path(settings.MEDIA_ROOT) / submission.resume.name
        files_to_remove.append(resume_path)
        with (
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            pytest.raises(RuntimeError),
        ):
            candidate_erase(actor=Actor.system("tests"), candidate=candidate, reason="request")
        assert callbacks == []
        candidate.refresh_from_db()
        assert candidate.anonymized_at is None
        assert candidate.full_name == "Person keep"
        submission.refresh_from_db()
        assert submission.resume.name and resume_path.is_file()
        assert not AuditEntry.objects.filter(action="candidate.erased").exists()
        assert not OutboxEvent.objects.filter(event_type="candidate.erased").exists()


@pytest.mark.django_db
def test_erasure_reason_is_a_category_not_free_text(tenant_a):
    with tenant_context(tenant_a):
        candidate = _submit(_world(tenant_a), person=_person("reason")).candidate
        with pytest.raises(ValidationError) as error:
            candidate_erase(
                actor=Actor.system("tests"),
                candidate=candidate,
                reason="Person reason asked by phone",
            )
        assert "reason" in error.value.message_dict
        candidate.refresh_from_db()
        assert candidate.anonymized_at is None


# --- (b) retention policy ------------------------------------------------------------------


def _age(submission: Submission, days: int) -> None:
    Submission.objects.filter(pk=submission.pk).update(
        stage_changed_at=timezone.now() - dt.timedelta(days=days)
    )


def _set_retention(tenant: Client, days: int) -> None:
    Client.objects.filter(pk=tenant.pk).update(candidate_retention_days=days)


@pytest.mark.django_db
def test_retention_anonymizes_only_long_closed_candidates(tenant_a):
    with tenant_context(tenant_a):
        world = _world(tenant_a, briefs=2)
        reject = {"actor": world.client_actor, "to_stage": "rejected", "reason": "Not a fit"}

        old_rejected = _submit(world, person=_person("old-rejected"))
        submission_move_stage(submission=old_rejected, **reject)
        _age(old_rejected, 400)

        old_withdrawn = _submit(world, person=_person("old-withdrawn"))
        submission_withdraw(
            actor=world.recruiter, submission=old_withdrawn, reason="Took another job"
        )
        _age(old_withdrawn, 400)

        recent_rejected = _submit(world, person=_person("recent"))
        submission_move_stage(submission=recent_rejected, **reject)
        _age(recent_rejected, 10)

        # Rejected long ago for one brief, still in play for another: kept.
        mixed_closed = _submit(world, person=_person("mixed"))
        submission_move_stage(submission=mixed_closed, **reject)
        _age(mixed_closed, 400)
        mixed_open = _submit(world, person=_person("mixed"), brief_index=1)
        _age(mixed_open, 400)

        # At the offer stage for a long time: kept.
        offer = _submit(world, person=_person("offer"))
        for stage in ("interview", "shortlisted", "offer"):
            submission_move_stage(actor=world.client_actor, submission=offer, to_stage=stage)
        _age(offer, 400)

        # Known but never submitted (no purpose left): due once the row itself is that old.
        old_orphan = Candidate.objects.create(
            full_name="Orphan old", updated_at=timezone.now() - dt.timedelta(days=400)
        )
        Candidate.objects.create(full_name="Orphan new")

        def anonymized() -> set[str]:
            return {
                str(public_id)
                for public_id in Candidate.objects.filter(anonymized_at__isnull=False).values_list(
                    "public_id", flat=True
                )
            }

        def ids(*submissions) -> set[str]:
            return {str(s.candidate.public_id) for s in submissions}

        _set_retention(tenant_a, 0)
        assert not retention_candidates_due(now=timezone.now(), retention_days=0).exists()
        assert retention_apply() == 0
        assert anonymized() == set()

        _set_retention(tenant_a, 365)
        due = retention_candidates_due(now=timezone.now(), retention_days=365)
        assert {c.full_name for c in due} == {
            "Person old-rejected",
            "Person old-withdrawn",
            "Orphan old",
        }
        assert retention_apply() == 3
        assert anonymized() == ids(old_rejected, old_withdrawn) | {str(old_orphan.public_id)}
        entries = AuditEntry.objects.filter(action="candidate.erased")
        assert {(e.actor_kind, e.actor_ref, e.details["reason"]) for e in entries} == {
            ("system", "retention", "retention")
        }
        assert retention_apply() == 0  # a second run finds nothing left to do

        _set_retention(tenant_a, 5)
        assert retention_apply() == 1
        assert anonymized() == ids(old_rejected, old_withdrawn, recent_rejected) | {
            str(old_orphan.public_id)
        }
        assert Candidate.objects.get(pk=mixed_open.candidate_id).anonymized_at is None
        assert Candidate.objects.get(pk=offer.candidate_id).anonymized_at is None


@pytest.mark.django_db
def test_retention_refuses_to_run_in_the_public_schema():
    connection.set_schema_to_public()
    with pytest.raises(RuntimeError, match="client's schema"):
        retention_apply()


# --- (c) the scheduled task runs in the tenant it was queued for ---------------------------


def _old_rejected_candidate(tenant: Client, agency) -> str:
    with tenant_context(tenant):
        world = _world(tenant, agency=agency)
        submission = _submit(world, person=_person(f"old-{tenant.slug}"))
        submission_move_stage(
            actor=world.client_actor, submission=submission, to_stage="rejected", reason="Not a fit"
        )
        _age(submission, 400)
        return str(submission.candidate.public_id)


def _anonymized(tenant: Client, public_id: str) -> bool:
    with tenant_context(tenant):
        return Candidate.objects.filter(public_id=public_id, anonymized_at__isnull=False).exists()


@pytest.mark.worker
def test_retention_task_touches_only_the_tenant_it_was_queued_for(
    celery_worker, tenant_a, tenant_b
):
    assert retention_apply_task.name == "hiring.tasks.privacy.retention_apply"
    agency = AgencyFactory()
    in_a = _old_rejected_candidate(tenant_a, agency)
    in_b = _old_rejected_candidate(tenant_b, agency)
    connection.set_schema_to_public()

    send_to_tenant(
        task_name="hiring.tasks.privacy.retention_apply", schema_name=tenant_a.schema_name
    )

    deadline = time.monotonic() + 20
    while not _anonymized(tenant_a, in_a) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _anonymized(tenant_a, in_a)
    assert not _anonymized(tenant_b, in_b)
    with tenant_context(tenant_b):
        assert not AuditEntry.objects.filter(action="candidate.erased").exists()


# --- (d) the operator command --------------------------------------------------------------


def _snapshot(candidate: Candidate) -> tuple:
    row = Candidate.objects.filter(pk=candidate.pk).values().get()
    return row, AuditEntry.objects.count(), OutboxEvent.objects.count()


@pytest.mark.django_db
def test_command_erases_by_id_then_reports_already_erased(tenant_a):
    with tenant_context(tenant_a):
        candidate = _submit(_world(tenant_a), person=_person("by-id")).candidate
    out = StringIO()
    call_command(
        "erase_candidate",
        "--client",
        "alpha",
        "--candidate",
        str(candidate.public_id),
        "--reason",
        "request",
        stdout=out,
    )
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    assert str(candidate.public_id) in lines[0]
    assert "by-id" not in out.getvalue()
    with tenant_context(tenant_a):
        candidate.refresh_from_db()
        assert candidate.anonymized_at is not None
        assert AuditEntry.objects.get(action="candidate.erased").actor_ref == (
            "command:erase_candidate"
        )
    out = StringIO()
    call_command(
        "erase_candidate",
        "--client",
        "alpha",
        "--candidate",
        str(candidate.public_id),
        "--reason",
        "request",
        stdout=out,
    )
    assert "already erased" in out.getvalue()


@pytest.mark.django_db
def test_command_finds_the_candidate_by_any_spelling_of_the_email(tenant_a):
    with tenant_context(tenant_a):
        candidate = _submit(
            _world(tenant_a),
            person={"full_name": "Grace Hopper", "email": "grace.hopper+agency@gmail.com"},
        ).candidate
    out = StringIO()
    call_command(
        "erase_candidate",
        "--client",
        "alpha",
        "--email",
        "Grace.Hopper@Gmail.com",
        "--reason",
        "legal",
        stdout=out,
    )
    assert "grace" not in out.getvalue().lower()
    with tenant_context(tenant_a):
        candidate.refresh_from_db()
        assert candidate.anonymized_at is not None
        assert AuditEntry.objects.get(action="candidate.erased").details["reason"] == "legal"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--client", "nope", "--candidate", "{id}", "--reason", "request"], "No client"),
        (["--client", "alpha", "--candidate", "not-a-uuid", "--reason", "request"], "a UUID"),
        (
            ["--client", "alpha", "--candidate", "{other}", "--reason", "request"],
            "No candidate at alpha",
        ),
        (
            ["--client", "alpha", "--candidate", "{in_b}", "--reason", "request"],
            "No candidate at alpha",
        ),
        (
            ["--client", "alpha", "--email", "nobody@example.org", "--reason", "request"],
            "No candidate at alpha has this address",
        ),
        (
            ["--client", "alpha", "--email", "not an email", "--reason", "request"],
            "not a valid email",
        ),
        (
            ["--client", "alpha", "--candidate", "{id}", "--reason", "they asked"],
            "--reason: Use one of",
        ),
        (["--client", "alpha", "--reason", "request"], "--candidate --email"),
    ],
)
def test_command_bad_input_is_one_line_and_changes_nothing(tenant_a, tenant_b, args, message):
    with tenant_context(tenant_b):
        in_b = _submit(_world(tenant_b), person=_person("in-b")).candidate
    with tenant_context(tenant_a):
        candidate = _submit(_world(tenant_a), person=_person("target")).candidate
        before = _snapshot(candidate)
    args = [
        arg.format(id=candidate.public_id, other=uuid.uuid4(), in_b=in_b.public_id) for arg in args
    ]
    with pytest.raises(CommandError) as error:
        call_command("erase_candidate", *args)
    assert message in str(error.value)
    assert "\n" not in str(error.value)
    with tenant_context(tenant_a):
        assert _snapshot(candidate) == before
    with tenant_context(tenant_b):
        assert Candidate.objects.get(pk=in_b.pk).anonymized_at is None


def test_command_in_a_real_process_exits_non_zero_with_one_line(committed_db):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": subprocess_database_url(),
    }
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "erase_candidate",
            "--client",
            "alpha",
            "--candidate",
            "12345",
            "--reason",
            "request",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == ["CommandError: --candidate: Give the candidate's public id, a UUID."]


# --- (e) reads of personal data are audited, without the data ------------------------------


@pytest.mark.django_db
def test_pii_read_is_audited_with_ids_only(tenant_a):
    with tenant_context(tenant_a):
        world = _world(tenant_a)
        candidate = _submit(
            world,
            person={
                "full_name": "Katherine Johnson",
                "email": "kj@example.org",
                "phone": "+1 202 555 0147",
                "location": "Hampton",
            },
        ).candidate
        viewer = UserFactory()
        candidate_pii_read_record(
            actor=Actor.for_user(viewer), candidate=candidate, purpose="candidate_detail"
        )
        entry = AuditEntry.objects.get(action="candidate.pii_viewed")
        assert (entry.actor_kind, entry.actor_user_id) == ("user", viewer.pk)
        assert (entry.object_type, entry.object_id) == ("candidate", str(candidate.public_id))
        assert entry.details == {"purpose": "candidate_detail"}
        assert (
            _text_hits(
                tenant_a.schema_name,
                ["Katherine", "kj@example", "2025550147", "Hampton"],
                tables={AuditEntry._meta.db_table, OutboxEvent._meta.db_table},
            )
            == []
        )

        # A recruiter's read names the agency; a page of candidates costs one insert.
        other = _submit(world, person=_person("second")).candidate
        candidates_pii_read_record(
            actor=world.recruiter, candidates=[candidate, other], purpose="resume_download"
        )
        downloads = AuditEntry.objects.filter(details__purpose="resume_download")
        assert {e.object_id for e in downloads} == {str(candidate.public_id), str(other.public_id)}
        assert all(e.details["agency"] == world.agency.pk for e in downloads)

        # System jobs are not people reading: nothing is recorded.
        candidate_pii_read_record(
            actor=Actor.system("retention"), candidate=candidate, purpose="candidate_detail"
        )
        assert AuditEntry.objects.filter(action="candidate.pii_viewed").count() == 3

        # The purpose is a code, so it can never carry the data itself.
        with pytest.raises(ValueError, match="purpose"):
            candidate_pii_read_record(
                actor=Actor.for_user(viewer), candidate=candidate, purpose="kj@example.org"
            )


@pytest.mark.django_db
def test_erasure_removes_the_name_from_notifications_that_quote_it(tenant_a):
    from notifications.models import Notification

    canary = f"CANARY-{uuid.uuid4().hex[:8]}"
    with tenant_context(tenant_a):
        world = _world(tenant_a)
        submission = _submit(
            world, person={"full_name": f"Grace {canary} Hopper", "email": "grace@example.org"}
        )
        reader = UserFactory()
        long_title = "Scorecard overdue: " + f"Grace {canary} Hopper" + " x" * 80
        Notification.objects.bulk_create(
            [
                Notification(recipient=reader, kind="scorecard_overdue", title=long_title[:200]),
                Notification(
                    recipient=reader,
                    kind="executive_digest",
                    title="Weekly digest",
                    body=f"Backend engineer 0: ranked first: Grace {canary} Hopper.",
                ),
                Notification(recipient=reader, kind="brief_closing", title="Unrelated"),
            ]
        )
        candidate_erase(
            actor=Actor.for_user(UserFactory()), candidate=submission.candidate, reason="request"
        )
        submission.candidate.refresh_from_db()
        assert _text_hits(tenant_a.schema_name, [canary]) == []
        texts = list(Notification.objects.order_by("id").values_list("title", "body"))
        assert texts[0][0].startswith(f"Scorecard overdue: {submission.candidate.full_name}")
        assert len(texts[0][0]) <= 200
        assert submission.candidate.full_name in texts[1][1]
        assert texts[2] == ("Unrelated", "")
