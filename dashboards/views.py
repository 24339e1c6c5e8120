"""The tutor's cohort dashboard and its exports."""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlencode

import plotly.graph_objects as go
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import ngettext

from core.access import get_cohort_for
from core.charts import BRAND_COLOURS, chart_context
from core.formatting import uk_date
from core.models import Cohort, Criterion, Portfolio, User
from core.sections import all_sections
from core.selectors import criteria_for_cohort
from dashboards import figures as dashboards
from dashboards import selectors as dashboard_selectors
from dashboards.selectors import LearnerRow
from dashboards.workbook import xlsx_stream

SORT_LABELS = {
    "name": "Name",
    "coverage": "Coverage, lowest first",
    "-coverage": "Coverage, highest first",
    "activity": "Last activity, longest ago first",
    "-activity": "Last activity, most recent first",
    "risk": "Most at risk first",
}


def _filters(request: HttpRequest, assessors: list[User]) -> dict[str, str]:
    """The GET filters that make sense; anything else is ignored."""
    chosen = {"sort": "name", "state": "", "assessor": "", "risk": ""}
    if request.GET.get("sort") in dashboard_selectors.SORT_ORDERS:
        chosen["sort"] = request.GET["sort"]
    if request.GET.get("state") in dashboards.SUBMISSION_LABELS:
        chosen["state"] = request.GET["state"]
    if request.GET.get("assessor") in {str(a.pk) for a in assessors} | {"none"}:
        chosen["assessor"] = request.GET["assessor"]
    if request.GET.get("risk") == "1":
        chosen["risk"] = "1"
    return chosen


def coverage_distribution_figure(rows: Iterable[LearnerRow]) -> go.Figure:
    """How many learners fall in each tenth of coverage."""
    counts = [0] * 10
    for row in rows:
        counts[min(row.coverage // 10, 9)] += 1
    return distribution_figure(counts)


def distribution_figure(counts: list[int]) -> go.Figure:
    """``counts[i]`` learners in the i-th tenth of coverage (the last one 90–100 %)."""
    bands = [f"{i}–{i + 9} %" for i in range(0, 90, 10)] + ["90–100 %"]
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
    assessors = dashboard_selectors.cohort_assessors(cohort)
    chosen = _filters(request, assessors)
    board = dashboard_selectors.cohort_dashboard(
        cohort, chosen=chosen, page=request.GET.get("page"), rules=rules
    )
    figures = board.figures
    context: dict[str, Any] = {
        "cohort": cohort,
        "rows": board.page.object_list,
        "page": board.page,
        "matching": figures.matching,
        "total": figures.total,
        "at_risk": figures.at_risk,
        "average": figures.average,
        "expected": dashboards.expected_coverage(cohort.start_date, cohort.end_date, timezone.localdate()),
        "criteria": board.criteria if figures.total else [],
        "framework_columns": [
            (framework, len(list(group)))
            for framework, group in itertools.groupby(board.criteria, key=lambda c: c.framework)
        ],
        "steps": all_sections() if figures.total else [],
        # The ten most lacking, leaving out criteria that no learner lacks.
        "summary": [item for item in board.summary[:10] if item.lacking],
        "rules": rules.describe(),
        "chosen": chosen,
        # The downloads take the filters and order shown, not the page.
        "export_query": urlencode({key: value for key, value in chosen.items() if value and value != "name"}),
        "sorts": SORT_LABELS,
        "states": dashboards.SUBMISSION_LABELS,
        "assessors": [(a.pk, a) for a in assessors],
        "legend": [
            (dashboards.CELL_SYMBOLS[s], dashboards.CELL_LABELS[s], dashboards.CELL_CLASSES[s])
            for s in dashboards.CELL_STATES
        ],
        "chart": chart_context(
            distribution_figure(figures.distribution),
            element_id="coverage-distribution",
            title="Coverage across the cohort",
            description=ngettext("%(count)d learner", "%(count)d learners", figures.total)
            % {"count": figures.total}
            + f" by the share of criteria evidenced or met; the average is {figures.average} %.",
        )
        if figures.total
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


XLSX_CHUNK = 64 * 1024
EXPORT_COLUMNS = [
    "Learner",
    "Username",
    "Assessor",
    "Coverage %",
    "Last activity",
    "Submission",
    "Returned",
    "Steps complete",
    "At risk",
]


def export_header(criteria: list[Criterion]) -> list[str]:
    """The columns: the learner's figures, then a column per criterion (framework and code)."""
    return list(dict.fromkeys([*EXPORT_COLUMNS, *(f"{c.framework.code} {c.code}" for c in criteria)]))


def export_rows(
    portfolios: QuerySet[Portfolio], *, cohort: Cohort, criteria: list[Criterion]
) -> Iterator[list[Any]]:
    """One row per learner of ``portfolios`` (the cohort's, in the queryset's order), a cell
    per ``export_header`` column, read as two streams side by side (``streamed_rows``):
    memory stays the same whatever the number of learners."""
    rows = dashboard_selectors.streamed_rows(portfolios, criteria_by_cohort={cohort.pk: criteria})
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
        yield list(record.values())


class _Line:
    """What ``csv.writer`` writes to: hands each line back instead of keeping it."""

    def write(self, line: str) -> str:
        return line


def describe_filters(chosen: dict[str, str], assessors: list[User]) -> str:
    """The dashboard's filters in words, "" when it shows every learner."""
    names = {str(a.pk): a.display_name for a in assessors}
    parts = []
    if chosen.get("state"):
        parts.append(f"submission: {dashboards.SUBMISSION_LABELS[chosen['state']]}")
    if chosen.get("assessor"):
        parts.append(
            "no assessor" if chosen["assessor"] == "none" else f"assessor: {names[chosen['assessor']]}"
        )
    if chosen.get("risk"):
        parts.append("at risk only")
    return "; ".join(parts)


def _csv_lines(header: list[str], rows: Iterator[list[Any]], note: str = "") -> Iterator[str]:
    writer = csv.writer(_Line(), lineterminator="\n")
    if note:  # a filtered export says so first, as the dashboard did
        yield writer.writerow([note])
    first = next(rows, None)
    if first is None:  # no learners: an empty file, as it always has been
        yield "\n"
        return
    yield writer.writerow(header)
    yield writer.writerow(first)
    for row in rows:
        yield writer.writerow(row)


def _xlsx_chunks(header: list[str], rows: Iterator[list[Any]], note: str = "") -> Iterator[bytes]:
    """The workbook streamed as it is written (``dashboards.workbook``): nothing is made
    until the response is read, and only the rows being compressed are held."""

    def lines() -> Iterator[list[Any]]:
        if note:  # a filtered export says so first, as the dashboard did
            yield [note]
        first = next(rows, None)
        if first is None:  # no learners: an empty sheet, as it always has been
            return
        yield header
        yield first
        yield from rows

    return xlsx_stream(lines(), title="Learners", chunk_size=XLSX_CHUNK)


def _export(request: HttpRequest, pk: int, kind: str) -> HttpResponseBase:
    """The learners the dashboard shows with the same filters and order (the query string the
    page's links carry), every page of them; a filtered export says so in its first row."""
    cohort = get_cohort_for(request.user, pk, overview=True)
    criteria = list(criteria_for_cohort(cohort))
    assessors = dashboard_selectors.cohort_assessors(cohort)
    chosen = _filters(request, assessors)
    shown = dashboard_selectors.shown_portfolios(
        cohort, criteria, chosen=chosen, rules=dashboards.RiskRules()
    )
    filters = describe_filters(chosen, assessors)
    note = ""
    if filters:
        count, total = shown.count(), cohort.portfolios.count()
        note = (
            f"Filtered as on the cohort dashboard ({filters}): {count} of "
            + ngettext("%(total)d learner", "%(total)d learners", total) % {"total": total}
            + f", exported {uk_date(timezone.localdate())}."
        )
    header = export_header(criteria)
    rows = export_rows(shown, cohort=cohort, criteria=criteria)
    name = f"{cohort.code}-dashboard-{'filtered-' if filters else ''}{timezone.localdate():%Y-%m-%d}"
    if kind == "csv":
        response = StreamingHttpResponse(
            _csv_lines(header, rows, note), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    response = StreamingHttpResponse(
        _xlsx_chunks(header, rows, note),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


@login_required
def cohort_export_csv(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _export(request, pk, "csv")


@login_required
def cohort_export_xlsx(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _export(request, pk, "xlsx")
