"""Single sign-on against a real OpenID Connect provider on loopback (tests/sso/oidc_provider.py)."""

from __future__ import annotations

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import SESSION_KEY

from core.models import Membership, Portfolio, Role, User
from core.services import invitation_token
from tests.factories import TEST_PASSWORD, AssessorFactory, InvitationFactory, LearnerFactory
from tests.sso.conftest import start_sso

pytestmark = pytest.mark.django_db


def logged_in_as(client) -> User | None:
    pk = client.session.get(SESSION_KEY)
    return User.objects.get(pk=pk) if pk else None


def test_a_verified_address_of_an_account_links_it_and_logs_in(client, sso):
    learner = LearnerFactory(email="anna.brown@college.example")

    callback = start_sso(client, sso, email="Anna.Brown@college.example", verified=True, sub="anna-1")
    response = client.get(callback)

    assert response.status_code == 302
    assert logged_in_as(client) == learner
    assert SocialAccount.objects.get(user=learner).uid == "anna-1"
    # The next time the link itself opens the account, whatever the address then says.
    client.logout()
    client.get(start_sso(client, sso, email="renamed@college.example", verified=False, sub="anna-1"))
    assert logged_in_as(client) == learner


def test_an_invited_account_keeps_its_password_when_linked(client, sso, cohort):
    invitation = InvitationFactory(cohort=cohort, email="ben@college.example")
    client.post(
        f"/invitations/{invitation_token(invitation)}/",
        {
            "username": "ben",
            "first_name": "Ben",
            "last_name": "Ng",
            "email": "ben@college.example",
            "password1": TEST_PASSWORD,
            "password2": TEST_PASSWORD,
        },
    )
    ben = User.objects.get(username="ben")
    client.logout()

    client.get(start_sso(client, sso, email="ben@college.example", verified=True))

    assert logged_in_as(client) == ben
    ben.refresh_from_db()
    assert ben.check_password(TEST_PASSWORD)  # the invitation had proven the address


def test_an_unverified_address_that_matches_an_account_is_refused(client, sso):
    learner = LearnerFactory(email="cara@college.example")

    response = client.get(start_sso(client, sso, email="cara@college.example", verified=False))

    assert response.status_code == 403
    assert b"did not confirm that the e-mail address" in response.content
    assert logged_in_as(client) is None
    assert not SocialAccount.objects.filter(user=learner).exists()


def test_an_unknown_address_is_refused_and_signs_nobody_up(client, sso):
    before = User.objects.count()

    response = client.get(start_sso(client, sso, email="stranger@elsewhere.example", verified=True))

    assert response.status_code == 403
    assert b"Accounts are made by invitation only" in response.content
    assert User.objects.count() == before
    assert not SocialAccount.objects.exists()


def test_a_callback_with_another_state_is_refused(client, sso):
    LearnerFactory(email="dan@college.example")
    callback = start_sso(client, sso, email="dan@college.example", verified=True)
    forged = callback.replace("state=", "state=forged")

    response = client.get(forged)

    assert logged_in_as(client) is None
    assert response.status_code == 401
    assert b"Single sign-on failed" in response.content


def test_a_replayed_callback_and_a_reused_code_are_refused(client, sso):
    learner = LearnerFactory(email="eve@college.example")
    callback = start_sso(client, sso, email="eve@college.example", verified=True)
    client.get(callback)
    assert logged_in_as(client) == learner
    client.logout()

    response = client.get(callback)  # the same callback again: its state was used up
    assert response.status_code == 401
    assert logged_in_as(client) is None

    # A fresh state of this browser's, with the code already spent: the provider refuses it.
    fresh = start_sso(client, sso, email="eve@college.example", verified=True)
    old_code = callback.split("code=")[1].split("&")[0]
    new_code = fresh.split("code=")[1].split("&")[0]
    response = client.get(fresh.replace(new_code, old_code))
    assert b"Single sign-on failed" in response.content
    assert logged_in_as(client) is None


def test_an_invitation_followed_into_sso_makes_the_account_without_a_password(client, sso, cohort):
    invitation = InvitationFactory(cohort=cohort, email="fay@college.example", role=Role.LEARNER)
    url = f"/invitations/{invitation_token(invitation)}/sso/testidp/"

    # The invitation is the credential: the provider need not vouch for the address.
    response = client.get(start_sso(client, sso, email="f.smith@college.example", verified=False, url=url))

    fay = logged_in_as(client)
    assert response.status_code == 302
    assert fay is not None
    assert fay.email == "fay@college.example"
    assert fay.role == Role.LEARNER
    assert not fay.has_usable_password()
    assert Portfolio.objects.filter(learner=fay, cohort=cohort).exists()
    assert SocialAccount.objects.get(user=fay).uid == "sub-f.smith@college.example"
    invitation.refresh_from_db()
    assert invitation.accepted_by == fay


def test_a_used_invitation_cannot_be_followed_into_sso_again(client, sso, cohort):
    invitation = InvitationFactory(cohort=cohort, email="gus@college.example", role=Role.ASSESSOR)
    url = f"/invitations/{invitation_token(invitation)}/sso/testidp/"
    client.get(start_sso(client, sso, email="gus@college.example", verified=True, url=url))
    assert Membership.objects.filter(cohort=cohort, user__email="gus@college.example").count() == 1
    client.logout()

    response = client.post(url)

    assert response.status_code == 410
    assert User.objects.filter(email="gus@college.example").count() == 1


def test_the_password_form_refuses_people_of_an_sso_only_domain(client, settings, db):
    settings.SSO_ONLY_DOMAINS = ["college.example"]
    assessor = AssessorFactory(email="hal@College.example")

    response = client.post("/accounts/login/", {"username": assessor.username, "password": TEST_PASSWORD})

    assert response.status_code == 200
    assert b"Passwords are switched off for your account" in response.content
    assert logged_in_as(client) is None


def test_the_login_page_offers_each_configured_provider(client, sso):
    response = client.get("/accounts/login/")

    assert b"Sign in with Test IdP" in response.content
    assert b'action="/accounts/oidc/testidp/login/' in response.content


def test_the_login_page_lets_its_form_go_on_to_the_provider_and_no_further(client, sso):
    policy = client.get("/accounts/login/")["Content-Security-Policy"]

    assert f"form-action 'self' {sso.url}" in policy
    # Other pages keep the policy whole.
    assert f"{sso.url}" not in client.get("/accounts/password_reset/")["Content-Security-Policy"]


def test_the_invitation_page_offers_to_join_through_sso(client, sso, cohort):
    invitation = InvitationFactory(cohort=cohort, email="jo@college.example")
    token = invitation_token(invitation)

    response = client.get(f"/invitations/{token}/")

    assert b"Join with Test IdP" in response.content
    assert f'action="/invitations/{token}/sso/testidp/"'.encode() in response.content
