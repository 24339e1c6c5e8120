"""Talking a version through in the browser: the assessor starts a thread on a criterion, the
learner answers from the notification, the assessor sees the answer; the assessor pins an
annotation on a photo, and the learner follows its marker to the comment."""

from __future__ import annotations

import re

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from assessment import services as assessment
from tests.e2e.conftest import log_in
from tests.e2e.test_accessibility import FAILING_IMPACTS, _describe, _scan
from tests.evidence.factories import FileEvidenceFactory, MappingFactory, png_bytes
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def submitted(learner, cohort):
    portfolio = learner.portfolios.get()
    criterion = cohort.frameworks.get().criteria.order_by("order").first()
    photo = FileEvidenceFactory(
        portfolio=portfolio,
        title="Weekend response screenshot",
        file=ContentFile(png_bytes((400, 300)), name="screenshot.png"),
    )
    MappingFactory(evidence=photo, criterion=criterion, note="Shows the response time.")
    version = assessment.submit_portfolio(portfolio=portfolio, declaration_signed=True, actor=learner)
    return version, criterion, photo


def _as(browser, live_server, user):
    context = browser.new_context(
        base_url=live_server.url, locale="en-GB", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    log_in(page, user.username, TEST_PASSWORD)
    return context, page, refused


def _assert_accessible(page) -> None:
    serious = [v for v in _scan(page) if v["impact"] in FAILING_IMPACTS]
    assert serious == [], _describe(serious)


def test_a_thread_on_a_criterion_is_answered_and_read(browser, live_server, assessor, learner, submitted):
    version, criterion, _ = submitted
    thread_path = f"/portfolios/{version.portfolio_id}/versions/1/criteria/{criterion.pk}/thread/"
    label = f"{criterion.framework.code} {criterion.code}"

    context, page, refused = _as(browser, live_server, assessor)
    page.goto(thread_path)
    page.get_by_label(f"Your message about {label}").fill("Which week do these response times cover?")
    page.get_by_role("button", name="Send message").click()
    thread = page.locator(f"#thread-criterion-{criterion.pk}")
    expect(thread.get_by_text("Which week do these response times cover?")).to_be_visible()
    expect(page.get_by_label(f"Your message about {label}")).to_have_value("")  # swapped in, no reload
    page.get_by_role("button", name="Send message").click()  # empty: refused beside the form
    expect(thread.get_by_role("alert")).to_contain_text("Write your message first.")
    _assert_accessible(page)
    context.close()

    context_l, learner_page, refused_l = _as(browser, live_server, learner)
    learner_page.goto("/notifications/")
    learner_page.get_by_role("link", name=re.compile(f"wrote about {re.escape(label)}")).click()
    expect(learner_page).to_have_url(re.compile(re.escape(thread_path)))
    learner_page.get_by_label(f"Your message about {label}").fill(
        "The first week of March, weekends included."
    )
    learner_page.get_by_role("button", name="Send message").click()
    expect(learner_page.get_by_text("The first week of March, weekends included.")).to_be_visible()
    context_l.close()

    context, page, refused_a = _as(browser, live_server, assessor)
    page.goto("/notifications/")
    page.get_by_role("link", name=re.compile(f"wrote about {re.escape(label)}")).click()
    expect(page.get_by_text("The first week of March, weekends included.")).to_be_visible()
    expect(page.locator(f"#thread-criterion-{criterion.pk} li")).to_have_count(2)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path="/tmp/h17-threads-criterion-390.png", full_page=True)
    context.close()
    assert refused + refused_l + refused_a == []


def test_an_annotation_pinned_on_a_photo_and_a_discussion_under_the_item(
    browser, live_server, assessor, learner, submitted
):
    version, _, photo = submitted
    version_path = f"/portfolios/{version.portfolio_id}/versions/1/"

    context, page, refused = _as(browser, live_server, assessor)
    page.goto(version_path)
    card = page.locator(f"#item-{photo.pk}")
    card.get_by_text("Annotate this item").click()
    image = card.get_by_role("img", name="Weekend response screenshot")
    box = image.bounding_box()
    image.click(position={"x": box["width"] * 0.25, "y": box["height"] * 0.5})
    expect(card.get_by_label("Across (% from the left)")).to_have_value(re.compile(r"^2[45]\."))
    card.get_by_label("Annotation", exact=True).fill("The clock is cropped off here.")
    card.get_by_role("button", name="Add annotation").click()
    marker = card.get_by_role("button", name="Annotation 1: The clock is cropped off here.")
    expect(marker).to_be_visible()
    card.get_by_text("Discuss").click()
    card.get_by_label("Your message about the evidence").fill("Can you add an uncropped copy?")
    card.get_by_role("button", name="Send message").click()
    expect(card.get_by_text("Can you add an uncropped copy?")).to_be_visible()
    _assert_accessible(page)
    page.screenshot(path="/tmp/h17-threads-assessor.png", full_page=True)
    context.close()

    context, page, refused_l = _as(browser, live_server, learner)
    page.goto(version_path)
    card = page.locator(f"#item-{photo.pk}")
    expect(card.get_by_text("Annotate this item")).to_have_count(0)
    marker = card.get_by_role("button", name="Annotation 1: The clock is cropped off here.")
    marker.focus()
    page.keyboard.press("Enter")
    expect(card.locator("li[id^=annotation-]")).to_be_focused()
    card.get_by_text("Discuss (1 message)").click()
    expect(card.get_by_text("Can you add an uncropped copy?")).to_be_visible()
    _assert_accessible(page)
    page.screenshot(path="/tmp/h17-threads-learner.png", full_page=True)
    context.close()
    assert refused + refused_l == []
