"""Where a figure's labels fall, worked out from its layout numbers, for tests of crowded charts.

Widths are those of DejaVu Sans, the last font of the charts' font stack and the one Chromium
on Debian draws them with (the PDF's charts included); the fonts phones use are narrower, so
a label that fits here fits there.
"""

from __future__ import annotations

import plotly.graph_objects as go

# DejaVu Sans advance widths in em, each rounded up to its group's widest.
_EM = {
    **dict.fromkeys("'ijlIJ", 0.3),
    **dict.fromkeys(" ,.·/:;\\|", 0.34),
    **dict.fromkeys("f-()[]t!r", 0.42),
    **dict.fromkeys('"*_`–szc?', 0.55),
    **dict.fromkeys("LFkvxyPTYoaeEhnuSbdgpq$0123456789{}", 0.64),
    **dict.fromkeys("KAVXZBRC", 0.7),
    **dict.fromkeys("UNHDG&OQ", 0.79),
    **dict.fromkeys("w#+<=>^~−×", 0.84),
    **dict.fromkeys("M%mW@", 1.0),
}
LINE_HEIGHT = 1.3  # em: plotly's spacing of the lines of a <br>-broken label


def lines(label: str) -> list[str]:
    return str(label).split("<br>")


def text_width(label: str, size: float) -> float:
    """Pixels taken by the widest line of a plotly label at ``size`` px."""
    return max(sum(_EM.get(char, 0.8) for char in line) for line in lines(label)) * size


def text_height(label: str, size: float) -> float:
    return len(lines(label)) * LINE_HEIGHT * size


def margin(figure: go.Figure, side: str) -> float:
    """A margin as the figure sets it, or as its template does."""
    value = figure.layout.margin[side]
    return value if value is not None else figure.layout.template.layout.margin[side]


def plot_size(figure: go.Figure, *, width: float) -> tuple[float, float]:
    """The plotting area's width and height in px, for the figure drawn ``width`` px wide."""
    return (
        width - margin(figure, "l") - margin(figure, "r"),
        figure.layout.height - margin(figure, "t") - margin(figure, "b"),
    )
