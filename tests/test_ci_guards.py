"""CI cannot pass with the browser tests skipped: where Chromium (or Playwright) is missing,
tests/test_browser.py skips on a developer's machine but fails the run when CI=true (.ci/run
exports it)."""

import os
import subprocess
import sys

from django.conf import settings


def collect_browser_tests(**env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k != "CI"}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "--collect-only",
            "-q",
            "-rs",
            "tests/test_browser.py",
        ],
        cwd=settings.BASE_DIR,
        env={**base, "BROWSER_TESTS_CHROMIUM": "/nonexistent/chromium", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_chromium_the_browser_tests_are_skipped_outside_ci():
    done = collect_browser_tests()
    assert done.returncode in (0, 5), done.stdout + done.stderr
    assert "Chromium not found at /nonexistent/chromium" in done.stdout
    assert "SKIPPED" in done.stdout


def test_without_chromium_ci_fails():
    done = collect_browser_tests(CI="true")
    assert done.returncode not in (0, 5), done.stdout + done.stderr
    assert "CI must run the browser tests, but Chromium not found" in done.stdout


def test_the_ci_script_declares_itself_ci():
    script = (settings.BASE_DIR / ".ci" / "run").read_text()
    assert "\nexport CI=true\n" in script
