"""After WeasyPrint: the merged PDF pages put in their slots, and the original files attached.

WeasyPrint lays out each page of a merged PDF as a page of the document with a caption, the
running header and footer, and an image of the page's exact proportions in its text area
(``evidence.pdf_files.MergedPage``: a white PNG one pixel wide whose height tells the slots
apart). Here, with pikepdf (qpdf), each such image XObject is replaced by a form XObject of
the cleaned PDF's page, scaled into the same unit square the image was drawn in. So the
page numbers, the contents, the bookmarks and the tags WeasyPrint wrote stay right: the
page is drawn inside the ``/Figure`` marked content of the slot, whose alternative text
names the file and the page. Then each carried original is attached as an embedded file.
"""

from __future__ import annotations

import io
import logging
import tempfile
import zlib
from collections.abc import Iterable

import pikepdf
from django.core.files.storage import default_storage
from pikepdf import Array, Dictionary, Name, Rectangle, Stream

from evidence.pdf_files import SLOT_BASE, CarriedFile

log = logging.getLogger(__name__)

# Attachments of these types are compressed in the PDF; the others (images, PDFs, Office
# files, which are zip archives) are stored as they are: compressing them gains nothing.
COMPRESSIBLE = ("text/", "application/json", "image/svg+xml")


def _slots(pdf: pikepdf.Pdf) -> dict[int, list[tuple[Dictionary, Name]]]:
    """Where each slot image is named: (XObject dictionary, name) by slot index."""
    found: dict[int, list[tuple[Dictionary, Name]]] = {}
    seen: set[tuple[int, int]] = set()
    for page in pdf.pages:
        xobjects = page.obj.get("/Resources", Dictionary()).get("/XObject")
        if not isinstance(xobjects, Dictionary):
            continue
        if xobjects.is_indirect:
            if xobjects.objgen in seen:
                continue
            seen.add(xobjects.objgen)
        for key in list(xobjects.keys()):
            image = xobjects[key]
            if (
                isinstance(image, Stream)
                and image.get("/Subtype") == Name.Image
                and image.get("/Width") == 1
                and int(image.get("/Height", 0)) >= SLOT_BASE
            ):
                found.setdefault(int(image.Height) - SLOT_BASE, []).append((xobjects, Name(key)))
    return found


def _page_form(pdf: pikepdf.Pdf, source: pikepdf.Pdf, number: int) -> Stream:
    """The source's page as a form XObject drawn in the unit square (as an image is)."""
    form = pdf.copy_foreign(source.pages[number].as_form_xobject())
    bbox = [float(v) for v in form.BBox]
    # The page's box after its own rotation, which as_form_xobject put in the form's matrix.
    matrix = pikepdf.Matrix(*[float(v) for v in form.get("/Matrix", Array([1, 0, 0, 1, 0, 0]))])
    corners = [matrix.transform((x, y)) for x in (bbox[0], bbox[2]) for y in (bbox[1], bbox[3])]
    width = max(c[0] for c in corners) - min(c[0] for c in corners)
    height = max(c[1] for c in corners) - min(c[1] for c in corners)
    placement = pdf.pages[0].calc_form_xobject_placement(
        form, Name.P, Rectangle(0, 0, width, height), allow_shrink=True, allow_expand=True
    )
    wrapper = Stream(pdf, placement)
    wrapper.Type = Name.XObject
    wrapper.Subtype = Name.Form
    wrapper.BBox = Array([0, 0, width, height])
    wrapper.Matrix = Array([1 / width, 0, 0, 1 / height, 0, 0])
    wrapper.Resources = Dictionary(XObject=Dictionary(P=form))
    return wrapper


def _merge(pdf: pikepdf.Pdf, files: list[CarriedFile]) -> None:
    slots = _slots(pdf)
    for carried in files:
        if not carried.merged or carried.clean_pdf is None:
            continue
        with pikepdf.open(io.BytesIO(carried.clean_pdf)) as source:
            try:
                # Form fields and comments drawn as they print; the annotations themselves go.
                source.generate_appearance_streams()
                source.flatten_annotations("print")
            except pikepdf.PdfError as error:
                log.info("PDF: annotations of %s left out: %s", carried.name, error)
            for merged in carried.merged:
                try:
                    form = _page_form(pdf, source, merged.page - 1)
                except (pikepdf.PdfError, ValueError, KeyError, TypeError, ZeroDivisionError) as error:
                    # Checked when the file was prepared, so rare: the slot stays an empty frame
                    # under its caption rather than the whole export failing.
                    log.warning("PDF: page %d of %s not merged: %s", merged.page, carried.name, error)
                    continue
                for xobjects, key in slots.get(merged.index, []):
                    xobjects[key] = form
        carried.clean_pdf = None  # the bytes are no longer needed


def _attach(pdf: pikepdf.Pdf, files: list[CarriedFile]) -> None:
    for carried in files:
        if not carried.attach:
            continue
        try:
            with default_storage.open(carried.name, "rb") as handle:
                content = handle.read()
        except OSError as error:
            log.warning("PDF: %s not attached: %s", carried.name, error)
            continue
        spec = pikepdf.AttachedFileSpec(
            pdf,
            content,
            description=f"{carried.original_name} (SHA-256 {carried.sha256})",
            filename=carried.attached_name,
            mime_type=carried.content_type,
            relationship=Name.Source,
        )
        if carried.content_type.startswith(COMPRESSIBLE):
            stream = spec.obj.EF.F
            stream.write(zlib.compress(content, 6), filter=Name.FlateDecode)
        pdf.attachments[carried.attached_name] = spec


def carry_files(content: bytes, files: Iterable[CarriedFile | None]) -> bytes:
    """WeasyPrint's PDF with the merged pages drawn in their slots and the originals attached."""
    carried = [f for f in files if f is not None]
    if not any(f.merged or f.attach for f in carried):
        return content
    # Written to a temporary file and read back once qpdf has let go of its copy of the
    # attachments, so the export holds them once at a time rather than twice or three times.
    with tempfile.TemporaryFile() as output:
        with pikepdf.open(io.BytesIO(content)) as pdf:
            _merge(pdf, carried)
            _attach(pdf, carried)
            # Streams are written as they are: WeasyPrint's are compressed already, and
            # attachments were compressed above when that gains anything.
            pdf.save(
                output,
                compress_streams=False,
                stream_decode_level=pikepdf.StreamDecodeLevel.none,
                object_stream_mode=pikepdf.ObjectStreamMode.preserve,
            )
        output.seek(0)
        return output.read()
