"""Is a copy of the site whole? Every frozen version against its digest, every stored file
against the SHA-256 the app recorded when it kept it (``manage.py verify_restore``, run by
``scripts/restore``; docs/deployment.md, "Backup and restore").

The core imports no other app, so it finds the stored files the way ``core.versions`` finds a
portfolio's rows: through Django's app registry, by conventions every app already follows.

- A ``FileField`` records the digest of its file in ``<field>_sha256``, or in ``sha256`` when
  the field is called ``file``; its size, where kept, in ``<field>_size``, or in ``size`` for
  a ``file`` (never ``file_size``: the audit keeps the size of the upload there, not of the
  table it stores). The size is checked only where no digest is kept: the digest says more.
- A row that keeps a stored file alive for a version (``VersionFile``, the audit's
  ``VersionDataset``) names it in a ``CharField`` whose verbose name is "storage name", beside
  ``sha256`` (and ``size`` where kept).

A file field without a recorded digest (an export's PDF, an upload as read) is checked for
presence, and for size where one is kept. ``tests/portfolio/test_verify_restore.py`` pins the
list found, so a new file field shows up there first.

Files are read in chunks, never whole, and each stored object is read once however many rows
name it (an evidence file and the version's copy of it are one object).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.apps import apps
from django.core.files.storage import Storage, default_storage
from django.db import models

from core.models import PortfolioVersion, VersionOutcome
from core.versions import digest_of

CHUNK_BYTES = 1024 * 1024
STORAGE_NAME = "storage name"


@dataclass(frozen=True)
class StoredFileField:
    """One field of one model that names a stored object, and where its digest and size are kept."""

    model: type[models.Model]
    field: str
    digest_field: str | None
    size_field: str | None

    @property
    def label(self) -> str:
        return f"{self.model._meta.label}.{self.field}"


@dataclass(frozen=True)
class Difference:
    """A record whose restored copy is not what the app recorded."""

    model: str
    pk: Any
    what: str

    def __str__(self) -> str:
        return f"{self.model} {self.pk}: {self.what}"


@dataclass
class IntegrityReport:
    versions: int = 0
    outcomes: int = 0
    file_records: int = 0
    objects: int = 0
    bytes: int = 0
    differences: list[Difference] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences


def _first(names: set[str], *candidates: str) -> str | None:
    return next((name for name in candidates if name in names), None)


def stored_file_fields() -> list[StoredFileField]:
    """Every field of every installed model that names a stored object (see the module docstring)."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        concrete = model._meta.concrete_fields
        names = {f.name for f in concrete}
        for f in concrete:
            if isinstance(f, models.FileField):
                digest = _first(names, f"{f.name}_sha256", *(["sha256"] if f.name == "file" else []))
                size = _first(names, "size" if f.name == "file" else f"{f.name}_size")
            elif isinstance(f, models.CharField) and str(f.verbose_name) == STORAGE_NAME:
                digest = _first(names, "sha256")
                size = _first(names, "size")
            else:
                continue
            found.append(StoredFileField(model, f.name, digest, size))
    return sorted(found, key=lambda s: s.label)


class _Stream(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...
    def close(self) -> None: ...


def _open_stream(storage: Storage, name: str) -> _Stream:
    """The object's bytes as a stream. django-storages' S3 file downloads the whole object into
    memory before the first read, so an S3 object is read from boto3's streaming body instead."""
    bucket = getattr(storage, "bucket", None)
    if bucket is not None:
        key = storage._normalize_name(name)  # type: ignore[attr-defined]  # the object's key, with the location prefix
        body: _Stream = bucket.Object(key).get()["Body"]
        return body
    return storage.open(name, "rb")


def file_sha256(storage: Storage, name: str) -> tuple[str, int] | None:
    """(SHA-256 hex digest, size in bytes) of a stored object, read in chunks; None if it is missing."""
    if not storage.exists(name):
        return None
    digest = hashlib.sha256()
    size = 0
    handle = _open_stream(storage, name)
    try:
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
    finally:
        handle.close()
    return digest.hexdigest(), size


def _rows(spec: StoredFileField) -> Iterator[tuple[Any, str, str | None, int | None]]:
    columns = [c for c in ("pk", spec.field, spec.digest_field, spec.size_field) if c]
    query = spec.model._default_manager.exclude(**{spec.field: ""}).order_by("pk")
    for row in query.values_list(*columns).iterator(chunk_size=500):
        values = dict(zip(columns, row, strict=True))
        digest = values.get(spec.digest_field) if spec.digest_field else None
        size = values.get(spec.size_field) if spec.size_field else None
        yield values["pk"], values[spec.field], digest, size


def verify_versions(report: IntegrityReport) -> None:
    """Each frozen version's snapshot against its digest, and each outcome against the version it sealed."""
    label = PortfolioVersion._meta.label
    versions = PortfolioVersion.objects.order_by("pk").values_list("pk", "snapshot", "digest")
    for pk, snapshot, digest in versions.iterator(chunk_size=100):
        report.versions += 1
        if digest_of(snapshot) != digest:
            report.differences.append(Difference(label, pk, "snapshot does not match its digest"))
    outcomes = VersionOutcome.objects.order_by("pk").values_list("pk", "digest", "version__digest")
    for pk, digest, version_digest in outcomes.iterator(chunk_size=500):
        report.outcomes += 1
        if digest != version_digest:
            report.differences.append(
                Difference(VersionOutcome._meta.label, pk, "digest differs from its version's")
            )


def verify_files(report: IntegrityReport, *, storage: Storage | None = None) -> None:
    """Every stored file a record names: present, and with the digest and size the record keeps."""
    storage = storage or default_storage
    read: dict[str, tuple[str, int] | None] = {}
    for spec in stored_file_fields():
        for pk, name, digest, size in _rows(spec):
            report.file_records += 1
            if name not in read:
                read[name] = file_sha256(storage, name)
                if read[name] is not None:
                    report.objects += 1
                    report.bytes += read[name][1]  # type: ignore[index]
            found = read[name]
            model = spec.model._meta.label
            if found is None:
                report.differences.append(Difference(model, pk, f"missing file {name}"))
                continue
            if digest and found[0] != digest:
                report.differences.append(
                    Difference(model, pk, f"wrong digest for {name}: recorded {digest}, found {found[0]}")
                )
            elif not digest and size is not None and found[1] != size:
                report.differences.append(
                    Difference(model, pk, f"wrong size for {name}: recorded {size}, found {found[1]}")
                )


def verify_integrity(*, storage: Storage | None = None) -> IntegrityReport:
    report = IntegrityReport()
    verify_versions(report)
    verify_files(report, storage=storage)
    return report
