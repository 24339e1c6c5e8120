"""The service KPIs the product knows, with their definitions.

Help-desk tools define these differently, so every figure is shown with the
definition used here. Computation lives beside this catalogue; strategy objectives
refer to KPIs by these keys.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    unit: str  # "%", "minutes", "hours", "score", "contacts"
    higher_is_better: bool
    definition: str


KPI_CATALOGUE: dict[str, Kpi] = {
    kpi.key: kpi
    for kpi in [
        Kpi("volume", "Volume", "contacts", True, "Number of customer interactions received, all platforms."),
        Kpi(
            "response_rate",
            "Response rate",
            "%",
            True,
            "Share of interactions that received a first response from the organisation.",
        ),
        Kpi(
            "median_first_response",
            "Median first response time",
            "minutes",
            False,
            "Median of the time from the customer's message to the first response, in calendar minutes "
            "(nights and weekends count), over interactions that were answered.",
        ),
        Kpi(
            "p90_first_response",
            "90th percentile first response time",
            "minutes",
            False,
            "Nine in ten answered interactions had a first response within this many calendar minutes.",
        ),
        Kpi(
            "within_sla",
            "Answered within service level",
            "%",
            True,
            "Share of all interactions whose first response came within the learner's own first-response "
            "target; unanswered interactions count as outside it.",
        ),
        Kpi(
            "median_resolution",
            "Median resolution time",
            "hours",
            False,
            "Median calendar hours from the customer's message to resolution, over resolved interactions.",
        ),
        Kpi(
            "fcr",
            "First contact resolution",
            "%",
            True,
            "Share of resolved interactions resolved in the first response, with no further contact.",
        ),
        Kpi(
            "csat",
            "Customer satisfaction (CSAT)",
            "%",
            True,
            "Share of satisfaction ratings that were 4 or 5 out of 5, over interactions that were rated.",
        ),
        Kpi(
            "nps",
            "Net Promoter Score",
            "score",
            True,
            "Percentage of promoters (9–10) minus percentage of detractors (0–6), over interactions with an "
            "NPS answer; from −100 to +100.",
        ),
        Kpi(
            "positive_sentiment",
            "Positive sentiment",
            "%",
            True,
            "Share of interactions tagged positive, over interactions with a sentiment tag.",
        ),
    ]
}
