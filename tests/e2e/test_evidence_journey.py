"""A learner adds each kind of evidence, maps it, sees the matrix change and opens it from there."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from core.models import Criterion
from demo.people import build_demo
from evidence.models import CriterionMapping
from tests.e2e.conftest import log_in
from tests.evidence.factories import png_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def criterion(code: str, framework: str = "CFACSD22") -> Criterion:
    return Criterion.objects.get(framework__code=framework, code=code)


def row(page, item: Criterion):
    return page.locator(f"#criterion-{item.pk}")


def open_coverage(page):
    page.get_by_role("link", name="Coverage of criteria").click()
    page.wait_for_url(re.compile(r"/evidence/coverage/"))


def map_from_item(page, item: Criterion, note: str) -> None:
    """On the item's picker: search, tick, write the note, save."""
    page.get_by_label("Search the criteria").fill(item.code)
    page.locator(f"#c-{item.pk}-on").check()
    if note:
        page.locator(f"#c-{item.pk}-note").fill(note)
    page.get_by_role("button", name="Save mappings").first.click()
    assert page.get_by_text("Mappings of").is_visible()


def test_a_learner_adds_each_kind_maps_it_and_opens_it_from_the_matrix(page):
    build_demo(learners=1)
    p2, p5, p6, k4 = criterion("P2"), criterion("P5"), criterion("P6"), criterion("K4")
    # The demo learner's guided steps cover every criterion: open four gaps to fill.
    CriterionMapping.objects.filter(
        evidence__portfolio__learner__username="learner", criterion__in=[p2, p5, p6, k4]
    ).delete()
    log_in(page, "learner", settings.DEMO_PASSWORD)
    page.get_by_role("link", name="Coverage", exact=True).click()
    for gap in (p2, p5, p6, k4):
        assert "No evidence" in row(page, gap).inner_text()

    # A file: a screenshot, checked and stored, then mapped from the item.
    page.get_by_role("button", name="Add evidence").click()
    page.get_by_role("link", name="Upload a file").click()
    page.get_by_label("File").set_input_files(
        {"name": "platform-survey.png", "mimeType": "image/png", "buffer": png_bytes((40, 30))}
    )
    page.get_by_label("Title").fill("Survey of where our customers are")
    page.get_by_role("button", name="Add evidence").click()
    page.locator("#personal-data").wait_for()  # an image lands on its page, checked for personal data
    page.get_by_role("link", name="Map to criteria").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile("^" + re.escape("Criteria proved by"))
    )
    map_from_item(page, p2, "The survey shows which platforms our customers use most.")

    # A reflection with a customer's e-mail: warned, redacted in one click, then saved.
    page.goto(page.url.split("/evidence/")[0] + "/evidence/add/reflection/")
    page.get_by_label("Title").fill("Communities that matter to us")
    page.get_by_label("Reflection").fill(
        "A member of the Sofa Lovers group, jo@example.org, told us what they want."
    )
    page.get_by_role("button", name="Add evidence").click()
    assert page.get_by_text("This may contain customers’ personal data").is_visible()
    page.get_by_role("button", name=re.compile(r"^Redact e-mail address")).click()
    assert "[e-mail removed]" in page.get_by_label("Reflection").input_value()
    page.get_by_role("button", name="Add evidence").click()
    map_from_item(page, p5, "Identifies the furniture communities our customers belong to.")

    # A link, mapped without a note: it only claims the criterion.
    page.goto(page.url.split("/evidence/")[0] + "/evidence/add/link/")
    page.get_by_label("Title").fill("Sofa Lovers UK group")
    page.get_by_label("Address of the page").fill("https://www.facebook.com/groups/sofaloversuk")
    page.get_by_role("button", name="Add evidence").click()
    map_from_item(page, p6, "")

    # A transcript, with a message added in the browser.
    page.goto(page.url.split("/evidence/")[0] + "/evidence/add/transcript/")
    page.get_by_label("Title").fill("Asking Oakhurst's customers on Facebook")
    page.get_by_label("Platform").select_option("facebook")
    page.get_by_label("Public or private").select_option("public")
    page.get_by_label("Scenario").select_option("complex")
    page.get_by_label("Real or simulated").select_option("simulated")
    page.locator("#id_messages-0-author").select_option("customer")
    page.locator("#id_messages-0-sent_at").fill("2026-03-07T09:00")
    page.locator("#id_messages-0-text").fill("Does anyone else use Facebook to ask about deliveries?")
    page.locator("#id_messages-1-author").select_option("organisation")
    page.locator("#id_messages-1-sent_at").fill("2026-03-07T09:25")
    page.locator("#id_messages-1-text").fill("We answer here seven days a week now.")
    page.locator("#id_messages-1-stage").select_option("acknowledge")
    page.get_by_role("button", name="Add a message").click()
    page.locator("#id_messages-2-author").select_option("customer")
    page.locator("#id_messages-2-sent_at").fill("2026-03-07T09:30")
    page.locator("#id_messages-2-text").fill("Good to know, thanks.")
    page.get_by_role("button", name="Add interaction").click()
    map_from_item(page, k4, "Shows how we use Facebook for customer service in public.")

    # The matrix has changed; each item opens from it.
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Evidence").click()
    open_coverage(page)
    assert "Evidenced" in row(page, p2).inner_text()
    assert "Evidenced" in row(page, p5).inner_text()
    assert "Claimed" in row(page, p6).inner_text()
    assert "Evidenced" in row(page, k4).inner_text()
    row(page, k4).get_by_role("link", name=re.compile("Asking Oakhurst")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Asking Oakhurst's customers on Facebook")
    assert page.get_by_text("replied after 25 min").is_visible()
    page.go_back()
    row(page, p2).get_by_role("link", name=re.compile("Survey of where")).click()
    assert page.locator("figure img").is_visible()


def test_a_learner_maps_evidence_from_a_criterion_in_the_matrix(page):
    build_demo(learners=1)
    p2 = criterion("P2")
    log_in(page, "learner", settings.DEMO_PASSWORD)
    page.get_by_role("link", name="Coverage", exact=True).click()

    row(page, p2).get_by_role("link", name=re.compile("Map evidence")).click()
    page.get_by_label("Search your evidence").fill("instagram poll")
    box = page.get_by_label(re.compile("Instagram poll"))
    box.check()
    page.get_by_label("How it proves P2").locator("visible=true").first.fill(
        "The poll shows where customers are."
    )
    page.get_by_role("button", name="Save").first.click()

    page.wait_for_url(re.compile(r"/coverage/"))
    assert "Evidenced" in row(page, p2).inner_text()
    assert "Instagram poll" in row(page, p2).inner_text()
