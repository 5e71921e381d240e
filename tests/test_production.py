"""Production settings hold: `check --deploy` is clean, secrets come from the environment only
and their absence stops the process at once, and the project's deploy checks catch what the
production shape depends on (a writable MEDIA_ROOT, metrics configured).

Each case runs in its own process: settings are read once per process.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
REQUIRED = ("DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL", "BASE_DOMAIN", "MEDIA_ROOT")


@pytest.fixture
def production_env(tmp_path: Path) -> dict[str, str]:
    """The environment a production container gets, and nothing of this machine's."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": "postgres://aihiring:pw@db.internal:5432/aihiring",
        "REDIS_URL": "redis://redis.internal:6379/0",
        "BASE_DOMAIN": "hire.example.com",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "METRICS_TOKEN": secrets.token_urlsafe(32),
    }


def run(code_or_args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *code_or_args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean(production_env):
    done = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues (0 silenced)." in done.stdout


SETTINGS_PROBE = [
    "-c",
    "from django.conf import settings; "
    "print(settings.SECRET_KEY[:4], settings.MEDIA_ROOT, settings.SECURE_HSTS_PRELOAD, "
    "settings.SESSION_COOKIE_SECURE, settings.ALLOWED_HOSTS)",
]


def test_the_production_values_are_the_ones_given(production_env):
    done = run(SETTINGS_PROBE, production_env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[:5] == [
        production_env["DJANGO_SECRET_KEY"][:4],
        production_env["MEDIA_ROOT"],
        "True",
        "True",
        "['hire.example.com',",
    ]


@pytest.mark.parametrize("name", REQUIRED)
def test_a_missing_required_variable_stops_the_process_and_names_it(production_env, name):
    """Also when a .env or .data/services.env in the working directory holds the value (as a
    developer's checkout and CI's do): production reads the environment only."""
    del production_env[name]
    done = run(SETTINGS_PROBE, production_env)
    assert done.returncode != 0
    assert f"Set the {name} environment variable" in done.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DJANGO_SECRET_KEY", "short-and-guessable", "at least 50 characters"),
        ("DJANGO_SECRET_KEY", "a" * 60, "at least 50 characters"),
        ("METRICS_TOKEN", "tiny", "METRICS_TOKEN must be at least 32 characters"),
    ],
)
def test_weak_secrets_are_refused(production_env, name, value, message):
    production_env[name] = value
    done = run(SETTINGS_PROBE, production_env)
    assert done.returncode != 0
    assert message in done.stderr


def test_deploy_check_refuses_a_media_root_the_process_cannot_write(production_env):
    production_env["MEDIA_ROOT"] = "/proc/aihiring-media"
    done = run(["manage.py", "check", "--deploy"], production_env)
    assert done.returncode != 0
    assert "observability.E001" in done.stderr
    assert "/proc/aihiring-media" in done.stderr


def test_deploy_check_warns_when_metrics_are_off(production_env):
    del production_env["METRICS_TOKEN"]
    done = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env)
    assert done.returncode != 0
    assert "observability.W001" in done.stdout + done.stderr


ROTATION_PROBE = [
    "-c",
    "import sys; from django.core import signing; "
    "print(signing.loads(sys.argv[1], salt='rotation'))",
]


def test_a_rotated_secret_key_keeps_verifying_through_the_fallback(production_env):
    """What the old key signed (sessions, reset links, cursors) still verifies after a
    rotation while the old key is listed in DJANGO_SECRET_KEY_FALLBACKS, and not after."""
    old_key = production_env["DJANGO_SECRET_KEY"]
    signed = run(
        ["-c", "from django.core import signing; print(signing.dumps('kept', salt='rotation'))"],
        production_env,
    ).stdout.strip()
    rotated = {**production_env, "DJANGO_SECRET_KEY": secrets.token_urlsafe(50)}
    with_fallback = run(
        [*ROTATION_PROBE, signed], {**rotated, "DJANGO_SECRET_KEY_FALLBACKS": old_key}
    )
    assert with_fallback.returncode == 0, with_fallback.stderr
    assert with_fallback.stdout.strip() == "kept"
    without = run([*ROTATION_PROBE, signed], rotated)
    assert without.returncode != 0 and "BadSignature" in without.stderr
    short = run(SETTINGS_PROBE, {**rotated, "DJANGO_SECRET_KEY_FALLBACKS": "short"})
    assert short.returncode != 0 and "DJANGO_SECRET_KEY_FALLBACKS" in short.stderr


MAIL_PROBE = [
    "-c",
    "import django; django.setup(); "
    "from django.core import mail; "
    "sent = mail.send_mail('Subject', 'Body', None, ['someone@example.com']); "
    "print(sent, type(mail.mailers.default).__module__)",
]


@pytest.mark.parametrize(
    "backend",
    [
        "django.core.mail.backends.locmem.EmailBackend",
        "django.core.mail.backends.console.EmailBackend",
    ],
)
def test_another_mail_backend_sends_with_production_settings(production_env, backend):
    """The load drill found it: with EMAIL_BACKEND set to another backend, the SMTP options
    were still handed over, Django 6.1 refused them, and every e-mail failed."""
    done = run(MAIL_PROBE, {**production_env, "EMAIL_BACKEND": backend})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[-2].split() == ["1", backend.rsplit(".", 1)[0]]


def test_smtp_stays_the_default_with_its_options(production_env):
    probe = [
        "-c",
        "from django.conf import settings; m = settings.MAILERS['default']; "
        "print(m['BACKEND'], m['OPTIONS']['host'], m['OPTIONS']['port'])",
    ]
    done = run(probe, {**production_env, "EMAIL_HOST": "smtp.internal", "EMAIL_PORT": "2525"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.internal",
        "2525",
    ]
