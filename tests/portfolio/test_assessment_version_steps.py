"""The version page reads the work as the learner made it: each guided step drawn by its app's
chapter builder, the one the PDF uses, from the frozen snapshot and judged on the day the
version was submitted; human labels, units and dates, nothing internal."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from assessment import services as assessment
from assessment import views
from core.pdf.blocks import measured, minutes
from core.sections import all_sections
from tests.strategy.factories import (
    ObjectiveFactory,
    ResponseProtocolFactory,
    ReviewCycleFactory,
    RiskFactory,
)

pytestmark = pytest.mark.django_db


def _page(client, version) -> str:
    url = reverse("portfolio:version_detail", args=[version.portfolio_id, version.number])
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _steps_column(page: str) -> str:
    """The left column: the steps, before the evidence."""
    start = page.index("The work as submitted")
    return page[start : page.index('<h3 class="h5 mt-3">Evidence</h3>', start)]


@pytest.fixture
def strategy_rows(portfolio):
    ObjectiveFactory(
        portfolio=portfolio,
        statement="Cut the median first response on X to 45 minutes.",
        metric_key="median_first_response",
        baseline=300,
        target=45,
        start=date(2026, 11, 7),
        deadline=date.today() + timedelta(days=120),
    )
    RiskFactory(portfolio=portfolio, description="A complaint goes viral over a weekend.")
    ResponseProtocolFactory(portfolio=portfolio, platform="Trustpilot", first_response_minutes=2880)
    ReviewCycleFactory(
        portfolio=portfolio,
        title="Weekend cover pilot",
        metric_key="median_first_response",
        value_before=300,
        value_after=95,
    )


def test_each_step_is_drawn_in_order_with_its_title_state_and_blocks(
    client, assessor, portfolio, learner, filled, strategy_rows
):
    version = assessment.submit_portfolio(portfolio=portfolio, declaration_signed=True, actor=learner)
    client.force_login(assessor)

    page = client.get(
        reverse("portfolio:version_detail", args=[portfolio.pk, version.number])
    ).content.decode()

    steps = _steps_column(page)
    assert "Content of the steps" not in page
    positions = [steps.index(f"{section.title}</h3>") for section in all_sections()]
    assert positions == sorted(positions)
    # The SMART tests the learner saw, each with its verdict in words, not colour alone.
    assert "Measurable: a named metric" in steps
    assert "Time-bound: a deadline still ahead" in steps
    assert steps.count("step-check-verdict") >= 5
    assert ">passed<" in steps
    # Human labels, units and UK dates; nothing internal.
    assert "Median first response time" in steps
    assert "median_first_response" not in steps
    assert "Lower is better" in steps
    assert "Higher is better" not in steps
    assert "300 minutes" in steps
    assert "7 November 2026" in steps
    assert "2 days" in steps  # a 2,880-minute service level
    assert "2880" not in steps
    assert "−205 minutes (better)" in steps
    prose = re.sub(r"<script\b.*?</script>", "", steps, flags=re.DOTALL)
    assert not re.search(r">[^<]*\b\d{4}-\d{2}-\d{2}\b", prose)
    # The risk heat map is drawn in the page by plotly, from the figure the PDF exports.
    assert 'data-plotly-figure="chart-risk-heat-map-data"' in steps
    assert 'id="chart-risk-heat-map-data" type="application/json"' in steps
    assert "plotly-cartesian.min.js" in page
    # A step nobody saved says so.
    assert "Not started" in steps


def test_a_criterion_that_rests_on_a_section_links_to_its_step(client, assessor, portfolio, version):
    section = next(i for i in version.snapshot["parts"]["evidence"]["items"] if i["kind"] == "section")
    client.force_login(assessor)

    page = client.get(
        reverse("portfolio:version_detail", args=[portfolio.pk, version.number])
    ).content.decode()

    assert f'id="item-{section["id"]}"' in _steps_column(page)


def test_the_steps_are_judged_on_the_day_the_version_was_submitted(
    client, assessor, portfolio, learner, filled
):
    submitted = timezone.make_aware(datetime(2026, 3, 2, 10, 0))
    ObjectiveFactory(
        portfolio=portfolio, start=date(2026, 2, 1), deadline=date(2026, 6, 30), statement="Answer faster."
    )
    with time_machine.travel(submitted, tick=False):
        version = assessment.submit_portfolio(portfolio=portfolio, declaration_signed=True, actor=learner)

    # Read long after the deadline: the version is judged as it stood when it was submitted.
    with time_machine.travel(submitted + timedelta(days=365), tick=False):
        client.force_login(assessor)
        steps = _steps_column(_page(client, version))

    assert "Due by 30 June 2026." in steps
    check = steps[steps.index("Time-bound: a deadline still ahead") :]
    assert check.index("passed") < check.index("</li>")
    assert "not passed" not in check[: check.index("</li>")]


def test_a_versions_steps_are_built_once_and_kept(client, assessor, portfolio, version, monkeypatch):
    calls = []
    build = views.build_chapters
    monkeypatch.setattr(views, "build_chapters", lambda ctx: calls.append(ctx) or build(ctx))
    client.force_login(assessor)

    first = _page(client, version)
    second = _page(client, version)

    assert len(calls) == 1
    assert _steps_column(first) == _steps_column(second)


@pytest.mark.parametrize(
    ("value", "shown"),
    [(None, ""), (45, "45 min"), (60, "1 h"), (150, "2 h 30 min"), (1440, "1 day"), (2880, "2 days")],
)
def test_a_duration_in_minutes_reads_as_people_say_it(value, shown):
    assert minutes(value) == shown


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [(38, "%", "38%"), (140.4, "minutes", "140.4 minutes"), (18, "score", "18"), (None, "%", "")],
)
def test_a_figure_carries_its_unit(value, unit, shown):
    assert measured(value, unit) == shown
