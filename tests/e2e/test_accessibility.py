"""Every main page, for each role, scanned with axe-core against WCAG 2.2 A and AA, in a
desktop window and at 320 px wide.

A page fails on any violation axe rates serious or critical; the message lists every
violation, moderate and minor included, with the rule, its impact, the elements and the help.

The demo cohort is built once for the module and served by a live server of the module's
own: the ``live_server`` fixture makes every test transactional, which would empty the
database after the first page and rebuild the demo for every page. Each role logs in once;
the database is emptied at the end, as a transactional test leaves it. See docs/accessibility.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test.utils import override_settings
from pytest_django.live_server_helper import LiveServer

from strategy.steps import STEP_NAMES as STRATEGY_STEPS
from tests.demo_pages import EVIDENCE_KINDS, demo_urls
from tests.e2e.conftest import log_in

# django_db has pytest-django set up the test database and wrap each test in a transaction it
# rolls back; the demo and the log-ins are made before, in ``site``, and committed. No page
# scanned here saves anything.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}
FAILING_IMPACTS = {"serious", "critical"}
ANONYMOUS = ""
ROLES = (ANONYMOUS, "learner", "assessor", "tutor", "iqa", "eqa")
# A desktop window, and the 320 CSS pixels WCAG 1.4.10 (reflow) asks pages to work at, where
# wide tables scroll in their box (which must then take keyboard focus).
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "320px": {"width": 320, "height": 800}}

# (test id, role logged in, page name in Site.urls, what to do on the page before the scan)
PAGES = [
    ("login", ANONYMOUS, "login", None),
    ("login-refused", ANONYMOUS, "login", "refuse_login"),
    ("password-reset", ANONYMOUS, "password_reset", None),
    ("not-found", ANONYMOUS, "not_found", None),
    ("learner-portfolio-home", "learner", "portfolio", None),
    *[
        (f"learner-audit-{slug}", "learner", f"audit_{slug}", None)
        for slug in ("organisation", "presence", "customers", "communities", "competitors", "gaps")
    ],
    *[
        (f"learner-strategy-{step}", "learner", f"strategy_{step}", None)
        for step in (*STRATEGY_STEPS, "pitch_presentation")
    ],
    ("learner-strategy-risks-refused", "learner", "strategy_risks", "refuse_risk"),
    ("learner-strategy-implementation-refused", "learner", "strategy_implementation", "refuse_plan"),
    ("learner-evidence-list", "learner", "evidence_list", None),
    *[(f"learner-evidence-add-{kind}", "learner", f"evidence_add_{kind}", None) for kind in EVIDENCE_KINDS],
    ("learner-evidence-add-refused", "learner", "evidence_add_reflection", "refuse_evidence"),
    ("learner-evidence-file", "learner", "evidence_file", None),
    ("learner-evidence-transcript", "learner", "evidence_transcript", None),
    ("learner-evidence-observation", "learner", "evidence_observation", None),
    ("assessor-observation-form", "assessor", "observation_form", None),
    ("learner-evidence-discussion", "learner", "evidence_discussion", None),
    ("assessor-discussion-form", "assessor", "discussion_form", None),
    ("learner-evidence-questioning", "learner", "evidence_questioning", None),
    ("learner-questioning-answers", "learner", "questioning_answer", None),
    ("assessor-questioning-form", "assessor", "questioning_form", None),
    ("assessor-questioning-new", "assessor", "questioning_add", None),
    ("learner-transcript-editor", "learner", "transcript_editor", None),
    ("learner-evidence-mappings", "learner", "evidence_mappings", None),
    ("learner-coverage", "learner", "coverage", None),
    ("learner-criterion-mappings", "learner", "criterion_mappings", None),
    ("learner-readiness", "learner", "readiness", None),
    ("learner-submit", "learner", "submit", None),
    ("learner-service-data", "learner", "data_home", None),
    ("learner-service-data-mapping", "learner", "data_map", None),
    ("learner-service-data-preview", "learner", "data_preview", None),
    ("learner-service-data-imported", "learner", "data_status", None),
    ("learner-kpis", "learner", "kpis", None),
    ("learner-exports", "learner", "exports", None),
    ("learner-export-status", "learner", "export_status", None),
    ("learner-notifications", "learner", "notifications", None),
    ("learner-password-change", "learner", "password_change", None),
    ("learner-forbidden", "learner", "assessor_home", None),
    ("assessor-home", "assessor", "assessor_home", None),
    ("assessor-review-queue", "assessor", "review_queue", None),
    ("assessor-marking", "assessor", "marking", None),
    ("assessor-workspace", "assessor", "workspace", None),
    ("assessor-workspace-refused", "assessor", "workspace", "refuse_decision"),
    ("assessor-returned-version", "assessor", "returned_version", None),
    ("assessor-version-changes", "assessor", "version_changes", None),
    ("assessor-quality-actions", "assessor", "qa_actions", None),
    ("assessor-trail", "assessor", "trail", None),
    ("tutor-home", "tutor", "tutor_home", None),
    ("tutor-cohort-and-invitations", "tutor", "cohort", None),
    ("tutor-cohort-dashboard", "tutor", "cohort_dashboard", None),
    ("tutor-cohort-new", "tutor", "cohort_new", None),
    ("tutor-cohort-edit", "tutor", "cohort_edit", None),
    ("tutor-cohort-criteria", "tutor", "cohort_criteria", None),
    ("iqa-home", "iqa", "iqa_home", None),
    ("iqa-sampling", "iqa", "qa_sampling", None),
    ("iqa-signed-off-version", "iqa", "signed_off_version", None),
    ("iqa-signed-off-workspace", "iqa", "signed_off_workspace", None),
    ("eqa-home", "eqa", "eqa_home", None),
    ("eqa-access", "eqa", "eqa_grant", None),
    ("eqa-signed-off-version", "eqa", "signed_off_version", None),
    ("eqa-waiting-version", "eqa", "marking", None),
    ("tutor-eqa-grants", "tutor", "eqa_grants", None),
    ("tutor-eqa-grant", "tutor", "eqa_grant_manage", None),
    ("eqa-access-link", ANONYMOUS, "eqa_accept", None),
    ("invitation", ANONYMOUS, "invitation", None),
    ("invitation-invalid", ANONYMOUS, "invitation_invalid", None),
    ("witness-testimony", ANONYMOUS, "witness_testify", None),
    ("learner-witnesses", "learner", "witness_list", None),
    ("learner-witness-new", "learner", "witness_new", None),
    ("assessor-witness-check", "assessor", "witness_check", None),
    ("learner-versions", "learner", "versions", None),
    ("assessor-criterion-thread", "assessor", "criterion_thread", None),
    ("assessor-evidence-thread", "assessor", "evidence_thread", None),
    ("assessor-observation-new", "assessor", "observation_add", None),
    ("assessor-discussion-new", "assessor", "discussion_add", None),
    ("learner-evidence-edit", "learner", "evidence_edit", None),
    ("learner-evidence-delete", "learner", "evidence_delete", None),
    ("learner-pitch-presenter", "learner", "pitch_presenter", None),
    ("learner-password-changed", "learner", "password_change_done", None),
    ("credential-public", ANONYMOUS, "credential_public", None),
    ("credential-verify", ANONYMOUS, "credential_verify", None),
    ("learner-my-data", "learner", "my_data", None),
]
STATUS = {
    ("learner", "assessor_home"): 403,
    (ANONYMOUS, "not_found"): 404,
    (ANONYMOUS, "invitation_invalid"): 400,
}


@dataclass
class Site:
    url: str
    urls: dict[str, str]
    pages: dict[tuple[str, str], object] = field(default_factory=dict)  # (role, viewport) -> logged-in page
    refused: list[str] = field(default_factory=list)  # what the Content Security Policy refused


@pytest.fixture(scope="module")
def site(browser, django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("a11y-media")
    storages = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": media}},
    }
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, STORAGES=storages, CELERY_TASK_ALWAYS_EAGER=True),
    ):
        from config.celery import app

        eager = app.conf.task_always_eager
        app.conf.task_always_eager = True
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        site = Site(url=server.url, urls={})
        try:
            site.urls = demo_urls()
            for role in ROLES:
                for viewport in VIEWPORTS:
                    site.pages[role, viewport] = _logged_in_page(site, browser, role, viewport)
            yield site
        finally:
            for page in site.pages.values():
                page.context.close()
            server._live_server_modified_settings.disable()
            server.stop()
            app.conf.task_always_eager = eager
            # Leave the database empty, as every transactional test does.
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def _isolated_media():
    """The module's media folder (set in ``site``) stays in place for every page."""


def _logged_in_page(site: Site, browser, role: str, viewport: str):
    """A browser page of its own for the role and window size, logged in once, like the ``page`` fixture."""
    context = browser.new_context(base_url=site.url, locale="en-GB", viewport=VIEWPORTS[viewport])
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on(
        "console",
        lambda message: (
            site.refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    if role != ANONYMOUS:
        log_in(page, role, settings.DEMO_PASSWORD)
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page


def _scan(page) -> list[dict]:
    # Evaluated over the DevTools protocol, which the Content Security Policy does not govern
    # (an inline <script> would be refused); axe then lives in the page until it navigates.
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate(
        "options => axe.run(document, options).then(result => result.violations)", AXE_OPTIONS
    )


def _wait_until_drawn(page) -> None:
    """Every fragment htmx loads with the page swapped in, and every plotly chart drawn and named."""
    page.wait_for_function(
        "() => !document.querySelector('[hx-trigger=load], .htmx-request, .htmx-settling')"
        " && [...document.querySelectorAll('[data-plotly-figure]')]"
        ".every(chart => chart.querySelector('svg.main-svg[role=img]'))"
    )


def _describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"{violation['id']} ({violation['impact']}): {violation['help']} — {violation['helpUrl']}"
        )
        for node in violation["nodes"][:10]:
            lines.append(
                f"    {json.dumps(node['target'])}: {node['failureSummary'].splitlines()[-1].strip()}"
            )
        if len(violation["nodes"]) > 10:
            lines.append(f"    … and {len(violation['nodes']) - 10} more")
    return "\n".join(lines)


def _refuse_login(page) -> None:
    page.get_by_label("Username").fill("learner")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()


def _refuse_risk(page) -> None:
    page.locator('[name="risks-0-likelihood"]').fill("6")
    page.get_by_role("button", name="Save").click()


def _refuse_plan(page) -> None:
    page.locator('[name="protocols-0-first_response_minutes"]').fill("-5")
    page.locator('[name="raci-0-activity"]').fill("")
    page.get_by_role("button", name="Save").click()


def _refuse_evidence(page) -> None:
    page.get_by_role("button", name="Add evidence").click()


def _refuse_decision(page) -> None:
    page.get_by_label("Not yet met").check()
    page.get_by_role("button", name="Save decision on").click()


# Bad input, refused: the page as it comes back with its messages next to the fields. Nothing
# is saved, so the pages after these see the demo as it was.
ACTIONS = {
    "refuse_login": _refuse_login,
    "refuse_risk": _refuse_risk,
    "refuse_plan": _refuse_plan,
    "refuse_evidence": _refuse_evidence,
    "refuse_decision": _refuse_decision,
}


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize(
    ("role", "name", "action"), [page[1:] for page in PAGES], ids=[page[0] for page in PAGES]
)
def test_the_page_has_no_serious_accessibility_violations(site, role, name, action, viewport):
    page = site.pages[role, viewport]
    site.refused.clear()

    response = page.goto(site.urls[name])
    assert response.status == STATUS.get((role, name), 200), page.url
    if action:
        ACTIONS[action](page)
        page.locator(".invalid-feedback, .alert-danger, [role=alert]").first.wait_for()
    _wait_until_drawn(page)
    violations = _scan(page)

    serious = [v for v in violations if v["impact"] in FAILING_IMPACTS]
    if serious:
        pytest.fail(f"{len(violations)} accessibility violations on {page.url}:\n{_describe(violations)}")
    assert site.refused == [], f"The Content Security Policy refused something: {site.refused}"
