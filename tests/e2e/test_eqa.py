"""In a browser: the tutor gives an external quality assurer access to two learners; the
assurer creates their account from the e-mailed link, reads a version, downloads its PDF and
sends a finding; after the end date the access has ended, with a page that says so."""

from __future__ import annotations

import io
import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone
from pypdf import PdfReader

from assessment.services import submit_portfolio
from core.models import EqaAccessLog, EqaGrant
from tests.e2e.conftest import log_in
from tests.evidence.factories import EvidenceFactory
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("E2E_SCREENSHOTS")  # a folder to keep screenshots in, when set


def _shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_the_tutor_grants_an_eqa_who_reads_downloads_and_loses_access_at_the_end(
    browser, live_server, page, tutor, cohort, learner, other_learner
):
    for person, title in [(learner, "Complaint handled in public"), (other_learner, "Weekend rota")]:
        portfolio = person.portfolios.get()
        EvidenceFactory(portfolio=portfolio, title=title)
        submit_portfolio(portfolio=portfolio, declaration_signed=True, actor=person)

    # The tutor gives access to the two learners.
    log_in(page, tutor.username, TEST_PASSWORD)
    page.goto(f"/cohorts/{cohort.pk}/")
    page.get_by_role("link", name="External quality assurance").click()
    page.get_by_label("The assurer's e-mail address").fill("moderator@awarding.example")
    page.get_by_label("Last day of access").fill((timezone.localdate() - timedelta(days=1)).isoformat())
    page.get_by_label(learner.display_name, exact=True).check()
    page.get_by_role("button", name="Give access").click()
    assert page.get_by_text("cannot end before it starts").is_visible()
    last_day = timezone.localdate() + timedelta(days=14)
    page.get_by_label("Last day of access").fill(last_day.isoformat())
    page.get_by_label(learner.display_name, exact=True).check()
    page.get_by_label(other_learner.display_name, exact=True).check()
    page.get_by_label("Purpose (shown to the assurer)").fill("Summer moderation sample")
    page.get_by_role("button", name="Give access").click()
    page.get_by_text("Access given to moderator@awarding.example").wait_for()
    _shot(page, "eqa-tutor-grant")

    # The assurer follows the e-mailed link and creates their account.
    link = re.search(r"/eqa/join/\S+/", mail.outbox[-1].body).group(0)
    eqa_context = browser.new_context(base_url=live_server.url, locale="en-GB")
    eqa_page = eqa_context.new_page()
    eqa_page.set_default_timeout(15_000)
    eqa_page.goto(link)
    eqa_page.get_by_label("First name").fill("Erin")
    eqa_page.get_by_label("Last name").fill("Moderator")
    eqa_page.get_by_label("Username").fill("erin")
    eqa_page.locator("#id_password1").fill("a-long-pass-phrase-2026")
    eqa_page.get_by_label("Password again").fill("a-long-pass-phrase-2026")
    eqa_page.get_by_role("button", name="Create my account").click()
    eqa_page.get_by_role("heading", name=cohort.name).wait_for()
    assert eqa_page.get_by_role("heading", name=learner.display_name).is_visible()
    assert eqa_page.get_by_role("heading", name=other_learner.display_name).is_visible()
    _shot(eqa_page, "eqa-grant")

    # A fresh log-in, as they would next time, lands on their home.
    eqa_context.clear_cookies()
    log_in(eqa_page, "erin", "a-long-pass-phrase-2026")
    eqa_page.get_by_role("heading", name="External quality assurance").wait_for()

    # They read version 1 of the first learner: the evidence and the criteria, no decision form.
    eqa_page.locator(f"#learner-{learner.portfolios.get().pk}").get_by_role("link", name="Version 1").click()
    eqa_page.get_by_text("Complaint handled in public").first.wait_for()
    assert eqa_page.locator("form[action*='/decide/']").count() == 0
    _shot(eqa_page, "eqa-version")

    # And download its PDF.
    eqa_page.get_by_role("button", name="Export as PDF (version 1)").click()
    eqa_page.get_by_role("heading", name="The PDF is ready").wait_for(timeout=30_000)
    with eqa_page.expect_download() as info:
        eqa_page.get_by_role("link", name="Download the PDF").click()
    body = Path(info.value.path()).read_bytes()
    assert len(PdfReader(io.BytesIO(body)).pages) >= 1

    # A finding for the centre.
    eqa_page.goto("/eqa/")
    eqa_page.get_by_role("link", name=cohort.name).click()
    eqa_page.get_by_label("Finding").fill("Sampled decisions are consistent with the standard.")
    eqa_page.get_by_role("button", name="Send the finding").click()
    eqa_page.get_by_text("Your finding has been sent").wait_for()

    # The tutor sees the pages the assurer opened and the finding.
    grant = EqaGrant.objects.get()
    page.goto(f"/cohorts/{cohort.pk}/eqa/{grant.pk}/")
    assert page.locator("#eqa-log tbody tr").count() == EqaAccessLog.objects.filter(grant=grant).count()
    assert page.locator("#eqa-log").get_by_text("/versions/1/").first.is_visible()
    assert page.get_by_text("Sampled decisions are consistent").is_visible()
    _shot(page, "eqa-tutor-log")

    # After the end date the access has ended by itself: the same page now says so.
    EqaGrant.objects.filter(pk=grant.pk).update(
        starts_at=timezone.now() - timedelta(days=20), ends_at=timezone.now() - timedelta(days=1)
    )
    eqa_page.goto(f"/portfolios/{learner.portfolios.get().pk}/versions/1/")
    assert eqa_page.get_by_role("heading", name="Not allowed").is_visible()
    assert eqa_page.get_by_text("Your access to this learner's portfolio ended on").is_visible()
    _shot(eqa_page, "eqa-ended")
    eqa_page.goto("/eqa/")
    assert eqa_page.get_by_text("No access is open to you now.").is_visible()
    eqa_context.close()
