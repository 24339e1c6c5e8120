"""The strategy's figures, read from their layout: a heat map that fits a phone, a timeline
whose dates fit the PDF."""

from __future__ import annotations

import os
from datetime import date
from types import SimpleNamespace

import plotly.graph_objects as go
import pytest

from core.charts import NARROWEST_CHART_PX, TOOLBAR_CLEARANCE
from strategy.charts import implementation_timeline, risk_heat_map
from strategy.scoring import heat_map_matrix
from tests.chart_geometry import (
    CHROMIUM,
    LINE_HEIGHT,
    ink_on_the_edges,
    margin,
    plot_size,
    text_height,
    text_width,
)

# One risk in each band, and two in one cell.
RISKS = [(4, 4), (4, 4), (3, 4), (3, 3), (2, 3), (1, 1), (5, 5)]


def heat_map() -> go.Figure:
    return go.Figure(risk_heat_map(heat_map_matrix(RISKS))["figure"])


def test_the_toolbar_stays_off_the_top_row():
    assert margin(heat_map(), "t") >= TOOLBAR_CLEARANCE


@pytest.mark.parametrize("width", [NARROWEST_CHART_PX, 760])
def test_every_cells_label_fits_its_cell(width):
    figure = heat_map()
    heat = figure.data[0]
    plot_width, plot_height = plot_size(figure, width=width)
    cell_width = plot_width / 5 - heat.xgap
    cell_height = plot_height / 5 - heat.ygap

    for label in (text for row in heat.text for text in row):
        assert text_width(label, heat.textfont.size) <= cell_width, label
        assert text_height(label, heat.textfont.size) <= cell_height, label


def test_cells_with_risks_say_how_many_their_score_and_level():
    heat = heat_map().data[0]

    # Rows are impact 1 to 5, columns likelihood 1 to 5.
    assert heat.text[3][3] == "2 risks<br>16<br>high"
    assert heat.text[2][2] == "1 risk<br>9<br>medium"
    assert heat.text[0][0] == "1 risk<br>1<br>low"
    assert heat.text[1][4] == "10"


def test_the_axis_labels_fit_beside_and_under_the_grid_on_a_phone():
    figure = heat_map()
    layout = figure.layout
    plot_width, _ = plot_size(figure, width=NARROWEST_CHART_PX)
    tick = layout.xaxis.tickfont.size

    # Level labels, each within its column: none turned, none over the edge ("5 Almost certain").
    assert layout.xaxis.tickangle == 0
    for label in figure.data[0].x:
        assert text_width(label, tick) <= plot_width / 5 - 2, label
    assert text_width(figure.data[0].x[-1], tick) / 2 <= plot_width / 10 + margin(figure, "r")
    # The impact labels and the axis title fit the left margin; likelihood's under the grid.
    widest = max(text_width(label, layout.yaxis.tickfont.size) for label in figure.data[0].y)
    assert widest + 6 + LINE_HEIGHT * 13 + 4 <= margin(figure, "l")
    tallest = max(text_height(label, tick) for label in figure.data[0].x)
    assert tallest + 6 + LINE_HEIGHT * 13 <= margin(figure, "b")


# The demo's plan as the reviewed PDF had it: these dates were the ones cut off.
PLAN = [
    ("Agree strategy with head of service", "Amira", "2026-10-05", "2026-10-12"),
    ("Set up social inbox and saved replies", "IT", "2026-10-12", "2026-11-02"),
    ("Brand voice and complaints training", "Amira", "2026-10-26", "2026-11-09"),
    ("Weekend rota pilot", "Amira", "2026-11-09", "2026-12-21"),
    ("WhatsApp delivery updates roll-out", "Logistics", "2026-11-23", "2026-12-28"),
    ("First PDCA review", "Amira", "2026-12-21", "2026-12-28"),
]


def _tasks():
    return [
        SimpleNamespace(task=task, owner=owner, start=date.fromisoformat(start), end=date.fromisoformat(end))
        for task, owner, start, end in PLAN
    ]


def test_the_timelines_dates_stay_level_inside_the_bottom_margin():
    # Turned dates ran out of a 50 px margin in the PDF; level, on two lines, they fit it.
    figure = go.Figure(implementation_timeline(_tasks())["figure"])
    xaxis = figure.layout.xaxis

    assert xaxis.tickangle == 0
    assert xaxis.automargin is True
    assert xaxis.tickformat == "%-d %b<br>%Y"
    assert text_height(xaxis.tickformat, 13) + 6 <= margin(figure, "b")
    assert text_width("30 Sep", 13) / 2 <= margin(figure, "r")


def test_long_task_names_wrap_and_keep_their_full_name_in_the_hover():
    figure = go.Figure(implementation_timeline(_tasks())["figure"])
    bar = figure.data[0]

    assert "Agree strategy with head<br>of service" in bar.y
    assert all(text_width(label, 13) <= 180 for label in bar.y)
    assert [row[2] for row in bar.customdata][-1] == "Agree strategy with head of service"


@pytest.mark.chromium
@pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK), reason="Debian's chromium is not installed")
def test_neither_chart_runs_off_its_edges_on_a_phone_or_in_the_pdf():
    figures = {"heat map": heat_map(), "timeline": go.Figure(implementation_timeline(_tasks())["figure"])}

    assert ink_on_the_edges(figures, [NARROWEST_CHART_PX, 760]) == dict.fromkeys(
        [f"{name} at {width} px" for name in figures for width in (NARROWEST_CHART_PX, 760)], 0
    )
