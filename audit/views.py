"""Pages of the audit beyond its guided steps (those are ``audit.steps``, served by the one
guided-step view): the service data import and the KPIs."""

from __future__ import annotations

import logging

import pyarrow as pa
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from audit import charts, datasets, importing, kpi_compute, reading, selectors, services
from audit.forms import KpiSettingsForm, MappingForm, UploadForm
from audit.importing.dates import MONTH_FIRST
from audit.kpis import KPI_CATALOGUE
from audit.models import ChunkedUpload, ServiceDataImport
from audit.services import imports as service_imports
from core import concurrency, drafts, outbox
from core.access import can_edit, get_portfolio_for
from core.charts import chart_context
from core.formatting import uk_datetime_short

PREVIEW_ROWS = 10
log = logging.getLogger(__name__)

# --- Service data ---------------------------------------------------------------------


@login_required
def data_home(request: HttpRequest, portfolio_pk: int) -> HttpResponse:
    portfolio = get_portfolio_for(request.user, portfolio_pk)
    return render(
        request,
        "audit/data_home.html",
        {
            "portfolio": portfolio,
            "imports": list(selectors.imports_for(portfolio)),
            "form": UploadForm(),
            "is_owner": can_edit(request.user, portfolio),
            "canonical": importing.CANONICAL_COLUMNS,
            "presets": [preset for preset in importing.PRESETS.values() if preset.key != "canonical"],
            "piece_bytes": services.chunk_bytes(),
        },
    )


@login_required
@require_POST
def data_upload(request: HttpRequest, portfolio_pk: int) -> HttpResponse:
    portfolio = get_portfolio_for(request.user, portfolio_pk, write=True)
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            service_import = services.upload_service_data(
                portfolio=portfolio, upload=form.cleaned_data["file"], actor=request.user
            )
        except services.AuditError as error:
            form.add_error("file", str(error))
        else:
            return _after_upload(request, service_import)
    return render(
        request,
        "audit/data_home.html",
        {
            "portfolio": portfolio,
            "imports": list(selectors.imports_for(portfolio)),
            "form": form,
            "is_owner": True,
            "canonical": importing.CANONICAL_COLUMNS,
            "presets": [preset for preset in importing.PRESETS.values() if preset.key != "canonical"],
            "piece_bytes": services.chunk_bytes(),
        },
        status=400,
    )


# Resumable uploads (static/js/service_upload.js): JSON in and out; see audit.services.


def _upload_for(request: HttpRequest, portfolio_pk: int, upload_id) -> ChunkedUpload:
    """The learner's own upload to their portfolio; anyone else's is missing (404)."""
    portfolio = get_portfolio_for(request.user, portfolio_pk, write=True)
    return get_object_or_404(ChunkedUpload, pk=upload_id, portfolio=portfolio, owner=request.user)


def _json_error(message: str, status: int = 400, **extra) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status)


@login_required
@require_POST
def data_upload_start(request: HttpRequest, portfolio_pk: int) -> JsonResponse:
    portfolio = get_portfolio_for(request.user, portfolio_pk, write=True)
    try:
        size = int(request.POST.get("size", ""))
    except ValueError:
        return _json_error("Give the file's size in bytes.")
    try:
        upload = services.start_upload(
            portfolio=portfolio,
            file_name=request.POST.get("name", ""),
            size=size,
            sha256=request.POST.get("sha256", ""),
            actor=request.user,
        )
    except services.AuditError as error:
        return _json_error(str(error))
    return JsonResponse(
        {
            "id": str(upload.pk),
            "received": upload.received,
            "chunk_bytes": services.chunk_bytes(),
            "url": reverse("audit:data_upload_chunk", args=[portfolio.pk, upload.pk]),
            "finish_url": reverse("audit:data_upload_finish", args=[portfolio.pk, upload.pk]),
        },
        status=201,
    )


@login_required
@require_http_methods(["GET", "POST"])
def data_upload_chunk(request: HttpRequest, portfolio_pk: int, upload_id) -> JsonResponse:
    """GET: how much the server has. POST: the piece starting at ``?offset=``."""
    upload = _upload_for(request, portfolio_pk, upload_id)
    if request.method == "GET":
        return JsonResponse({"received": upload.received, "size": upload.size})
    try:
        offset = int(request.GET.get("offset", ""))
    except ValueError:
        return _json_error("Say where this piece starts (offset).")
    if len(request.body) > services.chunk_bytes():
        return _json_error("This piece is larger than the pieces the server takes.", status=413)
    try:
        received = services.append_chunk(
            upload=upload,
            offset=offset,
            data=request.body,
            actor=request.user,
            sha256=request.headers.get("X-Piece-SHA256", ""),
        )
    except services.ChunkOffsetError as error:
        return _json_error(str(error), status=409, received=error.received)
    except services.ChunkDamagedError as error:  # the browser sends the piece again
        return _json_error(str(error), status=422, received=error.received)
    except services.AuditError as error:
        return _json_error(str(error))
    return JsonResponse({"received": received, "size": upload.size})


@login_required
@require_POST
def data_upload_finish(request: HttpRequest, portfolio_pk: int, upload_id) -> JsonResponse:
    upload = _upload_for(request, portfolio_pk, upload_id)
    try:
        service_import = services.finish_upload(upload=upload, actor=request.user)
    except services.ChunkOffsetError as error:
        return _json_error(str(error), status=409, received=error.received)
    except services.AuditError as error:
        return _json_error(str(error))
    response = _after_upload(request, service_import)
    return JsonResponse({"redirect": response["Location"]})


def _after_upload(request: HttpRequest, service_import: ServiceDataImport) -> HttpResponse:
    """To the mapping if the file was read in the request, else to its progress page."""
    portfolio_pk = service_import.portfolio_id
    if service_import.status == ServiceDataImport.Status.RECEIVED:
        service_import.refresh_from_db()  # a worker without a broker (eager) has read it already
    if service_import.status == ServiceDataImport.Status.RECEIVED:
        messages.info(request, f"“{service_import.file_name}” uploaded: it is being read.")
        return redirect("audit:data_status", portfolio_pk=portfolio_pk, import_pk=service_import.pk)
    messages.success(request, f"“{service_import.file_name}” uploaded: check which column holds what.")
    return redirect("audit:data_map", portfolio_pk=portfolio_pk, import_pk=service_import.pk)


def _starting_mapping(request: HttpRequest, portfolio, service_import: ServiceDataImport):
    """The mapping to show: a preset or saved mapping the learner picked, else the file's own."""
    choice = request.GET.get("use", "")
    headers = set(service_import.headers)
    if choice.startswith("preset:") and choice[7:] in importing.PRESETS:
        preset = importing.PRESETS[choice[7:]]
        return {k: v for k, v in preset.columns.items() if v in headers}, preset.formats
    if choice.startswith("saved:") and choice[6:].isdigit():
        saved = get_object_or_404(portfolio.column_mappings, pk=int(choice[6:]))
        return {k: v for k, v in saved.columns.items() if v in headers}, saved.formats
    return service_import.columns, service_import.formats or importing.DEFAULT_FORMATS


@login_required
@concurrency.reshow_on_conflict
def data_map(request: HttpRequest, portfolio_pk: int, import_pk: int) -> HttpResponse:
    portfolio = get_portfolio_for(request.user, portfolio_pk, write=request.method == "POST")
    service_import = get_object_or_404(portfolio.service_imports, pk=import_pk)
    if not service_import.headers:  # still being read, or refused unread
        return redirect("audit:data_status", portfolio_pk=portfolio.pk, import_pk=service_import.pk)
    is_owner = can_edit(request.user, portfolio)
    edit = concurrency.edit_state(request, services.mapping_scope(service_import))
    columns, formats = _starting_mapping(request, portfolio, service_import)
    found = importing.DateOrder.of(service_import.date_order)
    formats = dict(formats)
    if found.must_ask:
        formats.pop("date_order", None)  # asked, not guessed: nothing chosen until the person does
    elif found.certain:
        formats["date_order"] = found.certain
    form = MappingForm(
        request.POST or None,
        headers=service_import.headers,
        date_order=found,
        initial=MappingForm.initial_for(columns, formats),
    )
    if request.method == "POST" and not edit.check([form]) and form.is_valid():
        columns, formats = form.mapping()
        try:
            services.map_columns(
                service_import=service_import,
                columns=columns,
                formats=formats,
                save_as=form.cleaned_data["save_as"],
                actor=request.user,
                token=edit.posted,
            )
        except services.AuditError as error:
            form.add_error(None, str(error))
        else:
            return redirect("audit:data_preview", portfolio_pk=portfolio.pk, import_pk=service_import.pk)
    if is_owner:
        drafts.offer(edit, request, [form])
    return render(
        request,
        "audit/data_map.html",
        {
            "portfolio": portfolio,
            "service_import": service_import,
            "form": form,
            "presets": list(importing.PRESETS.values()),
            "samples": [
                (header, service_import.samples.get(header, [])) for header in service_import.headers
            ],
            "saved": list(portfolio.column_mappings.all()),
            "is_owner": is_owner,
            "edit": edit if is_owner else None,
        },
        status=409 if edit.conflict else 400 if request.method == "POST" else 200,
    )


@login_required
def data_preview(request: HttpRequest, portfolio_pk: int, import_pk: int) -> HttpResponse:
    portfolio = get_portfolio_for(request.user, portfolio_pk)
    service_import = get_object_or_404(portfolio.service_imports, pk=import_pk)
    if not service_import.columns:
        return redirect("audit:data_map", portfolio_pk=portfolio.pk, import_pk=service_import.pk)
    result = None
    preview_rows: list[list] = []
    if service_import.status in {ServiceDataImport.Status.MAPPED, ServiceDataImport.Status.UPLOADED}:
        try:
            table = services.stored_table(service_import)
        except reading.FileProblem as problem:
            result = importing.CheckResult(None, [importing.Problem(1, "file", str(problem))], 1)
        else:
            if service_import.file_size <= service_imports.ASYNC_IMPORT_BYTES:
                result = services.check_import(service_import, table)
            preview_rows = _preview_rows(service_import, table)
    mapped = [
        (column.label, service_import.columns.get(column.key, "")) for column in importing.CANONICAL_COLUMNS
    ]
    return render(
        request,
        "audit/data_preview.html",
        {
            "portfolio": portfolio,
            "service_import": service_import,
            "mapped": mapped,
            "preview_rows": preview_rows,
            "result": result,
            "is_owner": can_edit(request.user, portfolio),
        },
    )


DATE_KEYS = {"received_at", "first_response_at", "resolved_at"}


def _preview_rows(service_import: ServiceDataImport, table: pa.Table) -> list[list]:
    """The first rows under our columns; date-times as they will be read ("4 Sep 2026 14:05", UK
    time), so a wrong date order shows before anything is imported."""
    table = table.slice(0, PREVIEW_ROWS)
    sources = [service_import.columns.get(column.key) for column in importing.CANONICAL_COLUMNS]
    month_first = service_import.formats.get("date_order") == MONTH_FIRST
    cells = {
        source: importing.cell_texts(table[source])
        for source in sources
        if source and source in table.column_names
    }
    for key in DATE_KEYS:
        source = service_import.columns.get(key)
        if source in cells:
            read = importing.parse_datetimes(table[source].combine_chunks(), month_first=month_first)
            cells[source] = [
                uk_datetime_short(moment) if moment is not None else raw
                for moment, raw in zip(read.to_pylist(), cells[source], strict=True)
            ]
    return [
        [cells[source][i] if source in cells else "" for source in sources] for i in range(table.num_rows)
    ]


@login_required
@require_POST
def data_import(request: HttpRequest, portfolio_pk: int, import_pk: int) -> HttpResponse:
    portfolio = get_portfolio_for(request.user, portfolio_pk, write=True)
    service_import = get_object_or_404(portfolio.service_imports, pk=import_pk)
    try:
        with outbox.watch() as queued:
            service_import = services.start_import(service_import=service_import, actor=request.user)
    except services.AuditError as error:
        messages.error(request, str(error))
        return redirect("audit:data_preview", portfolio_pk=portfolio.pk, import_pk=service_import.pk)
    if queued.delayed:
        messages.success(
            request,
            "Your file is saved and waiting to be imported. The service that imports large files "
            "is not answering just now: the import will start as soon as it is back.",
        )
    elif service_import.status == ServiceDataImport.Status.DONE:
        count = service_import.row_count
        messages.success(
            request,
            ngettext("{} interaction imported.", "{} interactions imported.", count).format(f"{count:,}"),
        )
    return redirect("audit:data_status", portfolio_pk=portfolio.pk, import_pk=service_import.pk)


@login_required
def data_status(request: HttpRequest, portfolio_pk: int, import_pk: int) -> HttpResponse:
    portfolio = get_portfolio_for(request.user, portfolio_pk)
    service_import = get_object_or_404(portfolio.service_imports, pk=import_pk)
    is_owner = can_edit(request.user, portfolio)
    if request.htmx and is_owner and service_import.status == ServiceDataImport.Status.UPLOADED:
        # The page was polling while a worker read the file: on to the mapping.
        response = HttpResponse()
        response["HX-Redirect"] = reverse("audit:data_map", args=[portfolio.pk, service_import.pk])
        return response
    template = "audit/data_status.html#status" if request.htmx else "audit/data_status.html"
    return render(
        request,
        template,
        {
            "portfolio": portfolio,
            "service_import": service_import,
            "is_owner": is_owner,
        },
    )


@login_required
@require_POST
def data_delete(request: HttpRequest, portfolio_pk: int, import_pk: int) -> HttpResponse:
    portfolio = get_portfolio_for(request.user, portfolio_pk, write=True)
    service_import = get_object_or_404(portfolio.service_imports, pk=import_pk)
    try:
        services.delete_import(service_import=service_import, actor=request.user)
    except services.AuditError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"“{service_import.file_name}” and its interactions were deleted.")
    return redirect("audit:data", portfolio_pk=portfolio.pk)


# --- KPIs -----------------------------------------------------------------------------


def _kpi_rows(values: dict, comparison) -> list[dict]:
    rows = []
    for key, kpi in KPI_CATALOGUE.items():
        row = {"kpi": kpi, "value": values.get(key)}
        if comparison is not None:
            row.update(comparison.loc[key].to_dict())
        rows.append(row)
    return rows


def _table(frame, index_label) -> dict:
    return {
        "index_label": index_label,
        "columns": [KPI_CATALOGUE[key] for key in frame.columns],
        "rows": [
            (label, list(values))
            for label, values in zip(frame.index, frame.itertuples(index=False), strict=True)
        ],
    }


@login_required
@concurrency.reshow_on_conflict
def kpis(request: HttpRequest, portfolio_pk: int) -> HttpResponse:
    portfolio = get_portfolio_for(request.user, portfolio_pk, write=request.method == "POST")
    is_owner = can_edit(request.user, portfolio)
    edit = concurrency.edit_state(request, concurrency.portfolio_scope(portfolio.pk, "audit.kpi_settings"))
    kpi_settings = selectors.kpi_settings_for(portfolio)
    settings_form = KpiSettingsForm(request.POST or None, instance=kpi_settings)
    if request.method == "POST" and not edit.check([settings_form]) and settings_form.is_valid():
        services.save_kpi_settings(
            portfolio=portfolio,
            values=services.KpiSettingsInput(**settings_form.cleaned_data),
            actor=request.user,
            token=edit.posted,
        )
        messages.success(request, "Service level and periods saved; the figures below use them.")
        return redirect("audit:kpis", portfolio_pk=portfolio.pk)
    service_import = selectors.current_import(portfolio)
    if settings_form.is_bound:
        kpi_settings = selectors.kpi_settings_for(portfolio)  # the form changed the instance it was given
    try:
        view = selectors.kpi_view(portfolio, service_import, kpi_settings)
    except datasets.DatasetUnavailable:
        log.exception("service data %s could not be read", service_import.pk)
        messages.error(
            request,
            f"The imported data of “{service_import.file_name}” could not be read from storage. "
            "Import the file again; if this keeps happening, tell your tutor.",
        )
        service_import = None
        view = selectors.kpi_view(portfolio, None, kpi_settings)
    context = {
        "portfolio": portfolio,
        "service_import": service_import,
        "view": view,
        "settings_form": settings_form,
        "is_owner": is_owner,
        "edit": edit if is_owner else None,
        "kpi_rows": _kpi_rows(view.overall, view.comparison),
        "charts": [],
    }
    if not view.frame.empty:
        by_platform = view.by_platform.rename(index=charts.PLATFORM_LABELS)
        context["platform_table"] = _table(by_platform, "Platform")
        context["week_table"] = _table(
            view.by_week.set_axis([d.strftime("%-d %b %Y") for d in view.by_week.index]), "Week beginning"
        )
        context["percentiles"] = kpi_compute.first_response_percentiles(view.frame)
        context["charts"] = _charts(view)
    if is_owner:
        drafts.offer(edit, request, [settings_form])
    status = 409 if edit.conflict else 400 if request.method == "POST" else 200
    return render(request, "audit/kpis.html", context, status=status)


def _charts(view: selectors.KpiView) -> list[dict]:
    sla = view.settings.sla_minutes
    return [
        chart_context(
            charts.volume_by_week_figure(kpi_compute.weekly_volume_by_platform(view.frame)),
            element_id="chart-volume",
            title="Contacts per week by platform",
            description="Stacked bars, one colour per platform; the table of weekly figures follows.",
        ),
        chart_context(
            charts.first_response_figure(view.frame, sla_minutes=sla),
            element_id="chart-first-response",
            title="How long customers waited for a first response",
            description=f"Histogram in half hours, with the median, the 90th percentile and the {sla}-minute "
            "target marked.",
        ),
        chart_context(
            charts.baseline_follow_up_figure(
                view.comparison, baseline_label=view.baseline.label(), follow_up_label=view.follow_up.label()
            ),
            element_id="chart-comparison",
            title="Baseline against follow-up",
            description="Pairs of bars per measure; the same figures are in the comparison table.",
        ),
        chart_context(
            charts.satisfaction_figure(view.by_week),
            element_id="chart-satisfaction",
            title="Satisfaction per week",
            description="CSAT on the left scale (per cent), NPS on the right (−100 to +100).",
        ),
    ]
