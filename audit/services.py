"""Writes for the audit: guided steps, service data imports, KPI settings.

Each takes the acting user, runs in one transaction and raises ``AuditError`` with
a message for the learner when a rule is broken.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import get_valid_filename

from audit import importing, reading
from audit.models import ColumnMapping, Interaction, KpiSettings, ServiceDataImport
from portfolio.models import Portfolio, User

log = logging.getLogger(__name__)

# Files above this size are imported by a background task; smaller ones at once.
ASYNC_IMPORT_BYTES = 1024 * 1024
INSERT_BATCH = 20_000


class AuditError(Exception):
    """A rule of the domain was broken; the message is shown to the user."""


# --- Service data import --------------------------------------------------------------


def _size_limit_message(size: int) -> str:
    return (
        f"The file is {size / 1_048_576:.1f} MB; the limit is {settings.MAX_UPLOAD_MB} MB. "
        "Export a shorter period, or split the file."
    )


@transaction.atomic
def upload_service_data(*, portfolio: Portfolio, upload: UploadedFile, actor: User) -> ServiceDataImport:
    """Keep the file and read its headers; the columns are mapped next."""
    if upload.size > settings.MAX_UPLOAD_BYTES:
        raise AuditError(_size_limit_message(upload.size))
    raw = upload.read(settings.MAX_UPLOAD_BYTES + 1)
    if len(raw) > settings.MAX_UPLOAD_BYTES:
        raise AuditError(_size_limit_message(len(raw)))
    name = get_valid_filename(upload.name or "interactions.csv")[-200:] or "interactions.csv"
    try:
        frame = reading.read_table(raw, name)
    except reading.FileProblem as problem:
        raise AuditError(str(problem)) from None
    headers = list(frame.columns)
    guessed, formats = importing.guess_mapping(headers)
    service_import = ServiceDataImport(
        portfolio=portfolio,
        file_name=name,
        file_size=len(raw),
        headers=headers,
        columns=guessed,
        formats=formats,
        row_count=len(frame.index),
        created_by=actor,
    )
    service_import.file.save(name, ContentFile(raw), save=False)
    service_import.save()
    log.info(
        "service data %s uploaded to portfolio %s by %s", service_import.pk, portfolio.pk, actor.username
    )
    return service_import


def _clean_mapping(service_import: ServiceDataImport, columns: dict[str, str], formats: dict[str, str]):
    known = set(service_import.headers)
    columns = {key: source for key, source in columns.items() if key in importing.CANONICAL_LABELS and source}
    unknown = [source for source in columns.values() if source not in known]
    if unknown:
        raise AuditError(f"These columns are not in the file: {', '.join(unknown)}.")
    for key in ("platform", "received_at"):
        if key not in columns:
            raise AuditError(f"Choose the column that holds “{importing.CANONICAL_LABELS[key]}”.")
    clean_formats = dict(importing.DEFAULT_FORMATS)
    for name, choices in importing.FORMAT_CHOICES.items():
        if formats.get(name) in {value for value, _label in choices}:
            clean_formats[name] = formats[name]
    return columns, clean_formats


@transaction.atomic
def map_columns(
    *,
    service_import: ServiceDataImport,
    columns: dict[str, str],
    formats: dict[str, str],
    save_as: str = "",
    actor: User,
) -> ServiceDataImport:
    """Record which file column holds each canonical column; optionally keep it for next time."""
    if service_import.status not in {
        ServiceDataImport.Status.UPLOADED,
        ServiceDataImport.Status.MAPPED,
        ServiceDataImport.Status.FAILED,
    }:
        raise AuditError("This file has already been imported.")
    columns, formats = _clean_mapping(service_import, columns, formats)
    service_import.columns = columns
    service_import.formats = formats
    service_import.status = ServiceDataImport.Status.MAPPED
    service_import.errors, service_import.error_count = [], 0
    if save_as.strip():
        ColumnMapping.objects.update_or_create(
            portfolio=service_import.portfolio,
            name=save_as.strip()[:100],
            defaults={"columns": columns, "formats": formats},
        )
        service_import.mapping_name = save_as.strip()[:100]
    service_import.save()
    return service_import


def check_import(service_import: ServiceDataImport) -> importing.CheckResult:
    """Read the stored file and check every row against the mapping (no writes)."""
    with service_import.file.open("rb") as handle:
        raw = handle.read()
    try:
        frame = reading.read_table(raw, service_import.file_name)
    except reading.FileProblem as problem:
        return importing.CheckResult(None, [importing.Problem(1, "file", str(problem))], 1)
    return importing.check_rows(frame, service_import.columns, service_import.formats)


def start_import(*, service_import: ServiceDataImport, actor: User) -> ServiceDataImport:
    """Import now if the file is small, else queue it for a worker; the page shows progress."""
    from audit.tasks import run_service_import

    with transaction.atomic():
        locked = ServiceDataImport.objects.select_for_update().get(pk=service_import.pk)
        if locked.status != ServiceDataImport.Status.MAPPED:
            raise AuditError("Map the columns and check the preview before importing.")
        locked.status = ServiceDataImport.Status.QUEUED
        locked.stage, locked.progress = "Waiting for a worker", 0
        locked.save(update_fields=["status", "stage", "progress"])
        if locked.file_size > ASYNC_IMPORT_BYTES:
            transaction.on_commit(lambda: run_service_import.delay(locked.pk))
    log.info("service data %s import started by %s", locked.pk, actor.username)
    if locked.file_size <= ASYNC_IMPORT_BYTES:
        execute_import(locked)
    locked.refresh_from_db()
    return locked


def _set_stage(service_import: ServiceDataImport, stage: str, progress: int, **fields) -> None:
    service_import.stage, service_import.progress = stage, progress
    for name, value in fields.items():
        setattr(service_import, name, value)
    ServiceDataImport.objects.filter(pk=service_import.pk).update(stage=stage, progress=progress, **fields)


def execute_import(service_import: ServiceDataImport) -> ServiceDataImport:
    """Check every row, then write all of them or none. Called in-process or by the task."""
    _set_stage(service_import, "Reading and checking every row", 10, status=ServiceDataImport.Status.RUNNING)
    result = check_import(service_import)
    if not result.ok:
        _set_stage(
            service_import,
            "Refused: nothing was imported",
            100,
            status=ServiceDataImport.Status.FAILED,
            errors=[problem.as_dict() for problem in result.problems],
            error_count=result.problem_count,
            finished_at=timezone.now(),
        )
        return service_import
    _set_stage(service_import, f"Saving {len(result.frame.index):,} interactions", 50)
    with transaction.atomic():
        service_import.interactions.all().delete()
        insert_interactions(service_import=service_import, frame=result.frame)
        _set_stage(
            service_import,
            "Imported",
            100,
            status=ServiceDataImport.Status.DONE,
            row_count=len(result.frame.index),
            errors=[],
            error_count=0,
            finished_at=timezone.now(),
        )
    return service_import


def _nullable(series: pd.Series) -> list:
    return series.astype(object).where(series.notna(), None).tolist()


def insert_interactions(*, service_import: ServiceDataImport, frame: pd.DataFrame) -> None:
    """Write the checked rows in large batches with one prepared INSERT.

    ``bulk_create`` builds a model instance per row; at 100,000 rows that costs more
    than the checks, so the columns go straight from pandas to ``executemany``.
    """
    received = frame["received_at"].dt.tz_convert("UTC")
    if connection.vendor == "sqlite":
        # The text form Django's SQLite backend stores and reads back for aware datetimes.
        # numpy formats in C; pandas' strftime goes through Python per value.
        iso = np.datetime_as_string(received.dt.tz_localize(None).to_numpy(dtype="datetime64[s]"), unit="s")
        received_values = np.char.replace(iso, "T", " ").tolist()
    else:
        received_values = received.dt.to_pydatetime().tolist()
    fcr = frame["resolved_first_contact"]
    columns = [
        [service_import.pk] * len(frame.index),
        frame["platform"].tolist(),
        received_values,
        _nullable(frame["first_response_minutes"]),
        _nullable(frame["resolution_minutes"]),
        [None if pd.isna(v) else bool(v) for v in fcr.tolist()],
        _nullable(frame["satisfaction"]),
        _nullable(frame["nps"]),
        frame["sentiment"].fillna("").tolist(),
    ]
    rows = list(zip(*columns, strict=True))
    table = connection.ops.quote_name(Interaction._meta.db_table)
    names = ", ".join(
        connection.ops.quote_name(Interaction._meta.get_field(name).column)
        for name in (
            "service_import",
            "platform",
            "received_at",
            "first_response_minutes",
            "resolution_minutes",
            "resolved_first_contact",
            "satisfaction",
            "nps",
            "sentiment",
        )
    )
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * 9)})"  # noqa: S608 — fixed names
    with connection.cursor() as cursor:
        for start in range(0, len(rows), INSERT_BATCH):
            cursor.executemany(sql, rows[start : start + INSERT_BATCH])


@transaction.atomic
def delete_import(*, service_import: ServiceDataImport, actor: User) -> None:
    if service_import.is_active:
        raise AuditError("This file is being imported; wait for it to finish before deleting it.")
    service_import.file.delete(save=False)
    service_import.delete()
    log.info("service data %s deleted by %s", service_import.pk, actor.username)


# --- KPI settings ---------------------------------------------------------------------


@dataclass
class KpiSettingsInput:
    sla_minutes: int
    baseline_start: object = None
    baseline_end: object = None
    follow_up_start: object = None
    follow_up_end: object = None


@transaction.atomic
def save_kpi_settings(*, portfolio: Portfolio, values: KpiSettingsInput, actor: User) -> KpiSettings:
    pairs = [(values.baseline_start, values.baseline_end), (values.follow_up_start, values.follow_up_end)]
    for start, end in pairs:
        if (start is None) != (end is None):
            raise AuditError("Give both the first and the last day of a period, or neither.")
        if start and end and end < start:
            raise AuditError("A period cannot end before it starts.")
    if values.sla_minutes < 1:
        raise AuditError("The first response target must be at least one minute.")
    kpi_settings, _ = KpiSettings.objects.update_or_create(
        portfolio=portfolio,
        defaults={
            "sla_minutes": values.sla_minutes,
            "baseline_start": values.baseline_start,
            "baseline_end": values.baseline_end,
            "follow_up_start": values.follow_up_start,
            "follow_up_end": values.follow_up_end,
        },
    )
    log.info("KPI settings of portfolio %s saved by %s", portfolio.pk, actor.username)
    return kpi_settings


# --- Guided audit steps ---------------------------------------------------------------


@dataclass
class StepState:
    complete: bool
    summary: str
    missing: list[str]


def step_state(*, step, portfolio: Portfolio, header, rows: list) -> StepState:
    """Whether a step is complete, what is missing, and a one-line summary."""
    from audit.models import OrganisationProfile

    missing = []
    complete_rows = [row for row in rows if step.row_complete(row)]
    if len(complete_rows) < step.min_rows:
        missing.append(f"at least {step.min_rows} {step.row_label} rows with {step.row_needs}")
    elif len(complete_rows) < len(rows):
        missing.append(f"{len(rows) - len(complete_rows)} {step.row_label} rows still need {step.row_needs}")
    if isinstance(header, OrganisationProfile):
        for name, label in (
            ("name", "the organisation's name"),
            ("service_offer", "the service offer"),
            ("products", "its products and services"),
        ):
            if not getattr(header, name).strip():
                missing.append(label)
        subject = header.name.strip() or "Organisation not named yet"
    else:
        if step.note_needed and not (header.text or "").strip():
            missing.append(step.note_label[0].lower() + step.note_label[1:])
        subject = step.title
    noun = step.row_label + ("" if len(rows) == 1 else "s")
    summary = f"{subject}: {len(rows)} {noun}, {len(complete_rows)} complete."
    return StepState(complete=not missing, summary=summary, missing=missing)


@transaction.atomic
def save_step(*, step, portfolio: Portfolio, header, rows: list, deleted: list, actor: User) -> StepState:
    """Save the step as it stands (a draft is fine) and record it as evidence."""
    from evidence.services import record_section

    header.portfolio = portfolio
    header.save()
    for row in deleted:
        if row.pk and row.portfolio_id == portfolio.pk:
            row.delete()
    for position, row in enumerate(rows):
        row.portfolio = portfolio
        row.position = position
        row.save()
    state = step_state(step=step, portfolio=portfolio, header=header, rows=rows)
    record_section(
        portfolio=portfolio, key=step.key, complete=state.complete, summary=state.summary, actor=actor
    )
    return state
