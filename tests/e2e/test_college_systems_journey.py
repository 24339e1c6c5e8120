"""The college's systems joined in one story, each through its real part: an assessor signs in
through the college's OpenID Connect provider and enrols an authenticator app (staff must);
the course's teacher opens the tool from the LMS (LTI 1.3), which reads the course's roster
(Names and Role Provisioning); a learner of the course opens it and lands on their portfolio,
submits it, and the assessor signs it off in the marking workspace; the result reaches the
LMS's gradebook (Assignment and Grade Services); the learner downloads the archive of their data
and their Open Badges credential, which the public verification page confirms, and refuses once
altered by one character.

The outside systems are the loopback provider (tests/sso/oidc_provider.py) and the simulated
platform (tests/lti/platform_sim.py); background work runs in-process (eager tasks, as in the
other browser tests), after each request's commit, through the outbox.
"""

from __future__ import annotations

import json
import re
import time
import zipfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from playwright.sync_api import Page, expect

from core.models import Framework, Membership, Portfolio, Role
from lti.models import CourseLink
from tests.e2e.conftest import csp_refusals
from tests.e2e.journeys import (
    ACTIVATE_TOTP,
    a_course,
    altered,
    enrol_totp,
    new_person,
    open_from_course,
    register_platform,
)
from tests.evidence.factories import EvidenceFactory, MappingFactory
from tests.factories import AssessorFactory
from tests.lti.platform_sim import Platform
from tests.sso.conftest import oidc_provider, sso  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHIPPED = Path(django_settings.BASE_DIR) / "frameworks"
ALL_CRITERIA = 45  # the standard's 28 and the unit's 17
# Background work (the archive, the credential, the grade) is waited for generously: the
# machine running the suite may be busy.
SLOW = 90_000


def _fill_the_portfolio(portfolio: Portfolio) -> None:
    """Evidence for every criterion, mapped with a note (what the learner's weeks of work make)."""
    reflection = EvidenceFactory(portfolio=portfolio, title="How our social customer service changed")
    criteria = list(Framework.objects.get(code="CFACSD22").criteria.all())
    criteria += list(Framework.objects.get(code="CSSMS").criteria.all())
    assert len(criteria) == ALL_CRITERIA
    for criterion in criteria:
        MappingFactory(evidence=reflection, criterion=criterion, note="Shown in the strategy and its review.")


def _mark_every_group_met(page: Page) -> None:
    """In the workspace, each group of criteria marked met in one action, the progress followed."""
    decided = 0
    groups = page.locator("details.ws-group-met")
    while decided < ALL_CRITERIA:
        group = groups.first
        group.locator("summary").click()
        button = group.get_by_role("button", name=re.compile(r"^Mark the \d+ criteri"))
        expect(button).to_be_visible()
        count = int(re.findall(r"\d+", button.inner_text())[0])
        group.get_by_label(re.compile("^Feedback for every criterion of")).fill("Evidenced throughout.")
        button.click()
        decided += count
        expect(page.locator("#ws-progress .ws-progress-count")).to_have_text(
            f"{decided} of {ALL_CRITERIA} decided"
        )
    expect(groups).to_have_count(0)


def _wait_for_final_score(platform: Platform, timeout: float = SLOW / 1000) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if platform.scores and platform.scores[-1]["gradingProgress"] == "FullyGraded":
            return platform.scores[-1]
        time.sleep(0.25)
    pytest.fail(f"the platform received no signed-off score: {platform.scores}")


def test_sso_and_mfa_lti_roster_sign_off_grade_archive_and_credential(
    page,
    browser,
    live_server,
    sso,  # noqa: F811
    platform,
    settings,
    tmp_path,
):
    settings.MFA_REQUIRED_ROLES = ["assessor", "tutor", "iqa", "staff", "eqa"]
    call_command(
        "import_framework",
        str(SHIPPED / "cfacsd22.yaml"),
        str(SHIPPED / "unit-cssms.yaml"),
        str(SHIPPED / "crosswalk-cssms-cfacsd22.yaml"),
        verbosity=0,
    )
    register_platform(platform)
    a_course(platform)
    # The platform's page and the tool on one site (127.0.0.1), so the launch's state cookie
    # comes back (tests/e2e/test_lti_launch.py).
    tool = live_server.url.replace("localhost", "127.0.0.1")

    # 1. The assessor signs in through the college's provider and must enrol an authenticator.
    priya = AssessorFactory(
        username="priya", email="priya.shah@college.example", first_name="Priya", last_name="Shah"
    )
    sso.next_person(email="priya.shah@college.example", email_verified=True, sub="priya")
    assessor = page
    assessor.set_default_timeout(30_000)
    assessor.goto("/accounts/login/")
    assessor.get_by_role("button", name="Sign in with Test IdP").click()
    enrol_totp(assessor)
    assessor.goto("/assessor/")
    expect(assessor.get_by_role("heading", level=1)).to_have_text("My learners")

    # 2. The teacher opens the tool from the course: the cohort is made and its roster read
    # from the platform; a tutor too must enrol before anything else.
    teacher_context, teacher = new_person(browser)
    refused = {"teacher": csp_refusals(teacher)}
    open_from_course(teacher, platform, tool, "teacher-1")
    teacher.wait_for_url(ACTIVATE_TOTP)
    enrol_totp(teacher)
    course = CourseLink.objects.select_related("cohort").get()
    cohort = course.cohort
    # What the college's administrator sets up once: the frameworks, the assessor's place.
    cohort.frameworks.set(Framework.objects.filter(code__in=["CFACSD22", "CSSMS"]))
    Membership.objects.create(cohort=cohort, user=priya, role=Role.ASSESSOR)
    teacher.goto(f"{tool}/cohorts/{cohort.pk}/")
    roster = teacher.get_by_role("table", name=f"Learners in {cohort.name} and their assessors")
    expect(roster.get_by_role("link", name="Lee Learn")).to_be_visible()
    expect(roster.get_by_role("link", name="Mo Ahmed")).to_be_visible()
    teacher.get_by_label("Assessor for Lee Learn").select_option(label="Priya Shah")
    roster.get_by_role("row", name=re.compile("Lee Learn")).get_by_role("button", name="Save").click()
    expect(teacher.get_by_text("Lee Learn is now assessed by Priya Shah.")).to_be_visible()
    teacher_context.close()

    # 3. The learner opens the tool from the course and lands on their portfolio.
    learner_context, learner = new_person(browser)
    refused["learner"] = csp_refusals(learner)
    open_from_course(learner, platform, tool, "learner-1")
    learner.wait_for_url(re.compile(r"/portfolios/\d+/$"))
    portfolio = Portfolio.objects.select_related("learner").get(learner__lti_accounts__sub="learner-1")
    assert learner.url == f"{tool}/portfolios/{portfolio.pk}/"
    assert portfolio.assessor == priya
    expect(learner.get_by_role("heading", level=1)).to_be_visible()

    # 4. The portfolio made ready (the learner's weeks of work), then submitted by the learner.
    _fill_the_portfolio(portfolio)
    learner.goto(f"{tool}/portfolios/{portfolio.pk}/submit/")
    learner.get_by_label("I sign this declaration").check()
    learner.get_by_role("button", name="Submit version 1").click()
    expect(learner.get_by_text("Version 1 submitted.")).to_be_visible()

    # 5. The assessor, signed in through the provider, marks it and signs it off.
    assessor.goto("/assessment/queue/")
    assessor.get_by_role("link", name="Mark version 1 of Lee Learn").click()
    expect(assessor.locator("#ws-progress .ws-progress-count")).to_have_text(f"0 of {ALL_CRITERIA} decided")
    _mark_every_group_met(assessor)
    assessor.get_by_label("Overall comment for the learner").fill("A strategy the service can use.")
    assessor.get_by_role("button", name="Sign off").click()
    expect(assessor.get_by_text("Version 1 signed off.")).to_be_visible()

    # 6. The result reaches the course's gradebook.
    score = _wait_for_final_score(platform)
    assert score["userId"] == "learner-1"
    assert (score["scoreGiven"], score["scoreMaximum"]) == (ALL_CRITERIA, ALL_CRITERIA)
    assert score["activityProgress"] == "Completed"
    assert score["comment"] == f"Signed off: {ALL_CRITERIA} of {ALL_CRITERIA} criteria met."

    # 7. The learner downloads the archive of their data.
    learner.goto(f"{tool}/portfolios/{portfolio.pk}/")
    learner.get_by_role("button", name="Lee Learn").click()
    learner.get_by_role("link", name="Your data").click()
    expect(learner.get_by_role("heading", name="Your data", level=1)).to_be_visible()
    learner.get_by_role("button", name="Prepare my archive").click()
    archive_link = learner.get_by_role("link", name="Download the archive")
    expect(archive_link).to_be_visible(timeout=SLOW)
    with learner.expect_download(timeout=SLOW) as archive:
        archive_link.click()
    with zipfile.ZipFile(archive.value.path()) as bundle:
        data = json.loads(bundle.read("data.json"))
    records = data["records"]
    assert records["portfolio.user"]["rows"][0]["username"] == portfolio.learner.username
    # The systems' records of the learner too: who they are to the LMS, the grade sent there.
    assert [row["sub"] for row in records["lti.ltiaccount"]["rows"]] == ["learner-1"]
    [grade] = records["lti.gradesync"]["rows"]
    assert (grade["score"], grade["signed_off"]) == (ALL_CRITERIA, True)

    # 8. ... and their credential.
    learner.goto(f"{tool}/portfolios/{portfolio.pk}/")
    card = learner.get_by_test_id("credential-card")
    expect(card).to_be_visible(timeout=SLOW)
    with learner.expect_download(timeout=SLOW) as credential:
        card.get_by_role("link", name="Download the credential (.jwt)").click()
    path = tmp_path / "credential.jwt"
    credential.value.save_as(path)
    token = path.read_text()
    assert token.count(".") == 2
    share_link = card.get_by_label("Link to share").input_value()
    learner_context.close()

    # 9. Anyone, signed in nowhere, verifies it; a copy altered by one character is refused.
    anyone_context, anyone = new_person(browser, tool)
    refused["anyone"] = csp_refusals(anyone)
    anyone.goto(share_link)
    expect(anyone.get_by_test_id("verdict")).to_contain_text("Valid")
    expect(anyone.get_by_test_id("learner-name")).to_have_text("Lee Learn")
    anyone.goto("/credentials/verify/")
    anyone.get_by_label("Or upload the .jwt file").set_input_files(str(path))
    anyone.get_by_role("button", name="Verify").click()
    expect(anyone.get_by_test_id("verdict")).to_have_attribute("data-verdict", "valid")
    expect(anyone.get_by_test_id("learner-name")).to_have_text("Lee Learn")
    anyone.get_by_label("Paste the credential").fill(altered(token))
    anyone.get_by_role("button", name="Verify").click()
    expect(anyone.get_by_test_id("verdict")).to_have_attribute("data-verdict", "invalid_signature")
    expect(anyone.get_by_test_id("learner-name")).to_have_count(0)
    anyone_context.close()
    # The assessor's page is watched by its fixture; the others here.
    assert refused == {"teacher": [], "learner": [], "anyone": []}, (
        "The Content Security Policy refused something"
    )
