"""Plotly figures in pages without inline script.

A page includes ``partials/chart.html`` with the context from ``chart_context``: the
figure travels as JSON in a non-executed ``<script type="application/json">`` and
``static/js/charts.js`` draws it with the plotly.js that the plotly package ships
(served by the app, never a CDN). The same figure objects can be exported as static
SVG for the PDF, so each chart is built by exactly one function.

plotly reads a subset of HTML in every piece of text it draws (titles, tick labels, hover
text, annotations, legend names): ``<b>``, ``<br>``, ``<span style>``, ``<a href>`` and
more. In the PDF a ``<span style="filter:url(http://…)">`` makes the chart browser fetch
the URL. So every piece of user text passes ``chart_text()`` before it enters a figure,
and ``figure_json()``, the one place a figure is turned into JSON for a page or the PDF,
refuses any text that still holds markup the chart code does not write itself.
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


# plotly's own rendering turns these entities back into the characters (its convertEntities),
# so the escaped text reads as typed: "Q&A <team>" shows as itself.
_CHART_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
# How plotly.js splits text into markup and words (svg_text_utils: SPLIT_TAGS).
_TAG = re.compile(r"<[^<>]*>")
# The markup the chart functions write themselves: line breaks, hover boxes' side labels and
# plain emphasis. No tag with attributes: those are the ones that can fetch (style, href).
ALLOWED_TAGS = frozenset(
    {"<br>", "<br/>", "<br />", "<extra>", "</extra>", "<b>", "</b>", "<i>", "</i>", "<sup>", "</sup>"}
    | {"<sub>", "</sub>", "<em>", "</em>"}
)


class UnsafeChartText(ValueError):
    """A figure holds markup no chart function writes: user text that missed ``chart_text()``."""


def chart_text(value: object) -> str:
    """User text made safe to put in a plotly figure, where it reads exactly as typed.

    Every piece of text that comes from a user (a task, an owner, a platform, a period's
    name) passes this before it enters a figure: in a label, a hover text, a legend name,
    a title or custom data a hover template shows. Wrap long text before escaping it, so a
    line break never falls inside an entity. User text goes into a figure as data (``name``,
    ``text``, ``customdata``, ``meta``), never into a ``hovertemplate`` or ``texttemplate``
    string, where a typed "%{y}" would be read as a placeholder.
    """
    return str(value).translate(_CHART_ESCAPES)


def _unsafe_markup(node: Any, path: str = "") -> tuple[str, str] | None:
    if isinstance(node, str):
        for tag in _TAG.findall(node):
            if tag.lower() not in ALLOWED_TAGS:
                return path, tag
        return None
    if isinstance(node, dict):
        items = node.items()
    elif isinstance(node, list | tuple):
        items = enumerate(node)
    else:
        return None
    for key, value in items:
        found = _unsafe_markup(value, f"{path}.{key}" if path else str(key))
        if found:
            return found
    return None


def check_figure_text(figure: dict[str, Any]) -> dict[str, Any]:
    """The figure (plotly JSON) unchanged, or ``UnsafeChartText`` if any of its text holds a tag
    that the chart functions do not write: user text that reached it without ``chart_text()``."""
    found = _unsafe_markup(figure)
    if found:
        path, tag = found
        raise UnsafeChartText(f"unescaped markup {tag[:60]!r} at {path}: pass user text through chart_text()")
    return figure


def figure_json(figure: go.Figure) -> dict[str, Any]:
    """The figure as plotly JSON, for a page or the PDF, checked by ``check_figure_text``."""
    return check_figure_text(json.loads(pio.to_json(figure, validate=False)))


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
        "figure": figure_json(figure),
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
