"""A new learner's first hour, in a real browser: from the invitation e-mail to a first piece of
evidence mapped to a criterion, with the tour on the way and the first guided step saved."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect

from core import services
from core.models import Criterion, Framework
from evidence.models import CriterionMapping, Evidence
from tests.factories import CohortFactory, TutorFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def invitation_link(mailoutbox):
    """A tutor invites a learner to a cohort of the real standard and unit; the e-mail's link."""
    call_command(
        "import_framework", *sorted(str(p) for p in (settings.BASE_DIR / "frameworks").glob("*.yaml"))
    )
    tutor = TutorFactory(username="helen", first_name="Helen", last_name="Carter")
    cohort = CohortFactory(
        name="Social customer service, spring",
        created_by=tutor,
        tutors=[tutor],
        frameworks=list(Framework.objects.all()),
    )
    services.invite_person(cohort=cohort, email="sam.patel@example.org", role="learner", actor=tutor)
    (mail,) = mailoutbox
    assert "Social customer service, spring" in mail.body
    return re.search(r"http\S+/invitations/\S+/", mail.body).group(0).replace(settings.SITE_URL, "")


def test_a_new_learner_goes_from_the_invitation_to_a_first_mapped_piece_of_evidence(page, invitation_link):
    # The link in the e-mail: an account, made in one form.
    page.goto(invitation_link)
    page.get_by_label("First name").fill("Sam")
    page.get_by_label("Last name").fill("Patel")
    page.get_by_label("Username").fill("spatel")
    page.locator("#id_password1").fill("a-long-pass-phrase-77")
    page.get_by_label("Password again").fill("a-long-pass-phrase-77")
    page.get_by_role("button", name="Create my account and join").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My portfolio")

    # The tour shows where things are, once.
    tour = page.locator("[data-tour-panel]")
    expect(tour.get_by_text("Step 1 of 4")).to_be_visible()
    tour.get_by_role("button", name="Next").click()
    expect(tour.get_by_text("Where to start")).to_be_visible()
    tour.get_by_role("button", name="Next").click()
    tour.get_by_role("button", name="Next").click()
    tour.get_by_role("button", name="Got it").click()
    tour.wait_for(state="detached")

    # Where to start: the first guided step, saved as a draft, says what is still missing.
    page.get_by_role("link", name="The organisation and its service").first.click()
    expect(page.get_by_text("Audit · step 1 of 6")).to_be_visible()
    page.get_by_label("Organisation name").fill("Patel & Daughters Bakery")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Draft saved. Still needed:")).to_be_visible()

    # A first piece of evidence: a reflection, mapped to a criterion with a note.
    page.get_by_role("link", name="My portfolio").first.click()
    page.get_by_role("link", name="Evidence").first.click()
    page.goto(page.url.split("/evidence/")[0] + "/evidence/add/reflection/")
    page.get_by_label("Title").fill("Why our customers message us on Instagram")
    page.get_by_label("Reflection").fill(
        "Most of our orders for celebration cakes start as a direct message on Instagram: customers "
        "send a photo of what they want and ask whether we can make it by Saturday."
    )
    page.get_by_role("button", name="Add evidence").click()
    # Saved, it opens on the criteria it may prove.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile("^" + re.escape("Criteria proved by"))
    )
    p2 = Criterion.objects.get(framework__code="CFACSD22", code="P2")
    page.get_by_label("Search the criteria").fill("P2")
    page.locator(f"#c-{p2.pk}-on").check()
    page.locator(f"#c-{p2.pk}-note").fill("Shows which platform our customers use to reach us, and why.")
    page.get_by_role("button", name="Save mappings").first.click()
    expect(page.get_by_text("Mappings of")).to_be_visible()

    # The coverage matrix shows the criterion evidenced by it.
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Evidence").click()
    page.get_by_role("link", name="Coverage of criteria").click()
    assert "Evidenced" in page.locator(f"#criterion-{p2.pk}").inner_text()
    reflection = Evidence.objects.get(title="Why our customers message us on Instagram")
    assert reflection.portfolio.learner.username == "spatel"
    assert CriterionMapping.objects.filter(evidence=reflection, criterion=p2).exists()
    # Seen once: the tour does not come back.
    page.get_by_role("link", name="My portfolio").first.click()
    assert page.locator("[data-tour-panel]").count() == 0
