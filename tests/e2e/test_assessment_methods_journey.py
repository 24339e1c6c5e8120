"""Issue #18 in one browser journey, on the real CFACSD22 standard and CSSMS unit, as each role:
the assessor observes the champion pitch against CSSMS 3.4 and CFACSD22 P12 and the learner
confirms the record; the learner's manager, who has no account, testifies through the e-mailed
link and the assessor checks her by phone; the assessor decides 3.4 and P12 met, each resting on
the observation and the testimony; the tutor gives an external quality assurer access to two
learners; the assurer reads the version and downloads its PDF, which carries the rota spreadsheet
the learner uploaded earlier, byte for byte; and on the day after the access ends, the assurer is
refused with a page that says so."""

from __future__ import annotations

import hashlib
import io
import os
import re
from datetime import datetime, time, timedelta
from pathlib import Path

import openpyxl
import pikepdf
import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from core.models import Criterion, CriterionDecision, Framework
from evidence.models import Evidence
from tests.e2e.conftest import log_in
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("E2E_SCREENSHOTS")  # a folder to keep screenshots in, when set
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def _switch(page, user) -> None:
    # Leave the page first: a request it still had in flight (a preview's poll) would answer
    # after the cookies are cleared and set a CSRF cookie the log-in form does not match.
    page.goto("about:blank")
    page.context.clear_cookies()
    log_in(page, user.username, TEST_PASSWORD)


def _outsider_page(browser, live_server):
    """A browser of its own, with no cookies: someone who is not signed in to the centre.
    Whatever the Content Security Policy refuses there is collected as on ``page``."""
    context = browser.new_context(
        base_url=live_server.url, locale="en-GB", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    refused: list[str] = []
    page.on(
        "console",
        lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return page, refused


def _rota_xlsx() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Day", "Who answers the social media inbox"])
    sheet.append(["Saturday", "Priya"])
    sheet.append(["Sunday", "Amira"])
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


@pytest.fixture
def qualification(cohort, learner):
    """The cohort works to the shipped standard and unit (45 criteria) and their crosswalk."""
    call_command(
        "import_framework", *sorted(str(p) for p in (settings.BASE_DIR / "frameworks").glob("*.yaml"))
    )
    cohort.frameworks.set(Framework.objects.filter(code__in=["CFACSD22", "CSSMS"]))
    pitch = Criterion.objects.get(framework__code="CSSMS", code="3.4")
    colleagues = Criterion.objects.get(framework__code="CFACSD22", code="P12")
    return learner.portfolios.get(), pitch, colleagues


def test_observation_and_witness_rest_under_decisions_the_eqa_reads_until_their_access_ends(
    browser, live_server, page, tutor, cohort, learner, other_learner, assessor, qualification
):
    portfolio, pitch, colleagues = qualification
    today = timezone.localdate()
    rota = _rota_xlsx()

    # Earlier, the learner uploaded the weekend rota and mapped it to P12.
    _switch(page, learner)
    page.goto(f"/portfolios/{portfolio.pk}/evidence/add/file/")
    page.get_by_label("File").set_input_files({"name": "rota.xlsx", "mimeType": XLSX, "buffer": rota})
    page.get_by_label("Title").fill("Weekend rota, November")
    page.get_by_role("button", name="Add evidence").click()
    expect(
        page.get_by_text("“Weekend rota, November” added. Now map it to the criteria it proves.")
    ).to_be_visible()
    page.get_by_label("Search the criteria").fill("P12")
    page.locator(f"#c-{colleagues.pk}-on").check()
    page.locator(f"#c-{colleagues.pk}-note").fill("Who covers the inbox each weekend, agreed with the team.")
    page.get_by_role("button", name="Save mappings").first.click()
    expect(page.get_by_text("Mappings of").first).to_be_visible()

    # 1. The assessor records the champion pitch against 3.4 and P12.
    _switch(page, assessor)
    page.goto(f"/portfolios/{portfolio.pk}/evidence/")
    page.get_by_role("link", name="Record an observation").click()
    page.get_by_label("Title").fill("Observation: champion pitch")
    page.get_by_label("Date observed").fill((today - timedelta(days=7)).isoformat())
    page.get_by_label("Place").fill("Fernleaf Home, team room")
    page.get_by_label("Duration (minutes)").fill("25")
    page.get_by_label("Activity observed").fill("Pitched the social media plan to the customer team.")
    page.get_by_label("What you saw and heard against CSSMS 3.4", exact=True).fill(
        "Explained the plan's aims and answered the team's doubts about weekend cover."
    )
    page.get_by_label("What you saw and heard against CFACSD22 P12", exact=True).fill(
        "Agreed the weekend rota with two colleagues during the meeting."
    )
    expect(page.locator(f"#c-{pitch.pk}-on")).to_be_checked()  # writing a note ticks it
    expect(page.locator(f"#c-{colleagues.pk}-on")).to_be_checked()
    page.get_by_role("button", name=re.compile("^Save the record")).click()
    expect(page.get_by_role("heading", name="Observation: champion pitch", level=1)).to_be_visible()
    expect(page.get_by_text("Awaiting the learner’s confirmation").first).to_be_visible()
    observation = Evidence.objects.get(kind="observation")

    # 2. The learner reads the record and confirms it.
    _switch(page, learner)
    page.goto(observation.get_absolute_url())
    expect(page.get_by_text("Agreed the weekend rota with two colleagues")).to_be_visible()
    page.get_by_role("button", name="I accept this record").click()
    expect(page.get_by_text("Record confirmed.")).to_be_visible()
    expect(page.get_by_text("Confirmed by the learner").first).to_be_visible()

    # 3. The learner asks their manager about the pitch, for the same two criteria.
    page.goto(f"/portfolios/{portfolio.pk}/evidence/")
    page.get_by_role("link", name="Witnesses", exact=True).click()
    page.get_by_role("link", name="Ask a witness").click()
    page.get_by_label("Witness's full name").fill("Joanne Patel")
    page.get_by_label("Job title").fill("Customer Contact Manager")
    page.get_by_label("Relationship to the learner").fill("Line manager")
    # The real criteria speak of organisations and e-mail too: the text boxes are meant here.
    page.get_by_role("textbox", name="Organisation").fill("Fernleaf Home")
    page.get_by_role("textbox", name="E-mail").fill("joanne.patel@fernleaf.example")
    page.get_by_label("The activity they saw").fill("Championing the social media plan to the team")
    page.get_by_label(f"{pitch.code} Act as a social media").check()
    page.get_by_label(f"{colleagues.code} {colleagues.text}").check()
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_text("The request is on its way to Joanne Patel")).to_be_visible()

    # The manager has no account: a browser of her own opens the e-mailed link.
    (email,) = [m for m in mail.outbox if m.to == ["joanne.patel@fernleaf.example"]]
    link = re.search(r"/witness/\S+/", email.body).group(0)
    witness, witness_refused = _outsider_page(browser, live_server)
    witness.goto(link)
    expect(
        witness.get_by_role("heading", name=f"Witness testimony for {learner.display_name}")
    ).to_be_visible()
    expect(witness.get_by_text(colleagues.text)).to_be_visible()
    witness.get_by_label("Your testimony").fill(
        "I was in the team meeting where Amira pitched the social media plan. She explained why we "
        "answer at weekends, took the team's doubts about cover one by one and agreed the rota."
    )
    witness.get_by_label("When you saw it (first or only date)").fill((today - timedelta(days=7)).isoformat())
    witness.get_by_role("textbox", name="Your full name").first.fill("Joanne Patel")
    witness.get_by_label("Signature: type your full name").fill("Joanne Patel")
    witness.get_by_label("I confirm that this testimony is true").check()
    witness.get_by_role("button", name="Sign and send my testimony").click()
    expect(witness.get_by_role("heading", name="Thank you, Joanne Patel")).to_be_visible()
    witness.context.close()
    assert witness_refused == [], f"The Content Security Policy refused something: {witness_refused}"
    testimony = Evidence.objects.get(kind="witness")

    # 4. The assessor checks the witness by phone …
    _switch(page, assessor)
    page.goto(testimony.get_absolute_url())
    expect(page.get_by_text("Witness: Joanne Patel, Customer Contact Manager").first).to_be_visible()
    page.get_by_role("link", name="Record your check").click()
    page.get_by_label("By phone").check()
    page.get_by_label("When").fill(today.isoformat())
    page.get_by_label("Note").fill("Rang Joanne on Fernleaf's switchboard; she confirmed she wrote it.")
    page.get_by_role("button", name="Record the check").click()
    expect(page.get_by_text("Your check of the witness is recorded")).to_be_visible()

    # … the learner submits version 1 …
    _switch(page, learner)
    page.goto(f"/portfolios/{portfolio.pk}/submit/")
    page.get_by_label("I sign this declaration").check()
    page.get_by_role("button", name="Submit version 1").click()
    expect(page.get_by_text("Version 1 submitted.")).to_be_visible()

    # … and the assessor decides 3.4 and P12 met, each resting on the observation and the
    # testimony (the rota, also mapped to P12, is left out of that decision).
    _switch(page, assessor)
    page.goto(f"/portfolios/{portfolio.pk}/versions/1/workspace/")
    for criterion, feedback in [
        (pitch, "Observed championing the plan; her manager confirms it."),
        (colleagues, "Agreed the rota with colleagues, seen and confirmed by her manager."),
    ]:
        page.locator(f"#ws-item-{criterion.pk}").click()
        panel = page.locator(f'#ws-panel[data-pk="{criterion.pk}"]')
        expect(
            panel.get_by_role(
                "heading", name=re.compile(rf"^{criterion.framework.code} {re.escape(criterion.code)}\b")
            )
        ).to_be_visible()
        record = panel.locator("article.ws-evidence", has_text="Observation: champion pitch")
        expect(record).to_contain_text("Confirmed by the learner")
        signed = panel.locator("article.ws-evidence", has_text="Witness testimony")
        expect(signed).to_contain_text("Signed by Joanne Patel, Customer Contact Manager, Fernleaf Home")
        expect(signed).to_contain_text(
            f"Checked by the assessor: by phone on {today:%-d %B %Y} by {assessor.display_name}"
        )
        rests_on = panel.get_by_role("group", name="Evidence it rests on")
        expect(rests_on.get_by_label("Observation: champion pitch")).to_be_checked()
        expect(rests_on.get_by_label(testimony.title)).to_be_checked()
        if criterion == colleagues:
            rests_on.get_by_label("Weekend rota, November").uncheck()
        panel.get_by_label("Met", exact=True).check()
        panel.get_by_label(f"Feedback on {criterion.code}").fill(feedback)
        panel.get_by_role("button", name=f"Save decision on {criterion.code}").click()
        expect(panel.get_by_text(f"Decision on {criterion.code} saved.")).to_be_visible()
        expect(page.locator(f"#ws-item-{criterion.pk}")).to_contain_text("Met")
    _shot(page, "journey-workspace-p12")
    expect(page.get_by_text("2 of 45 decided")).to_be_visible()
    for criterion in (pitch, colleagues):
        decision = CriterionDecision.objects.get(criterion=criterion)
        assert decision.status == "met"
        assert set(decision.evidence_ids) == {observation.pk, testimony.pk}

    # 5. The tutor gives an external quality assurer access to the two learners.
    _switch(page, tutor)
    page.goto(f"/cohorts/{cohort.pk}/")
    page.get_by_role("link", name="External quality assurance").click()
    page.get_by_label("The assurer's e-mail address").fill("moderator@awarding.example")
    last_day = today + timedelta(days=3)
    page.get_by_label("Last day of access").fill(last_day.isoformat())
    page.get_by_label(learner.display_name, exact=True).check()
    page.get_by_label(other_learner.display_name, exact=True).check()
    page.get_by_label("Purpose (shown to the assurer)").fill("Moderation sample: observation and witness")
    page.get_by_role("button", name="Give access").click()
    expect(page.get_by_text("Access given to moderator@awarding.example")).to_be_visible()

    # 6. The assurer creates their account from the e-mailed link, in a browser of their own …
    (invitation,) = [m for m in mail.outbox if m.to == ["moderator@awarding.example"]]
    eqa, eqa_refused = _outsider_page(browser, live_server)
    eqa.goto(re.search(r"/eqa/join/\S+/", invitation.body).group(0))
    eqa.get_by_label("First name").fill("Erin")
    eqa.get_by_label("Last name").fill("Moderator")
    eqa.get_by_label("Username").fill("erin")
    eqa.locator("#id_password1").fill("a-long-pass-phrase-2026")
    eqa.get_by_label("Password again").fill("a-long-pass-phrase-2026")
    eqa.get_by_role("button", name="Create my account").click()
    expect(eqa.get_by_role("heading", name=cohort.name)).to_be_visible()
    expect(eqa.get_by_role("heading", name=learner.display_name)).to_be_visible()
    expect(eqa.get_by_role("heading", name=other_learner.display_name)).to_be_visible()

    # … reads version 1, with the observation and the testimony in it, …
    eqa.locator(f"#learner-{portfolio.pk}").get_by_role("link", name="Version 1").click()
    expect(eqa.get_by_text("Observation: champion pitch").first).to_be_visible()
    expect(eqa.get_by_text(testimony.title).first).to_be_visible()
    expect(eqa.get_by_text("Weekend rota, November").first).to_be_visible()
    expect(eqa.get_by_text("Checked by the assessor: by phone").first).to_be_visible()
    assert eqa.locator("form[action*='/decide/']").count() == 0
    assert eqa.evaluate("document.documentElement.scrollWidth") <= 1280  # nothing runs off the page
    _shot(eqa, "journey-eqa-version")

    # … and downloads its PDF, which carries the rota spreadsheet as it was uploaded.
    eqa.get_by_role("button", name="Export as PDF (version 1)").click()
    expect(eqa.get_by_role("heading", name="The PDF is ready")).to_be_visible(timeout=30_000)
    with eqa.expect_download() as info:
        eqa.get_by_role("link", name="Download the PDF").click()
    assert info.value.suggested_filename.endswith(".pdf")
    with pikepdf.open(info.value.path()) as pdf:
        attached = {name: spec for name, spec in pdf.attachments.items()}
        (name,) = [name for name in attached if name.endswith(" rota.xlsx")]
        data = attached[name].get_file().read_bytes()
        description = str(attached[name].description)
    digest = hashlib.sha256(rota).hexdigest()
    assert hashlib.sha256(data).hexdigest() == digest
    assert digest in description

    # 7. The access ends at its date, by itself: late on its last day the assurer still reads
    # the version; the next morning the same page refuses them and says why.
    local = timezone.get_current_timezone()
    version_page = f"/portfolios/{portfolio.pk}/versions/1/"
    with time_machine.travel(datetime.combine(last_day, time(23, 55), tzinfo=local), tick=True):
        eqa.goto(version_page)
        expect(eqa.get_by_role("heading", name="Version 1", level=1)).to_be_visible()
    with time_machine.travel(
        datetime.combine(last_day + timedelta(days=1), time(9, 0), tzinfo=local), tick=True
    ):
        eqa.goto(version_page)
        expect(eqa.get_by_role("heading", name="Not allowed")).to_be_visible()
        expect(
            eqa.get_by_text(
                f"Your access to this learner's portfolio ended on {last_day:%-d %B %Y}, its last day."
            )
        ).to_be_visible()
        _shot(eqa, "journey-eqa-ended")
        eqa.get_by_role("link", name="Go to your home page").click()
        expect(eqa.get_by_text("No access is open to you now.")).to_be_visible()
    eqa.context.close()
    assert eqa_refused == [], f"The Content Security Policy refused something: {eqa_refused}"
