"""Signing in through the loopback OpenID Connect provider, and an assessor enrolling MFA; a
learner signing in through the loopback SAML identity provider."""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import expect

from config.sso import saml_apps
from tests.e2e.journeys import ACTIVATE_TOTP, enrol_totp
from tests.factories import AssessorFactory, CohortFactory, LearnerFactory, PortfolioFactory
from tests.sso.conftest import SAML_SLUG, oidc_provider, saml_idp, sso  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_assessor_signs_in_through_sso_and_enrols_an_authenticator_app(page, sso, settings):  # noqa: F811
    settings.MFA_REQUIRED_ROLES = ["assessor", "tutor", "iqa", "staff", "eqa"]
    cohort = CohortFactory()
    AssessorFactory(username="priya", email="priya.shah@college.example", first_name="Priya")
    sso.next_person(email="priya.shah@college.example", email_verified=True, sub="priya")

    page.goto("/accounts/login/")
    page.get_by_role("button", name="Sign in with Test IdP").click()

    # Back from the provider, logged in, and sent to enrol before anything else.
    page.wait_for_url(ACTIVATE_TOTP)
    page.goto("/assessor/")
    enrol_totp(page)
    page.goto("/assessor/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My learners")
    assert cohort.pk


def test_a_learner_signs_in_through_a_saml_identity_provider(page, live_server, settings, saml_idp):  # noqa: F811
    settings.SOCIALACCOUNT_PROVIDERS = {"saml": {"APPS": saml_apps(saml_idp.environ())}}
    saml_idp.register(
        requests.get(f"{live_server.url}/accounts/saml/{SAML_SLUG}/metadata/", timeout=10).content
    )
    learner = LearnerFactory(email="amira.khan@college.example", first_name="Amira")
    PortfolioFactory(learner=learner)
    saml_idp.next_person(email="amira.khan@college.example", uid="amira@college.example")

    page.goto("/accounts/login/")
    page.get_by_role("button", name="Sign in with Test College").click()

    # To the IdP, whose page posts the signed Response back across sites, and in.
    page.wait_for_url(re.compile(r"/portfolios/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My portfolio")
