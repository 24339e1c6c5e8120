"""Plotly figures in pages without inline script.

A page includes ``partials/chart.html`` with the context from ``chart_context``: the
figure travels as JSON in a non-executed ``<script type="application/json">`` and
``static/js/charts.js`` draws it with the plotly.js that the plotly package ships
(served by the app, never a CDN). The same figure objects can be exported as static
SVG for the PDF, so each chart is built by exactly one function.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import plotly
import plotly.graph_objects as go
import plotly.io as pio

BRAND_COLOURS = ["#0b5563", "#e07a1f", "#5b8c2a", "#8e3b8e", "#2a6fdb", "#b23a48", "#6c757d"]

# plotly's toolbar sits over the top right corner of a chart, about 30 px tall, while the
# pointer (or, on a phone, a finger) is on the chart. The shared chart partial configures it
# for every page; each figure keeps it off its data, legend and titles with a top margin at
# least this tall and nothing of its own drawn in it.
TOOLBAR_CLEARANCE = 32
# The width a chart gets on a 360 px phone, the narrowest screen the pages are laid out for,
# once the page's padding is taken off. Figures whose labels could collide are checked at it.
NARROWEST_CHART_PX = 336

# A plain template with our colours, British number formatting left to the figures.
pio.templates["portfolio"] = go.layout.Template(
    layout=go.Layout(
        colorway=BRAND_COLOURS,
        font={
            "family": "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif",
            "size": 13,
        },
        margin={"l": 50, "r": 20, "t": TOOLBAR_CLEARANCE + 8, "b": 50},
        paper_bgcolor="white",
        plot_bgcolor="white",
        xaxis={"gridcolor": "#e9ecef", "zerolinecolor": "#ced4da"},
        yaxis={"gridcolor": "#e9ecef", "zerolinecolor": "#ced4da"},
    )
)
pio.templates.default = "portfolio"


def chart_context(
    figure: go.Figure, *, element_id: str, title: str, description: str = "", in_fragment: bool = False
) -> dict[str, Any]:
    """What ``partials/chart.html`` needs to draw a figure accessibly.

    ``description`` is the text alternative: what the chart shows, in a sentence or two.
    ``in_fragment`` is for a chart that arrives in an htmx fragment: htmx drops every
    ``<script>`` element from fragments (``allowScriptTags`` is off), JSON islands included,
    so the figure travels as escaped text in a hidden element instead.
    """
    context = {
        "element_id": element_id,
        "data_id": f"{element_id}-data",
        "title": title,
        "description": description,
        "figure": json.loads(pio.to_json(figure, validate=False)),
    }
    if in_fragment:
        context["figure_text"] = json.dumps(context["figure"])
    return context


PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
_RULE = re.compile(r"""("[XY][^"]*"|'[XY][^']*')\s*:\s*("[^"]*"|'[^']*')""")


@lru_cache(maxsize=1)
def plotly_css() -> str:
    """plotly.js's own stylesheet, read from the pinned bundle.

    plotly.js normally injects these rules with an inline <style>, which our Content
    Security Policy refuses; pages link this stylesheet instead and mark it
    ``no-inline-styles`` so plotly.js does not try.
    """
    source = PLOTLY_JS.read_text(encoding="utf-8")
    start = source.find('{"X,X div"')
    if start == -1:
        return ""
    block = source[start : source.index("}", start)]
    rules = []
    for selector, body in _RULE.findall(block):
        selector = selector[1:-1]
        if selector.startswith(","):
            selector = " " + selector
        selector = selector.replace("X", ".js-plotly-plot .plotly").replace("Y", ".plotly-notifier")
        rules.append(f"{selector}{{{body[1:-1]}}}")
    return "\n".join(rules) + "\n"
