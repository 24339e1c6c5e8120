"""Weighted platform ranking and risk scores: pure arithmetic, tested on its own."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

# The criteria a platform is scored on, 1 (poor) to 5 (strong). Cost and staffing
# are scored so that 5 is the cheapest and the least demanding, keeping "higher is
# better" true for every column.
PLATFORM_CRITERIA: list[tuple[str, str]] = [
    ("audience_fit", "Audience fit"),
    ("customer_usage", "Customer usage"),
    ("service_features", "Service features"),
    ("cost", "Cost (5 = cheapest)"),
    ("staffing", "Staffing (5 = lightest)"),
]
CRITERION_KEYS = [key for key, _label in PLATFORM_CRITERIA]


class ScoringError(ValueError):
    """Weights or scores that cannot be ranked; the message says why."""


def normalise_weights(weights: Mapping[str, Decimal | float | int]) -> dict[str, float]:
    """Weights as shares of one. Every weight must be a positive number."""
    missing = [key for key in CRITERION_KEYS if weights.get(key) is None]
    if missing:
        raise ScoringError(f"Give a weight for every criterion (missing: {', '.join(missing)}).")
    values = {key: float(weights[key]) for key in CRITERION_KEYS}
    if any(value <= 0 for value in values.values()):
        raise ScoringError("Every weight must be more than zero.")
    total = sum(values.values())
    return {key: value / total for key, value in values.items()}


@dataclass(frozen=True)
class RankedPlatform:
    name: str
    score: float  # weighted score on the 1–5 scale, rounded to two places
    rank: int  # equal scores share a rank (1, 2, 2, 4)
    tied: bool


def rank_platforms(
    platforms: Sequence[tuple[str, Mapping[str, int]]], weights: Mapping[str, Decimal | float | int]
) -> list[RankedPlatform]:
    """Platforms best first by weighted score; ties share a rank and keep name order."""
    shares = normalise_weights(weights)
    scored = []
    for name, scores in platforms:
        for key in CRITERION_KEYS:
            value = scores.get(key)
            if value is None or not 1 <= value <= 5:
                raise ScoringError(f"{name}: every score must be from 1 to 5.")
        scored.append((name, round(sum(shares[key] * scores[key] for key in CRITERION_KEYS), 2)))
    scored.sort(key=lambda row: (-row[1], row[0].lower()))
    counts: dict[float, int] = {}
    for _name, score in scored:
        counts[score] = counts.get(score, 0) + 1
    ranked = []
    rank, previous = 0, None
    for position, (name, score) in enumerate(scored, start=1):
        if score != previous:
            rank, previous = position, score
        ranked.append(RankedPlatform(name=name, score=score, rank=rank, tied=counts[score] > 1))
    return ranked


# --- Risks ---------------------------------------------------------------------------

RISK_LEVELS = [(15, "High"), (8, "Medium"), (1, "Low")]


def risk_score(likelihood: int, impact: int) -> int:
    """Likelihood × impact, each from 1 (rare, minor) to 5 (almost certain, severe)."""
    for name, value in (("likelihood", likelihood), ("impact", impact)):
        if not isinstance(value, int) or not 1 <= value <= 5:
            raise ScoringError(f"The {name} must be a whole number from 1 to 5.")
    return likelihood * impact


def risk_level(score: int) -> str:
    return next(label for floor, label in RISK_LEVELS if score >= floor)


@dataclass(frozen=True)
class ScoredRisk:
    key: object  # whatever identifies the risk to the caller
    score: int
    level: str
    residual_score: int | None
    residual_level: str


def score_risks(rows: Sequence[tuple[object, int, int, int | None, int | None]]) -> list[ScoredRisk]:
    """Score (key, likelihood, impact, residual likelihood, residual impact) rows, worst first.

    Equal scores keep the order they came in.
    """
    scored = []
    for key, likelihood, impact, res_likelihood, res_impact in rows:
        score = risk_score(likelihood, impact)
        residual = (
            risk_score(res_likelihood, res_impact)
            if res_likelihood is not None and res_impact is not None
            else None
        )
        scored.append(
            ScoredRisk(
                key=key,
                score=score,
                level=risk_level(score),
                residual_score=residual,
                residual_level=risk_level(residual) if residual is not None else "",
            )
        )
    return sorted(scored, key=lambda risk: -risk.score)


def heat_map_matrix(pairs: Sequence[tuple[int, int]]) -> list[list[int]]:
    """Counts of risks in a 5 × 5 grid: ``matrix[impact - 1][likelihood - 1]``."""
    matrix = [[0] * 5 for _ in range(5)]
    for likelihood, impact in pairs:
        risk_score(likelihood, impact)
        matrix[impact - 1][likelihood - 1] += 1
    return matrix
