"""Authorization walk of the workspace pages: every page x method x role x object owner.

The pages come from the URL configuration itself, so a new page that takes an object id shows
up here and fails until the table below says what kind of object it names. For each role, an
object outside the role's reach (another agency's, an unassigned one, another person's,
another workspace's) must answer exactly what a missing id answers: the same 404 page, so a
page never confirms that something exists. The partner API has its own matrix
(tests/test_api_matrix.py).
"""

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from api.keys import api_key_create
from hiring.models import BriefShare, BriefStatus, InterviewAssignment
from notifications.models import Notification
from pages.access import METHODS_MARK
from tenants.models import Engagement
from tests.conftest import Acting
from tests.factories import (
    AgencyFactory,
    AgencyInvitationFactory,
    CandidateFactory,
    EngagementFactory,
    ImportJobFactory,
    InvitationFactory,
    RoleBriefFactory,
    SubmissionFactory,
    VendorReviewFactory,
    WebhookSubscriptionFactory,
    ready_brief_data,
)

pytestmark = pytest.mark.django_db

ROLES = (
    "admin",
    "hiring_manager",
    "interviewer",
    "executive",
    "recruiter",
    "agency_admin",
    "recruiter_b",
)
# The first path segment of a page names the kind of object its <uuid:public_id> is.
KIND_OF_PREFIX = {
    "briefs": "brief",
    "submissions": "submission",
    "imports": "import",
    "notifications": "notification",
    "settings/api-keys": "api_key",
    # People pages name a person (by their public id) or an invitation.
    "people/members": "member",
    "people/invitations": "invitation",
    "settings/webhooks": "webhook",
    "engagements": "engagement",
    "candidates": "candidate",
    # A client's invitation of a new agency (administration/views/agency_invitations.py).
    "agency-invitations": "agency_invitation",
    "vendor-reviews": "vendor_review",
}


@dataclass
class Page:
    route: str
    kind: str
    methods: frozenset[str]

    def path(self, public_id: object) -> str:
        return "/" + self.route.replace("<uuid:public_id>", str(public_id))


def _patterns(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, Any]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def object_pages() -> list[Page]:
    pages = []
    for route, callback in _patterns(get_resolver("config.urls_tenant")):
        if "<uuid:public_id>" not in route or route.startswith("api/"):
            continue
        kind = next(
            (kind for prefix, kind in KIND_OF_PREFIX.items() if route.startswith(prefix + "/")),
            None,
        )
        assert kind is not None, f"{route}: say in KIND_OF_PREFIX what kind of object it names"
        methods = getattr(callback, METHODS_MARK, None)
        assert methods, f"{route} is not a workspace page"
        pages.append(Page(route=route, kind=kind, methods=methods - {"HEAD"}))
    return pages


@dataclass
class World:
    people: dict[str, Acting]
    # kind -> label -> object
    objects: dict[str, dict[str, Any]]
    # kind -> role -> labels the role may reach
    reach: dict[str, dict[str, set[str]]]


@pytest.fixture
def world(tenant_a: Any, tenant_b: Any, as_role: Any, in_tenant: Any) -> World:
    agency_a, agency_b = AgencyFactory(name="Agency A"), AgencyFactory(name="Agency B")
    people = {role: as_role(tenant_a, role) for role in ROLES[:4]}
    people["recruiter"] = as_role(tenant_a, "recruiter", agency=agency_a)
    people["agency_admin"] = as_role(tenant_a, "agency_admin", agency=agency_a)
    people["recruiter_b"] = as_role(tenant_a, "recruiter", agency=agency_b)
    outsider = as_role(tenant_b, "admin")
    ready = ready_brief_data()
    objects: dict[str, dict[str, Any]] = {kind: {} for kind in KIND_OF_PREFIX.values()}
    with in_tenant(tenant_a):
        briefs = {
            "brief_all": RoleBriefFactory(**ready, shared_with_all_engaged=True),
            "brief_a_only": RoleBriefFactory(**ready, shared_with_all_engaged=False),
            "brief_b_only": RoleBriefFactory(**ready, shared_with_all_engaged=False),
            "brief_draft": RoleBriefFactory(**ready, status=BriefStatus.DRAFT),
        }
        BriefShare.objects.create(brief=briefs["brief_a_only"], agency=agency_a)
        BriefShare.objects.create(brief=briefs["brief_b_only"], agency=agency_b)
        objects["brief"].update(briefs)
        for label, agency, brief in (
            ("sub_a", agency_a, "brief_all"),
            ("sub_b", agency_b, "brief_all"),
            ("sub_a_only", agency_a, "brief_a_only"),
        ):
            objects["submission"][label] = SubmissionFactory(
                brief=briefs[brief], candidate=CandidateFactory(), agency=agency
            )
        InterviewAssignment.objects.create(
            submission=objects["submission"]["sub_a"],
            interviewer=people["interviewer"].user,
            due_at=timezone.now(),
        )
        for role, acting in people.items():
            objects["import"][role] = ImportJobFactory(
                uploaded_by_user_id=acting.user.pk, agency=acting.agency or agency_a
            )
            objects["notification"][role] = Notification.objects.create(
                recipient=acting.user, kind="test", title="For this person only"
            )
    with in_tenant(tenant_b):
        objects["brief"]["other_tenant"] = RoleBriefFactory(**ready)
        objects["submission"]["other_tenant"] = SubmissionFactory(
            brief=objects["brief"]["other_tenant"], agency=outsider.agency or agency_a
        )
    for label, agency in (("key_client", None), ("key_a", agency_a), ("key_b", agency_b)):
        objects["api_key"][label] = api_key_create(
            client=tenant_a,
            agency=agency,
            name=f"Key {label}",
            scopes=["briefs:read"],
            created_by=None,
        )[0]
    objects["api_key"]["other_tenant"] = api_key_create(
        client=tenant_b, name="Other workspace's key", scopes=["briefs:read"], created_by=None
    )[0]
    for label in ("sub_a", "sub_b", "sub_a_only", "other_tenant"):
        objects["candidate"][label] = objects["submission"][label].candidate
    objects["engagement"]["eng_a"] = Engagement.objects.get(client=tenant_a, agency=agency_a)
    objects["engagement"]["eng_b"] = Engagement.objects.get(client=tenant_a, agency=agency_b)
    # Agency A also works for the other workspace: its engagement there stays out of reach.
    objects["engagement"]["other_tenant"] = EngagementFactory(client=tenant_b, agency=agency_a)
    with in_tenant(tenant_a):
        for label, key_label in (
            ("hook_client", "key_client"),
            ("hook_a", "key_a"),
            ("hook_b", "key_b"),
        ):
            objects["webhook"][label] = WebhookSubscriptionFactory(
                api_key=objects["api_key"][key_label]
            )
    with in_tenant(tenant_b):
        objects["webhook"]["other_tenant"] = WebhookSubscriptionFactory(
            api_key=objects["api_key"]["other_tenant"]
        )

    with in_tenant(tenant_a):
        for label, agency in (("rev_a", agency_a), ("rev_b", agency_b)):
            objects["vendor_review"][label] = VendorReviewFactory(
                agency=agency, reviewer=people["hiring_manager"].user
            )
    with in_tenant(tenant_b):
        # Agency A is reviewed in the other workspace too: that review stays out of reach.
        objects["vendor_review"]["other_tenant"] = VendorReviewFactory(agency=agency_a)

    objects["member"] = {role: acting.user for role, acting in people.items()}
    objects["member"]["other_tenant"] = outsider.user
    objects["invitation"] = {
        "inv_client": InvitationFactory(client=tenant_a),
        "inv_agency_a": InvitationFactory(client=tenant_a, agency=agency_a, role="recruiter"),
        "inv_agency_b": InvitationFactory(client=tenant_a, agency=agency_b, role="recruiter"),
        "inv_other_tenant": InvitationFactory(client=tenant_b),
    }
    objects["agency_invitation"] = {
        "agency_inv": AgencyInvitationFactory(client=tenant_a),
        "agency_inv_other_tenant": AgencyInvitationFactory(client=tenant_b),
    }

    team = {"admin", "hiring_manager", "executive"}
    reach: dict[str, dict[str, set[str]]] = {kind: {} for kind in objects}
    for role in ROLES:
        if role in team:
            reach["brief"][role] = set(briefs)
            reach["submission"][role] = {"sub_a", "sub_b", "sub_a_only"}
        elif role == "interviewer":
            reach["brief"][role] = {"brief_all"}
            reach["submission"][role] = {"sub_a"}
        elif role == "recruiter_b":
            reach["brief"][role] = {"brief_all", "brief_b_only"}
            reach["submission"][role] = {"sub_b"}
        else:
            reach["brief"][role] = {"brief_all", "brief_a_only"}
            reach["submission"][role] = {"sub_a", "sub_a_only"}
        reach["import"][role] = {role}
        reach["notification"][role] = {role}
        client_team = {"admin", "hiring_manager", "interviewer", "executive"}
        reach["member"][role] = (
            client_team
            if role in ("admin", "hiring_manager")
            else {"recruiter", "agency_admin"}
            if role == "agency_admin"
            else set()
        )
        reach["invitation"][role] = (
            {"inv_client"}
            if role in ("admin", "hiring_manager")
            else {"inv_agency_a"}
            if role == "agency_admin"
            else set()
        )
        reach["api_key"][role] = (
            {"key_client", "key_a", "key_b"}
            if role == "admin"
            else {"key_a"}
            if role == "agency_admin"
            else set()
        )
        # A client admin manages the webhooks of the client's own keys, an agency admin those
        # of the agency's keys; the engagement pages show an agency admin its own engagement.
        reach["webhook"][role] = (
            {"hook_client"} if role == "admin" else {"hook_a"} if role == "agency_admin" else set()
        )
        reach["engagement"][role] = (
            {"eng_a", "eng_b"}
            if role == "admin"
            else {"eng_a"}
            if role == "agency_admin"
            else set()
        )
        reach["candidate"][role] = {"sub_a", "sub_b", "sub_a_only"} if role == "admin" else set()
        # Only the client's admins invite new agencies and manage those invitations.
        reach["agency_invitation"][role] = {"agency_inv"} if role == "admin" else set()
        # Vendor scorecards: the client's reviewers read all, each agency its own.
        reach["vendor_review"][role] = (
            {"rev_a", "rev_b"}
            if role in team
            else {"rev_b"}
            if role == "recruiter_b"
            else {"rev_a"}
            if role in ("recruiter", "agency_admin")
            else set()
        )
    return World(people=people, objects=objects, reach=reach)


CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def _answer(acting: Acting, method: str, path: str) -> tuple[int, str]:
    response = getattr(acting.http, method.lower())(path)
    body = response.content.decode() if not getattr(response, "streaming", False) else ""
    # The sign-out form's CSRF token differs on every page; nothing else may.
    return response.status_code, CSRF_TOKEN.sub("", body)


def test_every_object_page_answers_outside_reach_exactly_as_for_a_missing_object(
    world: World,
) -> None:
    pages = object_pages()
    assert {page.kind for page in pages} == set(KIND_OF_PREFIX.values())
    missing = uuid.uuid4()
    checked = 0
    for page in pages:
        for method in sorted(page.methods):
            for role, acting in world.people.items():
                absent = _answer(acting, method, page.path(missing))
                assert absent[0] == 404, (page.route, method, role, absent[0])
                for label, obj in world.objects[page.kind].items():
                    if label in world.reach[page.kind][role]:
                        continue
                    outside = _answer(acting, method, page.path(obj.public_id))
                    assert outside == absent, (page.route, method, role, label, outside[0])
                    checked += 1
    assert checked > 300


def test_the_walk_is_not_vacuous_objects_in_reach_open(world: World) -> None:
    """The same ids answer something other than 404 to someone who may reach them, so the
    404s above are about reach, not about broken ids."""
    opened = {}
    for page in object_pages():
        if "GET" not in page.methods:
            continue
        for role, acting in world.people.items():
            for label in world.reach[page.kind][role]:
                obj = world.objects[page.kind][label]
                status, _ = _answer(acting, "GET", page.path(obj.public_id))
                if status != 404:
                    opened.setdefault(page.kind, set()).add(role)
    assert opened["brief"] >= set(ROLES)
    assert opened["submission"] >= set(ROLES)
    assert opened["import"] >= {"admin", "recruiter"}
    assert opened["api_key"] >= {"admin", "agency_admin"}
    assert opened["webhook"] >= {"admin", "agency_admin"}
    assert opened["engagement"] >= {"admin", "agency_admin"}
    assert opened["candidate"] >= {"admin"}
    assert opened["agency_invitation"] >= {"admin"}
    assert opened["vendor_review"] >= {"admin", "executive", "recruiter", "recruiter_b"}
