"""The assessor's whole round, in a browser, on the real standard and unit (45 criteria): every
criterion marked with the keyboard alone beside a photo and a PDF previewed in the panel, a
thread the learner answers, the version returned; the learner sees the outcome on their home
and resubmits; the assessor narrows the list to what changed since the last version."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from playwright.sync_api import expect

from assessment import services as assessment
from core.models import Criterion, CriterionDecision, Framework, VersionOutcome
from evidence.models import Evidence
from tests.e2e.conftest import log_in
from tests.e2e.test_workspace import _pdf, titled
from tests.evidence.factories import EvidenceFactory, FileEvidenceFactory, MappingFactory
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def waiting(learner, cohort):
    """Version 1 of a portfolio assessed against CFACSD22 and CSSMS, every criterion mapped."""
    call_command(
        "import_framework", *sorted(str(p) for p in (settings.BASE_DIR / "frameworks").glob("*.yaml"))
    )
    cohort.frameworks.set(Framework.objects.filter(code__in=["CFACSD22", "CSSMS"]))
    criteria = list(
        Criterion.objects.filter(framework__code__in=["CFACSD22", "CSSMS"]).order_by(
            "framework__kind", "group__order", "order"
        )
    )
    portfolio = learner.portfolios.get()
    first = Criterion.objects.get(framework__code="CFACSD22", code="P1")
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
    MappingFactory(evidence=photo, criterion=first, note="Shows the reply time.")
    MappingFactory(evidence=briefing, criterion=first, note="Analyses the delivery process.")
    reflection = EvidenceFactory(
        portfolio=portfolio, title="What the weekend backlog taught us", kind=Evidence.Kind.REFLECTION
    )
    for criterion in criteria:
        MappingFactory(
            evidence=reflection, criterion=criterion, note="Explains the backlog and what changed."
        )
    version = assessment.submit_portfolio(portfolio=portfolio, declaration_signed=True, actor=learner)
    return version, criteria


def test_an_assessor_marks_45_criteria_talks_it_through_and_the_learner_resubmits(
    browser, live_server, assessor, learner, waiting
):
    version, criteria = waiting
    assert len(criteria) == 45
    portfolio = version.portfolio
    workspace = f"/portfolios/{portfolio.pk}/versions/1/workspace/"
    assessor_context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = assessor_context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, assessor.username, TEST_PASSWORD)
    page.goto(workspace)
    panel = page.locator("#ws-panel")
    expect(page.get_by_text("0 of 45 decided")).to_be_visible()

    # Beside P1: the photo and the PDF's first page, each opened and closed with the keyboard.
    for button, dialog in (
        ("Enlarge reply.png", "reply.png"),
        ("Enlarge page 1 of briefing.pdf", "briefing.pdf, page 1"),
    ):
        preview = panel.get_by_role("button", name=button)
        expect(preview).to_be_visible(timeout=30_000)  # the PDF's page is drawn by the worker
        preview.focus()
        page.keyboard.press("Enter")
        expect(page.get_by_role("dialog", name=dialog)).to_be_visible()
        page.keyboard.press("Escape")

    # A question to the learner in P1's thread.
    p1 = criteria[0]
    page.get_by_label("Your message about CFACSD22 P1").fill("Which weekend is the screenshot from?")
    page.get_by_role("button", name="Send message").click()
    expect(page.get_by_label("Your message about CFACSD22 P1")).to_have_value("")

    # All 45 with the keyboard: m saves as met and j moves on; K7 is not yet met, with feedback.
    panel.get_by_role("heading", name=titled("CFACSD22 P1")).focus()
    for index, criterion in enumerate(criteria):
        expect(
            panel.get_by_role("heading", name=titled(f"{criterion.framework.code} {criterion.code}"))
        ).to_be_visible()
        if criterion.framework.code == "CFACSD22" and criterion.code == "K7":
            page.keyboard.press("n")
            expect(page.get_by_label("Feedback on K7")).to_be_focused()
            page.keyboard.type("Add a complaint handled in public, start to finish.")
            page.keyboard.press("Control+Enter")
        else:
            page.keyboard.press("m")
        expect(page.get_by_text(f"{index + 1} of 45 decided")).to_be_visible()
        if index < len(criteria) - 1:
            page.keyboard.press("j")
    assert CriterionDecision.objects.filter(version=version, status="met").count() == 44

    page.get_by_label("Overall comment for the learner").fill("One knowledge point to go: see K7.")
    page.get_by_role("button", name="Return for resubmission").click()
    page.get_by_text("Version 1 returned with your feedback.").wait_for()
    assert VersionOutcome.objects.get(version=version).kind == "returned"

    # The learner: the outcome on their home, the question answered, a change, version 2.
    learner_context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    learner_page = learner_context.new_page()
    learner_page.set_default_timeout(15_000)
    log_in(learner_page, learner.username, TEST_PASSWORD)
    skip = learner_page.get_by_role("button", name="Skip the tour")
    if skip.count():
        skip.click()
    expect(learner_page.get_by_text("Version 1 was returned for resubmission")).to_be_visible()
    expect(learner_page.get_by_text("One knowledge point to go: see K7.")).to_be_visible()
    learner_page.goto(f"/portfolios/{portfolio.pk}/versions/1/criteria/{p1.pk}/thread/")
    learner_page.get_by_label("Your message about CFACSD22 P1").fill("The weekend of 7 November.")
    learner_page.get_by_role("button", name="Send message").click()
    expect(learner_page.get_by_text("The weekend of 7 November.")).to_be_visible()
    k7 = next(c for c in criteria if c.framework.code == "CFACSD22" and c.code == "K7")
    complaint = EvidenceFactory(
        portfolio=portfolio, title="A complaint handled in public", kind=Evidence.Kind.REFLECTION
    )
    MappingFactory(evidence=complaint, criterion=k7, note="Start to finish, in public, then in private.")
    learner_page.goto(f"/portfolios/{portfolio.pk}/submit/")
    learner_page.get_by_label("I sign this declaration").check()
    learner_page.get_by_role("button", name="Submit version 2").click()
    learner_page.get_by_text("Version 2 submitted.").wait_for()
    learner_context.close()

    # The assessor narrows version 2's list to what changed: K7 alone.
    page.goto(f"/portfolios/{portfolio.pk}/versions/2/workspace/")
    page.get_by_role("link", name=re.compile(r"^Changed")).click()
    items = page.locator("#ws-list .ws-item")
    expect(items).to_have_count(1)
    expect(items.first).to_contain_text("K7")
    assessor_context.close()
