"""A signed-off learner downloads their credential; the public verification page, with nobody
logged in, confirms it and rejects a copy altered by one character."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from assessment import services as assessment
from tests.e2e.conftest import log_in
from tests.e2e.journeys import altered
from tests.e2e.test_accessibility import FAILING_IMPACTS, _describe, _scan
from tests.evidence.factories import EvidenceFactory, MappingFactory
from tests.factories import TEST_PASSWORD
from tests.portfolio.conftest import decide

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _signed_off(learner, assessor):
    portfolio = learner.portfolios.get()
    criteria = list(portfolio.cohort.frameworks.get().criteria.order_by("order"))
    reflection = EvidenceFactory(portfolio=portfolio, title="Why weekend replies on X were slow")
    for criterion in criteria:
        MappingFactory(evidence=reflection, criterion=criterion, note="Explains the backlog.")
    version = assessment.submit_portfolio(portfolio=portfolio, declaration_signed=True, actor=learner)
    for criterion in criteria:
        decide(version, criterion, assessor)
    # Committed at once (a transactional test): the credential is issued after the commit.
    assessment.sign_off_version(version=version, comment="Well done.", actor=assessor)
    return portfolio


def _assert_accessible(page) -> None:
    """No serious or critical WCAG 2.2 AA violation (axe-core, as tests/e2e/test_accessibility.py)."""
    failing = [v for v in _scan(page) if v["impact"] in FAILING_IMPACTS]
    assert failing == [], _describe(failing)


def test_the_learner_downloads_the_credential_and_anyone_can_verify_it(page, learner, assessor, tmp_path):
    portfolio = _signed_off(learner, assessor)
    log_in(page, learner.username, TEST_PASSWORD)

    page.goto(f"/portfolios/{portfolio.pk}/")
    card = page.get_by_test_id("credential-card")
    expect(card).to_be_visible()
    with page.expect_download() as download:
        card.get_by_role("link", name="Download the credential (.jwt)").click()
    path = tmp_path / "credential.jwt"
    download.value.save_as(path)
    token = path.read_text()
    assert token.count(".") == 2
    share_link = card.get_by_label("Link to share").input_value()
    _assert_accessible(page)

    # Nobody logged in from here on.
    page.context.clear_cookies()
    page.goto(share_link)
    expect(page.get_by_test_id("verdict")).to_contain_text("Valid")
    expect(page.get_by_test_id("learner-name")).to_have_text(learner.display_name)
    expect(page.get_by_test_id("status")).to_have_text("Not revoked")
    _assert_accessible(page)

    page.goto("/credentials/verify/")
    page.get_by_label("Or upload the .jwt file").set_input_files(str(path))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_test_id("verdict")).to_have_attribute("data-verdict", "valid")
    expect(page.get_by_test_id("learner-name")).to_have_text(learner.display_name)
    _assert_accessible(page)

    page.get_by_label("Paste the credential").fill(altered(token))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_test_id("verdict")).to_have_attribute("data-verdict", "invalid_signature")
    expect(page.get_by_test_id("verdict")).to_contain_text("Invalid signature")
    expect(page.get_by_test_id("learner-name")).to_have_count(0)
    _assert_accessible(page)


def test_staff_revoke_a_credential_and_its_page_says_so(page, learner, assessor, staff):
    _signed_off(learner, assessor)
    credential = learner.portfolios.get().versions.get().credential
    log_in(page, staff.username, TEST_PASSWORD)

    page.goto("/credentials/staff/")
    _assert_accessible(page)
    page.get_by_label("Reason").fill("Issued to the wrong learner.")
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text(f"The credential of {learner.display_name} has been revoked.")).to_be_visible()

    page.context.clear_cookies()
    page.goto(credential.get_absolute_url())
    expect(page.get_by_test_id("verdict")).to_have_attribute("data-verdict", "revoked")
    expect(page.get_by_test_id("status")).to_contain_text("Revoked")
    expect(page.get_by_text("wrong learner")).to_have_count(0)
