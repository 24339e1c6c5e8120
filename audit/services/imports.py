"""Service data, once read: the column mapping, the check of every row, and the import
(in the request or by a worker) that keeps all the rows or none; and deleting an import."""

from __future__ import annotations

import logging

import pyarrow as pa
from django.db import transaction
from django.utils import timezone
from django.utils.translation import ngettext

from audit import arrowfiles, datasets, importing, reading
from audit.models import ColumnMapping, ServiceDataImport, VersionDataset
from audit.services.errors import AuditError
from core import concurrency, outbox
from core.models import Portfolio, User

log = logging.getLogger(__name__)


# Files above this size are read and imported by a background task; smaller ones at once.
ASYNC_IMPORT_BYTES = 1024 * 1024


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
def mapping_scope(service_import: ServiceDataImport) -> str:
    """The column mapping of one upload, as a record the version token guards."""
    return concurrency.portfolio_scope(service_import.portfolio_id, f"audit.data.{service_import.pk}")


def map_columns(
    *,
    service_import: ServiceDataImport,
    columns: dict[str, str],
    formats: dict[str, str],
    save_as: str = "",
    actor: User,
    token: str | None = None,
) -> ServiceDataImport:
    """Record which file column holds each canonical column; optionally keep it for next time.
    ``token``: the mapping's revision the page was opened at (``EditConflict`` if stale)."""
    concurrency.claim(scope=mapping_scope(service_import), token=token, actor=actor)
    if service_import.status not in {
        ServiceDataImport.Status.UPLOADED,
        ServiceDataImport.Status.MAPPED,
        ServiceDataImport.Status.FAILED,
    }:
        raise AuditError("This file has already been imported.")
    if not service_import.file.name or not service_import.headers:
        raise AuditError("This file could not be read; upload it again.")
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


def stored_table(service_import: ServiceDataImport) -> pa.Table:
    """The file as it was read at upload. Raises ``reading.FileProblem``."""
    try:
        data = arrowfiles.load_buffer(service_import.file.name, storage=service_import.file.storage)
    except FileNotFoundError:
        raise reading.FileProblem("The uploaded file is missing from the storage; upload it again.") from None
    return reading.from_stored(data, service_import.file_name)


def check_import(service_import: ServiceDataImport, table: pa.Table | None = None) -> importing.CheckResult:
    """Check every row of the file as read at upload against the mapping (no writes).
    ``table``: the kept table, when the caller has read it already."""
    try:
        table = stored_table(service_import) if table is None else table
    except reading.FileProblem as problem:
        return importing.CheckResult(None, [importing.Problem(1, "file", str(problem))], 1)
    return importing.check_rows(table, service_import.columns, service_import.formats)


def start_import(*, service_import: ServiceDataImport, actor: User) -> ServiceDataImport:
    """Import now if the file is small, else queue it for a worker; the page shows progress."""
    with transaction.atomic():
        locked = ServiceDataImport.objects.select_for_update().get(pk=service_import.pk)
        if locked.status != ServiceDataImport.Status.MAPPED:
            raise AuditError("Map the columns and check the preview before importing.")
        locked.status = ServiceDataImport.Status.QUEUED
        locked.stage, locked.progress = "Waiting for a worker", 0
        locked.save(update_fields=["status", "stage", "progress"])
        if locked.file_size > ASYNC_IMPORT_BYTES:
            # By name: the task module imports this one.
            outbox.enqueue("audit.tasks.run_service_import", args=[locked.pk])
    log.info("service data %s import started by %s", locked.pk, actor.username)
    if locked.file_size <= ASYNC_IMPORT_BYTES:
        execute_import(locked)
    locked.refresh_from_db()
    return locked


def _count(count: int, singular: str, plural: str) -> str:
    """The words with the count agreeing: "Saving 1 interaction", "Saving 1,200 interactions"."""
    return ngettext(singular, plural, count).format(f"{count:,}")


def _set_stage(service_import: ServiceDataImport, stage: str, progress: int, **fields) -> None:
    service_import.stage, service_import.progress = stage, progress
    for name, value in fields.items():
        setattr(service_import, name, value)
    ServiceDataImport.objects.filter(pk=service_import.pk).update(stage=stage, progress=progress, **fields)


def execute_import(service_import: ServiceDataImport) -> ServiceDataImport:
    """Check every row, then keep all of them or none. Called in-process or by the task.

    The rows are kept as one Arrow IPC file (audit.datasets). It is written before the row
    says "done", in the same step, and removed again if that step fails: there is never a
    dataset without a finished import, nor a finished import without its dataset.
    """
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
    rows = result.table.num_rows
    _set_stage(service_import, _count(rows, "Saving {} interaction", "Saving {} interactions"), 50)
    storage = service_import.dataset.storage
    name, digest = datasets.write(
        result.table,
        name=datasets.storage_name(portfolio_id=service_import.portfolio_id, import_id=service_import.pk),
        storage=storage,
    )
    try:
        with transaction.atomic():
            _set_stage(
                service_import,
                "Imported",
                100,
                status=ServiceDataImport.Status.DONE,
                dataset=name,
                dataset_sha256=digest,
                row_count=rows,
                errors=[],
                error_count=0,
                finished_at=timezone.now(),
            )
    except BaseException:
        storage.delete(name)
        raise
    return service_import


@transaction.atomic
def delete_import(*, service_import: ServiceDataImport, actor: User) -> None:
    """Delete the import, its uploaded file and its dataset, unless a submitted version
    was computed from that dataset: then the file stays, as the version's record."""
    # The same lock as submit_portfolio takes: a version is either submitted before this
    # delete (and its VersionDataset seen below) or after it (and without this import).
    Portfolio.objects.select_for_update().filter(pk=service_import.portfolio_id).first()
    if service_import.is_active:
        raise AuditError("This file is being imported; wait for it to finish before deleting it.")
    names = [service_import.file.name]
    dataset = service_import.dataset.name
    if dataset and not VersionDataset.objects.filter(name=dataset).exists():
        names.append(dataset)
    storage = service_import.file.storage

    def delete_files() -> None:
        for name in names:
            if name:
                storage.delete(name)

    # Files go once the rows are gone: a rolled-back delete keeps them.
    transaction.on_commit(delete_files)
    log.info("service data %s deleted by %s", service_import.pk, actor.username)
    service_import.delete()
