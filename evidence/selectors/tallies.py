"""``coverage_tallies``: the coverage rule (``counts_as_evidenced`` and its SQL twin
``EVIDENCED_SQL``) counted by the database, for the dashboards' whole cohorts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.db.models import (
    Case,
    CharField,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    StringAgg,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat, Greatest

from evidence.models import CriterionMapping, Evidence
from evidence.selectors.coverage import CLAIMED, EVIDENCED, NONE

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler


# Every character ``str.strip()`` removes (``str.isspace()``), so that the database trims a
# note exactly as ``counts_as_evidenced`` does. A test checks it against Python's own list.
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


class TrimWhitespace(Func):
    """TRIM(text, characters) on SQLite, BTRIM on PostgreSQL: both take the set to remove."""

    function = "TRIM"
    output_field = TextField()

    def __init__(self, expression: str) -> None:
        super().__init__(F(expression), Value(WHITESPACE))

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, list[Any]]:
        return self.as_sql(compiler, connection, function="BTRIM", **extra)


# ``counts_as_evidenced`` for a CriterionMapping row, in SQL (``note_text`` is the trimmed note).
EVIDENCED_SQL = ~Q(note_text="") & (
    ~Q(evidence__kind=Evidence.Kind.SECTION) | Q(evidence__section_complete=True)
)


@dataclass(frozen=True)
class PortfolioTally:
    """One portfolio's criteria counted rather than listed: how many items are mapped to
    each criterion (``CriterionCoverage.count``) and how many of those evidence it
    (``counts_as_evidenced``)."""

    # "12e" → how many mappings evidence criterion 12; "12c" → how many only claim it. Kept
    # as the database wrote them: a cohort has tens of thousands, and turning each into a
    # number cost more than counting them.
    tokens: Counter[str]
    # criterion id → when the earliest mapping that evidences it today was made (for a
    # section, the later of that and the section's last save, since completion is not
    # dated); filled only when asked for.
    evidenced_since: dict[int, datetime] = field(default_factory=dict)

    def evidenced(self, criterion_id: int) -> int:
        return self.tokens.get(f"{criterion_id}e", 0)

    def mapped(self, criterion_id: int) -> int:
        return self.evidenced(criterion_id) + self.tokens.get(f"{criterion_id}c", 0)

    def status(self, criterion_id: int) -> str:
        """The same status as ``CriterionCoverage.status``."""
        if self.evidenced(criterion_id):
            return EVIDENCED
        return CLAIMED if self.mapped(criterion_id) else NONE

    def statuses(self, criterion_ids: tuple[int, ...]) -> list[str]:
        """``status`` of each criterion, in one pass with the token keys made once per cohort."""
        tokens = self.tokens
        return [
            EVIDENCED if evidenced in tokens else (CLAIMED if claimed in tokens else NONE)
            for evidenced, claimed in _token_keys(criterion_ids)
        ]


@lru_cache(maxsize=64)
def _token_keys(criterion_ids: tuple[int, ...]) -> list[tuple[str, str]]:
    return [(f"{pk}e", f"{pk}c") for pk in criterion_ids]


NO_TALLY = PortfolioTally(Counter())


class EpochSeconds(Func):
    """Seconds since 1970 as an integer, on SQLite and PostgreSQL."""

    output_field = IntegerField()
    template = "CAST(strftime('%%%%s', %(expressions)s) AS INTEGER)"

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, list[Any]]:
        return self.as_sql(
            compiler, connection, template="CAST(EXTRACT(EPOCH FROM %(expressions)s) AS BIGINT)", **extra
        )


def coverage_tallies(portfolio_ids: list[int], *, with_dates: bool = False) -> dict[int, PortfolioTally]:
    """portfolio id → its tally, for portfolios with at least one mapping (one query).

    The dashboards need only each cell's status and counts, not the evidence behind it;
    building ``coverage_for_portfolios``' objects for a whole cohort cost most of their time.
    Every mapping is counted the same way as there (a link made through the crosswalk's
    offer is a mapping like any other; the crosswalk itself adds nothing), so the statuses
    always agree with ``coverage_for``.

    The database returns one row per portfolio listing its mappings as tokens, ``12e``
    (evidences criterion 12) or ``12c`` (only claims it), which Python counts. Grouping
    by portfolio alone lets SQLite read the mappings in index order; grouping by portfolio
    and criterion made it sort every mapping first, and handing the 22,500 grouped rows of
    a 500-learner cohort to Python cost as much again. With dates, a second list holds
    ``12:seconds`` for each evidencing mapping.
    """
    if not portfolio_ids:
        return {}
    criterion = Cast("criterion_id", CharField())
    aggregates = {"tokens": StringAgg(_token(), Value(","))}
    if with_dates:
        since = Case(
            When(evidence__kind=Evidence.Kind.SECTION, then=Greatest("created_at", "evidence__updated_at")),
            default=F("created_at"),
        )
        seconds = Cast(EpochSeconds(since), CharField())
        dated = Concat(criterion, Value(":"), seconds, output_field=CharField())
        aggregates["dated"] = StringAgg(dated, Value(","), filter=EVIDENCED_SQL)
    rows = (
        CriterionMapping.objects.filter(evidence__portfolio_id__in=portfolio_ids)
        .alias(note_text=TrimWhitespace("note"))
        .values_list("evidence__portfolio_id")
        .annotate(**aggregates)
        .order_by()
    )
    return {row[0]: _tally(*row[1:]) for row in rows}


def _token() -> Case:
    """``12e`` for a mapping that evidences criterion 12, ``12c`` for one that only claims it."""
    criterion = Cast("criterion_id", CharField())
    return Case(
        When(EVIDENCED_SQL, then=Concat(criterion, Value("e"), output_field=CharField())),
        default=Concat(criterion, Value("c"), output_field=CharField()),
    )


def coverage_tokens(portfolio: OuterRef) -> Subquery:
    """The tokens ``coverage_tallies`` counts for one portfolio, as a subquery to annotate a
    page of portfolios with (``tally_of`` reads them): a page's rows cost no query of their own."""
    mappings = (
        CriterionMapping.objects.filter(evidence__portfolio_id=portfolio)
        .alias(note_text=TrimWhitespace("note"))
        .order_by()
        .values("evidence__portfolio_id")
        .annotate(tokens=StringAgg(_token(), Value(",")))
        .values("tokens")
    )
    return Subquery(mappings, output_field=TextField())


def tally_of(tokens: str | None) -> PortfolioTally:
    """The tally of a portfolio annotated with ``coverage_tokens`` (None: nothing mapped)."""
    return _tally(tokens) if tokens else NO_TALLY


def _tally(tokens: str, dated: str | None = None) -> PortfolioTally:
    since: dict[int, datetime] = {}
    if dated:
        # Sorted latest first, so the earliest time of each criterion is the one kept. The
        # times have ten digits (until the year 2286), so text order is number order.
        pairs = dict(pair.split(":") for pair in sorted(dated.split(","), reverse=True))
        since = {int(pk): datetime.fromtimestamp(int(at), UTC) for pk, at in pairs.items()}
    return PortfolioTally(Counter(tokens.split(",")), since)
