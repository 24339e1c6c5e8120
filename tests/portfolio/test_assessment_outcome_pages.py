"""The learner sees where their latest submission stands on their portfolio page (returned,
with the assessor's overall comment and what to do next; signed off; waiting), and the
submissions list shows each version's overall comment; neither page's queries grow with the
number of versions."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from assessment import services as assessment
from tests.portfolio.conftest import decide

pytestmark = pytest.mark.django_db


def _return(version, criterion, assessor, comment):
    decide(version, criterion, assessor, status="not_yet_met", feedback="Show the weekend figures.")
    assessment.return_version(version=version, comment=comment, actor=assessor)


def _versions(portfolio, learner, assessor, criteria, count):
    """``count`` versions, every one but the last returned with its own comment."""
    versions = []
    for number in range(1, count + 1):
        version = assessment.submit_portfolio(portfolio=portfolio, declaration_signed=True, actor=learner)
        if number < count:
            _return(version, criteria[0], assessor, f"Comment on version {number}.")
        versions.append(version)
    return versions


def test_a_returned_learner_is_told_what_to_do_next(client, learner, assessor, portfolio, criteria, version):
    _return(version, criteria[0], assessor, "A good start: show what each gap costs, then submit again.")
    client.force_login(learner)

    page = client.get(reverse("portfolio:portfolio_detail", args=[portfolio.pk])).content.decode()

    assert "Version 1 was returned for resubmission" in page
    assert "with 1 criterion not yet met" in page
    assert "A good start: show what each gap costs, then submit again." in page
    assert "What to do next:" in page
    assert f'href="{reverse("portfolio:submit", args=[portfolio.pk])}">Resubmit when ready' in page
    assert f'href="{reverse("portfolio:versions", args=[portfolio.pk])}">Read the feedback' in page


def test_the_assessor_sees_the_outcome_without_the_learners_next_steps(
    client, assessor, portfolio, criteria, version
):
    _return(version, criteria[0], assessor, "Show the costs.")
    client.force_login(assessor)

    page = client.get(reverse("portfolio:portfolio_detail", args=[portfolio.pk])).content.decode()

    assert "Version 1 was returned for resubmission" in page
    assert "Show the costs." in page
    assert "What to do next:" not in page


def test_a_signed_off_learner_sees_when_and_by_whom(client, learner, assessor, portfolio, criteria, version):
    for criterion in criteria:
        decide(version, criterion, assessor, status="met")
    assessment.sign_off_version(version=version, comment="Well evidenced throughout.", actor=assessor)
    outcome = version.outcome
    client.force_login(learner)

    page = client.get(reverse("portfolio:portfolio_detail", args=[portfolio.pk])).content.decode()

    assert "Version 1 was signed off" in page
    assert f"Signed off by {escape(assessor.display_name)} on {outcome.decided_at:%-d %B %Y}" in page
    assert "Well evidenced throughout." in page
    assert "What to do next:" not in page


def test_a_version_waiting_for_review_says_so(client, learner, portfolio, version):
    client.force_login(learner)

    page = client.get(reverse("portfolio:portfolio_detail", args=[portfolio.pk])).content.decode()

    assert "Version 1 is waiting for review" in page


def test_before_any_submission_there_is_no_outcome(client, learner, portfolio):
    client.force_login(learner)

    page = client.get(reverse("portfolio:portfolio_detail", args=[portfolio.pk])).content.decode()

    assert "latest-outcome" not in page


def test_the_submissions_list_shows_each_versions_overall_comment(
    client, learner, assessor, portfolio, criteria, filled
):
    _versions(portfolio, learner, assessor, criteria, 3)
    client.force_login(learner)

    page = client.get(reverse("portfolio:versions", args=[portfolio.pk])).content.decode()

    assert "Overall comment" in page
    assert "Comment on version 1." in page
    assert "Comment on version 2." in page


@pytest.mark.parametrize("name", ["portfolio:portfolio_detail", "portfolio:versions"])
def test_the_pages_queries_do_not_grow_with_the_versions(
    client, learner, assessor, portfolio, criteria, filled, name, django_assert_max_num_queries
):
    url = reverse(name, args=[portfolio.pk])
    client.force_login(learner)
    _versions(portfolio, learner, assessor, criteria, 1)
    client.get(url)  # warm: the session, the site's first reads
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    _return(portfolio.versions.get(number=1), criteria[0], assessor, "Again.")
    for number in (2, 3, 4):
        version = assessment.submit_portfolio(portfolio=portfolio, declaration_signed=True, actor=learner)
        if number < 4:
            _return(version, criteria[0], assessor, f"Comment {number}.")

    # The same reads with four versions as with one: the session and user, the portfolio through
    # the gate, the page's own reads (the latest version with its outcome in one query).
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
