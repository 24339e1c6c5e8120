"""The counts-only coverage read of the dashboards agrees with ``coverage_for`` everywhere."""

from __future__ import annotations

import random
import sys
from datetime import UTC, datetime, timedelta

import pytest

from core.selectors import criteria_for_cohorts
from evidence.models import CriterionMapping, Evidence
from evidence.selectors import (
    WHITESPACE,
    counts_as_evidenced,
    coverage_for,
    coverage_for_portfolios,
    coverage_tallies,
)
from evidence.services import add_mapping
from tests.evidence.factories import EvidenceFactory, MappingFactory, TranscriptFactory
from tests.factories import CohortFactory, LearnerFactory, PortfolioFactory, framework_with_criteria

pytestmark = pytest.mark.django_db

# Notes that say something, and notes that only look as if they might: every character
# Python's str.strip() removes, alone and mixed.
BLANK_NOTES = ["", " ", "\t\n", "\u00a0", "\u3000 \u2028", "\x1c\x1d\x1e\x1f", "\u200a\u205f\x85"]
REAL_NOTES = ["Shows it.", "  padded  ", "\u00a0non-breaking\u00a0", "\u3000全角\u3000", "x"]


def assert_agrees(portfolios):
    """Every portfolio × criterion: the same status and the same number of mapped items."""
    matrix = coverage_for_portfolios(portfolios)
    tallies = coverage_tallies([p.pk for p in portfolios])
    checked = 0
    for portfolio in portfolios:
        tally = tallies.get(portfolio.pk)
        for cell in matrix[portfolio.pk].criteria:
            pk = cell.criterion.pk
            expected = (cell.status, cell.count, sum(e.counts_as_evidenced for e in cell.evidence))
            got = (
                ("none", 0, 0) if tally is None else (tally.status(pk), tally.mapped(pk), tally.evidenced(pk))
            )
            assert got == expected, (portfolio.learner.username, cell.criterion.code)
            checked += 1
    return checked


def test_the_whitespace_list_is_what_python_strips():
    expected = "".join(ch for ch in map(chr, range(sys.maxunicode + 1)) if ch.isspace())
    assert expected == WHITESPACE


def test_it_agrees_on_each_kind_of_cell(portfolio, criteria, other_learner):
    """None, claimed, evidenced, blank notes, sections in progress and complete, several items."""
    p1, p2, p3 = criteria["standard"]
    u1, u2 = criteria["unit"]
    MappingFactory(evidence=EvidenceFactory(portfolio=portfolio), criterion=p1, note="How it proves P1.")
    MappingFactory(evidence=EvidenceFactory(portfolio=portfolio), criterion=p1, note="")
    MappingFactory(evidence=EvidenceFactory(portfolio=portfolio), criterion=p2, note=" \t\u00a0\u3000")
    section = Evidence.objects.create(
        portfolio=portfolio, kind="section", section_key="audit.x", title="Audit"
    )
    MappingFactory(evidence=section, criterion=p3, note="The audit covers it.")
    MappingFactory(evidence=section, criterion=u2, note="And this.")
    # Someone else's evidence never counts for this portfolio.
    MappingFactory(evidence=EvidenceFactory(portfolio=other_learner.portfolios.get()), criterion=u1)

    assert [c.status for c in coverage_for(portfolio).criteria] == [
        "evidenced",
        "claimed",
        "claimed",  # the section is still in progress
        "none",
        "claimed",
    ]
    assert assert_agrees([portfolio]) == 5

    Evidence.objects.filter(pk=section.pk).update(section_complete=True)
    assert assert_agrees([portfolio]) == 5
    tally = coverage_tallies([portfolio.pk])[portfolio.pk]
    assert (tally.status(p3.pk), tally.status(u2.pk), tally.mapped(p1.pk), tally.evidenced(p1.pk)) == (
        "evidenced",
        "evidenced",
        2,
        1,
    )


def test_the_crosswalk_counts_only_through_the_mapping_it_offers(portfolio, criteria, learner):
    """A crosswalk link adds nothing by itself; the mapping the learner accepts counts like any other."""
    p1 = criteria["standard"][0]
    linked = criteria["unit"][0]  # p1 → 1.1 in the fixture's crosswalk
    item = EvidenceFactory(portfolio=portfolio)
    MappingFactory(evidence=item, criterion=p1, note="The offer is described.")

    tally = coverage_tallies([portfolio.pk])[portfolio.pk]
    assert (tally.status(p1.pk), tally.status(linked.pk)) == ("evidenced", "none")
    assert_agrees([portfolio])

    add_mapping(evidence=item, criterion=linked, note="Same evidence, the unit's wording.", actor=learner)
    tally = coverage_tallies([portfolio.pk])[portfolio.pk]
    assert (tally.status(p1.pk), tally.status(linked.pk)) == ("evidenced", "evidenced")
    assert_agrees([portfolio])


def test_it_agrees_on_a_random_cohort_with_two_frameworks(criteria, portfolio):
    """Many learners, random items, kinds, notes and sections; the crosswalk's offer taken at random."""
    cohort = portfolio.cohort
    everything = criteria["standard"] + criteria["unit"]
    rng = random.Random(20260601)
    portfolios = [portfolio] + [PortfolioFactory(cohort=cohort, learner=LearnerFactory()) for _ in range(11)]
    for index, learner_portfolio in enumerate(portfolios):
        if index == 5:
            continue  # one learner with nothing at all
        for n in range(rng.randint(1, 7)):
            kind = rng.choice(["reflection", "transcript", "section"])
            if kind == "section":
                item = Evidence.objects.create(
                    portfolio=learner_portfolio,
                    kind="section",
                    section_key=f"step.{n}",
                    title=f"Step {n}",
                    section_complete=rng.random() < 0.5,
                )
            else:
                maker = TranscriptFactory if kind == "transcript" else EvidenceFactory
                item = maker(portfolio=learner_portfolio)
            for criterion in rng.sample(everything, rng.randint(1, len(everything))):
                note = rng.choice(BLANK_NOTES + REAL_NOTES)
                CriterionMapping.objects.get_or_create(
                    evidence=item, criterion=criterion, defaults={"note": note}
                )
            if rng.random() < 0.5:
                add_mapping(
                    evidence=item,
                    criterion=criteria["unit"][0],
                    note="Via the crosswalk.",
                    actor=portfolio.learner,
                )

    assert assert_agrees(portfolios) == len(portfolios) * len(everything)
    # The random data reached every kind of cell.
    statuses = {c.status for p in portfolios for c in coverage_for(p).criteria}
    assert statuses == {"none", "claimed", "evidenced"}


@pytest.mark.parametrize("note", BLANK_NOTES + REAL_NOTES)
def test_the_database_reads_a_note_as_python_does(portfolio, criteria, note):
    MappingFactory(
        evidence=EvidenceFactory(portfolio=portfolio), criterion=criteria["standard"][0], note=note
    )

    tally = coverage_tallies([portfolio.pk])[portfolio.pk]

    assert bool(tally.evidenced(criteria["standard"][0].pk)) is counts_as_evidenced(note, "reflection", False)


@pytest.mark.parametrize("count", [1, 25])
def test_the_tallies_cost_one_query_whatever_the_number_of_portfolios(
    cohort, criteria, count, django_assert_num_queries
):
    portfolios = [PortfolioFactory(cohort=cohort, learner=LearnerFactory()) for _ in range(count)]
    for p in portfolios:
        MappingFactory(evidence=EvidenceFactory(portfolio=p), criterion=criteria["standard"][0])

    with django_assert_num_queries(1):
        tallies = coverage_tallies([p.pk for p in portfolios], with_dates=True)

    assert len(tallies) == count


def test_the_cohort_criteria_come_in_the_matrix_order_in_two_queries(
    portfolio, criteria, django_assert_num_queries
):
    other = CohortFactory()
    other.frameworks.add(framework_with_criteria("OTHER", 2))
    elsewhere = PortfolioFactory(cohort=other, learner=LearnerFactory())

    with django_assert_num_queries(2):
        by_cohort = criteria_for_cohorts([portfolio.cohort_id, other.pk])
        codes = [(c.framework.code, c.group.code, c.code) for c in by_cohort[portfolio.cohort_id]]

    assert len(codes) == 5
    for mine in (portfolio, elsewhere):
        assert [c.pk for c in by_cohort[mine.cohort_id]] == [
            c.criterion.pk for c in coverage_for(mine).criteria
        ]
    assert "OTHER" in {c.framework.code for c in by_cohort[other.pk]}


def test_evidenced_since_is_the_earliest_mapping_that_evidences_it(portfolio, criteria):
    p1, p2, p3 = criteria["standard"]
    early, late = datetime(2026, 1, 5, 9, tzinfo=UTC), datetime(2026, 3, 1, 9, tzinfo=UTC)
    first = MappingFactory(evidence=EvidenceFactory(portfolio=portfolio), criterion=p1, note="n")
    second = MappingFactory(evidence=EvidenceFactory(portfolio=portfolio), criterion=p1, note="n")
    claimed = MappingFactory(evidence=EvidenceFactory(portfolio=portfolio), criterion=p2, note="")
    section = Evidence.objects.create(
        portfolio=portfolio, kind="section", section_key="a.b", title="Step", section_complete=True
    )
    in_section = MappingFactory(evidence=section, criterion=p3, note="n")
    CriterionMapping.objects.filter(pk=first.pk).update(created_at=late)
    CriterionMapping.objects.filter(pk=second.pk).update(created_at=early)
    CriterionMapping.objects.filter(pk=claimed.pk).update(created_at=early)
    # A step's criteria count from its last save, when it may have been completed.
    CriterionMapping.objects.filter(pk=in_section.pk).update(created_at=early)
    Evidence.objects.filter(pk=section.pk).update(updated_at=late + timedelta(days=2))

    since = coverage_tallies([portfolio.pk], with_dates=True)[portfolio.pk].evidenced_since

    assert since == {p1.pk: early, p3.pk: late + timedelta(days=2)}
    assert coverage_tallies([portfolio.pk])[portfolio.pk].evidenced_since == {}


def test_no_portfolios_cost_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert coverage_tallies([]) == {}


def test_the_index_migration_keeps_the_whitespace_the_dashboards_query_with():
    import importlib

    from evidence.selectors import WHITESPACE

    migration = importlib.import_module("evidence.migrations.0005_mapping_evidencing_index")

    assert migration.WHITESPACE == WHITESPACE
