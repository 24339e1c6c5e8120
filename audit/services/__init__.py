"""Writes for the audit: guided steps, service data imports, KPI settings.

Each takes the acting user, runs in one transaction and raises ``AuditError`` with
a message for the learner when a rule is broken.

The writes live in the package's modules, by what they serve: ``uploads`` (a file taken
in one request or read by a worker), ``chunked`` (resumable uploads), ``imports`` (the
column mapping, the check and the import), ``kpi_settings`` and ``guided_steps``. The
sizes that decide what a worker does (``imports.ASYNC_IMPORT_BYTES``,
``uploads.READ_IN_REQUEST_BYTES``) are read from their own modules, not from here.
"""

from __future__ import annotations

from audit.services.chunked import (
    ChunkDamagedError,
    ChunkOffsetError,
    append_chunk,
    chunk_bytes,
    finish_upload,
    remove_expired_uploads,
    start_upload,
)
from audit.services.errors import AuditError
from audit.services.guided_steps import save_step, step_state
from audit.services.imports import (
    check_import,
    delete_import,
    execute_import,
    map_columns,
    mapping_scope,
    start_import,
    stored_table,
)
from audit.services.kpi_settings import KpiSettingsInput, save_kpi_settings
from audit.services.uploads import read_upload, refuse_upload, upload_limit, upload_service_data

__all__ = [
    "AuditError",
    "ChunkDamagedError",
    "ChunkOffsetError",
    "KpiSettingsInput",
    "append_chunk",
    "check_import",
    "chunk_bytes",
    "delete_import",
    "execute_import",
    "finish_upload",
    "map_columns",
    "mapping_scope",
    "read_upload",
    "refuse_upload",
    "remove_expired_uploads",
    "save_kpi_settings",
    "save_step",
    "start_import",
    "start_upload",
    "step_state",
    "stored_table",
    "upload_limit",
    "upload_service_data",
]
