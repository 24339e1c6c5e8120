"""The tutor's cohort dashboard and its exports."""

from __future__ import annotations

import io
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from evidence.sections import all_sections
from portfolio import dashboard_selectors, dashboards
from portfolio.access import get_cohort_for
from portfolio.charts import BRAND_COLOURS, chart_context
from portfolio.dashboard_selectors import LearnerRow, cohort_portfolios, criterion_summary, learner_rows
from portfolio.formatting import uk_date

SORTS = {
    # As the cohort page lists them: surname, then first name, then username for a name shared.
    "name": (
        lambda r: (
            r.portfolio.learner.last_name.casefold(),
            r.portfolio.learner.first_name.casefold(),
            r.portfolio.learner.username,
        ),
        False,
    ),
    "coverage": (lambda r: r.coverage, False),
    "-coverage": (lambda r: r.coverage, True),
    "activity": (lambda r: r.portfolio.last_activity_at, False),
    "-activity": (lambda r: r.portfolio.last_activity_at, True),
    "risk": (lambda r: len(r.risks), True),
}
SORT_LABELS = {
    "name": "Name",
    "coverage": "Coverage, lowest first",
    "-coverage": "Coverage, highest first",
    "activity": "Last activity, longest ago first",
    "-activity": "Last activity, most recent first",
    "risk": "Most at risk first",
}


def _filters(request: HttpRequest, rows: list[LearnerRow]) -> dict[str, str]:
    """The GET filters that make sense; anything else is ignored."""
    chosen = {"sort": "name", "state": "", "assessor": "", "risk": ""}
    if request.GET.get("sort") in SORTS:
        chosen["sort"] = request.GET["sort"]
    if request.GET.get("state") in dashboards.SUBMISSION_LABELS:
        chosen["state"] = request.GET["state"]
    assessor_ids = {str(r.portfolio.assessor_id) for r in rows if r.portfolio.assessor_id}
    if request.GET.get("assessor") in assessor_ids | {"none"}:
        chosen["assessor"] = request.GET["assessor"]
    if request.GET.get("risk") == "1":
        chosen["risk"] = "1"
    return chosen


def _apply(rows: list[LearnerRow], chosen: dict[str, str]) -> list[LearnerRow]:
    if chosen["state"]:
        rows = [r for r in rows if r.submission == chosen["state"]]
    if chosen["assessor"] == "none":
        rows = [r for r in rows if r.portfolio.assessor_id is None]
    elif chosen["assessor"]:
        rows = [r for r in rows if str(r.portfolio.assessor_id) == chosen["assessor"]]
    if chosen["risk"]:
        rows = [r for r in rows if r.risks]
    key, reverse = SORTS[chosen["sort"]]
    return sorted(rows, key=key, reverse=reverse)


def coverage_distribution_figure(rows: list[LearnerRow]) -> go.Figure:
    """How many learners fall in each tenth of coverage."""
    bands = [f"{i}–{i + 9} %" for i in range(0, 90, 10)] + ["90–100 %"]
    counts = [0] * 10
    for row in rows:
        counts[min(row.coverage // 10, 9)] += 1
    figure = go.Figure(go.Bar(x=bands, y=counts, hovertemplate="%{x}: %{y} learners<extra></extra>"))
    # Whole learners on the axis: a tick for each one in a small cohort, plotly's own spacing
    # in a large one (a tick per learner drew 500 labels on top of each other).
    yaxis = {"dtick": 1} if max(counts) <= 10 else {"tickformat": "d", "rangemode": "tozero"}
    figure.update_layout(
        height=300,
        # Room for the band labels, which plotly slants in a half-width column, under the title.
        margin={"r": 40},
        xaxis={"title": {"text": "Criteria evidenced or met", "standoff": 12}, "automargin": True},
        yaxis_title="Learners",
        yaxis=yaxis,
    )
    return figure


def progress_figure(points: list[dashboards.ProgressPoint]) -> go.Figure:
    """The median learner's share of criteria evidenced over time, the middle half of the cohort
    as a band around it, and the calendar's expectation as a dashed line."""
    days = [p.on.isoformat() for p in points]
    edge = {"x": days, "mode": "lines", "line": {"width": 0}, "hoverinfo": "skip"}
    traces = [
        go.Scatter(y=[p.upper for p in points], showlegend=False, **edge),
        # Filled up to the trace before it: the band between the quartiles.
        go.Scatter(
            y=[p.lower for p in points],
            fill="tonexty",
            fillcolor="rgba(11, 85, 99, 0.18)",
            name="Middle half of learners",
            **edge,
        ),
        go.Scatter(
            x=days,
            y=[p.median for p in points],
            mode="lines+markers",
            name="Median learner",
            line={"width": 3, "color": BRAND_COLOURS[0]},
            hovertemplate="%{x|%-d %b %Y}: %{y} %<extra>Median learner</extra>",
        ),
    ]
    if any(p.expected is not None for p in points):
        traces.append(
            go.Scatter(
                x=days,
                y=[p.expected for p in points],
                mode="lines",
                name="Expected by the calendar",
                line={"dash": "dash", "color": "#6c757d"},
                hovertemplate="%{x|%-d %b %Y}: %{y} %<extra>Expected</extra>",
            )
        )
    figure = go.Figure(traces)
    figure.update_layout(
        height=340,
        margin={"l": 80},  # room for the axis title beside the "100 %" labels
        yaxis={"title": "Criteria evidenced", "range": [0, 100], "ticksuffix": " %"},
        xaxis={"tickformat": "%-d %b"},
        legend={"orientation": "h", "y": -0.2},
    )
    return figure


def progress_description(points: list[dashboards.ProgressPoint], learners: int) -> str:
    first, last = points[0], points[-1]
    if learners == 1:
        text = f"On {uk_date(last.on)} the one learner had evidenced {last.median} % of the criteria"
    else:
        text = (
            f"On {uk_date(last.on)} the median of the {learners} learners had evidenced {last.median} % of "
            f"the criteria (the middle half of them between {last.lower} % and {last.upper} %)"
        )
    if last.expected is not None:
        text += f", against {last.expected} % expected by the calendar"
    was = "it was" if learners == 1 else "the median was"
    return text + f"; on {uk_date(first.on)} {was} {first.median} %."


@login_required
def cohort_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = get_cohort_for(request.user, pk, overview=True)
    rules = dashboards.RiskRules()
    all_rows = learner_rows(cohort_portfolios(cohort), rules=rules)
    chosen = _filters(request, all_rows)
    rows = _apply(all_rows, chosen)
    page = Paginator(rows, dashboard_selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    assessors = {r.portfolio.assessor_id: r.portfolio.assessor for r in all_rows if r.portfolio.assessor_id}
    criteria = all_rows[0].criteria if all_rows else []
    at_risk = sum(1 for r in all_rows if r.risks)
    average = round(sum(r.coverage for r in all_rows) / len(all_rows)) if all_rows else 0
    context: dict[str, Any] = {
        "cohort": cohort,
        "rows": page.object_list,
        "page": page,
        "matching": len(rows),
        "total": len(all_rows),
        "at_risk": at_risk,
        "average": average,
        "expected": dashboards.expected_coverage(cohort.start_date, cohort.end_date, timezone.localdate()),
        "criteria": criteria,
        "steps": all_sections() if all_rows else [],
        # The ten most lacking, leaving out criteria that no learner lacks.
        "summary": [item for item in criterion_summary(all_rows)[:10] if item.lacking],
        "rules": rules.describe(),
        "chosen": chosen,
        "sorts": SORT_LABELS,
        "states": dashboards.SUBMISSION_LABELS,
        "assessors": sorted(assessors.items(), key=lambda item: item[1].display_name),
        "legend": [
            (dashboards.CELL_SYMBOLS[s], dashboards.CELL_LABELS[s], dashboards.CELL_CLASSES[s])
            for s in dashboards.CELL_STATES
        ],
        "chart": chart_context(
            coverage_distribution_figure(all_rows),
            element_id="coverage-distribution",
            title="Coverage across the cohort",
            description=f"{len(all_rows)} {'learner' if len(all_rows) == 1 else 'learners'} by the share "
            "of criteria evidenced or met; "
            f"the average is {average} %.",
        )
        if all_rows
        else None,
    }
    return render(request, "portfolio/dashboards/cohort.html", context)


@login_required
def cohort_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress-over-time chart: a fragment the dashboard fetches once it has loaded (it
    reads every mapping's date, which the rest of the page does not need), or a page of its
    own for a browser without JavaScript."""
    cohort = get_cohort_for(request.user, pk, overview=True)
    points, learners = dashboard_selectors.cohort_progress(cohort)
    context: dict[str, Any] = {"cohort": cohort, "points": points, "learners": learners}
    if points:
        context["chart"] = chart_context(
            progress_figure(points),
            element_id="progress-over-time",
            title="Progress over time",
            description=progress_description(points, learners),
            in_fragment=True,
        )
    template = "portfolio/dashboards/progress.html"
    return render(request, f"{template}#progress" if request.htmx else template, context)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe(text: str) -> str:
    """Text a spreadsheet will show rather than run as a formula."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def export_frame(rows: list[LearnerRow]) -> pd.DataFrame:
    """One row per learner, a column per criterion (framework and code) holding its state."""
    records = []
    for row in rows:
        learner = row.portfolio.learner
        record: dict[str, Any] = {
            "Learner": _safe(learner.display_name),
            "Username": _safe(learner.username),
            "Assessor": _safe(row.portfolio.assessor.display_name) if row.portfolio.assessor else "",
            "Coverage %": row.coverage,
            "Last activity": timezone.localtime(row.portfolio.last_activity_at).strftime("%Y-%m-%d"),
            "Submission": row.submission_label,
            "Returned": row.returned_count,
            "Steps complete": row.steps_complete,
            "At risk": "; ".join(row.risks),
        }
        for criterion, state in zip(row.criteria, row.states, strict=True):
            record[f"{criterion.framework.code} {criterion.code}"] = dashboards.CELL_LABELS[state]
        records.append(record)
    return pd.DataFrame.from_records(records)


def _export(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    cohort = get_cohort_for(request.user, pk, overview=True)
    frame = export_frame(learner_rows(cohort_portfolios(cohort)))
    name = f"{cohort.code}-dashboard-{timezone.localdate():%Y-%m-%d}"
    if kind == "csv":
        response = HttpResponse(frame.to_csv(index=False), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False, sheet_name="Learners", engine="openpyxl")
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


@login_required
def cohort_export_csv(request: HttpRequest, pk: int) -> HttpResponse:
    return _export(request, pk, "csv")


@login_required
def cohort_export_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    return _export(request, pk, "xlsx")
