"""PDF exports: ask for one, follow its progress (htmx polling), download the file."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core import outbox, selectors
from core.access import can_edit, get_export_for, get_portfolio_for
from core.file_responses import stored_file_response
from core.models import Export, PortfolioVersion
from reports import exports as export_service


@login_required
def exports(request: HttpRequest, portfolio_pk: int) -> HttpResponse:
    """The portfolio's recent exports, and a form to make another."""
    portfolio = get_portfolio_for(request.user, portfolio_pk)
    context = {
        "portfolio": portfolio,
        "exports": selectors.recent_exports(portfolio),
        "versions": list(portfolio.versions.order_by("-number").values_list("number", flat=True)),
        "is_owner": can_edit(request.user, portfolio),
    }
    return render(request, "portfolio/exports/list.html", context)


def _version_asked(request: HttpRequest, portfolio_pk: int) -> PortfolioVersion | None:
    """The version named in the form (blank: the working copy); 404 if there is no such one."""
    number = request.POST.get("version", "").strip()
    if not number:
        return None
    try:
        number_value = int(number)
    except ValueError:
        raise Http404("No such version.") from None
    return get_object_or_404(PortfolioVersion, portfolio_id=portfolio_pk, number=number_value)


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
    portfolio = get_portfolio_for(request.user, portfolio_pk)
    version = _version_asked(request, portfolio.pk)
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
