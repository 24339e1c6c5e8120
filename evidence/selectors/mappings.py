"""The evidence's mappings and sections as querysets and SQL expressions for the dashboards.

The dashboards count, filter and sort whole cohorts in the database (``dashboards.facts``,
``dashboards.masks``). What they need to know of the evidence, which mappings evidence their
criterion and when, and which guided steps a learner has saved, is written here, beside the
rule it encodes (``counts_as_evidenced`` and its SQL twin ``EVIDENCED_SQL``), so an output
composes these pieces and never builds a query on the evidence's models itself.
"""

from __future__ import annotations

from django.db.models import (
    Case,
    CharField,
    Expression,
    F,
    IntegerField,
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
