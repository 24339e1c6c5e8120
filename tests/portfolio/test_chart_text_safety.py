"""User text in charts: escaped before it enters a figure, and a chart browser that reaches no network.

plotly reads HTML in chart text; in the PDF's Chromium a ``<span style="filter:url(http://…)">``
in a label makes the worker host fetch the URL (server-side request forgery). Two walls:
``core.charts.chart_text`` (with ``figure_json`` refusing any markup that missed it) and
the chart browser's dead proxy. Each is tested alone against a real listening socket.
"""

from __future__ import annotations

import base64
import os
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
import plotly.graph_objects as go
import pytest
from choreographer.browsers.chromium import Chromium
from choreographer.channels import Pipe
from django.core.cache import cache
from django.urls import reverse

from audit import charts as audit_charts
from core.charts import PLOTLY_JS, UnsafeChartText, chart_context, chart_text, figure_json
from core.pdf import chart_browser
from core.pdf.charts import ChartSpec, draw_charts
from dashboards import figures as dashboards
from dashboards.views import coverage_distribution_figure, progress_figure
from strategy import charts as strategy_charts
from strategy.models import Objective, PlatformScore, Risk, TimelineTask
from strategy.scoring import RankedPlatform
from tests.factories import LearnerFactory, PortfolioFactory
from tests.loopback import Listener
from tests.portfolio.dashboard_data import fill
from tests.portfolio.pdf_support import render

CHROMIUM = "/usr/bin/chromium"
no_chromium = pytest.mark.skipif(
    not os.access(CHROMIUM, os.X_OK), reason="Debian's chromium is not installed"
)
# Every CSS property that the issue found fetching, and a link.
VECTORS = ("filter", "cursor", "background-image", "fill", "mask-image")


@pytest.fixture
def real_browser(settings):
    settings.BROWSER_PATH = CHROMIUM
    cache.clear()
    yield
    cache.clear()


def svg_text(svg: str) -> str:
    """Every piece of text drawn in the SVG, joined, without whitespace (labels wrap)."""
    root = ET.fromstring(svg)
    return re.sub(r"\s+", "", "".join(root.itertext()))


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --- The escaping function and the check behind it ---------------------------------------------


def test_it_escapes_every_character_plotly_reads_as_markup():
    assert chart_text('Q&A <b>team</b> 50% "x"') == 'Q&amp;A &lt;b&gt;team&lt;/b&gt; 50% "x"'
    assert chart_text(12) == "12"


def test_it_refuses_a_figure_holding_user_markup_that_missed_chart_text(listener):
    for vector in (*VECTORS, "link"):
        figure = go.Figure(go.Bar(x=[1], y=[listener.label(vector, "x")]))
        with pytest.raises(UnsafeChartText):
            figure_json(figure)
        with pytest.raises(UnsafeChartText):
            chart_context(figure, element_id="c", title="Chart")
        with pytest.raises(UnsafeChartText):
            ChartSpec(key="c", title="Chart", description="", figure=figure.to_plotly_json())


def test_it_lets_through_the_markup_chart_functions_write_themselves():
    figure = go.Figure(go.Bar(x=["1<br>Rare"], y=[1], hovertemplate="%{x}<br><b>%{y}</b><extra></extra>"))
    assert figure_json(figure)["data"][0]["x"] == ["1<br>Rare"]


# --- Every chart builder, with hostile text in every field that reaches a chart ----------------


@dataclass
class Task:
    task: str
    owner: str
    start: date
    end: date


def hostile_figures(listener: Listener) -> dict[str, tuple[dict, list[str]]]:
    """Every chart function's figure (as the page and the PDF get it) with hostile labels, and
    the labels that must print as text in it."""
    label = listener.label
    platform = label("filter", "platform")
    task, owner = label("cursor", "task"), label("background-image", "owner")
    baseline = label("mask-image", "baseline")
    weeks = pd.date_range("2026-01-05", periods=3, freq="W-MON")
    contacts = pd.DataFrame({"facebook": [3, 4, 5], platform: [1, 2, 3]}, index=weeks)
    frame = pd.DataFrame({"first_response_minutes": [10.0, 50.0, 200.0]})
    comparison = pd.DataFrame(
        {"baseline": [80.0, 60.0], "follow_up": [90.0, 70.0]}, index=["response_rate", "csat"]
    )
    by_week = pd.DataFrame({"csat": [70.0, 80.0, 90.0], "nps": [10.0, 20.0, 30.0]}, index=weeks)
    today = date(2026, 3, 1)
    points = [
        dashboards.ProgressPoint(
            on=today - timedelta(days=7 * n), median=10 * n, lower=5, upper=40, expected=30
        )
        for n in range(3)
    ]
    return {
        "volume": (figure_json(audit_charts.volume_by_week_figure(contacts)), [platform]),
        "first-response": (figure_json(audit_charts.first_response_figure(frame, sla_minutes=60)), []),
        "comparison": (
            figure_json(
                audit_charts.baseline_follow_up_figure(
                    comparison, baseline_label=baseline, follow_up_label=label("fill", "follow")
                )
            ),
            [f"Baseline {baseline}"],
        ),
        "satisfaction": (figure_json(audit_charts.satisfaction_figure(by_week)), []),
        "heat-map": (strategy_charts.risk_heat_map([[1, 0, 0, 0, 0]] * 5)["figure"], []),
        "ranking": (
            strategy_charts.platform_ranking(
                [
                    RankedPlatform(name=platform, score=4.2, rank=1, tied=False),
                    RankedPlatform(name="R&D <support> 100%", score=3.1, rank=2, tied=False),
                ]
            )["figure"],
            [f"1. {platform}", "2. R&D <support> 100%"],
        ),
        "timeline": (
            strategy_charts.implementation_timeline(
                [Task(task=task, owner=owner, start=date(2026, 9, 1), end=date(2026, 9, 30))]
            )["figure"],
            [task],
        ),
        "coverage": (figure_json(coverage_distribution_figure([])), []),
        "progress": (figure_json(progress_figure(points)), []),
    }


def test_every_chart_function_escapes_the_user_text_it_is_given(listener):
    # figure_json refuses any markup that missed chart_text: each builder passes it.
    figures = hostile_figures(listener)
    timeline = figures["timeline"][0]["data"][0]
    assert timeline["text"] == [chart_text(listener.label("background-image", "owner"))]
    assert timeline["customdata"][0][2] == chart_text(listener.label("cursor", "task"))


@pytest.mark.chromium
@no_chromium
def test_hostile_labels_in_every_chart_print_as_text_and_fetch_nothing(listener, real_browser):
    figures = hostile_figures(listener)
    specs = [
        ChartSpec(key=key, title=key, description="", figure=figure) for key, (figure, _) in figures.items()
    ]
    drawn = draw_charts(specs, scope="portfolio-1")
    assert [chart.key for chart in drawn if chart.missing] == []
    assert listener.settle() == []
    for chart in drawn:
        svg = base64.b64decode(chart.svg_uri.split(",", 1)[1]).decode()
        text = svg_text(svg)
        for printed in figures[chart.key][1]:
            assert flat(printed) in text, (chart.key, printed)
        assert "&amp;" not in text
        assert "&lt;" not in text


@pytest.mark.chromium
@no_chromium
@pytest.mark.django_db
def test_a_pdf_with_hostile_text_everywhere_fetches_nothing_and_prints_it(portfolio, listener, real_browser):
    label = listener.label
    learner = portfolio.learner
    learner.first_name, learner.last_name = label("filter", "first"), label("fill", "last")[:150]
    learner.save()
    PlatformScore.objects.create(
        portfolio=portfolio,
        position=0,
        platform=label("filter", "pf")[:80],
        audience_fit=4,
        customer_usage=3,
        service_features=4,
        cost=3,
        staffing=2,
        notes=label("cursor", "notes"),
    )
    Risk.objects.create(
        portfolio=portfolio,
        category="crisis",
        description=label("mask-image", "risk"),
        owner=label("cursor", "riskowner"),
        likelihood=3,
        impact=4,
    )
    TimelineTask.objects.create(
        portfolio=portfolio,
        task=label("cursor", "task"),
        owner=label("background-image", "owner"),
        start=date(2026, 9, 1),
        end=date(2026, 9, 30),
    )
    Objective.objects.create(
        portfolio=portfolio,
        statement=label("filter", "objective"),
        custom_label=label("fill", "metric")[:120],
        custom_unit="%",
        baseline=10,
        target=20,
        owner=label("cursor", "objowner"),
    )
    pdf = render(portfolio)
    assert pdf.rendered.missing_charts == ()
    assert listener.settle() == []
    text = flat(pdf.text)
    assert flat(label("filter", "pf")[:80]) in text  # the ranking's label (and the table's)
    assert "&lt;" not in pdf.text
    assert "&amp;" not in pdf.text


@pytest.mark.django_db
def test_hostile_learner_and_cohort_names_reach_the_dashboard_charts_as_text(
    client, tutor, cohort, assessor, listener
):
    cohort.name = listener.label("filter", "cohort")[:200]
    cohort.save()
    fill(cohort, assessor, 2)
    PortfolioFactory(
        cohort=cohort, learner=LearnerFactory(first_name=listener.label("cursor", "learner")[:150])
    )
    client.force_login(tutor)
    for name in ("portfolio:cohort_dashboard", "portfolio:cohort_progress"):
        response = client.get(reverse(name, args=[cohort.pk]))
        assert response.status_code == 200
        chart = response.context.get("chart")
        if chart:
            figure_json_text = str(chart["figure"])
            assert "<span" not in figure_json_text
            assert "<a " not in figure_json_text


# --- The browser's wall alone ----------------------------------------------------------------


def raw_hostile_figure(listener: Listener) -> dict:
    """A figure with unescaped hostile HTML in every kind of text, and a layout image from the
    socket: what would reach the browser if every escape were forgotten."""
    label = listener.label
    return {
        "data": [
            {
                "type": "bar",
                "x": [label(vector, f"x-{vector}") for vector in VECTORS],
                "y": [1, 2, 3, 4, 5],
                "name": label("filter", "legend"),
                "text": [label("fill", "text")] * 5,
                "textposition": "inside",
            }
        ],
        "layout": {
            "title": {"text": label("background-image", "title")},
            "showlegend": True,
            "annotations": [{"text": label("link", "annotation"), "x": 0, "y": 1, "showarrow": False}],
            "images": [
                {
                    "source": f"http://127.0.0.1:{listener.port}/image.png",
                    "xref": "paper",
                    "yref": "paper",
                    "x": 0,
                    "y": 1,
                    "sizex": 0.2,
                    "sizey": 0.2,
                }
            ],
        },
    }


@pytest.mark.chromium
@no_chromium
def test_the_chart_browser_alone_reaches_no_network_even_with_raw_hostile_html(listener):
    browser = chart_browser.ChartBrowser(path=CHROMIUM, plotlyjs=PLOTLY_JS, timeout=30)
    try:
        svg = browser.draw(raw_hostile_figure(listener), {"format": "svg", "width": 600, "height": 400})
    finally:
        browser.close()
    assert svg.lstrip().startswith(b"<svg")
    assert listener.settle() == []


def test_the_chart_browser_runs_behind_a_dead_proxy_with_no_cross_file_access(tmp_path):
    walled = chart_browser.WalledChromium(
        Pipe(), path=CHROMIUM if os.access(CHROMIUM, os.X_OK) else "/bin/sh"
    )
    walled._tmp_dir_path = str(tmp_path)
    walled.pre_open()
    try:
        cli = list(walled.get_cli())
    finally:
        walled.clean()
    assert "--proxy-server=127.0.0.1:9" in cli
    assert "--proxy-bypass-list=<-loopback>" in cli
    assert [flag for flag in cli if flag.startswith("--proxy-server")] == ["--proxy-server=127.0.0.1:9"]
    assert "--disable-web-security" not in cli
    assert "--allow-file-access-from-files" not in cli
    assert isinstance(walled, Chromium)


def test_the_chart_browser_loads_no_mathjax_from_a_cdn(monkeypatch):
    seen = {}

    class Recorder:
        def __init__(self, **kwargs):
            seen.update(kwargs)

        async def open(self):
            raise RuntimeError("not started in this test")

    monkeypatch.setattr(chart_browser, "RenderKaleido", Recorder)
    with pytest.raises(RuntimeError):
        chart_browser.ChartBrowser(path="/bin/sh", plotlyjs=PLOTLY_JS, timeout=5)
    assert seen["mathjax"] is False
    assert seen["plotlyjs"] == str(PLOTLY_JS)
    assert seen["browser_cls"] is chart_browser.WalledChromium
