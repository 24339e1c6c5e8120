"""PDF exports: ask for one, follow its progress (htmx polling), download the file."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core import outbox
from core.access import can_edit, get_export_for, get_portfolio_for, is_eqa, versions_visible_to
from core.file_responses import stored_file_response
from core.models import Export, Portfolio, PortfolioVersion
from reports import selectors
from reports import services as export_service


@login_required
def exports(request: HttpRequest, portfolio_pk: int) -> HttpResponse:
    """The portfolio's recent exports, and a form to make another."""
    portfolio = get_portfolio_for(request.user, portfolio_pk, moderation=True)
    visible = versions_visible_to(request.user, portfolio)
    recent = selectors.recent_exports(portfolio)
    if is_eqa(request.user):  # an external quality assurer: the PDFs of the versions granted
        numbers = set(visible.values_list("number", flat=True))
        recent = [e for e in recent if e.version_id and e.version.number in numbers]
    context = {
        "portfolio": portfolio,
        "exports": recent,
        "versions": list(visible.order_by("-number").values_list("number", flat=True)),
        "is_owner": can_edit(request.user, portfolio),
        "working_copy": not is_eqa(request.user),
    }
    return render(request, "portfolio/exports/list.html", context)


def _version_asked(request: HttpRequest, portfolio: Portfolio) -> PortfolioVersion | None:
    """The version named in the form (blank: the working copy); 404 if there is no such one
    this person may read. An external quality assurer never sees the working copy."""
    number = request.POST.get("version", "").strip()
    if not number:
        if is_eqa(request.user):
            raise PermissionDenied(
                "An external quality assurer may ask for PDFs of the versions shared with them."
            )
        return None
    try:
        number_value = int(number)
    except ValueError:
        raise Http404("No such version.") from None
    return get_object_or_404(versions_visible_to(request.user, portfolio), number=number_value)


WAITING_FOR_SERVICE = (
    "Your request for the PDF is saved. The service that makes PDFs is not answering just now: "
    "the PDF will be made as soon as it is back, and you will get a notification when it is ready."
)
_MESSAGES = {
    (True, Export.Status.DONE): "Your PDF is ready.",
    (True, Export.Status.PENDING): "Your PDF is being made. This page follows its progress, "
    "and you will get a notification when it is ready.",
    (False, Export.Status.DONE): "Nothing has changed since this PDF was made, so it is ready to download.",
    (False, Export.Status.PENDING): "This PDF is already being made: follow its progress here.",
}


@require_POST
@login_required
def export_request(request: HttpRequest, portfolio_pk: int) -> HttpResponse:
    """Queue an export of the working copy or of a version, or find the one that exists."""
    portfolio = get_portfolio_for(request.user, portfolio_pk, moderation=True)
    version = _version_asked(request, portfolio)
    try:
        with outbox.watch() as queued:
            export, created = export_service.request_export(
                portfolio=portfolio, version=version, actor=request.user
            )
    except export_service.ExportError as exc:
        messages.error(request, str(exc))
        return redirect("portfolio:exports", portfolio_pk=portfolio.pk)
    if queued.delayed:
        messages.success(request, WAITING_FOR_SERVICE)
        return redirect("portfolio:export_status", portfolio_pk=portfolio.pk, export_pk=export.pk)
    # Without a broker the render has already run in-process by now.
    export.refresh_from_db(fields=["status"])
    status = Export.Status.PENDING if export.status == Export.Status.RUNNING else export.status
    if text := _MESSAGES.get((created, status)):
        messages.success(request, text)
    return redirect("portfolio:export_status", portfolio_pk=portfolio.pk, export_pk=export.pk)


@login_required
def export_status(request: HttpRequest, portfolio_pk: int, export_pk: int) -> HttpResponse:
    """The job's progress; htmx asks for the status partial every 2 s until it is done or failed."""
    export = get_export_for(request.user, portfolio_pk, export_pk)
    template = "portfolio/exports/status.html#status" if request.htmx else "portfolio/exports/status.html"
    context = {
        "portfolio": export.portfolio,
        "export": export,
        "is_owner": can_edit(request.user, export.portfolio),
        "is_requester": export.requested_by_id == request.user.pk,
    }
    return render(request, template, context)


@login_required
def export_download(request: HttpRequest, portfolio_pk: int, export_pk: int) -> FileResponse:
    """The stored PDF, as an attachment, for anyone who may read the portfolio."""
    export = get_export_for(request.user, portfolio_pk, export_pk)
    if export.status != Export.Status.DONE or not export.file.name:
        raise Http404("This export has no file.")
    try:
        handle = default_storage.open(export.file.name, "rb")
    except FileNotFoundError:
        raise Http404("The stored file is missing.") from None
    return stored_file_response(
        handle, content_type="application/pdf", filename=export_service.download_name(export), inline=False
    )
