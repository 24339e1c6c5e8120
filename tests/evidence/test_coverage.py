from __future__ import annotations

import pytest
from django.urls import reverse

from evidence.models import Evidence
from evidence.selectors import coverage_for, coverage_for_portfolios
from tests.evidence.factories import EvidenceFactory, FileEvidenceFactory, MappingFactory, TranscriptFactory
from tests.factories import LearnerFactory, PortfolioFactory

pytestmark = pytest.mark.django_db


def statuses(coverage):
    return {c.criterion.code: c.status for c in coverage.criteria}


def test_a_criterion_is_none_claimed_or_evidenced(portfolio, criteria):
    p1, p2, p3 = criteria["standard"]
    MappingFactory(evidence=EvidenceFactory(portfolio=portfolio), criterion=p1, note="How it proves P1.")
    MappingFactory(evidence=EvidenceFactory(portfolio=portfolio), criterion=p2, note="  ")

    coverage = coverage_for(portfolio)

    assert statuses(coverage) == {
        p1.code: "evidenced",
        p2.code: "claimed",
        p3.code: "none",
        "1.1": "none",
        "1.2": "none",
    }
    assert [f.framework.code for f in coverage.frameworks] == ["STD", "UNIT"]
    standard = coverage.frameworks[0]
    assert (standard.evidenced, standard.claimed, standard.missing, standard.percent_evidenced) == (
        1,
        1,
        1,
        33,
    )


def test_a_section_in_progress_only_claims_its_criteria(portfolio, criteria):
    p1 = criteria["standard"][0]
    section = Evidence.objects.create(
        portfolio=portfolio, kind="section", section_key="audit.x", title="Audit"
    )
    MappingFactory(evidence=section, criterion=p1, note="The audit describes the offer.")
    assert statuses(coverage_for(portfolio))[p1.code] == "claimed"

    Evidence.objects.filter(pk=section.pk).update(section_complete=True)
    assert statuses(coverage_for(portfolio))[p1.code] == "evidenced"


def test_other_portfolios_evidence_never_counts(portfolio, other_learner, criteria):
    p1 = criteria["standard"][0]
    MappingFactory(evidence=EvidenceFactory(portfolio=other_learner.portfolios.get()), criterion=p1)

    assert statuses(coverage_for(portfolio))[p1.code] == "none"


def test_the_decision_has_its_place_and_is_empty_until_assessment_exists(portfolio, criteria):
    assert {c.decision for c in coverage_for(portfolio).criteria} == {None}


def _portfolios(cohort, count):
    return [PortfolioFactory(cohort=cohort, learner=LearnerFactory()) for _ in range(count)]


@pytest.mark.parametrize("count", [1, 25])
def test_the_batch_costs_four_queries_whatever_the_number_of_portfolios(
    cohort, criteria, count, django_assert_num_queries
):
    portfolios = _portfolios(cohort, count)
    for p in portfolios:
        MappingFactory(evidence=EvidenceFactory(portfolio=p), criterion=criteria["standard"][0], note="n")

    # cohort↔framework links with frameworks, groups, criteria, every mapping of the portfolios,
    # the assessors' standing decisions
    with django_assert_num_queries(5):
        result = coverage_for_portfolios(portfolios)
        for coverage in result.values():
            [c.criterion.framework.code for c in coverage.criteria]  # no lazy loads

    assert len(result) == count
    assert all(statuses(c)[criteria["standard"][0].code] == "evidenced" for c in result.values())


def _fill(portfolio, criteria, count):
    all_criteria = criteria["standard"] + criteria["unit"]
    for index in range(count):
        maker = [EvidenceFactory, TranscriptFactory, FileEvidenceFactory][index % 3]
        evidence = maker(portfolio=portfolio)
        MappingFactory(
            evidence=evidence, criterion=all_criteria[index % len(all_criteria)], note="n" * (index % 2)
        )


@pytest.mark.parametrize("items", [1, 25])
def test_the_matrix_page_costs_the_same_with_1_or_25_items(
    client, learner, portfolio, criteria, items, django_assert_num_queries
):
    _fill(portfolio, criteria, items)
    client.force_login(learner)

    # session, user, portfolio (with cohort, learner, assessor); then coverage's four:
    # framework links, groups, criteria, mappings with their evidence, assessors' decisions
    with django_assert_num_queries(8):
        response = client.get(reverse("evidence:coverage", args=[portfolio.pk]))

    assert response.status_code == 200


@pytest.mark.parametrize("items", [1, 25])
def test_the_evidence_list_costs_the_same_with_1_or_25_items(
    client, learner, portfolio, criteria, items, django_assert_num_queries
):
    _fill(portfolio, criteria, items)
    client.force_login(learner)

    # session, user, portfolio (with cohort, learner, assessor), the items with their counts
    with django_assert_num_queries(4):
        response = client.get(reverse("evidence:list", args=[portfolio.pk]))

    assert len(response.context["items"]) == items


@pytest.mark.parametrize("items", [1, 25])
def test_the_item_picker_costs_the_same_with_1_or_25_items(
    client, learner, portfolio, criteria, items, django_assert_max_num_queries
):
    _fill(portfolio, criteria, items)
    evidence = portfolio.evidence.first()
    client.force_login(learner)

    # session, user, portfolio, item, frameworks, groups, criteria, crosswalk out, crosswalk in, mappings,
    # the mappings' version token with the person's draft (one query)
    with django_assert_max_num_queries(11):
        client.get(reverse("evidence:mappings", args=[portfolio.pk, evidence.pk]))


@pytest.mark.parametrize("messages", [1, 25])
def test_a_transcript_page_costs_the_same_with_1_or_25_messages(
    client, learner, portfolio, criteria, messages, django_assert_num_queries
):
    from tests.evidence.factories import MessageFactory

    transcript = TranscriptFactory(portfolio=portfolio)
    for index in range(messages):
        MessageFactory(evidence=transcript, author=["customer", "organisation"][index % 2])
        MappingFactory(
            evidence=transcript, criterion=(criteria["standard"] + criteria["unit"])[index % 5]
        ) if index < 5 else None
    client.force_login(learner)

    # session, user, portfolio, the item (with its image check and unconfirmed redaction), its
    # mappings with criteria, its messages, its "not personal" marks
    with django_assert_num_queries(7):
        client.get(reverse("evidence:detail", args=[portfolio.pk, transcript.pk]))


def test_the_matrix_links_each_item_and_marks_gaps_in_words(client, learner, portfolio, criteria):
    evidence = EvidenceFactory(portfolio=portfolio, title="My reflection")
    MappingFactory(evidence=evidence, criterion=criteria["standard"][0], note="")
    client.force_login(learner)

    page = client.get(reverse("evidence:coverage", args=[portfolio.pk])).content.decode()

    assert reverse("evidence:detail", args=[portfolio.pk, evidence.pk]) in page
    assert "(claimed: no note)" in page
    assert "No evidence" in page
    assert "Claimed" in page
