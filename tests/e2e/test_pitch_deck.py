"""In a real browser: the champion pitch as a slide deck, presented (criterion 3.4)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from playwright.sync_api import expect

from audit.synthetic import interactions_csv
from strategy import services
from strategy.completeness import PITCH_FIELDS
from tests.audit.factories import import_service_data
from tests.e2e.conftest import log_in
from tests.factories import TEST_PASSWORD
from tests.strategy.factories import RiskFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FIGURES = {
    "response_time_now": 300,
    "response_time_projected": 45,
    "cost_per_contact_now": D("4.80"),
    "cost_per_contact_projected": D("3.10"),
    "retention_now": 22,
    "retention_projected": 27,
    "nps_now": 18,
    "nps_projected": 30,
}
NOTES = {"opening": "Thank the board first.", "risks": "Point at the high band.", "actions": "Stop and wait."}


@pytest.fixture
def pitched(learner):
    portfolio = learner.portfolios.get()
    values = {name: f"About {label}." for name, label in PITCH_FIELDS}
    values.update(FIGURES, headline="Answer within the hour.", speaker_notes=NOTES)
    services.save_pitch(portfolio=portfolio, values=values, actor=learner)
    RiskFactory(portfolio=portfolio, likelihood=4, impact=4)
    import_service_data(portfolio, learner, interactions_csv(300))
    return portfolio


def deck(page, portfolio, query=""):
    page.goto(f"/portfolios/{portfolio.pk}/strategy/pitch/presentation/{query}")
    return page.locator(".pitch-slide:visible")


def test_the_audience_sees_one_slide_at_a_time_moved_by_keys_and_swipes(page, learner, pitched):
    log_in(page, learner.username, TEST_PASSWORD)
    visible = deck(page, pitched)

    assert visible.count() == 1
    expect(page.get_by_role("heading", level=1)).to_have_text("Answer within the hour.")
    page.keyboard.press("ArrowRight")
    assert visible.get_by_role("heading", level=2).inner_text() == "What it will change"
    page.keyboard.press("ArrowRight")
    assert visible.get_by_role("heading", level=2).inner_text() == "What our service data shows"
    assert visible.locator("svg.main-svg[role=img]").first.is_visible()  # the KPI chart, drawn
    page.keyboard.press("ArrowLeft")
    assert visible.get_by_role("heading", level=2).inner_text() == "What it will change"
    page.keyboard.press("End")
    assert visible.get_by_role("heading", level=2).inner_text() == "What I will do, and what I ask of you"
    assert page.get_by_role("button", name="Next").is_disabled()

    # A swipe to the right goes back a slide.
    box = visible.bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + 100, y)
    page.mouse.down()
    page.mouse.move(box["x"] + 400, y, steps=5)
    page.mouse.up()
    assert visible.get_by_role("heading", level=2).inner_text() == "Risks, and how we handle them"
    assert visible.locator("#risk-heat-map-caption").is_visible()
    # The audience never has the speaker's notes, not even hidden in the page.
    assert "Point at the high band." not in page.content()


def test_the_presenters_view_shows_the_notes_and_steers_the_audiences(page, learner, pitched):
    log_in(page, learner.username, TEST_PASSWORD)
    deck(page, pitched)
    presenter = page.context.new_page()
    visible = deck(presenter, pitched, "?view=presenter")

    assert "Thank the board first." in visible.inner_text()
    assert "Next: What it will change" in visible.inner_text()
    for _ in range(5):
        presenter.keyboard.press("ArrowRight")
    assert "Point at the high band." in visible.inner_text()

    audience = page.locator(".pitch-slide:visible")
    assert audience.get_by_role("heading", level=2).inner_text() == "Risks, and how we handle them"
    presenter.close()


def test_it_prints_every_slide_as_handouts(page, learner, pitched):
    log_in(page, learner.username, TEST_PASSWORD)
    deck(page, pitched)
    page.emulate_media(media="print")

    assert page.locator(".pitch-slide:visible").count() == 7
    assert page.locator(".handout-lines").first.is_visible()
    assert not page.get_by_role("button", name="Next").is_visible()
