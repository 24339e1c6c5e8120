"""An assessor's observation in a browser: the assessor records the champion pitch against
CSSMS 3.4 and CFACSD22 P12, the learner reads and accepts it, and after submission the
assessor finds it, confirmed, in the marking workspace's panel of 3.4."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from assessment import services as assessment
from core.models import Framework
from evidence.models import Evidence
from tests.e2e.conftest import log_in
from tests.evidence.factories import png_bytes
from tests.factories import TEST_PASSWORD, CriterionFactory, CriterionGroupFactory, FrameworkFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def champion(learner, cohort):
    unit = FrameworkFactory(code="CSSMS", kind=Framework.Kind.UNIT, title="Social media strategy")
    outcome = CriterionGroupFactory(framework=unit, code="3", kind="outcome", order=1)
    pitch = CriterionFactory(group=outcome, code="3.4", order=4, text="Champion the strategy to colleagues")
    standard = FrameworkFactory(code="CFACSD22", kind=Framework.Kind.STANDARD)
    performance = CriterionGroupFactory(framework=standard, code="P", kind="performance", order=1)
    colleagues = CriterionFactory(group=performance, code="P12", order=12, text="Work with colleagues")
    cohort.frameworks.set([unit, standard])
    return learner.portfolios.get(), pitch, colleagues


def test_an_observation_is_recorded_confirmed_and_read_in_the_workspace(page, assessor, learner, champion):
    portfolio, pitch, colleagues = champion
    log_in(page, assessor.username, TEST_PASSWORD)
    page.goto(f"/portfolios/{portfolio.pk}/evidence/")
    page.get_by_role("link", name="Record an observation").click()
    page.get_by_label("Title").fill("Observation: champion pitch")
    page.get_by_label("Date observed").fill("2026-11-03")
    page.get_by_label("Place").fill("Fernleaf Home, team room")
    page.get_by_label("Duration (minutes)").fill("25")
    page.get_by_label("Activity observed").fill("Pitched the social media plan to the customer team.")
    page.get_by_label("What you saw and heard against CSSMS 3.4").fill(
        "Explained the plan's aims and answered the team's doubts about weekend cover."
    )
    page.get_by_label("What you saw and heard against CFACSD22 P12").fill(
        "Agreed the weekend rota with two colleagues during the meeting."
    )
    page.get_by_label("Photos or files").set_input_files(
        files=[{"name": "pitch.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    expect(page.locator(f"#c-{pitch.pk}-on")).to_be_checked()  # writing a note ticks it
    expect(page.locator(f"#c-{colleagues.pk}-on")).to_be_checked()
    page.get_by_role("button", name=re.compile("^Save the record")).click()
    expect(page.get_by_role("heading", name="Observation: champion pitch", level=1)).to_be_visible()
    expect(page.get_by_text("Awaiting the learner’s confirmation").first).to_be_visible()

    page.goto("about:blank")  # nothing of the last page still in flight

    page.context.clear_cookies()
    log_in(page, learner.username, TEST_PASSWORD)
    evidence = Evidence.objects.get(kind="observation")
    page.goto(evidence.get_absolute_url())
    expect(page.get_by_text("Agreed the weekend rota with two colleagues")).to_be_visible()
    expect(page.get_by_role("link", name="pitch.png")).to_be_visible()
    page.get_by_role("button", name="I accept this record").click()
    expect(page.get_by_text("Record confirmed.")).to_be_visible()
    expect(page.get_by_text("Confirmed by the learner").first).to_be_visible()
    evidence.observation.refresh_from_db()
    expect(page.locator("code.digest")).to_have_text(evidence.observation.confirmed_digest)

    assessment.submit_portfolio(portfolio=portfolio, declaration_signed=True, actor=learner)
    page.goto("about:blank")  # nothing of the last page still in flight
    page.context.clear_cookies()
    log_in(page, assessor.username, TEST_PASSWORD)
    page.goto(f"/portfolios/{portfolio.pk}/versions/1/workspace/")
    page.locator(f"#ws-item-{pitch.pk}").click()
    panel = page.locator("#ws-panel")
    expect(panel.get_by_role("heading", name=re.compile(r"^CSSMS 3\.4\b"))).to_be_visible()
    record = panel.locator("article.ws-evidence", has_text="Observation: champion pitch")
    expect(record).to_contain_text("What the assessor saw and heard: Explained the plan's aims")
    expect(record).to_contain_text("Fernleaf Home, team room")
    expect(record).to_contain_text("Confirmed by the learner")
    expect(record).to_contain_text("pitch.png")
    page.screenshot(path="/tmp/h18-records-workspace.png", full_page=True)
