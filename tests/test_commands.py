"""Operator commands: happy paths, and bad input refused with one line, exit != 0, no change."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django_tenants.utils import schema_context

from config.settings.test import redis_db_url
from hiring.models import Stage
from tenants.models import Agency, AgencyMembership, Client, ClientMembership, Engagement, User
from tests.conftest import subprocess_database_url
from tests.factories import AgencyFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent


def _counts() -> tuple[int, ...]:
    return (
        Client.objects.count(),
        User.objects.count(),
        Agency.objects.count(),
        ClientMembership.objects.count(),
        AgencyMembership.objects.count(),
        Engagement.objects.count(),
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["provision_client", "--slug", "alpha", "--name", "Dup"], "already exists"),
        (["provision_client", "--slug", "Bad Slug!", "--name", "X"], "not a valid slug"),
        (["provision_client", "--slug", "public", "--name", "X"], "reserved"),
        (["provision_client", "--slug", "fresh", "--name", "  "], "name is required"),
        (
            ["provision_client", "--slug", "fresh", "--name", "X", "--domain", "bad host!"],
            "not a valid host",
        ),
        (
            ["create_user", "--email", "not-an-email", "--password", "long enough pw"],
            "not a valid email",
        ),
        (["create_user", "--email", "a@example.test", "--password", "short"], "8 characters"),
        (
            ["grant", "--email", "nobody@example.test", "--client", "alpha", "--role", "admin"],
            "No user",
        ),
        (
            ["grant", "--email", "known@example.test", "--client", "nope", "--role", "admin"],
            "No client",
        ),
        (
            ["grant", "--email", "known@example.test", "--client", "alpha", "--role", "boss"],
            "not a client role",
        ),
        (
            [
                "grant",
                "--email",
                "known@example.test",
                "--agency",
                "known-agency",
                "--role",
                "admin",
            ],
            "not an agency role",
        ),
        (
            ["grant", "--email", "known@example.test", "--agency", "nope", "--role", "recruiter"],
            "No agency",
        ),
        (["create_agency", "--slug", "known-agency", "--name", "Again"], "already exists"),
        (["create_agency", "--slug=-x", "--name", "Bad"], "not a valid slug"),
        (["engage_agency", "--client", "nope", "--agency", "known-agency"], "No client"),
        (["engage_agency", "--client", "alpha", "--agency", "nope"], "No agency"),
        (
            [
                "engage_agency",
                "--client",
                "alpha",
                "--agency",
                "known-agency",
                "--ownership-window-days",
                "0",
            ],
            "between 1 and 3650",
        ),
        (
            [
                "engage_agency",
                "--client",
                "alpha",
                "--agency",
                "known-agency",
                "--fee-percent",
                "abc",
            ],
            "not a number",
        ),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(tenant_a, args, message):
    UserFactory(email="known@example.test")
    AgencyFactory(slug="known-agency")
    before = _counts()
    with pytest.raises(CommandError) as error:
        call_command(*args)
    assert message in str(error.value)
    assert "\n" not in str(error.value)
    assert _counts() == before


@pytest.mark.django_db
def test_commands_build_a_working_setup(tenant_a):
    call_command(
        "create_user",
        "--email",
        "Boss@Example.test",
        "--password",
        "s3cret-enough",
        "--name",
        "Bo Ss",
    )
    call_command("create_agency", "--slug", "talentco", "--name", "TalentCo")
    call_command(
        "grant", "--email", "boss@example.test", "--client", "alpha", "--role", "executive"
    )
    call_command(
        "grant", "--email", "boss@example.test", "--agency", "talentco", "--role", "agency_admin"
    )
    call_command(
        "engage_agency",
        "--client",
        "alpha",
        "--agency",
        "talentco",
        "--ownership-window-days",
        "90",
    )
    user = User.objects.get(email="boss@example.test")
    assert user.check_password("s3cret-enough")
    assert ClientMembership.objects.get(user=user, client=tenant_a).role == "executive"
    assert (
        Engagement.objects.get(client=tenant_a, agency__slug="talentco").ownership_window_days == 90
    )
    # grant again changes the role rather than failing or duplicating
    call_command("grant", "--email", "boss@example.test", "--client", "alpha", "--role", "admin")
    assert ClientMembership.objects.get(user=user, client=tenant_a).role == "admin"
    with pytest.raises(CommandError, match="already engaged"):
        call_command("engage_agency", "--client", "alpha", "--agency", "talentco")


# The commands run on Redis databases of their own: the tasks they queue (shortlist
# recomputes, notifications) must not reach the suite's in-process worker, which would run
# them in a schema the test is dropping (a deadlock with DROP SCHEMA).
COMMAND_REDIS_DB_OFFSET = 4


def _manage(*args: str) -> subprocess.CompletedProcess[str]:
    redis_db = int(settings.TEST_REDIS_DB) + COMMAND_REDIS_DB_OFFSET
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": subprocess_database_url(),
        "TEST_REDIS_DB": str(redis_db),
    }
    try:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        # Nobody consumes that broker: drop what the command queued.
        for db in (redis_db, redis_db + 1):
            redis.Redis.from_url(redis_db_url(settings.REDIS_URL, db)).flushdb()


def test_real_process_exits_non_zero_with_one_line(committed_db):
    result = _manage("grant", "--email", "x@example.test", "--client", "alpha", "--role", "ceo")
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == [
        "CommandError: --role: 'ceo' is not a client role; use one of "
        "admin, hiring_manager, interviewer, executive."
    ]


def test_missing_flag_is_a_usage_error(committed_db):
    result = _manage("provision_client", "--name", "No Slug")
    assert result.returncode != 0
    assert "--slug" in result.stderr


def test_provision_client_command_creates_a_reachable_workspace(committed_db):
    result = _manage("provision_client", "--slug", "gamma-labs", "--name", "Gamma Labs")
    assert result.returncode == 0, result.stderr
    assert "gamma-labs.localhost" in result.stdout
    client = Client.objects.get(slug="gamma-labs")
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = %s",
                [client.schema_name],
            )
            assert cursor.fetchone()[0] > 3
        assert client.domains.get().domain == "gamma-labs.localhost"
    finally:
        client.auto_drop_schema = True
        client.delete(force_drop=True)


def test_seed_demo_is_idempotent_and_prints_logins(committed_db):
    first = _manage("seed_demo")
    assert first.returncode == 0, first.stderr
    counts = _counts()
    second = _manage("seed_demo")
    assert second.returncode == 0, second.stderr
    assert _counts() == counts
    assert "http://acme.localhost:8000/" in second.stdout
    for email in (
        "admin@acme.example",
        "cxo@acme.example",
        "recruiter@northstar.example",
        "recruiter@bluepeak.example",
    ):
        assert email in second.stdout
    acme = Client.objects.get(slug="acme")
    roles = set(ClientMembership.objects.filter(client=acme).values_list("role", flat=True))
    assert roles == {"admin", "hiring_manager", "interviewer", "executive"}
    assert Engagement.objects.filter(client=acme, status="active").count() == 2
    with schema_context(acme.schema_name):
        from hiring.models import RoleBrief, Submission
        from scoring.models import Scorecard, Shortlist

        assert set(RoleBrief.objects.values_list("track", flat=True)) == {
            "python_developer",
            "python_ai_developer",
            "ai_ml_engineer",
        }
        assert RoleBrief.objects.filter(uses_llm=True).exists()
        assert set(Submission.objects.values_list("stage", flat=True)) == set(Stage.values)
        assert Submission.objects.values("agency").distinct().count() == 2
        assert Scorecard.objects.filter(status="submitted").count() >= 6
        # The GenAI brief's shortlist shows a candidate below its security floor.
        assert Shortlist.objects.filter(entries__below_floor__contains=["D"]).exists()
    acme.auto_drop_schema = True
    acme.delete(force_drop=True)
