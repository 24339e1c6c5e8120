"""The evidence's mappings and sections as querysets and SQL expressions for the dashboards.

The dashboards count, filter and sort whole cohorts in the database (``dashboards.facts``,
``dashboards.masks``). What they need to know of the evidence, which mappings evidence their
criterion and when, and which guided steps a learner has saved, is written here, beside the
rule it encodes (``counts_as_evidenced`` and its SQL twin ``EVIDENCED_SQL``), so an output
composes these pieces and never builds a query on the evidence's models itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Expression,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    StringAgg,
    Value,
    When,
)
from django.db.models.functions import Concat, Greatest, StrIndex, Substr

from evidence.models import CriterionMapping, Evidence
from evidence.selectors.tallies import EVIDENCED_SQL, WHITESPACE, EpochSeconds, TrimWhitespace


def all_mappings() -> QuerySet[CriterionMapping]:
    """Every mapping of an item to a criterion, evidencing it or only claiming it."""
    return CriterionMapping.objects.all()


def mappings_of(portfolios: QuerySet) -> QuerySet[CriterionMapping]:
    """The mappings of these portfolios' evidence (``portfolios``: a queryset of portfolios)."""
    return CriterionMapping.objects.filter(evidence__portfolio__in=portfolios.order_by().values("pk"))


def evidencing_mappings() -> QuerySet[CriterionMapping]:
    """Mappings that evidence their criterion (``counts_as_evidenced``)."""
    return CriterionMapping.objects.alias(note_text=TrimWhitespace("note")).filter(EVIDENCED_SQL)


# What ``evidences`` reads of a mapping: where the note's first character is in the whitespace
# list (0: nowhere, or an empty note), and the note trimmed.
EVIDENCES_ALIASES = {
    "first_blank": StrIndex(Value(WHITESPACE), Substr("note", 1, 1)),
    "note_text": TrimWhitespace("note"),
}


def evidences() -> Case:
    """1 for a mapping (with ``EVIDENCES_ALIASES``) that evidences its criterion, else 0:
    ``EVIDENCED_SQL`` (a note that is more than whitespace, on an item that is not a section
    in progress), with the note trimmed only when it starts with whitespace. Trimming every
    note of every kind of whitespace was the dearest part of the masks' scan (on PostgreSQL
    150 of 250 ms for 450,000 mappings); a note that starts with anything else is more than
    whitespace without it. In a filter, the planner cannot tell how many rows it keeps:
    there, ``EVIDENCED_SQL`` itself (``evidencing_mappings``) plans better."""
    return Case(
        When(Q(evidence__kind=Evidence.Kind.SECTION, evidence__section_complete=False), then=Value(0)),
        When(note="", then=Value(0)),
        When(Q(first_blank=0), then=Value(1)),
        When(~Q(note_text=""), then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )


def evidenced_since() -> EpochSeconds:
    """When a mapping began to count, in whole seconds: for a section, the later of the
    mapping and the section's last save, since completion is not dated."""
    return EpochSeconds(
        Case(
            When(evidence__kind=Evidence.Kind.SECTION, then=Greatest("created_at", "evidence__updated_at")),
            default=F("created_at"),
        )
    )


def saved_steps(portfolio: OuterRef | Expression) -> QuerySet:
    """A subquery: the guided steps the portfolio (``OuterRef("pk")`` of an outer query of
    portfolios) has saved, as "section key:1" (complete) or ":0" (in progress), comma-separated,
    in the column ``pairs``."""
    complete = Case(
        When(section_complete=True, then=Value("1")), default=Value("0"), output_field=CharField()
    )
    return (
        Evidence.objects.filter(portfolio_id=portfolio, kind=Evidence.Kind.SECTION)
        .order_by()
        .values("portfolio_id")
        .annotate(
            pairs=StringAgg(Concat("section_key", Value(":"), complete, output_field=CharField()), Value(","))
        )
        .values("pairs")
    )


# --- When each learner first evidenced each criterion ---------------------------------------

FIRST_EVIDENCED_TABLE = "evidence_first_evidenced"  # kept by triggers (migration 0009)


def first_evidenced_kept() -> bool:
    """Whether the database keeps ``evidence_first_evidenced`` (PostgreSQL does, from
    migration 0009; SQLite works the times out from the mappings each time)."""
    return connection.vendor == "postgresql"


def first_evidenced_cells(cohort_id: int, criterion_ids: Sequence[int]) -> tuple[str, list[Any]]:
    """SQL (and its parameters) of the rows (criterion_id, learner, first_at): when each of
    the cohort's learners first evidenced each of these criteria, in whole seconds since
    1970 (``evidencing_mappings`` dated by ``evidenced_since``, grouped by learner and
    criterion). On PostgreSQL it reads the kept table, one row per learner and criterion,
    instead of grouping every mapping of the cohort again."""
    ids = [int(pk) for pk in criterion_ids]
    if first_evidenced_kept():
        sql = (
            "SELECT f.criterion_id AS criterion_id, f.portfolio_id AS learner, f.first_at AS first_at "  # noqa: S608
            f"FROM {FIRST_EVIDENCED_TABLE} f "
            "JOIN portfolio_portfolio p ON p.id = f.portfolio_id "
            "WHERE p.cohort_id = %s AND f.criterion_id = ANY(%s)"
        )
        return sql, [cohort_id, ids]
    cells = (
        evidencing_mappings()
        .alias(criterion_number=F("criterion_id") + 0)
        .filter(criterion_number__in=ids, evidence__portfolio__cohort_id=cohort_id)
        .order_by()
        .values("criterion_id", learner=F("evidence__portfolio_id"))
        .annotate(first_at=Min(evidenced_since()))
    )
    sql, params = cells.query.sql_with_params()
    return sql, list(params)
