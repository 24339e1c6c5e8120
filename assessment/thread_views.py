"""Feedback threads and annotations: the thread of a criterion or an evidence item of a version,
as a page of its own or as the fragment htmx swaps in; posting a message; annotating evidence.

Everyone who may read the portfolio reads its threads; who posts and who annotates is decided
in ``assessment.thread_services``. A POST from htmx answers with the fragment drawn again (the
new message in it, or the reason it was refused beside what was typed); without JavaScript it
redirects back after saving, or draws the thread's page with the reason (400).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.middleware import HtmxDetails

from assessment import thread_selectors as sel
from assessment import thread_services as threads
from assessment.services import AssessmentError
from core.access import AuthenticatedHttpRequest, get_portfolio_for
from core.models import PortfolioVersion
from core.selectors import criteria_for

THREAD = "portfolio/assessment/_thread.html"
ANNOTATIONS = "portfolio/assessment/_annotations.html"
ITEM_DISCUSSION = "portfolio/assessment/_evidence_discussion.html"
PAGE = "portfolio/assessment/thread.html"


class ThreadRequest(AuthenticatedHttpRequest):
    """For the type checker: a signed-in request that django-htmx's middleware has read."""

    htmx: HtmxDetails


def _version(request: ThreadRequest, portfolio_pk: int, number: int) -> PortfolioVersion:
    portfolio = get_portfolio_for(request.user, portfolio_pk)
    version = get_object_or_404(portfolio.versions.select_related("outcome"), number=number)
    version.portfolio = portfolio
    return version


def _heading(request: ThreadRequest) -> int:
    """The level of the thread's heading where htmx places it (``?heading=4``; 3 by default)."""
    wanted = request.GET.get("heading", "")
    return int(wanted) if wanted in {"2", "3", "4", "5", "6"} else 3


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def criterion_thread(
    request: ThreadRequest, portfolio_pk: int, number: int, criterion_pk: int
) -> HttpResponse:
    """The thread about one criterion of the version: the criterion panel of the marking
    workspace fetches it with htmx; notifications link to it as a page."""
    version = _version(request, portfolio_pk, number)
    criterion = get_object_or_404(
        criteria_for(version.portfolio).select_related("framework"), pk=criterion_pk
    )
    return _thread(request, sel.ThreadTarget(version, criterion=criterion))


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def evidence_thread(request: ThreadRequest, portfolio_pk: int, number: int, evidence_id: int) -> HttpResponse:
    """The thread about one evidence item of the version, with the item's annotations (both as
    the fragment the marking workspace's panel fetches with ``?with=annotations``)."""
    version = _version(request, portfolio_pk, number)
    return _thread(request, sel.ThreadTarget(version, item=_item(version, evidence_id)))


def _item(version: PortfolioVersion, evidence_id: int) -> dict[str, Any]:
    item = threads.snapshot_item(version, evidence_id)
    if item is None:
        raise Http404("No such evidence item in this version.")
    item["stored"] = version.files.filter(evidence_id=evidence_id).first()
    return item


def _thread(request: ThreadRequest, target: sel.ThreadTarget) -> HttpResponse:
    found = sel.discussion(target.version, request.user)
    if request.method != "POST":
        return _render_thread(request, found, found.panel(target))
    if not found.may_post:
        raise PermissionDenied(
            "Only the learner, their assessor and quality assurance take part in this thread."
        )
    body = request.POST.get("body", "")
    try:
        threads.post_message(
            version=target.version,
            body=body,
            actor=request.user,
            criterion=target.criterion,
            evidence_id=target.evidence_id,
        )
    except AssessmentError as exc:
        panel = found.panel(target)
        panel.error, panel.draft = f"{exc} Your message was not sent.", body
        return _render_thread(request, found, panel, status=200 if request.htmx else 400)
    if request.htmx:
        panel = sel.discussion(target.version, request.user).panel(target)
        panel.sent = True
        return _render_thread(request, found, panel)
    messages.success(request, "Your message was sent.")
    return redirect(
        threads.thread_url(target.version, criterion=target.criterion, evidence_id=target.evidence_id)
    )


def _render_thread(
    request: ThreadRequest, found: sel.Discussion, panel: sel.ThreadPanel, *, status: int = 200
) -> HttpResponse:
    item = panel.target.item
    if request.htmx and item and request.GET.get("with") == "annotations":
        # The marking workspace's panel: the item's annotations and its thread, as on the
        # version page, fetched apart so the panel's own queries do not grow with its items.
        annotations = found.annotation_panel(item, image_url=sel.image_url(panel.version, item))
        both = {"thread_panel": panel, "annotation_panel": annotations}
        return render(request, ITEM_DISCUSSION, {"e": both}, status=status)
    if request.htmx:
        return render(request, THREAD, {"panel": panel, "level": _heading(request)}, status=status)
    context = {
        "portfolio": panel.version.portfolio,
        "version": panel.version,
        "panel": panel,
        "target": panel.target,
        "annotation_panel": (
            found.annotation_panel(item, image_url=sel.image_url(panel.version, item)) if item else None
        ),
    }
    return render(request, PAGE, context, status=status)


def _fraction(value: str, what: str) -> float | None:
    """A position typed or picked as per cent of the width or height, as a fraction."""
    value = value.strip()
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise AssessmentError(f"Give the {what} position as a number from 0 to 100.", field="point") from None
    if not 0 <= number <= 100:  # also refuses nan, for which every comparison is false
        raise AssessmentError(f"Give the {what} position as a number from 0 to 100.", field="point")
    return number / 100


def _page(value: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not value.isdigit() or int(value) < 1:
        raise AssessmentError("Give the page as a whole number from 1.", field="page")
    return int(value)


@require_POST
@login_required
def annotate_evidence(
    request: ThreadRequest, portfolio_pk: int, number: int, evidence_id: int
) -> HttpResponse:
    """The assessor (or quality assurance) annotates an evidence item of the version."""
    version = _version(request, portfolio_pk, number)
    item = _item(version, evidence_id)
    found = sel.discussion(version, request.user)
    if not found.may_annotate:
        raise PermissionDenied("Only the learner's assessor and quality assurance annotate evidence.")
    typed = {name: request.POST.get(name, "") for name in ("body", "x", "y", "page")}
    try:
        threads.annotate_evidence(
            version=version,
            evidence_id=evidence_id,
            body=typed["body"],
            actor=request.user,
            x=_fraction(typed["x"], "across"),
            y=_fraction(typed["y"], "down"),
            page=_page(typed["page"]),
        )
    except AssessmentError as exc:
        panel = found.annotation_panel(item, image_url=sel.image_url(version, item))
        panel.error, panel.error_field, panel.draft = f"{exc} The annotation was not saved.", exc.field, typed
        if request.htmx:
            return render(request, ANNOTATIONS, {"panel": panel, "level": _heading(request)})
        thread = found.panel(sel.ThreadTarget(version, item=item))
        context = {
            "portfolio": version.portfolio,
            "version": version,
            "panel": thread,
            "target": thread.target,
        }
        return render(request, PAGE, {**context, "annotation_panel": panel}, status=400)
    if request.htmx:
        panel = sel.discussion(version, request.user).annotation_panel(
            item, image_url=sel.image_url(version, item)
        )
        return render(request, ANNOTATIONS, {"panel": panel, "level": _heading(request), "saved": True})
    messages.success(request, "Your annotation was saved. The learner has been told.")
    page = reverse("portfolio:version_detail", args=[version.portfolio_id, version.number])
    return redirect(f"{page}#annotations-{evidence_id}")
