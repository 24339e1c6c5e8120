"""One function per chart of the service data, each returning a plotly Figure.

The same figures are drawn in the page (core.charts.chart_context) and can be
exported as static SVG for the PDF. Inputs are the DataFrames of audit.kpi_compute.
"""

from __future__ import annotations

import itertools
import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from audit.kpis import KPI_CATALOGUE
from audit.models import Platform
from core.charts import TOOLBAR_CLEARANCE, chart_text

PLATFORM_LABELS = dict(Platform.choices)

# One colour per platform, the same in every chart and in the PDF whichever platforms a file
# holds: a palette cycled in trace order gave Facebook another colour in a file without
# Instagram, and repeated colours from the eighth platform on. The colours come from Paul
# Tol's qualitative schemes (muted, vibrant, medium-contrast and dark; personal.sron.nl/~pault),
# Okabe and Ito's colour-blind-safe set and CARTO's "Safe" (drawn from Tol's), keeping only
# those with at least 3:1 contrast on white (WCAG 1.4.11). No thirteen colours all stay far
# apart for colour-blind readers, so these were picked to stay as far apart as we could find
# under simulated protanopia, deuteranopia and tritanopia, the eight most distinct going to
# the commonest platforms; Other is neutral grey. tests/audit/test_charts.py measures both.
PLATFORM_COLOURS: dict[str, str] = {
    Platform.FACEBOOK: "#332288",  # Tol muted indigo
    Platform.INSTAGRAM: "#AA4499",  # Tol muted purple
    Platform.X: "#225555",  # Tol dark cyan
    Platform.WHATSAPP: "#009E73",  # Okabe-Ito bluish green
    Platform.TIKTOK: "#CC79A7",  # Okabe-Ito reddish purple
    Platform.TRUSTPILOT: "#999933",  # Tol muted olive
    Platform.LINKEDIN: "#0077BB",  # Tol vibrant blue
    Platform.YOUTUBE: "#661100",  # CARTO Safe brown
    Platform.WEBCHAT: "#6699CC",  # Tol medium-contrast light blue
    Platform.EMAIL: "#663333",  # Tol dark red
    Platform.WEB: "#997700",  # Tol medium-contrast dark yellow
    Platform.PHONE: "#666633",  # Tol dark yellow
    Platform.OTHER: "#888888",  # CARTO Safe grey
}


def platform_colour(platform: str) -> str:
    """The platform's own colour; anything unknown is drawn as Other."""
    return PLATFORM_COLOURS.get(platform, PLATFORM_COLOURS[Platform.OTHER])


def volume_by_week_figure(weekly_volume: pd.DataFrame) -> go.Figure:
    """Stacked bars: contacts per week (weeks start on Monday), one colour per platform."""
    figure = go.Figure()
    for platform in weekly_volume.columns:
        figure.add_trace(
            go.Bar(
                x=[week.strftime("%-d %b") for week in weekly_volume.index],
                y=weekly_volume[platform].tolist(),
                # A platform outside the list keeps the name it was imported with: user text.
                name=chart_text(PLATFORM_LABELS.get(platform, platform)),
                # A white edge between stacked segments keeps neighbours apart where colours are close.
                marker={"color": platform_colour(platform), "line": {"color": "white", "width": 1}},
                hovertemplate="Week of %{x}: %{y} contacts<extra>%{fullData.name}</extra>",
            )
        )
    figure.update_layout(
        barmode="stack",
        xaxis_title="Week beginning",
        # On a narrow screen the week labels turn upright: the margin grows to hold them and
        # the axis title below them instead of drawing one over the other.
        xaxis_automargin=True,
        yaxis_title="Contacts",
        legend_title_text="Platform",
        # Tall enough for one legend line per platform beside the plot even when the week
        # labels stand upright on a phone; a legend taller than the plot would scroll, and in
        # the PDF lose its last platforms.
        height=max(380, 170 + 20 * len(weekly_volume.columns)),
    )
    return figure


BIN_HOURS = 0.5
MARKER_LINE_PX = 24  # a 12 px label with its box is about 19 px tall


def marker_minutes(minutes: float) -> str:
    """ "45 min", or "300 min (5.0 h)" when hours say it more readily."""
    text = f"{minutes:,.0f} min"
    return f"{text} ({minutes / 60:.1f} h)" if minutes >= 120 else text


def first_response_figure(frame: pd.DataFrame, *, sla_minutes: float, cap_hours: float = 24) -> go.Figure:
    """Distribution of first response times with the median, the 90th percentile and the target."""
    answered = frame["first_response_minutes"].dropna()
    hours = np.minimum(answered.to_numpy(dtype=float) / 60, cap_hours)
    # Counted here, in half hours (the last half hour holds the times shown at the cap), and
    # drawn as bars: the page carries one count per bin, not two million times.
    edges = np.arange(0, cap_hours + BIN_HOURS / 2, BIN_HOURS)
    counts, edges = np.histogram(hours, bins=edges)
    figure = go.Figure(
        go.Bar(
            x=((edges[:-1] + edges[1:]) / 2).tolist(),
            y=counts.tolist(),
            width=BIN_HOURS,
            customdata=[f"{low:g}–{high:g}" for low, high in itertools.pairwise(edges)],
            name="Answered contacts",
            hovertemplate="%{customdata} h: %{y} contacts<extra></extra>",
        )
    )
    figure.update_layout(bargap=0)
    markers = [("Target", float(sla_minutes), "dash")]
    if len(answered):
        markers += [
            ("Median", float(answered.median()), "solid"),
            ("90th percentile", float(answered.quantile(0.9)), "dot"),
        ]
    for number, (label, minutes, dash) in enumerate(markers):
        figure.add_vline(
            x=min(minutes / 60, cap_hours),
            line_dash=dash,
            line_color="#212529",
            # In minutes, as the KPI table gives them; each label a line lower than the one
            # before, so close lines never put one label over another.
            annotation_text=f"{label}: {marker_minutes(minutes)}",
            annotation_position="top right",
            annotation_yshift=-MARKER_LINE_PX * number,
            annotation_bgcolor="rgba(255,255,255,0.85)",
        )
    figure.update_layout(
        # On two lines: on one it ran off both sides of a phone's screen.
        xaxis_title=f"Hours to first response<br>(over {cap_hours:g} h shown at {cap_hours:g})",
        xaxis_automargin=True,
        yaxis_title="Contacts",
        showlegend=False,
        height=380,
    )
    return figure


SHORT_LABELS = {
    "response_rate": "Response rate",
    "within_sla": "Within target",
    "fcr": "First contact resolution",
    "csat": "CSAT",
    "median_first_response": "Median first response",
    "median_resolution": "Median resolution",
}
COMPARED_KPIS = ["response_rate", "within_sla", "fcr", "csat", "median_first_response", "median_resolution"]


# The comparison's grid, in pixels so that the gaps hold what is drawn in them whatever the
# chart's width: each row of small charts, the gap between rows (the upper row's tick labels
# and the lower row's titles of up to two lines), the top margin (the toolbar and the first
# row's titles) and the bottom margin (the last row's tick labels and a legend of two lines).
COMPARISON_COLUMNS = 2
COMPARISON_ROW_PX = 170
COMPARISON_GAP_PX = 76
COMPARISON_TOP_PX = TOOLBAR_CLEARANCE + 36
COMPARISON_BOTTOM_PX = 96
TICK_LABELS_PX = 26  # one line of 12 px tick labels and their padding below an axis
TITLE_LINE_CHARS = 18


def _subplot_title(key: str) -> str:
    """The measure and its unit, wrapped so that neighbouring titles never meet on a phone."""
    title = f"{SHORT_LABELS.get(key, KPI_CATALOGUE[key].label)} ({KPI_CATALOGUE[key].unit})"
    return "<br>".join(chart_text(line) for line in textwrap.wrap(title, TITLE_LINE_CHARS))


def baseline_follow_up_figure(
    comparison: pd.DataFrame, *, baseline_label: str, follow_up_label: str
) -> go.Figure:
    """For each KPI, a pair of bars: baseline period, follow-up period."""
    keys = [key for key in COMPARED_KPIS if key in comparison.index]
    rows = max(1, -(-len(keys) // COMPARISON_COLUMNS))
    plot_px = rows * COMPARISON_ROW_PX + (rows - 1) * COMPARISON_GAP_PX
    figure = make_subplots(
        rows=rows,
        cols=COMPARISON_COLUMNS,
        subplot_titles=[_subplot_title(key) for key in keys],
        vertical_spacing=COMPARISON_GAP_PX / plot_px if rows > 1 else 0.2,
        horizontal_spacing=0.14,
    )
    for number, key in enumerate(keys):
        grid_row, column = divmod(number, COMPARISON_COLUMNS)
        row = comparison.loc[key]
        for period, label, colour in (
            ("baseline", f"Baseline {chart_text(baseline_label)}", "#6c757d"),
            ("follow_up", f"Follow-up {chart_text(follow_up_label)}", "#0b5563"),
        ):
            value = row[period]
            figure.add_trace(
                go.Bar(
                    x=["Baseline" if period == "baseline" else "Follow-up"],
                    y=[None if pd.isna(value) else value],
                    name=label,
                    marker_color=colour,
                    showlegend=number == 0,
                    legendgroup=period,
                    text=[None if pd.isna(value) else f"{value:g}"],
                    textposition="outside",
                    cliponaxis=False,
                    # The labels travel as data, not in the template (see chart_text).
                    meta=chart_text(KPI_CATALOGUE[key].label),
                    hovertemplate="%{fullData.name}: %{y}<extra>%{meta}</extra>",
                ),
                row=grid_row + 1,
                col=column + 1,
            )
    figure.update_annotations(font_size=12)
    figure.update_xaxes(tickfont_size=12, tickangle=0)
    figure.update_yaxes(rangemode="tozero", tickfont_size=12)
    figure.update_layout(
        height=COMPARISON_TOP_PX + plot_px + COMPARISON_BOTTOM_PX,
        margin={"l": 40, "r": 10, "t": COMPARISON_TOP_PX, "b": COMPARISON_BOTTOM_PX},
        # Below the last row's tick labels, whatever the chart's width.
        legend={
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "y": -TICK_LABELS_PX / plot_px,
            "yanchor": "top",
        },
    )
    return figure


SATISFACTION_LEGEND_PX = 48  # two lines of legend: it wraps on a phone


def satisfaction_figure(by_week: pd.DataFrame) -> go.Figure:
    """CSAT (share of 4–5 ratings) and NPS per week, on their own scales."""
    weeks = [week.strftime("%-d %b") for week in by_week.index]
    figure = make_subplots(specs=[[{"secondary_y": True}]])
    figure.add_trace(
        go.Scatter(x=weeks, y=by_week["csat"].tolist(), name="CSAT (%)", mode="lines+markers"),
        secondary_y=False,
    )
    figure.add_trace(
        go.Scatter(
            x=weeks,
            y=by_week["nps"].tolist(),
            name="NPS (−100 to +100)",
            mode="lines+markers",
            line_dash="dash",
        ),
        secondary_y=True,
    )
    figure.update_layout(
        height=380,
        xaxis_title="Week beginning",
        xaxis_automargin=True,  # as in volume_by_week_figure
        # Above the plot, under the toolbar: below it, the legend met the rotated week labels
        # and the axis title, whose height changes with the chart's width.
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 1, "yanchor": "bottom"},
        margin={"t": TOOLBAR_CLEARANCE + SATISFACTION_LEGEND_PX},
    )
    figure.update_yaxes(title_text="CSAT (%)", range=[0, 100], secondary_y=False)
    figure.update_yaxes(title_text="NPS", range=[-100, 100], secondary_y=True)
    # The right-hand scale's title ran off the edge of a phone's chart.
    figure.update_yaxes(automargin=True)
    return figure
