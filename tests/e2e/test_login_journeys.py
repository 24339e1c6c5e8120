from __future__ import annotations

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from demo.people import build_demo
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("username", "heading", "path"),
    [
        ("learner", "My portfolio", r"/portfolios/\d+/$"),
        ("assessor", "My learners", r"/assessor/$"),
        ("tutor", "Cohorts", r"/tutor/$"),
        ("iqa", "Quality assurance", r"/quality/$"),
    ],
)
def test_each_demo_role_reaches_its_home_page(page, username, heading, path):
    build_demo(learners=3)

    log_in(page, username, settings.DEMO_PASSWORD)

    page.wait_for_url(re.compile(path))
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    # Role-aware navigation shows the person and their role.
    assert page.locator("#account-menu").is_visible()


def test_a_wrong_password_is_refused_with_a_message(page):
    build_demo(learners=1)

    log_in(page, "tutor", "not-the-password")

    assert page.get_by_role("alert").is_visible()
    assert "/accounts/login/" in page.url


def test_a_tutor_invites_a_learner_who_joins_through_the_link(page, mailoutbox):
    build_demo(learners=1)
    log_in(page, "tutor", settings.DEMO_PASSWORD)
    page.get_by_role("link", name=re.compile("demo cohort")).click()

    page.get_by_label("E-mail address").fill("jo.bloggs@example.org")
    page.get_by_label("Role").select_option("learner")
    page.get_by_role("button", name="Send invitation").click()
    assert page.get_by_text("Invitation sent to jo.bloggs@example.org").is_visible()

    link = re.search(r"http\S+/invitations/\S+/", mailoutbox[-1].body).group(0)
    page.get_by_role("button", name=re.compile("Helen Carter")).click()
    page.get_by_role("button", name="Log out").click()
    page.goto(link.replace(settings.SITE_URL, ""))
    page.get_by_label("First name").fill("Jo")
    page.get_by_label("Last name").fill("Bloggs")
    page.get_by_label("Username").fill("jbloggs")
    page.locator("#id_password1").fill("a-long-pass-phrase-77")
    page.get_by_label("Password again").fill("a-long-pass-phrase-77")
    page.get_by_role("button", name="Create my account and join").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("My portfolio")
    assert page.get_by_text("You have joined").is_visible()
