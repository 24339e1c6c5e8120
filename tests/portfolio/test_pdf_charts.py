"""Charts in the PDF: SVG from Kaleido, cached by digest, and a clear note when they cannot be drawn."""

from __future__ import annotations

import asyncio
import base64
import os
import time
from datetime import date

import kaleido
import pytest
from django.core.cache import cache

from core.pdf import chart_browser
from core.pdf import charts as pdf_charts
from core.pdf.charts import ChartSpec, draw_charts
from strategy.models import PlatformScore, Risk, TimelineTask
from tests.portfolio.pdf_support import render

pytestmark = pytest.mark.django_db

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def with_charts(portfolio):
    """A portfolio with a platform ranking, a risk heat map and a timeline."""
    for position, name in enumerate(["Facebook", "Instagram"]):
        PlatformScore.objects.create(
            portfolio=portfolio,
            position=position,
            platform=name,
            audience_fit=4 + position % 2,
            customer_usage=3,
            service_features=4,
            cost=3,
            staffing=2,
        )
    Risk.objects.create(
        portfolio=portfolio, category="crisis", description="A post goes viral.", likelihood=3, impact=4
    )
    TimelineTask.objects.create(
        portfolio=portfolio,
        task="Train the advisers",
        owner="Team leader",
        start=date(2026, 9, 1),
        end=date(2026, 9, 30),
    )
    return portfolio


class FakeProcess:
    pid = None  # nothing to measure or kill

    def __init__(self) -> None:
        self.returncode = None

    def poll(self):
        return self.returncode


class FakeKaleido:
    """Stands in for Kaleido's browser: each figure goes to ``kaleido.calc_fig_sync``, which
    a test replaces, in a thread, so the chart browser's own time limit applies."""

    def __init__(self, calls: list[dict]) -> None:
        self.calls = calls
        self.subprocess = FakeProcess()

    async def calc_fig(self, figure, opts):
        return await asyncio.to_thread(kaleido.calc_fig_sync, figure, opts=opts)

    async def fresh_page(self):
        self.pages = getattr(self, "pages", 0) + 1

    async def close(self):
        self.calls.append({"stop": {}})
        self.subprocess.returncode = 0


@pytest.fixture
def fake_server(monkeypatch, settings):
    """The chart browser's Chromium replaced: a browser 'exists' (/bin/sh), starts and stops go to
    ``calls``, and each figure to ``kaleido.calc_fig_sync``."""
    settings.BROWSER_PATH = "/bin/sh"
    calls: list[dict] = []

    class FakeChartBrowser(chart_browser.ChartBrowser):
        async def _open(self, path):
            calls.append({"start": {"path": path, "plotlyjs": str(self.plotlyjs), "timeout": self.timeout}})
            return FakeKaleido(calls)

    monkeypatch.setattr(chart_browser, "open_browser", FakeChartBrowser)
    holder = chart_browser.BrowserHolder()
    monkeypatch.setattr(chart_browser, "HOLDER", holder)
    yield calls
    holder.stop()


CHART_TITLES = ("Platform ranking", "Risk heat map before mitigation", "Implementation timeline")


def test_without_a_browser_each_chart_is_a_note_and_the_pdf_still_renders(settings, with_charts):
    settings.BROWSER_PATH = "/nonexistent/chromium"
    pdf = render(with_charts)
    assert pdf.rendered.missing_charts == CHART_TITLES
    for title in CHART_TITLES:
        assert f"Chart not drawn: {title}" in pdf.text
    assert "was not available when this document was made" in pdf.text
    assert "Facebook" in pdf.text  # the scores table is still there


def test_a_failing_renderer_leaves_notes(monkeypatch, fake_server, with_charts):
    def fail(*args, **kwargs):
        raise RuntimeError("browser crashed")

    monkeypatch.setattr(kaleido, "calc_fig_sync", fail)
    pdf = render(with_charts)
    assert pdf.rendered.missing_charts == CHART_TITLES
    # The browser stays for the next export (it answered; the figures failed).
    assert [list(call) for call in fake_server] == [["start"]]


def test_a_renderer_that_stops_answering_is_given_up_on(monkeypatch, settings, fake_server):
    settings.PDF_CHART_TIMEOUT_SECONDS = 0.3
    asked = []

    def hang(*args, **kwargs):
        asked.append(1)
        time.sleep(2)
        return SVG.encode()

    monkeypatch.setattr(kaleido, "calc_fig_sync", hang)
    specs = [
        ChartSpec(key=f"c{i}", title=f"Chart {i}", description="", figure={"data": [], "layout": {}})
        for i in range(3)
    ]
    started = time.monotonic()
    drawn = draw_charts(specs, scope="portfolio-1")
    assert time.monotonic() - started < 1.5
    assert all(chart.missing for chart in drawn)
    assert len(asked) == 1  # the other two were not tried against a browser that stopped answering


def test_an_svg_that_refers_outside_itself_is_refused(monkeypatch, fake_server):
    monkeypatch.setattr(
        kaleido, "calc_fig_sync", lambda *a, **k: b'<svg><image href="http://127.0.0.1:9/x"/></svg>'
    )
    (chart,) = draw_charts(
        [ChartSpec(key="c", title="Chart", description="", figure={"data": [], "layout": {}})],
        scope="portfolio-1",
    )
    assert chart.missing


def test_svg_is_cached_by_the_figures_digest_and_drawn_once(monkeypatch, fake_server):
    drawn_figures = []

    def draw(figure, opts):
        drawn_figures.append(figure)
        assert opts == {"format": "svg", "width": pdf_charts.WIDTH, "height": 300}
        return SVG.encode()

    monkeypatch.setattr(kaleido, "calc_fig_sync", draw)
    spec = ChartSpec(
        key="c", title="Chart", description="", figure={"data": [{"y": [1]}], "layout": {"height": 300}}
    )
    (first,) = draw_charts([spec], scope="portfolio-1")
    assert base64.b64decode(first.svg_uri.split(",", 1)[1]).decode() == SVG
    (again,) = draw_charts([spec], scope="portfolio-1")
    assert again.svg_uri == first.svg_uri
    assert len(drawn_figures) == 1
    assert [list(call) for call in fake_server] == [["start"]]  # the browser was not asked again
    changed = ChartSpec(
        key="c", title="Chart", description="", figure={"data": [{"y": [2]}], "layout": {"height": 300}}
    )
    draw_charts([changed], scope="portfolio-1")
    assert len(drawn_figures) == 2


def test_another_portfolios_identical_figure_is_drawn_again_not_taken_from_the_cache(
    monkeypatch, fake_server
):
    # Otherwise an export finishing fast would tell its learner that someone else's portfolio
    # holds exactly this figure.
    drawn_figures = []
    monkeypatch.setattr(
        kaleido, "calc_fig_sync", lambda figure, opts: drawn_figures.append(figure) or SVG.encode()
    )
    spec = ChartSpec(key="c", title="Chart", description="", figure={"data": [{"y": [1]}]})
    draw_charts([spec], scope="portfolio-1")
    draw_charts([spec], scope="portfolio-2")
    assert len(drawn_figures) == 2


@pytest.mark.chromium
@pytest.mark.skipif(not os.access("/usr/bin/chromium", os.X_OK), reason="Debian's chromium is not installed")
def test_chromium_draws_every_chart_as_vector_svg(settings, with_charts):
    settings.BROWSER_PATH = "/usr/bin/chromium"
    pdf = render(with_charts)
    assert pdf.rendered.missing_charts == ()
    assert "Chart not drawn" not in pdf.text
    # The figures' own text is in the PDF as text: the charts are vectors, not pictures.
    assert "Weighted score (out of 5)" in pdf.text
    assert "Likelihood" in pdf.text


# --- Charts drawn while the pages are laid out ------------------------------------------------


def sized_svg(figure: dict, opts: dict, text: str) -> bytes:
    width, height = opts["width"], opts["height"]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><text x="20" y="40" font-size="16">{text}</text></svg>'
    ).encode()


@pytest.fixture
def layouts(monkeypatch):
    """Counts the layouts of a render and signals when the first one is done."""
    import threading

    import reports.pdf as pdf_package

    done = threading.Event()
    calls = []
    real = pdf_package.layout

    def counted(*args, **kwargs):
        calls.append(args)
        result = real(*args, **kwargs)
        done.set()
        return result

    monkeypatch.setattr(pdf_package, "layout", counted)
    return calls, done


def test_charts_drawn_after_the_layout_are_put_in_place_without_laying_out_again(
    monkeypatch, fake_server, with_charts, layouts
):
    calls, laid_out = layouts

    def draw_after_the_layout(figure, opts):
        assert laid_out.wait(30)  # the pages are laid out before any chart is ready
        return sized_svg(figure, opts, "Drawn while the pages were laid out")

    monkeypatch.setattr(kaleido, "calc_fig_sync", draw_after_the_layout)
    pdf = render(with_charts)
    assert pdf.rendered.missing_charts == ()
    assert len(calls) == 1
    assert pdf.text.count("Drawn while the pages were laid out") == len(CHART_TITLES)
    assert "Chart not drawn" not in pdf.text
    # The charts drawn in the background are cached like any other.
    again = render(with_charts)
    assert [list(call) for call in fake_server] == [["start"]]
    assert again.text.count("Drawn while the pages were laid out") == len(CHART_TITLES)


def test_a_chart_of_another_size_is_laid_out_again_rather_than_stretched(
    monkeypatch, fake_server, with_charts, layouts
):
    calls, laid_out = layouts

    def draw_small(figure, opts):
        assert laid_out.wait(30)
        return sized_svg(figure, {"width": 200, "height": 100}, "Small chart")

    monkeypatch.setattr(kaleido, "calc_fig_sync", draw_small)
    pdf = render(with_charts)
    assert len(calls) == 2
    assert pdf.text.count("Small chart") == len(CHART_TITLES)


def test_a_browser_that_fails_after_the_layout_leaves_notes_in_a_second_layout(
    monkeypatch, fake_server, with_charts, layouts
):
    calls, laid_out = layouts

    def fail_late(figure, opts):
        assert laid_out.wait(30)
        raise RuntimeError("browser crashed")

    monkeypatch.setattr(kaleido, "calc_fig_sync", fail_late)
    pdf = render(with_charts)
    assert len(calls) == 2
    assert pdf.rendered.missing_charts == CHART_TITLES
    for title in CHART_TITLES:
        assert f"Chart not drawn: {title}" in pdf.text


# --- Which plotly.js the browser loads -------------------------------------------------------


def spec_with(*types: str) -> ChartSpec:
    return ChartSpec(key="c", title="Chart", description="", figure={"data": [{"type": t} for t in types]})


def test_the_browser_loads_the_small_cartesian_bundle_for_the_portfolios_charts():
    # Pinned in package.json: `npm ci` (make setup) installs it.
    assert pdf_charts.CARTESIAN_PLOTLY_JS.is_file(), "plotly.js-cartesian-dist-min missing: run npm ci"
    assert pdf_charts.plotly_bundle([spec_with("bar", "heatmap"), spec_with("scatter")]) == (
        pdf_charts.CARTESIAN_PLOTLY_JS
    )
    assert pdf_charts.CARTESIAN_PLOTLY_JS.stat().st_size < pdf_charts.PLOTLY_JS.stat().st_size / 2


def test_a_trace_the_cartesian_bundle_lacks_gets_the_full_bundle():
    assert pdf_charts.plotly_bundle([spec_with("bar"), spec_with("scattergeo")]) == pdf_charts.PLOTLY_JS


def test_a_cartesian_bundle_of_another_version_or_none_at_all_gets_the_full_bundle(monkeypatch, tmp_path):
    older = tmp_path / "plotly-cartesian.min.js"
    older.write_text("/**\n* plotly.js (cartesian - minified) v2.0.0\n*/")
    monkeypatch.setattr(pdf_charts, "CARTESIAN_PLOTLY_JS", older)
    assert pdf_charts.plotly_bundle([spec_with("bar")]) == pdf_charts.PLOTLY_JS
    monkeypatch.setattr(pdf_charts, "CARTESIAN_PLOTLY_JS", tmp_path / "missing.js")
    assert pdf_charts.plotly_bundle([spec_with("bar")]) == pdf_charts.PLOTLY_JS


def test_the_server_is_started_with_the_chosen_bundle(monkeypatch, fake_server):
    monkeypatch.setattr(kaleido, "calc_fig_sync", lambda *a, **k: SVG.encode())
    draw_charts([spec_with("bar")], scope="portfolio-1")
    assert fake_server[0]["start"]["plotlyjs"] == str(pdf_charts.CARTESIAN_PLOTLY_JS)


# --- One chart browser per process ------------------------------------------------------------


def test_it_keeps_one_browser_for_every_render_of_the_process(monkeypatch, fake_server):
    monkeypatch.setattr(kaleido, "calc_fig_sync", lambda *a, **k: SVG.encode())
    for number in range(3):
        (chart,) = draw_charts(
            [ChartSpec(key="c", title="Chart", description="", figure={"data": [{"y": [number]}]})],
            scope="portfolio-1",
        )
        assert not chart.missing
    assert [list(call) for call in fake_server] == [["start"]]


def test_it_starts_a_fresh_browser_when_the_last_one_died(monkeypatch, fake_server):
    monkeypatch.setattr(kaleido, "calc_fig_sync", lambda *a, **k: SVG.encode())
    draw_charts([spec_with("bar")], scope="portfolio-1")
    chart_browser.HOLDER._browser._kaleido.subprocess.returncode = -9  # killed from outside
    (chart,) = draw_charts([spec_with("scatter")], scope="portfolio-1")
    assert not chart.missing
    assert [list(call) for call in fake_server] == [["start"], ["stop"], ["start"]]


def test_a_browser_that_dies_during_a_render_is_replaced_for_the_rest_of_it(monkeypatch, fake_server):
    def die_once(figure, opts):
        browser = chart_browser.HOLDER._browser._kaleido
        if len([call for call in fake_server if "start" in call]) == 1:
            browser.subprocess.returncode = -9
            raise RuntimeError("browser closed")
        return SVG.encode()

    monkeypatch.setattr(kaleido, "calc_fig_sync", die_once)
    first, second = draw_charts(
        [
            ChartSpec(key=k, title=k, description="", figure={"data": [{"y": [i]}]})
            for i, k in enumerate("ab")
        ],
        scope="portfolio-1",
    )
    assert first.missing
    assert not second.missing
    assert [list(call) for call in fake_server] == [["start"], ["stop"], ["start"]]


def test_each_render_ends_in_a_fresh_page_and_a_failed_figure_gets_one_at_once(monkeypatch, fake_server):
    # Kaleido reloads its page after every figure; ours once per render, so the next render
    # (perhaps another user's) starts from nothing, and after a figure that failed.
    outcomes = iter([SVG.encode(), RuntimeError("bad figure"), SVG.encode(), SVG.encode()])

    def draw(figure, opts):
        outcome = next(outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    monkeypatch.setattr(kaleido, "calc_fig_sync", draw)
    specs = [
        ChartSpec(key=k, title=k, description="", figure={"data": [{"y": [i]}]}) for i, k in enumerate("abc")
    ]
    drawn = draw_charts(specs, scope="portfolio-1")
    assert [chart.missing for chart in drawn] == [False, True, False]
    page = chart_browser.HOLDER._browser._kaleido
    assert page.pages == 2  # after the failed figure, and at the end of the render
    draw_charts(
        [ChartSpec(key="d", title="d", description="", figure={"data": [{"y": [9]}]})], scope="portfolio-1"
    )
    assert page.pages == 3
    assert [list(call) for call in fake_server] == [["start"]]


def test_a_browser_over_its_memory_cap_is_closed_after_the_render(monkeypatch, settings, fake_server):
    settings.PDF_CHART_BROWSER_MAX_MB = 100
    monkeypatch.setattr(kaleido, "calc_fig_sync", lambda *a, **k: SVG.encode())
    monkeypatch.setattr(chart_browser.ChartBrowser, "memory_mb", lambda self: 150.0)
    (chart,) = draw_charts([spec_with("bar")], scope="portfolio-1")
    assert not chart.missing  # the render that found it too big still got its chart
    assert [list(call) for call in fake_server] == [["start"], ["stop"]]
    draw_charts([spec_with("scatter")], scope="portfolio-1")
    assert [list(call) for call in fake_server][2] == ["start"]


def test_a_celery_worker_process_starts_its_browser_as_it_starts_and_stops_it_at_the_end(
    monkeypatch, fake_server
):
    import threading

    from celery.signals import worker_process_init, worker_process_shutdown

    monkeypatch.setattr(kaleido, "calc_fig_sync", lambda *a, **k: SVG.encode())
    before = set(threading.enumerate())
    worker_process_init.send(sender=None)
    for thread in set(threading.enumerate()) - before:
        if thread.name == "chart-browser-start":
            thread.join(10)
    assert chart_browser.HOLDER.running()
    assert [list(call) for call in fake_server] == [["start"]]
    worker_process_shutdown.send(sender=None, pid=os.getpid(), exitcode=0)
    assert not chart_browser.HOLDER.running()
    assert [list(call) for call in fake_server] == [["start"], ["stop"]]


def test_without_a_browser_the_worker_starts_none(settings):
    settings.BROWSER_PATH = ""
    assert pdf_charts.start_chart_browser() is False


EXIT_SCRIPT = """
import os, sys, time
import django
django.setup()
from core.pdf import charts
assert charts.start_chart_browser()
print(charts.chart_browser.HOLDER._browser.pid, flush=True)
"""


@pytest.mark.chromium
@pytest.mark.skipif(not os.access("/usr/bin/chromium", os.X_OK), reason="Debian's chromium is not installed")
def test_a_process_with_a_running_chart_browser_exits_promptly_and_leaves_no_chromium(settings):
    import subprocess
    import sys

    from django.conf import settings as django_settings

    started = time.monotonic()
    child = subprocess.run(
        [sys.executable, "-c", EXIT_SCRIPT],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=django_settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "BROWSER_PATH": "/usr/bin/chromium"},
    )
    assert child.returncode == 0, child.stderr[-2000:]
    assert time.monotonic() - started < 45
    session = int(child.stdout.split()[-1])
    deadline = time.monotonic() + 10  # the last of them may still be being reaped
    while chart_browser._session_processes(session) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert chart_browser._session_processes(session) == []  # the browser's processes all went


@pytest.mark.chromium
@pytest.mark.skipif(not os.access("/usr/bin/chromium", os.X_OK), reason="Debian's chromium is not installed")
def test_chromium_is_kept_between_renders_and_replaced_when_killed(settings, with_charts):
    settings.BROWSER_PATH = "/usr/bin/chromium"
    holder = chart_browser.HOLDER
    render(with_charts)
    first = holder._browser.pid
    cache.clear()
    render(with_charts)
    assert holder._browser.pid == first  # the same browser drew the second export
    chart_browser.kill_group(first)
    holder._browser._kaleido.subprocess.wait(10)
    cache.clear()
    pdf = render(with_charts)
    assert pdf.rendered.missing_charts == ()
    assert holder._browser.pid != first


PAGE_STATE = "document.documentElement.outerHTML + JSON.stringify(Object.keys(window)) + String(window.left)"


async def _evaluate(kaleido_browser, expression: str) -> str:
    """What ``expression`` gives in the chart page as the browser holds it now."""
    tab = await kaleido_browser.tabs_ready.get()
    try:
        answer = await tab.tab.send_command(
            "Runtime.evaluate", params={"expression": expression, "returnByValue": True}
        )
    finally:
        await kaleido_browser.tabs_ready.put(tab)
    return str(answer["result"]["result"].get("value"))


@pytest.mark.chromium
@pytest.mark.skipif(not os.access("/usr/bin/chromium", os.X_OK), reason="Debian's chromium is not installed")
def test_nothing_of_one_render_is_left_in_the_browser_for_the_next(settings):
    settings.BROWSER_PATH = "/usr/bin/chromium"
    holder = chart_browser.HOLDER
    assert pdf_charts.start_chart_browser()
    browser = holder._browser
    # Whatever a figure might leave in the page (here put there by hand, as a global and in the DOM)…
    browser._call(
        _evaluate(
            browser._kaleido,
            "window.left = 'Alpha-learner-secret'; document.body.append('Alpha-learner-secret'); window.left",
        ),
        30,
    )
    assert "Alpha-learner-secret" in browser._call(_evaluate(browser._kaleido, PAGE_STATE), 30)

    def figure(label):
        return {
            "data": [{"type": "bar", "x": [label], "y": [3], "name": label}],
            "layout": {"title": {"text": label}},
        }

    (first,) = draw_charts(
        [ChartSpec(key="a", title="a", description="", figure=figure("Alpha-learner-secret"))],
        scope="portfolio-1",
    )
    assert "Alpha-learner-secret" in base64.b64decode(first.svg_uri.split(",", 1)[1]).decode()
    # …is gone when the render ends, in a fresh page: neither its DOM nor any script global holds it.
    assert "Alpha-learner-secret" not in browser._call(_evaluate(browser._kaleido, PAGE_STATE), 30)
    (second,) = draw_charts(
        [ChartSpec(key="b", title="b", description="", figure=figure("Beta-learner"))], scope="portfolio-2"
    )
    assert holder._browser is browser  # the same browser drew both
    svg = base64.b64decode(second.svg_uri.split(",", 1)[1]).decode()
    assert "Beta-learner" in svg
    assert "Alpha" not in svg
    assert "Alpha" not in browser._call(_evaluate(browser._kaleido, PAGE_STATE), 30)
