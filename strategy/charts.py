"""The strategy's charts, one function per chart, drawn through core.charts."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go
from django.utils.translation import ngettext

from core.charts import TOOLBAR_CLEARANCE, chart_context, chart_text
from core.formatting import uk_date
from strategy.scoring import RankedPlatform, risk_level

# Words under their numbers, one short line each, so that five columns of tick labels stay
# apart without turning on a phone (NARROWEST_CHART_PX) and nothing is clipped at the edge.
LIKELIHOOD_LABELS = ["1<br>Rare", "2<br>Unlikely", "3<br>Possible", "4<br>Likely", "5<br>Almost<br>certain"]
IMPACT_LABELS = ["1<br>Minor", "2<br>Moderate", "3<br>Serious", "4<br>Major", "5<br>Severe"]
HEAT_MAP_TICK_FONT_PX = 11
HEAT_MAP_CELL_FONT_PX = 11
# Margins that hold the tick labels and axis titles (automargin would grow them only for a
# wider font), so the cells' width is known in advance; the top one keeps plotly's toolbar
# off the top row.
HEAT_MAP_MARGIN = {"l": 84, "r": 8, "t": TOOLBAR_CLEARANCE + 8, "b": 80}


def _heat_map_cell(count: int, score: int) -> str:
    """The score, and where risks sit their number and level: short lines that fit a phone's cell."""
    if not count:
        return str(score)
    risks = ngettext("%(count)d risk", "%(count)d risks", count) % {"count": count}
    return f"{risks}<br>{score}<br>{risk_level(score).lower()}"


def risk_heat_map(matrix: list[list[int]]) -> dict[str, Any]:
    """5 × 5 grid of likelihood against impact; each cell names its score, and its risks' count and level."""
    scores = [[(i + 1) * (j + 1) for j in range(5)] for i in range(5)]
    text = [[_heat_map_cell(matrix[i][j], scores[i][j]) for j in range(5)] for i in range(5)]
    figure = go.Figure(
        go.Heatmap(
            z=scores,
            x=LIKELIHOOD_LABELS,
            y=IMPACT_LABELS,
            text=text,
            texttemplate="%{text}",
            textfont={"size": HEAT_MAP_CELL_FONT_PX, "color": "#111"},
            colorscale=[[0, "#d8f0d2"], [0.3, "#fbe7a1"], [0.6, "#f6b26b"], [1, "#e06666"]],
            showscale=False,
            customdata=[
                [
                    [
                        LIKELIHOOD_LABELS[j].replace("<br>", " "),
                        IMPACT_LABELS[i].replace("<br>", " "),
                        ngettext("%(count)d risk", "%(count)d risks", matrix[i][j]) % {"count": matrix[i][j]}
                        if matrix[i][j]
                        else "no risks",
                        risk_level(scores[i][j]).lower(),
                    ]
                    for j in range(5)
                ]
                for i in range(5)
            ],
            hovertemplate="Likelihood %{customdata[0]}<br>Impact %{customdata[1]}<br>"
            "Score %{z} (%{customdata[3]}): %{customdata[2]}<extra></extra>",
            xgap=2,
            ygap=2,
        )
    )
    figure.update_layout(
        height=420,
        xaxis={
            "title": {"text": "Likelihood"},
            "side": "bottom",
            "tickangle": 0,
            "tickfont": {"size": HEAT_MAP_TICK_FONT_PX},
            "automargin": True,
        },
        yaxis={"title": {"text": "Impact"}, "tickfont": {"size": HEAT_MAP_TICK_FONT_PX}, "automargin": True},
        margin=HEAT_MAP_MARGIN,
    )
    total = sum(sum(row) for row in matrix)
    high = sum(matrix[i][j] for i in range(5) for j in range(5) if scores[i][j] >= 15)
    return chart_context(
        figure,
        element_id="risk-heat-map",
        title="Risk heat map before mitigation",
        description=ngettext("%(count)d risk", "%(count)d risks", total)
        % {"count": total}
        + f" placed by likelihood and impact; {high} in the high band "
        "(score 15 or more). "
        "Each cell states its score (likelihood × impact) and, where risks sit, their number and level.",
    )


def platform_ranking(ranking: Sequence[RankedPlatform]) -> dict[str, Any]:
    """Weighted score per platform, best at the top."""
    ordered = list(reversed(ranking))
    figure = go.Figure(
        go.Bar(
            x=[row.score for row in ordered],
            y=[f"{row.rank}. {chart_text(row.name)}" for row in ordered],
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


TIMELINE_LABEL_CHARS = 24


def implementation_timeline(tasks: Sequence[Any]) -> dict[str, Any]:
    """A Gantt chart: one bar per task from its start to the end of its last day."""
    rows = list(reversed(tasks))
    day_ms = 86_400_000
    figure = go.Figure(
        go.Bar(
            base=[task.start.isoformat() for task in rows],
            x=[((task.end - task.start).days + 1) * day_ms for task in rows],
            # Long names on two or three short lines: on one line they took most of a phone's width.
            # Wrapped before escaping, so a break never falls inside an entity.
            y=[
                "<br>".join(chart_text(line) for line in textwrap.wrap(task.task, TIMELINE_LABEL_CHARS))
                for task in rows
            ],
            orientation="h",
            marker_color="#e07a1f",
            text=[chart_text(task.owner) for task in rows],
            textposition="inside",
            customdata=[
                [
                    f"{task.start.day} {task.start:%B %Y}",
                    f"{task.end.day} {task.end:%B %Y}",
                    chart_text(task.task),
                ]
                for task in rows
            ],
            hovertemplate="%{customdata[2]}<br>%{customdata[0]} to %{customdata[1]}<br>%{text}"
            "<extra></extra>",
        )
    )
    figure.update_layout(
        height=120 + 40 * len(rows),
        # The year under the day: the labels stay level instead of turning and running out of
        # the bottom margin (as they did in the PDF), which grows to hold them if need be.
        xaxis={"type": "date", "tickformat": "%-d %b<br>%Y", "tickangle": 0, "automargin": True},
        yaxis={"automargin": True},
        margin={"l": 20, "r": 30, "t": TOOLBAR_CLEARANCE + 8, "b": 60},
        bargap=0.3,
    )
    first = min((task.start for task in tasks), default=None)
    last = max((task.end for task in tasks), default=None)
    span = (
        ngettext("%(count)d task", "%(count)d tasks", len(tasks)) % {"count": len(tasks)}
        + f" from {uk_date(first)} to {uk_date(last)}."
        if first and last
        else "No tasks yet."
    )
    return chart_context(
        figure, element_id="implementation-timeline", title="Implementation timeline", description=span
    )
