"""The KPI figures, read from their layout: a colour of its own for each platform."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pandas as pd
import plotly.io as pio
import pytest

from audit.charts import PLATFORM_COLOURS, volume_by_week_figure
from audit.models import Platform

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
    # The PDF's chart is the same figure passed through plotly's JSON (portfolio.pdf).
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
