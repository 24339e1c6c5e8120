"""Checking and cleaning uploaded files, decided by their content, not their name.

The type comes from libmagic (python-magic): it reads the bytes the way ``file(1)``
does and knows far more formats than a table of signatures, so a script, an
executable, HTML or SVG is recognised as what it is even under an innocent name.
libmagic is not enough on its own for two families, so they get explicit checks:

* Office Open XML (DOCX, XLSX, PPTX) are ZIP archives; libmagic names them only when
  their parts happen to be in Microsoft's order, so the archive's parts are read to
  decide, and a macro project (``vbaProject.bin``) is refused.
* Plain text and CSV: libmagic says ``text/plain`` for anything printable, so text is
  decoded and refused when it is really markup.

Legacy binary Office files (.doc, .xls, .ppt) are refused: they share one container
format (OLE) with other programs' files and commonly carry macros, so they cannot be
recognised safely by content; learners are asked to save them as the modern format.

Images are re-encoded with Pillow from their pixels alone, so EXIF (with GPS
location), comments and any trailing payload are dropped; images larger than
``MAX_IMAGE_PIXELS`` are refused before they are decoded (decompression bombs).

PDFs lose their active content (script, launch and submit actions, embedded files; see
``evidence.pdfs``), and what was removed is recorded with the item; encrypted and damaged
PDFs are refused.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

import magic
from django.conf import settings
from django.utils.translation import ngettext
from PIL import Image, ImageOps, UnidentifiedImageError

from evidence.pdfs import PdfRefused, sanitise_pdf

# A 40-megapixel photo is bigger than any phone camera's; anything beyond is refused.
DEFAULT_MAX_IMAGE_PIXELS = 40_000_000


class FileRefused(Exception):
    """The file cannot be accepted; the message says why, in words for the learner."""


@dataclass(frozen=True)
class FileType:
    key: str
    label: str
    content_type: str
    extensions: tuple[str, ...]  # the first is the one the stored file gets


ALLOWED_TYPES: dict[str, FileType] = {
    t.key: t
    for t in [
        FileType("png", "PNG image", "image/png", (".png",)),
        FileType("jpeg", "JPEG image", "image/jpeg", (".jpg", ".jpeg")),
        FileType("webp", "WebP image", "image/webp", (".webp",)),
        FileType("pdf", "PDF document", "application/pdf", (".pdf",)),
        FileType(
            "docx",
            "Word document",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            (".docx",),
        ),
        FileType(
            "xlsx",
            "Excel workbook",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            (".xlsx",),
        ),
        FileType(
            "pptx",
            "PowerPoint presentation",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            (".pptx",),
        ),
        FileType("csv", "CSV file", "text/csv", (".csv",)),
        FileType("txt", "plain text file", "text/plain", (".txt",)),
    ]
}
ALLOWED_EXTENSIONS = sorted({ext for t in ALLOWED_TYPES.values() for ext in t.extensions})
IMAGE_FORMATS = {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP"}
OOXML_MAIN_PART = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "pptx": "ppt/presentation.xml"}
LEGACY_OFFICE = {"application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint"}
MARKUP_START = re.compile(
    rb"^\s*(?:\xef\xbb\xbf)?\s*<(?:!doctype|html|head|body|svg|script|\?xml|iframe)", re.I
)
DANGEROUS_IN_TEXT = re.compile(rb"<\s*(?:script|svg|iframe|object|embed)\b|<\s*html\b", re.I)


@dataclass(frozen=True)
class CleanFile:
    """A checked file ready to store."""

    name: str  # cleaned name for display and download, with the right extension
    content: bytes
    file_type: FileType
    sha256: str  # of ``content``, the bytes that are stored
    removed: tuple[str, ...] = ()  # active content taken out of the file, in words

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def removal_note(self) -> str:
        """What was taken out, as the item's provenance says it; empty if the file is as uploaded."""
        if not self.removed:
            return ""
        return ("Active content removed from the PDF on upload: " + "; ".join(self.removed) + ".")[:500]


# Recordings of a professional discussion: what libmagic says of the content, the type it is
# stored and served as, and the endings it may have. Played in the page, never transcoded.
MEDIA_TYPES: dict[str, FileType] = {
    mime: t
    for t, mimes in [
        (FileType("mp3", "MP3 audio", "audio/mpeg", (".mp3",)), ("audio/mpeg",)),
        (FileType("m4a", "M4A audio", "audio/mp4", (".m4a",)), ("audio/x-m4a", "audio/mp4")),
        (FileType("wav", "WAV audio", "audio/wav", (".wav",)), ("audio/x-wav", "audio/wav")),
        (FileType("ogg", "Ogg audio", "audio/ogg", (".ogg", ".oga", ".opus")), ("audio/ogg",)),
        (FileType("webm", "WebM recording", "video/webm", (".webm",)), ("video/webm", "audio/webm")),
        (FileType("mp4", "MP4 video", "video/mp4", (".mp4",)), ("video/mp4",)),
        (FileType("mov", "QuickTime video", "video/quicktime", (".mov",)), ("video/quicktime",)),
    ]
    for mime in mimes
}
MEDIA_EXTENSIONS = sorted({ext for t in MEDIA_TYPES.values() for ext in t.extensions})
DEFAULT_MAX_MEDIA_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class CheckedMedia:
    """A recording whose content is audio or video of an accepted kind. It is not read into
    memory: ``upload`` is the uploaded file (Django keeps a large one on disk), stored as is."""

    name: str
    file_type: FileType
    size: int
    sha256: str
    upload: Any


def max_media_bytes() -> int:
    return int(getattr(settings, "MAX_MEDIA_UPLOAD_BYTES", DEFAULT_MAX_MEDIA_BYTES))


def check_media(name: str, upload: Any) -> CheckedMedia:
    """An audio or video recording, checked by its content (the first 64 KB, as libmagic reads
    it) and its name, and hashed in chunks. Raises ``FileRefused``; nothing is written."""
    size = int(upload.size or 0)
    if not size:
        raise FileRefused("The recording is empty (0 bytes): choose the file again or another one.")
    if size > max_media_bytes():
        raise FileRefused(
            f"The recording is {human_size(size)}; the limit is {human_size(max_media_bytes())}."
        )
    extension = PurePosixPath(name.lower()).suffix
    if extension not in MEDIA_EXTENSIONS:
        raise FileRefused(
            f"Recordings ending in “{extension or '(no extension)'}” are not accepted. Accepted: "
            + ", ".join(MEDIA_EXTENSIONS)
            + "."
        )
    upload.seek(0)
    head = upload.read(65536)
    mime = magic.from_buffer(head, mime=True)
    file_type = MEDIA_TYPES.get(mime)
    if file_type is None:
        raise FileRefused(
            f"The file is called “…{extension}” but its content is not audio or video ({_describe(mime)})."
        )
    if extension not in file_type.extensions:
        raise FileRefused(
            f"The file is called “…{extension}” but its content is {file_type.label}: "
            "rename it or choose the right file."
        )
    digest = hashlib.sha256(head)
    for chunk in iter(lambda: upload.read(1024 * 1024), b""):
        digest.update(chunk)
    upload.seek(0)
    return CheckedMedia(
        name=clean_filename(name, extension=extension),
        file_type=file_type,
        size=size,
        sha256=digest.hexdigest(),
        upload=upload,
    )


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return ngettext("%(count)d byte", "%(count)d bytes", size) % {"count": size}


def max_upload_bytes() -> int:
    return int(getattr(settings, "MAX_UPLOAD_BYTES", 20 * 1024 * 1024))


def clean_filename(name: str, *, extension: str) -> str:
    """A name safe to show and to offer for download: no folders, controls or odd marks."""
    base = PurePosixPath(name.replace("\\", "/")).name
    stem = PurePosixPath(base).stem if "." in base else base
    stem = unicodedata.normalize("NFKC", stem)
    stem = re.sub(r"[^\w\s().,'&+-]", "", stem, flags=re.UNICODE)
    stem = re.sub(r"\s+", " ", stem).strip(" .-_")[:100] or "evidence"
    return f"{stem}{extension}"


def check_upload(name: str, content: bytes) -> CleanFile:
    """Decide the type from the content, check it against the allowlist and clean it.

    Raises ``FileRefused`` with the reason; nothing is written anywhere.
    """
    if not content:
        raise FileRefused("The file is empty (0 bytes): choose the file again or another one.")
    if len(content) > max_upload_bytes():
        raise FileRefused(
            f"The file is {human_size(len(content))}; the limit is {human_size(max_upload_bytes())}."
        )
    extension = PurePosixPath(name.lower()).suffix
    if extension not in ALLOWED_EXTENSIONS:
        raise FileRefused(
            f"Files ending in “{extension or '(no extension)'}” are not accepted. Accepted: "
            + ", ".join(ALLOWED_EXTENSIONS)
            + "."
        )
    file_type = detect_type(content, extension=extension)
    if extension not in file_type.extensions:
        raise FileRefused(
            f"The file is called “…{extension}” but its content is a {file_type.label}: "
            "rename it or choose the right file."
        )
    removed: tuple[str, ...] = ()
    if file_type.key in IMAGE_FORMATS:
        content = reencode_image(content, IMAGE_FORMATS[file_type.key])
    elif file_type.key == "pdf":
        try:
            clean = sanitise_pdf(content)
        except PdfRefused as error:
            raise FileRefused(str(error)) from None
        content, removed = clean.content, clean.removed
    return CleanFile(
        name=clean_filename(name, extension=extension),
        content=content,
        file_type=file_type,
        sha256=hashlib.sha256(content).hexdigest(),
        removed=removed,
    )


def detect_type(content: bytes, *, extension: str = "") -> FileType:
    mime = magic.from_buffer(content[:65536], mime=True)
    if mime == "image/svg+xml":
        raise FileRefused("SVG images are not accepted: they can carry script. Export it as PNG instead.")
    if mime in {"text/html", "application/xhtml+xml"}:
        raise FileRefused("Web pages (HTML) are not accepted. Save it as PDF or take a screenshot.")
    if mime in LEGACY_OFFICE or mime == "application/CDFV2" or mime.startswith("application/x-ole"):
        raise FileRefused(
            "Older Office files (.doc, .xls, .ppt) are not accepted. Save it as .docx, .xlsx or .pptx."
        )
    for file_type in ALLOWED_TYPES.values():
        if (file_type.key in IMAGE_FORMATS or file_type.key == "pdf") and mime == file_type.content_type:
            return file_type
    if mime == "application/zip" or mime.startswith("application/vnd.openxmlformats-officedocument"):
        return _office_type(content)
    if mime in {"text/plain", "text/csv"}:
        return _text_type(content, extension=extension, mime=mime)
    raise FileRefused(f"This kind of file ({_describe(mime)}) is not accepted.")


def _describe(mime: str) -> str:
    if mime in {"application/x-dosexec", "application/x-executable", "application/x-sharedlib"} or (
        mime.startswith("application/x-") and "exec" in mime
    ):
        return "a program"
    if mime.startswith("text/x-") and ("script" in mime or mime.endswith("shellscript")):
        return "a script"
    return mime


def _office_type(content: bytes) -> FileType:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise FileRefused("The file looks like an Office document but is damaged.") from None
    if "[Content_Types].xml" not in names:
        raise FileRefused("ZIP archives are not accepted; only Word, Excel and PowerPoint files.")
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise FileRefused("Office files with macros are not accepted. Save it without macros (.docx, .xlsx).")
    for key, part in OOXML_MAIN_PART.items():
        if part in names:
            return ALLOWED_TYPES[key]
    raise FileRefused("The file is an archive that is not a Word, Excel or PowerPoint document.")


def _text_type(content: bytes, *, extension: str, mime: str) -> FileType:
    if b"\x00" in content:
        raise FileRefused("The file is not readable text.")
    if MARKUP_START.match(content[:1024]) or DANGEROUS_IN_TEXT.search(content):
        raise FileRefused("The text contains web page markup or script, which is not accepted.")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FileRefused("The text is in an encoding that cannot be read; save it as UTF-8.")
    return ALLOWED_TYPES["csv"] if extension == ".csv" or mime == "text/csv" else ALLOWED_TYPES["txt"]


def max_image_pixels() -> int:
    return int(getattr(settings, "MAX_IMAGE_PIXELS", DEFAULT_MAX_IMAGE_PIXELS))


def reencode_image(content: bytes, image_format: str) -> bytes:
    """The image drawn again from its pixels: no EXIF, GPS, comments or appended data."""
    limit = max_image_pixels()
    bomb = "The image is too large to process (over {:,} pixels): resize it and try again."
    try:
        with warnings.catch_warnings():
            # Pillow warns above its own MAX_IMAGE_PIXELS and raises at twice that; both refuse here.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                width, height = image.size
                if width * height > limit:
                    raise FileRefused(bomb.format(limit))
                image.load()
                image = ImageOps.exif_transpose(image)
                pixels = _plain_pixels(image, image_format)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise FileRefused(bomb.format(limit)) from None
    except FileRefused:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise FileRefused(f"The image is damaged and cannot be read ({error.__class__.__name__}).") from None
    output = io.BytesIO()
    options = {"quality": 90} if image_format in {"JPEG", "WEBP"} else {"optimize": True}
    pixels.save(output, format=image_format, **options)
    return output.getvalue()


def _plain_pixels(image: Image.Image, image_format: str) -> Image.Image:
    """A fresh image holding only pixel data: nothing of the original's metadata survives."""
    if image_format == "JPEG":
        mode = "RGB"
    elif image.mode in {"RGBA", "LA", "PA"} or (image.mode == "P" and "transparency" in image.info):
        mode = "RGBA"
    else:
        mode = "RGB" if image.mode not in {"L", "1"} else "L"
    converted = image.convert(mode)
    return Image.frombytes(mode, converted.size, converted.tobytes())
