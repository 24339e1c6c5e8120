"""Pages that gather a whole picture: the assessor's caseload, the portfolio at a glance, and a
cohort's page with its roster and readiness."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from assessment import selectors as assessment_selectors
from core import cohort_panels, concurrency, selectors
from core.access import (
    AuthenticatedHttpRequest,
    can_edit,
    get_cohort_for,
    get_portfolio_for,
    is_staff_user,
    role_required,
)
from core.forms import InvitationForm
from core.models import Role
from dashboards import selectors as dashboard_selectors
from dashboards.selectors import paging as dashboard_paging
from evidence.selectors import StepState, coverage_for, workflow_steps
from readiness import checks as readiness


@role_required(Role.ASSESSOR)
def assessor_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The caseload: learners with coverage and submission, the versions waiting longest for
    review with the counts of the whole queue, QA actions."""
    now = timezone.now()
    caseload = dashboard_selectors.caseload(request.user, page=request.GET.get("page"), now=now)
    context = {
        "caseload": caseload.page.object_list,
        "page": caseload.page,
        "learner_count": caseload.learner_count,
        "at_risk_count": caseload.at_risk_count,
        "queue": dashboard_selectors.review_queue(request.user, now=now),
        "queue_counts": dashboard_selectors.queue_counts(request.user, now=now),
        "overdue_days": dashboard_selectors.OVERDUE_REVIEW_DAYS,
        "qa_actions": list(dashboard_selectors.open_qa_actions(request.user)),
    }
    return render(request, "portfolio/assessor_home.html", context)


@login_required
def portfolio_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The portfolio at a glance: the steps by stage and the coverage of each framework."""
    portfolio = get_portfolio_for(request.user, pk)
    steps = workflow_steps(portfolio)
    stages: dict[str, list[StepState]] = {}
    for step in steps:
        stages.setdefault(step.section.stage or "Other", []).append(step)
    is_owner = can_edit(request.user, portfolio)
    return render(
        request,
        "portfolio/portfolio_detail.html",
        {
            "portfolio": portfolio,
            "stages": stages,
            "coverage": coverage_for(portfolio),
            "is_owner": is_owner,
            # A learner who has not begun any step is pointed at the first one.
            "start_step": steps[0] if is_owner and steps and all(s.state == "empty" for s in steps) else None,
            # Where the latest submission stands: returned (and what to do), signed off or waiting.
            "latest": assessment_selectors.latest_outcome(portfolio),
        },
    )


@login_required
def cohort_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    cohort = get_cohort_for(request.user, pk, overview=True)
    can_manage = (
        is_staff_user(request.user) or cohort.memberships.filter(user=request.user, role=Role.TUTOR).exists()
    )
    roster = list(selectors.cohort_roster(cohort))
    # Learners a page at a time (each row has its own form); the readiness counts cover all.
    page = Paginator(roster, dashboard_paging.PAGE_SIZE).get_page(request.GET.get("page"))
    if can_manage:
        tokens = concurrency.tokens_for(concurrency.assessor_scope(p.pk) for p in page.object_list)
        for row in page.object_list:
            # An attribute for the template, beside the model's own fields.
            row.assessor_token = tokens[concurrency.assessor_scope(row.pk)]  # type: ignore[attr-defined]
    context = {
        "cohort": cohort,
        "can_manage": can_manage,
        "roster": page.object_list,
        "page": page,
        "learner_count": len(roster),
        "readiness_counts": readiness.cohort_summary(roster),
        "assessors": selectors.cohort_assessors(cohort) if can_manage else [],
        "staff_members": selectors.cohort_staff(cohort),
        "invitations": selectors.cohort_invitations(cohort) if can_manage else [],
        "invite_form": InvitationForm(),
        "frameworks": cohort.frameworks.all(),
        # What apps above this one say about the cohort (the LTI course link).
        "panels": cohort_panels.panels_for(cohort, request.user, can_manage=can_manage),
    }
    return render(request, "portfolio/cohort_detail.html", context)


@role_required(Role.ASSESSOR)
def review_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every version waiting for this assessor, oldest first, a page at a time, with the counts
    of the whole queue."""
    now = timezone.now()
    counts = dashboard_selectors.queue_counts(request.user, now=now)
    paginator = Paginator(assessment_selectors.assessor_queue(request.user), dashboard_paging.PAGE_SIZE)
    paginator.count = counts.total  # the pager's own COUNT would count the same rows again
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "queue": [dashboard_selectors.QueueItem.of(v, now) for v in page.object_list],
        "page": page,
        "queue_counts": counts,
        "overdue_days": dashboard_selectors.OVERDUE_REVIEW_DAYS,
        "open_actions": assessment_selectors.open_actions_count(request.user),
    }
    return render(request, "portfolio/assessment/queue.html", context)
