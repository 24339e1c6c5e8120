"""Nothing typed is lost: a draft outlives an expired session, and a second tab's save
is shown beside what the first typed (core/drafts.py, core/concurrency.py)."""

from __future__ import annotations

import re

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from strategy.models import Vision
from tests.e2e.conftest import log_in
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BEFORE = "Every customer who writes to us gets a person, not a script, within the hour."
AFTER = " Typed after the session had quietly expired."


@pytest.fixture
def vision_path(learner):
    return f"/portfolios/{learner.portfolios.get().pk}/strategy/vision/"


def test_text_typed_before_and_after_the_session_expired_is_offered_back(page, learner, vision_path):
    log_in(page, learner.username, TEST_PASSWORD)
    page.wait_for_url(re.compile(r"/portfolios/\d+/$"))
    page.goto(vision_path)
    statement = page.locator('[name="vision-vision_statement"]')

    statement.press_sequentially(BEFORE[:30])
    statement.fill(BEFORE)
    expect(page.locator("[data-draft-status]")).to_contain_text(re.compile(r"Saved as draft \d\d:\d\d"))
    Session.objects.all().delete()  # the session expires on the server
    statement.fill(BEFORE + AFTER)
    page.get_by_role("button", name=re.compile("Save")).first.click()

    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.get_by_label("Username").fill(learner.username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(re.escape(vision_path) + "$"))

    offer = page.locator("[data-draft-offer]")
    expect(offer).to_be_visible()
    expect(offer).to_contain_text("You have unsaved text from")
    assert not Vision.objects.filter(vision_statement__contains="script").exists()
    offer.get_by_role("button", name="Restore").click()
    expect(page.locator('[name="vision-vision_statement"]')).to_have_value(BEFORE + AFTER)
    page.get_by_role("button", name=re.compile("Save")).first.click()
    page.wait_for_url(re.compile(re.escape(vision_path) + "$"))
    assert Vision.objects.get().vision_statement == BEFORE + AFTER
    expect(page.locator("[data-draft-offer]")).to_have_count(0)


def test_the_second_tab_sees_both_versions_and_chooses(page, learner, vision_path):
    log_in(page, learner.username, TEST_PASSWORD)
    page.wait_for_url(re.compile(r"/portfolios/\d+/$"))
    left = page
    right = page.context.new_page()
    left.goto(vision_path)
    right.goto(vision_path)

    left.locator('[name="vision-vision_statement"]').fill("Saved first, in the left tab.")
    left.get_by_role("button", name=re.compile("Save")).first.click()
    left.wait_for_url(re.compile(re.escape(vision_path) + "$"))
    right.locator('[name="vision-vision_statement"]').fill("Typed second, in the right tab.")
    right.get_by_role("button", name=re.compile("Save")).first.click()

    panel = right.locator("[data-conflict]")
    expect(panel).to_contain_text("Saved elsewhere since you opened this page")
    expect(panel).to_contain_text("Saved first, in the left tab.")
    expect(panel).to_be_focused()
    statement = right.locator('[name="vision-vision_statement"]')
    expect(statement).to_have_value("Typed second, in the right tab.")
    assert Vision.objects.get().vision_statement == "Saved first, in the left tab."

    panel.get_by_role("button", name="Take theirs").first.click()
    expect(statement).to_have_value("Saved first, in the left tab.")
    statement.fill("Merged: saved first in the left tab, then typed second in the right.")
    right.get_by_role("button", name=re.compile("Save")).first.click()
    right.wait_for_url(re.compile(re.escape(vision_path) + "$"))
    assert Vision.objects.get().vision_statement.startswith("Merged")


def test_rows_added_before_the_draft_was_kept_come_back_with_their_text(page, learner):
    path = f"/portfolios/{learner.portfolios.get().pk}/audit/organisation/"
    log_in(page, learner.username, TEST_PASSWORD)
    page.wait_for_url(re.compile(r"/portfolios/\d+/$"))
    page.goto(path)
    page.get_by_role("button", name="+ Add a process").click()
    page.locator('[name="rows-1-how_it_runs"]').fill(
        "Returns are booked by phone, then collected within ten days."
    )
    expect(page.locator("[data-draft-status]")).to_contain_text("Saved as draft")

    page.goto(path)
    page.locator("[data-draft-offer]").get_by_role("button", name="Restore").click()

    expect(page.locator('[name="rows-1-how_it_runs"]')).to_have_value(
        "Returns are booked by phone, then collected within ten days."
    )
    expect(page.locator('[name="rows-TOTAL_FORMS"]')).to_have_value("2")
