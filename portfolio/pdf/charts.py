"""The portfolio's charts as static SVG for the PDF.

WeasyPrint runs no JavaScript, so the same plotly figures the pages draw are exported
as SVG by Kaleido, which drives a headless Chromium (``settings.BROWSER_PATH``). Starting
Chromium costs seconds, so one Kaleido server serves every chart of a render and stops
afterwards; MathJax is off and plotly.js comes from the pinned packages (npm's cartesian
bundle, or plotly.py's full one), so the browser loads nothing from outside.

Each SVG is cached in Django's cache (Redis when configured, so every worker shares
it) under a digest of the figure's JSON and size: the same data gives the same figure,
so a cached SVG is never stale, and a second export of an unchanged portfolio starts no
browser at all. The cache rather than files under MEDIA_ROOT because the entries are
small, expire on their own and need no clean-up, and media may be remote (S3).

When Chromium is absent, fails or times out, the chart becomes a note in the PDF and
the rest of the document still renders.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from queue import Empty, Queue
from typing import Any

import kaleido
from django.conf import settings
from django.core.cache import cache

from portfolio.charts import PLOTLY_JS

log = logging.getLogger(__name__)

WIDTH = 760  # px; the SVG scales to the text width, this sets the proportions of the text in it
CACHE_SECONDS = 60 * 60 * 24 * 30
CACHE_VERSION = 1
# The global Kaleido server is one per process; renders in threads of one process take turns.
_SERVER_LOCK = threading.Lock()
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
# the cells drawn as an embedded PNG. Anything else that could make the renderer fetch is refused.
_EXTERNAL_REFERENCE = re.compile(
    r"""href\s*=\s*["'](?!#|data:image/(?:png|jpeg);base64,)"""
    r"""|url\(\s*["']?(?!#)|<\s*(?:script|foreignObject|iframe|use|style)\b|@import""",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ChartSpec:
    key: str
    title: str
    description: str
    figure: dict[str, Any]  # the figure as plotly JSON

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


def _cache_key(spec: ChartSpec) -> str:
    return f"pdf-chart-svg:v{CACHE_VERSION}:{spec.digest}"


def is_safe_svg(svg: str) -> bool:
    """True when the SVG starts as SVG and refers to nothing outside itself."""
    return svg.lstrip().startswith("<svg") and not _EXTERNAL_REFERENCE.search(svg)


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


def _with_timeout(fn: Callable[[], Any], seconds: float) -> Any:
    """Run ``fn`` in a daemon thread and give up after ``seconds``.

    Kaleido's sync server waits on a queue with no time limit, so a browser that dies
    while starting would otherwise hang the render for ever.
    """
    results: Queue = Queue(maxsize=1)

    def run() -> None:
        try:
            results.put((True, fn()))
        except BaseException as error:
            results.put((False, error))

    threading.Thread(target=run, daemon=True, name="pdf-chart").start()
    try:
        ok, value = results.get(timeout=seconds)
    except Empty:
        raise TimeoutError(f"no answer from the chart renderer within {seconds:g} s") from None
    if not ok:
        raise value
    return value


def _draw_with_kaleido(specs: Sequence[ChartSpec]) -> dict[str, str]:
    """SVG text per chart key, for the charts Kaleido managed to draw."""
    timeout = float(getattr(settings, "PDF_CHART_TIMEOUT_SECONDS", 60))
    drawn: dict[str, str] = {}
    with _SERVER_LOCK:
        kaleido.start_sync_server(
            path=settings.BROWSER_PATH,
            plotlyjs=str(plotly_bundle(specs)),
            mathjax=False,
            timeout=timeout,
            silence_warnings=True,
        )
        try:
            for spec in specs:
                opts = {"format": "svg", "width": WIDTH, "height": spec.height}
                try:
                    raw = _with_timeout(
                        lambda spec=spec, opts=opts: kaleido.calc_fig_sync(spec.figure, opts=opts), timeout
                    )
                except Exception as error:
                    log.warning("PDF: chart %r not drawn: %s", spec.title, error)
                    if isinstance(error, TimeoutError):
                        break  # a browser that stopped answering will not answer the next one either
                    continue
                svg = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
                if is_safe_svg(svg):
                    drawn[spec.key] = svg
                else:
                    log.warning(
                        "PDF: chart %r refused: the SVG refers to something outside itself", spec.title
                    )
        finally:
            try:
                _with_timeout(lambda: kaleido.stop_sync_server(silence_warnings=True), 20)
            except Exception as error:
                log.warning("PDF: the chart renderer did not stop cleanly: %s", error)
    return drawn


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
    the layout keeps the interpreter.
    """

    def __init__(self, specs: Sequence[ChartSpec]) -> None:
        self.specs = list(specs)
        self._svgs: dict[str, str] = {}
        self._to_draw: list[ChartSpec] = []
        for spec in self.specs:
            cached = cache.get(_cache_key(spec))
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
                    cache.set(_cache_key(spec), drawn[spec.key], CACHE_SECONDS)
            self._svgs.update(drawn)
        return [_drawn(spec, self._svgs.get(spec.key)) for spec in self.specs]


def draw_charts(specs: Sequence[ChartSpec]) -> list[DrawnChart]:
    """Every chart as an SVG data URI, from the cache or Kaleido; a note where neither could."""
    return ChartJob(specs).result()
