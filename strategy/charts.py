"""The strategy's charts, one function per chart, drawn through portfolio.charts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go

from portfolio.charts import chart_context
from portfolio.formatting import uk_date
from strategy.scoring import RankedPlatform, risk_level

LIKELIHOOD_LABELS = ["1 Rare", "2 Unlikely", "3 Possible", "4 Likely", "5 Almost certain"]
IMPACT_LABELS = ["1 Minor", "2 Moderate", "3 Serious", "4 Major", "5 Severe"]


def risk_heat_map(matrix: list[list[int]]) -> dict[str, Any]:
    """5 × 5 grid of likelihood against impact; each cell names its count, score and level."""
    scores = [[(i + 1) * (j + 1) for j in range(5)] for i in range(5)]
    text = [
        [
            f"{matrix[i][j]} risk{'s' if matrix[i][j] != 1 else ''}<br>score {scores[i][j]} · "
            f"{risk_level(scores[i][j]).lower()}"
            if matrix[i][j]
            else f"score {scores[i][j]}"
            for j in range(5)
        ]
        for i in range(5)
    ]
    figure = go.Figure(
        go.Heatmap(
            z=scores,
            x=LIKELIHOOD_LABELS,
            y=IMPACT_LABELS,
            text=text,
            texttemplate="%{text}",
            textfont={"size": 12, "color": "#111"},
            colorscale=[[0, "#d8f0d2"], [0.3, "#fbe7a1"], [0.6, "#f6b26b"], [1, "#e06666"]],
            showscale=False,
            hovertemplate="Likelihood %{x}<br>Impact %{y}<br>%{text}<extra></extra>",
            xgap=2,
            ygap=2,
        )
    )
    figure.update_layout(
        height=420,
        xaxis={"title": {"text": "Likelihood"}, "side": "bottom"},
        yaxis={"title": {"text": "Impact"}},
        margin={"l": 100, "r": 20, "t": 20, "b": 60},
    )
    total = sum(sum(row) for row in matrix)
    high = sum(matrix[i][j] for i in range(5) for j in range(5) if scores[i][j] >= 15)
    return chart_context(
        figure,
        element_id="risk-heat-map",
        title="Risk heat map before mitigation",
        description=f"{total} risks placed by likelihood and impact; {high} in the high band "
        "(score 15 or more). "
        "Each cell states its count, score and level.",
    )


def platform_ranking(ranking: Sequence[RankedPlatform]) -> dict[str, Any]:
    """Weighted score per platform, best at the top."""
    ordered = list(reversed(ranking))
    figure = go.Figure(
        go.Bar(
            x=[row.score for row in ordered],
            y=[f"{row.rank}. {row.name}" for row in ordered],
            orientation="h",
            text=[f"{row.score:.2f}{' (tied)' if row.tied else ''}" for row in ordered],
            textposition="outside",
            marker_color="#0b5563",
            hovertemplate="%{y}: %{x:.2f} out of 5<extra></extra>",
        )
    )
    figure.update_layout(
        height=120 + 40 * len(ordered),
        xaxis={"title": {"text": "Weighted score (out of 5)"}, "range": [0, 5.5]},
        yaxis={"automargin": True},
        margin={"l": 140, "r": 30, "t": 20, "b": 50},
    )
    best = ranking[0] if ranking else None
    return chart_context(
        figure,
        element_id="platform-ranking",
        title="Platform ranking",
        description=(
            f"{best.name} ranks first with {best.score:.2f} out of 5." if best else "No platforms scored."
        ),
    )


def implementation_timeline(tasks: Sequence[Any]) -> dict[str, Any]:
    """A Gantt chart: one bar per task from its start to the end of its last day."""
    rows = list(reversed(tasks))
    day_ms = 86_400_000
    figure = go.Figure(
        go.Bar(
            base=[task.start.isoformat() for task in rows],
            x=[((task.end - task.start).days + 1) * day_ms for task in rows],
            y=[task.task for task in rows],
            orientation="h",
            marker_color="#e07a1f",
            text=[task.owner for task in rows],
            textposition="inside",
            customdata=[
                [f"{task.start.day} {task.start:%B %Y}", f"{task.end.day} {task.end:%B %Y}"] for task in rows
            ],
            hovertemplate="%{y}<br>%{customdata[0]} to %{customdata[1]}<br>%{text}<extra></extra>",
        )
    )
    figure.update_layout(
        height=120 + 36 * len(rows),
        xaxis={"type": "date", "tickformat": "%-d %b %Y"},
        yaxis={"automargin": True},
        margin={"l": 220, "r": 20, "t": 20, "b": 50},
        bargap=0.3,
    )
    first = min((task.start for task in tasks), default=None)
    last = max((task.end for task in tasks), default=None)
    span = (
        f"{len(tasks)} tasks from {uk_date(first)} to {uk_date(last)}." if first and last else "No tasks yet."
    )
    return chart_context(
        figure, element_id="implementation-timeline", title="Implementation timeline", description=span
    )
