"""Arrow tables to and from the default storage, without a copy of the file in memory.

An upload as read and an import's interactions are kept as Arrow IPC files (see
``audit.reading`` and ``audit.datasets``): a few megabytes for 100,000 rows. Building such a
file in memory and handing the bytes to the storage copies it twice, and on a small server
the fresh memory costs more than the writing. So a table is written straight into a
temporary file beside its destination, hashed as it is written, and the storage moves the
file into place (a local storage renames it; a remote one, such as S3, uploads it).
Reading maps a local file into memory (``pa.memory_map``): the table's columns point into
the file and nothing is copied; a remote file is read whole.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import os
import tempfile
from collections.abc import Callable

import pyarrow as pa
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, default_storage

# glibc's malloc_trim: where it is missing (another C library), memory is given back later.
_malloc_trim: Callable[[int], int] | None
try:
    _malloc_trim = ctypes.CDLL(None).malloc_trim
except (AttributeError, OSError):  # pragma: no cover (not glibc)
    _malloc_trim = None


def release_unused_memory() -> None:
    """Give the memory a large file's stages freed back to the system.

    pyarrow's allocator (mimalloc) keeps what the CSV parser and the checks freed for later
    use, and so does the C library for numpy's arrays: after reading 2,000,000 rows the
    process held about 200 MB more than its live tables, and the next stage's peak came on
    top. Called between the stages of a large file; it costs a few milliseconds."""
    pa.default_memory_pool().release_unused()
    if _malloc_trim is not None:
        with contextlib.suppress(OSError):
            _malloc_trim(0)


class _HashingSink:
    """A binary file pyarrow writes to, that hashes what passes through it."""

    def __init__(self, handle, digest: bool) -> None:
        self.handle = handle
        self.digest = hashlib.sha256() if digest else None
        self.size = 0
        self.closed = False

    def write(self, data) -> int:
        if self.digest is not None:
            self.digest.update(data)
        self.size += len(data)
        return self.handle.write(data)

    def tell(self) -> int:
        return self.size

    def flush(self) -> None:
        self.handle.flush()

    def close(self) -> None:
        self.closed = True  # the temporary file is closed by its owner


class _WrittenFile(File):
    """A finished temporary file: a local storage moves it into place rather than copying."""

    def __init__(self, path: str, size: int) -> None:
        super().__init__(open(path, "rb"), name=os.path.basename(path))  # noqa: SIM115 (closed below)
        self._path = path
        self.size = size

    def temporary_file_path(self) -> str:
        return self._path


def local_path(name: str, storage: Storage) -> str | None:
    """Where the storage keeps ``name`` on this machine's disk, or None for any other storage
    (S3, or Django's in-memory storage, whose paths are not files)."""
    if not isinstance(storage, FileSystemStorage):
        return None
    return storage.path(name)


def save_table(
    table: pa.Table, *, name: str, storage: Storage = default_storage, digest: bool = True
) -> tuple[str, str]:
    """Write ``table`` as an Arrow IPC file under ``name`` (or the name the storage chooses
    if that is taken); the name and the file's SHA-256 ("" if ``digest`` is false: hashing
    costs about as much as writing). On failure nothing is left behind."""
    destination = local_path(name, storage)
    folder = os.path.dirname(destination) if destination else None
    if folder:
        os.makedirs(folder, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(dir=folder, prefix=".writing-", suffix=".arrow", delete=False)  # noqa: SIM115
    try:
        with handle:
            sink = _HashingSink(handle, digest)
            _write(table, pa.PythonFile(sink, mode="w"))
        written = _WrittenFile(handle.name, sink.size)
        try:
            saved = storage.save(name, written)
        finally:
            written.close()
    finally:
        if os.path.exists(handle.name):  # moved into place by a local storage, else still here
            os.remove(handle.name)
    return saved, sink.digest.hexdigest() if sink.digest is not None else ""


def to_bytes(table: pa.Table) -> bytes:
    """The table as the bytes of an Arrow IPC file, built in memory (for small tables, such
    as the tests'; ``save_table`` streams a table to its file instead)."""
    sink = pa.BufferOutputStream()
    _write(table, sink)
    return sink.getvalue().to_pybytes()


def _write(table: pa.Table, sink) -> None:
    with pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)


def load_buffer(name: str, *, storage: Storage = default_storage) -> pa.Buffer:
    """The file's bytes: mapped into memory if the storage is local, else read whole.
    Raises FileNotFoundError if it is not there."""
    path = local_path(name, storage)
    if path is not None:
        if not os.path.exists(path):
            raise FileNotFoundError(path)
        # The buffer keeps the mapping alive for as long as a table points into it.
        return pa.memory_map(path).read_buffer()
    if _plain_s3(storage):
        return pa.py_buffer(_s3_bytes(storage, name))
    with storage.open(name, "rb") as handle:
        return pa.py_buffer(handle.read())


def _plain_s3(storage: Storage) -> bool:
    """An S3 storage (django-storages) whose objects need no key of the customer's to read."""
    params = getattr(storage, "object_parameters", None) or {}
    return (
        hasattr(storage, "bucket_name")
        and hasattr(storage, "connection")
        and not any(key.startswith("SSECustomer") for key in params)
    )


def _s3_bytes(storage: Storage, name: str) -> bytes:
    """The object's bytes in one GET through the storage's own client (its credentials, endpoint
    and region). Opening it as a file costs a HEAD, a GET and a boto3 resource built for the
    object: several milliseconds of CPU on every KPI page of a learner with S3 storage."""
    from botocore.exceptions import ClientError
    from storages.utils import clean_name

    key = storage._normalize_name(clean_name(name))  # type: ignore[attr-defined]  # S3Storage's own
    client = storage.connection.meta.client  # type: ignore[attr-defined]
    try:
        answer = client.get_object(Bucket=storage.bucket_name, Key=key)  # type: ignore[attr-defined]
    except ClientError as error:
        if error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
            raise FileNotFoundError(f"File does not exist: {key}") from None
        raise
    return bytes(answer["Body"].read())


def sha256(data: bytes | pa.Buffer) -> str:
    return hashlib.sha256(memoryview(data)).hexdigest()


def starts_with(data: bytes | pa.Buffer, magic: bytes) -> bool:
    return bytes(memoryview(data)[: len(magic)]) == magic
