"""Whether each step is complete, what is still missing, and a one-line summary.

Pure functions over saved rows (or anything with the same attributes), so drafts can
be saved freely and "complete" is always computed, never typed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.utils.translation import ngettext

from core.guided import StepStatus
from strategy.planning import parse_roles
from strategy.smart import ObjectiveFacts, is_smart

MIN_OBJECTIVES = 2
MIN_PLATFORMS = 2
REQUIRED_RISK_CATEGORIES = {
    "data_security": "data security",
    "negative_publicity": "negative publicity",
    "regulation": "regulation and advertising standards",
}
REGULATION_PREFIXES = ["consumer_rights", "data_protection", "equality", "advertising", "platform_terms"]


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _missing_fields(obj: Any, fields: Sequence[tuple[str, str]]) -> list[str]:
    if obj is None:
        return [label for _name, label in fields]
    return [label for name, label in fields if _blank(getattr(obj, name, None))]


def _status(missing: list[str], summary: str) -> StepStatus:
    return StepStatus(complete=not missing, summary=summary, missing=missing)


VISION_FIELDS = [
    ("role_of_social", "the role of social media in the service strategy"),
    ("components_scope", "the components and scope"),
    ("organisational_links", "the links with the rest of the organisation"),
    ("brand_values", "brand values and marketing"),
    ("vision_statement", "the vision itself"),
    ("operating_environment", "the operating environment and constraints"),
    ("business_fit", "the fit with the business strategy"),
    ("owned_media", "owned media"),
    ("earned_media", "earned media"),
    ("paid_media", "paid media"),
    ("promotion_vs_service", "how promotion and service are kept apart"),
]


def vision_status(vision: Any) -> StepStatus:
    missing = _missing_fields(vision, VISION_FIELDS)
    done = len(VISION_FIELDS) - len(missing)
    statement = (getattr(vision, "vision_statement", "") or "").strip()
    summary = statement[:140] if statement else f"{done} of {len(VISION_FIELDS)} parts written."
    return _status(missing, summary)


def objective_facts(objective: Any) -> ObjectiveFacts:
    return ObjectiveFacts(
        statement=objective.statement,
        metric_key=objective.metric_key,
        custom_label=objective.custom_label,
        custom_unit=objective.custom_unit,
        custom_higher_is_better=objective.custom_direction != "decrease",
        baseline=objective.baseline,
        target=objective.target,
        deadline=objective.deadline,
        owner=objective.owner,
    )


def objectives_status(objectives: Sequence[Any], *, today: date) -> StepStatus:
    missing = []
    if len(objectives) < MIN_OBJECTIVES:
        missing.append(
            "at least "
            + ngettext("%(count)d objective", "%(count)d objectives", MIN_OBJECTIVES)
            % {"count": MIN_OBJECTIVES}
        )
    smart = 0
    for number, objective in enumerate(objectives, start=1):
        parts = [
            part
            for part, blank in (
                ("its statement", _blank(objective.statement)),
                ("the business objective it serves", _blank(objective.business_objective)),
            )
            if blank
        ]
        if parts:
            missing.append(f"objective {number}: {' and '.join(parts)}")
        if is_smart(objective_facts(objective), today=today):
            smart += 1
        else:
            missing.append(f"objective {number}: pass all five SMART tests")
    count = len(objectives)
    return _status(
        missing,
        ngettext("%(count)d objective", "%(count)d objectives", count) % {"count": count}
        + f", {smart} passing every SMART test.",
    )


def platforms_status(selection: Any, scores: Sequence[Any], ranking: Sequence[Any]) -> StepStatus:
    missing = []
    if len(scores) < MIN_PLATFORMS:
        missing.append(
            "scores for at least "
            + ngettext("%(count)d platform", "%(count)d platforms", MIN_PLATFORMS) % {"count": MIN_PLATFORMS}
        )
    if selection is None or _blank(selection.justification):
        missing.append("a justification of the ranking")
    summary = (
        "Ranking: " + ", ".join(f"{r.rank}. {r.name} ({r.score:.2f})" for r in ranking[:4])
        if ranking
        else "No platforms scored yet."
    )
    return _status(missing, summary)


def risks_status(risks: Sequence[Any]) -> StepStatus:
    missing = []
    categories = {risk.category for risk in risks}
    for key, label in REQUIRED_RISK_CATEGORIES.items():
        if key not in categories:
            missing.append(f"a {label} risk")
    for number, risk in enumerate(risks, start=1):
        if _blank(risk.owner) or _blank(risk.mitigation):
            missing.append(f"risk {number}: an owner and a mitigation")
        if risk.residual_likelihood is None or risk.residual_impact is None:
            missing.append(f"risk {number}: the residual likelihood and impact")
    high = sum(1 for risk in risks if risk.likelihood * risk.impact >= 15)
    count = len(risks)
    return _status(
        missing,
        ngettext("%(count)d risk", "%(count)d risks", count) % {"count": count}
        + f", {high} scored high before mitigation.",
    )


def regulation_status(checks: Sequence[Any]) -> StepStatus:
    missing = [] if checks else ["at least one proposed improvement checked"]
    action = 0
    for number, check in enumerate(checks, start=1):
        for prefix in REGULATION_PREFIXES:
            status = getattr(check, f"{prefix}_status")
            if not status:
                missing.append(f"improvement {number}: a verdict for every regulation")
                break
            if status != "n/a" and _blank(getattr(check, f"{prefix}_note")):
                missing.append(f"improvement {number}: a note for every regulation that applies")
                break
        action += sum(1 for prefix in REGULATION_PREFIXES if getattr(check, f"{prefix}_status") == "action")
    count = len(checks)
    checked = ngettext("%(count)d improvement checked", "%(count)d improvements checked", count) % {
        "count": count
    }
    to_act = ngettext("%(count)d point needs action", "%(count)d points need action", action) % {
        "count": action
    }
    return _status(missing, f"{checked}; {to_act}.")


PLAN_FIELDS = [
    ("escalation_path", "the escalation path"),
    ("crisis_framework", "the crisis communication framework"),
    ("brand_voice", "the brand voice and tone"),
    ("voice_do", "do examples for the brand voice"),
    ("voice_dont", "don't examples for the brand voice"),
    ("training_needs", "training needs"),
    ("technology", "technology and tools"),
    ("capability_review", "the review of whether today's structures can deliver the plan"),
]


def implementation_status(
    plan: Any, *, activities: int, protocols: int, budget_lines: int, tasks: int, budget_total: Any
) -> StepStatus:
    missing = []
    if len(parse_roles(getattr(plan, "roles", "") or "")) < 2:
        missing.append("at least two people or roles")
    for count, label in (
        (activities, "an activity in the responsibility matrix"),
        (protocols, "a response protocol"),
        (budget_lines, "a budget line"),
        (tasks, "a timeline task"),
    ):
        if not count:
            missing.append(label)
    missing += _missing_fields(plan, PLAN_FIELDS)
    summary = (
        ngettext("%(count)d activity", "%(count)d activities", activities) % {"count": activities}
        + ", "
        + ngettext("%(count)d response protocol", "%(count)d response protocols", protocols)
        % {"count": protocols}
        + ", "
        + ngettext("%(count)d task", "%(count)d tasks", tasks) % {"count": tasks}
        + f", budget £{budget_total or 0:,.2f}."
    )
    return _status(missing, summary)


def monitoring_status(cycles: Sequence[Any]) -> StepStatus:
    missing = [] if cycles else ["at least one review cycle"]
    for number, cycle in enumerate(cycles, start=1):
        gaps = _missing_fields(
            cycle,
            [
                ("started_on", "start date"),
                ("reviewed_on", "review date"),
                ("plan_step", "plan"),
                ("do_step", "do"),
                ("check_step", "check"),
                ("act_step", "act"),
                ("metric_key", "metric"),
                ("value_before", "value before"),
                ("value_after", "value after"),
            ],
        )
        if gaps:
            missing.append(f"cycle {number}: " + ", ".join(gaps))
    count = len(cycles)
    return _status(
        missing,
        ngettext(
            "%(count)d Plan-Do-Check-Act cycle recorded.",
            "%(count)d Plan-Do-Check-Act cycles recorded.",
            count,
        )
        % {"count": count},
    )


PITCH_FIELDS = [
    ("audience", "the audience"),
    ("headline", "the case in one sentence"),
    ("response_time_now", "first response time now"),
    ("response_time_projected", "first response time projected"),
    ("cost_per_contact_now", "cost per contact now"),
    ("cost_per_contact_projected", "cost per contact projected"),
    ("retention_now", "retention now"),
    ("retention_projected", "retention projected"),
    ("nps_now", "NPS now"),
    ("nps_projected", "NPS projected"),
    ("dissemination_benefits", "benefits for getting messages out"),
    ("dissemination_drawbacks", "drawbacks for getting messages out"),
    ("engagement_consequences", "benefits and consequences of engagement"),
    ("ongoing_dialogue", "how the dialogue continues"),
    ("champion_actions", "your own actions as champion"),
    ("risks", "the risks"),
    ("ask", "what you ask of managers"),
]


def pitch_status(pitch: Any) -> StepStatus:
    missing = _missing_fields(pitch, PITCH_FIELDS)
    headline = (getattr(pitch, "headline", "") or "").strip()
    audience = (getattr(pitch, "audience", "") or "").strip()
    summary = f"For {audience}: {headline}" if headline and audience else "Pitch in draft."
    return _status(missing, summary[:200])
