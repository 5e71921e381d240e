"""Real-browser journeys where the browser matters: htmx live updates, SVG charts, forms.

Playwright drives the system's Chromium (headless) against a real gunicorn process serving the
test database; data is committed from this process (`committed_db`) so the server sees it.
Skipped when Playwright or Chromium is missing, except in CI (CI=true), where that fails the run:
CI installs both and must not pass without these tests.

Not pytest-django's `live_server`: its flush after each test would wipe django-tenants' public
tables. The server is started once per module instead (see `server`).
"""

import csv
import io
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import pytest
from django.conf import settings
from django.db import connection, connections, transaction
from django_tenants.utils import schema_context

import hiring.tasks  # noqa: F401  (registers the import task with the test worker)
from audit.actors import Actor
from hiring.models import BriefStatus, ImportJob, ImportStatus, RoleBrief, Stage, Submission
from hiring.readiness import brief_readiness_gaps
from hiring.services.briefs import brief_create, brief_open
from hiring.services.submissions import submission_create
from notifications.models import Notification
from scoring.models import Scorecard, ScorecardStatus, ShortlistEntry
from scoring.services.scorecards import assignment_create, scorecard_save
from scoring.services.shortlists import shortlist_compute
from scoring.templatetags.scoring_format import two_decimals
from tests.conftest import host_of, subprocess_database_url
from tests.factories import (
    SAFETY_CHECKLIST,
    TEST_PASSWORD,
    ImportJobFactory,
    ready_brief_data,
)

CHROMIUM = os.environ.get("BROWSER_TESTS_CHROMIUM", "/usr/bin/chromium")


def _unavailable(reason: str) -> NoReturn:
    """Skip these tests where the browser cannot run, but never in CI: a green CI run must
    have run them (.ci/run sets CI=true)."""
    if os.environ.get("CI", "").strip().lower() in ("1", "true", "yes"):
        pytest.fail(f"CI must run the browser tests, but {reason}", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


if not Path(CHROMIUM).exists():
    _unavailable(f"Chromium not found at {CHROMIUM} (set BROWSER_TESTS_CHROMIUM to another path)")
try:
    from playwright import sync_api
except ImportError:
    _unavailable("Playwright is not installed (pip install -e '.[dev]')")
expect = sync_api.expect


CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(os.environ.get("BROWSER_TESTS_SCREENSHOTS", "/tmp"))
SERVER_START_SECONDS = 30
PROOF = {
    "proof_shipped_solution": "Shipped a demand forecasting service used by 300 planners.",
    "proof_baseline": "Baseline MAPE was 31% with the spreadsheet method.",
    "proof_improvement": "Brought MAPE to 14% after adding promotions and holidays.",
    "proof_monitoring": "Weekly drift report on feature distributions and error by region.",
    "proof_quality_dip": "A supplier feed broke in week 3; rolled back and added schema checks.",
}

expect.set_options(timeout=10_000)

CSP_VIOLATION_LISTENER = """
document.addEventListener('securitypolicyviolation', (event) => {
  window.__reportCspViolation(
    `CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || 'inline'} ` +
    `in ${event.sourceFile || event.documentURI}:${event.lineNumber} ` +
    `(${(event.sample || '').slice(0, 80)})`);
});
"""


# --- the server and the browser ------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _log_tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


@dataclass(frozen=True)
class Server:
    port: int
    log: Path


@pytest.fixture(scope="module")
def server_port() -> int:
    return _free_port()


@pytest.fixture(scope="module")
def server_extra_env() -> dict[str, str]:
    """More environment for the server process; a module may override it (the people and
    sign-in journeys add a mail folder and their OpenID provider)."""
    return {}


@pytest.fixture(scope="module")
def server(
    django_db_setup: Any,
    tmp_path_factory: pytest.TempPathFactory,
    server_port: int,
    server_extra_env: dict[str, str],
) -> Iterator[Server]:
    """gunicorn serving the test database and the test Redis databases.

    Static files: WhiteNoise with WHITENOISE_USE_FINDERS (config/settings/base.py) serves
    templates/static straight from the source folder, DEBUG off, no collectstatic.
    """
    name = str(connection.settings_dict["NAME"])
    assert name.startswith("test"), f"refusing to serve non-test database {name!r}"
    port = server_port
    log_path = tmp_path_factory.mktemp("browser-server") / "gunicorn.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": subprocess_database_url(),
        "DATABASE_CONN_MAX_AGE": "0",  # no idle connection may hold up the tables' TRUNCATE
        "REDIS_URL": settings.REDIS_URL,
        "TEST_REDIS_DB": str(settings.TEST_REDIS_DB),
        "DJANGO_DEBUG": "false",
        "PYTHONUNBUFFERED": "1",
        **server_extra_env,
    }
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--threads",
                "4",
                "--timeout",
                "60",
                "--access-logfile",
                "-",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while True:
            if process.poll() is not None:
                pytest.fail(f"gunicorn exited with {process.returncode}:\n{_log_tail(log_path)}")
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/healthz?scope=web", timeout=2
                ) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not answer /healthz:\n{_log_tail(log_path)}")
            time.sleep(0.1)
        yield Server(port=port, log=log_path)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    playwright = sync_api.sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            # Workspace hosts reach the local server whatever BASE_DOMAIN is (Chromium resolves
            # *.localhost by itself, other names would go to DNS).
            args=[
                *CHROMIUM_ARGS,
                f"--host-resolver-rules=MAP *.{settings.BASE_DOMAIN} 127.0.0.1",
            ],
        )
        yield chromium
        chromium.close()
    finally:
        playwright.stop()


@pytest.fixture(scope="module", autouse=True)
def _orm_beside_playwright() -> Iterator[None]:
    """Playwright's sync API keeps an asyncio loop in this thread, which Django's async guard
    takes for async code; the ORM calls here (and the test worker's start) are ordinary
    blocking calls."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(autouse=True)
def _close_connections_after_test() -> Iterator[None]:
    """Beside Playwright's loop, asgiref gives this thread another set of Django connections
    than the session's, and the session closes only its own before dropping the test database
    (`--create-db`): close these after each test (after `committed_db` has emptied tables)."""
    yield
    connections.close_all()


@dataclass
class Tab:
    """A browser tab on the workspace host, with what went wrong on its pages."""

    page: Any
    base: str
    server_log: Path
    problems: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def sign_in_to(self, path: str, user: Any) -> None:
        """Open `path`, get sent to the sign-in page, sign in and land back on `path`."""
        page = self.page
        page.goto(self.url(path))
        expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(TEST_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page).to_have_url(self.url(path))
        # The URL changes when the new document commits; its stylesheet and deferred scripts
        # (htmx) are there only once it has loaded.
        page.wait_for_load_state("load")
        expect(page.locator("header .who")).to_contain_text(user.display_name)
        assert page.evaluate(
            """() => [...document.styleSheets].some(
                 s => s.href && s.href.endsWith('/static/css/app.css') && s.cssRules.length > 0)"""
        ), "the stylesheet did not load"

    def wait_for_htmx(self) -> None:
        try:
            self.page.wait_for_function("() => typeof window.htmx === 'object'", timeout=5_000)
        except sync_api.TimeoutError:
            raise AssertionError("htmx did not load on this page") from None

    def mark_document(self) -> None:
        """A flag that a full page load would wipe."""
        self.page.evaluate("() => { window.__sameDocument = true; }")

    def same_document(self) -> bool:
        return bool(self.page.evaluate("() => window.__sameDocument === true"))

    def screenshot(self, name: str) -> Path:
        self.page.evaluate("() => window.scrollTo(0, 0)")  # sticky panels where they start
        path = SCREENSHOTS / name
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def assert_no_problems(self) -> None:
        assert not self.problems, "\n".join(
            [*self.problems, "--- server log:", _log_tail(self.server_log)]
        )


@pytest.fixture
def tab(browser: Any, server: Server, tenant_a: Any) -> Iterator[Tab]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    found = Tab(page=page, base=f"http://{host_of(tenant_a)}:{server.port}", server_log=server.log)

    def on_console(message: Any) -> None:
        if message.type == "error" and not message.location.get("url", "").endswith("favicon.ico"):
            found.problems.append(f"console error: {message.text}")

    def on_response(response: Any) -> None:
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            found.problems.append(
                f"HTTP {response.status} {response.request.method} {response.url}"
            )

    page.on("console", on_console)
    page.on("pageerror", lambda error: found.problems.append(f"page error: {error}"))
    page.on("response", on_response)
    # Every page of every test runs under the Content-Security-Policy: a violation (Chromium
    # also logs most as console errors) is a problem of the test that caused it.
    context.expose_binding(
        "__reportCspViolation", lambda _source, text: found.problems.append(text)
    )
    context.add_init_script(CSP_VIOLATION_LISTENER)
    try:
        yield found
    finally:
        context.close()


# --- data, through the services ------------------------------------------------------------------


def _open_brief(tenant: Any, manager: Any, **overrides: Any) -> RoleBrief:
    with schema_context(tenant.schema_name):
        actor = Actor.for_user(manager.user)
        brief = brief_create(actor=actor, data=ready_brief_data(**overrides))
        return brief_open(actor=actor, brief=brief)


def _submit(tenant: Any, brief: RoleBrief, recruiter: Any, name: str) -> Submission:
    slug = name.lower().replace(" ", ".")
    with schema_context(tenant.schema_name):
        return submission_create(
            actor=Actor.for_user(recruiter.user, agency_id=recruiter.agency.pk),
            brief=brief,
            agency=recruiter.agency,
            candidate_data={"full_name": name, "email": f"{slug}@mail.example.test"},
            proof=PROOF,
            right_to_represent=True,
        )


def _assign(tenant: Any, manager: Any, submission: Submission, interviewer: Any) -> None:
    with schema_context(tenant.schema_name):
        assignment_create(
            actor=Actor.for_user(manager.user), submission=submission, interviewer=interviewer.user
        )


def _score(
    tenant: Any, submission: Submission, interviewer: Any, scores: str, evidence: str = ""
) -> None:
    """`scores` as five digits for A-E, e.g. "44544"."""
    data: dict[str, Any] = {"recommendation": "yes", "summary": "Solid production story."}
    for code, score in zip("abcde", scores, strict=True):
        data[f"score_{code}"] = int(score)
        data[f"evidence_{code}"] = evidence or f"Walked through a concrete case for {code}."
    with schema_context(tenant.schema_name):
        scorecard_save(
            actor=Actor.for_user(interviewer.user), submission=submission, data=data, submit=True
        )


# --- 1. writing a brief --------------------------------------------------------------------------


def test_brief_readiness_and_track_advice_update_live_and_the_draft_needs_an_override(
    committed_db, tenant_a, as_role, tab
):
    manager = as_role(tenant_a, "hiring_manager")
    page = tab.page
    tab.sign_in_to("/briefs/new/", manager.user)
    tab.wait_for_htmx()
    panel = page.locator("#readiness-panel")
    business_goal_area = panel.locator(".area", has_text="1. Business goal")
    genai_area = panel.locator(".area", has_text="GenAI evaluation plan")
    expect(panel).to_contain_text("Tick what the person will mainly work on")
    expect(panel.get_by_role("status")).to_have_count(0)
    expect(genai_area).to_contain_text("not needed")

    documents: list[str] = []  # full page loads
    readiness_posts: list[Any] = []

    def on_request(request: Any) -> None:
        if request.resource_type == "document":
            documents.append(request.url)
        elif request.url.endswith("/briefs/readiness/"):
            readiness_posts.append(request)

    page.on("request", on_request)
    tab.mark_document()

    page.get_by_label("Title").fill("Support assistant for our help desk")
    page.locator("input[name=track][value=python_developer]").check()
    page.locator("input[name=needs][value=genai]").check()
    # The chosen track and the ticked work disagree: the panel says so, and asks for an
    # evaluation plan now that the role involves generative AI.
    expect(panel.get_by_role("status")).to_have_text(
        "The work you describe needs a Python AI developer: a Python developer is unlikely to "
        "own model behaviour in production, which is where such projects miss their timelines."
    )
    expect(panel).to_contain_text("Recommended for the work you ticked: Python AI developer")
    expect(genai_area).to_contain_text("5 missing")

    page.get_by_label("Business goal", exact=True).fill("Make customer support smarter with AI.")
    page.get_by_label("Measurable target", exact=True).fill("Make support smarter")
    expect(business_goal_area).to_contain_text("The target is not measurable yet: ")
    expect(business_goal_area).to_contain_text("give an amount: a number with a unit")
    expect(business_goal_area).not_to_contain_text("Say which workflow or decision")

    page.get_by_label("Measurable target", exact=True).fill(
        "Cut ticket handling time by 20% within two quarters"
    )
    expect(business_goal_area).not_to_contain_text("measurable")
    expect(business_goal_area.locator(".badge")).to_have_text("complete")
    expect(panel.get_by_role("status")).to_be_visible()  # the track advice stays

    assert documents == [], f"the page reloaded: {documents}"
    assert tab.same_document(), "the page was reloaded instead of updated in place"
    assert readiness_posts, "no htmx request reached /briefs/readiness/"
    assert all(
        r.method == "POST" and r.headers.get("hx-request") == "true" for r in readiness_posts
    )
    tab.screenshot("browser-brief-form.png")

    # A GenAI brief opens only with its safety checklist, which no override replaces
    # (tests/test_browser_brief_safety.py): this draft goes on as ML work, which may be.
    page.locator("input[name=needs][value=genai]").uncheck()
    page.locator("input[name=needs][value=ml_features]").check()
    expect(genai_area).to_contain_text("not needed")

    page.get_by_role("button", name="Save draft").click()
    expect(page).to_have_url(re.compile(r"/briefs/[0-9a-f-]{36}/$"))
    with schema_context(tenant_a.schema_name):
        brief = RoleBrief.objects.get(title="Support assistant for our help desk")
    gaps = brief_readiness_gaps(brief.__dict__)
    assert brief.status == BriefStatus.DRAFT and gaps
    assert "kpi_target" not in {gap.field for gap in gaps}

    expect(page.locator(".messages")).to_contain_text("Brief saved as a draft.")
    expect(page.locator(".page-head .status")).to_have_text("Draft")
    expect(page.locator(".page-head .badge-warn")).to_have_text(f"{len(gaps)} items missing")
    side = page.locator(".side-col")
    for gap in gaps:
        expect(side.locator(".readiness-panel")).to_contain_text(
            gap.message.removeprefix("GenAI evaluation plan: ")
        )
    open_card = page.locator("#open")
    expect(open_card).to_contain_text("This brief is not ready.")
    expect(open_card).to_contain_text("Missing: data sources confirmed, data use approved")
    expect(open_card.get_by_label("Reason to open it anyway")).to_be_visible()

    # Opening without a reason is refused; with one, the override is recorded and shown.
    open_card.get_by_role("button", name="Open anyway").click()
    expect(page.locator("#open [role=alert]")).to_contain_text(
        "This brief is not ready: agencies would be hiring into ambiguity."
    )
    expect(page.locator(".page-head .status")).to_have_text("Draft")
    with schema_context(tenant_a.schema_name):
        brief.refresh_from_db()
    assert brief.status == BriefStatus.DRAFT

    reason = "The data approval is signed next week; we accept the risk."
    page.locator("#open").get_by_label("Reason to open it anyway").fill(reason)
    page.locator("#open").get_by_role("button", name="Open anyway").click()
    expect(page.locator(".messages")).to_contain_text("The brief is open")
    expect(page.locator(".page-head .status")).to_have_text("Open")
    override_notice = side.locator(".notice", has_text="Opened without being ready")
    expect(override_notice).to_contain_text(reason)
    with schema_context(tenant_a.schema_name):
        brief.refresh_from_db()
    assert brief.status == BriefStatus.OPEN and brief.readiness_override_reason == reason
    tab.assert_no_problems()


def test_the_override_form_of_an_unready_brief_can_be_reached_with_the_mouse(
    committed_db, tenant_a, as_role, tab
):
    manager = as_role(tenant_a, "hiring_manager")
    blank = dict.fromkeys(["data_sources_exist", "data_use_approved"], False) | dict.fromkeys(
        [
            "privacy_rules",
            "success_impact",
            "success_ai_quality",
            "success_adoption",
            "success_cost_limits",
            "post_launch_owner",
        ],
        "",
    )
    with schema_context(tenant_a.schema_name):
        brief = brief_create(
            actor=Actor.for_user(manager.user),
            data=ready_brief_data(
                track="python_developer", needs=["genai"], **blank, **SAFETY_CHECKLIST
            ),
        )
    tab.sign_in_to(f"/briefs/{brief.public_id}/", manager.user)
    open_button = tab.page.locator("#open").get_by_role("button", name="Open anyway")
    expect(open_button).to_be_visible()
    # Only the actionability checks, which include "nothing else receives the click there".
    open_button.click(trial=True, timeout=2_000)


# --- 2. the executive's shortlist ----------------------------------------------------------------


def test_executive_reads_the_charts_and_ranking_and_advances_the_top_candidate(
    committed_db, tenant_a, as_role, tab
):
    manager = as_role(tenant_a, "hiring_manager")
    recruiter = as_role(tenant_a, "recruiter")
    panel = [as_role(tenant_a, "interviewer"), as_role(tenant_a, "interviewer")]
    executive = as_role(tenant_a, "executive")
    # Security and risk thinking must be at least 3 for this role.
    brief = _open_brief(tenant_a, manager, scorecard_floors={"D": 3})
    scores = {
        "Priya Balanced": ("44444", "44544"),
        "Marco Steady": ("33333", "33333"),
        # Strongest average, but below the security floor: ranked after the others.
        "Lena Brilliant": ("55515", "55525"),
    }
    submissions = {}
    for name, by_interviewer in scores.items():
        submission = _submit(tenant_a, brief, recruiter, name)
        submissions[name] = submission
        for interviewer, digits in zip(panel, by_interviewer, strict=True):
            _assign(tenant_a, manager, submission, interviewer)
            _score(tenant_a, submission, interviewer, digits)
    with schema_context(tenant_a.schema_name):
        shortlist = shortlist_compute(brief=brief)
        assert shortlist is not None
        entries = list(
            ShortlistEntry.objects.filter(shortlist=shortlist)
            .select_related("submission__candidate")
            .order_by("rank")
        )
    ranked = [entry.submission.candidate.full_name for entry in entries]
    assert ranked == ["Priya Balanced", "Marco Steady", "Lena Brilliant"]

    page = tab.page
    tab.sign_in_to(f"/briefs/{brief.public_id}/shortlist/", executive.user)
    expect(page.get_by_role("heading", name="Shortlist", exact=True)).to_be_visible()

    # Charts: the top-candidates chart and one category profile per candidate, all drawn
    # (the phone layout of the top chart is hidden at this width; nobody quoted a rate, so
    # there is no value-for-money chart).
    charts = page.locator("svg.sc-chart:visible")
    expect(charts).to_have_count(1 + len(entries))
    for index in range(charts.count()):
        chart = charts.nth(index)
        expect(chart).to_be_visible()
        box = chart.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 50, box
    top_chart = page.locator(".sc-chart-box.chart-wide svg.sc-chart")
    bars = top_chart.locator("g.sc-bar")
    expect(bars).to_have_count(3)
    expect(bars.locator("text:first-of-type")).to_have_text(
        ["#1 Priya Balanced", "#2 Marco Steady", "#3 Lena Brilliant"]
    )
    expect(bars.nth(2)).to_contain_text("below floor")
    widths = [bars.nth(i).locator("rect").bounding_box()["width"] for i in range(3)]
    assert all(width > 1 for width in widths) and widths[0] > widths[1], widths
    _assert_chart_text_inside(page)

    # The ranking, in order, each with its plain-language reason.
    cards = page.locator("ol.sc-entries > li")
    expect(cards.locator("h2")).to_have_text(ranked)
    expect(cards.locator(".sc-rank")).to_have_text(["#1", "#2", "#3"])
    # Reasons show their figures with 2 decimals, like the charts beside them.
    expect(cards.locator(".sc-reason")).to_have_text(
        [two_decimals(entry.reason) for entry in entries]
    )
    lena = page.locator(f"#entry-{submissions['Lena Brilliant'].public_id}")
    expect(lena).to_have_class(re.compile(r"\bsc-entry-below\b"))
    expect(lena.locator(".sc-flag", has_text="Below floor")).to_have_text(
        "Below floor: D Security and risk thinking"
    )
    expect(lena.locator(".sc-reason")).to_contain_text("is below the floor of 3")
    for name in ("Priya Balanced", "Marco Steady"):
        top = page.locator(f"#entry-{submissions[name].public_id}")
        expect(top).not_to_have_class(re.compile(r"\bsc-entry-below\b"))

    # The executive advances the top candidate.
    priya_submission = submissions["Priya Balanced"]
    priya = page.locator(f"#entry-{priya_submission.public_id}")
    expect(priya.locator(".stage")).to_have_text("Submitted")
    priya.get_by_text("Decide", exact=True).click()
    reason = "Strongest delivery record on the panel; take her to interviews."
    priya.get_by_label("Reason").fill(reason)
    priya.get_by_role("button", name="Advance to interview").click()

    expect(page).to_have_url(re.compile(rf"/shortlist/#entry-{priya_submission.public_id}$"))
    expect(page.locator(".messages")).to_contain_text("Advanced Priya Balanced: now interview.")
    priya = page.locator(f"#entry-{priya_submission.public_id}")
    expect(priya.locator(".stage")).to_have_text("Interview")
    expect(priya.locator(".sc-decision")).to_contain_text(
        f"Advanced by {executive.user.display_name}"
    )
    expect(priya.locator(".sc-decision")).to_contain_text(reason)
    decisions = page.locator("section[aria-labelledby=decisions] tbody tr")
    expect(decisions).to_have_count(1)
    expect(decisions.first).to_contain_text("Priya Balanced")
    expect(decisions.first).to_contain_text("Interview")
    with schema_context(tenant_a.schema_name):
        priya_submission.refresh_from_db()
    assert priya_submission.stage == Stage.INTERVIEW
    tab.screenshot("browser-shortlist.png")
    tab.assert_no_problems()


def _assert_chart_text_inside(page: Any) -> None:
    """Every label of every chart lies inside its chart: nothing is cut off at the edge."""
    outside = page.evaluate(
        """() => [...document.querySelectorAll('svg.sc-chart')].flatMap(svg => {
             const box = svg.getBoundingClientRect();
             return [...svg.querySelectorAll('text')].filter(text => {
               const r = text.getBoundingClientRect();
               return r.left < box.left - 1 || r.right > box.right + 1
                 || r.top < box.top - 1 || r.bottom > box.bottom + 1;
             }).map(text => text.textContent);
           })"""
    )
    assert outside == [], f"chart labels cut off at the chart's edge: {outside}"


# --- 3. the interviewer's scorecard --------------------------------------------------------------


def test_interviewer_scorecard_needs_evidence_for_a_5_then_opens_the_panels_scorecards(
    committed_db, tenant_a, as_role, tab
):
    manager = as_role(tenant_a, "hiring_manager")
    recruiter = as_role(tenant_a, "recruiter")
    colleague = as_role(tenant_a, "interviewer")
    me = as_role(tenant_a, "interviewer")
    brief = _open_brief(tenant_a, manager)
    submission = _submit(tenant_a, brief, recruiter, "Noor Haddad")
    for interviewer in (colleague, me):
        _assign(tenant_a, manager, submission, interviewer)
    colleague_evidence = "Colleague saw: rebuilt the label pipeline after a leakage incident."
    _score(tenant_a, submission, colleague, "43434", evidence=colleague_evidence)

    page = tab.page
    tab.sign_in_to(f"/submissions/{submission.public_id}/scorecard/", me.user)
    others = page.locator("section[aria-labelledby=others]")
    expect(others).to_contain_text("Scoring is blind")
    expect(page.get_by_text(colleague_evidence)).to_have_count(0)
    expect(page.locator("#category-A")).to_contain_text("Ask")  # the interview kit

    category_a = page.locator("#category-A")
    category_a.locator("input[name=score_a][value='5']").check()
    page.locator("#category-B input[name=score_b][value='4']").check()
    page.locator("input[name=recommendation][value=yes]").check()
    page.get_by_label("Summary for the hiring team").fill("Strong on delivery, good on data.")
    page.get_by_role("button", name="Submit scorecard").click()

    # Refused: the 5 has no evidence. The form says where, and nothing was stored.
    expect(page.locator(".alert[role=alert]").first).to_contain_text(
        "Nothing was saved: fix the marked fields and try again."
    )
    expect(
        page.locator(".alert").get_by_role("link", name="A. Applied AI delivery")
    ).to_be_visible()
    expect(category_a).to_have_class(re.compile(r"\bhas-error\b"))
    expect(category_a.locator(".errorlist")).to_have_text(
        "A score of 5 needs the evidence you saw: what did the candidate say or show?"
    )
    expect(page.locator("#category-B .errorlist")).to_have_count(0)
    expect(category_a.locator("input[name=score_a][value='5']")).to_be_checked()
    expect(others).to_contain_text("Scoring is blind")
    expect(page.get_by_text(colleague_evidence)).to_have_count(0)
    with schema_context(tenant_a.schema_name):
        assert not Scorecard.objects.filter(submission=submission, interviewer=me.user).exists()

    evidence = "Showed the dashboard of the churn model they shipped: 12% fewer cancellations."
    category_a.get_by_label("Evidence").fill(evidence)
    page.get_by_role("button", name="Submit scorecard").click()

    expect(page.locator(".messages")).to_contain_text("Scorecard submitted.")
    expect(page.locator(".sc-pill-submitted")).to_be_visible()
    read_only_a = page.locator("section.sc-category").filter(
        has=page.get_by_role("heading", name="A. Applied AI delivery")
    )
    expect(read_only_a.locator(".sc-evidence")).to_have_text(evidence)
    # Blind no more: the colleague's scorecard now sits beside this one.
    table = others.locator("table.sc-scores")
    expect(table).to_be_visible()
    expect(table.locator("thead")).to_contain_text(colleague.user.display_name)
    expect(table.locator("thead")).to_contain_text(f"{me.user.display_name} (you)")
    expect(table).to_contain_text(colleague_evidence)
    expect(others).not_to_contain_text("Scoring is blind")
    with schema_context(tenant_a.schema_name):
        mine = Scorecard.objects.get(submission=submission, interviewer=me.user)
    assert (mine.status, mine.score_a, mine.score_b, mine.evidence_a) == (
        ScorecardStatus.SUBMITTED,
        5,
        4,
        evidence,
    )
    tab.screenshot("browser-scorecard.png")
    tab.assert_no_problems()


# --- 4. CSV import with a real worker ------------------------------------------------------------


@pytest.mark.worker
def test_recruiter_uploads_a_csv_and_the_progress_page_updates_itself(
    celery_worker, tenant_a, as_role, tab
):
    manager = as_role(tenant_a, "hiring_manager")
    recruiter = as_role(tenant_a, "recruiter")
    brief = _open_brief(tenant_a, manager, title="Forecasting engineer")
    output = io.StringIO()
    writer = csv.DictWriter(output, fieldnames=["full_name", "email", *PROOF, "right_to_represent"])
    writer.writeheader()
    writer.writerow(
        dict(full_name="Imported Person", email="imported@corp.example", **PROOF)
        | {"right_to_represent": "yes"}
    )
    writer.writerow(dict(full_name="Hidden Name", email="bad@", right_to_represent="yes", **PROOF))

    page = tab.page
    tab.sign_in_to("/imports/new/", recruiter.user)
    page.get_by_label("CSV file").set_input_files(
        {"name": "candidates.csv", "mimeType": "text/csv", "buffer": output.getvalue().encode()}
    )
    page.get_by_label("Brief").select_option(label="Forecasting engineer")

    # The worker's first row waits for this lock on the brief (its new submission references
    # the brief), so the page is sure to load while the import is still in progress.
    with schema_context(tenant_a.schema_name), transaction.atomic():
        RoleBrief.objects.select_for_update().get(pk=brief.pk)
        page.get_by_role("button", name="Upload and import").click()
        expect(page).to_have_url(re.compile(r"/imports/[0-9a-f-]{36}/$"))
        status = page.locator("#import-status")
        expect(status.locator("h1 .badge")).to_have_text(re.compile(r"^(Queued|Running)$"))
        expect(status).to_contain_text("0 of 2 rows processed (0%).")
        expect(status).to_have_attribute("hx-trigger", "every 2s")
        tab.wait_for_htmx()
        tab.mark_document()

    # Released: the worker imports both rows and the next poll shows the outcome in place.
    expect(status.locator("h1 .badge")).to_have_text("Done", timeout=20_000)
    assert tab.same_document(), "the page was reloaded instead of updated by htmx"
    expect(status).to_contain_text("2 of 2 rows processed (100%).")
    expect(status.locator("tr", has_text="Imported").locator("td")).to_have_text("1")
    expect(status.locator("tr", has_text="Failed").locator("td")).to_have_text("1")
    problems = status.locator("table.errors-table tbody tr")
    expect(problems).to_have_count(1)
    expect(problems.first.locator("td")).to_have_text(
        ["3", "email", "This is not a valid email address."]
    )
    expect(status).not_to_contain_text("Hidden Name")
    expect(status).not_to_have_attribute("hx-trigger", "every 2s")
    with schema_context(tenant_a.schema_name):
        job = ImportJob.objects.get()
        assert (job.status, job.done_rows, job.failed_rows) == (ImportStatus.DONE, 1, 1)
        assert Submission.objects.filter(candidate__full_name="Imported Person").exists()
    tab.screenshot("browser-import.png")
    tab.assert_no_problems()


# --- 5. every main page under the Content-Security-Policy ------------------------------------


def _assert_strict_policy(response: Any) -> None:
    policy = response.headers.get("content-security-policy", "")
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert "'self'" in directives.get("script-src", []), (response.url, policy)
    for directive in ("script-src", "style-src"):
        assert "'unsafe-inline'" not in directives.get(directive, []), (response.url, policy)
        assert "'unsafe-eval'" not in directives.get(directive, []), (response.url, policy)
    assert directives.get("object-src") == ["'none'"], policy
    assert directives.get("frame-ancestors") == ["'none'"], policy


def test_the_main_pages_work_under_a_strict_content_security_policy(
    committed_db, tenant_a, as_role, tab, server
):
    """The brief form with its live readiness panel, the shortlist with its charts, an
    import's self-updating progress page, notifications, a new API key, the API docs and the
    platform admin's sign-in: each document carries the policy, and not one script, style or
    chart is blocked by it (a securitypolicyviolation event or a console error fails)."""
    manager = as_role(tenant_a, "admin")
    recruiter = as_role(tenant_a, "recruiter")
    interviewer = as_role(tenant_a, "interviewer")
    brief = _open_brief(tenant_a, manager, title="Forecasting engineer")
    for name, digits in (("Priya Balanced", "44444"), ("Marco Steady", "33343")):
        submission = _submit(tenant_a, brief, recruiter, name)
        _assign(tenant_a, manager, submission, interviewer)
        _score(tenant_a, submission, interviewer, digits)
    with schema_context(tenant_a.schema_name):
        assert shortlist_compute(brief=brief) is not None
        Notification.objects.create(
            recipient=manager.user,
            kind="scorecard_overdue",
            title="Scorecard overdue: Priya Balanced",
            body="Two lines\nof body.",
            link=f"/briefs/{brief.public_id}/",
        )
    page = tab.page
    documents: list[Any] = []
    page.on(
        "response", lambda r: documents.append(r) if r.request.resource_type == "document" else None
    )

    # The brief form: htmx swaps the readiness panel in place.
    tab.sign_in_to("/briefs/new/", manager.user)
    tab.wait_for_htmx()
    panel = page.locator("#readiness-panel")
    page.locator("input[name=needs][value=genai]").check()
    expect(panel.locator(".area", has_text="GenAI evaluation plan")).to_contain_text("missing")
    page.get_by_label("Title").fill("Support assistant")
    assert page.evaluate("() => htmx.config.includeIndicatorStyles") is False

    # The shortlist and its SVG charts, drawn with their colours (presentation attributes).
    page.goto(tab.url(f"/briefs/{brief.public_id}/shortlist/"))
    charts = page.locator("svg.sc-chart")
    expect(charts.first).to_be_visible()
    fill = page.evaluate(
        "() => getComputedStyle(document.querySelector('svg.sc-chart g.sc-bar rect')).fill"
    )
    assert fill not in ("", "none", "rgb(0, 0, 0)"), fill

    # An import in progress: the status block polls itself with htmx.
    with schema_context(tenant_a.schema_name):
        job = ImportJobFactory(
            agency=recruiter.agency,
            uploaded_by_user_id=recruiter.user.pk,
            status=ImportStatus.RUNNING,
            total_rows=4,
            done_rows=1,
        )
    page.context.clear_cookies()
    tab.sign_in_to(f"/imports/{job.public_id}/", recruiter.user)
    tab.wait_for_htmx()
    with page.expect_response(
        lambda r: (
            f"/imports/{job.public_id}/" in r.url and r.request.headers.get("hx-request") == "true"
        ),
        timeout=10_000,
    ):
        pass
    expect(page.locator("#import-status progress")).to_be_visible()
    width = page.evaluate("() => document.querySelector('#import-status progress').offsetWidth")
    assert width > 300, width  # its width comes from the stylesheet now, not a style attribute

    # Notifications, a new API key, and the API docs (Swagger UI, from our own static files).
    page.context.clear_cookies()
    tab.sign_in_to("/notifications/", manager.user)
    expect(page.get_by_text("Scorecard overdue: Priya Balanced")).to_be_visible()
    page.goto(tab.url("/settings/api-keys/new/"))
    page.get_by_label("Name").fill("Greenhouse sync")
    page.locator("input[name=scopes]").first.check()
    page.get_by_role("button", name=re.compile("Create")).click()
    expect(page.locator(".api-key-value")).to_be_visible()
    padding = page.evaluate(
        "() => getComputedStyle(document.querySelector('.api-key-value')).paddingTop"
    )
    assert padding not in ("", "0px"), padding
    page.goto(tab.url("/api/docs/"))
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("AI Hiring partner API")

    # The platform admin's sign-in page on the public host.
    page.goto(f"http://{settings.BASE_DOMAIN}:{server.port}/admin/login/")
    expect(page.locator("#login-form")).to_be_visible()

    assert documents, "no document was loaded"
    for response in documents:
        if response.status < 300:
            _assert_strict_policy(response)
    tab.assert_no_problems()
