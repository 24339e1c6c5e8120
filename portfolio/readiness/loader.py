"""Everything the readiness rules read, fetched in one fixed batch of queries.

``load_many`` costs the same number of queries for one portfolio or a whole cohort:
one per kind of row (filtered by ``portfolio__in``) plus the evidence coverage, so
the checklist, the step pages and the tutor's cohort summary never query per rule
or per learner.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import timezone

from audit import models as audit_models
from evidence.models import Evidence, ImageScan, NotPersonalMark, TranscriptMessage
from evidence.selectors import Coverage, coverage_for_portfolios
from portfolio.models import Portfolio
from strategy import models as strategy_models


@dataclass
class PortfolioData:
    portfolio: Portfolio
    today: date
    # audit
    organisation: audit_models.OrganisationProfile | None = None
    notes: dict[str, str] = field(default_factory=dict)  # step slug → note text
    processes: list[audit_models.ServiceProcess] = field(default_factory=list)
    presences: list[audit_models.PlatformPresence] = field(default_factory=list)
    segments: list[audit_models.CustomerSegment] = field(default_factory=list)
    communities: list[audit_models.Community] = field(default_factory=list)
    competitors: list[audit_models.CompetitorPresence] = field(default_factory=list)
    gaps: list[audit_models.ServiceGap] = field(default_factory=list)
    has_service_data: bool = False
    # strategy
    vision: strategy_models.Vision | None = None
    objectives: list[strategy_models.Objective] = field(default_factory=list)
    platform_selection: strategy_models.PlatformSelection | None = None
    platform_scores: list[strategy_models.PlatformScore] = field(default_factory=list)
    risks: list[strategy_models.Risk] = field(default_factory=list)
    regulation_checks: list[strategy_models.RegulationCheck] = field(default_factory=list)
    plan: strategy_models.ImplementationPlan | None = None
    raci: list[strategy_models.RaciActivity] = field(default_factory=list)
    protocols: list[strategy_models.ResponseProtocol] = field(default_factory=list)
    budget: list[strategy_models.BudgetLine] = field(default_factory=list)
    timeline: list[strategy_models.TimelineTask] = field(default_factory=list)
    cycles: list[strategy_models.ReviewCycle] = field(default_factory=list)
    pitch: strategy_models.ChampionPitch | None = None
    # evidence
    evidence: list[Evidence] = field(default_factory=list)
    messages: dict[int, list[TranscriptMessage]] = field(default_factory=dict)  # evidence id → messages
    not_personal: dict[int, list[NotPersonalMark]] = field(default_factory=dict)  # evidence id → marks
    image_scans: dict[int, ImageScan] = field(default_factory=dict)  # evidence id → its image check
    coverage: Coverage | None = None

    @property
    def transcripts(self) -> list[Evidence]:
        return [e for e in self.evidence if e.kind == Evidence.Kind.TRANSCRIPT]

    @property
    def sections(self) -> dict[str, Evidence]:
        return {e.section_key: e for e in self.evidence if e.kind == Evidence.Kind.SECTION}


# attribute of PortfolioData → (model, many rows?)
_ROWS: dict[str, tuple[type, bool]] = {
    "organisation": (audit_models.OrganisationProfile, False),
    "processes": (audit_models.ServiceProcess, True),
    "presences": (audit_models.PlatformPresence, True),
    "segments": (audit_models.CustomerSegment, True),
    "communities": (audit_models.Community, True),
    "competitors": (audit_models.CompetitorPresence, True),
    "gaps": (audit_models.ServiceGap, True),
    "vision": (strategy_models.Vision, False),
    "objectives": (strategy_models.Objective, True),
    "platform_selection": (strategy_models.PlatformSelection, False),
    "platform_scores": (strategy_models.PlatformScore, True),
    "risks": (strategy_models.Risk, True),
    "regulation_checks": (strategy_models.RegulationCheck, True),
    "plan": (strategy_models.ImplementationPlan, False),
    "raci": (strategy_models.RaciActivity, True),
    "protocols": (strategy_models.ResponseProtocol, True),
    "budget": (strategy_models.BudgetLine, True),
    "timeline": (strategy_models.TimelineTask, True),
    "cycles": (strategy_models.ReviewCycle, True),
    "pitch": (strategy_models.ChampionPitch, False),
}
# The rows above, the step notes, the service imports, the evidence, the transcript
# messages, the "not personal" marks, the image checks, and the five queries of
# evidence.selectors.coverage_for_portfolios (the last being the assessors' latest decisions).
QUERY_COUNT = len(_ROWS) + 6 + 5


def load_many(portfolios: Iterable[Portfolio], *, today: date | None = None) -> dict[int, PortfolioData]:
    """PortfolioData for each portfolio, keyed by its pk, in ``QUERY_COUNT`` queries."""
    portfolios = list(portfolios)
    if not portfolios:
        return {}
    today = today or timezone.localdate()
    ids = [p.pk for p in portfolios]
    data = {p.pk: PortfolioData(portfolio=p, today=today) for p in portfolios}

    for attribute, (model, many) in _ROWS.items():
        rows = model.objects.filter(portfolio_id__in=ids)
        if many:
            rows = rows.order_by("portfolio_id", *model._meta.ordering)
        for row in rows:
            target = data[row.portfolio_id]
            if many:
                getattr(target, attribute).append(row)
            else:
                setattr(target, attribute, row)

    for portfolio_id, step, text in audit_models.StepNote.objects.filter(portfolio_id__in=ids).values_list(
        "portfolio_id", "step", "text"
    ):
        data[portfolio_id].notes[step] = text

    done = audit_models.ServiceDataImport.objects.filter(
        portfolio_id__in=ids, status=audit_models.ServiceDataImport.Status.DONE
    )
    for portfolio_id in set(done.values_list("portfolio_id", flat=True)):
        data[portfolio_id].has_service_data = True

    owner: dict[int, int] = {}
    for item in Evidence.objects.filter(portfolio_id__in=ids).defer("file", "source_url", "url"):
        data[item.portfolio_id].evidence.append(item)
        owner[item.pk] = item.portfolio_id
    messages = TranscriptMessage.objects.filter(
        evidence__portfolio_id__in=ids, evidence__kind=Evidence.Kind.TRANSCRIPT
    ).order_by("evidence_id", "position")
    grouped: dict[int, list[TranscriptMessage]] = defaultdict(list)
    for message in messages:
        grouped[message.evidence_id].append(message)
    for evidence_id, rows in grouped.items():
        if evidence_id in owner:
            data[owner[evidence_id]].messages[evidence_id] = rows

    for mark in NotPersonalMark.objects.filter(evidence__portfolio_id__in=ids).order_by("pk"):
        if mark.evidence_id in owner:
            data[owner[mark.evidence_id]].not_personal.setdefault(mark.evidence_id, []).append(mark)
    for scan in ImageScan.objects.filter(evidence__portfolio_id__in=ids):
        if scan.evidence_id in owner:
            data[owner[scan.evidence_id]].image_scans[scan.evidence_id] = scan

    for portfolio_id, coverage in coverage_for_portfolios(portfolios).items():
        data[portfolio_id].coverage = coverage
    return data


def load(portfolio: Portfolio, *, today: date | None = None) -> PortfolioData:
    return load_many([portfolio], today=today)[portfolio.pk]


def text(value: Any) -> str:
    """A field's text, stripped; blank for None."""
    return (value or "").strip() if isinstance(value, str) or value is None else str(value)
