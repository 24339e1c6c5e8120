"""Resumable uploads: a large file sent in pieces, then taken as an ordinary upload."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from audit import reading
from audit.models import ChunkedUpload, ServiceDataImport
from audit.services.errors import AuditError
from audit.services.uploads import _size_limit_message, _valid_name, upload_service_data
from core.models import Portfolio, User

log = logging.getLogger(__name__)


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


class ChunkDamagedError(AuditError):
    """A piece whose SHA-256 is not the one the browser computed: it is sent again."""

    def __init__(self, received: int) -> None:
        super().__init__("This piece arrived damaged; send it again.")
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
def append_chunk(*, upload: ChunkedUpload, offset: int, data: bytes, actor: User, sha256: str = "") -> int:
    """Add the piece that starts at ``offset``; the bytes the server now has. A piece it has
    already (a retry) is taken as received; one beyond what it has raises ChunkOffsetError.
    With ``sha256`` (the browser's digest of the piece), a piece that does not match raises
    ChunkDamagedError and changes nothing: one piece is sent again, not the whole file after
    the check at the end."""
    locked = ChunkedUpload.objects.select_for_update().get(pk=upload.pk)
    if sha256 and hashlib.sha256(data).hexdigest() != sha256.strip().lower():
        raise ChunkDamagedError(locked.received)
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
