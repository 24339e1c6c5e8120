"""Arrow tables to and from a storage: streamed into place, read without a copy when local,
the same bytes and digest through a remote storage, nothing left behind on failure."""

from __future__ import annotations

import hashlib
import os

import pyarrow as pa
import pytest
from django.core.files.storage import FileSystemStorage, InMemoryStorage

from audit import arrowfiles

TABLE = pa.table({"platform": ["x", "facebook", None], "minutes": [1.5, None, 3.0]})


def _leftovers(folder) -> list[str]:
    return [name for _root, _dirs, files in os.walk(folder) for name in files if name.startswith(".writing-")]


def test_a_table_is_moved_into_a_local_storage_and_mapped_back(tmp_path):
    storage = FileSystemStorage(location=tmp_path)

    name, digest = arrowfiles.save_table(TABLE, name="service-data/1/t.arrow", storage=storage)

    assert name == "service-data/1/t.arrow"
    with storage.open(name, "rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == digest
    data = arrowfiles.load_buffer(name, storage=storage)
    assert arrowfiles.sha256(data) == digest
    assert pa.ipc.open_file(pa.BufferReader(data)).read_all().equals(TABLE)
    assert _leftovers(tmp_path) == []


def test_a_taken_name_is_not_overwritten(tmp_path):
    storage = FileSystemStorage(location=tmp_path)
    first, _ = arrowfiles.save_table(TABLE, name="t.arrow", storage=storage)

    second, _ = arrowfiles.save_table(TABLE, name="t.arrow", storage=storage)

    assert first != second
    assert storage.exists(first)
    assert storage.exists(second)


def test_a_remote_storage_gets_the_same_bytes_and_reads_them_whole(tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    storage = InMemoryStorage()  # no local path, as S3
    _local, local_digest = arrowfiles.save_table(
        TABLE, name="t.arrow", storage=FileSystemStorage(tmp_path / "l")
    )

    name, digest = arrowfiles.save_table(TABLE, name="t.arrow", storage=storage)

    assert digest == local_digest
    data = arrowfiles.load_buffer(name, storage=storage)
    assert arrowfiles.sha256(data) == digest
    assert pa.ipc.open_file(pa.BufferReader(data)).read_all().equals(TABLE)
    assert _leftovers(tmp_path) == []


def test_without_a_digest_nothing_is_hashed(tmp_path):
    _name, digest = arrowfiles.save_table(
        TABLE, name="t.arrow", storage=FileSystemStorage(tmp_path), digest=False
    )

    assert digest == ""


@pytest.mark.parametrize("remote", [False, True], ids=["local", "remote"])
def test_a_failed_save_leaves_no_temporary_file(tmp_path, monkeypatch, remote):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    storage = InMemoryStorage() if remote else FileSystemStorage(tmp_path / "media")

    def refuse(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(storage, "save", refuse)

    with pytest.raises(OSError, match="disk full"):
        arrowfiles.save_table(TABLE, name="t.arrow", storage=storage)
    assert _leftovers(tmp_path) == []


def test_a_missing_file_is_not_found(tmp_path):
    for storage in (FileSystemStorage(tmp_path), InMemoryStorage()):
        with pytest.raises(FileNotFoundError):
            arrowfiles.load_buffer("nowhere.arrow", storage=storage)


def test_memory_a_large_file_freed_is_given_back_without_touching_live_tables():
    kept = pa.table({"minutes": pa.array(range(1000), pa.float64())})
    freed = pa.table({"minutes": pa.array(range(200_000), pa.float64())})
    del freed
    allocated = pa.total_allocated_bytes()

    arrowfiles.release_unused_memory()

    assert pa.total_allocated_bytes() == allocated
    assert kept["minutes"][999].as_py() == 999.0
