from __future__ import annotations

import plotly.graph_objects as go
from django.template.loader import render_to_string
from django.urls import reverse

from portfolio.charts import chart_context, plotly_css


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
    assert 'aria-label="Volume: One bar"' in html


def test_a_chart_in_an_htmx_fragment_travels_as_escaped_text_not_as_script():
    figure = go.Figure(go.Bar(x=["</div><script>alert(1)</script>"], y=[1]))

    html = render_to_string(
        "partials/chart.html",
        chart_context(figure, element_id="kpi", title="Volume", description="One bar", in_fragment=True),
    )

    assert "<script" not in html
    assert '<div hidden id="kpi-data">{&quot;data&quot;' in html
    assert "&lt;/div&gt;&lt;script&gt;" in html
    assert 'data-plotly-figure="kpi-data"' in html
