"""The imported interactions as a columnar file: one Parquet file per import.

An import that passes every check is written once, as Parquet, to the default storage
(local folder or S3) and referenced from its ``ServiceDataImport`` with its SHA-256 and
row count. KPIs read the file back whole: 100,000 rows are a 1–2 MB file read in
milliseconds, where the same rows as database records cost seconds to write and read.
A submitted version keeps the file it was computed from (``VersionDataset``).

The frame is the one ``audit.kpi_compute`` works on (``kpi_compute.COLUMNS``).
"""

from __future__ import annotations

import hashlib
import io

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage

from audit.kpi_compute import conform


class DatasetUnavailable(Exception):
    """A dataset file recorded in the database is missing or not the file that was written."""


def to_parquet(frame: pd.DataFrame) -> bytes:
    """The frame as Parquet bytes. Platform and sentiment hold a handful of values, so
    they are dictionary-encoded; numbers and times are stored plain (they rarely repeat,
    and trying a dictionary first costs more than it saves)."""
    table = pa.Table.from_pandas(conform(frame), preserve_index=False)
    buffer = io.BytesIO()
    pq.write_table(
        table,
        buffer,
        compression="snappy",
        use_dictionary=["platform", "sentiment"],
        write_statistics=False,
    )
    return buffer.getvalue()


def from_parquet(data: bytes) -> pd.DataFrame:
    return conform(pq.read_table(io.BytesIO(data)).to_pandas())


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def storage_name(*, portfolio_id: int, import_id: int) -> str:
    # One name per import, so a retried import replaces what a killed attempt left behind.
    return f"service-data/{portfolio_id}/dataset-{import_id}.parquet"


def write(data: bytes, *, name: str, storage: Storage = default_storage) -> str:
    """Save the bytes under ``name`` (replacing a leftover of an earlier attempt at the same
    import); the name the storage chose. On failure nothing is left behind."""
    if storage.exists(name):
        storage.delete(name)
    try:
        return storage.save(name, ContentFile(data))
    except BaseException:
        if storage.exists(name):
            storage.delete(name)
        raise


def read(name: str, expected_sha256: str, *, storage: Storage = default_storage) -> pd.DataFrame:
    """The frame stored under ``name``, after checking it is the file that was recorded."""
    try:
        with storage.open(name, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise DatasetUnavailable(f"The dataset file {name} is missing from the storage.") from None
    if sha256(data) != expected_sha256:
        raise DatasetUnavailable(f"The dataset file {name} is not the file that was imported.")
    return from_parquet(data)
