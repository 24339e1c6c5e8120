"""Rules on the audit: the current landscape, customers, competitors and service gaps."""

from __future__ import annotations

from audit.steps import STEPS_BY_SLUG
from portfolio.readiness.engine import ADVICE, MUST, SHOULD, rule
from portfolio.readiness.loader import PortfolioData, text


def _complete_rows(data: PortfolioData, slug: str, rows: list) -> list:
    step = STEPS_BY_SLUG[slug]
    return [row for row in rows if step.row_complete(row)]


def _enough_rows(data: PortfolioData, slug: str, rows: list, what: str) -> list[str]:
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
