"""Rules on the audit: the current landscape, customers, competitors and service gaps."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from audit import models as audit_models
from audit.steps import STEPS_BY_SLUG
from core.models import Portfolio
from core.rules import ADVICE, MUST, SHOULD, PortfolioData, register_loader, rows_by_portfolio, rule, text


@dataclass
class AuditFacts:
    """What the audit rules read about one portfolio."""

    organisation: audit_models.OrganisationProfile | None = None
    notes: dict[str, str] = field(default_factory=dict)  # step slug → note text
    processes: list[audit_models.ServiceProcess] = field(default_factory=list)
    presences: list[audit_models.PlatformPresence] = field(default_factory=list)
    segments: list[audit_models.CustomerSegment] = field(default_factory=list)
    communities: list[audit_models.Community] = field(default_factory=list)
    competitors: list[audit_models.CompetitorPresence] = field(default_factory=list)
    gaps: list[audit_models.ServiceGap] = field(default_factory=list)
    has_service_data: bool = False


# attribute of AuditFacts → (model, many rows?)
_ROWS: dict[str, tuple[Any, bool]] = {
    "organisation": (audit_models.OrganisationProfile, False),
    "processes": (audit_models.ServiceProcess, True),
    "presences": (audit_models.PlatformPresence, True),
    "segments": (audit_models.CustomerSegment, True),
    "communities": (audit_models.Community, True),
    "competitors": (audit_models.CompetitorPresence, True),
    "gaps": (audit_models.ServiceGap, True),
}


def load_facts(portfolios: list[Portfolio]) -> dict[int, AuditFacts]:
    """The audit's facts for each portfolio: one query per kind of row, the notes, the imports."""
    ids = [p.pk for p in portfolios]
    facts = {pk: AuditFacts() for pk in ids}
    rows_by_portfolio(ids, _ROWS, facts)
    for portfolio_id, step, note in audit_models.StepNote.objects.filter(portfolio_id__in=ids).values_list(
        "portfolio_id", "step", "text"
    ):
        facts[portfolio_id].notes[step] = note
    done = audit_models.ServiceDataImport.objects.filter(
        portfolio_id__in=ids, status=audit_models.ServiceDataImport.Status.DONE
    )
    for portfolio_id in set(done.values_list("portfolio_id", flat=True)):
        facts[portfolio_id].has_service_data = True
    return facts


register_loader("audit", load_facts, queries=len(_ROWS) + 2)


def _complete_rows(data: PortfolioData, slug: str, rows: list[Any]) -> list[Any]:
    step = STEPS_BY_SLUG[slug]
    return [row for row in rows if step.row_complete(row)]


def _enough_rows(data: PortfolioData, slug: str, rows: list[Any], what: str) -> list[str]:
    step = STEPS_BY_SLUG[slug]
    complete = len(_complete_rows(data, slug, rows))
    if complete >= step.min_rows:
        return []
    return [f"{complete} of the {step.min_rows} {what} needed are complete (each needs {step.row_needs})."]


@rule(
    id="audit.processes",
    message="Describe the organisation's service offer and the processes your strategy must fit, "
    "so the strategy is not written in isolation.",
    severity=SHOULD,
    criteria=("CFACSD22 P1", "CFACSD22 K2"),
    fix="audit.organisation",
)
def processes(data: PortfolioData) -> list[str]:
    problems = []
    if data.organisation is None or not text(data.organisation.service_offer):
        problems.append("The customer service offer is not written yet.")
    problems += _enough_rows(data, "organisation", data.processes, "service processes")
    return problems


@rule(
    id="audit.presence",
    message="Audit the current social media presence platform by platform, with audience sizes "
    "and typical response times.",
    severity=MUST,
    criteria=("CFACSD22 P2", "CFACSD22 P3", "CSSMS 1.4"),
    fix="audit.presence",
)
def presence(data: PortfolioData) -> list[str]:
    return _enough_rows(data, "presence", data.presences, "platform rows")


@rule(
    id="audit.presence_service_use",
    message="Say how each platform is used for customer service: platforms do not all serve the "
    "same purpose.",
    severity=SHOULD,
    criteria=("CFACSD22 K3", "CSSMS 1.4"),
    fix="audit.presence",
)
def presence_service_use(data: PortfolioData) -> list[str]:
    if not data.presences:
        return ["No platforms audited yet, so no service use is written."]
    missing = [
        row.get_platform_display() or f"Row {number}"
        for number, row in enumerate(data.presences, start=1)
        if not text(row.service_use)
    ]
    return [f"No service use written for: {', '.join(missing)}."] if missing else []


@rule(
    id="audit.customer_segments",
    message="Profile your customer segments with their demographics and the platforms they prefer.",
    severity=MUST,
    criteria=("CFACSD22 P4", "CFACSD22 K5"),
    fix="audit.customers",
)
def customer_segments(data: PortfolioData) -> list[str]:
    return _enough_rows(data, "customers", data.segments, "customer segments")


@rule(
    id="audit.communities",
    message="Identify the communities where customers talk about the organisation, so the team "
    "can listen and not only answer when tagged.",
    severity=ADVICE,
    criteria=("CFACSD22 P5", "CFACSD22 P6"),
    fix="audit.communities",
)
def communities(data: PortfolioData) -> list[str]:
    return _enough_rows(data, "communities", data.communities, "communities")


@rule(
    id="audit.competitors",
    message="Include a competitor analysis: what competitors do for service on each platform, "
    "with strengths or weaknesses.",
    severity=MUST,
    criteria=("CSSMS 2.3",),
    fix="audit.competitors",
)
def competitors(data: PortfolioData) -> list[str]:
    problems = _enough_rows(data, "competitors", data.competitors, "competitor rows")
    if not text(data.notes.get("competitors")):
        problems.append("Say what the organisation should copy, avoid or do differently.")
    return problems


@rule(
    id="audit.service_gap",
    message="Name at least one customer service gap, with the evidence for it and the improvement proposed.",
    severity=MUST,
    criteria=("CFACSD22 P7", "CFACSD22 K9"),
    fix="audit.gaps",
)
def service_gap(data: PortfolioData) -> list[str]:
    if any(text(gap.gap) and text(gap.evidence) and text(gap.improvement) for gap in data.gaps):
        return []
    return ["No gap yet has both the evidence that shows it and the improvement proposed."]


@rule(
    id="audit.service_data",
    message="Import the organisation's service data, so response times and satisfaction are "
    "measured with analytics, not guessed.",
    severity=SHOULD,
    criteria=("CFACSD22 K12", "CFACSD22 K14"),
    fix="audit:data",
)
def service_data(data: PortfolioData) -> list[str]:
    return [] if data.has_service_data else ["No service data file has been imported in full yet."]
