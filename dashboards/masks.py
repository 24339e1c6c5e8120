"""Each learner's criteria as bit masks, worked out by the database in one pass over the
mappings: what the dashboards count for a whole cohort or caseload.

A subquery per learner (``dashboard_facts.covered_count``) costs the database a lookup per
learner and per criterion, and the criterion summary read every mapping a second time: at
5,000 learners (450,000 mappings) each took 400–600 ms. Here one grouped query reads the
mappings once, joined by hash rather than looked up learner by learner, and gives each learner
a few integers: bit ``b`` of word ``w`` of ``evidenced`` is set when the learner evidences the
criterion at that place (``counts_as_evidenced``), of ``mapped`` when anything is mapped to it,
of ``met`` and ``not_met`` when the standing decision says so. A criterion is covered
(``dashboards.COVERED``) when it is met, or evidenced and not judged not yet met; the number
covered is the count of those bits. Counting and summing the bits is left to the database too,
so Python receives a few dozen grouped rows whatever the number of learners.

The SQL is written around the ORM's own SQL for the rows (as ``dashboard_facts.counts_before``
is): the ORM cannot join a grouped subquery. Only numbers (ids, bit values, column counts) are
written into the text; every value of the inner queries stays a parameter. The bits are
aggregated with ``BIT_OR`` on PostgreSQL and ``SUM(DISTINCT …)`` on SQLite (the sum of distinct
powers of two is their OR). A word holds 62 criteria, so no sum or shift reaches the sign bit.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When, Window
from django.db.models.functions import RowNumber

from core.models import CriterionDecision, Portfolio
from dashboards import facts as dashboard_facts
from dashboards import figures as dashboards
from evidence.selectors import EVIDENCES_ALIASES, evidences, mappings_of

WORD_BITS = 62


@dataclass(frozen=True)
class Layout:
    """Where each cohort's criteria sit in the masks: the i-th criterion of a cohort (in the
    order given) is bit ``i % WORD_BITS`` of word ``i // WORD_BITS``. Cohorts share the bits:
    a learner's masks are read with their own cohort's criteria."""

    criteria_by_cohort: Mapping[int, Sequence[int]]

    @property
    def words(self) -> int:
        longest = max((len(ids) for ids in self.criteria_by_cohort.values()), default=0)
        return -(-longest // WORD_BITS)

    def bits_in(self, word: int) -> int:
        longest = max((len(ids) for ids in self.criteria_by_cohort.values()), default=0)
        return max(0, min(WORD_BITS, longest - word * WORD_BITS))

    def places(self) -> list[tuple[int, int, int, int]]:
        """(cohort, criterion, word, bit value) of every criterion."""
        return [
            (cohort, criterion, i // WORD_BITS, 1 << (i % WORD_BITS))
            for cohort, ids in self.criteria_by_cohort.items()
            for i, criterion in enumerate(ids)
        ]

    @property
    def several(self) -> bool:
        """More than one cohort: a criterion's place depends on the learner's cohort."""
        return len(self.criteria_by_cohort) > 1

    def join(self, alias: str, prefix: str) -> str:
        """The condition that finds a row's place: by criterion, and by cohort when there
        are several (joining the learners' cohort for one cohort only slowed the scan)."""
        condition = f"ix.column2 = {alias}.{prefix}_criterion"
        return f"ix.column1 = {alias}.{prefix}_cohort AND {condition}" if self.several else condition

    def values_sql(self) -> str:
        """The places as a table: ``VALUES`` names its columns column1… on both databases."""
        rows = ", ".join(f"({int(c)}, {int(k)}, {int(w)}, {int(b)})" for c, k, w, b in self.places())
        return f"(VALUES {rows})"


def _bit_or(expression: str) -> str:
    if connection.vendor == "postgresql":
        return f"BIT_OR({expression})"
    return f"SUM(DISTINCT {expression})"


def _sql(queryset: QuerySet) -> tuple[str, list[Any]]:
    sql, params = queryset.query.sql_with_params()
    return sql, list(params)


def _mapping_masks(portfolios: QuerySet[Portfolio], layout: Layout) -> tuple[str, list[Any]]:
    """One row per learner with a mapping to one of their cohort's criteria: ``pid``, then
    ``e0``, ``m0``, ``e1``, ``m1``… (evidenced and mapped, per word)."""
    rows = (
        mappings_of(portfolios)
        .alias(**EVIDENCES_ALIASES)
        .order_by()
        .values(
            m_portfolio=F("evidence__portfolio_id"),
            m_criterion=F("criterion_id"),
            m_evidenced=evidences(),
            **({"m_cohort": F("evidence__portfolio__cohort_id")} if layout.several else {}),
        )
    )
    inner, params = _sql(rows)
    columns = []
    for w in range(layout.words):
        columns.append(
            _bit_or(f"CASE WHEN ix.column3 = {w} AND m.m_evidenced = 1 THEN ix.column4 END") + f" AS e{w}"
        )
        columns.append(_bit_or(f"CASE WHEN ix.column3 = {w} THEN ix.column4 END") + f" AS m{w}")
    sql = (
        f"SELECT m.m_portfolio AS pid, {', '.join(columns)} FROM ({inner}) m "  # noqa: S608
        f"INNER JOIN {layout.values_sql()} ix ON {layout.join('m', 'm')} "
        "GROUP BY m.m_portfolio"
    )
    return sql, params


def _decision_masks(portfolios: QuerySet[Portfolio], layout: Layout) -> tuple[str, list[Any]]:
    """One row per learner with a standing decision on one of their cohort's criteria: ``pid``,
    then ``t0``, ``n0``, ``t1``, ``n1``… (met and not yet met, per word)."""
    rows = (
        dashboard_facts.standing_decisions()
        .filter(version__portfolio__in=portfolios.order_by().values("pk"))
        .order_by()
        .values(
            d_portfolio=F("version__portfolio_id"),
            d_criterion=F("criterion_id"),
            **({"d_cohort": F("version__portfolio__cohort_id")} if layout.several else {}),
            d_met=Case(
                When(status=CriterionDecision.Status.MET, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
        )
    )
    inner, params = _sql(rows)
    columns = []
    for w in range(layout.words):
        columns.append(
            _bit_or(f"CASE WHEN ix.column3 = {w} AND d.d_met = 1 THEN ix.column4 END") + f" AS t{w}"
        )
        columns.append(
            _bit_or(f"CASE WHEN ix.column3 = {w} AND d.d_met = 0 THEN ix.column4 END") + f" AS n{w}"
        )
    sql = (
        f"SELECT d.d_portfolio AS pid, {', '.join(columns)} FROM ({inner}) d "  # noqa: S608
        f"INNER JOIN {layout.values_sql()} ix ON {layout.join('d', 'd')} "
        "GROUP BY d.d_portfolio"
    )
    return sql, params


def _covered(layout: Layout) -> str:
    """The number of criteria covered, from the joined masks: per word, the bits met or
    evidenced and not judged not yet met, counted one by one (no popcount on SQLite)."""
    terms = []
    for w in range(layout.words):
        word = f"((COALESCE(c.e{w}, 0) & ~COALESCE(d.n{w}, 0)) | COALESCE(d.t{w}, 0))"
        terms += [f"(({word} >> {b}) & 1)" for b in range(layout.bits_in(w))]
    return " + ".join(terms) or "0"


def _flag(condition: Q) -> Case | Value:
    """1 where the condition holds, else 0 (an empty condition holds everywhere)."""
    if not condition:
        return Value(1, output_field=IntegerField())
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


@dataclass
class Group:
    """The learners of one cohort with the same number of criteria covered."""

    cohort_id: int
    covered: int
    n: int
    flags: dict[str, int]  # how many of them each condition holds for
    evidenced: dict[int, int] = field(default_factory=dict)  # criterion → learners evidencing it
    mapped: dict[int, int] = field(default_factory=dict)  # criterion → learners with a mapping to it


def counted(
    portfolios: QuerySet[Portfolio],
    layout: Layout,
    *,
    flags: Mapping[str, Q],
    per_criterion: bool = False,
) -> list[Group]:
    """The learners of ``portfolios`` grouped by cohort and number of criteria covered, in one
    query: how many, and how many each of ``flags`` holds for (conditions on the portfolios,
    which may use ``dashboard_facts.with_submission``'s aliases). ``per_criterion``: also how
    many of each group evidence, and map anything to, each of the cohort's criteria (for one
    cohort: the criterion summary), summed from the bits by the database."""
    names = list(flags)
    learners = portfolios.order_by().values(
        l_id=F("pk"),
        l_cohort=F("cohort_id"),
        **{f"l_{i}": _flag(condition) for i, condition in enumerate(flags.values())},
    )
    people, params = _sql(learners)
    sums = [f"SUM(x.l_{i})" for i in range(len(names))]
    places = layout.places() if per_criterion else []
    for _, _, word, bit in places:
        shift = bit.bit_length() - 1
        sums += [f"SUM((x.e{word} >> {shift}) & 1)", f"SUM((x.m{word} >> {shift}) & 1)"]
    if layout.words:
        masks, mask_params = _mapping_masks(portfolios, layout)
        decided, decided_params = _decision_masks(portfolios, layout)
        words = ", ".join(f"c.e{w} AS e{w}, c.m{w} AS m{w}" for w in range(layout.words))
        inner = (
            f"SELECT l.*, {words}, {_covered(layout)} AS covered FROM ({people}) l "  # noqa: S608
            f"LEFT JOIN ({masks}) c ON c.pid = l.l_id LEFT JOIN ({decided}) d ON d.pid = l.l_id"
        )
        params += mask_params + decided_params
    else:
        inner = f"SELECT l.*, 0 AS covered FROM ({people}) l"  # noqa: S608
    sql = (
        f"SELECT x.l_cohort, x.covered, COUNT(*){''.join(', ' + s for s in sums)} "  # noqa: S608
        f"FROM ({inner}) x GROUP BY x.l_cohort, x.covered"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    groups = []
    for cohort_id, covered, n, *rest in rows:
        counts = [int(value or 0) for value in rest]
        group = Group(cohort_id, int(covered), int(n), dict(zip(names, counts[: len(names)], strict=True)))
        per = counts[len(names) :]
        for index, (cohort, criterion, _, _) in enumerate(places):
            if cohort == cohort_id:
                group.evidenced[criterion] = per[2 * index]
                group.mapped[criterion] = per[2 * index + 1]
        groups.append(group)
    return groups


@dataclass(frozen=True)
class LearnerMasks:
    """One learner's bits, word by word (see the module's docstring)."""

    portfolio_id: int
    evidenced: tuple[int, ...]
    mapped: tuple[int, ...]
    met: tuple[int, ...]
    not_met: tuple[int, ...]


def in_order(
    portfolios: QuerySet[Portfolio], layout: Layout, *, chunk_size: int = 500
) -> Iterator[LearnerMasks]:
    """Each learner of ``portfolios`` with their masks, in the queryset's order, read as a
    stream in one query (the learners numbered in that order, their masks joined by hash):
    memory stays the same whatever the number of learners. The exports read it beside the
    stream of the same learners' rows (made first: see below)."""
    order: list[Any] = list(portfolios.query.order_by) or ["pk"]
    numbered = (
        portfolios.annotate(reading_order=Window(RowNumber(), order_by=order))
        .order_by()
        .values(l_id=F("pk"), l_n=F("reading_order"))
    )
    people, params = _sql(numbered)
    words = range(layout.words)
    if layout.words:
        masks, mask_params = _mapping_masks(portfolios, layout)
        decided, decided_params = _decision_masks(portfolios, layout)
        columns = ", ".join(f"c.e{w}, c.m{w}, d.t{w}, d.n{w}" for w in words)
        sql = (
            f"SELECT l.l_id, {columns} FROM ({people}) l LEFT JOIN ({masks}) c ON c.pid = l.l_id "  # noqa: S608
            f"LEFT JOIN ({decided}) d ON d.pid = l.l_id ORDER BY l.l_n"
        )
        params += mask_params + decided_params
    else:
        sql = f"SELECT l.l_id FROM ({people}) l ORDER BY l.l_n"  # noqa: S608
    # The SQL is made now and run when the stream is first read: SQLite cannot register
    # ``Casefold``'s function while another stream's query is under way.
    return _stream(sql, params, chunk_size)


def _stream(sql: str, params: list[Any], chunk_size: int) -> Iterator[LearnerMasks]:
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(chunk_size):
            for pk, *values in rows:
                bits = [int(value or 0) for value in values]
                yield LearnerMasks(
                    pk, tuple(bits[0::4]), tuple(bits[1::4]), tuple(bits[2::4]), tuple(bits[3::4])
                )


def states(criteria_count: int, masks: LearnerMasks) -> list[str]:
    """The heat-map state of each of the learner's cohort's criteria, in order, from their
    bits: the standing decision wins over the evidence (``dashboards.cell_state``)."""
    result = []
    for i in range(criteria_count):
        word, bit = divmod(i, WORD_BITS)
        flag = 1 << bit
        if masks.met[word] & flag:
            result.append(dashboards.CELL_MET)
        elif masks.not_met[word] & flag:
            result.append(dashboards.CELL_NOT_YET_MET)
        elif masks.evidenced[word] & flag:
            result.append(dashboards.CELL_EVIDENCED)
        elif masks.mapped[word] & flag:
            result.append(dashboards.CELL_CLAIMED)
        else:
            result.append(dashboards.CELL_NONE)
    return result


@dataclass
class OrderedLearners:
    """The learners of ``portfolios`` kept and ordered by what needs their number of criteria
    covered, as a sequence the paginator slices: each slice is one query that works out every
    learner's number from the bits (one grouped scan, as ``counted``), filters and orders by
    it, and returns the slice's ids alone.

    ``first``: "covered" or "-covered" (fewest or most first) or "risk" (most reasons first,
    ``dashboard_facts.risk_count``), before the order of ``then`` (the queryset's ordering
    terms, as ``order_by`` takes them); ``risk_only`` keeps those at risk alone. ``others`` are
    the risk reasons besides coverage and ``enough`` the criteria covered below which a
    cohort's learner is behind (``dashboard_facts.RiskTerms``)."""

    portfolios: QuerySet[Portfolio]  # with ``dashboard_facts.with_submission``'s aliases
    layout: Layout
    count: int
    then: Sequence[Any]
    first: str = ""
    risk_only: bool = False
    others: Sequence[Q] = ()
    enough: Mapping[int, int] = field(default_factory=dict)

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index: slice) -> list[int]:
        start, stop = index.start or 0, index.stop if index.stop is not None else self.count
        if stop <= start:
            return []
        sql, params = self._sql()
        with connection.cursor() as cursor:
            cursor.execute(f"{sql} LIMIT {int(stop - start)} OFFSET {int(start)}", params)
            return [row[0] for row in cursor.fetchall()]

    def _sql(self) -> tuple[str, list[Any]]:
        signed_off = Q(submission=dashboards.SIGNED_OFF)
        people = self.portfolios.annotate(
            reading_order=Window(RowNumber(), order_by=list(self.then) or ["pk"])
        )
        values = people.order_by().values(
            l_id=F("pk"),
            l_cohort=F("cohort_id"),
            l_n=F("reading_order"),
            l_signed=_flag(signed_off),
            **{f"l_r{i}": _flag(reason) for i, reason in enumerate(self.others)},
        )
        inner, params = _sql(values)
        reasons = " + ".join(f"x.l_r{i}" for i in range(len(self.others))) or "0"
        behind = " ".join(f"WHEN {int(c)} THEN {int(n)}" for c, n in self.enough.items())
        behind = (
            f"CASE WHEN x.covered < (CASE x.l_cohort {behind} ELSE 0 END) THEN 1 ELSE 0 END"
            if behind
            else "0"
        )
        risk = f"CASE WHEN x.l_signed = 1 THEN 0 ELSE {reasons} + {behind} END"
        if self.layout.words:
            masks, mask_params = _mapping_masks(self.portfolios, self.layout)
            decided, decided_params = _decision_masks(self.portfolios, self.layout)
            learners = (
                f"SELECT l.*, {_covered(self.layout)} AS covered FROM ({inner}) l "  # noqa: S608
                f"LEFT JOIN ({masks}) c ON c.pid = l.l_id LEFT JOIN ({decided}) d ON d.pid = l.l_id"
            )
            params += mask_params + decided_params
        else:
            learners = f"SELECT l.*, 0 AS covered FROM ({inner}) l"  # noqa: S608
        where = f"WHERE {risk} > 0" if self.risk_only else ""
        first = {"covered": "x.covered, ", "-covered": "x.covered DESC, ", "risk": f"{risk} DESC, "}.get(
            self.first, ""
        )
        return f"SELECT x.l_id FROM ({learners}) x {where} ORDER BY {first}x.l_n", params  # noqa: S608
