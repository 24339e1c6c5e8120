"""Service data arriving: a file taken in one request, read there when it is small and
plain, else kept as uploaded and read by a worker; or refused, keeping only the reason."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator

import pyarrow as pa
from django.conf import settings
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename

from audit import arrowfiles, importing, reading, unpacking
from audit.models import ServiceDataImport
from audit.services.errors import AuditError
from audit.services.imports import ASYNC_IMPORT_BYTES, _count, _set_stage
from core import outbox
from core.models import Portfolio, User

log = logging.getLogger(__name__)


# Files above this size are read and imported by a background task; smaller ones at once.
READ_IN_REQUEST_BYTES = ASYNC_IMPORT_BYTES


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
    service_import.samples = importing.column_samples(table)
    found = importing.date_order_in(table)
    service_import.date_order = found.as_dict() if found.order else {}
    service_import.columns, service_import.formats = importing.guess_mapping(headers)
    if found.certain:
        service_import.formats["date_order"] = found.certain
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
    arrowfiles.release_unused_memory()  # what the parser freed, before the next stages
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
                samples=service_import.samples,
                date_order=service_import.date_order,
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
