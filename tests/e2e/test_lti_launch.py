"""An LTI 1.3 launch in the browser: the simulated platform's course page starts the login, its
auth endpoint answers with the auto-posting form, and the tool lands the person on their page.

The platform and the tool both on 127.0.0.1 (ports differ, the site is the same), as a
platform's page and a tool in a window of their own behave: the state cookie comes back.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from core.models import Portfolio
from lti.models import CourseLink
from tests.e2e.journeys import a_course, new_person, open_from_course, register_platform
from tests.lti.platform_sim import INSTRUCTOR, LEARNER

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_learners_launch_lands_on_their_portfolio_and_the_roster_exists(browser, live_server, platform):
    tool = live_server.url.replace("localhost", "127.0.0.1")
    register_platform(platform)
    a_course(platform)

    context, page = new_person(browser)
    open_from_course(page, platform, tool, "teacher-1")
    page.wait_for_url(re.compile(r"/cohorts/\d+/$"))
    course = CourseLink.objects.get()
    assert page.url == f"{tool}/cohorts/{course.cohort_id}/"
    context.close()
    assert Portfolio.objects.filter(cohort=course.cohort).count() == 2  # the roster, from NRPS

    context, page = new_person(browser)
    open_from_course(page, platform, tool, "learner-1")
    page.wait_for_url(re.compile(r"/portfolios/\d+/$"))
    portfolio = Portfolio.objects.get(learner__lti_accounts__sub="learner-1")
    assert page.url == f"{tool}/portfolios/{portfolio.pk}/"
    expect(page.locator("h1").first).to_be_visible()
    context.close()


def test_a_cross_site_launch_without_its_cookie_opens_in_a_new_window(browser, live_server, platform):
    """The tool on another site than the platform (localhost against 127.0.0.1): the state cookie
    does not come back with the cross-site POST, as in an iframe that blocks third-party
    cookies. The launch is checked all the same and offers a new window, which lands the learner."""
    tool = live_server.url
    register_platform(platform)
    platform.launch_claims = {"teacher-1": [INSTRUCTOR], "learner-1": [LEARNER]}
    platform.members = [{"user_id": "learner-1", "roles": [LEARNER], "status": "Active", "name": "Lee Learn"}]
    context, page = new_person(browser)
    open_from_course(page, platform, tool, "teacher-1")
    expect(page.get_by_test_id("lti-open")).to_be_visible()
    context.close()

    context, page = new_person(browser)
    open_from_course(page, platform, tool, "learner-1")
    opener = page.get_by_test_id("lti-open")
    expect(opener).to_be_visible()
    with context.expect_page() as opened:
        opener.click()
    window = opened.value
    window.wait_for_url(re.compile(r"/portfolios/\d+/$"))
    portfolio = Portfolio.objects.get(learner__lti_accounts__sub="learner-1")
    assert window.url == f"{tool}/portfolios/{portfolio.pk}/"
    context.close()
