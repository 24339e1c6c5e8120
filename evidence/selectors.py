"""Reads for evidence, shaped so a page costs a fixed number of queries.

``coverage_for`` is the one place the coverage of criteria is worked out: the matrix,
the portfolio page and the PDF all read it rather than recount. The dashboards, which need
only counts for whole cohorts, read ``coverage_tallies``: the same rule
(``counts_as_evidenced`` and its SQL twin ``EVIDENCED_SQL``), counted by the database.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    StringAgg,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat, Greatest

from core.models import Cohort, Criterion, CriterionGroup, CrosswalkLink, Framework, Portfolio
from core.sections import Section, all_sections
from core.selectors import latest_decision_statuses
from evidence.models import CriterionMapping, Evidence, TranscriptMessage

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler

NONE = "none"
CLAIMED = "claimed"
EVIDENCED = "evidenced"
STATUS_LABELS = {NONE: "No evidence", CLAIMED: "Claimed", EVIDENCED: "Evidenced"}


@dataclass(frozen=True)
class StepState:
    section: Section
    state: str  # "empty", "in progress", "complete"
    url: str


def workflow_steps(portfolio: Portfolio) -> list[StepState]:
    """Every registered step with how far this portfolio has got, in one query."""
    saved = {
        row.section_key: row
        for row in Evidence.objects.filter(portfolio=portfolio, kind=Evidence.Kind.SECTION).only(
            "section_key", "section_complete"
        )
    }
    steps = []
    for section in all_sections():
        row = saved.get(section.key)
        state = "empty" if row is None else ("complete" if row.section_complete else "in progress")
        steps.append(StepState(section=section, state=state, url=section.url(portfolio.pk)))
    return steps


# --- Evidence lists and pages ---------------------------------------------------------


def evidence_list(portfolio: Portfolio, *, kind: str = "") -> QuerySet[Evidence]:
    """The portfolio's evidence with mapping counts, in one query."""
    items = portfolio.evidence.annotate(
        mapping_count=Count("mappings", distinct=True),
        evidenced_count=Count("mappings", filter=~Q(mappings__note=""), distinct=True),
        message_count=Count("messages", distinct=True),
    ).order_by("-occurred_on", "-created_at")
    return items.filter(kind=kind) if kind else items


def evidence_detail(portfolio: Portfolio, pk: int) -> Evidence:
    """One item (with its image check and any unconfirmed redaction) with its mappings (and
    their criteria), messages and "not personal" marks: four queries."""
    mappings = CriterionMapping.objects.select_related("criterion__framework", "criterion__group").order_by(
        "criterion__framework__kind",
        "criterion__framework__code",
        "criterion__group__order",
        "criterion__order",
    )
    return (
        portfolio.evidence.prefetch_related(
            Prefetch("mappings", queryset=mappings),
            Prefetch("messages", queryset=TranscriptMessage.objects.order_by("position")),
            "not_personal_marks",
        )
        .select_related("portfolio", "image_scan", "pending_redaction")
        .get(pk=pk)
    )


def portfolio_criteria(portfolio: Portfolio) -> QuerySet[Framework]:
    """The cohort's frameworks with groups, criteria and crosswalk links, in five queries."""
    criteria = Criterion.objects.order_by("order").prefetch_related(
        Prefetch("crosswalk_out", queryset=CrosswalkLink.objects.select_related("target__framework")),
        Prefetch("crosswalk_in", queryset=CrosswalkLink.objects.select_related("source__framework")),
    )
    groups = CriterionGroup.objects.order_by("order").prefetch_related(
        Prefetch("criteria", queryset=criteria)
    )
    return portfolio.cohort.frameworks.order_by("kind", "code").prefetch_related(
        Prefetch("groups", queryset=groups)
    )


def linked_criteria(criteria: Iterable[Criterion]) -> dict[int, list[Criterion]]:
    """For each criterion (with crosswalks prefetched), the linked criteria of other frameworks."""
    linked: dict[int, list[Criterion]] = {}
    for criterion in criteria:
        others = [link.target for link in criterion.crosswalk_out.all()]
        others += [link.source for link in criterion.crosswalk_in.all()]
        linked[criterion.pk] = sorted(
            {c.pk: c for c in others}.values(), key=lambda c: (c.framework_id, c.order)
        )
    return linked


def criteria_losing_only_evidence(evidence: Evidence) -> list[Criterion]:
    """Criteria this item is the only evidence for: they become gaps if it goes. One query."""
    others = CriterionMapping.objects.filter(
        evidence__portfolio_id=evidence.portfolio_id,
        criterion_id__in=evidence.mappings.values("criterion_id"),
    ).exclude(evidence=evidence)
    return list(
        Criterion.objects.filter(mappings__evidence=evidence)
        .exclude(pk__in=others.values("criterion_id"))
        .select_related("framework")
        .order_by("framework__kind", "framework__code", "group__order", "order")
    )


# --- Coverage ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MappedEvidence:
    evidence_id: int
    title: str
    kind: str
    note: str
    counts_as_evidenced: bool

    @property
    def status(self) -> str:
        return EVIDENCED if self.counts_as_evidenced else CLAIMED


@dataclass
class CriterionCoverage:
    criterion: Criterion
    evidence: list[MappedEvidence] = field(default_factory=list)
    # The assessor's decision on this criterion (met / not yet met) once issue 6 records
    # decisions: filled by ``latest_decision_statuses``, None until then.
    decision: str | None = None

    @property
    def decision_label(self) -> str:
        return {"met": "Met", "not_yet_met": "Not yet met"}.get(self.decision or "", "")

    @property
    def count(self) -> int:
        return len(self.evidence)

    @property
    def status(self) -> str:
        if any(item.counts_as_evidenced for item in self.evidence):
            return EVIDENCED
        return CLAIMED if self.evidence else NONE

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def is_gap(self) -> bool:
        return self.status != EVIDENCED


@dataclass
class GroupCoverage:
    group: CriterionGroup
    criteria: list[CriterionCoverage]


@dataclass
class FrameworkCoverage:
    framework: Framework
    groups: list[GroupCoverage]

    @property
    def criteria(self) -> list[CriterionCoverage]:
        return [c for g in self.groups for c in g.criteria]

    def count(self, status: str) -> int:
        return sum(1 for c in self.criteria if c.status == status)

    @property
    def evidenced(self) -> int:
        return self.count(EVIDENCED)

    @property
    def claimed(self) -> int:
        return self.count(CLAIMED)

    @property
    def missing(self) -> int:
        return self.count(NONE)

    @property
    def total(self) -> int:
        return len(self.criteria)

    @property
    def percent_evidenced(self) -> int:
        return round(100 * self.evidenced / self.total) if self.total else 0


@dataclass
class Coverage:
    portfolio_id: int
    frameworks: list[FrameworkCoverage]

    @property
    def criteria(self) -> list[CriterionCoverage]:
        return [c for f in self.frameworks for c in f.criteria]

    def for_criterion(self, criterion_id: int) -> CriterionCoverage | None:
        return next((c for c in self.criteria if c.criterion.pk == criterion_id), None)

    def count(self, status: str) -> int:
        return sum(1 for c in self.criteria if c.status == status)

    @property
    def total(self) -> int:
        return len(self.criteria)


def counts_as_evidenced(note: str, kind: str, section_complete: bool) -> bool:
    """Whether one mapping evidences its criterion (``EVIDENCED_SQL`` is the same rule in SQL):
    it says how the item proves it, and a section still in progress only claims its criteria
    until the learner completes it."""
    return bool(note.strip()) and (kind != Evidence.Kind.SECTION or section_complete)


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


def coverage_for(portfolio: Portfolio) -> Coverage:
    """Every criterion of the portfolio's cohort with its evidence, status and decision (five queries)."""
    return coverage_for_portfolios([portfolio])[portfolio.pk]


def coverage_for_portfolios(portfolios: Iterable[Portfolio]) -> dict[int, Coverage]:
    """Coverage of many portfolios, e.g. a cohort dashboard, in five queries whatever their number:
    the cohorts' frameworks, their groups, their criteria, every mapping of the portfolios and
    the assessors' standing decisions.
    """
    portfolios = list(portfolios)
    if not portfolios:
        return {}
    cohort_ids = {p.cohort_id for p in portfolios}
    links = list(
        Cohort.frameworks.through.objects.filter(cohort_id__in=cohort_ids)
        .select_related("framework")
        .order_by("framework__kind", "framework__code")
    )
    framework_ids = {link.framework_id for link in links}
    groups_by_framework: dict[int, list[CriterionGroup]] = defaultdict(list)
    for group in CriterionGroup.objects.filter(framework_id__in=framework_ids).order_by("order", "pk"):
        groups_by_framework[group.framework_id].append(group)
    criteria_by_group: dict[int, list[Criterion]] = defaultdict(list)
    for criterion in Criterion.objects.filter(framework_id__in=framework_ids).order_by("order", "pk"):
        criteria_by_group[criterion.group_id].append(criterion)

    mapped: dict[tuple[int, int], list[MappedEvidence]] = defaultdict(list)
    rows = (
        CriterionMapping.objects.filter(evidence__portfolio__in=[p.pk for p in portfolios])
        .order_by("evidence__occurred_on", "evidence_id")
        .values_list(
            "evidence__portfolio_id",
            "criterion_id",
            "evidence_id",
            "evidence__title",
            "evidence__kind",
            "evidence__section_complete",
            "note",
        )
    )
    for portfolio_id, criterion_id, evidence_id, title, kind, section_complete, note in rows:
        evidenced = counts_as_evidenced(note, kind, section_complete)
        mapped[(portfolio_id, criterion_id)].append(
            MappedEvidence(evidence_id, title, kind, note, counts_as_evidenced=evidenced)
        )
    # The assessor's latest decision on each criterion.
    decisions = latest_decision_statuses([p.pk for p in portfolios])

    frameworks_by_cohort: dict[int, list[Framework]] = defaultdict(list)
    for link in links:
        frameworks_by_cohort[link.cohort_id].append(link.framework)
    # Hand each criterion its framework and group so pages never fetch them one by one.
    framework_by_id = {link.framework_id: link.framework for link in links}
    for groups in groups_by_framework.values():
        for group in groups:
            group.framework = framework_by_id[group.framework_id]
            for criterion in criteria_by_group[group.pk]:
                criterion.framework = group.framework
                criterion.group = group
    result = {}
    for portfolio in portfolios:
        frameworks = [
            FrameworkCoverage(
                framework=framework,
                groups=[
                    GroupCoverage(
                        group=group,
                        criteria=[
                            CriterionCoverage(
                                criterion=criterion,
                                evidence=mapped.get((portfolio.pk, criterion.pk), []),
                                decision=decisions.get((portfolio.pk, criterion.pk)),
                            )
                            for criterion in criteria_by_group[group.pk]
                        ],
                    )
                    for group in groups_by_framework[framework.pk]
                ],
            )
            for framework in frameworks_by_cohort[portfolio.cohort_id]
        ]
        result[portfolio.pk] = Coverage(portfolio_id=portfolio.pk, frameworks=frameworks)
    return result
