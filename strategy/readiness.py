"""Rules on the strategy document, reusing the strategy app's own pure checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import ngettext

from core.models import Portfolio
from core.rules import ADVICE, MUST, SHOULD, PortfolioData, register_loader, rows_by_portfolio, rule, text
from core.sections import all_sections
from strategy import models as strategy_models
from strategy.completeness import REQUIRED_RISK_CATEGORIES, objective_facts, regulation_status, risks_status
from strategy.planning import parse_roles
from strategy.smart import smart_tests


@dataclass
class StrategyFacts:
    """What the strategy rules read about one portfolio."""

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


# attribute of StrategyFacts → (model, many rows?)
_ROWS: dict[str, tuple[Any, bool]] = {
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


def load_facts(portfolios: list[Portfolio]) -> dict[int, StrategyFacts]:
    """The strategy's facts for each portfolio: one query per kind of row."""
    ids = [p.pk for p in portfolios]
    facts = {pk: StrategyFacts() for pk in ids}
    rows_by_portfolio(ids, _ROWS, facts)
    return facts


register_loader("strategy", load_facts, queries=len(_ROWS))


# KPI keys (audit.kpis.KPI_CATALOGUE) that measure response time or satisfaction.
RESPONSE_OR_SATISFACTION = {
    "median_first_response",
    "p90_first_response",
    "within_sla",
    "response_rate",
    "median_resolution",
    "fcr",
    "csat",
    "nps",
    "positive_sentiment",
}


def _blank_fields(obj: object | None, fields: list[tuple[str, str]]) -> list[str]:
    return [label for name, label in fields if obj is None or not text(getattr(obj, name, ""))]


@rule(
    id="strategy.business_alignment",
    message="Tie the strategy to the organisation's goals and policies: its fit with the business "
    "strategy, its links with other teams, and the business objective behind each objective.",
    severity=SHOULD,
    criteria=("CSSMS 1.2", "CSSMS 2.5"),
    fix="strategy.vision",
)
def business_alignment(data: PortfolioData) -> list[str]:
    missing = _blank_fields(
        data.vision,
        [
            ("business_fit", "the fit with the business strategy"),
            ("organisational_links", "links with other teams"),
        ],
    )
    problems = [f"Still to write: {', '.join(missing)}."] if missing else []
    without = [str(n) for n, o in enumerate(data.objectives, start=1) if not text(o.business_objective)]
    if without:
        problems.append(f"Objective {', '.join(without)}: name the business objective it serves.")
    return problems


@rule(
    id="strategy.media_types",
    message="Tell owned, earned and paid social media apart in the strategy.",
    severity=MUST,
    criteria=("CSSMS 1.3",),
    fix="strategy.vision",
)
def media_types(data: PortfolioData) -> list[str]:
    missing = _blank_fields(
        data.vision,
        [("owned_media", "owned media"), ("earned_media", "earned media"), ("paid_media", "paid media")],
    )
    return [f"Still to describe: {', '.join(missing)}."] if missing else []


@rule(
    id="strategy.promotion_vs_service",
    message="Explain how promotional content is kept apart from customer service interactions.",
    severity=MUST,
    criteria=("CSSMS 1.1", "CSSMS 1.3"),
    fix="strategy.vision",
)
def promotion_vs_service(data: PortfolioData) -> list[str]:
    if data.vision is not None and text(data.vision.promotion_vs_service):
        return []
    return ["The vision does not yet say how promotion and service are kept apart."]


@rule(
    id="strategy.objectives_smart",
    message="Set SMART objectives, and make every one pass the five SMART tests.",
    severity=MUST,
    criteria=("CFACSD22 K14", "CSSMS 2.5"),
    fix="strategy.objectives",
)
def objectives_smart(data: PortfolioData) -> list[str]:
    if not data.objectives:
        return ["No objectives yet."]
    problems = []
    for number, objective in enumerate(data.objectives, start=1):
        failed = [t.label for t in smart_tests(objective_facts(objective), today=data.today) if not t.passed]
        if failed:
            problems.append(f"Objective {number} fails: {'; '.join(failed)}.")
    return problems


@rule(
    id="strategy.objective_service_metric",
    message="Make at least one objective target a customer service measure such as response "
    "time or satisfaction, not only marketing reach.",
    severity=MUST,
    criteria=("CFACSD22 K14",),
    fix="strategy.objectives",
)
def objective_service_metric(data: PortfolioData) -> list[str]:
    if any(o.metric_key in RESPONSE_OR_SATISFACTION for o in data.objectives):
        return []
    return ["No objective is measured by response time, resolution or satisfaction."]


@rule(
    id="strategy.metrics_defined",
    message="Define the metric each objective will be judged by, so the strategy can be evaluated.",
    severity=MUST,
    criteria=("CFACSD22 K12", "CFACSD22 K14"),
    fix="strategy.objectives",
)
def metrics_defined(data: PortfolioData) -> list[str]:
    if not data.objectives:
        return ["No objectives, so no metrics, yet."]
    without = [
        str(number)
        for number, objective in enumerate(data.objectives, start=1)
        if not smart_tests(objective_facts(objective), today=data.today)[0].passed
    ]
    return (
        [f"Objective {', '.join(without)}: choose a metric (with a unit if it is your own)."]
        if without
        else []
    )


@rule(
    id="strategy.platforms_justified",
    message="Justify the platforms you choose with audience data: score them and explain the "
    "ranking from the customer profile.",
    severity=MUST,
    criteria=("CFACSD22 P2", "CFACSD22 K3", "CSSMS 2.2"),
    fix="strategy.platforms",
)
def platforms_justified(data: PortfolioData) -> list[str]:
    problems = []
    if len(data.platform_scores) < 2:
        problems.append("Score at least two platforms in the matrix.")
    if data.platform_selection is None or not text(data.platform_selection.justification):
        problems.append("Write the justification of the ranking.")
    if not any(text(s.platforms) for s in data.segments) and not any(
        p.audience is not None for p in data.presences
    ):
        problems.append(
            "The audit has no audience data yet (customer segments' platforms or audience sizes)."
        )
    return problems


@rule(
    id="strategy.risk_categories",
    message="Cover data security, negative publicity and compliance (including advertising "
    "standards) in the risk register.",
    severity=MUST,
    criteria=("CSSMS 3.5", "CSSMS 2.5"),
    fix="strategy.risks",
)
def risk_categories(data: PortfolioData) -> list[str]:
    present = {risk.category for risk in data.risks}
    missing = [label for key, label in REQUIRED_RISK_CATEGORIES.items() if key not in present]
    return [f"No {label} risk yet." for label in missing]


@rule(
    id="strategy.risk_mitigation",
    message="Give every risk an owner, a mitigation and its score after mitigation.",
    severity=SHOULD,
    criteria=("CSSMS 3.5",),
    fix="strategy.risks",
)
def risk_mitigation(data: PortfolioData) -> list[str]:
    if not data.risks:
        return ["No risks recorded yet."]
    return [
        f"{item[0].upper()}{item[1:]}."
        for item in risks_status(data.risks).missing
        if item.startswith("risk ")
    ]


@rule(
    id="strategy.regulation_checked",
    message="Check your improvements against data protection, consumer, equality and "
    "advertising law and the platforms' terms.",
    severity=MUST,
    criteria=("CFACSD22 P8", "CFACSD22 K8"),
    fix="strategy.regulation",
)
def regulation_checked(data: PortfolioData) -> list[str]:
    return [f"{item[0].upper()}{item[1:]}." for item in regulation_status(data.regulation_checks).missing]


@rule(
    id="strategy.implementation_plan",
    message="Plan the implementation with defined roles, training needs and technology requirements.",
    severity=MUST,
    criteria=("CFACSD22 P10", "CFACSD22 P12", "CFACSD22 K10"),
    fix="strategy.implementation",
)
def implementation_plan(data: PortfolioData) -> list[str]:
    problems = []
    if len(parse_roles(data.plan.roles if data.plan else "")) < 2:
        problems.append("Name at least two people or roles.")
    if not data.raci:
        problems.append("Add an activity to the responsibility (RACI) matrix.")
    missing = _blank_fields(
        data.plan, [("training_needs", "training needs"), ("technology", "technology and tools")]
    )
    if missing:
        problems.append(f"Still to write: {', '.join(missing)}.")
    return problems


@rule(
    id="strategy.response_protocols",
    message="Set out response protocols (targets and hours per platform) and an escalation path.",
    severity=MUST,
    criteria=("CFACSD22 P11", "CFACSD22 K7", "CFACSD22 K11"),
    fix="strategy.implementation",
)
def response_protocols(data: PortfolioData) -> list[str]:
    problems = []
    if not data.protocols:
        problems.append("No response protocol yet.")
    if data.plan is None or not text(data.plan.escalation_path):
        problems.append("The escalation path is not written yet.")
    return problems


@rule(
    id="strategy.protocols_per_platform",
    message="Tailor the response protocol to each platform rather than treating every platform the same.",
    severity=SHOULD,
    criteria=("CFACSD22 K7",),
    fix="strategy.implementation",
)
def protocols_per_platform(data: PortfolioData) -> list[str]:
    platforms = {text(p.platform).lower() for p in data.protocols if text(p.platform)}
    if len(platforms) >= 2:
        return []
    return [
        ngettext(
            "Protocols cover %(count)d platform; cover at least two.",
            "Protocols cover %(count)d platforms; cover at least two.",
            len(platforms),
        )
        % {"count": len(platforms)}
    ]


@rule(
    id="strategy.brand_voice",
    message="Define a consistent brand voice and tone, with examples of what to do and not to do.",
    severity=MUST,
    criteria=("CFACSD22 K6",),
    fix="strategy.implementation",
)
def brand_voice(data: PortfolioData) -> list[str]:
    missing = _blank_fields(
        data.plan,
        [("brand_voice", "the brand voice"), ("voice_do", "do examples"), ("voice_dont", "don't examples")],
    )
    return [f"Still to write: {', '.join(missing)}."] if missing else []


@rule(
    id="strategy.crisis_framework",
    message="Include a crisis communication framework for negative feedback, complaints and PR issues.",
    severity=MUST,
    criteria=("CFACSD22 P11",),
    fix="strategy.implementation",
)
def crisis_framework(data: PortfolioData) -> list[str]:
    if data.plan is not None and text(data.plan.crisis_framework):
        return []
    return ["The crisis communication framework is not written yet."]


@rule(
    id="strategy.staffing_capacity",
    message="Show the team can deliver what the strategy promises: review today's capacity and "
    "record staffing as a risk.",
    severity=MUST,
    criteria=("CSSMS 2.6",),
    fix="strategy.implementation",
)
def staffing_capacity(data: PortfolioData) -> list[str]:
    problems = []
    if data.plan is None or not text(data.plan.capability_review):
        problems.append("Review whether today's structures, staff and tools can deliver the plan.")
    if not any(risk.category == "staffing" for risk in data.risks):
        problems.append("The risk register has no staffing and capacity risk.")
    return problems


@rule(
    id="strategy.resources",
    message="State the resources the plan needs: a budget and a timeline with owners.",
    severity=SHOULD,
    criteria=("CFACSD22 P12",),
    fix="strategy.implementation",
)
def resources(data: PortfolioData) -> list[str]:
    problems = []
    if not data.budget:
        problems.append("No budget line yet.")
    if not data.timeline:
        problems.append("No timeline task yet.")
    return problems


@rule(
    id="strategy.monitoring_cycle",
    message="Show continuous improvement: at least one Plan-Do-Check-Act cycle with a metric "
    "measured before and after.",
    severity=SHOULD,
    criteria=("CFACSD22 P13", "CFACSD22 P14", "CFACSD22 K13"),
    fix="strategy.monitoring",
)
def monitoring_cycle(data: PortfolioData) -> list[str]:
    measured = [
        c
        for c in data.cycles
        if c.metric_key and c.value_before is not None and c.value_after is not None and text(c.act_step)
    ]
    return [] if measured else ["No review cycle yet has a metric, before and after values and a next step."]


@rule(
    id="strategy.pitch_quantified",
    message="Quantify the benefits in the pitch: response time now and projected, and at least one "
    "of cost per contact, retention or NPS.",
    severity=MUST,
    criteria=("CSSMS 3.4",),
    fix="strategy.pitch",
)
def pitch_quantified(data: PortfolioData) -> list[str]:
    pitch = data.pitch
    if pitch is None:
        return ["The pitch is not started yet."]
    problems = []
    if pitch.response_time_now is None or pitch.response_time_projected is None:
        problems.append("Give the first response time now and projected.")
    pairs = [
        (pitch.cost_per_contact_now, pitch.cost_per_contact_projected),
        (pitch.retention_now, pitch.retention_projected),
        (pitch.nps_now, pitch.nps_projected),
    ]
    if not any(now is not None and later is not None for now, later in pairs):
        problems.append("Give cost per contact, retention or NPS, now and projected.")
    return problems


@rule(
    id="strategy.steps_complete",
    message="Complete every step from audit to evaluation, so the strategy document is coherent "
    "from planning to review.",
    severity=ADVICE,
    criteria=(),
    fix="portfolio:portfolio_detail",
)
def steps_complete(data: PortfolioData) -> list[str]:
    saved = data.sections
    unfinished = [s.title for s in all_sections() if not (saved.get(s.key) and saved[s.key].section_complete)]
    return [f"Not complete yet: {', '.join(unfinished)}."] if unfinished else []
