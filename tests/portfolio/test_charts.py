from __future__ import annotations

from pathlib import Path

import plotly.graph_objects as go
from django.template.loader import render_to_string
from django.urls import reverse

from core.charts import chart_context, chart_text, plotly_css


def test_plotly_stylesheet_is_read_from_the_pinned_bundle():
    css = plotly_css()

    assert ".js-plotly-plot .plotly .modebar{" in css
    assert ".plotly-notifier" in css
    assert "X " not in css


def test_the_stylesheet_is_served_as_css(client):
    response = client.get(reverse("portfolio:plotly_css"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")


def test_a_chart_travels_as_json_not_as_script():
    figure = go.Figure(go.Bar(x=["a"], y=[1]))

    html = render_to_string(
        "partials/chart.html", chart_context(figure, element_id="kpi", title="Volume", description="One bar")
    )

    assert '<script id="kpi-data" type="application/json">' in html
    assert 'data-plotly-figure="kpi-data"' in html
    assert 'data-chart-label="Volume: One bar"' in html


def test_a_chart_in_an_htmx_fragment_travels_as_escaped_text_not_as_script():
    # User text enters a figure through chart_text (raw markup is refused: test_chart_text_safety),
    # and the figure's JSON is escaped once more as the fragment's text.
    figure = go.Figure(go.Bar(x=[chart_text("</div><script>alert(1)</script>")], y=[1]))

    html = render_to_string(
        "partials/chart.html",
        chart_context(figure, element_id="kpi", title="Volume", description="One bar", in_fragment=True),
    )

    assert "<script" not in html
    assert '<div hidden id="kpi-data">{&quot;data&quot;' in html
    assert "&amp;lt;/div&amp;gt;&amp;lt;script&amp;gt;" in html
    assert 'data-plotly-figure="kpi-data"' in html


def test_pages_load_the_cartesian_bundle_of_the_same_plotly_js_as_the_python_package():
    from django.contrib.staticfiles import finders

    from core.pdf import charts as pdf_charts

    served = finders.find("vendor/plotly-cartesian/plotly-cartesian.min.js")
    html = render_to_string("partials/chart_scripts.html")

    assert served is not None
    assert "vendor/plotly-cartesian/plotly-cartesian.min.js" in html
    version = pdf_charts._bundle_version(pdf_charts.PLOTLY_JS)
    assert version
    assert pdf_charts._bundle_version(Path(served)) == version
