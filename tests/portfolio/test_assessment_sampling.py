"""The quality assurer's sampling page: decisions by learner and version, a page at a time,
narrowed by cohort or assessor, and sampling from it refusing what is stale or foreign."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from assessment import selectors as sel
from assessment import services as assessment
from core.models import Framework, QualitySample
from core.selectors import criteria_for
from tests.factories import (
    AssessorFactory,
    CohortFactory,
    CriterionFactory,
    CriterionGroupFactory,
    FrameworkFactory,
    IqaFactory,
    LearnerFactory,
    PortfolioFactory,
)
from tests.portfolio.conftest import decide

pytestmark = pytest.mark.django_db

URL = reverse("portfolio:qa_sampling")


@pytest.fixture
def two_frameworks(cohort):
    """A standard and a unit whose criteria's orders interleave: N1 1, Q1 2, N2 3, Q2 4."""
    frameworks = []
    for code, kind, first in (("NOS", Framework.Kind.STANDARD, 1), ("QU", Framework.Kind.UNIT, 2)):
        framework = FrameworkFactory(code=code, kind=kind)
        group = CriterionGroupFactory(framework=framework, order=1)
        for index in range(2):
            CriterionFactory(group=group, code=f"{code[0]}{index + 1}", order=first + 2 * index)
        frameworks.append(framework)
    cohort.frameworks.set(frameworks)
    return frameworks


def _closed(cohort, assessor, *, last_name: str, versions: int = 1):
    """A learner of the cohort whose versions were each decided in full and returned."""
    learner = LearnerFactory(last_name=last_name, first_name="Sam")
    portfolio = PortfolioFactory(cohort=cohort, learner=learner, assessor=assessor)
    criteria = list(criteria_for(portfolio))
    for _ in range(versions):
        version = assessment.submit_portfolio(portfolio=portfolio, declaration_signed=True, actor=learner)
        for criterion in criteria:
            decide(version, criterion, assessor, status="not_yet_met", feedback="Say more.")
        assessment.return_version(version=version, comment="", actor=assessor)
    return portfolio


def _rows(page: str) -> list[str]:
    """The choosable decisions as "learner, version n: framework code" in page order."""
    return re.findall(r'aria-label="Sample (\S+ \S+) for Sam (\S+), version (\d+)"', page)


def test_decisions_come_by_learner_then_version_then_framework_in_criterion_order(
    client, iqa, cohort, assessor, two_frameworks
):
    _closed(cohort, assessor, last_name="Young", versions=2)
    _closed(cohort, assessor, last_name="Adams")
    client.force_login(iqa)

    page = client.get(URL).content.decode()

    criteria = ["NOS N1", "NOS N2", "QU Q1", "QU Q2"]
    assert _rows(page) == (
        [(c, "Adams", "1") for c in criteria]
        + [(c, "Young", "1") for c in criteria]
        + [(c, "Young", "2") for c in criteria]
    )
    # One group of rows per version, headed by the learner and the version.
    assert page.count('<th scope="rowgroup"') == 3
    assert re.search(r'scope="rowgroup"[^>]*><a href="[^"]+">Sam Young, version 2</a>', page)


def test_the_list_is_paged_with_the_shared_pager(client, iqa, cohort, assessor, monkeypatch):
    monkeypatch.setattr(sel, "SAMPLING_PAGE_SIZE", 4)
    for name in ("Adams", "Brown", "Clark"):
        _closed(cohort, assessor, last_name=name)  # three criteria each: nine decisions
    client.force_login(iqa)

    first = client.get(URL).content.decode()
    last = client.get(URL, {"page": 3}).content.decode()

    assert len(_rows(first)) == 4
    assert [name for _, name, _ in _rows(last)] == ["Clark"]
    assert 'aria-label="Pages of decisions to sample"' in first
    assert "Showing decisions 1–4 of 9." in first


@pytest.mark.parametrize("learners", [1, 12])
def test_the_page_costs_the_same_whatever_the_number_of_decisions(
    client, iqa, cohort, assessor, learners, django_assert_num_queries
):
    for index in range(learners):
        _closed(cohort, assessor, last_name=f"Learner{index:02}")
    sample = assessment.sample_decisions(
        decisions=[cohort.portfolios.first().versions.get().decisions.first()], actor=iqa
    )
    assert sample
    client.force_login(iqa)

    # session, user, the cohorts and the assessors to filter by, the count of decisions, the
    # page of decisions with their learners, versions, outcomes and criteria, the samples
    with django_assert_num_queries(7):
        response = client.get(URL, {"assessor": assessor.pk})
    assert len(_rows(response.content.decode())) == min(3 * learners - 1, sel.SAMPLING_PAGE_SIZE)


def test_it_narrows_to_one_cohort_or_one_assessor(client, iqa, cohort, assessor, other_assessor, tutor):
    _closed(cohort, assessor, last_name="Adams")
    _closed(cohort, other_assessor, last_name="Brown")
    second = CohortFactory(created_by=tutor, tutors=[tutor], name="Evening cohort")
    second.memberships.create(user=iqa, role="iqa")
    third_assessor = AssessorFactory(username="assessor3")
    second.memberships.create(user=third_assessor, role="assessor")
    _closed(second, third_assessor, last_name="Clark")
    client.force_login(iqa)

    by_cohort = client.get(URL, {"cohort": second.pk}).content.decode()
    by_assessor = client.get(URL, {"assessor": other_assessor.pk}).content.decode()
    everything = client.get(URL).content.decode()

    assert {name for _, name, _ in _rows(by_cohort)} == {"Clark"}
    assert {name for _, name, _ in _rows(by_assessor)} == {"Brown"}
    assert {name for _, name, _ in _rows(everything)} == {"Adams", "Brown", "Clark"}
    assert f'<option value="{second.pk}" selected>Evening cohort</option>' in by_cohort


def test_a_filter_that_is_not_theirs_is_explained_and_ignored(client, iqa, cohort, assessor):
    _closed(cohort, assessor, last_name="Adams")
    elsewhere = CohortFactory(name="Someone else's cohort")
    client.force_login(iqa)

    page = client.get(URL, {"cohort": elsewhere.pk, "assessor": "nobody"}).content.decode()

    assert "That is not one of your cohorts: showing them all." in page
    assert "That is not an assessor of your cohorts: showing them all." in page
    assert "Someone else" not in page
    assert len(_rows(page)) == 3


def test_sampling_from_a_later_page_returns_to_that_page(client, iqa, cohort, assessor, monkeypatch):
    monkeypatch.setattr(sel, "SAMPLING_PAGE_SIZE", 2)
    _closed(cohort, assessor, last_name="Adams")
    _closed(cohort, assessor, last_name="Brown")
    client.force_login(iqa)
    page = client.get(URL, {"page": 2, "assessor": assessor.pk}).content.decode()
    ticked = re.findall(r'name="decision" value="(\d+)"', page)

    response = client.post(
        URL, {"mode": "chosen", "decision": ticked, "page": "2", "assessor": assessor.pk}, follow=True
    )

    assert response.redirect_chain[-1][0] == f"{URL}?assessor={assessor.pk}&page=2"
    assert "2 decisions sampled." in response.content.decode()
    assert sorted(QualitySample.objects.values_list("decision_id", flat=True)) == sorted(map(int, ticked))


def test_a_stale_tick_is_refused_with_a_clear_message_and_nothing_sampled(client, iqa, cohort, assessor):
    portfolio = _closed(cohort, assessor, last_name="Adams")
    first, second = portfolio.versions.get().decisions.order_by("pk")[:2]
    colleague = IqaFactory(username="iqa-colleague")
    cohort.memberships.create(user=colleague, role="iqa")
    assessment.sample_decisions(decisions=[first], actor=colleague)  # meanwhile, in another tab
    client.force_login(iqa)

    response = client.post(URL, {"mode": "chosen", "decision": [first.pk, second.pk]}, follow=True)

    assert "1 of the 2 decisions you ticked can no longer be sampled" in response.content.decode()
    assert "Nothing was sampled" in response.content.decode()
    assert list(QualitySample.objects.values_list("decision_id", flat=True)) == [first.pk]


@pytest.mark.parametrize("forged", ["foreign", "junk"])
def test_a_foreign_or_forged_id_is_refused_with_a_clear_message(client, iqa, cohort, assessor, tutor, forged):
    _closed(cohort, assessor, last_name="Adams")
    other = CohortFactory(created_by=tutor, tutors=[tutor])
    other_assessor = AssessorFactory(username="assessor-other")
    other.memberships.create(user=other_assessor, role="assessor")
    foreign = _closed(other, other_assessor, last_name="Brown").versions.get().decisions.first()
    client.force_login(iqa)

    value = foreign.pk if forged == "foreign" else "12abc"
    response = client.post(URL, {"mode": "chosen", "decision": [value]}, follow=True)

    assert "The decision you ticked can no longer be sampled" in response.content.decode()
    assert not QualitySample.objects.exists()


def test_a_share_is_drawn_from_the_decisions_listed(client, iqa, cohort, assessor, other_assessor):
    _closed(cohort, assessor, last_name="Adams")
    _closed(cohort, other_assessor, last_name="Brown")
    client.force_login(iqa)

    client.post(URL, {"mode": "share", "percent": "100", "assessor": other_assessor.pk})

    assert set(QualitySample.objects.values_list("decision__assessor", flat=True)) == {other_assessor.pk}
    assert QualitySample.objects.count() == 3


def test_a_share_with_nothing_listed_says_so(client, iqa, cohort):
    client.force_login(iqa)

    response = client.post(URL, {"mode": "share", "percent": "10"}, follow=True)

    assert "No decision listed is waiting to be sampled." in response.content.decode()
