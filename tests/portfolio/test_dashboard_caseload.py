"""The assessor's caseload on their home page: learners, review queue, overdue reviews, QA actions."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.models import CriterionDecision, QualitySample
from dashboards.selectors import QUEUE_SHOWN
from tests.portfolio.dashboard_data import fill, version, waiting

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("learners", [1, 20])
def test_the_caseload_costs_the_same_whatever_its_size(
    client, cohort, assessor, learners, django_assert_max_num_queries
):
    fill(cohort, assessor, learners)
    client.force_login(assessor)

    # session, user, caseload, criteria (framework links, criteria), coverage tallies,
    # decisions, versions, steps, the versions waiting longest, the queue's counts, open QA actions
    with django_assert_max_num_queries(12):
        response = client.get(reverse("portfolio:assessor_home"))
    assert response.status_code == 200
    assert len(response.context["caseload"]) == learners


def test_the_queue_shows_waiting_days_and_flags_reviews_over_fourteen_days(client, cohort, assessor):
    fill(cohort, assessor, 16)  # version 2 submitted 0…15 days ago
    client.force_login(assessor)

    response = client.get(reverse("portfolio:assessor_home"))

    queue = response.context["queue"]
    assert [item.waiting_days for item in queue] == list(range(15, 5, -1))  # the ten oldest
    assert [item.overdue for item in queue] == [True] + [False] * 9
    counts = response.context["queue_counts"]
    assert (counts.total, counts.overdue) == (16, 1)
    page = response.content.decode()
    assert "15 days" in page
    assert "Overdue" in page


def test_the_home_queue_writes_waiting_and_dates_as_the_queue_page_does(client, cohort, assessor):
    from datetime import timedelta

    from django.utils import timezone

    from tests.portfolio.dashboard_data import waiting

    versions = waiting(cohort, assessor, 2)
    newest = versions[0]
    newest.__class__.objects.filter(pk=newest.pk).update(submitted_at=timezone.now() - timedelta(minutes=20))
    newest.refresh_from_db()
    client.force_login(assessor)

    home = client.get(reverse("portfolio:assessor_home")).content.decode()
    queue = client.get(reverse("portfolio:review_queue")).content.decode()

    submitted = timezone.localtime(newest.submitted_at).strftime("%-d %B %Y")
    for page in (home, queue):
        assert "under an hour" in page
        assert "0 days" not in page
        assert submitted in page


def test_the_caseload_shows_only_my_learners_with_coverage_and_submission(
    client, cohort, assessor, other_assessor
):
    [mine] = fill(cohort, assessor, 1)
    fill(cohort, other_assessor, 2)
    client.force_login(assessor)

    response = client.get(reverse("portfolio:assessor_home"))

    rows = response.context["caseload"]
    assert [r.portfolio.pk for r in rows] == [mine.pk]
    assert rows[0].coverage == 33
    assert rows[0].submission_label == "Awaiting review"
    assert [i.version.portfolio_id for i in response.context["queue"]] == [mine.pk]


def test_quality_assurance_actions_to_answer_are_listed_until_answered(client, cohort, assessor, iqa):
    [portfolio] = fill(cohort, assessor, 1)
    decision = CriterionDecision.objects.get(version__portfolio=portfolio)
    sample = QualitySample.objects.create(
        decision=decision,
        sampled_by=iqa,
        finding=QualitySample.Finding.ACTION,
        comment="Say which item shows it.",
    )
    client.force_login(assessor)

    assert client.get(reverse("portfolio:assessor_home")).context["qa_actions"] == [sample]
    assert "Say which item shows it." in client.get(reverse("portfolio:assessor_home")).content.decode()

    QualitySample.objects.filter(pk=sample.pk).update(response="Done.", responded_at=decision.decided_at)
    assert client.get(reverse("portfolio:assessor_home")).context["qa_actions"] == []


def test_a_signed_off_learner_is_not_in_the_queue(client, cohort, assessor):
    from tests.factories import LearnerFactory, PortfolioFactory

    portfolio = PortfolioFactory(cohort=cohort, learner=LearnerFactory(), assessor=assessor)
    version(portfolio, 1, outcome="signed_off")
    client.force_login(assessor)

    response = client.get(reverse("portfolio:assessor_home"))

    assert response.context["queue"] == []
    assert response.context["queue_counts"].total == 0
    assert "Nothing is waiting for your review." in response.content.decode()
    assert response.context["caseload"][0].submission_label == "Signed off"


def test_learners_of_two_cohorts_are_each_measured_against_their_own_criteria(client, cohort, assessor):
    from tests.evidence.factories import EvidenceFactory, MappingFactory
    from tests.factories import CohortFactory, LearnerFactory, PortfolioFactory, framework_with_criteria

    [mine] = fill(cohort, assessor, 1)  # one of three criteria met
    other = CohortFactory()
    other.frameworks.set([framework_with_criteria("UNIT", 4)])
    other.memberships.create(user=assessor, role="assessor")
    elsewhere = PortfolioFactory(cohort=other, learner=LearnerFactory(), assessor=assessor)
    for criterion in other.frameworks.get().criteria.order_by("order")[:3]:
        MappingFactory(evidence=EvidenceFactory(portfolio=elsewhere), criterion=criterion)
    client.force_login(assessor)

    rows = {r.portfolio.pk: r for r in client.get(reverse("portfolio:assessor_home")).context["caseload"]}

    assert (rows[mine.pk].coverage, len(rows[mine.pk].states)) == (33, 3)
    assert (rows[elsewhere.pk].coverage, len(rows[elsewhere.pk].states)) == (75, 4)


def test_the_caseload_comes_in_pages_and_the_counts_cover_everyone(client, cohort, assessor, monkeypatch):
    from dashboards.selectors import paging as dashboard_paging

    monkeypatch.setattr(dashboard_paging, "PAGE_SIZE", 2)
    fill(cohort, assessor, 3)
    client.force_login(assessor)

    first = client.get(reverse("portfolio:assessor_home"))
    second = client.get(reverse("portfolio:assessor_home"), {"page": 2})

    assert len(first.context["caseload"]) == 2
    assert "Showing 1–2 of 3" in first.content.decode()
    assert len(second.context["caseload"]) == 1
    assert len(second.context["queue"]) == 3  # the same waiting versions on every page of learners
    assert client.get(reverse("portfolio:assessor_home"), {"page": "nonsense"}).status_code == 200


@pytest.mark.parametrize("count", [3, 200])
def test_the_caseload_costs_the_same_whatever_the_length_of_the_queue(
    client, cohort, assessor, count, django_assert_max_num_queries
):
    waiting(cohort, assessor, count)
    client.force_login(assessor)

    # as above: session, user, caseload, criteria (2), tallies, decisions, versions, steps,
    # the ten versions waiting longest, the queue's total and overdue counts, open QA actions
    with django_assert_max_num_queries(12):
        response = client.get(reverse("portfolio:assessor_home"))
    assert response.status_code == 200
    assert len(response.context["queue"]) == min(count, QUEUE_SHOWN)


def test_the_caseload_lists_the_ten_waiting_longest_and_links_to_all_of_them(client, cohort, assessor):
    versions = waiting(cohort, assessor, 200)  # the n-th submitted n days ago
    client.force_login(assessor)

    response = client.get(reverse("portfolio:assessor_home"))

    queue = response.context["queue"]
    assert [item.version.pk for item in queue] == [v.pk for v in versions[:189:-1]]
    assert [item.waiting_days for item in queue] == list(range(199, 189, -1))
    counts = response.context["queue_counts"]
    assert (counts.total, counts.overdue) == (200, 185)  # 15 to 199 days
    body = response.content.decode()
    assert body.count("<tr>", body.index('id="review-queue"'), body.index('id="caseload"')) == 11  # head, 10
    assert "The 10 waiting longest of 200." in body
    assert f'<a href="{reverse("portfolio:review_queue")}">All 200 waiting</a>' in body


def test_the_caseload_never_lists_nor_counts_another_assessors_versions(
    client, cohort, assessor, other_assessor
):
    waiting(cohort, other_assessor, 30, prefix="theirs")
    mine = waiting(cohort, assessor, 3, prefix="mine")
    client.force_login(assessor)

    response = client.get(reverse("portfolio:assessor_home"))

    assert {item.version.pk for item in response.context["queue"]} == {v.pk for v in mine}
    counts = response.context["queue_counts"]
    assert (counts.total, counts.overdue) == (3, 0)
    assert "Theirs" not in response.content.decode()
    assert "All 3 waiting" in response.content.decode()
