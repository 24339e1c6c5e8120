from __future__ import annotations

import pytest
from django.urls import reverse

from core.models import Cohort, Membership
from readiness import checks as readiness
from tests.factories import (
    AssessorFactory,
    CohortFactory,
    LearnerFactory,
    PortfolioFactory,
    framework_with_criteria,
)

pytestmark = pytest.mark.django_db


def test_a_tutor_creates_a_cohort_and_becomes_its_tutor(client, tutor):
    framework = framework_with_criteria("UNIT")
    client.force_login(tutor)

    response = client.post(
        reverse("portfolio:cohort_create"),
        {
            "name": "Evening group",
            "code": "eve-2027",
            "organisation": "Northfield College",
            "start_date": "2027-01-10",
            "end_date": "2027-06-30",
            "frameworks": [framework.pk],
        },
    )

    cohort = Cohort.objects.get(code="eve-2027")
    assert response.status_code == 302
    assert list(cohort.frameworks.all()) == [framework]
    assert Membership.objects.filter(cohort=cohort, user=tutor, role="tutor").exists()


def test_a_cohort_cannot_end_before_it_starts(client, tutor):
    framework = framework_with_criteria("UNIT")
    client.force_login(tutor)

    response = client.post(
        reverse("portfolio:cohort_create"),
        {
            "name": "Backwards",
            "code": "back",
            "start_date": "2027-06-30",
            "end_date": "2027-01-10",
            "frameworks": [framework.pk],
        },
    )

    assert response.status_code == 200
    assert "on or after the start date" in response.content.decode()
    assert not Cohort.objects.filter(code="back").exists()


def test_a_cohort_needs_a_framework(client, tutor):
    client.force_login(tutor)

    response = client.post(reverse("portfolio:cohort_create"), {"name": "No criteria", "code": "none"})

    assert response.status_code == 200
    assert not Cohort.objects.filter(code="none").exists()


def test_a_tutor_assigns_an_assessor_of_the_cohort(client, tutor, cohort, learner, other_assessor):
    portfolio = learner.portfolios.get()
    client.force_login(tutor)

    client.post(
        reverse("portfolio:assign_assessor", args=[cohort.pk, portfolio.pk]), {"assessor": other_assessor.pk}
    )

    portfolio.refresh_from_db()
    assert portfolio.assessor == other_assessor


def test_an_assessor_from_outside_the_cohort_cannot_be_assigned(client, tutor, cohort, learner, assessor):
    stranger = AssessorFactory(username="stranger")
    portfolio = learner.portfolios.get()
    client.force_login(tutor)

    response = client.post(
        reverse("portfolio:assign_assessor", args=[cohort.pk, portfolio.pk]),
        {"assessor": stranger.pk},
        follow=True,
    )

    portfolio.refresh_from_db()
    assert portfolio.assessor == assessor
    assert "Choose one of this cohort" in response.content.decode()


def test_a_learner_of_another_cohort_cannot_be_reached_through_ours(client, tutor, cohort, assessor):
    elsewhere = PortfolioFactory(cohort=CohortFactory())
    client.force_login(tutor)

    response = client.post(
        reverse("portfolio:assign_assessor", args=[cohort.pk, elsewhere.pk]), {"assessor": assessor.pk}
    )

    assert response.status_code == 404


def _fill(cohort, assessor, count: int) -> None:
    for _ in range(count):
        PortfolioFactory(cohort=cohort, learner=LearnerFactory(), assessor=assessor)


@pytest.mark.parametrize("learners", [1, 20])
def test_the_cohort_page_costs_the_same_whatever_its_size(
    client, tutor, cohort, assessor, learners, django_assert_max_num_queries
):
    _fill(cohort, assessor, learners)
    client.force_login(tutor)

    # session, user, cohort, tutor check (access), membership check (manage), roster,
    # assessor choices (one per select, evaluated once per form: bounded by the cached queryset),
    # staff, invitations, frameworks, the page's assessor version tokens (one query); plus the
    # readiness batch for the whole roster
    with django_assert_max_num_queries(12 + readiness.QUERY_COUNT):
        response = client.get(reverse("portfolio:cohort_detail", args=[cohort.pk]))
    assert response.status_code == 200


def test_the_roster_is_paged_and_assigning_returns_to_the_same_page(
    client, tutor, cohort, assessor, other_assessor, monkeypatch
):
    from dashboards.selectors import paging as dashboard_paging

    monkeypatch.setattr(dashboard_paging, "PAGE_SIZE", 2)
    _fill(cohort, assessor, 5)
    client.force_login(tutor)
    url = reverse("portfolio:cohort_detail", args=[cohort.pk])

    second = client.get(url, {"page": 2})

    assert len(second.context["roster"]) == 2
    page = second.content.decode()
    assert "Showing 3–4 of 5, by name." in page
    assert '<span class="badge text-bg-secondary">5</span>' in page
    assert 'name="page" value="2"' in page
    (readiness_total,) = {count.total for count in second.context["readiness_counts"]}
    assert readiness_total == 5  # the readiness counts cover every learner, not the page
    portfolio = second.context["roster"][0]
    response = client.post(
        reverse("portfolio:assign_assessor", args=[cohort.pk, portfolio.pk]),
        {"assessor": other_assessor.pk, "page": "2"},
    )
    assert response.url == f"{url}?page=2"
    for hostile in ("2#x", "//evil.example", "-1", "1e9", "999999999"):
        response = client.post(
            reverse("portfolio:assign_assessor", args=[cohort.pk, portfolio.pk]),
            {"assessor": other_assessor.pk, "page": hostile},
        )
        assert response.url == url


@pytest.mark.parametrize("cohorts", [1, 20])
def test_the_tutor_home_costs_the_same_whatever_the_number_of_cohorts(
    client, tutor, cohorts, django_assert_num_queries
):
    for _ in range(cohorts):
        CohortFactory(created_by=tutor, tutors=[tutor], frameworks=[])
    client.force_login(tutor)

    # session, user, cohorts with their counts
    with django_assert_num_queries(3):
        response = client.get(reverse("portfolio:tutor_home"))
    assert response.status_code == 200
    assert response.content.decode().count("Without an assessor") == cohorts


@pytest.mark.parametrize("learners", [1, 20])
def test_the_assessor_home_costs_the_same_whatever_the_caseload(
    client, cohort, assessor, learners, django_assert_num_queries
):
    _fill(cohort, assessor, learners)
    client.force_login(assessor)

    # session, user, the caseload's cohorts, its counts (one aggregate: total, at risk), criteria
    # (framework links, criteria), the page of learners with their facts as subqueries, the
    # versions waiting longest, the queue's total and overdue counts, open QA actions. Twelve
    # before the database computed each learner's figures (coverage tallies, decisions,
    # versions and steps were four queries of their own).
    with django_assert_num_queries(10):
        response = client.get(reverse("portfolio:assessor_home"))
    assert response.status_code == 200


def test_the_criteria_page_costs_a_fixed_number_of_queries(
    client, learner, cohort, django_assert_num_queries
):
    client.force_login(learner)

    # session, user, cohort (access), frameworks, groups, criteria, crosswalk out, crosswalk in
    with django_assert_num_queries(8):
        response = client.get(reverse("portfolio:cohort_criteria", args=[cohort.pk]))
    assert response.status_code == 200


def test_a_tutor_changes_the_cohort_dates(client, tutor, cohort):
    client.force_login(tutor)
    framework = cohort.frameworks.get()

    response = client.post(
        reverse("portfolio:cohort_edit", args=[cohort.pk]),
        {
            "name": cohort.name,
            "code": cohort.code,
            "organisation": "Northfield College",
            "start_date": "2026-09-01",
            "end_date": "2027-03-31",
            "frameworks": [framework.pk],
        },
    )

    assert response.status_code == 302
    cohort.refresh_from_db()
    assert (cohort.start_date.isoformat(), cohort.end_date.isoformat()) == ("2026-09-01", "2027-03-31")


def test_changing_the_dates_refuses_an_end_before_the_start_and_saves_nothing(client, tutor, cohort):
    client.force_login(tutor)
    before = (cohort.start_date, cohort.end_date)

    response = client.post(
        reverse("portfolio:cohort_edit", args=[cohort.pk]),
        {
            "name": cohort.name,
            "code": cohort.code,
            "start_date": "2027-06-30",
            "end_date": "2027-01-10",
            "frameworks": [cohort.frameworks.get().pk],
        },
    )

    assert response.status_code == 200
    assert "on or after the start date" in response.content.decode()
    cohort.refresh_from_db()
    assert (cohort.start_date, cohort.end_date) == before
