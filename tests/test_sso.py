"""Single sign-on through a real OpenID provider running locally (tests/oidc_provider/:
django-oauth-toolkit, its own process): discovery, authorization code with PKCE, signed ID
tokens. Nothing of the protocol is mocked."""

from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django_tenants.utils import schema_context

from accounts.models import SsoIdentity, SsoProvider
from accounts.sso import sign_in_rules_set, sso_provider_save
from audit.actors import Actor
from audit.models import AuditEntry
from tenants.models import ClientMembership, User
from tests.conftest import host_of, http_client
from tests.factories import (
    TEST_PASSWORD,
    AgencyFactory,
    AgencyMembershipFactory,
    EngagementFactory,
    UserFactory,
)
from tests.oidc_support import oidc_provider, provider_sign_in

pytestmark = pytest.mark.django_db

PEOPLE = [
    "ana:idp-pass-ana:ana@sso-corp.example:Ana Sso",
    "mal:idp-pass-mal:mal@sso-corp.example:Mal:unverified",
    "eve:idp-pass-eve:eve@elsewhere.example:Eve",
    "vic:idp-pass-vic:vic@sso-corp.example:Vic",
]


@pytest.fixture(scope="module")
def provider(tmp_path_factory, tenant_a):
    with (
        oidc_provider(
            tmp_path_factory.mktemp("oidc"),
            redirect_uris=[f"http://{host_of(tenant_a)}/accounts/sso/callback/"],
            people=PEOPLE,
        ) as running,
        override_settings(SSO_ALLOWED_PRIVATE_ISSUERS=[running.host_port]),
    ):
        yield running


@pytest.fixture
def configured(provider, tenant_a, as_role):
    admin = as_role(tenant_a, "admin")
    response = admin.http.post(
        "/settings/sign-in/",
        {
            "form": "sso",
            "issuer": provider.issuer,
            "oidc_client_id": provider.client_id,
            "client_secret": provider.client_secret,
            "is_enabled": "on",
            "domains": "sso-corp.example = hiring_manager",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return admin


def _sso_sign_in(tenant, username, password, client=None):
    browser = client or http_client(tenant=tenant)
    start = browser.get("/accounts/sso/start/?next=/briefs/")
    assert start.status_code == 302, start.content[:500]
    callback = provider_sign_in(start["Location"], username=username, password=password)
    parts = urlsplit(callback)
    assert parts.path == "/accounts/sso/callback/"
    return browser, browser.get(f"{parts.path}?{parts.query}")


def test_the_admin_configures_sso_and_a_first_time_person_joins_with_the_mapped_role(
    configured, tenant_a
):
    page = http_client(tenant=tenant_a).get("/accounts/login/")
    assert b"Sign in with Alpha Robotics's single sign-on" in page.content
    secret = SsoProvider.objects.get(client=tenant_a).client_secret_encrypted
    assert "provider-issued-secret" not in secret  # encrypted at rest

    browser, landed = _sso_sign_in(tenant_a, "ana", "idp-pass-ana")
    assert landed.status_code == 302 and landed["Location"] == "/briefs/"
    ana = User.objects.get(email="ana@sso-corp.example")
    assert ana.name == "Ana Sso" and not ana.has_usable_password()
    assert ClientMembership.objects.get(user=ana, client=tenant_a).role == "hiring_manager"
    assert browser.get("/briefs/").status_code == 200
    with schema_context(tenant_a.schema_name):
        joined = AuditEntry.objects.get(action="member.joined", object_id=str(ana.public_id))
    assert joined.details == {"role": "hiring_manager", "via": "sso"}

    # The next time the provider's subject finds the same person; the role given since stays.
    ClientMembership.objects.filter(user=ana).update(role="interviewer")
    _, again = _sso_sign_in(tenant_a, "ana", "idp-pass-ana")
    assert again.status_code == 302
    assert ClientMembership.objects.get(user=ana, client=tenant_a).role == "interviewer"
    assert SsoIdentity.objects.filter(user=ana).count() == 1


def test_an_sso_session_opens_only_its_own_workspace(configured, tenant_a, tenant_b):
    browser, _ = _sso_sign_in(tenant_a, "ana", "idp-pass-ana")
    assert browser.get("/").status_code == 200
    # The same cookie presented elsewhere counts as signed out (were it ever shared).
    assert browser.get("/account/", HTTP_HOST="localhost").status_code == 302
    assert browser.get("/", HTTP_HOST=host_of(tenant_b)).status_code == 302


def test_unverified_e_mail_and_unmapped_domains_are_refused_with_the_reason(configured, tenant_a):
    _, refused = _sso_sign_in(tenant_a, "mal", "idp-pass-mal")
    assert refused.status_code == 403
    assert b"did not confirm your e-mail address" in refused.content
    _, elsewhere = _sso_sign_in(tenant_a, "eve", "idp-pass-eve")
    assert elsewhere.status_code == 403
    assert b"does not give elsewhere.example addresses access" in elsewhere.content
    assert not User.objects.filter(email__in=["mal@sso-corp.example", "eve@elsewhere.example"])


def test_an_agency_person_cannot_join_the_hiring_side_through_sso(configured, tenant_a):
    vic = UserFactory(email="vic@sso-corp.example")
    agency = AgencyFactory()
    EngagementFactory(client=tenant_a, agency=agency)
    AgencyMembershipFactory(user=vic, agency=agency, role="recruiter")
    _, refused = _sso_sign_in(tenant_a, "vic", "idp-pass-vic")
    assert refused.status_code == 403
    assert not ClientMembership.objects.filter(user=vic).exists()


def test_a_forged_callback_signs_nobody_in(configured, tenant_a):
    browser = http_client(tenant=tenant_a)
    start = browser.get("/accounts/sso/start/")
    callback = provider_sign_in(start["Location"], username="ana", password="idp-pass-ana")
    parts = urlsplit(callback)
    forged = browser.get(f"{parts.path}?{parts.query.replace('state=', 'state=x')}")
    assert forged.status_code == 400
    assert "_auth_user_id" not in browser.session
    # A callback carried to another browser (no state of its own) fails too.
    stranger = http_client(tenant=tenant_a).get(f"{parts.path}?{parts.query}")
    assert stranger.status_code == 400


def test_mandatory_sso_sends_password_sessions_of_mapped_people_to_the_provider(
    configured, tenant_a
):
    actor = Actor.for_user(configured.user)
    with pytest.raises(ValidationError, match="Sign in once through single sign-on"):
        sign_in_rules_set(
            client=tenant_a, actor=actor, two_factor_required=False, sso_mandatory=True
        )
    _sso_sign_in(tenant_a, "ana", "idp-pass-ana")
    sign_in_rules_set(client=tenant_a, actor=actor, two_factor_required=False, sso_mandatory=True)
    ana = User.objects.get(email="ana@sso-corp.example")
    ana.set_password(TEST_PASSWORD)
    ana.save()
    by_password = http_client(tenant=tenant_a)
    assert (
        by_password.post(
            "/accounts/login/", {"username": ana.email, "password": TEST_PASSWORD}
        ).status_code
        == 302
    )
    response = by_password.get("/briefs/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/sso/start/")
    # People of other domains (the admin, here) keep their password.
    assert configured.http.get("/briefs/").status_code == 200
    tenant_a.sso_mandatory = False
    tenant_a.save()


@pytest.mark.parametrize(
    ("issuer", "reason"),
    [
        ("http://idp.example.com/realms/x", "https"),
        ("https://127.0.0.1:9/realms/x", "private or reserved"),
        ("https://10.1.2.3/realms/x", "private or reserved"),
        ("https://user:pw@idp.example.com/", "without a user name"),
    ],
)
def test_issuers_on_private_networks_or_plain_http_are_refused(tenant_a, issuer, reason):
    with pytest.raises(ValidationError) as refused:
        sso_provider_save(
            client=tenant_a,
            actor=Actor.system("tests"),
            issuer=issuer,
            oidc_client_id="x",
            client_secret="y",
            is_enabled=True,
            domains=[],
        )
    assert reason in " ".join(refused.value.message_dict["issuer"])
    assert not SsoProvider.objects.filter(client=tenant_a).exists()
