"""Every evidence file travels with the portfolio PDF: checked, hashed, attached, merged.

For each stored file of the document (a version's frozen files, ``core.models.VersionFile``;
the working copy's current ones) this reads the stored bytes once, computes their SHA-256
and decides what the PDF does with them:

* the **original** is attached inside the PDF as an embedded file, unless it is a PDF that
  cannot be checked (encrypted or malformed) or still carries active content, the
  attachments would pass ``PDF_ATTACH_MAX_MB`` together, or it is an image and
  ``PDF_ATTACH_IMAGES`` is off;
* a **PDF**'s pages are merged into the document after its index entry, taken from the
  copy ``evidence.pdfs.sanitise_pdf`` makes (never the raw bytes), up to
  ``PDF_MERGE_MAX_PAGES_PER_FILE`` pages a file (a longer PDF is not merged) and
  ``PDF_MERGE_MAX_PAGES`` in all. An encrypted or malformed PDF is listed, not merged,
  with a note saying why.

Images are still printed from ``evidence.pdf_images`` (downscaled); the original is attached.
The work runs in the export's thread pool while the rest of the document is gathered
(hashlib and qpdf release the GIL). See docs/pdf.md, "What the PDF carries".
"""

from __future__ import annotations

import base64
import hashlib
import io
import logging
import struct
import zlib
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from typing import Any

import pikepdf
from django.conf import settings
from django.core.files.storage import default_storage

from core.models import PortfolioVersion, VersionFile
from evidence.files import human_size
from evidence.models import Evidence
from evidence.pdfs import PdfRefused, sanitise_pdf

log = logging.getLogger(__name__)

PDF = "application/pdf"
# The text area of an A4 page of the document (static/pdf/portfolio.css: 210 × 297 mm less
# the margins), less a line for the caption above a merged page.
SLOT_MAX_MM = (173.0, 243.0)
POINT_MM = 25.4 / 72
# A merged page is laid out as an image 1 pixel wide and SLOT_BASE + n high; after the
# layout that image is replaced by the page itself (reports.pdf.merge).
SLOT_BASE = 4099

NOT_MERGED_ENCRYPTED = (
    "Its pages are not printed here: the PDF is protected with a password or encryption, so "
    "its content cannot be checked."
)
NOT_MERGED_DAMAGED = "Its pages are not printed here: the PDF is damaged and cannot be read."
NOT_ATTACHED_UNCHECKED = (
    "The original is not attached: a PDF whose content cannot be checked could carry "
    "scripts or other active content. Ask the centre for a copy."
)
NOT_ATTACHED_ACTIVE = (
    "The original is not attached: it still holds active content ({removed}), which was "
    "taken out of the pages printed here."
)
NOT_ATTACHED_MISSING = "The stored file could not be read, so it is neither attached nor printed."
NOT_ATTACHED_IMAGE = (
    "The original image is not attached to this PDF (the centre attaches documents only); the "
    "copy printed here is reduced for print. Ask the centre for the original."
)


def merge_max_pages_per_file() -> int:
    return int(getattr(settings, "PDF_MERGE_MAX_PAGES_PER_FILE", 40))


def merge_max_pages() -> int:
    return int(getattr(settings, "PDF_MERGE_MAX_PAGES", 200))


def attach_images() -> bool:
    return bool(getattr(settings, "PDF_ATTACH_IMAGES", True))


def attach_max_bytes() -> int:
    return int(getattr(settings, "PDF_ATTACH_MAX_MB", 250)) * 1024 * 1024


@dataclass
class MergedPage:
    """One page of a merged PDF, as the slot it takes in the document."""

    index: int  # 0-based among all merged pages of the document
    page: int  # 1-based within its file
    of: int
    width_mm: float
    height_mm: float

    @property
    def anchor(self) -> str:
        return f"merged-page-{self.index}"

    @property
    def slot_height_px(self) -> int:
        return SLOT_BASE + self.index

    @property
    def slot_uri(self) -> str:
        return f"data:image/png;base64,{base64.b64encode(_slot_png(self.slot_height_px)).decode('ascii')}"


@dataclass
class CarriedFile:
    """A stored evidence file as the PDF carries it."""

    name: str  # storage name
    original_name: str
    content_type: str
    size: int = 0
    sha256: str = ""  # of the stored bytes, computed now
    recorded_sha256: str = ""  # recorded when the file was stored or frozen
    readable: bool = True
    attach: bool = False
    attach_note: str = ""
    attached_name: str = ""  # set when the document numbers its entries
    clean_pdf: bytes | None = field(default=None, repr=False)  # the cleaned copy whose pages merge
    page_sizes: list[tuple[float, float]] = field(default_factory=list)  # points, as shown
    merge_note: str = ""
    merged: list[MergedPage] = field(default_factory=list)

    @property
    def is_pdf(self) -> bool:
        return self.content_type == PDF

    @property
    def size_label(self) -> str:
        return human_size(self.size) if self.size else "0 bytes"

    @property
    def sha256_matches(self) -> bool:
        return not self.recorded_sha256 or self.recorded_sha256 == self.sha256


def _slot_png(height: int) -> bytes:
    """A white PNG one pixel wide: only its height matters, to tell the slots apart."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    pixels = zlib.compress(b"\x00\xff" * height, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def _shown_size(page: pikepdf.Page) -> tuple[float, float]:
    box = page.trimbox if "/TrimBox" in page.obj else page.mediabox
    width, height = abs(float(box[2]) - float(box[0])), abs(float(box[3]) - float(box[1]))
    rotate = int(page.obj.get("/Rotate", 0)) % 360
    return (height, width) if rotate in (90, 270) else (width, height)


def _pdf_pages(carried: CarriedFile, content: bytes) -> None:
    """Clean the PDF and measure its pages, or say why its pages cannot be merged."""
    try:
        clean = sanitise_pdf(content)
    except PdfRefused as refused:
        encrypted = "password" in str(refused)
        carried.merge_note = NOT_MERGED_ENCRYPTED if encrypted else NOT_MERGED_DAMAGED
        carried.attach, carried.attach_note = False, NOT_ATTACHED_UNCHECKED
        return
    if clean.removed:
        carried.attach = False
        carried.attach_note = NOT_ATTACHED_ACTIVE.format(removed=", ".join(clean.removed))
    try:
        with pikepdf.open(io.BytesIO(clean.content)) as pdf:
            sizes = [_shown_size(page) for page in pdf.pages]
            for page in pdf.pages:
                page.as_form_xobject()  # what the merge does: fails here rather than later
    except (pikepdf.PdfError, ValueError, OSError, RecursionError, KeyError, TypeError) as error:
        log.warning("PDF: pages of %s cannot be merged: %s", carried.name, error)
        carried.merge_note = NOT_MERGED_DAMAGED
        return
    if not sizes:
        carried.merge_note = "Its pages are not printed here: the PDF has no pages."
        return
    if len(sizes) > merge_max_pages_per_file():
        carried.merge_note = (
            f"Its {len(sizes)} pages are not printed here: a PDF of more than "
            f"{merge_max_pages_per_file()} pages is only attached."
        )
        return
    carried.clean_pdf = clean.content
    carried.page_sizes = sizes


def carry_file(
    *, name: str, original_name: str, content_type: str, recorded_sha256: str, merge: bool = True
) -> CarriedFile:
    """Read one stored file, hash it, and decide what the PDF does with it (``merge``: a PDF's
    pages may be printed after its entry; a record's attachments are only attached)."""
    carried = CarriedFile(
        name=name, original_name=original_name, content_type=content_type, recorded_sha256=recorded_sha256
    )
    if content_type.startswith("image/") and not attach_images():
        # Printed from the index's own read of it and not attached: not read a second time here
        # (forty camera photos are most of an export's bytes); listed with its recorded digest.
        try:
            carried.size = default_storage.size(name)
        except OSError as error:
            log.warning("PDF: stored file %s cannot be read: %s", name, error)
            carried.readable, carried.attach_note = False, NOT_ATTACHED_MISSING
            return carried
        carried.sha256 = recorded_sha256
        carried.attach, carried.attach_note = False, NOT_ATTACHED_IMAGE
        return carried
    try:
        with default_storage.open(name, "rb") as handle:
            content = handle.read()
    except OSError as error:
        log.warning("PDF: stored file %s cannot be read: %s", name, error)
        carried.readable, carried.attach_note = False, NOT_ATTACHED_MISSING
        return carried
    carried.size = len(content)
    carried.sha256 = hashlib.sha256(content).hexdigest()
    carried.attach = True
    if carried.is_pdf and merge:
        _pdf_pages(carried, content)
    return carried


def _frozen_files(version: PortfolioVersion | None) -> dict[int, VersionFile]:
    if version is None:
        return {}
    return {row.evidence_id: row for row in VersionFile.objects.filter(version=version)}


# A job's key: an item's own file by the item's id; a record's attachment by (item, attachment).
FileKey = int | tuple[int, int]


def start_files(
    snapshot: dict[str, Any], version: PortfolioVersion | None, executor: Executor
) -> dict[FileKey, Future]:
    """Queue every file of the document; the jobs by item id (an assessor's record's photos,
    files and recording by ``(item id, attachment id)``).

    A version's files are its frozen ``VersionFile`` rows (the snapshot names the same
    files); the working copy's are the ones the snapshot names. A record's attachments are
    never removed, so the snapshot's names are the stored files.
    """
    frozen = _frozen_files(version)
    jobs: dict[FileKey, Future] = {}
    for item in snapshot.get("parts", {}).get("evidence", {}).get("items", []):
        if item.get("kind") == Evidence.Kind.SECTION:
            continue
        for attached in (item.get("record") or {}).get("attachments", []):
            if attached.get("name"):
                jobs[(item["id"], attached["id"])] = executor.submit(
                    carry_file,
                    name=attached["name"],
                    original_name=attached.get("original_name", ""),
                    content_type=attached.get("content_type", ""),
                    recorded_sha256=attached.get("sha256", ""),
                    merge=False,
                )
        stored = item.get("file")
        if not stored:
            continue
        row = frozen.get(item["id"])
        jobs[item["id"]] = executor.submit(
            carry_file,
            name=row.name if row else stored["name"],
            original_name=row.original_name if row else stored.get("original_name", ""),
            content_type=row.content_type if row else stored.get("content_type", ""),
            recorded_sha256=row.sha256 if row else stored.get("sha256", ""),
        )
    return jobs


def attachment_name(label: str, original_name: str) -> str:
    """The name a file is attached under: its entry's label first, so names never clash."""
    cleaned = "".join(c for c in original_name if c.isprintable() and c not in "/\\").strip()
    return f"{label} {cleaned or 'file'}"


def place_files(entries: list[Any], jobs: dict[FileKey, Future]) -> None:
    """Give each entry its carried file, in the index's order, within the caps.

    ``entries`` are ``evidence.pdf.EvidenceEntry``; merged pages are numbered in the order
    they will appear, which is the order the slots are replaced in.
    """
    merged_total, attached_bytes = 0, 0

    def within_cap(carried: CarriedFile) -> None:
        nonlocal attached_bytes
        if carried.attach and attached_bytes + carried.size > attach_max_bytes():
            carried.attach = False
            carried.attach_note = (
                f"The original is not attached: the attachments of this PDF would pass "
                f"{attach_max_bytes() // (1024 * 1024)} MB. Ask the centre for a copy."
            )
        if carried.attach:
            attached_bytes += carried.size

    for entry in entries:
        record_keys = sorted(k for k in jobs if isinstance(k, tuple) and k[0] == entry.item_id)
        for key in record_keys:
            attached: CarriedFile = jobs[key].result()
            attached.attached_name = attachment_name(entry.label, attached.original_name)
            within_cap(attached)
            entry.record_files.append(attached)
        job = jobs.get(entry.item_id)
        if job is None:
            continue
        carried: CarriedFile = job.result()
        carried.attached_name = attachment_name(entry.label, carried.original_name)
        within_cap(carried)
        if carried.page_sizes:
            count = len(carried.page_sizes)
            if merged_total + count > merge_max_pages():
                carried.merge_note = (
                    f"Its {count} pages are not printed here: this PDF already holds the most "
                    f"merged pages it may ({merge_max_pages()})."
                )
                carried.clean_pdf, carried.page_sizes = None, []
            else:
                for number, (width, height) in enumerate(carried.page_sizes, start=1):
                    # Shrunk to the text area, never enlarged.
                    scale = min(
                        1.0, SLOT_MAX_MM[0] / (width * POINT_MM), SLOT_MAX_MM[1] / (height * POINT_MM)
                    )
                    carried.merged.append(
                        MergedPage(
                            index=merged_total,
                            page=number,
                            of=count,
                            width_mm=round(width * POINT_MM * scale, 2),
                            height_mm=round(height * POINT_MM * scale, 2),
                        )
                    )
                    merged_total += 1
        entry.carried = carried
