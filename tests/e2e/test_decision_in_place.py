"""In the marking workspace a decision saves in place: no reload, the outcome of saving shows in
the criterion's panel, where the assessor is, and a refused form keeps what was typed."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from assessment import services as assessment
from tests.e2e.conftest import log_in
from tests.evidence.factories import EvidenceFactory, MappingFactory
from tests.factories import TEST_PASSWORD, framework_with_criteria

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def titled(text: str) -> re.Pattern[str]:
    """A heading whose name starts with ``text``: the panel's own, not its thread's."""
    return re.compile("^" + re.escape(text) + r"\b")


@pytest.fixture
def long_version(learner, cohort):
    cohort.frameworks.set([framework_with_criteria("LONG", 25)])
    portfolio = learner.portfolios.get()
    reflection = EvidenceFactory(portfolio=portfolio, title="Weekend backlog")
    criteria = list(cohort.frameworks.get().criteria.order_by("order"))
    for criterion in criteria:
        MappingFactory(evidence=reflection, criterion=criterion, note="Explains the backlog.")
    version = assessment.submit_portfolio(portfolio=portfolio, declaration_signed=True, actor=learner)
    return version, criteria


def test_the_outcome_of_saving_a_decision_is_in_view_without_a_reload(page, assessor, long_version):
    version, criteria = long_version
    last, other = criteria[-1], criteria[-2]
    log_in(page, assessor.username, TEST_PASSWORD)
    page.goto(f"/portfolios/{version.portfolio_id}/versions/1/workspace/?c={last.pk}")
    page.evaluate("window.notReloaded = true")

    panel = page.locator("#ws-panel")
    panel.get_by_label("Met", exact=True).check()
    panel.get_by_role("button", name=f"Save decision on {last.code}").click()
    expect(page.get_by_text(f"Decision on {last.code} saved.")).to_be_in_viewport()
    expect(page.get_by_role("heading", name=titled(f"LONG {last.code}"))).to_be_in_viewport()
    expect(page.locator("#ws-progress").get_by_text("1 of 25 decided")).to_be_in_viewport()

    page.locator(f"#ws-item-{other.pk}").click()
    expect(page.get_by_role("heading", name=titled(f"LONG {other.code}"))).to_be_visible()
    panel.get_by_label(f"Feedback on {other.code}").fill("Weekday figures only.")
    panel.get_by_role("button", name=f"Save decision on {other.code}").click()
    expect(page.get_by_text("Choose met or not yet met.")).to_be_in_viewport()
    expect(panel.get_by_label(f"Feedback on {other.code}")).to_have_value("Weekday figures only.")
    assert page.evaluate("window.notReloaded") is True
    assert page.url.endswith(f"?c={other.pk}")
