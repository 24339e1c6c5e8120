"""Previews of a version's frozen files, beside the criterion they are meant to prove.

What each kind becomes, and why it is safe:

* images (PNG, JPEG, WebP): shown as they are, through the sandboxed file response;
* PDFs: page images rendered in the worker by pypdfium2 (PDFium without JavaScript or XFA:
  it draws pixels and fetches nothing), at most ``PDF_MAX_PAGES`` pages of at most
  ``PAGE_MAX_PIXELS`` pixels, cached in storage per file digest
  (``previews/<sha256>/``); the first request queues the render through the outbox and the
  panel polls until the manifest is there;
* text: shown as text; Markdown through the app's sanitising renderer;
* CSV and XLSX: a table of the first ``TABLE_ROWS`` rows; cells are text, formulas are shown
  as written and never evaluated, external links are not loaded;
* anything else (an SVG, which can carry script; a Word file; a file too large) says why and
  offers the download.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

import openpyxl
import pypdfium2
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils.safestring import SafeString

from core import outbox
from core.models import OutboxMessage, VersionFile
from evidence.rendering import render_markdown

log = logging.getLogger(__name__)

RENDER_TASK = "assessment.tasks.render_pdf_preview"
PREVIEW_ROOT = "previews"
PDF_MAX_BYTES = 40 * 1024 * 1024
PDF_MAX_PAGES = 12  # pages drawn; the preview says how many more the file has
PAGE_WIDTH_PX = 1100  # a page is drawn this wide…
PAGE_MAX_PIXELS = 2_400_000  # …unless that makes more pixels than this (a huge or odd page)
TEXT_MAX_BYTES = 200_000
TABLE_ROWS = 20
TABLE_COLUMNS = 15
CELL_MAX_CHARS = 200
SHEET_MAX_BYTES = 10 * 1024 * 1024
SHEET_MAX_UNPACKED = 60 * 1024 * 1024  # an XLSX is a zip: refuse one that unpacks to more

IMAGE_TYPES = {"image/png", "image/jpeg", "image/webp", "image/gif"}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MARKDOWN_EXTENSIONS = {".md", ".markdown"}


class PreviewRefused(Exception):
    """The file cannot be previewed; the message says why, for the person."""


@dataclass
class Preview:
    kind: str  # "image", "pdf", "pending", "text", "markdown", "table", "none"
    reason: str = ""  # for "none": why there is no preview
    text: str = ""
    html: SafeString | str = ""
    rows: list[list[str]] = field(default_factory=list)
    sheet: str = ""
    more_rows: bool = False
    more_columns: bool = False
    pages: list[int] = field(default_factory=list)
    page_count: int = 0
    truncated: bool = False

    @property
    def more_pages(self) -> int:
        return max(0, self.page_count - len(self.pages))


def kind_of(stored: VersionFile) -> str:
    """What kind of preview a file gets, from its checked content type and its name."""
    content_type = (stored.content_type or "").split(";")[0].strip().lower()
    extension = PurePosixPath(stored.original_name or "").suffix.lower()
    if content_type in IMAGE_TYPES:
        return "image"
    if content_type == "image/svg+xml" or extension == ".svg":
        return "svg"
    if content_type == "application/pdf":
        return "pdf"
    if content_type == "text/csv" or extension == ".csv":
        return "csv"
    if content_type == XLSX_TYPE or extension == ".xlsx":
        return "xlsx"
    if content_type == "text/markdown" or extension in MARKDOWN_EXTENSIONS:
        return "markdown"
    if content_type == "text/plain" or extension == ".txt":
        return "text"
    return "other"


def is_lazy(stored: VersionFile) -> bool:
    """Whether the panel fetches the preview after it is drawn (it reads or renders the file)."""
    return kind_of(stored) in {"pdf", "csv", "xlsx", "markdown", "text"}


def preview_of(stored: VersionFile) -> Preview:
    """The preview of one file, reading it where needed; never raises for a bad file."""
    kind = kind_of(stored)
    try:
        if kind == "image":
            return Preview(kind="image")
        if kind == "svg":
            raise PreviewRefused("SVG drawings can carry script, so they are not shown here.")
        if kind == "pdf":
            return _pdf_preview(stored)
        if kind == "csv":
            return _csv_preview(_read(stored, TEXT_MAX_BYTES + 1))
        if kind == "xlsx":
            return _xlsx_preview(stored)
        if kind in {"text", "markdown"}:
            data = _read(stored, TEXT_MAX_BYTES + 1)
            text = data[:TEXT_MAX_BYTES].decode("utf-8", errors="replace")
            truncated = len(data) > TEXT_MAX_BYTES
            if kind == "markdown":
                return Preview(
                    kind="markdown", html=render_markdown(text, heading_level=5), truncated=truncated
                )
            return Preview(kind="text", text=text, truncated=truncated)
        raise PreviewRefused("There is no preview for this kind of file.")
    except PreviewRefused as exc:
        return Preview(kind="none", reason=str(exc))


def _read(stored: VersionFile, limit: int) -> bytes:
    try:
        with default_storage.open(stored.name, "rb") as handle:
            return handle.read(limit)
    except FileNotFoundError:
        raise PreviewRefused("The stored file is missing.") from None


# --- Tables -------------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    """A cell as text: a formula as written ("=SUM(A1:A3)"), never its value; long text cut."""
    if value is None:
        return ""
    text = str(value)
    return text if len(text) <= CELL_MAX_CHARS else text[: CELL_MAX_CHARS - 1] + "…"


def _csv_preview(data: bytes) -> Preview:
    text = data[:TEXT_MAX_BYTES].decode("utf-8-sig", errors="replace")
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows: list[list[str]] = []
    more_rows = more_columns = False
    try:
        for row in csv.reader(io.StringIO(text), dialect):
            if len(rows) == TABLE_ROWS:
                more_rows = True
                break
            more_columns = more_columns or len(row) > TABLE_COLUMNS
            rows.append([_cell(v) for v in row[:TABLE_COLUMNS]])
    except csv.Error:
        raise PreviewRefused("The CSV file could not be read as a table.") from None
    if not rows:
        raise PreviewRefused("The CSV file is empty.")
    return Preview(
        kind="table",
        rows=_square(rows),
        more_rows=more_rows or len(data) > TEXT_MAX_BYTES,
        more_columns=more_columns,
    )


def _xlsx_preview(stored: VersionFile) -> Preview:
    if (stored.size or 0) > SHEET_MAX_BYTES:
        raise PreviewRefused("The workbook is too large to preview.")
    data = _read(stored, SHEET_MAX_BYTES + 1)
    if len(data) > SHEET_MAX_BYTES:
        raise PreviewRefused("The workbook is too large to preview.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > SHEET_MAX_UNPACKED:
                raise PreviewRefused("The workbook unpacks to too much data to preview.")
        # read_only streams the first rows; data_only=False keeps formulas as their text (nothing
        # is calculated); keep_links=False leaves external links unread.
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except PreviewRefused:
        raise
    except Exception:  # a broken zip, broken XML: openpyxl raises many kinds
        log.info("workbook preview: %s could not be read", stored.pk, exc_info=True)
        raise PreviewRefused("The workbook could not be read.") from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise PreviewRefused("The workbook has no sheet to show.")
        rows: list[list[str]] = []
        more_rows = more_columns = False
        for row in sheet.iter_rows(max_row=TABLE_ROWS + 1, values_only=True):
            if len(rows) == TABLE_ROWS:
                more_rows = True
                break
            more_columns = more_columns or len(row) > TABLE_COLUMNS
            rows.append([_cell(v) for v in row[:TABLE_COLUMNS]])
        title = sheet.title
        sheets = len(workbook.worksheets)
    except PreviewRefused:
        raise
    except Exception:
        log.info("workbook preview: %s could not be read", stored.pk, exc_info=True)
        raise PreviewRefused("The workbook could not be read.") from None
    finally:
        workbook.close()
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows:
        raise PreviewRefused("The first sheet of the workbook is empty.")
    shown = f"{title} (first of {sheets} sheets)" if sheets > 1 else title
    return Preview(
        kind="table", rows=_square(rows), sheet=shown, more_rows=more_rows, more_columns=more_columns
    )


def _square(rows: list[list[str]]) -> list[list[str]]:
    width = max(len(row) for row in rows)
    return [row + [""] * (width - len(row)) for row in rows]


# --- PDFs ---------------------------------------------------------------------------------------


def _folder(sha256: str) -> str:
    return f"{PREVIEW_ROOT}/{sha256}"


def manifest_name(sha256: str) -> str:
    return f"{_folder(sha256)}/manifest.json"


def page_name(sha256: str, page: int) -> str:
    return f"{_folder(sha256)}/page-{page}.png"


def read_manifest(sha256: str) -> dict[str, Any] | None:
    try:
        with default_storage.open(manifest_name(sha256), "rb") as handle:
            found: dict[str, Any] = json.loads(handle.read())
            return found
    except (FileNotFoundError, ValueError):
        return None


def _task_id(sha256: str) -> str:
    return f"pdfpreview-{sha256[:52]}"


def _pdf_preview(stored: VersionFile) -> Preview:
    manifest = read_manifest(stored.sha256)
    if manifest is None:
        request_render(stored)
        manifest = read_manifest(stored.sha256)  # run at once where the worker is eager
    if manifest is None:
        return Preview(kind="pending")
    if manifest.get("status") != "ready":
        raise PreviewRefused(manifest.get("reason") or "The PDF could not be previewed.")
    return Preview(
        kind="pdf", pages=list(range(1, int(manifest["rendered"]) + 1)), page_count=int(manifest["pages"])
    )


def request_render(stored: VersionFile) -> None:
    """Queue the render of a PDF's pages once per file digest (a render already queued or done
    is not queued again; one done whose pages are gone from storage is run again)."""
    task_id = _task_id(stored.sha256)
    message = OutboxMessage.objects.filter(task_id=task_id).first()
    if message is not None:
        if message.done_at is not None or message.gave_up_at is not None:
            outbox.requeue(task_id=task_id)
        return
    try:
        with transaction.atomic():
            outbox.enqueue(RENDER_TASK, args=[stored.pk], task_id=task_id)
    except IntegrityError:
        pass  # queued by another request at the same moment


def _write(name: str, data: bytes) -> None:
    if default_storage.exists(name):
        default_storage.delete(name)
    default_storage.save(name, ContentFile(data))


def render_pdf(version_file_id: int) -> str:
    """Draw the first pages of a version's PDF as PNGs and write the manifest (the task's body).
    Returns the manifest's status; a file that cannot be drawn gets a manifest saying why."""
    stored = VersionFile.objects.filter(pk=version_file_id).first()
    if stored is None:
        return "missing"
    try:
        rendered, pages = _render_pages(stored)
        manifest: dict[str, Any] = {"status": "ready", "pages": pages, "rendered": rendered}
    except PreviewRefused as exc:
        manifest = {"status": "failed", "reason": str(exc)}
    except Exception:
        # Whatever else went wrong, the panel must stop waiting: it says so and offers the file.
        log.exception("PDF preview of version file %s failed", version_file_id)
        manifest = {"status": "failed", "reason": "The PDF could not be drawn."}
    _write(manifest_name(stored.sha256), json.dumps(manifest).encode())
    return str(manifest["status"])


def _render_pages(stored: VersionFile) -> tuple[int, int]:
    if (stored.size or 0) > PDF_MAX_BYTES:
        raise PreviewRefused("The PDF is too large to preview.")
    data = _read(stored, PDF_MAX_BYTES + 1)
    if len(data) > PDF_MAX_BYTES:
        raise PreviewRefused("The PDF is too large to preview.")
    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        if getattr(exc, "err_code", None) == pypdfium2.raw.FPDF_ERR_PASSWORD:
            raise PreviewRefused("The PDF is protected by a password, so it cannot be previewed.") from None
        raise PreviewRefused("The PDF could not be read: it may be damaged.") from None
    try:
        pages = len(document)
        if pages == 0:
            raise PreviewRefused("The PDF has no pages.")
        rendered = 0
        for index in range(min(pages, PDF_MAX_PAGES)):
            page = document[index]
            try:
                width, height = page.get_size()
                if not (width > 0 and height > 0):
                    raise PreviewRefused(f"Page {index + 1} of the PDF has no size, so it cannot be drawn.")
                # A little under the cap: PDFium rounds the bitmap's sides up.
                scale = min(PAGE_WIDTH_PX / width, 0.99 * math.sqrt(PAGE_MAX_PIXELS / (width * height)))
                # Forms are drawn as filled in, never run; PDFium here has no JavaScript at all.
                bitmap = page.render(scale=scale, may_draw_forms=False)
                image = bitmap.to_pil()
                buffer = io.BytesIO()
                image.save(buffer, format="PNG", optimize=False)
                _write(page_name(stored.sha256, index + 1), buffer.getvalue())
                rendered += 1
            finally:
                page.close()
    except pypdfium2.PdfiumError:
        raise PreviewRefused("The PDF could not be drawn: it may be damaged.") from None
    finally:
        document.close()
    return rendered, pages
