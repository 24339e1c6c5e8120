"""The marking workspace in a browser: an assessor opens a waiting version from the queue, looks
at a photo and a PDF beside the criterion they prove, marks every criterion with the keyboard
alone (one of them not yet met, with feedback), and returns the version; annotates an item and
discusses it without leaving the panel; on a phone the panel comes first with the list below it,
on a tablet the two sit side by side."""

from __future__ import annotations

import hashlib
import io
import re

import pikepdf
import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from assessment import services as assessment
from assessment.models import Annotation, ThreadMessage
from core.models import CriterionDecision, Framework, VersionOutcome
from evidence.models import Evidence
from tests.e2e.conftest import log_in
from tests.evidence.factories import EvidenceFactory, FileEvidenceFactory, MappingFactory
from tests.factories import TEST_PASSWORD, CriterionFactory, CriterionGroupFactory, FrameworkFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def titled(text: str) -> re.Pattern[str]:
    """A heading whose name starts with ``text``: the panel's own, not its thread's."""
    return re.compile("^" + re.escape(text) + r"\b")


def _pdf() -> bytes:
    pdf = pikepdf.new()
    page = pdf.add_blank_page(page_size=(595, 842))
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    page.Contents = pdf.make_stream(b"BT /F1 24 Tf 72 720 Td (Delivery complaints briefing) Tj ET")
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


@pytest.fixture
def waiting(learner, cohort):
    """A version waiting for review: a standard (4 P, 3 K) and a unit (3), a photo and a PDF
    mapped to the first criterion, a reflection mapped to all."""
    standard = FrameworkFactory(code="NOS", kind=Framework.Kind.STANDARD)
    p = CriterionGroupFactory(framework=standard, code="A", kind="performance", order=1)
    k = CriterionGroupFactory(framework=standard, code="K", kind="knowledge", order=2)
    unit = FrameworkFactory(code="UNIT", kind=Framework.Kind.UNIT, title="The unit")
    outcome = CriterionGroupFactory(framework=unit, code="1", kind="outcome", order=1)
    criteria = [CriterionFactory(group=p, code=f"P{i}", order=i) for i in range(1, 5)]
    criteria += [CriterionFactory(group=k, code=f"K{i}", order=i) for i in range(1, 4)]
    criteria += [CriterionFactory(group=outcome, code=f"1.{i}", order=i) for i in range(1, 4)]
    cohort.frameworks.set([standard, unit])
    portfolio = learner.portfolios.get()
    photo = FileEvidenceFactory(portfolio=portfolio, title="Weekend reply on X", original_name="reply.png")
    data = _pdf()
    briefing = FileEvidenceFactory(
        portfolio=portfolio,
        title="Delivery complaints briefing",
        original_name="briefing.pdf",
        content_type="application/pdf",
        file=ContentFile(data, name="briefing.pdf"),
        sha256=hashlib.sha256(data).hexdigest(),
        file_size=len(data),
    )
    reflection = EvidenceFactory(
        portfolio=portfolio, title="Why weekend replies were slow", kind=Evidence.Kind.REFLECTION
    )
    MappingFactory(evidence=photo, criterion=criteria[0], note="Shows the reply time.")
    MappingFactory(evidence=briefing, criterion=criteria[0], note="Analyses the delivery process.")
    for criterion in criteria:
        MappingFactory(evidence=reflection, criterion=criterion, note="Explains the backlog.")
    version = assessment.submit_portfolio(portfolio=portfolio, declaration_signed=True, actor=learner)
    return version, criteria


def test_an_assessor_marks_a_version_with_the_keyboard_and_returns_it(page, assessor, learner, waiting):
    version, criteria = waiting
    log_in(page, assessor.username, TEST_PASSWORD)
    page.goto("/assessment/queue/")
    page.get_by_role("link", name=f"Mark version 1 of {learner.display_name}").click()
    panel = page.locator("#ws-panel")
    expect(panel.get_by_role("heading", name=titled("NOS P1"))).to_be_visible()
    expect(page.get_by_text("0 of 10 decided")).to_be_visible()

    # The photo beside the criterion, enlarged and closed with the keyboard.
    photo = panel.get_by_role("button", name="Enlarge reply.png")
    expect(photo).to_be_visible()
    photo.focus()
    page.keyboard.press("Enter")
    zoom = page.get_by_role("dialog", name="reply.png")
    expect(zoom).to_be_visible()
    page.keyboard.press("Escape")
    expect(zoom).to_be_hidden()
    expect(photo).to_be_focused()
    # The PDF's first page, drawn by the worker, polled in, and enlarged.
    pdf_page = panel.get_by_role("button", name="Enlarge page 1 of briefing.pdf")
    expect(pdf_page).to_be_visible()
    expect(pdf_page.get_by_role("img", name="Page 1 of briefing.pdf")).to_have_js_property("complete", True)
    assert pdf_page.locator("img").evaluate("img => img.naturalWidth") > 500
    pdf_page.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog", name="briefing.pdf, page 1")).to_be_visible()
    page.keyboard.press("Escape")

    # The shortcuts are listed on "?".
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_hidden()

    # Every criterion with the keyboard alone: m saves as met, j moves on; K2 is not yet met.
    for index, criterion in enumerate(criteria):
        heading = panel.get_by_role(
            "heading",
            name=titled(f"{criterion.framework.code} {criterion.code}"),
        )
        expect(heading).to_be_visible()
        if criterion.code == "K2":
            page.keyboard.press("n")  # asks for the feedback first
            expect(page.get_by_label("Feedback on K2")).to_be_focused()
            page.keyboard.type("Say how you would measure it.")
            page.keyboard.press("Control+Enter")
            expect(panel.get_by_text("Decision on K2 saved.")).to_be_visible()
        else:
            page.keyboard.press("m")
            expect(panel.get_by_text(f"Decision on {criterion.code} saved.")).to_be_visible()
        # Typing in the feedback is never taken for a shortcut.
        expect(page.get_by_text(f"{index + 1} of 10 decided")).to_be_visible()
        if index < len(criteria) - 1:
            page.keyboard.press("j")
    assert CriterionDecision.objects.filter(status="met").count() == 9
    assert CriterionDecision.objects.get(status="not_yet_met").feedback == "Say how you would measure it."
    expect(page.locator(f"#ws-item-{criteria[5].pk}")).to_contain_text("Not yet met")  # K2

    # k goes back; a letter typed in the feedback stays a letter.
    page.keyboard.press("k")
    expect(panel.get_by_role("heading", name=titled("UNIT 1.2"))).to_be_focused()
    page.keyboard.press("f")
    page.keyboard.type("jmn")
    expect(page.get_by_label("Feedback on 1.2")).to_have_value("jmn")
    expect(panel.get_by_role("heading", name=titled("UNIT 1.2"))).to_be_visible()

    # Every criterion decided: the version is returned from the workspace.
    comment = page.get_by_label("Overall comment for the learner")
    comment.focus()
    page.keyboard.type("Nearly there: one knowledge point to go.")
    page.get_by_role("button", name="Return for resubmission").focus()
    page.keyboard.press("Enter")
    page.get_by_text("Version 1 returned with your feedback.").wait_for()
    assert VersionOutcome.objects.get(version=version).kind == "returned"


def test_a_whole_group_is_marked_met_in_one_action(page, assessor, waiting):
    version, _criteria = waiting
    log_in(page, assessor.username, TEST_PASSWORD)
    page.goto(f"/portfolios/{version.portfolio_id}/versions/1/workspace/")

    page.get_by_text("Mark all of this group met").nth(1).click()  # the knowledge group
    page.get_by_label("Feedback for every criterion of NOS knowledge and understanding").fill(
        "All in the audit."
    )
    page.get_by_role("button", name="Mark the 3 criteria met").click()

    expect(page.get_by_text("3 criteria of NOS knowledge and understanding marked met.")).to_be_visible()
    expect(page.get_by_text("3 of 10 decided")).to_be_visible()
    assert set(CriterionDecision.objects.values_list("criterion__code", flat=True)) == {"K1", "K2", "K3"}


def test_on_a_phone_the_panel_comes_first_and_the_progress_stays_in_view(
    browser, live_server, assessor, waiting
):
    version, _criteria = waiting
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        log_in(page, assessor.username, TEST_PASSWORD)
        page.goto(f"/portfolios/{version.portfolio_id}/versions/1/workspace/")
        panel = page.locator("#ws-panel")
        expect(panel.get_by_role("heading", name=titled("NOS P1"))).to_be_in_viewport()
        assert panel.bounding_box()["y"] < page.locator("#ws-list").bounding_box()["y"]
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.mouse.wheel(0, 2500)
        expect(page.get_by_text("0 of 10 decided")).to_be_in_viewport()
    finally:
        context.close()


def test_on_a_tablet_the_list_and_the_panel_sit_side_by_side_and_the_progress_stays_in_view(
    browser, live_server, assessor, waiting
):
    version, _criteria = waiting
    context = browser.new_context(base_url=live_server.url, viewport={"width": 768, "height": 1024})
    page = context.new_page()
    try:
        log_in(page, assessor.username, TEST_PASSWORD)
        page.goto(f"/portfolios/{version.portfolio_id}/versions/1/workspace/")
        panel = page.locator("#ws-panel")
        expect(panel.get_by_role("heading", name=titled("NOS P1"))).to_be_in_viewport()
        # Bootstrap's md columns from 768 px: the list on the left, the panel beside it.
        expect(panel.get_by_role("button", name="Enlarge page 1 of briefing.pdf")).to_be_visible()
        listed, shown = page.locator("#ws-list").bounding_box(), panel.bounding_box()
        assert listed["x"] + listed["width"] <= shown["x"]
        assert abs(listed["y"] - shown["y"]) < 40
        assert page.evaluate("document.documentElement.scrollWidth") <= 768
        page.mouse.wheel(0, 2500)
        expect(page.get_by_text("0 of 10 decided")).to_be_in_viewport()
    finally:
        context.close()


def test_the_assessor_annotates_an_item_and_discusses_it_inside_the_panel(page, assessor, learner, waiting):
    version, _criteria = waiting
    log_in(page, assessor.username, TEST_PASSWORD)
    page.goto(f"/portfolios/{version.portfolio_id}/versions/1/workspace/")
    panel = page.locator("#ws-panel")
    photo = panel.get_by_role("article", name="Weekend reply on X")

    # Annotate: the form opens in the panel; letters typed are text, not shortcuts.
    photo.get_by_text("Annotate this item").click()
    photo.get_by_label("Annotation", exact=True).fill("")
    photo.get_by_label("Annotation", exact=True).press_sequentially("jkmn: the reply time is cut off.")
    photo.get_by_label("Across (% from the left)").fill("25")
    photo.get_by_label("Down (% from the top)").fill("50")
    photo.get_by_role("button", name="Add annotation").click()
    expect(photo.get_by_text("jkmn: the reply time is cut off.")).to_be_visible()
    expect(photo.get_by_role("button", name="Annotation 1: jkmn: the reply time is cut off.")).to_be_visible()

    # Discuss: the item's thread, in the same panel.
    photo.get_by_text("Discuss", exact=True).click()
    message = photo.get_by_label("Your message about")
    message.press_sequentially("Which day was this? j")
    photo.get_by_role("button", name="Send message").click()
    expect(photo.get_by_text("Which day was this? j")).to_be_visible()

    # Still on P1, nothing decided, nobody left the workspace.
    expect(panel.get_by_role("heading", name=titled("NOS P1"))).to_be_visible()
    assert page.url.endswith("/workspace/")
    expect(page.get_by_text("0 of 10 decided")).to_be_visible()
    annotation = Annotation.objects.get()
    assert (annotation.body, annotation.x, annotation.y) == ("jkmn: the reply time is cut off.", 0.25, 0.5)
    assert ThreadMessage.objects.get().body == "Which day was this? j"
    assert not CriterionDecision.objects.exists()
