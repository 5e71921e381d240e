"""Walks of every main page of every role in a real browser, at desktop and phone width:

- **phones**: at 390x844 no page may scroll sideways (the document is never wider than the
  screen); the header's menu opens with its button;
- **accessibility**: axe-core (vendored in tests/vendor, never fetched at run time) finds no
  WCAG 2.1 A or AA violation on any of them, at 1366x900 and at 390x844;
- every page also runs under the Content-Security-Policy without a violation (the harness of
  tests/test_browser.py).

`make screenshots` runs the walk with SCREENSHOTS_DIR=docs/screenshots: each role's main pages
(SCREENSHOT_PAGES) are saved there as PNGs, desktop and phone, for the README.
"""

import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client as DjangoClient
from django.utils import timezone
from django_tenants.utils import schema_context

from audit.actors import Actor
from hiring.models import ImportStatus
from hiring.services.briefs import brief_create
from notifications.events.run import event_notify
from outbox.models import OutboxEvent
from scoring.services.scorecards import assignment_create
from scoring.services.shortlists import shortlist_compute
from tests.conftest import host_of
from tests.factories import ImportJobFactory, VendorReviewFactory, ready_brief_data
from tests.test_browser import (  # noqa: F401  (the harness: fixtures and helpers)
    CHROMIUM,
    CHROMIUM_ARGS,
    CSP_VIOLATION_LISTENER,
    Server,
    _assign,
    _close_connections_after_test,
    _open_brief,
    _orm_beside_playwright,
    _score,
    _submit,
    browser,
    server,
    server_extra_env,
    server_port,
)

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
SCREENSHOTS_DIR = os.environ.get("SCREENSHOTS_DIR", "")


@dataclass
class World:
    people: dict[str, Any]
    ids: dict[str, str]


def build_world(tenant: Any, as_role: Any) -> World:
    """A workspace in full swing: an open brief with candidates from two agencies, scored by
    two interviewers, a shortlist with history, a draft brief, notifications, an import."""
    people = {role: as_role(tenant, role) for role in ("admin", "hiring_manager", "executive")}
    people["interviewer"] = as_role(tenant, "interviewer")
    colleague = as_role(tenant, "interviewer")
    people["recruiter"] = as_role(tenant, "recruiter")
    people["agency_admin"] = as_role(tenant, "agency_admin", agency=people["recruiter"].agency)
    other_agency = as_role(tenant, "recruiter")
    brief = _open_brief(
        tenant,
        people["hiring_manager"],
        title="Support assistant for our help desk",
        headcount=2,
        rate_min=80,
        rate_max=140,
    )
    names = [
        ("Priya Balanced", people["recruiter"], "44454", "43444"),
        ("Marco Steady", other_agency, "33343", "33443"),
        ("Lena Lowsec", people["recruiter"], "54515", "54525"),
        ("Ada Waiting", other_agency, None, None),
    ]
    submissions = {}
    for index, (name, recruiter, first, second) in enumerate(names):
        submission = _submit(tenant, brief, recruiter, name)
        with schema_context(tenant.schema_name):
            type(submission).objects.filter(pk=submission.pk).update(
                rate_amount=90 + 15 * index, rate_currency="USD"
            )
        submissions[name] = submission
        if first is None:
            continue
        _assign(tenant, people["hiring_manager"], submission, colleague)
        _score(tenant, submission, colleague, first)
        _assign(tenant, people["hiring_manager"], submission, people["interviewer"])
        _score(tenant, submission, people["interviewer"], second)
    with schema_context(tenant.schema_name):
        shortlist_compute(brief=brief)
    # A late scorecard: a second version, so that the history has something to compare.
    _assign(tenant, people["hiring_manager"], submissions["Marco Steady"], people["hiring_manager"])
    _score(tenant, submissions["Marco Steady"], people["hiring_manager"], "45454")
    with schema_context(tenant.schema_name):
        shortlist_compute(brief=brief)
    # A candidate still to score: the interviewer's queue and form.
    pending = _submit(tenant, brief, people["recruiter"], "Noor Pending")
    with schema_context(tenant.schema_name):
        actor = Actor.for_user(people["hiring_manager"].user)
        assignment_create(
            actor=actor,
            submission=pending,
            interviewer=people["interviewer"].user,
            due_at=timezone.now() + dt.timedelta(days=2),
        )
        draft = brief_create(actor=actor, data=ready_brief_data(title="Forecasting engineer"))
        for event_id in OutboxEvent.objects.values_list("id", flat=True):
            event_notify(event_id=event_id)
        ImportJobFactory(
            agency=people["recruiter"].agency,
            uploaded_by_user_id=people["recruiter"].user.pk,
            status=ImportStatus.DONE,
            total_rows=3,
            done_rows=2,
            failed_rows=1,
            errors=[{"row": 3, "field": "email", "message": "This is not a valid email address."}],
            finished_at=timezone.now(),
        )
        # Vendor scorecards of the recruiter's agency, two quarters: the chart over time.
        for quarter, score in ((2, 3), (1, 4)):
            VendorReviewFactory(
                agency=people["recruiter"].agency,
                reviewer=people["hiring_manager"].user,
                period_start=timezone.localdate() - dt.timedelta(days=91 * quarter),
                period_end=timezone.localdate() - dt.timedelta(days=91 * quarter - 90),
                score_a=score,
                score_c=score,
            )
    priya = submissions["Priya Balanced"]
    return World(
        people=people,
        ids={
            "brief": str(brief.public_id),
            "draft": str(draft.public_id),
            "priya": str(priya.public_id),
            "marco": str(submissions["Marco Steady"].public_id),
            "lena": str(submissions["Lena Lowsec"].public_id),
            "pending": str(pending.public_id),
        },
    )


def main_pages(role: str, ids: dict[str, str]) -> list[tuple[str, str]]:
    """(name, path) of the main pages of each role."""
    brief, priya, marco, lena = ids["brief"], ids["priya"], ids["marco"], ids["lena"]
    compare = f"/briefs/{brief}/shortlist/compare/?s={priya}&s={marco}&s={lena}"
    team = [
        ("home", "/"),
        ("briefs", "/briefs/"),
        ("brief", f"/briefs/{brief}/"),
        ("submissions", "/submissions/?q=a&sort=-candidate"),
        ("submission", f"/submissions/{priya}/"),
        ("candidates", "/candidates/"),
        ("shortlist", f"/briefs/{brief}/shortlist/"),
        ("compare", compare),
        ("history", f"/briefs/{brief}/shortlist/history/"),
        ("analytics", "/analytics/agencies/"),
        ("vendor-reviews", "/vendor-reviews/"),
        ("notifications", "/notifications/"),
    ]
    if role == "admin":
        return [
            *team,
            ("interview-kits", "/settings/interview-kits/"),
            ("interview-kit", "/settings/interview-kits/ai_ml_engineer/"),
            ("vendor-review-form", "/vendor-reviews/new/"),
            ("brief-form", "/briefs/new/"),
            ("interviewers", f"/submissions/{priya}/interviewers/"),
            ("scorecards", f"/submissions/{priya}/scorecards/"),
            ("reminder-settings", "/notifications/settings/"),
            ("api-keys", "/settings/api-keys/"),
            ("imports", "/imports/"),
        ]
    if role == "hiring_manager":
        return [
            *team,
            ("brief-form", f"/briefs/{ids['draft']}/edit/"),
            ("interviewers", f"/submissions/{priya}/interviewers/"),
            ("scorecards", f"/submissions/{priya}/scorecards/"),
            ("imports-new", "/imports/new/"),
            ("preferences", "/notifications/preferences/"),
        ]
    if role == "executive":
        return team
    if role == "interviewer":
        return [
            ("home", "/"),
            ("queue", "/scorecards/"),
            ("scorecard-form", f"/submissions/{ids['pending']}/scorecard/"),
            ("scorecard-done", f"/submissions/{priya}/scorecard/"),
            ("submissions", "/submissions/"),
            ("briefs", "/briefs/"),
            ("notifications", "/notifications/"),
        ]
    agency = [
        ("home", "/"),
        ("briefs", "/briefs/"),
        ("brief", f"/briefs/{brief}/"),
        ("submit", f"/briefs/{brief}/submit/"),
        ("submissions", "/submissions/"),
        ("submission", f"/submissions/{priya}/"),
        ("imports", "/imports/"),
        ("imports-new", "/imports/new/"),
        ("analytics", "/analytics/agencies/"),
        ("vendor-reviews", "/vendor-reviews/"),
        ("notifications", "/notifications/"),
    ]
    if role == "agency_admin":
        return [*agency, ("api-keys", "/settings/api-keys/")]
    return agency


SCREENSHOT_PAGES = {
    "admin": {"home", "brief", "brief-form", "submissions", "interview-kit", "vendor-review-form"},
    "hiring_manager": {"home", "shortlist", "candidates"},
    "executive": {"home", "shortlist", "compare", "history"},
    "interviewer": {"home", "queue", "scorecard-form"},
    "recruiter": {"home", "briefs", "submission", "notifications"},
    "agency_admin": {"home", "vendor-reviews"},
}
ROLES = list(SCREENSHOT_PAGES)


def session_cookie(user: Any, host: str) -> dict[str, Any]:
    """A signed-in session for the browser, without walking through the sign-in page."""
    client = DjangoClient(HTTP_HOST=host)
    client.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "domain": host,
        "path": "/",
        "httpOnly": True,
        "sameSite": "Lax",
    }


@dataclass
class Visit:
    page: Any
    problems: list[str]


@pytest.fixture
def visit(browser: Any, server: Server, tenant_a: Any) -> Iterator[Any]:
    contexts: list[Any] = []

    def open_as(user: Any, viewport: dict[str, int]) -> Visit:
        context = browser.new_context(viewport=viewport)
        contexts.append(context)
        context.add_cookies([session_cookie(user, host_of(tenant_a))])
        problems: list[str] = []
        context.expose_binding("__reportCspViolation", lambda _s, text: problems.append(text))
        context.add_init_script(CSP_VIOLATION_LISTENER)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on(
            "console",
            lambda m: problems.append(f"console error: {m.text}") if m.type == "error" else None,
        )
        return Visit(page=page, problems=problems)

    yield open_as
    for context in contexts:
        context.close()


def _overflow(page: Any) -> list[str]:
    """The elements that stick out to the right of the screen, if the document does."""
    return page.evaluate(
        """() => {
          const width = document.documentElement.clientWidth;
          if (document.documentElement.scrollWidth <= width + 1) { return []; }
          return [...document.querySelectorAll('body *')].filter(el => {
            const r = el.getBoundingClientRect();
            return r.right > width + 1 && r.width > 0 && getComputedStyle(el).position !== 'fixed';
          }).slice(0, 8).map(el => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}` +
            `.${[...el.classList].join('.')} ` +
            `right=${Math.round(el.getBoundingClientRect().right)}`);
        }"""
    )


def _axe_violations(page: Any) -> list[str]:
    page.evaluate(AXE + "\n;void 0")
    result = page.evaluate(
        "async (tags) => { const r = await axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']}); return r.violations.map(v => ({id: v.id, impact: v.impact,"
        " help: v.help, nodes: v.nodes.slice(0, 4).map(n => n.target.join(' ') + ' :: ' +"
        " (n.failureSummary || '').split('\\n').slice(0, 2).join(' '))})); }",
        AXE_TAGS,
    )
    return [f"{v['id']} ({v['impact']}): {v['help']} -> " + " | ".join(v["nodes"]) for v in result]


def _base(tenant: Any, server: Server) -> str:
    return f"http://{host_of(tenant)}:{server.port}"


@pytest.mark.parametrize("role", ROLES)
def test_every_main_page_fits_a_phone_and_has_no_accessibility_violation(
    committed_db, tenant_a, as_role, visit, server, role
):
    world = build_world(tenant_a, as_role)
    user = world.people[role].user
    base = _base(tenant_a, server)
    failures: list[str] = []
    for width_name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        current = visit(user, viewport)
        page = current.page
        for name, path in main_pages(role, world.ids):
            response = page.goto(base + path)
            status = response.status if response else 0
            if status != 200:
                failures.append(f"{width_name} {name} {path}: HTTP {status}")
                continue
            page.wait_for_load_state("load")
            if width_name == "phone":
                for element in _overflow(page):
                    failures.append(f"phone {name} {path}: wider than the screen: {element}")
            for violation in _axe_violations(page):
                failures.append(f"{width_name} {name} {path}: {violation}")
            if SCREENSHOTS_DIR and name in SCREENSHOT_PAGES[role]:
                folder = Path(SCREENSHOTS_DIR)
                folder.mkdir(parents=True, exist_ok=True)
                page.evaluate("() => window.scrollTo(0, 0)")
                page.screenshot(path=str(folder / f"{role}-{name}-{width_name}.png"))
        failures += [f"{width_name}: {problem}" for problem in current.problems]
    assert not failures, "\n".join(failures)


def test_the_phone_menu_opens_and_closes_with_its_button(
    committed_db, tenant_a, as_role, visit, server
):
    manager = as_role(tenant_a, "hiring_manager")
    current = visit(manager.user, PHONE)
    page = current.page
    page.goto(_base(tenant_a, server) + "/")
    toggle = page.get_by_role("button", name="Menu")
    nav = page.locator("#site-nav")
    assert toggle.is_visible()
    assert not nav.is_visible()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert nav.get_by_role("link", name="Submissions").is_visible()
    assert page.get_by_role("button", name="Sign out").is_visible()
    toggle.click()
    assert not nav.is_visible()
    assert current.problems == []
