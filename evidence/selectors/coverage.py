"""``coverage_for``: every criterion of a portfolio's cohort with its evidence, status and
decision, the one place the coverage of criteria is worked out."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from core.models import Criterion, CriterionGroup, Framework, Portfolio
from core.selectors import frameworks_by_cohort, latest_decision_statuses
from evidence.models import CriterionMapping, Evidence

NONE = "none"
CLAIMED = "claimed"
EVIDENCED = "evidenced"
STATUS_LABELS = {NONE: "No evidence", CLAIMED: "Claimed", EVIDENCED: "Evidenced"}


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
    cohort_frameworks = frameworks_by_cohort({p.cohort_id for p in portfolios})

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

    # Hand each criterion its framework and group so pages never fetch them one by one.
    groups_by_framework: dict[int, list[CriterionGroup]] = {}
    criteria_by_group: dict[int, list[Criterion]] = {}
    for framework in {f.pk: f for fs in cohort_frameworks.values() for f in fs}.values():
        groups_by_framework[framework.pk] = list(framework.groups.all())
        for group in groups_by_framework[framework.pk]:
            group.framework = framework
            criteria_by_group[group.pk] = list(group.criteria.all())
            for criterion in criteria_by_group[group.pk]:
                criterion.framework = framework
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
            for framework in cohort_frameworks.get(portfolio.cohort_id, [])
        ]
        result[portfolio.pk] = Coverage(portfolio_id=portfolio.pk, frameworks=frameworks)
    return result
