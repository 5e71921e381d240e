"""People: invitations (signed, single-use, 7-day links), roles, removal, the last admin, and
the misuse the People pages must refuse with a reason."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.invitations import invitation_create, invitation_link
from accounts.links import Links
from accounts.managers import Manager
from accounts.models import Invitation
from accounts.teams import Team
from audit.errors import ConflictError
from audit.models import AuditEntry
from tenants.models import AgencyMembership, ClientMembership
from tests.accounts_support import link_in, mails_to
from tests.conftest import host_of, http_client
from tests.factories import (
    TEST_PASSWORD,
    AgencyFactory,
    AgencyMembershipFactory,
    EngagementFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
LINK_PATH = re.compile(r"https?://[^/]+(/accounts/invitations/[^/]+/)")


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Run what a request defers to its commit (the e-mails) at once."""

    def run(call):
        with django_capture_on_commit_callbacks(execute=True):
            return call()

    return run


def _invite(acting, sent, email, role="interviewer"):
    return sent(lambda: acting.http.post("/people/invite/", {"email": email, "role": role}))


def _link_path(email):
    (message,) = mails_to(email)[-1:]
    return LINK_PATH.search(link_in(message)).group(1)


def _audit(tenant, action):
    with schema_context(tenant.schema_name):
        return list(AuditEntry.objects.filter(action=action))


def test_an_admin_invites_a_colleague_who_accepts_with_a_new_account(tenant_a, as_role, sent):
    admin = as_role(tenant_a, "admin")
    response = _invite(admin, sent, "Nia@Example.TEST", role="executive")
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="nia@example.test")
    assert invitation.expires_at - invitation.sent_at == timedelta(days=7)
    (message,) = mails_to("nia@example.test")
    assert "invited you to Alpha Robotics" in message.subject
    assert link_in(message).startswith(f"http://{host_of(tenant_a)}/accounts/invitations/")
    assert _audit(tenant_a, "member.invited")[0].details == {"role": "executive"}
    assert "nia@" not in str(_audit(tenant_a, "member.invited")[0].details)

    invitee = http_client(tenant=tenant_a)
    path = _link_path("nia@example.test")
    page = invitee.get(path)
    assert b"Choose a password to create your account" in page.content
    weak = invitee.post(path, {"name": "Nia", "password1": "123", "password2": "123"})
    assert weak.status_code == 400 and not ClientMembership.objects.filter(
        user__email="nia@example.test"
    )
    accepted = invitee.post(
        path, {"name": "Nia Okafor", "password1": TEST_PASSWORD, "password2": TEST_PASSWORD}
    )
    assert accepted.status_code == 302 and accepted["Location"] == "/"
    membership = ClientMembership.objects.get(user__email="nia@example.test", client=tenant_a)
    assert membership.role == "executive" and membership.user.name == "Nia Okafor"
    assert invitee.get("/").status_code == 200
    invitation.refresh_from_db()
    assert invitation.accepted_by == membership.user

    # Used once: the same link now says so and changes nothing.
    again = http_client(tenant=tenant_a).get(path)
    assert again.status_code == 410 and b"already accepted" in again.content


def test_an_existing_account_accepts_by_signing_in_and_the_inviter_cannot_tell(
    tenant_a, as_role, sent
):
    admin = as_role(tenant_a, "admin")
    known = UserFactory(email="known@example.test")
    for email in ("known@example.test", "unknown@example.test"):
        response = _invite(admin, sent, email)
        assert response.status_code == 302
        follow = admin.http.get(response["Location"])
        assert f"Invitation sent to {email}." in follow.content.decode()
    subjects = {m.subject for m in mail.outbox}
    assert len(subjects) == 1  # the same e-mail whether or not the address has an account

    path = _link_path("known@example.test")
    browser = http_client(tenant=tenant_a)
    assert b"Sign in to accept" in browser.get(path).content
    browser.post("/accounts/login/", {"username": known.email, "password": TEST_PASSWORD})
    assert browser.post(path).status_code == 302
    assert ClientMembership.objects.get(user=known, client=tenant_a).role == "interviewer"


def test_broken_links_say_what_is_wrong_and_change_nothing(tenant_a, as_role, sent):
    admin = as_role(tenant_a, "admin")
    _invite(admin, sent, "late@example.test")
    path = _link_path("late@example.test")
    browser = http_client(tenant=tenant_a)
    form = {"name": "L", "password1": TEST_PASSWORD, "password2": TEST_PASSWORD}

    damaged = browser.post(path[:-6] + "x" + path[-5:], form)
    assert damaged.status_code == 400 and b"damaged" in damaged.content

    invitation = Invitation.objects.get(email="late@example.test")
    invitation.expires_at = timezone.now() - timedelta(minutes=1)
    invitation.save()
    expired = browser.post(path, form)
    assert expired.status_code == 410 and b"has expired" in expired.content

    # Sent again: a fresh week, and the earlier link is superseded.
    sent(lambda: admin.http.post(f"/people/invitations/{invitation.public_id}/resend/"))
    superseded = browser.post(path, form)
    assert superseded.status_code == 410 and b"newer invitation" in superseded.content
    new_path = _link_path("late@example.test")
    assert new_path != path

    sent(lambda: admin.http.post(f"/people/invitations/{invitation.public_id}/revoke/"))
    withdrawn = browser.post(new_path, form)
    assert withdrawn.status_code == 410 and b"withdrawn" in withdrawn.content
    assert mails_to("late@example.test")[-1].subject.startswith("Your invitation to Alpha")
    # A link carried to another workspace's host is damaged there.
    assert not ClientMembership.objects.filter(user__email="late@example.test").exists()


def test_a_link_moved_to_another_workspace_host_does_not_work_there(
    tenant_a, tenant_b, as_role, sent
):
    _invite(as_role(tenant_a, "admin"), sent, "moved@example.test")
    moved = http_client(tenant=tenant_b).get(_link_path("moved@example.test"))
    assert moved.status_code == 400


def test_inviting_existing_members_vendors_or_twice_is_refused_with_the_reason(
    tenant_a, as_role, sent
):
    admin = as_role(tenant_a, "admin")
    member = as_role(tenant_a, "interviewer")
    recruiter = as_role(tenant_a, "recruiter")
    cases = {
        member.user.email: "is already a member of Alpha Robotics (Interviewer)",
        recruiter.user.email: f"works for {recruiter.agency.name}, an agency of this workspace",
    }
    for email, reason in cases.items():
        response = _invite(admin, sent, email)
        assert response.status_code == 400
        assert reason in response.content.decode()
    _invite(admin, sent, "twice@example.test")
    twice = _invite(admin, sent, "TWICE@example.test")
    assert "already open: send it again or withdraw it" in twice.content.decode()
    agency_role = _invite(admin, sent, "x@example.test", role="recruiter")
    assert "Agency roles are given by the agency" in agency_role.content.decode()
    assert Invitation.objects.count() == 1


def test_nobody_grants_a_role_above_their_own(tenant_a, as_role, sent):
    manager = as_role(tenant_a, "hiring_manager")
    assert b'value="admin"' not in manager.http.get("/people/").content
    refused = _invite(manager, sent, "boss@example.test", role="admin")
    assert refused.status_code == 400
    assert "You can give roles up to your own (Hiring manager)" in refused.content.decode()
    assert _invite(manager, sent, "peer@example.test", role="interviewer").status_code == 302

    admin = as_role(tenant_a, "admin")
    interviewer = as_role(tenant_a, "interviewer")
    promote = manager.http.post(
        f"/people/members/{interviewer.user.public_id}/role/", {"role": "executive"}
    )
    assert promote.status_code == 409 and b"up to your own" in promote.content
    touch_admin = manager.http.post(f"/people/members/{admin.user.public_id}/remove/")
    assert touch_admin.status_code == 409 and b"a role above yours" in touch_admin.content
    assert ClientMembership.objects.filter(user=admin.user, client=tenant_a).exists()


def test_the_last_admin_can_neither_be_demoted_nor_removed(tenant_a, as_role, sent):
    admin = as_role(tenant_a, "admin")
    me = f"/people/members/{admin.user.public_id}"
    demoted = admin.http.post(f"{me}/role/", {"role": "interviewer"})
    assert demoted.status_code == 409
    assert b"is the only admin of Alpha Robotics" in demoted.content
    assert admin.http.post(f"{me}/remove/").status_code == 409
    assert ClientMembership.objects.get(user=admin.user).role == "admin"

    second = as_role(tenant_a, "admin")
    moved = sent(lambda: admin.http.post(f"{me}/role/", {"role": "executive"}))
    assert moved.status_code == 302
    assert ClientMembership.objects.get(user=admin.user).role == "executive"
    (told,) = mails_to(admin.user.email)
    assert told.subject == "Your role at Alpha Robotics is now Executive"
    assert _audit(tenant_a, "member.role_changed")[0].details == {
        "from": "admin",
        "to": "executive",
    }
    last = second.http.post(f"/people/members/{second.user.public_id}/remove/")
    assert last.status_code == 409


def test_removing_a_member_ends_their_access_and_tells_them(tenant_a, as_role, sent):
    admin = as_role(tenant_a, "admin")
    interviewer = as_role(tenant_a, "interviewer")
    assert interviewer.http.get("/").status_code == 200
    response = sent(
        lambda: admin.http.post(f"/people/members/{interviewer.user.public_id}/remove/")
    )
    assert response.status_code == 302
    assert interviewer.http.get("/").status_code == 404
    assert mails_to(interviewer.user.email)[0].subject == "You were removed from Alpha Robotics"
    assert _audit(tenant_a, "member.removed")[0].object_id == str(interviewer.user.public_id)
    page = admin.http.get("/people/").content.decode()
    assert "removed" in page and "Last signed in" in page


def test_an_agency_admin_invites_a_recruiter_for_their_agency(tenant_a, as_role, sent):
    owner = as_role(tenant_a, "agency_admin")
    assert owner.http.get("/people/").status_code == 200
    response = _invite(owner, sent, "rec@talent.example", role="recruiter")
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="rec@talent.example")
    assert invitation.agency == owner.agency and invitation.client == tenant_a
    path = _link_path("rec@talent.example")
    browser = http_client(tenant=tenant_a)
    browser.post(path, {"name": "Rec", "password1": TEST_PASSWORD, "password2": TEST_PASSWORD})
    membership = AgencyMembership.objects.get(user__email="rec@talent.example")
    assert membership.agency == owner.agency and membership.role == "recruiter"
    assert browser.get("/").status_code == 200
    # Agencies have no schema: their people changes are in the public schema's trail.
    with schema_context("public"):
        public = list(AuditEntry.objects.filter(action__in=["member.invited", "member.joined"]))
    assert {e.details["agency"] for e in public} == {str(owner.agency.public_id)}
    with schema_context(tenant_a.schema_name):
        assert not AuditEntry.objects.filter(action="member.invited").exists()
    # A client role is not the agency's to give.
    client_role = _invite(owner, sent, "x@talent.example", role="interviewer")
    assert "Choose one of the roles of" in client_role.content.decode()


def test_an_agency_invitation_to_someone_of_another_agency_is_refused_on_acceptance(
    tenant_a, as_role, sent
):
    owner = as_role(tenant_a, "agency_admin")
    elsewhere = UserFactory()
    AgencyMembershipFactory(user=elsewhere, role="recruiter")
    _invite(owner, sent, elsewhere.email, role="recruiter")
    browser = http_client(tenant=tenant_a, user=elsewhere)
    refused = browser.post(_link_path(elsewhere.email))
    assert refused.status_code == 409
    assert b"a person belongs to one agency at a time" in refused.content
    assert not AgencyMembership.objects.filter(user=elsewhere, agency=owner.agency).exists()


def test_inviting_into_another_workspace_agency_is_refused_with_the_reason(tenant_a, tenant_b):
    owner = UserFactory()
    agency = AgencyFactory(name="Faraway Talent")
    AgencyMembershipFactory(user=owner, agency=agency, role="agency_admin")
    EngagementFactory(client=tenant_b, agency=agency)
    links = Links(scheme="http", port_suffix="")
    stranger_agency = Manager(
        user=owner, role="agency_admin", team=Team(client=tenant_a, agency=agency)
    )
    with pytest.raises(ConflictError, match="Faraway Talent does not work with Alpha Robotics"):
        invitation_create(
            manager=stranger_agency, email="a@b.example", role="recruiter", links=links
        )
    other = AgencyFactory(name="Not Yours")
    EngagementFactory(client=tenant_a, agency=other)
    not_theirs = Manager(user=owner, role="agency_admin", team=Team(client=tenant_a, agency=other))
    with pytest.raises(ConflictError, match="only your own agency's people"):
        invitation_create(manager=not_theirs, email="a@b.example", role="recruiter", links=links)
    assert not Invitation.objects.exists()


@override_settings(INVITATION_LIMIT_PER_HOUR=2)
def test_invitations_are_throttled_per_person(tenant_a, as_role, sent):
    admin = as_role(tenant_a, "admin")
    assert _invite(admin, sent, "one@example.test").status_code == 302
    assert _invite(admin, sent, "two@example.test").status_code == 302
    third = _invite(admin, sent, "three@example.test")
    assert third.status_code == 429 and int(third["Retry-After"]) > 0
    assert not Invitation.objects.filter(email="three@example.test").exists()


def test_people_pages_are_for_people_managers_only(tenant_a, as_role):
    for role in ("interviewer", "executive", "recruiter"):
        assert as_role(tenant_a, role).http.get("/people/").status_code == 404
    assert as_role(tenant_a, "executive").http.get("/settings/sign-in/").status_code == 404
    assert as_role(tenant_a, "hiring_manager").http.get("/settings/sign-in/").status_code == 404


def test_the_invitation_link_is_built_on_the_workspace_host(tenant_a, as_role):
    admin = as_role(tenant_a, "admin")
    invitation = invitation_create(
        manager=Manager(user=admin.user, role="admin", team=Team(client=tenant_a)),
        email="host@example.test",
        role="interviewer",
        links=Links(scheme="https", port_suffix=""),
    )
    assert invitation_link(invitation, links=Links(scheme="https", port_suffix="")).startswith(
        f"https://{host_of(tenant_a)}/accounts/invitations/"
    )
