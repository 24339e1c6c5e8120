"""The portfolio's charts as static SVG for the PDF.

WeasyPrint runs no JavaScript, so the same plotly figures the pages draw are exported
as SVG by Kaleido, which drives a headless Chromium (``settings.BROWSER_PATH``). Starting
Chromium costs seconds, so each process keeps one browser between renders
(``core.pdf.chart_browser``: started when a Celery worker process starts, or at the
first export, walled off from every network); MathJax is off and plotly.js comes from the
pinned packages (npm's cartesian bundle, or plotly.py's full one), so the browser loads
nothing from outside.

Each SVG is cached in Django's cache (Redis when configured, so every worker shares
it) under the portfolio it belongs to and a digest of the figure's JSON and size: the same
data gives the same figure, so a cached SVG is never stale, and a second export of an
unchanged portfolio asks the browser for nothing. Scoped by portfolio, so one learner's
export never finds (nor, by its speed, learns of) a figure another portfolio drew. The
cache rather than files under MEDIA_ROOT because the entries are small, expire on their
own and need no clean-up, and media may be remote (S3).

When Chromium is absent, fails or times out, the chart becomes a note in the PDF and
the rest of the document still renders.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import logging
import os
import re
import threading
from collections.abc import Sequence
from concurrent.futures import Future, wait
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache

from core.charts import PLOTLY_JS, check_figure_text
from core.pdf import chart_browser

log = logging.getLogger(__name__)

WIDTH = 760  # px; the SVG scales to the text width, this sets the proportions of the text in it
CACHE_SECONDS = 60 * 60 * 24 * 30
CACHE_VERSION = 2  # 2: keyed by the portfolio too
# plotly.js's cartesian bundle (npm, pinned at plotly.py's own plotly.js version): 1.5 MB
# instead of 4.8 MB for the browser to parse when it starts, which saves about 2.5 s of its
# CPU (of about 6.5 s) on the first export. The same code draws the same SVG.
CARTESIAN_PLOTLY_JS = (
    Path(settings.BASE_DIR) / "node_modules" / "plotly.js-cartesian-dist-min" / "plotly-cartesian.min.js"
)
CARTESIAN_TRACES = frozenset(
    {
        "bar",
        "box",
        "contour",
        "heatmap",
        "histogram",
        "histogram2d",
        "histogram2dcontour",
        "image",
        "pie",
        "scatter",
        "scatterternary",
        "violin",
    }
)
_VERSION = re.compile(rb"plotly\.js[^\n]*? v(\d+\.\d+\.\d+)")

# What a plotly SVG may contain: references to its own elements (#clip…) and, for heat maps,
# the cells drawn as an embedded PNG. Anything else that could make the renderer fetch is
# refused. Only the markup is checked: the text the chart prints (a label that reads
# "url(http://…)" as typed) and plotly's inert data-* copies of it are words, not references.
_SVG_TOKEN = re.compile(
    r"""<(?P<close>/?)(?P<name>[A-Za-z_][\w:.-]*)(?P<attributes>(?:\s+[A-Za-z_][\w:.-]*\s*=\s*"""
    r"""(?:"[^"]*"|'[^']*'))*)\s*/?>|(?P<text>[^<]+)"""
)
_SVG_ATTRIBUTE = re.compile(r"""([A-Za-z_][\w:.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_FORBIDDEN_ELEMENTS = frozenset({"script", "foreignobject", "iframe", "use", "style", "object", "embed"})
_SAFE_HREF = re.compile(r"#|data:image/(?:png|jpeg);base64,", re.IGNORECASE)
# url() other than to "#…", @import, image-set() (which takes bare strings as addresses), and
# any CSS escape (which could spell "url" another way).
_FETCHING_VALUE = re.compile(r"""url\(\s*["']?(?!#)|@import|image-set|\\""", re.IGNORECASE)


def _safe_svg_attributes(attributes: str) -> bool:
    for name, double, single in _SVG_ATTRIBUTE.findall(attributes):
        local = name.rsplit(":", 1)[-1].lower()
        if local.startswith("data-"):
            continue
        value = html.unescape(double or single)  # as an XML parser reads it: "&#114;" is "r"
        if local.startswith("on") or (local in {"href", "src"} and not _SAFE_HREF.match(value.strip())):
            return False
        if _FETCHING_VALUE.search(value):
            return False
    return True


@dataclass(frozen=True)
class ChartSpec:
    key: str
    title: str
    description: str
    figure: dict[str, Any]  # the figure as plotly JSON

    def __post_init__(self) -> None:
        # However the figure was made, no user markup reaches the browser (core.charts).
        check_figure_text(self.figure)

    @property
    def height(self) -> int:
        return int(self.figure.get("layout", {}).get("height") or 420)

    @property
    def digest(self) -> str:
        payload = json.dumps(
            {"figure": self.figure, "width": WIDTH, "height": self.height},
            sort_keys=True,
            separators=(",", ":"),
            default=str,
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class DrawnChart:
    key: str
    title: str
    description: str
    svg_uri: str  # a data: URI, empty when the chart could not be drawn
    width: int
    height: int

    @property
    def missing(self) -> bool:
        return not self.svg_uri


def _cache_key(spec: ChartSpec, scope: str) -> str:
    return f"pdf-chart-svg:v{CACHE_VERSION}:{scope}:{spec.digest}"


def is_safe_svg(svg: str) -> bool:
    """True when the SVG starts as SVG and its markup refers to nothing outside itself.

    Read token by token: an element, or text up to the next "<". Anything else (a comment,
    a DOCTYPE, an entity declaration, a processing instruction, a stray "<") is refused.
    """
    svg = svg.strip()
    if svg.startswith("<?xml"):
        svg = svg[svg.find("?>") + 2 :].lstrip()
    if not svg.startswith("<svg"):
        return False
    position = 0
    for token in _SVG_TOKEN.finditer(svg):
        if token.start() != position:
            return False
        position = token.end()
        name = token.group("name")
        if name is None:
            continue
        if name.rsplit(":", 1)[-1].lower() in _FORBIDDEN_ELEMENTS:
            return False
        if not token.group("close") and not _safe_svg_attributes(token.group("attributes")):
            return False
    return position == len(svg)


def browser_available() -> bool:
    path = getattr(settings, "BROWSER_PATH", "")
    return bool(path) and os.path.isfile(path) and os.access(path, os.X_OK)


@lru_cache(maxsize=4)
def _bundle_version(path: Path) -> str:
    try:
        with path.open("rb") as bundle:
            found = _VERSION.search(bundle.read(400))
    except OSError:
        return ""
    return found.group(1).decode("ascii") if found else ""


def plotly_bundle(specs: Sequence[ChartSpec]) -> Path:
    """The plotly.js the browser loads: the cartesian bundle when it is installed, is the
    same version as plotly.py's full bundle and has every trace type the charts use."""
    types = {trace.get("type") or "scatter" for spec in specs for trace in spec.figure.get("data", [])}
    if types <= CARTESIAN_TRACES and _bundle_version(CARTESIAN_PLOTLY_JS) == _bundle_version(PLOTLY_JS) != "":
        return CARTESIAN_PLOTLY_JS
    return PLOTLY_JS


def _draw_with_kaleido(specs: Sequence[ChartSpec]) -> dict[str, str]:
    """SVG text per chart key, for the charts the process's chart browser managed to draw."""
    timeout = float(getattr(settings, "PDF_CHART_TIMEOUT_SECONDS", 60))
    bundle = plotly_bundle(specs)
    drawn: dict[str, str] = {}
    holder = chart_browser.HOLDER
    with holder.lock:
        restarted = False
        for spec in specs:
            try:
                browser = holder.get(path=settings.BROWSER_PATH, plotlyjs=bundle, timeout=timeout)
                raw = browser.draw(spec.figure, {"format": "svg", "width": WIDTH, "height": spec.height})
            except Exception as error:
                log.warning("PDF: chart %r not drawn: %s", spec.title, error)
                if isinstance(error, TimeoutError) or not holder.running():
                    # A browser that stopped answering, or died, will not draw the next one:
                    # start a fresh one, once per render.
                    holder.discard()
                    if restarted or isinstance(error, TimeoutError):
                        break
                    restarted = True
                continue
            svg = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
            if is_safe_svg(svg):
                drawn[spec.key] = svg
            else:
                log.warning("PDF: chart %r refused: the SVG refers to something outside itself", spec.title)
        if holder.running():
            # The next render, perhaps another user's, starts in a fresh page.
            try:
                holder.get(path=settings.BROWSER_PATH, plotlyjs=bundle, timeout=timeout).fresh_page()
            except Exception as error:
                log.warning("PDF: the chart browser's page could not be reloaded (%s); restarting it", error)
                holder.discard()
    holder.check_memory(float(getattr(settings, "PDF_CHART_BROWSER_MAX_MB", 600)))
    return drawn


WARM_UP_FIGURE: dict[str, Any] = {"data": [{"type": "bar", "x": ["a"], "y": [1]}], "layout": {}}


def start_chart_browser() -> bool:
    """Start this process's chart browser now and draw one figure, so that the first export
    pays nothing for it: a Celery worker calls this when its process starts. True when a
    browser is running afterwards; a missing or failing browser is logged, never raised."""
    if not browser_available():
        return False
    spec = ChartSpec(key="warm-up", title="Warm-up", description="", figure=WARM_UP_FIGURE)
    try:
        _draw_with_kaleido([spec])
    except Exception:
        log.exception("PDF: the chart browser did not start")
    return chart_browser.HOLDER.running()


def stop_chart_browser() -> None:
    """Close this process's chart browser (also done at interpreter exit)."""
    chart_browser.HOLDER.stop()


def _drawn(spec: ChartSpec, svg: str | None) -> DrawnChart:
    uri = "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii") if svg else ""
    return DrawnChart(
        key=spec.key,
        title=spec.title,
        description=spec.description,
        svg_uri=uri,
        width=WIDTH,
        height=spec.height,
    )


def placeholder(spec: ChartSpec) -> DrawnChart:
    """An empty SVG exactly the size of the chart, for laying out the pages while it is drawn.

    The layout only needs the chart's size, which is fixed in advance (WIDTH × the figure's
    height); the key makes each placeholder's URI unique, so WeasyPrint gives each its own image.
    """
    tag = hashlib.sha256(spec.key.encode("utf-8")).hexdigest()
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{spec.height}" '
        f'viewBox="0 0 {WIDTH} {spec.height}"><desc>{tag}</desc></svg>'
    )
    return _drawn(spec, svg)


class ChartJob:
    """The charts of one render, drawn in a background thread while the pages are laid out.

    Cached charts are ready at once; if none is missing, or there is no browser, no thread
    starts. Kaleido's browser works in its own processes, so the thread mostly waits and
    the layout keeps the interpreter. The drawing starts once the jobs in ``after`` are done
    (the render's image scaling, which the layout needs sooner than the charts).
    """

    def __init__(self, specs: Sequence[ChartSpec], *, scope: str, after: Sequence[Future[Any]] = ()) -> None:
        self.specs = list(specs)
        self.scope = scope
        self._after = list(after)
        self._svgs: dict[str, str] = {}
        self._to_draw: list[ChartSpec] = []
        for spec in self.specs:
            cached = cache.get(_cache_key(spec, scope))
            if cached is not None:
                self._svgs[spec.key] = cached
            else:
                self._to_draw.append(spec)
        self._drawn: dict[str, str] = {}
        self._thread: threading.Thread | None = None
        if self._to_draw and browser_available():
            self._thread = threading.Thread(target=self._draw, daemon=True, name="pdf-charts")
            self._thread.start()
        elif self._to_draw:
            log.warning(
                "PDF: no browser at BROWSER_PATH=%r; %d charts left as notes",
                settings.BROWSER_PATH,
                len(self._to_draw),
            )

    def _draw(self) -> None:
        # Only drawing happens in the thread; the cache is written by result(), in the caller's
        # thread, so no cache connection is opened in a thread that then ends.
        try:
            wait(self._after, timeout=float(getattr(settings, "PDF_CHART_TIMEOUT_SECONDS", 60)))
            self._drawn.update(_draw_with_kaleido(self._to_draw))
        except Exception:
            log.exception("PDF: the chart renderer failed; charts left as notes")

    def done(self) -> bool:
        return self._thread is None or not self._thread.is_alive()

    def result(self) -> list[DrawnChart]:
        """Every chart as an SVG data URI, or a note where it could not be drawn."""
        if self._thread is not None:
            timeout = float(getattr(settings, "PDF_CHART_TIMEOUT_SECONDS", 60))
            # Each chart and the browser's start and stop are bounded by the timeout already.
            self._thread.join(timeout * (len(self._to_draw) + 2) + 30)
            self._thread = None
            drawn, self._drawn = dict(self._drawn), {}
            for spec in self._to_draw:
                if spec.key in drawn:
                    cache.set(_cache_key(spec, self.scope), drawn[spec.key], CACHE_SECONDS)
            self._svgs.update(drawn)
        return [_drawn(spec, self._svgs.get(spec.key)) for spec in self.specs]


def draw_charts(specs: Sequence[ChartSpec], *, scope: str) -> list[DrawnChart]:
    """Every chart as an SVG data URI, from ``scope``'s cache (a portfolio's: see the module's
    docstring) or Kaleido; a note where neither could."""
    return ChartJob(specs, scope=scope).result()
