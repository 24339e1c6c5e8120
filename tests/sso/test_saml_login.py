"""SAML 2.0 sign-on against a real identity provider on loopback (tests/sso/saml_idp.py, pysaml2).

Each sign-on goes the whole way: the site's AuthnRequest to the IdP (HTTP-Redirect), the IdP's
signed Response posted back to the assertion consumer service (HTTP-POST), allauth's checks
(python3-saml: signature, audience, destination, times, InResponseTo), then our linking rules.
"""

from __future__ import annotations

from xml.etree import ElementTree as etree

import pyotp
import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import SESSION_KEY
from django.test import Client

from core.models import Portfolio, Role, User
from core.services import invitation_token
from tests.factories import AssessorFactory, InvitationFactory, LearnerFactory
from tests.sso.conftest import SAML_SLUG, configure_saml, post_to_acs, start_saml

pytestmark = pytest.mark.django_db

ENROL = "/accounts/2fa/totp/activate/"
CHALLENGE = "/accounts/2fa/authenticate/"
MD = "{urn:oasis:names:tc:SAML:2.0:metadata}"


def logged_in_as(client) -> User | None:
    pk = client.session.get(SESSION_KEY)
    return User.objects.get(pk=pk) if pk else None


def enrol_totp(client) -> pyotp.TOTP:
    totp = pyotp.TOTP(client.get(ENROL).context["form"].secret)
    assert client.post(ENROL, {"code": totp.now()}).status_code == 302
    return totp


@pytest.mark.parametrize("signed", ["assertion", "response"])
def test_a_learner_signs_in_through_the_idp(client, saml, signed):
    # ADFS and Entra ID sign the assertion, a Shibboleth IdP the whole response: both do.
    learner = LearnerFactory(email="anna.brown@college.example")

    acs, form = start_saml(
        client, saml, email="Anna.Brown@college.example", uid="anna@college.example", sign=signed
    )
    response = post_to_acs(client, acs, form)

    assert response.status_code == 302, response.content
    assert response["Location"] == "/"
    assert logged_in_as(client) == learner
    account = SocialAccount.objects.get(user=learner)
    assert (account.provider, account.uid) == ("saml-testsaml", "anna@college.example")
    # The next time the link itself opens the account, whatever the address then says.
    client.logout()
    post_to_acs(
        client, *start_saml(client, saml, email="renamed@elsewhere.example", uid="anna@college.example")
    )
    assert logged_in_as(client) == learner


def test_an_assessor_signs_in_then_enrols_and_is_asked_for_the_code_next_time(client, saml, settings):
    settings.MFA_REQUIRED_ROLES = ["assessor", "tutor", "iqa", "staff", "eqa"]
    assessor = AssessorFactory(email="priya.shah@college.example")

    response = post_to_acs(client, *start_saml(client, saml, email="priya.shah@college.example"))

    assert logged_in_as(client) == assessor
    assert client.get("/assessor/")["Location"] == ENROL  # a staff role enrols before anything else
    totp = enrol_totp(client)
    client.logout()

    response = post_to_acs(client, *start_saml(client, saml, email="priya.shah@college.example"))

    assert response["Location"] == CHALLENGE
    assert logged_in_as(client) is None  # not until the code
    response = client.post(CHALLENGE, {"code": totp.now()})
    assert response.status_code == 302
    assert logged_in_as(client) == assessor
    assert client.get("/assessor/").status_code == 200


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ({"signer": "rogue"}, "signature validation failed"),
        ({"tamper": True}, "signature validation failed"),
        ({"sign": "none"}, "no signature found"),
        ({"audience": "http://localhost/accounts/saml/elsewhere/metadata/"}, "is not a valid audience"),
        ({"lifetime_minutes": -10}, "could not validate timestamp: expired"),
    ],
    ids=["signed-by-another-key", "changed-after-signing", "unsigned", "for-another-audience", "expired"],
)
def test_a_bad_assertion_is_refused_and_signs_nobody_in(client, saml, caplog, answer, reason):
    LearnerFactory(email="bo@college.example")

    acs, form = start_saml(client, saml, email="bo@college.example", **answer)
    response = post_to_acs(client, acs, form)

    assert response.status_code == 401
    assert b"Single sign-on failed" in response.content
    assert logged_in_as(client) is None
    assert not SocialAccount.objects.exists()
    assert reason in caplog.text.lower()  # refused by the check meant, not by chance


def test_a_replayed_response_is_refused(client, saml):
    learner = LearnerFactory(email="cy@college.example")
    acs, form = start_saml(client, saml, email="cy@college.example")
    post_to_acs(client, acs, form)
    assert logged_in_as(client) == learner
    client.logout()

    # The same Response posted again: the sign-on it answered is over.
    response = post_to_acs(client, acs, form)

    assert response.status_code == 401
    assert b"Single sign-on failed" in response.content
    assert logged_in_as(client) is None


def test_a_response_posted_in_another_browser_is_refused(client, saml):
    LearnerFactory(email="di@college.example")
    acs, form = start_saml(client, saml, email="di@college.example")

    other = Client(HTTP_HOST="localhost")
    response = post_to_acs(other, acs, form)

    assert response.status_code == 401
    assert logged_in_as(other) is None


def test_an_address_the_deployment_does_not_vouch_for_links_no_account(client, settings, saml_idp):
    configure_saml(settings, client, saml_idp, TRUST_EMAIL="0")
    learner = LearnerFactory(email="ed@college.example")

    response = post_to_acs(client, *start_saml(client, saml_idp, email="ed@college.example"))

    assert response.status_code == 403
    assert b"did not confirm that the e-mail address" in response.content
    assert logged_in_as(client) is None
    assert not SocialAccount.objects.filter(user=learner).exists()


def test_an_unknown_person_is_refused_whatever_name_they_claim(client, saml):
    LearnerFactory(email="fran.ode@college.example", first_name="Fran", last_name="Ode")
    before = User.objects.count()

    response = post_to_acs(
        client, *start_saml(client, saml, email="f.ode@elsewhere.example", name="Fran Ode")
    )

    assert response.status_code == 403
    assert b"Accounts are made by invitation only" in response.content
    assert logged_in_as(client) is None
    assert User.objects.count() == before
    assert not SocialAccount.objects.exists()


def test_an_invitation_followed_into_saml_makes_the_account_without_a_password(
    client, settings, saml_idp, cohort
):
    configure_saml(settings, client, saml_idp, TRUST_EMAIL="0")  # the invitation is the credential
    invitation = InvitationFactory(cohort=cohort, email="gail@college.example", role=Role.LEARNER)
    url = f"/invitations/{invitation_token(invitation)}/sso/saml-{SAML_SLUG}/"

    response = post_to_acs(
        client, *start_saml(client, saml_idp, email="g.m@college.example", uid="g7", url=url)
    )

    gail = logged_in_as(client)
    assert response.status_code == 302
    assert gail is not None
    assert (gail.email, gail.role, gail.has_usable_password()) == (
        "gail@college.example",
        Role.LEARNER,
        False,
    )
    assert Portfolio.objects.filter(learner=gail, cohort=cohort).exists()
    assert SocialAccount.objects.get(user=gail).uid == "g7"


def test_the_metadata_describes_the_site_as_a_service_provider(client, saml):
    response = client.get(f"/accounts/saml/{SAML_SLUG}/metadata/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    root = etree.fromstring(response.content)
    assert root.tag == f"{MD}EntityDescriptor"
    assert root.get("entityID") == f"http://localhost/accounts/saml/{SAML_SLUG}/metadata/"
    acs = root.find(f"{MD}SPSSODescriptor/{MD}AssertionConsumerService")
    assert acs.get("Location") == f"http://localhost/accounts/saml/{SAML_SLUG}/acs/"
    assert acs.get("Binding") == "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
    # pysaml2, the IdP's own implementation, read it too: the sign-ons above went through it.


def test_the_metadata_offers_the_sites_key_for_encrypted_assertions(client, settings, saml_idp, sp_keys):
    configure_saml(settings, client, saml_idp, sp_keys, ENCRYPTED="1")

    root = etree.fromstring(client.get(f"/accounts/saml/{SAML_SLUG}/metadata/").content)

    descriptor = root.find(f"{MD}SPSSODescriptor")
    assert descriptor.get("AuthnRequestsSigned") == "true"
    assert {key.get("use") for key in descriptor.findall(f"{MD}KeyDescriptor")} == {"signing", "encryption"}


@pytest.mark.parametrize("signed", ["assertion", "response"])
def test_an_encrypted_assertion_signs_in_and_a_plain_one_is_refused_when_encryption_is_required(
    client, settings, saml_idp, sp_keys, caplog, signed
):
    # The UK federation's shape: a signed request, the assertion encrypted to the site's key
    # (a Shibboleth IdP signs the response around it, ADFS the assertion within).
    configure_saml(settings, client, saml_idp, sp_keys, ENCRYPTED="1")
    learner = LearnerFactory(email="hana@college.example")

    post_to_acs(
        client, *start_saml(client, saml_idp, email="hana@college.example", sign=signed, encrypt=True)
    )
    assert logged_in_as(client) == learner
    client.logout()

    response = post_to_acs(client, *start_saml(client, saml_idp, email="hana@college.example", sign=signed))
    assert response.status_code == 401
    assert logged_in_as(client) is None
    assert "is not encrypted" in caplog.text


def test_the_login_page_offers_the_idp_and_lets_its_form_go_there(client, saml):
    response = client.get("/accounts/login/")

    assert b"Sign in with Test College" in response.content
    assert f'action="/accounts/saml/{SAML_SLUG}/login/'.encode() in response.content
    assert f"form-action 'self' {saml.url}" in response["Content-Security-Policy"]


def test_the_invitation_page_offers_to_join_through_the_idp(client, saml, cohort):
    token = invitation_token(InvitationFactory(cohort=cohort, email="ivo@college.example"))

    response = client.get(f"/invitations/{token}/")

    assert b"Join with Test College" in response.content
    assert f'action="/invitations/{token}/sso/saml-{SAML_SLUG}/"'.encode() in response.content


def test_single_log_out_is_not_offered(client, saml, learner):
    # allauth's view would act on a LogoutRequest nobody signed: any page could log people out.
    client.force_login(learner)

    response = client.get(f"/accounts/saml/{SAML_SLUG}/sls/?SAMLRequest=anything")

    assert response.status_code == 404
    assert logged_in_as(client) == learner
