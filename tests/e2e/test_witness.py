"""In a browser: the learner asks their manager for a witness testimony; the manager, who has
no account, opens the e-mailed link, writes and signs; the learner sees the testimony mapped
to the criteria asked about; the assessor records how they checked the witness. The same link
opened again says it has been used."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from evidence.models import Evidence
from tests.e2e.conftest import log_in
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("E2E_SCREENSHOTS")  # a folder to keep screenshots in, when set


def _shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_the_manager_testifies_through_the_emailed_link_and_the_assessor_checks(
    browser, live_server, page, learner, assessor, mailoutbox
):
    portfolio = learner.portfolios.get()
    criterion = portfolio.cohort.frameworks.get().criteria.order_by("order").first()

    # The learner asks their manager.
    log_in(page, learner.username, TEST_PASSWORD)
    page.goto(f"/portfolios/{portfolio.pk}/evidence/")
    page.get_by_role("link", name="Witnesses", exact=True).click()
    page.get_by_role("link", name="Ask a witness").click()
    page.get_by_label("Witness's full name").fill("Joanne Patel")
    page.get_by_label("Job title").fill("Customer Contact Manager")
    page.get_by_label("Relationship to the learner").fill("Line manager")
    page.get_by_label("Organisation").fill("Fernleaf Home")
    page.get_by_label("E-mail").fill("joanne.patel@fernleaf.example")
    page.get_by_label("The activity they saw").fill("Running the weekend rota pilot")
    page.get_by_label(f"{criterion.code} {criterion.text}").check()
    _shot(page, "witness-ask")
    page.get_by_role("button", name="Send the request").click()
    page.get_by_text("The request is on its way to Joanne Patel").wait_for()
    _shot(page, "witness-list-waiting")

    # The manager, signed out, opens the e-mailed link.
    page.goto("about:blank")  # nothing of the last page still in flight
    page.context.clear_cookies()
    email = mailoutbox[-1]
    assert email.to == ["joanne.patel@fernleaf.example"]
    link = re.search(r"/witness/\S+/", email.body).group(0)
    page.goto(link)
    assert page.get_by_role("heading", name=f"Witness testimony for {learner.display_name}").is_visible()
    assert page.get_by_text(criterion.text).is_visible()
    assert page.get_by_text("Only what you saw or heard yourself").is_visible()
    # An empty testimony is refused, with nothing stored.
    page.get_by_role("textbox", name="Your full name", exact=False).first.fill("Joanne Patel")
    page.get_by_role("button", name="Sign and send my testimony").click()
    page.get_by_text("the testimony cannot be empty").wait_for()
    assert not Evidence.objects.filter(kind="witness").exists()

    page.get_by_label("Your testimony").fill(
        "On the second Saturday of the pilot I watched Amira brief the weekend team on who covers "
        "which platform, and answer a delivery complaint on X within twenty minutes."
    )
    seen = timezone.localdate() - timedelta(days=5)
    page.get_by_label("When you saw it (first or only date)").fill(seen.isoformat())
    page.get_by_label("Signature: type your full name").fill("Joanne Patel")
    page.get_by_label("I confirm that this testimony is true").check()
    _shot(page, "witness-page")
    page.get_by_role("button", name="Sign and send my testimony").click()
    page.get_by_role("heading", name="Thank you, Joanne Patel").wait_for()
    _shot(page, "witness-thanks")

    # The same link again: used, nothing more made.
    page.goto(link)
    assert page.get_by_role("heading", name="This testimony has already been given.").is_visible()
    assert Evidence.objects.filter(kind="witness").count() == 1

    # The learner sees the testimony, mapped with the witness's name.
    log_in(page, learner.username, TEST_PASSWORD)
    page.goto(f"/portfolios/{portfolio.pk}/evidence/witnesses/")
    page.get_by_role("link", name="Open the testimony").click()
    page.get_by_text("Witness: Joanne Patel, Customer Contact Manager").first.wait_for()
    assert page.get_by_text("✓ matches").is_visible()
    assert page.get_by_text("Not checked yet").is_visible()
    assert page.get_by_role("link", name="Record your check").count() == 0
    evidence_url = page.url

    # The assessor records how they checked the witness.
    page.goto("about:blank")  # nothing of the last page still in flight
    page.context.clear_cookies()
    log_in(page, assessor.username, TEST_PASSWORD)
    page.goto(evidence_url)
    page.get_by_role("link", name="Record your check").click()
    page.get_by_label("By phone").check()
    page.get_by_label("When").fill(timezone.localdate().isoformat())
    page.get_by_label("Note").fill("Rang Joanne on Fernleaf's switchboard; she confirmed she wrote it.")
    page.get_by_role("button", name="Record the check").click()
    page.get_by_text("Your check of the witness is recorded").wait_for()
    assert page.get_by_text("she confirmed she wrote it").is_visible()
    _shot(page, "witness-evidence-checked")
