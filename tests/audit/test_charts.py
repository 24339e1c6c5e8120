"""The KPI figures, read from their layout: colours per platform, and labels that do not collide."""

from __future__ import annotations

import itertools
import json
import os
from collections import defaultdict

import numpy as np
import pandas as pd
import plotly.io as pio
import pytest

from audit.charts import (
    PLATFORM_COLOURS,
    TICK_LABELS_PX,
    baseline_follow_up_figure,
    first_response_figure,
    satisfaction_figure,
    volume_by_week_figure,
)
from audit.models import Platform
from core.charts import NARROWEST_CHART_PX, TOOLBAR_CLEARANCE
from tests.chart_geometry import (
    CHROMIUM,
    LINE_HEIGHT,
    ink_on_the_edges,
    margin,
    plot_size,
    text_height,
    text_width,
)

WEEKS = pd.date_range("2026-01-05", periods=12, freq="7D")
COMMONEST = [
    Platform.FACEBOOK,
    Platform.INSTAGRAM,
    Platform.X,
    Platform.WHATSAPP,
    Platform.TIKTOK,
    Platform.TRUSTPILOT,
    Platform.LINKEDIN,
    Platform.YOUTUBE,
]


def weekly_volume(platforms) -> pd.DataFrame:
    return pd.DataFrame({platform: range(1, len(WEEKS) + 1) for platform in platforms}, index=WEEKS)


def colours_by_name(figure) -> dict[str, str]:
    return {trace.name: trace.marker.color for trace in figure.data}


# --- One colour per platform ----------------------------------------------------------------


def test_twelve_platforms_in_one_file_get_twelve_colours():
    platforms = [value for value in Platform.values if value != Platform.WEB]

    figure = volume_by_week_figure(weekly_volume(platforms))

    colours = [trace.marker.color for trace in figure.data]
    assert len(colours) == 12
    assert len(set(colours)) == 12


def test_every_platform_has_a_colour_of_its_own():
    assert set(PLATFORM_COLOURS) == set(Platform.values)
    assert len(set(PLATFORM_COLOURS.values())) == len(Platform.values)


def test_a_platform_keeps_its_colour_whatever_else_the_file_holds():
    small = volume_by_week_figure(weekly_volume([Platform.TRUSTPILOT, Platform.FACEBOOK]))
    large = volume_by_week_figure(weekly_volume(Platform.values))

    for name, platform in (("Facebook", Platform.FACEBOOK), ("Trustpilot", Platform.TRUSTPILOT)):
        assert colours_by_name(small)[name] == colours_by_name(large)[name] == PLATFORM_COLOURS[platform]


def test_the_pdf_gets_the_same_colours_as_the_page():
    # The PDF's chart is the same figure passed through plotly's JSON (reports.pdf).
    figure = volume_by_week_figure(weekly_volume([Platform.WHATSAPP, Platform.TIKTOK]))

    exported = json.loads(pio.to_json(figure))

    assert [trace["marker"]["color"] for trace in exported["data"]] == [
        PLATFORM_COLOURS[Platform.WHATSAPP],
        PLATFORM_COLOURS[Platform.TIKTOK],
    ]


def _linear(channel: np.ndarray) -> np.ndarray:
    return np.where(channel <= 0.04045, channel / 12.92, ((channel + 0.055) / 1.055) ** 2.4)


def _rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])


def _contrast_on_white(colour: str) -> float:
    luminance = _linear(_rgb(colour)) @ [0.2126, 0.7152, 0.0722]
    return 1.05 / (luminance + 0.05)


@pytest.mark.parametrize("platform", Platform.values)
def test_each_colour_stands_out_on_white(platform):
    # WCAG 1.4.11: 3:1 for the parts of a chart needed to read it.
    assert _contrast_on_white(PLATFORM_COLOURS[platform]) >= 3


# Machado, Oliveira and Fernandes (2009), full severity, applied to linear RGB.
COLOUR_BLINDNESS = {
    "protanopia": [
        [0.152286, 1.052583, -0.204868],
        [0.114503, 0.786281, 0.099216],
        [-0.003882, -0.048116, 1.051998],
    ],
    "deuteranopia": [
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.01182, 0.04294, 0.968881],
    ],
    "tritanopia": [
        [1.255528, -0.076749, -0.178779],
        [-0.078411, 0.930809, 0.147602],
        [0.004733, 0.691367, 0.3039],
    ],
    "typical vision": np.eye(3),
}


def _lab(linear_rgb: np.ndarray) -> np.ndarray:
    xyz = (
        np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ linear_rgb
    )
    t = xyz / [0.95047, 1.0, 1.08883]
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def _smallest_difference(platforms, vision: str) -> float:
    matrix = np.array(COLOUR_BLINDNESS[vision])
    seen = {p: _lab(np.clip(matrix @ _linear(_rgb(PLATFORM_COLOURS[p])), 0, 1)) for p in platforms}
    return min(float(np.linalg.norm(seen[a] - seen[b])) for a, b in itertools.combinations(platforms, 2))


@pytest.mark.parametrize("vision", COLOUR_BLINDNESS)
def test_the_colours_stay_apart_for_colour_blind_readers(vision):
    # CIELAB distances (2.3 is just noticeable). Thirteen colours cannot all be far apart for
    # every reader; the eight commonest platforms get the most distinct. The brand palette
    # used before gave orange and green a distance of 7 under protanopia.
    assert _smallest_difference(Platform.values, vision) >= 9
    assert _smallest_difference(COMMONEST, vision) >= 10


# --- The satisfaction chart's legend --------------------------------------------------------


def test_the_satisfaction_legend_sits_above_the_plot_away_from_the_axis_title():
    by_week = pd.DataFrame({"csat": [60.0] * 12, "nps": [10.0] * 12}, index=WEEKS)

    figure = satisfaction_figure(by_week)

    legend = figure.layout.legend
    # The legend's bottom edge is on the plot's top edge, so all of it is above the plot;
    # the week labels and "Week beginning" are below the plot.
    assert (legend.yanchor, legend.y) == ("bottom", 1)
    assert figure.layout.xaxis.title.text == "Week beginning"
    assert figure.layout.xaxis.side in (None, "bottom")
    # Room for two lines of legend (it wraps on a phone) below the toolbar.
    assert margin(figure, "t") - TOOLBAR_CLEARANCE >= 2 * LINE_HEIGHT * 13 + 10
    assert (legend.x, legend.xanchor) == (0, "left")


# --- The comparison's small charts ----------------------------------------------------------


def comparison_figure():
    keys = ["response_rate", "within_sla", "fcr", "csat", "median_first_response", "median_resolution"]
    comparison = pd.DataFrame({"baseline": [85.1, 11.1, 60.3, 61.4, 211.6, 9.2]}, index=keys)
    comparison["follow_up"] = [96.7, 33.2, 75.8, 82.8, 96.3, 2.6]
    return baseline_follow_up_figure(
        comparison, baseline_label="5 Jan 2026 – 15 Feb 2026", follow_up_label="16 Feb 2026 – 29 Mar 2026"
    )


def _titles_by_row(figure):
    rows = defaultdict(list)
    for title in figure.layout.annotations:
        rows[round(title.y, 6)].append(title)
    return [sorted(rows[y], key=lambda title: title.x) for y in sorted(rows, reverse=True)]


@pytest.mark.parametrize("width", [NARROWEST_CHART_PX, 560, 760])
def test_neighbouring_subplot_titles_do_not_meet(width):
    figure = comparison_figure()
    plot_width, _ = plot_size(figure, width=width)

    for row in _titles_by_row(figure):
        for left, right in itertools.pairwise(row):
            half_widths = (
                text_width(left.text, left.font.size) + text_width(right.text, right.font.size)
            ) / 2
            assert (right.x - left.x) * plot_width >= half_widths + 8, (left.text, right.text)
        for title in row:  # and none runs off the chart's sides
            centre = margin(figure, "l") + title.x * plot_width
            assert centre - text_width(title.text, title.font.size) / 2 >= 0
            assert centre + text_width(title.text, title.font.size) / 2 <= width


def test_each_row_of_subplot_titles_clears_the_tick_labels_above_and_the_toolbar():
    figure = comparison_figure()
    _, plot_height = plot_size(figure, width=NARROWEST_CHART_PX)
    rows = _titles_by_row(figure)
    # Subplot titles stand on the top of their row's plot (y in paper units, 0 at the bottom).
    assert all(title.yanchor == "bottom" for row in rows for title in row)
    tallest = [max(text_height(title.text, title.font.size) for title in row) for row in rows]

    assert plot_height * (1 - rows[0][0].y) + margin(figure, "t") - tallest[0] >= TOOLBAR_CLEARANCE
    bottoms = sorted({axis.domain[0] for axis in figure.select_yaxes()}, reverse=True)
    for row, (upper_bottom, title_height) in enumerate(zip(bottoms, tallest[1:], strict=False), start=1):
        gap = (upper_bottom - rows[row][0].y) * plot_height
        assert gap >= TICK_LABELS_PX + title_height, f"row {row + 1}"


def test_the_comparison_legend_sits_below_the_last_tick_labels_inside_the_chart():
    figure = comparison_figure()
    _, plot_height = plot_size(figure, width=NARROWEST_CHART_PX)
    legend = figure.layout.legend

    assert legend.yanchor == "top"
    below_plot = -legend.y * plot_height
    assert below_plot >= TICK_LABELS_PX
    assert margin(figure, "b") >= below_plot + 2 * LINE_HEIGHT * 13 + 10  # two lines on a phone


def test_every_measure_compared_gets_a_titled_subplot():
    figure = comparison_figure()

    titles = [title.text.replace("<br>", " ") for title in figure.layout.annotations]

    assert titles[0] == "Response rate (%)"
    assert "Median first response (minutes)" in titles
    assert len(titles) == 6


def test_baseline_and_follow_up_fit_under_their_bars_on_a_phone():
    figure = comparison_figure()
    plot_width, _ = plot_size(figure, width=NARROWEST_CHART_PX)

    for axis in figure.select_xaxes():
        assert axis.tickangle == 0
        per_bar = (axis.domain[1] - axis.domain[0]) * plot_width / 2
        assert text_width("Follow-up", axis.tickfont.size) <= per_bar


def test_the_histograms_axis_title_fits_a_phone():
    frame = pd.DataFrame({"first_response_minutes": [30.0, 90.0, 600.0]})

    figure = first_response_figure(frame, sla_minutes=60)

    plot_width, _ = plot_size(figure, width=NARROWEST_CHART_PX)
    assert text_width(figure.layout.xaxis.title.text, 13) <= plot_width


@pytest.mark.chromium
@pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK), reason="Debian's chromium is not installed")
def test_no_kpi_chart_runs_off_its_edges_on_a_phone_or_in_the_pdf():
    by_week = pd.DataFrame({"csat": [60.0] * 12, "nps": [-10.0] * 12}, index=WEEKS)
    figures = {
        "volume": volume_by_week_figure(weekly_volume(Platform.values)),
        "first response": first_response_figure(
            pd.DataFrame({"first_response_minutes": [30.0, 90.0, 600.0, 2000.0]}), sla_minutes=60
        ),
        "comparison": comparison_figure(),
        "satisfaction": satisfaction_figure(by_week),
    }

    assert ink_on_the_edges(figures, [NARROWEST_CHART_PX, 760]) == dict.fromkeys(
        [f"{name} at {width} px" for name in figures for width in (NARROWEST_CHART_PX, 760)], 0
    )


def test_the_first_response_markers_speak_minutes_as_the_table_does_and_never_overlap():
    # Target 60 min, median 48 min, 90th percentile 66 min: three lines close together.
    frame = pd.DataFrame({"first_response_minutes": [40.0, 45.0, 48.0, 50.0, 66.0]})

    figure = first_response_figure(frame, sla_minutes=60)

    labels = [(note.text, note.yshift or 0) for note in figure.layout.annotations]
    assert [text for text, _ in labels] == ["Target: 60 min", "Median: 48 min", "90th percentile: 60 min"]
    shifts = sorted(shift for _, shift in labels)
    assert all(b - a >= text_height("x", 12) * 1.5 for a, b in itertools.pairwise(shifts))


def test_long_waits_are_given_in_hours_too():
    figure = first_response_figure(pd.DataFrame({"first_response_minutes": [300.0]}), sla_minutes=60)

    assert "Median: 300 min (5.0 h)" in [note.text for note in figure.layout.annotations]
