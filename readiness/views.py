"""The readiness checklist: the examiner's marking points, checked against the portfolio."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render

from core.access import AuthenticatedHttpRequest, can_edit, get_portfolio_for
from core.sections import get_section
from readiness import checks as readiness


@login_required
def readiness_checklist(request: AuthenticatedHttpRequest, portfolio_pk: int) -> HttpResponse:
    portfolio = get_portfolio_for(request.user, portfolio_pk)
    context = readiness.checklist_context(portfolio)
    context["is_owner"] = can_edit(request.user, portfolio)
    return render(request, "portfolio/readiness/checklist.html", context)


@login_required
def readiness_step(request: AuthenticatedHttpRequest, portfolio_pk: int, key: str) -> HttpResponse:
    """One step's findings, as a fragment for the step's page."""
    portfolio = get_portfolio_for(request.user, portfolio_pk)
    try:
        section = get_section(key)
    except KeyError:
        raise Http404("No such step.") from None
    report = readiness.check_portfolio(portfolio)
    return render(
        request,
        "portfolio/readiness/_step_findings.html",
        {
            "portfolio": portfolio,
            "section": section,
            "findings": report.for_step(key),
            "must_fix": report.must_fix,
        },
    )
