"""Reads for evidence, shaped so a page costs a fixed number of queries.

``coverage_for`` is the one place the coverage of criteria is worked out: the matrix,
the portfolio page, dashboards and the PDF all read it rather than recount.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from evidence.models import CriterionMapping, Evidence, TranscriptMessage
from evidence.sections import Section, all_sections
from portfolio.models import Cohort, Criterion, CriterionGroup, CrosswalkLink, Framework, Portfolio

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
    """One item with its mappings (and their criteria) and messages: three queries."""
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
        )
        .select_related("portfolio")
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
    # decisions: filled by ``assessor_decisions`` below, None until then.
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
        # A section still in progress only claims its criteria until the learner completes it.
        evidenced = bool(note.strip()) and (kind != Evidence.Kind.SECTION or section_complete)
        mapped[(portfolio_id, criterion_id)].append(
            MappedEvidence(evidence_id, title, kind, note, counts_as_evidenced=evidenced)
        )
    decisions = assessor_decisions([p.pk for p in portfolios])

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


def assessor_decisions(portfolio_ids: list[int]) -> dict[tuple[int, int], str]:
    """(portfolio id, criterion id) → the assessor's latest decision on that criterion
    ("met" or "not_yet_met"), from the latest version that has one. One query."""
    from portfolio.assessment_selectors import latest_decisions

    if not portfolio_ids:
        return {}
    return {key: decision.status for key, decision in latest_decisions(portfolio_ids).items()}
