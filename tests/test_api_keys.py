"""API keys: the services (format, hashing, scopes, revocation), the create_api_key command
and the key pages of client admins and agency admins."""

import datetime as dt
import hashlib
import io
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from api.keys import (
    AGENCY_SCOPES,
    api_key_create,
    api_key_find,
    api_key_revoke,
    key_prefix_of,
)
from audit.models import AuditEntry
from tenants.models import AgencyRole, ApiKey, ClientRole, EngagementStatus
from tests.api_support import api, host_of, make_key
from tests.conftest import subprocess_database_url
from tests.factories import AgencyFactory, EngagementFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent
KEY_FORMAT = re.compile(r"^ahk_[a-z0-9]{12}_[A-Za-z0-9_-]{43,}$")


# --- services --------------------------------------------------------------------------------


def test_a_key_is_random_prefixed_shown_once_and_stored_hashed(tenant_a: Any, db: Any) -> None:
    creator = UserFactory()
    api_key, raw = api_key_create(
        client=tenant_a,
        name="  HR sync  ",
        scopes=["events:read", "briefs:read", "briefs:read"],
        created_by=creator,
    )
    assert KEY_FORMAT.match(raw), raw
    assert api_key.prefix == raw[:16] and key_prefix_of(raw) == api_key.prefix
    assert api_key.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    secret = raw[17:]
    stored = ApiKey.objects.filter(pk=api_key.pk).values().get()
    assert not any(secret in str(value) for value in stored.values())
    assert api_key.name == "HR sync"
    assert api_key.scopes == ["briefs:read", "events:read"]  # deduplicated, canonical order
    assert api_key.created_by_user_id == creator.pk
    assert api_key_find(raw) == api_key
    _, other = api_key_create(client=tenant_a, name="x", scopes=["briefs:read"], created_by=None)
    assert other[:16] != raw[:16] and other[17:] != secret
    with schema_context(tenant_a.schema_name):
        audit = AuditEntry.objects.get(action="api_key.created", object_id=str(api_key.public_id))
        assert audit.actor_user_id == creator.pk
        assert raw not in str(audit.details) and secret not in str(audit.details)


@pytest.mark.parametrize(
    "presented",
    ["", "ahk_", "ahk_short_x", "ahk_ABCDEFGHIJKL_secret", "xyz_abcdefghijkl_secret", "a" * 500],
)
def test_malformed_keys_are_not_looked_up(db: Any, presented: str) -> None:
    assert key_prefix_of(presented) is None
    assert api_key_find(presented) is None


def test_a_right_prefix_with_a_wrong_secret_is_not_found(tenant_a: Any, db: Any) -> None:
    _, raw = make_key(tenant_a)
    assert api_key_find(raw[:17] + "x" * 43) is None


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"scopes": []}, "scopes"),
        ({"scopes": ["briefs:read", "everything"]}, "scopes"),
        ({"scopes": "briefs:read"}, "scopes"),
        ({"expires_at": timezone.now() - dt.timedelta(minutes=1)}, "expires_at"),
        ({"expires_at": dt.datetime(2030, 1, 1)}, "expires_at"),
    ],
)
def test_invalid_input_is_refused_by_field(
    tenant_a: Any, db: Any, kwargs: dict[str, Any], field: str
) -> None:
    params: dict[str, Any] = {"name": "Integration", "scopes": ["briefs:read"]}
    params.update(kwargs)
    before = ApiKey.objects.count()
    with pytest.raises(ValidationError) as error:
        api_key_create(client=tenant_a, created_by=None, **params)
    assert field in error.value.message_dict
    assert ApiKey.objects.count() == before


def test_agency_keys_need_an_active_engagement_and_agency_scopes(tenant_a: Any, db: Any) -> None:
    agency = AgencyFactory()
    with pytest.raises(ValidationError) as error:
        api_key_create(
            client=tenant_a, agency=agency, name="ATS", scopes=["briefs:read"], created_by=None
        )
    assert "agency" in error.value.message_dict
    engagement = EngagementFactory(client=tenant_a, agency=agency)
    with pytest.raises(ValidationError) as error:
        api_key_create(
            client=tenant_a,
            agency=agency,
            name="ATS",
            scopes=["briefs:read", "candidates:read", "scorecards:write"],
            created_by=None,
        )
    assert "candidates:read" in error.value.message_dict["scopes"][0]
    api_key, _ = api_key_create(
        client=tenant_a, agency=agency, name="ATS", scopes=list(AGENCY_SCOPES), created_by=None
    )
    assert api_key.agency == agency
    engagement.status = EngagementStatus.ENDED
    engagement.save(update_fields=["status"])
    with pytest.raises(ValidationError):
        api_key_create(
            client=tenant_a, agency=agency, name="ATS 2", scopes=["briefs:read"], created_by=None
        )


def test_revoking_is_immediate_idempotent_and_audited(tenant_a: Any, db: Any) -> None:
    api_key, raw = make_key(tenant_a)
    assert api(tenant_a, raw).get("/api/v1/events/").status_code == 200
    admin = UserFactory()
    api_key_revoke(api_key=api_key, revoked_by=admin)
    revoked_at = api_key.revoked_at
    assert revoked_at is not None
    api_key_revoke(api_key=api_key, revoked_by=admin)
    api_key.refresh_from_db()
    assert api_key.revoked_at == revoked_at
    assert api(tenant_a, raw).get("/api/v1/events/").json()["code"] == "key_revoked"
    with schema_context(tenant_a.schema_name):
        assert AuditEntry.objects.filter(action="api_key.revoked").count() == 1


# --- command ----------------------------------------------------------------------------------


def test_command_prints_the_key_alone_on_the_last_line(tenant_a: Any, db: Any) -> None:
    agency = AgencyFactory(slug="talent-co")
    EngagementFactory(client=tenant_a, agency=agency)
    out = io.StringIO()
    call_command(
        "create_api_key",
        "--client",
        "alpha",
        "--agency",
        "talent-co",
        "--scopes",
        "briefs:read, submissions:write",
        "--name",
        "Talent Co ATS",
        "--expires-at",
        "2099-01-31T00:00:00Z",
        stdout=out,
    )
    lines = out.getvalue().strip().splitlines()
    raw = lines[-1]
    assert KEY_FORMAT.match(raw)
    api_key = api_key_find(raw)
    assert api_key is not None and api_key.agency == agency
    assert api_key.scopes == ["briefs:read", "submissions:write"]
    assert api_key.expires_at == dt.datetime(2099, 1, 31, tzinfo=dt.UTC)
    assert raw not in "\n".join(lines[:-1])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--client", "nope", "--scopes", "briefs:read", "--name", "x"], "No client"),
        (["--client", "alpha", "--scopes", "briefs:read", "--name", " "], "--name"),
        (["--client", "alpha", "--scopes", "briefs:rule", "--name", "x"], "Unknown scope"),
        (["--client", "alpha", "--scopes", ",", "--name", "x"], "at least one scope"),
        (
            ["--client", "alpha", "--agency", "ghost", "--scopes", "briefs:read", "--name", "x"],
            "No agency",
        ),
        (
            ["--client", "alpha", "--agency", "lonely", "--scopes", "briefs:read", "--name", "x"],
            "no active engagement",
        ),
        (
            [
                "--client",
                "alpha",
                "--scopes",
                "briefs:read",
                "--name",
                "x",
                "--expires-at",
                "tomorrow",
            ],
            "--expires-at",
        ),
    ],
)
def test_command_refuses_bad_input_with_one_line_and_writes_nothing(
    tenant_a: Any, db: Any, args: list[str], message: str
) -> None:
    AgencyFactory(slug="lonely")
    before = ApiKey.objects.count()
    with pytest.raises(CommandError) as error:
        call_command("create_api_key", *args, stdout=io.StringIO())
    assert message in str(error.value)
    assert "\n" not in str(error.value)
    assert ApiKey.objects.count() == before


def test_command_in_a_real_process_gives_a_working_key(committed_db: Any, tenant_a: Any) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": subprocess_database_url(),
    }
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "create_api_key",
            "--client",
            "alpha",
            "--scopes",
            "events:read",
            "--name",
            "Ops check",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    raw = result.stdout.rstrip("\n").splitlines()[-1]
    assert KEY_FORMAT.match(raw)
    response = api(tenant_a, raw).get("/api/v1/events/")
    assert response.status_code == 200, response.content
    connection.set_schema_to_public()
    failed = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "create_api_key",
            "--client",
            "alpha",
            "--scopes",
            "nope",
            "--name",
            "x",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert failed.returncode != 0
    assert [line for line in failed.stderr.splitlines() if line.strip()] == [
        f"CommandError: --scopes: Unknown scope: nope. Scopes are: "
        f"{', '.join(s for s in __import__('tenants.models').models.ApiScope.values)}."
    ]
    assert ApiKey.objects.count() == 1


# --- pages ------------------------------------------------------------------------------------


def test_client_admin_creates_sees_once_and_revokes_a_key(
    tenant_a: Any, db: Any, as_role: Any
) -> None:
    admin = as_role(tenant_a, ClientRole.ADMIN)
    page = admin.http.get("/settings/api-keys/new/")
    assert page.status_code == 200
    html = page.content.decode()
    for scope in ("briefs:write", "candidates:read", "scorecards:write", "webhooks:manage"):
        assert f'value="{scope}"' in html
    created = admin.http.post(
        "/settings/api-keys/new/",
        {
            "name": "Interview platform",
            "scopes": ["scorecards:read", "scorecards:write"],
            "expires_on": "2099-12-31",
        },
    )
    # Post-redirect-get: the key is never in the answer to the POST nor in the address.
    assert created.status_code == 302
    assert "ahk_" not in created.content.decode() and "ahk_" not in created["Location"]
    shown = admin.http.get(created["Location"])
    assert shown.status_code == 200
    assert shown["Cache-Control"] == "no-store"
    raw = re.search(r"ahk_[a-z0-9]{12}_[A-Za-z0-9_-]+", shown.content.decode()).group(0)
    api_key = api_key_find(raw)
    assert api_key is not None and api_key.agency is None
    assert f"/settings/api-keys/{api_key.public_id}/created/" == created["Location"]
    # Reloading the page shows the key no more and creates no second key.
    again = admin.http.get(created["Location"])
    assert again.status_code == 200
    assert raw not in again.content.decode()
    assert "was shown once already" in again.content.decode()
    assert ApiKey.objects.filter(client=tenant_a).count() == 1
    assert api_key.created_by_user_id == admin.user.pk
    assert api_key.expires_at is not None and api_key.expires_at.year == 2100
    listing = admin.http.get("/settings/api-keys/").content.decode()
    assert api_key.prefix in listing and raw not in listing
    assert "Interview platform" in listing and "Never" in listing
    assert admin.http.get("/settings/api-keys/").status_code == 200
    # Revoking asks first, with what it means; the GET changes nothing.
    asked = admin.http.get(f"/settings/api-keys/{api_key.public_id}/revoke/")
    assert asked.status_code == 200
    assert "Every request made with this key is refused" in asked.content.decode()
    api_key.refresh_from_db()
    assert api_key.revoked_at is None
    revoked = admin.http.post(f"/settings/api-keys/{api_key.public_id}/revoke/")
    assert revoked.status_code == 302
    api_key.refresh_from_db()
    assert api_key.revoked_at is not None
    assert "Revoked" in admin.http.get("/settings/api-keys/").content.decode()


def test_client_admin_form_errors_are_shown(tenant_a: Any, db: Any, as_role: Any) -> None:
    admin = as_role(tenant_a, ClientRole.ADMIN)
    response = admin.http.post(
        "/settings/api-keys/new/", {"name": "", "scopes": [], "expires_on": "2001-01-01"}
    )
    assert response.status_code == 400
    assert ApiKey.objects.count() == 0
    assert "No key was created" in response.content.decode()


def test_agency_admin_manages_only_agency_keys_of_their_agency(
    tenant_a: Any, db: Any, as_role: Any
) -> None:
    agency_admin = as_role(tenant_a, AgencyRole.AGENCY_ADMIN)
    other_agency = AgencyFactory()
    EngagementFactory(client=tenant_a, agency=other_agency)
    client_key, _ = make_key(tenant_a, name="Client HR")
    other_key, _ = make_key(tenant_a, agency=other_agency, name="Their ATS")
    page = agency_admin.http.get("/settings/api-keys/new/").content.decode()
    assert 'value="submissions:write"' in page and 'value="candidates:read"' not in page
    refused = agency_admin.http.post(
        "/settings/api-keys/new/", {"name": "Sneaky", "scopes": ["candidates:read"]}
    )
    assert refused.status_code == 400
    created = agency_admin.http.post(
        "/settings/api-keys/new/",
        {"name": "Our ATS", "scopes": ["briefs:read", "submissions:write"]},
    )
    assert created.status_code == 302
    mine = ApiKey.objects.get(name="Our ATS")
    assert mine.agency == agency_admin.agency and mine.client == tenant_a
    listing = agency_admin.http.get("/settings/api-keys/").content.decode()
    assert "Our ATS" in listing and "Client HR" not in listing and "Their ATS" not in listing
    for key in (client_key, other_key):
        assert (
            agency_admin.http.post(f"/settings/api-keys/{key.public_id}/revoke/").status_code == 404
        )
        key.refresh_from_db()
        assert key.revoked_at is None
    assert agency_admin.http.post(f"/settings/api-keys/{mine.public_id}/revoke/").status_code == 302


@pytest.mark.parametrize(
    "role",
    [ClientRole.HIRING_MANAGER, ClientRole.INTERVIEWER, ClientRole.EXECUTIVE, AgencyRole.RECRUITER],
)
def test_other_roles_get_404_on_key_pages(tenant_a: Any, db: Any, as_role: Any, role: str) -> None:
    person = as_role(tenant_a, role)
    api_key, _ = make_key(tenant_a)
    assert person.http.get("/settings/api-keys/").status_code == 404
    assert person.http.get("/settings/api-keys/new/").status_code == 404
    assert person.http.post(f"/settings/api-keys/{api_key.public_id}/revoke/").status_code == 404


def test_client_admin_of_another_client_cannot_touch_keys(
    tenant_a: Any, tenant_b: Any, db: Any, as_role: Any
) -> None:
    admin_b = as_role(tenant_b, ClientRole.ADMIN)
    api_key, _ = make_key(tenant_a)
    response = admin_b.http.post(
        f"/settings/api-keys/{api_key.public_id}/revoke/", HTTP_HOST=host_of(tenant_b)
    )
    assert response.status_code == 404
    api_key.refresh_from_db()
    assert api_key.revoked_at is None
