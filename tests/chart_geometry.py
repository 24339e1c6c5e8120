"""Where a figure's labels fall, worked out from its layout numbers, for tests of crowded charts.

Widths are those of DejaVu Sans, the last font of the charts' font stack and the one Chromium
on Debian draws them with (the PDF's charts included); the fonts phones use are narrower, so
a label that fits here fits there.
"""

from __future__ import annotations

import plotly.graph_objects as go

# DejaVu Sans advance widths in em, rounded up to the hundredth; 0.8 for anything else.
_WIDTHS = {
    0.28: "'ijl", 0.3: "IJ", 0.32: " ,.·", 0.34: "/:;\\|", 0.36: "f-", 0.4: "()[]t!", 0.42: "r",
    0.46: '"', 0.5: "*_`–", 0.53: "sz?", 0.55: "c", 0.56: "L", 0.58: "Fk", 0.6: "vxyP",
    0.62: "TYoae", 0.64: "Ehnu$Sbdgpq0123456789{}", 0.66: "K", 0.7: "AVXZBRC", 0.74: "U",
    0.76: "NH", 0.78: "DG&", 0.79: "OQ", 0.82: "w", 0.84: "#+<=>^~−×", 0.87: "M", 0.95: "%",
    0.98: "m", 0.99: "W", 1.0: "@",
}  # fmt: skip
_EM = {char: width for width, chars in _WIDTHS.items() for char in chars}
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


CHROMIUM = "/usr/bin/chromium"


def ink_on_the_edges(figures: dict[str, go.Figure], widths: list[int]) -> dict[str, int]:
    """Each figure drawn by plotly.js in Chromium (Kaleido, as for the PDF) at each width, and
    how many pixels of its outermost ring are not white: ink there is a label cut off."""
    import io

    import kaleido
    import numpy as np
    from PIL import Image

    from core.charts import PLOTLY_JS

    found = {}
    kaleido.start_sync_server(path=CHROMIUM, plotlyjs=str(PLOTLY_JS), mathjax=False, silence_warnings=True)
    try:
        for name, figure in figures.items():
            for width in widths:
                opts = {"format": "png", "width": width, "height": figure.layout.height, "scale": 1}
                pixels = np.asarray(
                    Image.open(io.BytesIO(kaleido.calc_fig_sync(figure, opts=opts))).convert("L")
                )
                ring = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])
                found[f"{name} at {width} px"] = int((ring < 200).sum())
    finally:
        kaleido.stop_sync_server(silence_warnings=True)
    return found
