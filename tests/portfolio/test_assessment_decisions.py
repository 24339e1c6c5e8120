"""Per-criterion decisions are append-only, conflicts are caught, and only the assigned
assessor can decide, return or sign off."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assessment import services as assessment
from assessment.selectors import current_decisions
from core.models import CriterionDecision, VersionOutcome
from tests.evidence.factories import EvidenceFactory
from tests.portfolio.conftest import decide

pytestmark = pytest.mark.django_db


def _decide_url(version, criterion):
    return reverse("portfolio:decide", args=[version.portfolio_id, version.number, criterion.pk])


def test_the_review_page_shows_the_frozen_version_beside_the_criteria(client, assessor, version, criteria):
    client.force_login(assessor)

    response = client.get(reverse("portfolio:version_detail", args=[version.portfolio_id, 1]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Weekend response screenshot" in page
    assert "My sofa arrived damaged." in page
    # The decisions are recorded in the marking workspace, one click away.
    assert reverse("portfolio:workspace", args=[version.portfolio_id, 1]) in page
    assert f"0 of {len(criteria)} decided" in page
    assert "Save decision on" not in page


HOSTILE_REFLECTION = (
    "## What I changed\n\n"
    "**Bold** reply within the hour, see [the guide](https://www.example.org/guide).\n\n"
    "<script>alert('xss')</script>\n\n"
    "[click me](javascript:alert(1)) ![tracker](https://evil.example/pixel.png) "
    '<img src="https://evil.example/x.png" onerror="alert(2)"> <a href="data:text/html,hi">d</a>'
)


def test_the_review_page_renders_a_reflections_markdown_safely(client, assessor, learner, portfolio):
    EvidenceFactory(portfolio=portfolio, title="Weekend backlog", body=HOSTILE_REFLECTION)
    assessment.submit_portfolio(portfolio=portfolio, declaration_signed=True, actor=learner)
    client.force_login(assessor)

    page = client.get(reverse("portfolio:version_detail", args=[portfolio.pk, 1])).content.decode()

    assert "**Bold**" not in page
    reflection = page[page.index('class="reflection') :]
    reflection = reflection[: reflection.index("</div>")]
    assert "<strong>Bold</strong>" in reflection
    assert "<h6>What I changed</h6>" in reflection  # "##" under the item's h4: h5 is "#"
    assert 'href="https://www.example.org/guide"' in reflection
    assert "**" not in reflection
    assert "## " not in reflection
    card = page[page.index("Weekend backlog") :]
    card = card[: card.index('id="decisions-summary"')]
    for bad in ("<script", "alert(", "javascript:", "<img", "evil.example", "onerror", "data:"):
        assert bad not in card


def test_a_changed_decision_is_a_new_row_superseding_the_old(version, assessor, criteria):
    first = decide(version, criteria[0], assessor, status="not_yet_met", feedback="Say more about delivery.")

    second = decide(version, criteria[0], assessor, status="met", based_on=first.pk)

    assert second.supersedes == first
    first.refresh_from_db()
    assert first.status == "not_yet_met"
    assert current_decisions(version)[criteria[0].pk] == second


def test_a_decision_refuses_to_be_edited_or_deleted(version, assessor, criteria):
    decision = decide(version, criteria[0], assessor)
    decision.status = "not_yet_met"
    with pytest.raises(ValueError, match="append-only"):
        decision.save()
    with pytest.raises(ValueError, match="append-only"):
        decision.delete()
    assert CriterionDecision.objects.get(pk=decision.pk).status == "met"


def test_the_second_of_two_tabs_gets_a_conflict_and_nothing_is_lost(client, version, assessor, criteria):
    client.force_login(assessor)
    url = _decide_url(version, criteria[0])
    # Both tabs opened the page before any decision existed: based_on is empty in both.
    client.post(url, {"status": "met", "feedback": "Clear.", "based_on": ""})

    response = client.post(
        url, {"status": "not_yet_met", "feedback": "Too thin.", "based_on": ""}, follow=True
    )

    assert "after you opened this page" in response.content.decode()
    decisions = list(CriterionDecision.objects.filter(criterion=criteria[0]))
    assert [(d.status, d.feedback) for d in decisions] == [("met", "Clear.")]


def test_a_form_based_on_a_superseded_decision_is_refused(version, assessor, criteria):
    first = decide(version, criteria[0], assessor)
    decide(version, criteria[0], assessor, status="not_yet_met", feedback="Rethink.", based_on=first.pk)

    with pytest.raises(assessment.DecisionConflict):
        decide(version, criteria[0], assessor, status="met", based_on=first.pk)
    assert CriterionDecision.objects.count() == 2


def test_an_assessor_cannot_mark_a_learner_not_assigned_to_them(client, version, other_assessor, criteria):
    client.force_login(other_assessor)

    response = client.post(_decide_url(version, criteria[0]), {"status": "met", "based_on": ""})

    assert response.status_code == 404
    assert not CriterionDecision.objects.exists()
    with pytest.raises(assessment.AssessmentError):
        decide(version, criteria[0], other_assessor)


def test_a_learner_cannot_sign_off_or_decide(client, version, learner, assessor, criteria):
    for criterion in criteria:
        decide(version, criterion, assessor)
    client.force_login(learner)

    outcome = client.post(
        reverse("portfolio:close_version", args=[version.portfolio_id, 1]), {"outcome": "sign_off"}
    )
    decision = client.post(_decide_url(version, criteria[0]), {"status": "not_yet_met", "feedback": "x"})

    assert outcome.status_code == 403
    assert decision.status_code == 403
    assert not VersionOutcome.objects.exists()
    assert CriterionDecision.objects.count() == len(criteria)


def test_sign_off_needs_every_criterion_met(version, assessor, criteria):
    decide(version, criteria[0], assessor)

    with pytest.raises(assessment.AssessmentError, match="Every criterion must be met"):
        assessment.sign_off_version(version=version, comment="", actor=assessor)
    assert not VersionOutcome.objects.exists()


def test_the_signature_records_assessor_time_and_digest(client, version, assessor, criteria):
    for criterion in criteria:
        decide(version, criterion, assessor)
    client.force_login(assessor)

    client.post(reverse("portfolio:close_version", args=[version.portfolio_id, 1]), {"outcome": "sign_off"})

    outcome = VersionOutcome.objects.get(version=version)
    assert (outcome.kind, outcome.assessor, outcome.digest) == ("signed_off", assessor, version.digest)
    assert outcome.decided_at is not None


def test_nobody_can_alter_a_signed_off_version(client, version, assessor, learner, criteria):
    for criterion in criteria:
        decide(version, criterion, assessor)
    assessment.sign_off_version(version=version, comment="", actor=assessor)
    client.force_login(assessor)
    standing = current_decisions(version)[criteria[0].pk]

    response = client.post(
        _decide_url(version, criteria[0]), {"status": "not_yet_met", "feedback": "x", "based_on": standing.pk}
    )
    again = client.post(
        reverse("portfolio:close_version", args=[version.portfolio_id, 1]), {"outcome": "return"}
    )

    assert response.status_code == 403
    assert again.status_code == 403
    assert CriterionDecision.objects.count() == len(criteria)
    assert VersionOutcome.objects.get().kind == "signed_off"
    with pytest.raises(assessment.AssessmentError):
        assessment.submit_portfolio(portfolio=version.portfolio, declaration_signed=True, actor=learner)


def test_not_yet_met_needs_feedback_and_evidence_must_be_in_the_version(version, assessor, criteria):
    with pytest.raises(assessment.AssessmentError, match="feedback is needed"):
        decide(version, criteria[0], assessor, status="not_yet_met")
    with pytest.raises(assessment.AssessmentError, match="not part of this version"):
        decide(version, criteria[0], assessor, evidence_ids=[999999])
    assert not CriterionDecision.objects.exists()


def test_returning_needs_a_criterion_not_yet_met(version, assessor, criteria):
    decide(version, criteria[0], assessor)
    with pytest.raises(assessment.AssessmentError, match="at least one criterion not yet met"):
        assessment.return_version(version=version, comment="", actor=assessor)

    decide(version, criteria[1], assessor, status="not_yet_met", feedback="Add the weekend data.")
    outcome = assessment.return_version(version=version, comment="Nearly there.", actor=assessor)

    assert outcome.kind == "returned"


def test_the_queue_lists_waiting_versions_in_a_fixed_number_of_queries(
    client, assessor, cohort, django_assert_max_num_queries
):
    from tests.factories import LearnerFactory, PortfolioFactory

    def submit_one(n):
        learner = LearnerFactory(username=f"queue{n}")
        portfolio = PortfolioFactory(cohort=cohort, learner=learner, assessor=assessor)
        assessment.submit_portfolio(portfolio=portfolio, declaration_signed=True, actor=learner)

    client.force_login(assessor)
    submit_one(0)
    # session, user, the queue's total and overdue counts (also the pager's count), the page
    # with decision counts, open actions count
    with django_assert_max_num_queries(6):
        first = client.get(reverse("portfolio:review_queue"))
    for n in range(1, 20):
        submit_one(n)
    with django_assert_max_num_queries(6):
        many = client.get(reverse("portfolio:review_queue"))
    assert first.status_code == many.status_code == 200
    assert many.context["queue"].__len__() == 20
