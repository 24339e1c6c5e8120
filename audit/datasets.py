"""The imported interactions as a columnar file: one Arrow IPC file per import.

An import that passes every check is written once, in Arrow's IPC file format, to the
default storage (local folder or S3; see ``audit.arrowfiles``) and referenced from its
``ServiceDataImport`` with its SHA-256 and row count. KPIs read the file back whole: the
IPC format is Arrow's own layout in memory, so reading 100,000 rows back is a matter of
pointing at the bytes, where the same rows as database records cost seconds to write and
read. Imports made before this format was chosen were stored as Parquet; those files are
recognised by their first bytes and read as before. A submitted version keeps the file it
was computed from (``VersionDataset``).

The columns are ``SCHEMA`` (the import makes them, see audit.importing); ``to_frame`` gives
the frame ``audit.kpi_compute`` works on (``kpi_compute.COLUMNS``).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from django.core.files.storage import Storage, default_storage

from audit import arrowfiles
from audit.kpi_compute import conform

SCHEMA = pa.schema(
    [
        ("platform", pa.string()),
        ("received_at", pa.timestamp("us", tz="UTC")),
        ("first_response_minutes", pa.float64()),  # calendar minutes; null if unanswered
        ("resolution_minutes", pa.float64()),  # calendar minutes; null if unresolved
        ("resolved_first_contact", pa.bool_()),
        ("satisfaction", pa.int64()),  # 1–5
        ("nps", pa.int64()),  # 0–10
        ("sentiment", pa.string()),
    ]
)
SUFFIX = ".arrow"
PARQUET_MAGIC = b"PAR1"

# Arrow types → the pandas types of kpi_compute.COLUMNS (missing values stay missing).
_PANDAS_TYPES = {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}


class DatasetUnavailable(Exception):
    """A dataset file recorded in the database is missing or not the file that was written."""


def encode(table: pa.Table) -> bytes:
    """The canonical table as the bytes of the file ``write`` stores."""
    return arrowfiles.to_bytes(table.cast(SCHEMA))


def decode(data: bytes | pa.Buffer) -> pa.Table:
    if arrowfiles.starts_with(data, PARQUET_MAGIC):
        return pq.read_table(pa.BufferReader(data))
    return pa.ipc.open_file(pa.BufferReader(data)).read_all()


def from_frame(frame: pd.DataFrame) -> pa.Table:
    """A frame of the canonical columns (``kpi_compute.COLUMNS``) as a table of ``SCHEMA``."""
    return pa.Table.from_pandas(conform(frame), schema=SCHEMA, preserve_index=False)


def to_frame(table: pa.Table) -> pd.DataFrame:
    """The interactions as the frame ``audit.kpi_compute`` works on."""
    return conform(table.to_pandas(types_mapper=_PANDAS_TYPES.get))


def sha256(data: bytes | pa.Buffer) -> str:
    return arrowfiles.sha256(data)


def storage_name(*, portfolio_id: int, import_id: int) -> str:
    # One name per import, so a retried import replaces what a killed attempt left behind.
    return f"service-data/{portfolio_id}/dataset-{import_id}{SUFFIX}"


def write(table: pa.Table, *, name: str, storage: Storage = default_storage) -> tuple[str, str]:
    """Store the canonical table under ``name`` (replacing a leftover of an earlier attempt
    at the same import), uncompressed (about 60 bytes a row: compressing would cost more
    time than the small file saves); the name the storage chose and the file's SHA-256.
    On failure nothing is left behind."""
    if storage.exists(name):
        storage.delete(name)
    return arrowfiles.save_table(table.cast(SCHEMA), name=name, storage=storage)


def read(name: str, expected_sha256: str, *, storage: Storage = default_storage) -> pd.DataFrame:
    """The frame stored under ``name``, after checking it is the file that was recorded.

    A frame of at most ``FRAMES.entry_bytes`` is kept by this process (``FRAMES``) once read and
    checked, so the pages that show a learner's KPIs do not fetch the file from object storage
    on every view. The key holds the digest the caller expects, so a new import is read afresh;
    each caller gets its own copy (pandas' copy-on-write makes that free until it writes)."""
    key = (type(storage).__name__, name, expected_sha256)
    kept = FRAMES.get(key)
    if kept is not None:
        return kept.copy(deep=False)
    try:
        data = arrowfiles.load_buffer(name, storage=storage)
    except FileNotFoundError:
        raise DatasetUnavailable(f"The dataset file {name} is missing from the storage.") from None
    if sha256(data) != expected_sha256:
        raise DatasetUnavailable(f"The dataset file {name} is not the file that was imported.")
    frame = to_frame(decode(data))
    FRAMES.put(key, frame)
    return frame.copy(deep=False)


class FrameMemo:
    """The datasets this process read last, by storage, name and digest, within a byte budget.

    A file is immutable under its digest (checked when it is read), so a kept frame is the file's
    content for as long as it is kept. Large imports (a big organisation's year of service data,
    hundreds of megabytes as a frame) are never kept: only frames up to ``entry_bytes``, and
    ``total_bytes`` in all, least recently used first out.
    """

    def __init__(self, *, entry_bytes: int = 16 * 1024 * 1024, total_bytes: int = 96 * 1024 * 1024) -> None:
        self.entry_bytes = entry_bytes
        self.total_bytes = total_bytes
        self._frames: OrderedDict[tuple[str, str, str], tuple[pd.DataFrame, int]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str, str]) -> pd.DataFrame | None:
        with self._lock:
            kept = self._frames.get(key)
            if kept is None:
                return None
            self._frames.move_to_end(key)
            return kept[0]

    def put(self, key: tuple[str, str, str], frame: pd.DataFrame) -> None:
        size = int(frame.memory_usage(deep=True).sum())
        if size > self.entry_bytes:
            return
        with self._lock:
            if key in self._frames:
                return
            self._frames[key] = (frame, size)
            self._size += size
            while self._size > self.total_bytes and self._frames:
                _, (_, dropped) = self._frames.popitem(last=False)
                self._size -= dropped

    def clear(self) -> None:
        with self._lock:
            self._frames.clear()
            self._size = 0


FRAMES = FrameMemo()
