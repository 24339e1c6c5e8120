"""The full assessment cycle in a browser: submit, return with feedback, resubmit,
sign off, sample, and the tutor reads the trail."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in
from tests.evidence.factories import EvidenceFactory, MappingFactory
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _switch(page, user) -> None:
    page.goto("about:blank")  # nothing of the last page still in flight
    page.context.clear_cookies()
    log_in(page, user.username, TEST_PASSWORD)


def _decide(page, criterion, status: str, feedback: str = "") -> None:
    """Choose the criterion in the workspace's list and save a decision in its panel."""
    page.locator(f"#ws-item-{criterion.pk}").click()
    panel = page.locator(f'#ws-panel[data-pk="{criterion.pk}"]')
    panel.get_by_label(status, exact=True).check()
    if feedback:
        panel.get_by_label(f"Feedback on {criterion.code}").fill(feedback)
    panel.get_by_role("button", name=f"Save decision on {criterion.code}").click()
    panel.get_by_text(f"Decision on {criterion.code} saved.").wait_for()


def test_submit_return_resubmit_sign_off_sample_and_read_the_trail(page, learner, assessor, tutor, iqa):
    portfolio = learner.portfolios.get()
    criteria = list(portfolio.cohort.frameworks.get().criteria.order_by("order"))
    reflection = EvidenceFactory(portfolio=portfolio, title="Why weekend replies on X were slow")
    for criterion in criteria:
        MappingFactory(evidence=reflection, criterion=criterion, note="Explains the backlog.")

    # The learner submits; without the declaration it is refused.
    _switch(page, learner)
    page.goto(f"/portfolios/{portfolio.pk}/submit/")
    page.get_by_role("button", name="Submit version 1").click()
    # The page opens on a summary of the error, whose link leads to the checkbox at fault.
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_in_viewport()
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="Sign the authenticity declaration before you submit.").click()
    expect(page.get_by_label("I sign this declaration")).to_be_focused()
    expect(page.locator("#declaration-error")).to_be_in_viewport()
    page.get_by_label("I sign this declaration").check()
    page.get_by_role("button", name="Submit version 1").click()
    page.get_by_text("Version 1 submitted.").wait_for()

    # The assessor finds it in the queue and returns it with feedback.
    _switch(page, assessor)
    page.goto("/assessment/queue/")
    page.get_by_role("link", name=learner.display_name, exact=True).click()
    assert page.get_by_text("Why weekend replies on X were slow").first.is_visible()
    page.get_by_role("link", name="Start marking in the workspace").click()
    _decide(page, criteria[0], "Met")
    _decide(page, criteria[1], "Not yet met", "Add the weekend response times.")
    for criterion in criteria[2:]:
        _decide(page, criterion, "Met")
    page.get_by_label("Overall comment for the learner").fill("Nearly there.")
    page.get_by_role("button", name="Return for resubmission").click()
    page.get_by_text("Version 1 returned with your feedback.").wait_for()

    # The learner reads the feedback, adds evidence and submits version 2.
    _switch(page, learner)
    page.goto(f"/portfolios/{portfolio.pk}/versions/")
    assert page.get_by_text("Add the weekend response times.").is_visible()
    EvidenceFactory(portfolio=portfolio, title="Weekend response times, March")
    page.goto(f"/portfolios/{portfolio.pk}/submit/")
    page.get_by_label("I sign this declaration").check()
    page.get_by_role("button", name="Submit version 2").click()
    page.get_by_text("Version 2 submitted.").wait_for()

    # The assessor sees what changed and signs off.
    _switch(page, assessor)
    page.goto(f"/portfolios/{portfolio.pk}/versions/2/")
    page.get_by_role("link", name="Changes since version 1").click()
    assert page.get_by_text("Weekend response times, March").is_visible()
    page.goto(f"/portfolios/{portfolio.pk}/versions/2/workspace/")
    for criterion in criteria:
        _decide(page, criterion, "Met")
    page.get_by_role("button", name="Sign off").click()
    page.get_by_text("Version 2 signed off.").wait_for()
    assert page.get_by_role("heading", name="Signed off", level=2).is_visible()

    # The quality assurer samples a decision and agrees.
    _switch(page, iqa)
    page.goto("/quality/sampling/")
    first = criteria[0]
    page.get_by_label(
        f"Sample {first.framework.code} {first.code} for {learner.display_name}, version 2"
    ).check()
    page.get_by_role("button", name="Sample the chosen decisions").click()
    page.get_by_text("1 decision sampled.").wait_for()
    page.get_by_label("Agree").check()
    page.get_by_role("button", name="Record finding").click()
    page.get_by_text("Finding recorded.").wait_for()

    # The tutor reads the trail.
    _switch(page, tutor)
    page.goto(f"/portfolios/{portfolio.pk}/trail/")
    trail = page.locator("table").inner_text()
    for action in ("Submitted", "Returned for resubmission", "Signed off", "Sampled for quality assurance"):
        assert action in trail
