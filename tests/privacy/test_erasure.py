"""Erasure on request (privacy.views.erasure_preview, privacy.erasure.erase_learner): staff see
what will be erased, what is kept and why; a learner still active is refused with the reason."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessment import services as assessment
from core import integrity
from core.models import CriterionDecision, PortfolioVersion, User
from evidence.models import Evidence
from privacy import erasure
from privacy.models import PrivacyEntry
from tests.factories import TEST_PASSWORD
from tests.privacy.conftest import end_cohort

pytestmark = pytest.mark.django_db


def _url(learner) -> str:
    return reverse("privacy:erasure", args=[learner.pk])


@pytest.fixture
def finished(assessed, learner):
    """Signed off, and the cohort ended yesterday: no longer active."""
    end_cohort(learner, timezone.localdate() - timedelta(days=1))
    return learner


def test_the_preview_says_what_is_erased_and_what_is_kept_until_when_and_why(client, staff, finished):
    client.force_login(staff)
    response = client.get(_url(finished))

    assert response.status_code == 200
    plan = response.context["plan"]
    erased = {line.label for line in plan.erased}
    kept = {line.label: line for line in plan.kept}
    assert {"evidence.evidence", "evidence.witnessrequest", "portfolio.export", "portfolio.user"} <= erased
    assert {"portfolio.portfolioversion", "portfolio.criteriondecision", "portfolio.qualitysample"} <= set(
        kept
    )
    until = kept["portfolio.portfolioversion"].due_on
    assert until == timezone.localdate() + timedelta(days=3 * 365)
    page = response.content.decode()
    assert "What will be kept, and why" in page
    assert "awarding organisation requires the centre to keep" in page
    assert until.strftime("%-d %B %Y") in page
    assert 'name="confirm"' in page


def test_erasure_erases_what_may_go_and_keeps_the_record_whole(
    client, staff, finished, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(finished), {"confirm": "yes"})

    assert response.status_code == 302
    finished.refresh_from_db()
    assert finished.username == f"erased-{finished.pk}"
    assert not finished.is_active
    assert not Evidence.objects.filter(portfolio__learner=finished).exists()
    assert PortfolioVersion.objects.filter(portfolio__learner=finished).exists()
    assert CriterionDecision.objects.filter(version__portfolio__learner=finished).exists()
    assert integrity.verify_integrity().ok
    entry = PrivacyEntry.objects.get(action=PrivacyEntry.Action.ERASED)
    assert entry.actor == staff
    assert "Assessment record until" in entry.summary
    # The erased person can no longer log in.
    assert not client.login(username="learner1", password=TEST_PASSWORD)


def test_it_needs_the_confirmation(client, staff, finished):
    client.force_login(staff)
    client.post(_url(finished), {})
    finished.refresh_from_db()
    assert finished.is_active


def test_erasure_of_a_learner_in_an_active_cohort_is_refused_with_the_reason(
    client, staff, assessed, learner
):
    client.force_login(staff)  # the cohort of the fixtures ends in 150 days
    page = client.get(_url(learner)).content.decode()
    assert "cannot be erased now" in page
    assert "runs until" in page
    assert 'name="confirm"' not in page

    response = client.post(_url(learner), {"confirm": "yes"}, follow=True)

    assert "Erasure refused: The cohort" in response.content.decode()
    learner.refresh_from_db()
    assert learner.is_active
    assert Evidence.objects.filter(portfolio__learner=learner).exists()
    assert PrivacyEntry.objects.filter(
        action=PrivacyEntry.Action.ERASURE_REFUSED, subject_id=learner.pk
    ).exists()


def test_erasure_with_an_open_version_is_refused(learner, staff, filled, portfolio):
    end_cohort(learner, timezone.localdate() - timedelta(days=1))
    assessment.submit_portfolio(portfolio=portfolio, declaration_signed=True, actor=learner)

    with pytest.raises(erasure.ErasureRefused) as refused:
        erasure.erase_learner(learner=learner, actor=staff)
    assert "waiting for its assessment" in refused.value.reasons[0]


@pytest.mark.parametrize("who", ["learner", "assessor", "tutor", "iqa", "other_learner"])
def test_only_staff_may_open_it(client, request, who, learner):
    client.force_login(request.getfixturevalue(who))
    assert client.get(_url(learner)).status_code == 404
    assert client.post(_url(learner), {"confirm": "yes"}).status_code == 404


def test_the_admin_action_opens_the_preview(admin_client, learner):
    response = admin_client.post(
        reverse("admin:portfolio_user_changelist"),
        {"action": "erase_on_request", "_selected_action": [learner.pk]},
    )
    assert response.status_code == 302
    assert response["Location"] == _url(learner)
    assert User.objects.get(pk=learner.pk).is_active


def test_only_learners_are_erased_here(client, staff, tutor):
    client.force_login(staff)
    assert client.get(_url(tutor)).status_code == 404
    with pytest.raises(erasure.ErasureRefused):
        erasure.erase_learner(learner=tutor, actor=staff)
    tutor.refresh_from_db()
    assert tutor.is_active
