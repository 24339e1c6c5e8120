"""Signing in through the loopback OpenID Connect provider, and an assessor enrolling MFA."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.journeys import ACTIVATE_TOTP, enrol_totp
from tests.factories import AssessorFactory, CohortFactory
from tests.sso.conftest import oidc_provider, sso  # noqa: F401  (fixtures)

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
