"""Readiness checklist journeys: a fresh learner's plan of work, and the demo learner ready."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from core.models import Portfolio
from demo.people import build_demo
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _open_checklist(page, username: str) -> Portfolio:
    build_demo(learners=6)
    portfolio = Portfolio.objects.get(learner__username=username)
    log_in(page, username, settings.DEMO_PASSWORD)
    page.wait_for_url(re.compile(r"/portfolios/\d+/$"))
    page.get_by_role("link", name="Readiness checklist").click()
    page.wait_for_url(f"**/portfolios/{portfolio.pk}/readiness/")
    return portfolio


def test_a_fresh_learner_follows_the_checklist_to_the_step_that_fixes_a_point(page):
    portfolio = _open_checklist(page, "learner6")  # Owen joined and has not started yet

    expect(page.get_by_role("heading", name=re.compile(r"^Must fix"))).to_be_visible()
    expect(page.get_by_text("must-fix points before this portfolio is ready")).to_be_visible()
    page.get_by_role("link", name=re.compile("Go to Competitor presence and activity")).click()

    page.wait_for_url(f"**/portfolios/{portfolio.pk}/audit/competitors/")
    findings = page.get_by_role("region", name="What the examiner will look for here")
    expect(findings).to_contain_text("Include a competitor analysis")


def test_the_demo_learner_has_nothing_that_must_be_fixed(page):
    _open_checklist(page, "learner")

    expect(page.get_by_text("Nothing must be fixed.")).to_be_visible()
    page.get_by_text(re.compile(r"^Already done")).click()
    expect(page.get_by_text("Include a crisis communication framework")).to_be_visible()
