"""In a real browser: a new learner's first look around, on a desktop and on a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


TOUR_TARGET = re.compile(r"\btour-target\b")


def test_the_tour_points_at_each_place_and_once_skipped_stays_away(page, learner):
    log_in(page, learner.username, TEST_PASSWORD)
    tour = page.locator("[data-tour-panel]")

    expect(tour.get_by_text("Step 1 of 4")).to_be_visible()  # waits for the tour's script
    expect(page.locator('[data-tour="nav-1"]')).to_have_class(TOUR_TARGET)
    tour.get_by_role("button", name="Next").click()
    assert tour.get_by_text("Where to start").is_visible()
    tour.get_by_role("button", name="Next").click()
    expect(page.locator('[data-tour="notifications"]')).to_have_class(TOUR_TARGET)
    tour.get_by_role("button", name="Back").click()
    assert tour.get_by_text("Step 2 of 4").is_visible()
    tour.get_by_role("button", name="Skip the tour").click()

    tour.wait_for(state="detached")
    page.reload()
    assert page.locator("[data-tour-panel]").count() == 0


def test_on_a_phone_the_tour_points_at_the_menu_button(browser, live_server, learner):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, learner.username, TEST_PASSWORD)

    expect(page.locator('[data-tour="menu"]')).to_have_class(TOUR_TARGET)  # once the tour script has run
    for _ in range(3):
        page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Got it").click()
    page.locator("[data-tour-panel]").wait_for(state="detached")
    context.close()
