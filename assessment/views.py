"""Submission, assessment, the audit trail, notifications and quality assurance."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import groupby
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.messages.storage.base import Message
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from assessment import selectors as sel
from assessment import services as assessment
from assessment import thread_selectors, workspace
from core import outbox
from core.access import can_edit, get_portfolio_for, is_eqa, role_required, versions_visible_to
from core.file_responses import stored_file_response
from core.models import PortfolioVersion, Role, VersionState
from core.pdf.blocks import Chapter
from core.pdf.chapters import build_chapters, chapter_context
from core.versions import diff_snapshots
from evidence.rendering import render_markdown
from readiness.checks import checklist_context

# A version never changes, so its steps are drawn once and kept: building the figures and the
# KPIs from the frozen service data costs about half a second. The key names the version, its
# submission time and digest; bump the number when a chapter builder changes what it draws.
STEPS_CACHE_VERSION = 1
STEPS_CACHE_SECONDS = 60 * 60 * 24


def version_steps(version: PortfolioVersion) -> list[Chapter]:
    """Each guided step of the version as its app draws it for the PDF (``core.pdf.chapters``),
    judged on the day it was submitted, as the version's PDF judges it."""
    stamp = version.submitted_at.timestamp()
    key = f"version-steps:{STEPS_CACHE_VERSION}:{version.pk}:{stamp}:{version.digest}"
    steps = cache.get(key)
    if steps is None:
        ctx = chapter_context(
            portfolio=version.portfolio,
            version=version,
            snapshot=version.snapshot,
            today=timezone.localdate(version.submitted_at),
        )
        steps = build_chapters(ctx)
        cache.set(key, steps, STEPS_CACHE_SECONDS)
    return steps


def _version(request: HttpRequest, portfolio_pk: int, number: int) -> PortfolioVersion:
    """A version the person may read: an external quality assurer only those granted."""
    portfolio = get_portfolio_for(request.user, portfolio_pk, moderation=True)
    visible = versions_visible_to(request.user, portfolio)
    version = get_object_or_404(visible.select_related("outcome", "submitted_by"), number=number)
    version.portfolio = portfolio
    return version


# --- Learner: submit and follow the versions -----------------------------------------------


@login_required
def submit(request: HttpRequest, portfolio_pk: int) -> HttpResponse:
    """The learner signs the declaration and freezes their working copy as a new version."""
    portfolio = get_portfolio_for(request.user, portfolio_pk, write=True)
    error, error_field = "", None
    if request.method == "POST":
        try:
            with outbox.watch() as queued:
                version = assessment.submit_portfolio(
                    portfolio=portfolio,
                    declaration_signed=request.POST.get("declaration") == "on",
                    actor=request.user,
                )
        except assessment.AssessmentError as exc:
            error, error_field = str(exc), exc.field
        else:
            if queued.delayed:
                messages.success(
                    request,
                    f"Version {version.number} submitted. Your assessor will be told as soon as "
                    "the mail service is back; you do not need to submit again.",
                )
            else:
                messages.success(request, f"Version {version.number} submitted. Your assessor has been told.")
            return redirect("portfolio:versions", portfolio_pk=portfolio.pk)
    latest = sel.latest_version(portfolio)
    latest_state = sel.version_state(latest) if latest else ""
    can_submit = latest_state not in (VersionState.AWAITING_REVIEW, VersionState.SIGNED_OFF)
    # The form sits below the long readiness check, so the page opens on a summary of the
    # error that links down to the declaration; the checkbox keeps the message too.
    field_error = error if can_submit and error_field == "declaration" else ""
    context = {
        "portfolio": portfolio,
        "declaration": assessment.DECLARATION,
        "latest": latest,
        "latest_state": latest_state,
        "can_submit": can_submit,
        "errors": [(error, "id_declaration" if field_error else "")] if error else [],
        "declaration_error": field_error,
        # The examiner's marking points, checked before the learner signs.
        **checklist_context(portfolio),
    }
    return render(request, "portfolio/assessment/submit.html", context, status=400 if error else 200)


@login_required
def versions(request: HttpRequest, portfolio_pk: int) -> HttpResponse:
    """Every submitted version with its state, and the latest feedback per criterion."""
    portfolio = get_portfolio_for(request.user, portfolio_pk, moderation=True)
    shown = sel.versions_with_state(portfolio)
    if is_eqa(request.user):
        visible = set(versions_visible_to(request.user, portfolio).values_list("pk", flat=True))
        shown = [v for v in shown if v.pk in visible]
    rows = [(v, sel.state_of(v)) for v in shown]
    feedback = []
    if rows:
        feedback = [r for r in sel.criteria_review(rows[0][0]) if r.decision or r.previous]
    context = {
        "portfolio": portfolio,
        "rows": rows,
        "feedback": feedback,
        "is_owner": can_edit(request.user, portfolio),
    }
    return render(request, "portfolio/assessment/versions.html", context)


@dataclass
class DecisionForm:
    """What one criterion's decision form holds: the standing decision, or what the assessor
    typed when saving it was refused; and the outcome of saving it, shown beside the form
    rather than at the top of a page thousands of pixels long."""

    status: str = ""
    feedback: str = ""
    evidence_ids: frozenset[int] = frozenset()
    based_on: int | None = None
    error: str = ""
    error_field: str | None = None  # "status", "feedback" or "evidence": the input at fault
    notices: list[Message] = field(default_factory=list)

    @classmethod
    def of(cls, review: sel.CriterionReview) -> DecisionForm:
        decision = review.decision
        if decision is None:  # before a first decision, every item mapped to it is ticked
            return cls(evidence_ids=frozenset(m["item"]["id"] for m in review.snapshot_evidence))
        return cls(
            status=decision.status,
            feedback=decision.feedback,
            evidence_ids=frozenset(decision.evidence_ids),
            based_on=decision.pk,
        )


def frozen_data(snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    """Data files a content app froze with the version, each named by its file and SHA-256 (the
    audit's service dataset): blocks of a snapshot part whose rows carry a ``sha256``."""
    found = []
    for part in snapshot.get("parts", {}).values():
        for block in part.values() if isinstance(part, dict) else ():
            if not isinstance(block, dict):
                continue
            rows = block.get("rows")
            if block.get("title") and rows and all("sha256" in row for row in rows):
                labels = block.get("labels", {})
                found.append(
                    {
                        "title": block["title"],
                        "rows": [
                            [(labels.get(k, k), v) for k, v in row.items() if k != "id"] for row in rows
                        ],
                    }
                )
    return found


def _render_version(request: HttpRequest, version: PortfolioVersion) -> HttpResponse:
    """The version page: the work as submitted, and a summary of the decisions beside it with
    the way into the marking workspace."""
    portfolio = version.portfolio
    state = sel.state_of(version)
    latest = sel.latest_version(portfolio)
    can_assess = (
        portfolio.assessor_id == request.user.pk
        and state == VersionState.AWAITING_REVIEW
        and latest.pk == version.pk
    )
    items = version.snapshot.get("parts", {}).get("evidence", {}).get("items", [])
    files = {f.evidence_id: f for f in version.files.all()}
    for item in items:
        item["stored"] = files.get(item["id"])
        item["occurred"] = parse_date(item.get("occurred_on") or "")
        # A reflection is the learner's Markdown, shown as on the evidence page and in the PDF;
        # its headings start at h5, under the item's h4.
        item["body_html"] = render_markdown(item.get("body") or "", heading_level=5)
    # Each evidence item's annotations and "Discuss" thread (assessment.thread_selectors).
    discussion = thread_selectors.attach_to_evidence(version, items, request.user)
    context = {
        "portfolio": portfolio,
        "version": version,
        "state": state,
        "can_assess": can_assess,
        "evidence": [i for i in items if i["kind"] != "section"],
        "steps": version_steps(version),
        "frozen_data": frozen_data(version.snapshot),
        "space": workspace.build(version),
        "reviewed_before": sel.last_reviewed_before(version),
        "waiting": sel.waiting_label(version.submitted_at),
        "discussion": discussion,
    }
    return render(request, "portfolio/assessment/version_detail.html", context)


@login_required
def version_detail(request: HttpRequest, portfolio_pk: int, number: int) -> HttpResponse:
    """The frozen version beside the criteria; the assigned assessor decides here."""
    return _render_version(request, _version(request, portfolio_pk, number))


@login_required
def version_file(request: HttpRequest, portfolio_pk: int, number: int, file_pk: int) -> FileResponse:
    """A file as the version holds it, for anyone who may read the portfolio."""
    version = _version(request, portfolio_pk, number)
    stored = get_object_or_404(version.files, pk=file_pk)
    try:
        handle = default_storage.open(stored.name, "rb")
    except FileNotFoundError:
        raise Http404("The stored file is missing.") from None
    return stored_file_response(
        handle, content_type=stored.content_type, filename=stored.original_name, inline=stored.is_inline
    )


@login_required
def version_changes(request: HttpRequest, portfolio_pk: int, number: int) -> HttpResponse:
    """What changed since the version the assessor last reviewed."""
    version = _version(request, portfolio_pk, number)
    before = sel.last_reviewed_before(version)
    if (
        before
        and is_eqa(request.user)
        and not versions_visible_to(request.user, version.portfolio).filter(pk=before.pk).exists()
    ):
        before = None  # an earlier version not granted: its content is not shown, even as a diff
    diff = diff_snapshots(before.snapshot, version.snapshot) if before else None
    context = {"portfolio": version.portfolio, "version": version, "before": before, "diff": diff}
    return render(request, "portfolio/assessment/changes.html", context)


# --- Assessor: decide and close ----------------------------------------------------------------


def _assessable(request: HttpRequest, portfolio_pk: int, number: int) -> PortfolioVersion:
    version = _version(request, portfolio_pk, number)
    if version.portfolio.assessor_id != request.user.pk:
        raise PermissionDenied("Only the learner's assigned assessor can assess this portfolio.")
    if sel.state_of(version) != VersionState.AWAITING_REVIEW:
        raise PermissionDenied("This version has been returned or signed off: it cannot change.")
    if sel.latest_version(version.portfolio).pk != version.pk:
        raise PermissionDenied("A later version has been submitted.")
    return version


@require_POST
@login_required
def close_version(request: HttpRequest, portfolio_pk: int, number: int) -> HttpResponse:
    version = _assessable(request, portfolio_pk, number)
    outcome = request.POST.get("outcome")
    comment = request.POST.get("comment", "")
    try:
        if outcome == "sign_off":
            assessment.sign_off_version(version=version, comment=comment, actor=request.user)
            messages.success(request, f"Version {version.number} signed off. The learner has been told.")
        elif outcome == "return":
            assessment.return_version(version=version, comment=comment, actor=request.user)
            messages.success(request, f"Version {version.number} returned with your feedback.")
        else:
            messages.error(request, "Choose to return the portfolio or sign it off.")
    except assessment.AssessmentError as exc:
        messages.error(request, str(exc))
        # Closed from the workspace: back to it, where the reason and the decisions are.
        return redirect("portfolio:workspace", portfolio_pk=version.portfolio_id, number=version.number)
    else:
        if outcome not in ("sign_off", "return"):
            return redirect("portfolio:workspace", portfolio_pk=version.portfolio_id, number=version.number)
    return redirect("portfolio:version_detail", portfolio_pk=version.portfolio_id, number=version.number)


# --- Audit trail and notifications -------------------------------------------------------------


@login_required
def trail(request: HttpRequest, portfolio_pk: int) -> HttpResponse:
    portfolio = get_portfolio_for(request.user, portfolio_pk, moderation=True)
    entries = sel.trail(portfolio)
    if is_eqa(request.user):  # what happened to the versions granted, nothing else
        entries = entries.filter(version__in=versions_visible_to(request.user, portfolio))
    return render(request, "portfolio/assessment/trail.html", {"portfolio": portfolio, "entries": entries})


# --- Quality assurance --------------------------------------------------------------------------


@role_required(Role.IQA)
def qa_sampling(request: HttpRequest) -> HttpResponse:
    """Sample a share of each assessor's decisions, or chosen ones; record findings. The
    decisions not yet sampled are listed a page at a time, by learner and version, and can be
    narrowed to one cohort or one assessor."""
    filters = sel.sampling_filter(request.user, request.POST if request.method == "POST" else request.GET)
    if request.method == "POST":
        try:
            samples = _sample(request, filters)
        except assessment.AssessmentError as exc:
            messages.error(request, str(exc))
        else:
            count = len(samples)
            messages.success(
                request,
                ngettext("%(count)d decision sampled.", "%(count)d decisions sampled.", count)
                % {"count": count},
            )
        back = {**filters.query(), "page": request.POST.get("page", "")}
        return redirect(
            f"{reverse('portfolio:qa_sampling')}?{urlencode({k: v for k, v in back.items() if v})}"
        )
    candidates = sel.sampleable_decisions(request.user, cohort=filters.cohort, assessor=filters.assessor)
    page = Paginator(candidates, sel.SAMPLING_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filters": filters,
        "page": page,
        # The page's decisions by learner and version, each version a group of rows.
        "groups": [
            (decisions[0].version, decisions)
            for decisions in (list(g) for _, g in groupby(page.object_list, key=lambda d: d.version_id))
        ],
        "samples": sel.samples_for_iqa(request.user, cohort=filters.cohort, assessor=filters.assessor),
    }
    return render(request, "portfolio/assessment/qa_sampling.html", context)


def _sample(request: HttpRequest, filters: sel.SamplingFilter) -> list:
    """Sample what the form asks for: a share of the decisions listed, or the ones ticked."""
    if request.POST.get("mode") == "share":
        try:
            percent = int(request.POST.get("percent", ""))
        except ValueError:
            raise assessment.AssessmentError("Give the share as a whole number of per cent.") from None
        pool = list(sel.sampleable_decisions(request.user, cohort=filters.cohort, assessor=filters.assessor))
        if not pool:
            raise assessment.AssessmentError("No decision listed is waiting to be sampled.")
        return assessment.sample_share(candidates=pool, percent=percent, actor=request.user)
    wanted = set(request.POST.getlist("decision"))
    if not wanted:
        raise assessment.AssessmentError("Tick at least one decision to sample.")
    ids = {int(value) for value in wanted if value.isdigit()}
    chosen = list(sel.sampleable_decisions(request.user).filter(pk__in=ids))
    if len(chosen) != len(wanted):
        # Sampled by someone else meanwhile, or never one of theirs: all or nothing, so the
        # quality assurer knows exactly what was sampled.
        stale = len(wanted) - len(chosen)
        which = (
            "The decision you ticked"
            if len(wanted) == 1
            else f"{stale} of the {len(wanted)} decisions you ticked"
        )
        raise assessment.AssessmentError(
            f"{which} can no longer be sampled: sampled already, or not in your cohorts. "
            "Nothing was sampled; the list is now up to date, so tick your choice again."
        )
    return assessment.sample_decisions(decisions=chosen, actor=request.user)


@require_POST
@role_required(Role.IQA)
def qa_finding(request: HttpRequest, sample_pk: int) -> HttpResponse:
    sample = get_object_or_404(sel.samples_for_iqa(request.user), pk=sample_pk)
    try:
        assessment.record_finding(
            sample=sample,
            finding=request.POST.get("finding", ""),
            comment=request.POST.get("comment", ""),
            actor=request.user,
        )
    except assessment.AssessmentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Finding recorded. The assessor has been told.")
    return redirect("portfolio:qa_sampling")


@role_required(Role.ASSESSOR)
def qa_actions(request: HttpRequest) -> HttpResponse:
    samples = sel.samples_for_assessor(request.user)
    return render(request, "portfolio/assessment/qa_actions.html", {"samples": samples})


@require_POST
@role_required(Role.ASSESSOR)
def qa_answer(request: HttpRequest, sample_pk: int) -> HttpResponse:
    sample = get_object_or_404(sel.samples_for_assessor(request.user), pk=sample_pk)
    try:
        assessment.answer_action(sample=sample, response=request.POST.get("response", ""), actor=request.user)
    except assessment.AssessmentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Your answer has been recorded.")
    return redirect("portfolio:qa_actions")
