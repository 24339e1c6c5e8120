"""Compressed uploads of service data (.csv.gz, .zip) unpacked into a plain temporary file.

A year of a large service's contacts is a 100 MB CSV; compressed, a tenth of that. The
file is unpacked a megabyte at a time into a temporary file beside the caller's other
temporary files, counting as it goes, and reading stops as soon as the unpacked size passes
the limit (``SERVICE_DATA_MAX_UPLOAD_BYTES``): a gzip or zip "bomb" (a few kilobytes that
unpack to gigabytes) costs one megabyte of memory and at most the limit on disk, for a
moment, and nothing is left behind (a zip file that says its CSV is larger than the limit
is refused before anything is unpacked). A zip file must hold exactly one CSV file (a Mac's
``__MACOSX`` folder and folders themselves are ignored); a workbook (.xlsx is a zip file
too) is not an archive and is read as a workbook.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import tempfile
import zipfile
import zlib
from typing import BinaryIO

from audit.reading import FileProblem

GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")  # a zip file, an empty zip file
CHUNK_BYTES = 1 << 20
TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
WORKBOOK_MARKER = "[Content_Types].xml"


def compression(head: bytes, file_name: str) -> str:
    """ "gzip", "zip" or "" (a plain file, or a workbook, which is read as such) from the
    first bytes of the file (its name only tells a workbook from an archive)."""
    if head.startswith(GZIP_MAGIC):
        return "gzip"
    if head.startswith(ZIP_MAGICS) and not file_name.lower().endswith((".xlsx", ".xlsm")):
        return "zip"
    return ""


def _too_large(limit: int) -> FileProblem:
    return FileProblem(
        f"Unpacked, this file is over {limit / 1_048_576:g} MB, the limit for service data. "
        "Export a shorter period, or split the file."
    )


def _copy(source: BinaryIO, target: BinaryIO, limit: int) -> int:
    """Copy at most ``limit`` bytes; past that, stop and refuse. The size copied."""
    size = 0
    while chunk := source.read(CHUNK_BYTES):
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        target.write(chunk)
    return size


def _gzip_into(upload: BinaryIO, target: BinaryIO, limit: int) -> int:
    try:
        with gzip.GzipFile(fileobj=upload, mode="rb") as source:
            return _copy(source, target, limit)
    except EOFError:
        raise FileProblem(
            "The compressed file is incomplete: it ends before its data does. Upload it again, "
            "or compress the CSV file again."
        ) from None
    except (gzip.BadGzipFile, zlib.error, OSError):
        raise FileProblem("The compressed file is damaged and cannot be unpacked.") from None


def _zip_member(archive: zipfile.ZipFile) -> zipfile.ZipInfo | None:
    """The one file in the archive, None if it is a workbook. Raises FileProblem."""
    names = archive.namelist()
    if WORKBOOK_MARKER in names:
        return None
    members = [
        info
        for info in archive.infolist()
        if not info.is_dir()
        and not info.filename.startswith("__MACOSX/")
        and not os.path.basename(info.filename).startswith("._")
    ]
    if not members:
        raise FileProblem("The zip file holds no file; put your CSV file in it.")
    if len(members) > 1:
        listed = ", ".join(os.path.basename(info.filename) for info in members[:5])
        more = "…" if len(members) > 5 else ""
        raise FileProblem(
            f"The zip file holds {len(members)} files ({listed}{more}); it must hold one CSV file. "
            "Upload each file on its own."
        )
    member = members[0]
    if not member.filename.lower().endswith(TEXT_SUFFIXES):
        raise FileProblem(
            f"The zip file holds “{os.path.basename(member.filename)}”, which is not a CSV file. "
            "Put the CSV export in it, or upload a workbook as it is."
        )
    if member.flag_bits & 0x1:
        raise FileProblem("The zip file is protected by a password; upload the CSV file without one.")
    return member


def _zip_into(upload: BinaryIO, target: BinaryIO, limit: int) -> int | None:
    try:
        with zipfile.ZipFile(upload) as archive:
            member = _zip_member(archive)
            if member is None:
                return None
            if member.file_size > limit:
                # The archive says so itself: refused before a byte is unpacked. (zipfile
                # unpacks no more than the size the archive states, so a forged, smaller
                # size ends in a checksum error: "damaged". The count below stays as a guard.)
                raise _too_large(limit)
            with archive.open(member) as source:
                return _copy(source, target, limit)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
        raise FileProblem("The zip file is damaged or incomplete and cannot be unpacked.") from None
    except NotImplementedError:
        raise FileProblem(
            "The zip file uses a kind of compression that cannot be read; zip it again as a "
            "standard (deflate) zip file."
        ) from None


def unpack(upload: BinaryIO, file_name: str, *, limit: int, folder: str | None = None) -> str | None:
    """The upload, unpacked into a new temporary file in ``folder``: its path, or None if
    the upload is not compressed (read it as it is). The caller removes the file. Raises
    FileProblem (and leaves no file) if it cannot be unpacked, holds anything but one CSV
    file, or unpacks to more than ``limit`` bytes."""
    upload.seek(0)
    kind = compression(upload.read(4), file_name)
    upload.seek(0)
    if not kind:
        return None
    handle = tempfile.NamedTemporaryFile(dir=folder, prefix=".unpacking-", suffix=".csv", delete=False)  # noqa: SIM115
    try:
        with handle:
            size = _gzip_into(upload, handle, limit) if kind == "gzip" else _zip_into(upload, handle, limit)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(handle.name)
        raise
    if size is None:  # a workbook after all
        os.remove(handle.name)
        return None
    return handle.name


def refuse_large_workbook(upload: BinaryIO, *, limit: int) -> None:
    """A workbook is a zip file that the spreadsheet reader unpacks whole in memory: refuse
    one whose parts say they unpack to more than ``limit`` bytes (what the parts say, which
    a forged file could understate; the upload limit on workbooks bounds the rest). Not a
    workbook, or a damaged one: nothing to say here, the reader words it."""
    upload.seek(0)
    if upload.read(4) != ZIP_MAGICS[0]:
        upload.seek(0)
        return
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, EOFError):
        unpacked = 0
    upload.seek(0)
    if unpacked > limit:
        raise _too_large(limit)
