"""The marking workspace: the criteria down one side, the chosen one's panel beside them, the
decisions saved in place (htmx), and the previews of the version's files.

Everyone who may read the portfolio may open the workspace (the one gate, through
``views._version``); only the assigned assessor of the version waiting for review gets the
forms, and every write goes through ``views._assessable`` and the services' own checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from assessment import previews
from assessment import selectors as sel
from assessment import services as assessment
from assessment import workspace as ws
from assessment.views import DecisionForm, _assessable, _version
from core.access import AuthenticatedHttpRequest
from core.file_responses import stored_file_response
from core.models import PortfolioVersion, VersionState
from core.selectors import criteria_for
from evidence.rendering import render_markdown
from evidence.transcripts import describe_duration, response_times

PANEL = "portfolio/assessment/workspace/_panel.html"


def _can_assess(request: HttpRequest, version: PortfolioVersion) -> bool:
    """Whether this person decides on this version: its learner's assessor, the version waiting
    for review and the latest one (the same rule ``_assessable`` enforces on every write)."""
    portfolio = version.portfolio
    if portfolio.assessor_id != request.user.pk or sel.state_of(version) != VersionState.AWAITING_REVIEW:
        return False
    return not portfolio.versions.filter(number__gt=version.number).exists()


def _wanted(request: HttpRequest) -> str:
    source = request.POST if request.method == "POST" else request.GET
    wanted = str(source.get("filter", ""))
    return wanted if wanted in ws.FILTERS else ""


def _chosen(space: ws.Workspace, value: Any) -> ws.Row | None:
    """The criterion asked for, else the first undecided one the filter shows, else the first."""
    try:
        row = space.row(int(value)) if value else None
    except (TypeError, ValueError):
        row = None
    if row is not None:
        return row
    shown = [r for g in space.groups for r in g.shown] or space.rows
    return next((r for r in shown if r.state == ws.UNDECIDED), shown[0] if shown else None)


def _url(name: str, version: PortfolioVersion, *extra: int) -> str:
    return reverse(f"portfolio:{name}", args=[version.portfolio_id, version.number, *extra])


def _query(row: ws.Row | None, wanted: str) -> str:
    params = {"c": row.criterion.pk if row else "", "filter": wanted}
    return "?" + urlencode({k: v for k, v in params.items() if v})


@dataclass
class Draft:
    """A decision form to draw instead of the standing decision: what was typed, refused."""

    criterion_pk: int
    form: DecisionForm


def _transcript(item: dict[str, Any]) -> dict[str, Any] | None:
    """A transcript's messages as the evidence page shows them, from the frozen snapshot."""
    raw = item.get("messages") or []
    if not raw:
        return None

    @dataclass
    class Message:
        author: str
        sent_at: Any
        text: str
        stage: str
        annotation: str

    parsed = []
    for m in raw:
        sent = m.get("sent_at")
        sent_at = parse_datetime(sent) if isinstance(sent, str) else sent
        parsed.append(
            Message(
                author=m.get("author", ""),
                sent_at=sent_at,
                text=m.get("text", ""),
                stage=m.get("stage", ""),
                annotation=m.get("annotation", ""),
            )
        )
    if any(m.sent_at is None for m in parsed):
        return {"rows": [{"message": m, "response_time": ""} for m in parsed], "first_response": "—"}
    times = response_times(parsed)
    return {
        "rows": [
            {
                "message": row.message,
                "response_time": describe_duration(row.response_time) if row.response_time else "",
            }
            for row in times.messages
        ],
        "first_response": describe_duration(times.first_response),
        "longest_wait": describe_duration(times.longest_wait),
    }


def _panel_context(
    request: HttpRequest, space: ws.Workspace, row: ws.Row, can_assess: bool, draft: Draft | None = None
) -> dict[str, Any]:
    version = space.version
    panel = ws.panel(space, row)
    for entry in panel.evidence:
        item = entry["item"]
        entry["body_html"] = render_markdown(item.get("body") or "", heading_level=5)
        entry["transcript"] = _transcript(item) if item.get("kind") == "transcript" else None
        stored = entry["stored"]
        if stored is not None:
            entry["preview_kind"] = previews.kind_of(stored)
            entry["lazy"] = previews.is_lazy(stored)
            entry["file_url"] = _url("version_file", version, stored.pk)
            entry["preview_url"] = _url("version_file_preview", version, stored.pk)
            if not entry["lazy"]:
                entry["preview"] = previews.preview_of(stored)
    form = DecisionForm.of(row.review)
    if draft is not None and draft.criterion_pk == row.criterion.pk:
        form = draft.form
    before, after = space.neighbours(row)
    return {
        "portfolio": version.portfolio,
        "version": version,
        "space": space,
        "row": row,
        "panel": panel,
        "form": form,
        "can_assess": can_assess,
        "before": before,
        "after": after,
        "before_query": _query(before, space.wanted),
        "after_query": _query(after, space.wanted),
        "filter_query": urlencode({"filter": space.wanted}) if space.wanted else "",
    }


def _page_context(
    request: HttpRequest, space: ws.Workspace, row: ws.Row | None, can_assess: bool
) -> dict[str, Any]:
    version = space.version
    return {
        "portfolio": version.portfolio,
        "version": version,
        "space": space,
        "current": row,
        "can_assess": can_assess,
        "state": sel.state_of(version),
        "filters": ws.FILTERS,
        "filter_query": urlencode({"filter": space.wanted}) if space.wanted else "",
    }


@login_required
def workspace(request: HttpRequest, portfolio_pk: int, number: int) -> HttpResponse:
    """The marking workspace of a version: criteria, the chosen one's panel, the progress."""
    version = _version(request, portfolio_pk, number)
    return _render_workspace(request, version, chosen=request.GET.get("c"))


def _render_workspace(
    request: HttpRequest,
    version: PortfolioVersion,
    *,
    chosen: Any,
    draft: Draft | None = None,
    status: int = 200,
) -> HttpResponse:
    can_assess = _can_assess(request, version)
    space = ws.build(version, wanted=_wanted(request))
    row = _chosen(space, chosen)
    context = _page_context(request, space, row, can_assess)
    if row is not None:
        context.update(_panel_context(request, space, row, can_assess, draft))
    return render(request, "portfolio/assessment/workspace/page.html", context, status=status)


@login_required
def workspace_panel(request: HttpRequest, portfolio_pk: int, number: int, criterion_pk: int) -> HttpResponse:
    """One criterion's panel (htmx swaps it in); a plain request gets the whole workspace."""
    version = _version(request, portfolio_pk, number)
    if not request.htmx:  # type: ignore[attr-defined]
        return _render_workspace(request, version, chosen=criterion_pk)
    space = ws.build(version, wanted=_wanted(request))
    row = space.row(criterion_pk)
    if row is None:
        raise Http404("No such criterion in this version.")
    return render(request, PANEL, _panel_context(request, space, row, _can_assess(request, version)))


def _swap(
    request: HttpRequest,
    version: PortfolioVersion,
    chosen: int,
    *,
    draft: Draft | None = None,
    notice: tuple[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    """After a write: the panel (with ``notice``, (text, "success" or "danger"), at its top),
    and out of band the list, the progress and the outcome."""
    can_assess = _can_assess(request, version)
    space = ws.build(version, wanted=_wanted(request))
    row = space.row(chosen) or _chosen(space, None)
    context = _page_context(request, space, row, can_assess)
    if row is not None:
        context.update(_panel_context(request, space, row, can_assess, draft))
    context["oob"] = True
    context["notice"] = notice
    html = render_to_string(PANEL, context, request=request)
    html += render_to_string("portfolio/assessment/workspace/_list.html", context, request=request)
    html += render_to_string("portfolio/assessment/workspace/_progress.html", context, request=request)
    html += render_to_string("portfolio/assessment/workspace/_outcome.html", context, request=request)
    return HttpResponse(html, status=status)


@require_POST
@login_required
def decide(
    request: AuthenticatedHttpRequest, portfolio_pk: int, number: int, criterion_pk: int
) -> HttpResponse:
    """Record met / not yet met on one criterion, in place: htmx gets the panel back with the
    outcome in it; a plain form post is sent back to the workspace on that criterion."""
    version = _assessable(request, portfolio_pk, number)
    criterion = get_object_or_404(criteria_for(version.portfolio), pk=criterion_pk)
    try:
        based_on = int(request.POST["based_on"]) if request.POST.get("based_on") else None
        evidence_ids = [int(v) for v in request.POST.getlist("evidence")]
    except ValueError:
        raise Http404("Bad form.") from None
    data = assessment.DecisionInput(
        status=request.POST.get("status", ""),
        feedback=request.POST.get("feedback", ""),
        evidence_ids=evidence_ids,
        based_on=based_on,
    )
    try:
        assessment.record_decision(version=version, criterion=criterion, data=data, actor=request.user)
    except assessment.AssessmentError as exc:
        # Nothing was saved: the panel is drawn again with what the assessor typed and the
        # reason beside it. After a conflict the form stands on the decision that won, now
        # shown above it, so saving again replaces that one knowingly.
        conflict = isinstance(exc, assessment.DecisionConflict)
        form = DecisionForm(
            status=data.status,
            feedback=data.feedback,
            evidence_ids=frozenset(evidence_ids),
            based_on=_standing_pk(version, criterion.pk) if conflict else based_on,
            error=str(exc) if conflict else f"{exc} Your decision was not saved.",
            error_field=exc.field,
        )
        draft = Draft(criterion.pk, form)
        status = 409 if conflict else 400
        if request.htmx:  # type: ignore[attr-defined]
            return _swap(request, version, criterion.pk, draft=draft, status=status)
        return _render_workspace(request, version, chosen=criterion.pk, draft=draft, status=status)
    if request.htmx:  # type: ignore[attr-defined]
        return _swap(
            request, version, criterion.pk, notice=(f"Decision on {criterion.code} saved.", "success")
        )
    messages.success(request, f"Decision on {criterion.code} saved.")
    space_url = _url("workspace", version)
    return redirect(space_url + _query_for(criterion.pk, _wanted(request)))


def _standing_pk(version: PortfolioVersion, criterion_pk: int) -> int | None:
    standing = version.decisions.filter(criterion_id=criterion_pk, superseded_by__isnull=True).first()
    return standing.pk if standing else None


def _query_for(criterion_pk: int, wanted: str) -> str:
    params = {"c": criterion_pk, "filter": wanted}
    return "?" + urlencode({k: v for k, v in params.items() if v})


@require_POST
@login_required
def decide_group(request: AuthenticatedHttpRequest, portfolio_pk: int, number: int) -> HttpResponse:
    """Mark every criterion of one group met with one feedback (all or none)."""
    version = _assessable(request, portfolio_pk, number)
    key = request.POST.get("group", "")
    criteria = [c for c in criteria_for(version.portfolio) if ws.group_key(c)[0] == key]
    if not criteria:
        raise Http404("No such group.")
    title = ws.group_key(criteria[0])[1]
    try:
        based_on = {
            c.pk: int(request.POST[f"based_on-{c.pk}"]) if request.POST.get(f"based_on-{c.pk}") else None
            for c in criteria
        }
    except ValueError:
        raise Http404("Bad form.") from None
    chosen = request.POST.get("c") or criteria[0].pk
    try:
        chosen = int(chosen)
    except ValueError:
        chosen = criteria[0].pk
    try:
        saved = assessment.record_group_met(
            version=version,
            criteria=criteria,
            feedback=request.POST.get("feedback", ""),
            based_on=based_on,
            actor=request.user,
        )
    except assessment.AssessmentError as exc:
        notice, kind = f"{exc}", "danger"
        status = 409 if isinstance(exc, assessment.DecisionConflict) else 400
    else:
        count = len(saved)
        notice = (
            ngettext(
                "%(count)d criterion of %(title)s marked met.",
                "%(count)d criteria of %(title)s marked met.",
                count,
            )
            % {"count": count, "title": title}
            if count
            else f"Every criterion of {title} was met already."
        )
        kind, status = "success", 200
    if request.htmx:  # type: ignore[attr-defined]
        return _swap(request, version, chosen, notice=(notice, kind), status=status)
    messages.add_message(request, messages.SUCCESS if kind == "success" else messages.ERROR, notice)
    return redirect(_url("workspace", version) + _query_for(chosen, _wanted(request)))


# --- Previews ------------------------------------------------------------------------------------


@login_required
def file_preview(request: HttpRequest, portfolio_pk: int, number: int, file_pk: int) -> HttpResponse:
    """The preview of one of the version's files, as a fragment of the panel; while a PDF's
    pages are being drawn it says so and asks again (htmx polls)."""
    version = _version(request, portfolio_pk, number)
    stored = get_object_or_404(version.files, pk=file_pk)
    context = {
        "portfolio": version.portfolio,
        "version": version,
        "stored": stored,
        "preview": previews.preview_of(stored),
        "file_url": _url("version_file", version, stored.pk),
        "preview_url": _url("version_file_preview", version, stored.pk),
    }
    return render(request, "portfolio/assessment/workspace/_preview.html", context)


@login_required
def file_preview_page(
    request: HttpRequest, portfolio_pk: int, number: int, file_pk: int, page: int
) -> FileResponse:
    """One drawn page of a version's PDF (a PNG made by the worker)."""
    version = _version(request, portfolio_pk, number)
    stored = get_object_or_404(version.files, pk=file_pk)
    manifest = previews.read_manifest(stored.sha256)
    if not manifest or manifest.get("status") != "ready" or not 1 <= page <= int(manifest.get("rendered", 0)):
        raise Http404("No such page.")
    try:
        handle = default_storage.open(previews.page_name(stored.sha256, page), "rb")
    except FileNotFoundError:
        raise Http404("The page image is missing.") from None
    return stored_file_response(
        handle,  # type: ignore[arg-type]  # a storage File reads as a binary file
        content_type="image/png",
        filename=f"{stored.original_name}-page-{page}.png",
        inline=True,
    )
