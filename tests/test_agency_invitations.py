"""Inviting a new agency by its admin's e-mail: the agency, its first admin and the engagement
start when the signed, single-use link is accepted; pending invitations are sent again or
withdrawn (after a confirmation); the inviter is notified. And removing a member asks first."""

import html
import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import AgencyInvitation
from audit.models import AuditEntry
from notifications.events.run import event_notify
from notifications.kinds import EVENT_AGENCY_JOINED
from notifications.models import Notification
from outbox.models import OutboxEvent
from tenants.models import (
    Agency,
    AgencyMembership,
    AgencyRole,
    ClientMembership,
    Engagement,
    EngagementStatus,
)
from tests.accounts_support import link_in, mails_to
from tests.conftest import host_of, http_client
from tests.factories import (
    TEST_PASSWORD,
    AgencyFactory,
    AgencyInvitationFactory,
    AgencyMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
LINK_PATH = re.compile(r"https?://[^/]+(/accounts/agency-invitations/[^/]+/)")
NEW_ACCOUNT = {"name": "Nia Okafor", "password1": TEST_PASSWORD, "password2": TEST_PASSWORD}


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Run what a request defers to its commit (the e-mails) at once."""

    def run(call):
        with django_capture_on_commit_callbacks(execute=True):
            return call()

    return run


def text(response: Any) -> str:
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(html.unescape(body).split())


def _invite(admin, sent, **fields):
    form = {
        "agency_name": "Northwind Talent",
        "email": "nia@northwind.example",
        "ownership_window_days": "120",
        "fee_percent": "17.5",
        **fields,
    }
    return sent(lambda: admin.http.post("/engagements/invite/", form))


def _link_path(email):
    message = mails_to(email)[-1]
    return LINK_PATH.search(link_in(message)).group(1)


def _audit(tenant, action):
    with schema_context(tenant.schema_name):
        return list(AuditEntry.objects.filter(action=action).order_by("id"))


def test_an_invited_agency_joins_with_its_admin_and_its_engagement_starts_on_the_terms(
    tenant_a, as_role, sent
):
    admin = as_role(tenant_a, "admin")
    page = admin.http.get("/engagements/")
    assert 'href="/engagements/invite/"' in page.content.decode()
    form = admin.http.get("/engagements/invite/")
    assert form.status_code == 200 and "Invite a new agency" in text(form)

    response = _invite(admin, sent, email="Nia@Northwind.EXAMPLE")
    assert response.status_code == 302 and response["Location"] == "/engagements/"
    invitation = AgencyInvitation.objects.get(client=tenant_a)
    assert invitation.email == "nia@northwind.example"
    assert invitation.expires_at - invitation.sent_at == timedelta(days=7)
    assert (invitation.ownership_window_days, invitation.fee_percent) == (120, Decimal("17.50"))
    (message,) = mails_to("nia@northwind.example")
    assert "invites Northwind Talent" in message.subject
    assert "120 days" in message.body and "17.50%" in message.body
    assert link_in(message).startswith(f"http://{host_of(tenant_a)}/accounts/agency-invitations/")
    # Nothing exists for the agency before the link is used.
    assert not Agency.objects.filter(name="Northwind Talent").exists()
    (sent_entry,) = _audit(tenant_a, "engagement.invitation_sent")
    assert sent_entry.object_id == str(invitation.public_id)
    assert "nia@" not in str(sent_entry.details) and "Northwind" not in str(sent_entry.details)
    listed = text(admin.http.get("/engagements/"))
    assert "Invited agencies" in listed and "Northwind Talent" in listed
    assert "nia@northwind.example" in listed and "120 days, 17.50%" in listed

    invitee = http_client(tenant=tenant_a)
    path = _link_path("nia@northwind.example")
    opened = invitee.get(path)
    assert opened.status_code == 200
    assert "Ownership window: 120 days" in text(opened)
    assert "Choose a password to create your account" in text(opened)
    weak = invitee.post(path, {**NEW_ACCOUNT, "password1": "123", "password2": "123"})
    assert weak.status_code == 400 and not Agency.objects.filter(name="Northwind Talent")
    accepted = sent(lambda: invitee.post(path, NEW_ACCOUNT))
    assert accepted.status_code == 302 and accepted["Location"] == "/"

    agency = Agency.objects.get(name="Northwind Talent")
    assert agency.slug == "northwind-talent"
    membership = AgencyMembership.objects.get(agency=agency)
    assert membership.role == AgencyRole.AGENCY_ADMIN
    assert membership.user.email == "nia@northwind.example"
    assert membership.user.name == "Nia Okafor"
    engagement = Engagement.objects.get(client=tenant_a, agency=agency)
    assert engagement.status == EngagementStatus.ACTIVE
    assert (engagement.ownership_window_days, engagement.fee_percent) == (120, Decimal("17.50"))
    invitation.refresh_from_db()
    assert invitation.accepted_by == membership.user and invitation.agency == agency
    (accepted_entry,) = _audit(tenant_a, "engagement.invitation_accepted")
    assert accepted_entry.object_id == str(engagement.public_id)
    assert accepted_entry.actor_user_id == membership.user.pk
    with schema_context("public"):
        joined = AuditEntry.objects.get(
            action="member.joined", details__agency=str(agency.public_id)
        )
    assert joined.details["via"] == "agency_invitation"

    # The new admin is in: the workspace, its own engagement and its terms, its people page.
    home = invitee.get("/")
    assert home.status_code == 200
    assert "Northwind Talent is on AI Hiring and works for" in text(home)
    terms = text(invitee.get(f"/engagements/{engagement.public_id}/"))
    assert "120 days" in terms
    assert invitee.get("/people/").status_code == 200

    # The inviter hears about it (the notification from the outbox event).
    with schema_context(tenant_a.schema_name):
        event = OutboxEvent.objects.get(event_type="agency_invitation.accepted")
        assert event_notify(event_id=event.pk) == 1
        assert event_notify(event_id=event.pk) == 0  # exactly once
        (notification,) = Notification.objects.filter(kind=EVENT_AGENCY_JOINED)
    assert notification.recipient_id == admin.user.pk
    assert notification.title == "Northwind Talent accepted your invitation and works for you now"
    assert notification.link == f"/engagements/{engagement.public_id}/"
    trail = text(admin.http.get("/audit/"))
    assert "invited the new agency Northwind Talent (nia@northwind.example)" in trail
    assert "Nia Okafor accepted the invitation of Northwind Talent" in trail

    # Used once: the link says so and changes nothing; the pending list is empty again.
    again = http_client(tenant=tenant_a).post(path, NEW_ACCOUNT)
    assert again.status_code == 410 and "already accepted" in text(again)
    assert Agency.objects.filter(name="Northwind Talent").count() == 1
    assert "Invited agencies" not in text(admin.http.get("/engagements/"))


def test_an_existing_account_accepts_by_signing_in(tenant_a, as_role, sent):
    admin = as_role(tenant_a, "admin")
    known = UserFactory(email="lee@northwind.example")
    _invite(admin, sent, email=known.email)
    path = _link_path(known.email)
    browser = http_client(tenant=tenant_a)
    assert "Sign in to accept" in text(browser.get(path))
    assert browser.post(path, NEW_ACCOUNT).status_code == 200  # no account is made
    browser.post("/accounts/login/", {"username": known.email, "password": TEST_PASSWORD})
    assert "Accept for Northwind Talent" in text(browser.get(path))
    assert browser.post(path).status_code == 302
    agency = AgencyMembership.objects.get(user=known).agency
    assert agency.name == "Northwind Talent"
    assert Engagement.objects.get(client=tenant_a, agency=agency).ownership_window_days == 120


def test_someone_of_another_agency_or_of_the_hiring_team_cannot_accept(tenant_a, as_role, sent):
    admin = as_role(tenant_a, "admin")
    elsewhere = UserFactory(email="sam@elsewhere.example")
    AgencyMembershipFactory(user=elsewhere, agency=AgencyFactory(name="Elsewhere Staffing"))
    _invite(admin, sent, email=elsewhere.email)
    browser = http_client(tenant=tenant_a, user=elsewhere)
    refused = browser.post(_link_path(elsewhere.email))
    assert refused.status_code == 409
    assert "You already work for Elsewhere Staffing" in text(refused)
    assert not Agency.objects.filter(name="Northwind Talent").exists()
    assert AgencyInvitation.objects.get(email=elsewhere.email).is_open

    # Signed in as someone else than the invited address: told so, nothing changes.
    other = http_client(tenant=tenant_a, user=UserFactory())
    assert other.post(_link_path(elsewhere.email)).status_code == 403
    assert not Agency.objects.filter(name="Northwind Talent").exists()


def test_the_invitation_page_refuses_what_cannot_work_with_the_reason(tenant_a, as_role, sent):
    admin = as_role(tenant_a, "admin")
    colleague = as_role(tenant_a, "interviewer")
    AgencyFactory(name="Talent Already Here")

    member = _invite(admin, sent, email=colleague.user.email)
    assert member.status_code == 400 and "is on your hiring team" in text(member)
    known = _invite(admin, sent, agency_name="talent already here", email="x@talent.example")
    assert known.status_code == 400
    assert "already on the platform: engage it instead" in text(known)
    terms = _invite(admin, sent, ownership_window_days="0", fee_percent="120")
    assert terms.status_code == 400
    assert not AgencyInvitation.objects.exists() and not mail.outbox

    assert _invite(admin, sent).status_code == 302
    twice = _invite(admin, sent, agency_name="Northwind Two")
    assert twice.status_code == 400 and "already open" in text(twice)
    assert AgencyInvitation.objects.count() == 1


def test_sent_again_the_old_link_stops_and_withdrawn_it_closes_after_a_confirmation(
    tenant_a, as_role, sent
):
    admin = as_role(tenant_a, "admin")
    _invite(admin, sent)
    invitation = AgencyInvitation.objects.get()
    first = _link_path(invitation.email)
    again = sent(lambda: admin.http.post(f"/agency-invitations/{invitation.public_id}/resend/"))
    assert again.status_code == 302
    second = _link_path(invitation.email)
    assert first != second
    old = http_client(tenant=tenant_a).get(first)
    assert old.status_code == 410 and "A newer invitation was sent" in text(old)
    assert http_client(tenant=tenant_a).get(second).status_code == 200
    assert _audit(tenant_a, "engagement.invitation_resent")[0].details["send_count"] == 2

    confirm = admin.http.get(f"/agency-invitations/{invitation.public_id}/revoke/")
    assert confirm.status_code == 200
    assert "The link sent to nia@northwind.example stops working" in text(confirm)
    invitation.refresh_from_db()
    assert invitation.is_open  # asking is not doing
    revoked = sent(lambda: admin.http.post(f"/agency-invitations/{invitation.public_id}/revoke/"))
    assert revoked.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert "withdrew its invitation" in mails_to(invitation.email)[-1].subject
    closed = http_client(tenant=tenant_a).post(second, NEW_ACCOUNT)
    assert closed.status_code == 410 and "withdrawn" in text(closed)
    assert not Agency.objects.filter(name="Northwind Talent").exists()
    assert admin.http.post(f"/agency-invitations/{invitation.public_id}/revoke/").status_code == 409
    assert _audit(tenant_a, "engagement.invitation_revoked")


def test_a_link_works_only_on_its_workspace_host_before_it_expires(
    tenant_a, tenant_b, as_role, sent
):
    admin = as_role(tenant_a, "admin")
    _invite(admin, sent)
    path = _link_path("nia@northwind.example")
    moved = http_client(tenant=tenant_b).post(path, NEW_ACCOUNT)
    assert moved.status_code == 400 and "damaged" in text(moved)
    public = http_client().get(path)
    assert public.status_code == 404
    damaged = http_client(tenant=tenant_a).get(path[:-6] + "x" + path[-5:])
    assert damaged.status_code == 400

    AgencyInvitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    expired = http_client(tenant=tenant_a).post(path, NEW_ACCOUNT)
    assert expired.status_code == 410 and "has expired" in text(expired)
    assert not Agency.objects.filter(name="Northwind Talent").exists()


def test_the_new_agencys_slug_is_drawn_free_of_existing_ones(tenant_a, as_role, sent):
    admin = as_role(tenant_a, "admin")
    AgencyFactory(name="Northwind Talent (old)", slug="northwind-talent", is_active=False)
    _invite(admin, sent)
    sent(
        lambda: http_client(tenant=tenant_a).post(_link_path("nia@northwind.example"), NEW_ACCOUNT)
    )
    assert Agency.objects.get(name="Northwind Talent").slug == "northwind-talent-2"


def test_only_the_client_admin_invites_and_sees_the_invitations(tenant_a, as_role):
    invitation = AgencyInvitationFactory(client=tenant_a)
    for role in ("hiring_manager", "executive", "interviewer", "recruiter", "agency_admin"):
        acting = as_role(tenant_a, role)
        assert acting.http.get("/engagements/invite/").status_code == 404, role
        revoke = f"/agency-invitations/{invitation.public_id}/revoke/"
        assert acting.http.get(revoke).status_code == 404, role
    agency_admin = as_role(tenant_a, "agency_admin")
    assert invitation.agency_name not in agency_admin.http.get("/engagements/").content.decode()


# --- removing a member asks first ------------------------------------------------------------


def test_removing_a_member_shows_what_it_means_before_it_happens(tenant_a, as_role, sent):
    admin = as_role(tenant_a, "admin")
    interviewer = as_role(tenant_a, "interviewer")
    people = admin.http.get("/people/").content.decode()
    path = f"/people/members/{interviewer.user.public_id}/remove/"
    assert f'href="{path}"' in people  # a link to the confirmation, not a one-click form

    confirm = admin.http.get(path)
    assert confirm.status_code == 200
    words = text(confirm)
    assert f"Remove {interviewer.user.display_name} from Alpha Robotics?" in words
    assert "access ends with the next page they open" in words
    assert "the audit trail keep their name" in words
    assert ClientMembership.objects.filter(user=interviewer.user, client=tenant_a).exists()
    assert not mails_to(interviewer.user.email)

    removed = sent(lambda: admin.http.post(path))
    assert removed.status_code == 302 and removed["Location"] == "/people/"
    assert not ClientMembership.objects.filter(user=interviewer.user, client=tenant_a).exists()
    assert mails_to(interviewer.user.email)[0].subject == "You were removed from Alpha Robotics"
    assert interviewer.http.get("/").status_code == 404


def test_the_confirmation_says_when_a_removal_is_refused(tenant_a, as_role):
    admin = as_role(tenant_a, "admin")
    manager = as_role(tenant_a, "hiring_manager")
    last = admin.http.get(f"/people/members/{admin.user.public_id}/remove/")
    assert last.status_code == 409 and "is the only admin" in text(last)
    assert "Leave Alpha Robotics?" in text(last)
    above = manager.http.get(f"/people/members/{admin.user.public_id}/remove/")
    assert above.status_code == 409 and "a role above yours" in text(above)
    assert '<form method="post" class="actions">' not in above.content.decode()


def test_an_agency_admin_confirms_removing_a_recruiter(tenant_a, as_role, sent):
    agency_admin = as_role(tenant_a, "agency_admin")
    recruiter = as_role(tenant_a, "recruiter", agency=agency_admin.agency)
    path = f"/people/members/{recruiter.user.public_id}/remove/"
    words = text(agency_admin.http.get(path))
    assert f"can no longer work for {agency_admin.agency.name}" in words
    assert "stay" in words and "submissions" in words
    assert sent(lambda: agency_admin.http.post(path)).status_code == 302
    assert not AgencyMembership.objects.filter(user=recruiter.user).exists()
