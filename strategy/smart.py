"""The SMART tests for an objective and its progress against service data.

Pure functions over plain values, so they can be tested without the database and
reused by the readiness check and the PDF.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from audit.kpis import KPI_CATALOGUE

CUSTOM_METRIC = "custom"


@dataclass(frozen=True)
class ObjectiveFacts:
    """What the SMART tests need to know about one objective."""

    statement: str = ""
    metric_key: str = ""  # a KPI_CATALOGUE key, "custom" or ""
    custom_label: str = ""
    custom_unit: str = ""
    custom_higher_is_better: bool = True
    baseline: Decimal | float | None = None
    target: Decimal | float | None = None
    deadline: date | None = None
    owner: str = ""


@dataclass(frozen=True)
class SmartTest:
    key: str
    label: str
    passed: bool
    reason: str


def metric_label(facts: ObjectiveFacts) -> str:
    if facts.metric_key == CUSTOM_METRIC:
        return facts.custom_label.strip()
    kpi = KPI_CATALOGUE.get(facts.metric_key)
    return kpi.label if kpi else ""


def metric_unit(facts: ObjectiveFacts) -> str:
    if facts.metric_key == CUSTOM_METRIC:
        return facts.custom_unit.strip()
    kpi = KPI_CATALOGUE.get(facts.metric_key)
    return kpi.unit if kpi else ""


def higher_is_better(facts: ObjectiveFacts) -> bool:
    if facts.metric_key == CUSTOM_METRIC:
        return facts.custom_higher_is_better
    kpi = KPI_CATALOGUE.get(facts.metric_key)
    return kpi.higher_is_better if kpi else True


def _metric_test(facts: ObjectiveFacts) -> SmartTest:
    label = "Measurable: a named metric"
    if not facts.metric_key:
        return SmartTest("metric", label, False, "Choose the metric that will show whether this worked.")
    if facts.metric_key == CUSTOM_METRIC and not (facts.custom_label.strip() and facts.custom_unit.strip()):
        return SmartTest("metric", label, False, "A custom metric needs a name and a unit.")
    if facts.metric_key != CUSTOM_METRIC and facts.metric_key not in KPI_CATALOGUE:
        return SmartTest("metric", label, False, "That metric is not one the portfolio knows.")
    return SmartTest("metric", label, True, f"Measured by {metric_label(facts)} ({metric_unit(facts)}).")


# What a specific objective names, read from its statement. Deliberately generous about wording
# ("cut", "halve", "faster"), strict about vagueness: "customer happiness on social" names no
# measure or behaviour, and "social" on its own is no scope.
_BEHAVIOUR = re.compile(
    r"\b(respon\w*|repl\w*|answer\w*|resol\w*|satisf\w*|csat|nps|promoter\w*|complain\w*|complaint\w*"
    r"|escalat\w*|wait\w*|service.level\w*|sla|first.contact|sentiment|rating\w*|review\w*|mention\w*"
    r"|contacts?|cost.per.contact|retention|retain\w*|handl\w*|queue\w*|backlog|acknowledg\w*)\b",
    re.IGNORECASE,
)
_CHANNEL = re.compile(
    r"\b(facebook|messenger|instagram|twitter|tiktok|whatsapp|trustpilot|linkedin|youtube|threads|google"
    r"|web.?chat|live.?chat|e-?mail|web.form|phone|telephone|social\s+(?:media|channels?|platforms?"
    r"|interactions?|messages?|inbox(?:es)?|accounts?|contacts?|posts?|queries|enquiries))\b"
    r"|\bX\b",  # the platform, written as its capital letter
    re.IGNORECASE,
)
_AUDIENCE = re.compile(
    r"\b(team\w*|advis[eo]rs?|agents?|staff|colleagues?|rota|desk|customers?\s+who|new\s+customers?"
    r"|business\s+customers?|members?|subscribers?|followers?|queries|enquir\w*|messages?|dms?|comments?"
    r"|posts?|weekends?|evenings?|out.of.hours|overnight)\b",
    re.IGNORECASE,
)
_DIRECTION = re.compile(
    r"\b(cut|reduc\w*|lower\w*|decreas\w*|shorten\w*|halv\w*|speed\w*|faster|quicker|sooner|raise\w*"
    r"|increas\w*|improv\w*|grow\w*|doubl\w*|lift\w*|boost\w*|more|fewer|less|higher|keep|hold|maintain\w*"
    r"|from\s+\S+\s+to|at\s+least|under|below|above|within)\b"
    r"|\d+(?:\.\d+)?\s*%\s+of\b",  # a level to reach: "resolve 60 % of delivery queries"
    re.IGNORECASE,
)


# Words of a metric's name that say nothing on their own: "customer happiness" does not name
# customer satisfaction.
_GENERIC = {"time", "customer", "customers", "rate", "share", "score", "social", "service", "first", "total"}


def _names_the_metric(facts: ObjectiveFacts) -> bool:
    statement = facts.statement.lower()
    words = [word for word in re.findall(r"[a-z]{4,}", metric_label(facts).lower()) if word not in _GENERIC]
    return bool(_BEHAVIOUR.search(facts.statement)) or any(word in statement for word in words)


def _target_test(facts: ObjectiveFacts) -> SmartTest:
    label = "Specific: what, where, which way and how far"
    needs = []
    if not facts.statement.strip():
        needs.append("write the objective as a sentence: what changes, where or for whom, and which way")
    else:
        if not _names_the_metric(facts):
            needs.append(
                "name the measure or behaviour (for example first response time or complaints answered)"
            )
        if not (_CHANNEL.search(facts.statement) or _AUDIENCE.search(facts.statement)):
            needs.append(
                "say where or for whom (a platform such as Instagram, a team, or a group of customers)"
            )
        if not _DIRECTION.search(facts.statement):
            needs.append("say which way it should move (cut, raise, keep below …)")
    if facts.target is None:
        needs.append("give the figure you aim to reach")
    if needs:
        text = "; ".join(needs)
        return SmartTest("target", label, False, f"{text[0].upper()}{text[1:]}.")
    return SmartTest("target", label, True, f"Aims for {_fmt(facts.target)} {metric_unit(facts)}.".strip())


def _stretch_test(facts: ObjectiveFacts) -> SmartTest:
    label = "Achievable stretch: the target improves on the baseline"
    if facts.baseline is None:
        return SmartTest("beyond_baseline", label, False, "Record today's figure (the baseline) to compare.")
    if facts.target is None:
        return SmartTest("beyond_baseline", label, False, "There is no target to compare with the baseline.")
    better = facts.target > facts.baseline if higher_is_better(facts) else facts.target < facts.baseline
    if not better:
        direction = "above" if higher_is_better(facts) else "below"
        return SmartTest(
            "beyond_baseline",
            label,
            False,
            f"For this metric the target must be {direction} the baseline of {_fmt(facts.baseline)}.",
        )
    return SmartTest(
        "beyond_baseline", label, True, f"Moves from {_fmt(facts.baseline)} to {_fmt(facts.target)}."
    )


def _deadline_test(facts: ObjectiveFacts, today: date) -> SmartTest:
    label = "Time-bound: a deadline still ahead"
    if facts.deadline is None:
        return SmartTest("deadline", label, False, "Set the date by which the target should be met.")
    if facts.deadline < today:
        return SmartTest(
            "deadline", label, False, "The deadline has passed: review the objective and reset it."
        )
    return SmartTest("deadline", label, True, f"Due by {facts.deadline.day} {facts.deadline:%B %Y}.")


def _owner_test(facts: ObjectiveFacts) -> SmartTest:
    label = "Owned: someone answerable for it"
    if not facts.owner.strip():
        return SmartTest("owner", label, False, "Name the person or role who answers for this objective.")
    return SmartTest("owner", label, True, f"Owned by {facts.owner.strip()}.")


def smart_tests(facts: ObjectiveFacts, *, today: date) -> list[SmartTest]:
    """The five tests, in a fixed order, each passed or failed with its reason."""
    return [
        _metric_test(facts),
        _target_test(facts),
        _stretch_test(facts),
        _deadline_test(facts, today),
        _owner_test(facts),
    ]


def is_smart(facts: ObjectiveFacts, *, today: date) -> bool:
    return all(test.passed for test in smart_tests(facts, today=today))


@dataclass(frozen=True)
class Progress:
    current: float
    percent: int  # share of the way from baseline to target, 0–100
    achieved: bool


def objective_progress(
    *,
    baseline: Decimal | float | None,
    target: Decimal | float | None,
    current: float | None,
    higher_is_better: bool,
) -> Progress | None:
    """How far the current figure has moved from the baseline towards the target.

    None when a figure is missing or the target does not differ from the baseline.
    """
    if baseline is None or target is None or current is None:
        return None
    baseline_f, target_f, current_f = float(baseline), float(target), float(current)
    if baseline_f == target_f:
        return None
    share = (current_f - baseline_f) / (target_f - baseline_f)
    achieved = current_f >= target_f if higher_is_better else current_f <= target_f
    return Progress(current=current_f, percent=round(max(0.0, min(1.0, share)) * 100), achieved=achieved)


def _fmt(value: Decimal | float) -> str:
    number = float(value)
    return f"{number:,.0f}" if number == int(number) else f"{number:,.2f}".rstrip("0").rstrip(".")
