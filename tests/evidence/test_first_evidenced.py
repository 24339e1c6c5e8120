"""The kept "first evidenced" table (PostgreSQL, migration 0009) says what the mappings say.

``evidence.selectors.first_evidenced_cells`` reads a table that triggers keep; these tests
change mappings and items in every way the product (and a bulk write, a queryset update, a
cascade, a flush) can, and compare the table with the same answer worked out from the
mappings themselves after each change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import connection

from core.models import Portfolio
from evidence.models import CriterionMapping, Evidence
from evidence.selectors import evidenced_since, evidencing_mappings
from evidence.selectors.mappings import first_evidenced_cells, first_evidenced_kept
from tests.evidence.factories import EvidenceFactory, MappingFactory
from tests.factories import CohortFactory, LearnerFactory, PortfolioFactory, framework_with_criteria

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the table is PostgreSQL's"),
]

BLANK_NOTES = ["", " ", "\t\n", "\u00a0", "\u3000 \u2028", "\x1c\x1d\x1e\x1f", "\u200a\u205f\x85"]


def _from_mappings() -> set[tuple[int, int, int]]:
    """(portfolio, criterion, first second) worked out from every mapping, as before the table."""
    from django.db.models import F, Min

    rows = (
        evidencing_mappings()
        .order_by()
        .values("criterion_id", learner=F("evidence__portfolio_id"))
        .annotate(first_at=Min(evidenced_since()))
    )
    return {(r["learner"], r["criterion_id"], r["first_at"]) for r in rows}


def _kept() -> set[tuple[int, int, int]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT portfolio_id, criterion_id, first_at FROM evidence_first_evidenced")
        return {tuple(row) for row in cursor.fetchall()}


def _agree() -> None:
    assert _kept() == _from_mappings()


@pytest.fixture
def cohort_and_learners():
    framework = framework_with_criteria(code="FE", count=6)
    criteria = list(framework.criteria.order_by("order"))
    cohort = CohortFactory(frameworks=[framework])
    portfolios = [PortfolioFactory(cohort=cohort, learner=LearnerFactory()) for _ in range(3)]
    return cohort, criteria, portfolios


def test_postgresql_keeps_the_table():
    assert first_evidenced_kept()


def test_saves_edits_and_deletes_keep_it_true(cohort_and_learners):
    _cohort, criteria, (first, second, _third) = cohort_and_learners
    item = EvidenceFactory(portfolio=first)
    mapping = MappingFactory(evidence=item, criterion=criteria[0], note="Shows the audit.")
    _agree()
    assert (first.pk, criteria[0].pk) in {(p, c) for p, c, _ in _kept()}
    # A second, earlier mapping of the same criterion moves the first time back.
    other = EvidenceFactory(portfolio=first)
    earlier = MappingFactory(evidence=other, criterion=criteria[0], note="Earlier.")
    CriterionMapping.objects.filter(pk=earlier.pk).update(created_at=datetime(2026, 1, 5, tzinfo=UTC))
    _agree()
    # A note emptied (to every kind of whitespace) stops counting.
    for blank in BLANK_NOTES:
        mapping.note = blank
        mapping.save()
        _agree()
    earlier.delete()
    _agree()
    assert not {(p, c) for p, c, _ in _kept()} & {(first.pk, criteria[0].pk)}
    # Another learner's rows are theirs alone.
    MappingFactory(evidence=EvidenceFactory(portfolio=second), criterion=criteria[1], note="Hers.")
    _agree()


def test_bulk_writes_cascades_and_sections(cohort_and_learners):
    _cohort, criteria, (first, second, third) = cohort_and_learners
    items = [EvidenceFactory(portfolio=p) for p in (first, second, third)]
    CriterionMapping.objects.bulk_create(
        [CriterionMapping(evidence=i, criterion=c, note="Bulk.") for i in items for c in criteria[:4]]
    )
    _agree()
    # A section counts only when complete, from the later of the mapping and its last save.
    section = EvidenceFactory(
        portfolio=first, kind=Evidence.Kind.SECTION, section_key="audit.gaps", section_complete=False
    )
    MappingFactory(evidence=section, criterion=criteria[5], note="The step.")
    _agree()
    assert (first.pk, criteria[5].pk) not in {(p, c) for p, c, _ in _kept()}
    Evidence.objects.filter(pk=section.pk).update(
        section_complete=True, updated_at=datetime.now(UTC) + timedelta(days=3)
    )
    _agree()
    assert (first.pk, criteria[5].pk) in {(p, c) for p, c, _ in _kept()}
    # Deleting an item takes its mappings (Django's cascade) and their rows.
    items[1].delete()
    _agree()
    assert not [row for row in _kept() if row[0] == second.pk]
    # A whole portfolio deleted, then every mapping removed at once.
    Portfolio.objects.filter(pk=third.pk).delete()
    _agree()
    CriterionMapping.objects.all().delete()
    _agree()
    assert _kept() == set()


def test_the_dashboards_read_the_same_cells(cohort_and_learners):
    cohort, criteria, portfolios = cohort_and_learners
    for n, portfolio in enumerate(portfolios):
        for criterion in criteria[: n + 2]:
            MappingFactory(evidence=EvidenceFactory(portfolio=portfolio), criterion=criterion, note="Yes.")
    ids = [c.pk for c in criteria[:3]]
    sql, params = first_evidenced_cells(cohort.pk, ids)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        read = {(learner, criterion, first) for criterion, learner, first in cursor.fetchall()}
    expected = {row for row in _from_mappings() if row[1] in ids}
    assert read == expected
    assert len(read) == 2 + 3 + 3


def test_a_flush_empties_it(cohort_and_learners, transactional_db):
    _cohort, criteria, portfolios = cohort_and_learners
    MappingFactory(evidence=EvidenceFactory(portfolio=portfolios[0]), criterion=criteria[0], note="Yes.")
    assert _kept()
    call_command("flush", interactive=False, verbosity=0)
    assert _kept() == set()


@pytest.mark.django_db(transaction=True)
def test_two_learners_sessions_writing_at_once_both_land(cohort_and_learners):
    """Two transactions changing the same learner's mappings at once: the second waits for the
    first and works the rows out after it, instead of colliding on the table's primary key
    (which answered the learner with a server error under the load test)."""
    import threading

    from django.db import close_old_connections, transaction

    _cohort, criteria, (first, _second, _third) = cohort_and_learners
    items = [EvidenceFactory(portfolio=first) for _ in range(2)]
    inside, errors = threading.Event(), []

    def write(item, criterion, hold: bool) -> None:
        try:
            with transaction.atomic():
                CriterionMapping.objects.create(evidence=item, criterion=criterion, note="At once.")
                if hold:
                    inside.set()
                    threading.Event().wait(1.0)  # the other writer arrives meanwhile
        except Exception as error:
            errors.append(error)
        finally:
            close_old_connections()

    holder = threading.Thread(target=write, args=(items[0], criteria[0], True))
    holder.start()
    assert inside.wait(10)
    other = threading.Thread(target=write, args=(items[1], criteria[0], False))
    other.start()
    holder.join(20)
    other.join(20)
    assert errors == []
    _agree()
    assert CriterionMapping.objects.filter(evidence__portfolio=first).count() == 2
