"""Writes for the audit: guided steps, service data imports, KPI settings.

Each takes the acting user, runs in one transaction and raises ``AuditError`` with
a message for the learner when a rule is broken.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pyarrow as pa
from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import ngettext

from audit import arrowfiles, datasets, importing, reading, unpacking
from audit.models import (
    ChunkedUpload,
    ColumnMapping,
    KpiSettings,
    OrganisationProfile,
    ServiceDataImport,
    VersionDataset,
)
from core import concurrency, outbox
from core.guided import StepStatus
from core.models import Portfolio, User
from evidence.services import record_section

log = logging.getLogger(__name__)

# Files above this size are read and imported by a background task; smaller ones at once.
ASYNC_IMPORT_BYTES = 1024 * 1024
READ_IN_REQUEST_BYTES = ASYNC_IMPORT_BYTES


class AuditError(Exception):
    """A rule of the domain was broken; the message is shown to the user."""


# --- Service data import --------------------------------------------------------------


def _mb(size: int) -> str:
    return f"{size / 1_048_576:.1f}"


def upload_limit(*, compressed: bool) -> int:
    """The largest upload taken, in bytes: a compressed file (or a workbook, a zip file too)
    as uploaded, else the CSV itself."""
    if compressed:
        return settings.SERVICE_DATA_MAX_COMPRESSED_BYTES
    return settings.SERVICE_DATA_MAX_UPLOAD_BYTES


def _size_limit_message(size: int, *, compressed: bool = False) -> str:
    limit = upload_limit(compressed=compressed)
    kind = "a compressed file or workbook" if compressed else "service data"
    return (
        f"The file is {_mb(size)} MB; the limit for {kind} is {limit / 1_048_576:g} MB. "
        "Export a shorter period, or split the file."
    )


def _valid_name(name: str | None) -> str:
    return get_valid_filename(name or "interactions.csv")[-200:] or "interactions.csv"


@transaction.atomic
def upload_service_data(*, portfolio: Portfolio, upload: UploadedFile, actor: User) -> ServiceDataImport:
    """Take an uploaded file of interactions; the columns are mapped next.

    A small plain file is read here, in the request, and kept as read (an Arrow file). A
    larger one, or any compressed one (.csv.gz, .zip: a few kilobytes may unpack to the
    limit), is kept as uploaded and read by a worker (``read_upload``), the import's page
    showing progress. Either way the file is parsed once: the preview and the import read
    the kept table."""
    name = _valid_name(upload.name)
    upload.seek(0)
    head = upload.read(4)
    upload.seek(0)
    compressed = bool(unpacking.compression(head, name))
    packed = compressed or head.startswith(reading.XLSX_MAGIC)  # a workbook is a zip file too
    limit = upload_limit(compressed=packed)
    if upload.size > limit:
        raise AuditError(_size_limit_message(upload.size, compressed=packed))
    if compressed or upload.size > READ_IN_REQUEST_BYTES:
        return _receive_upload(portfolio=portfolio, upload=upload, name=name, actor=actor)
    raw = upload.read(limit + 1)
    if len(raw) > limit:
        raise AuditError(_size_limit_message(len(raw)))
    try:
        if packed:
            unpacking.refuse_large_workbook(io.BytesIO(raw), limit=settings.SERVICE_DATA_MAX_UPLOAD_BYTES)
        table = reading.read_table(raw, name)
    except reading.FileProblem as problem:
        raise AuditError(str(problem)) from None
    service_import = ServiceDataImport(
        portfolio=portfolio, file_name=name, file_size=len(raw), created_by=actor, stage="Read"
    )
    _describe_table(service_import, table)
    storage = service_import.file.storage
    service_import.file.name = _keep_table(service_import, table)
    try:
        service_import.save()
    except BaseException:
        storage.delete(service_import.file.name)
        raise
    log.info(
        "service data %s uploaded to portfolio %s by %s", service_import.pk, portfolio.pk, actor.username
    )
    return service_import


def _describe_table(service_import: ServiceDataImport, table: pa.Table) -> None:
    headers = list(table.column_names)
    service_import.headers = headers
    service_import.columns, service_import.formats = importing.guess_mapping(headers)
    service_import.row_count = table.num_rows


def _keep_table(service_import: ServiceDataImport, table: pa.Table) -> str:
    """Keep the table as read (an Arrow IPC file); the storage name."""
    kept, _digest = arrowfiles.save_table(
        reading.for_storing(table),
        name=service_import.file.field.generate_filename(
            service_import, f"{service_import.file_name}{reading.STORED_SUFFIX}"
        ),
        storage=service_import.file.storage,
        digest=False,
    )
    return kept


def _receive_upload(
    *, portfolio: Portfolio, upload: UploadedFile, name: str, actor: User
) -> ServiceDataImport:
    """Keep the upload as it came (a local storage moves Django's temporary file into
    place) and queue a worker to read it."""
    service_import = ServiceDataImport(
        portfolio=portfolio,
        file_name=name,
        file_size=upload.size,
        status=ServiceDataImport.Status.RECEIVED,
        stage="Waiting for a worker to read the file",
        created_by=actor,
    )
    service_import.file.save(f"upload-{name}", upload, save=False)
    try:
        service_import.save()
    except BaseException:
        service_import.file.storage.delete(service_import.file.name)
        raise
    outbox.enqueue("audit.tasks.read_service_upload", args=[service_import.pk])
    log.info(
        "service data %s received for portfolio %s by %s (%s bytes), to be read by a worker",
        service_import.pk,
        portfolio.pk,
        actor.username,
        upload.size,
    )
    return service_import


@contextlib.contextmanager
def _local_file(name: str, storage: Storage) -> Iterator[str]:
    """A path on this machine to the stored file: its own for a local storage, else a
    temporary copy (streamed, never whole in memory), removed afterwards."""
    path = arrowfiles.local_path(name, storage)
    if path is not None:
        yield path
        return
    handle = tempfile.NamedTemporaryFile(dir=settings.FILE_UPLOAD_TEMP_DIR, suffix=".upload", delete=False)  # noqa: SIM115
    try:
        with handle, storage.open(name, "rb") as source:
            shutil.copyfileobj(source, handle, reading.CHUNK_BYTES)
        yield handle.name
    finally:
        os.remove(handle.name)


def _read_received(service_import: ServiceDataImport) -> tuple[pa.Table, int]:
    """The table in a received upload (unpacked if compressed), and the CSV's size."""
    limit = settings.SERVICE_DATA_MAX_UPLOAD_BYTES
    storage = service_import.file.storage
    with _local_file(service_import.file.name, storage) as path:
        with open(path, "rb") as upload:
            unpacked = unpacking.unpack(
                upload, service_import.file_name, limit=limit, folder=settings.FILE_UPLOAD_TEMP_DIR
            )
        try:
            if unpacked is not None:
                _set_stage(service_import, "Unpacked; reading every row", 40)
            size = os.path.getsize(unpacked or path)
            if size > limit:
                raise reading.FileProblem(_size_limit_message(size))
            if unpacked is None:
                with open(path, "rb") as upload:
                    unpacking.refuse_large_workbook(upload, limit=limit)
            return reading.read_path(unpacked or path, service_import.file_name), size
        finally:
            if unpacked is not None:
                os.remove(unpacked)


def read_upload(service_import: ServiceDataImport) -> ServiceDataImport:
    """Read a received upload (in a worker) and keep it as read, as ``upload_service_data``
    does for a small file; or refuse it, keeping nothing but the reason."""
    received = service_import.file.name
    storage = service_import.file.storage
    _set_stage(service_import, "Reading the file", 10)
    try:
        table, size = _read_received(service_import)
    except reading.FileProblem as problem:
        refuse_upload(service_import, str(problem))
        return service_import
    _set_stage(
        service_import, _count(table.num_rows, "Keeping {} row as read", "Keeping {} rows as read"), 80
    )
    _describe_table(service_import, table)
    kept = _keep_table(service_import, table)
    del table
    try:
        with transaction.atomic():
            _set_stage(
                service_import,
                "Read",
                100,
                status=ServiceDataImport.Status.UPLOADED,
                file=kept,
                file_size=size,
                headers=service_import.headers,
                columns=service_import.columns,
                formats=service_import.formats,
                row_count=service_import.row_count,
            )
    except BaseException:
        storage.delete(kept)
        raise
    storage.delete(received)
    return service_import


def refuse_upload(service_import: ServiceDataImport, message: str) -> None:
    """The upload could not be read: keep only the reason (no file, no table)."""
    if service_import.file.name:
        service_import.file.storage.delete(service_import.file.name)
    _set_stage(
        service_import,
        "Refused: the file could not be read; nothing was stored",
        100,
        status=ServiceDataImport.Status.FAILED,
        file="",
        errors=[{"row": 1, "column": "file", "message": message}],
        error_count=1,
        finished_at=timezone.now(),
    )


# --- Resumable uploads ------------------------------------------------------------------
#
# A large file over a slow link goes in pieces (static/js/service_upload.js): the browser
# starts an upload (name, size, SHA-256), sends each piece with the offset it starts at,
# and on a network error asks the server how much it has and goes on from there. Sending
# a piece twice changes nothing. The last call checks size and SHA-256 and hands the file
# to ``upload_service_data``, as if it had come in one request.


class ChunkOffsetError(AuditError):
    """A piece that does not start where the upload stands; ``received`` says where."""

    def __init__(self, received: int) -> None:
        super().__init__(f"The server has {received} bytes of this file; go on from there.")
        self.received = received


def chunk_bytes() -> int:
    """The size of a piece: under Django's cap on a request body read into memory."""
    return min(settings.SERVICE_DATA_CHUNK_MB * 1_048_576, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)


def start_upload(
    *, portfolio: Portfolio, file_name: str, size: int, sha256: str = "", actor: User
) -> ChunkedUpload:
    """Open an upload of ``size`` bytes. Unfinished uploads of the same learner to the same
    portfolio are dropped (a page starts one at a time), and expired ones of anyone."""
    remove_expired_uploads()
    if size <= 0:
        raise AuditError("The file is empty.")
    if size > settings.SERVICE_DATA_MAX_UPLOAD_BYTES:
        raise AuditError(_size_limit_message(size))
    sha256 = sha256.strip().lower()
    if sha256 and (len(sha256) != 64 or any(char not in "0123456789abcdef" for char in sha256)):
        raise AuditError("The file's SHA-256 is not 64 hexadecimal digits.")
    for earlier in ChunkedUpload.objects.filter(portfolio=portfolio, owner=actor):
        _drop_upload(earlier)
    os.makedirs(settings.SERVICE_DATA_UPLOAD_DIR, exist_ok=True)
    upload = ChunkedUpload.objects.create(
        portfolio=portfolio, owner=actor, file_name=_valid_name(file_name), size=size, sha256=sha256
    )
    open(upload.path, "wb").close()
    return upload


@transaction.atomic
def append_chunk(*, upload: ChunkedUpload, offset: int, data: bytes, actor: User) -> int:
    """Add the piece that starts at ``offset``; the bytes the server now has. A piece it has
    already (a retry) is taken as received; one beyond what it has raises ChunkOffsetError."""
    locked = ChunkedUpload.objects.select_for_update().get(pk=upload.pk)
    if offset < 0 or offset > locked.received:
        raise ChunkOffsetError(locked.received)
    end = offset + len(data)
    if end > locked.size:
        raise AuditError("This piece goes beyond the size of the file announced at the start.")
    if end <= locked.received:
        return locked.received  # sent again after a lost answer: nothing to do
    try:
        with open(locked.path, "r+b") as handle:
            handle.seek(locked.received)
            handle.write(memoryview(data)[locked.received - offset :])
            handle.truncate()
    except FileNotFoundError:
        raise AuditError("This upload has expired; start it again.") from None
    locked.received = end
    locked.save(update_fields=["received", "updated_at"])
    return end


class _AssembledFile(File):
    """The assembled upload: a local storage moves it into place rather than copying it."""

    def __init__(self, path: str, name: str, size: int) -> None:
        super().__init__(open(path, "rb"), name=name)  # noqa: SIM115 (closed by finish_upload)
        self._path = path
        self.size = size

    def temporary_file_path(self) -> str:
        return self._path


def _file_sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(reading.CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def finish_upload(*, upload: ChunkedUpload, actor: User) -> ServiceDataImport:
    """Check the whole file arrived (size, SHA-256) and take it as an ordinary upload. The
    pieces are gone afterwards, whether the file was taken or refused."""
    with transaction.atomic():
        locked = ChunkedUpload.objects.select_for_update().get(pk=upload.pk)
        if not os.path.exists(locked.path):
            _drop_upload(locked)
            raise AuditError("This upload has expired; start it again.")
        if locked.received != locked.size:
            raise ChunkOffsetError(locked.received)  # kept: the browser goes on from there
        problem = ""
        if os.path.getsize(locked.path) != locked.size:
            problem = "The file arrived damaged (its size differs); upload it again."
        elif locked.sha256 and _file_sha256(locked.path) != locked.sha256:
            problem = "The file arrived damaged (its SHA-256 differs); upload it again."
        else:
            assembled = _AssembledFile(locked.path, locked.file_name, locked.size)
            try:
                service_import = upload_service_data(
                    portfolio=locked.portfolio, upload=assembled, actor=actor
                )
            except AuditError as error:
                problem = str(error)
            finally:
                assembled.close()
        _drop_upload(locked)
    if problem:
        raise AuditError(problem)
    return service_import


def _drop_upload(upload: ChunkedUpload) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.remove(upload.path)
    upload.delete()


def remove_expired_uploads() -> int:
    """Remove uploads nobody has added to for ``SERVICE_DATA_UPLOAD_EXPIRY_HOURS``, and
    pieces left in the folder without an upload (a crash between the two); how many."""
    cutoff = timezone.now() - timedelta(hours=settings.SERVICE_DATA_UPLOAD_EXPIRY_HOURS)
    expired = list(ChunkedUpload.objects.filter(updated_at__lt=cutoff))
    for upload in expired:
        _drop_upload(upload)
    folder = settings.SERVICE_DATA_UPLOAD_DIR
    strays = 0
    if os.path.isdir(folder):
        known = {f"{pk}.part" for pk in ChunkedUpload.objects.values_list("pk", flat=True)}
        for entry in os.scandir(folder):
            if (
                entry.name.endswith(".part")
                and entry.name not in known
                and entry.stat().st_mtime < cutoff.timestamp()
            ):
                with contextlib.suppress(FileNotFoundError):
                    os.remove(entry.path)
                strays += 1
    if expired or strays:
        log.info("removed %s expired uploads and %s stray pieces", len(expired), strays)
    return len(expired) + strays


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


# --- KPI settings ---------------------------------------------------------------------


@dataclass
class KpiSettingsInput:
    sla_minutes: int
    baseline_start: object = None
    baseline_end: object = None
    follow_up_start: object = None
    follow_up_end: object = None


@transaction.atomic
def save_kpi_settings(
    *, portfolio: Portfolio, values: KpiSettingsInput, actor: User, token: str | None = None
) -> KpiSettings:
    concurrency.claim(
        scope=concurrency.portfolio_scope(portfolio.pk, "audit.kpi_settings"), token=token, actor=actor
    )
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


def step_state(*, step, portfolio: Portfolio, header, rows: list) -> StepStatus:
    """Whether a step is complete, what is missing, and a one-line summary."""
    missing = []
    complete_rows = [row for row in rows if step.row_complete(row)]
    if len(complete_rows) < step.min_rows:
        missing.append(f"at least {step.rows_phrase(step.min_rows)} with {step.row_needs}")
    elif len(complete_rows) < len(rows):
        missing.append(step.rows_still_needing(len(rows) - len(complete_rows)))
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
    summary = f"{subject}: {step.rows_phrase(len(rows))}, {len(complete_rows)} complete."
    return StepStatus(complete=not missing, summary=summary, missing=missing)


@transaction.atomic
def save_step(
    *, step, portfolio: Portfolio, header, rows: list, deleted: list, actor: User, token: str | None = None
) -> StepStatus:
    """Save the step as it stands (a draft is fine) and record it as evidence.

    ``token``: the step's version the form was opened at (core/concurrency.py)."""
    concurrency.claim(scope=concurrency.portfolio_scope(portfolio.pk, step.key), token=token, actor=actor)

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
