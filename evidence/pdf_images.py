"""Evidence images made the right size for the page before they go into the HTML.

A phone photo is 12 megapixels and several megabytes. In the PDF photos are printed two
side by side, 84 mm wide, where 750 pixels (about 230 dpi) are already finer than the
printer; screenshots keep the whole text width (16 cm, 1,400 pixels) so their text stays
legible. Decoding and downscaling here keeps the renderer's memory, the HTML it parses
and the PDF small. A JPEG is decoded straight at a quarter or an eighth of its size (draft
mode), so a 3000 × 2000 photo costs a 750 × 500 decode and no resampling. The result is
cached by the file's SHA-256, which the snapshot records: a stored evidence file never
changes, so the same photo is never scaled twice.

The print-size copy is also kept in storage as a **rendition**, made when the image is uploaded
(``evidence.tasks.make_print_rendition``), so even the first export of a portfolio reads its
photos at print size rather than scaling them. A rendition is derived data, scoped to one
portfolio like the cache (``renditions/portfolio-<id>/<sha256>-v<CACHE_VERSION>-<sizes>.<ext>``):
an export never finds, nor can time, another learner's copy of the same bytes. It goes when the
last item of its portfolio with that SHA-256 goes (``delete_renditions``); one that is missing is
made again by the next export that needs it.
"""

from __future__ import annotations

import base64
import io
import logging
import re
import warnings
from dataclasses import dataclass

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from PIL import Image, ImageOps, UnidentifiedImageError

from evidence.files import max_image_pixels
from evidence.models import Evidence

log = logging.getLogger(__name__)

MAX_WIDTH = 1400  # px: a screenshot across the 16 cm text width at about 220 dpi
MAX_HEIGHT = 1000
PHOTO_MAX_WIDTH = 750  # px: a photo in half the text width (84 mm) at about 230 dpi
PHOTO_MAX_HEIGHT = 820  # px: a portrait photo up to 95 mm high
JPEG_QUALITY = 80
PNG_LIMIT = 350_000  # bytes: a bigger PNG (a photo saved as PNG) goes in as a JPEG photo instead
PHOTO_FORMATS = {"JPEG", "MPO"}  # camera formats; everything else is treated as a screenshot first
ORIENTATION = 0x0112  # the EXIF tag
CACHE_SECONDS = 60 * 60 * 24 * 30
CACHE_VERSION = 2
SIZES = f"{MAX_WIDTH}x{MAX_HEIGHT}-{PHOTO_MAX_WIDTH}x{PHOTO_MAX_HEIGHT}"
RENDITIONS = "renditions"
RENDITION_TYPES = {"jpg": "image/jpeg", "png": "image/png"}
# What an image that cannot be scaled raises: it is then left out (or gets no rendition).
UNREADABLE = (OSError, ValueError, UnidentifiedImageError, Image.DecompressionBombError, Warning)
_SAFE_SCOPE = re.compile(r"[A-Za-z0-9_-]{1,64}")
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class PrintImage:
    data_uri: str
    width: int
    height: int

    @property
    def photo(self) -> bool:
        """A photograph (printed two to a row) rather than a screenshot (printed full width)."""
        return self.data_uri.startswith("data:image/jpeg")


def _fit(width: int, height: int, box: tuple[int, int]) -> tuple[int, int]:
    scale = min(1.0, box[0] / width, box[1] / height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _resized(picture: Image.Image, box: tuple[int, int]) -> Image.Image:
    target = _fit(picture.width, picture.height, box)
    if picture.size == target:
        return picture
    return picture.resize(target, Image.Resampling.LANCZOS, reducing_gap=3.0)


def downscale(content: bytes) -> tuple[bytes, str, int, int]:
    """(bytes, content type, width, height) of the image at print size.

    A photo (JPEG) fits PHOTO_MAX_WIDTH × PHOTO_MAX_HEIGHT and stays a JPEG; anything else
    fits MAX_WIDTH × MAX_HEIGHT as a PNG, unless that PNG is big, which means a photo saved
    as PNG: it is then printed as a photo.
    """
    photo_box, screen_box = (PHOTO_MAX_WIDTH, PHOTO_MAX_HEIGHT), (MAX_WIDTH, MAX_HEIGHT)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(io.BytesIO(content)) as image:
            if image.width * image.height > max_image_pixels():
                raise ValueError("image larger than the upload limit")
            photo = image.format in PHOTO_FORMATS
            box = photo_box if photo else screen_box
            if photo:
                # Decode at 1/2, 1/4 or 1/8 scale directly when that is still big enough,
                # measured the way the photo is shown (EXIF orientations 5 to 8 turn it).
                if image.getexif().get(ORIENTATION, 1) in {5, 6, 7, 8}:
                    shown = _fit(image.height, image.width, box)
                    image.draft("RGB", (shown[1], shown[0]))
                else:
                    image.draft("RGB", _fit(image.width, image.height, box))
            image.load()
            picture = ImageOps.exif_transpose(image)
            if picture.mode in {"RGBA", "LA", "PA"} or (
                picture.mode == "P" and "transparency" in picture.info
            ):
                # Transparent screenshots are flattened onto the white page.
                rgba = picture.convert("RGBA")
                picture = Image.new("RGB", rgba.size, "white")
                picture.paste(rgba, mask=rgba.getchannel("A"))
            elif picture.mode not in {"RGB", "L"}:
                picture = picture.convert("RGB")
            picture = _resized(picture, box)
    output = io.BytesIO()
    if not photo:
        # Screenshots keep sharp text as PNG while that stays small.
        picture.save(output, format="PNG", compress_level=6)
        if output.tell() <= PNG_LIMIT:
            return output.getvalue(), "image/png", picture.width, picture.height
        output = io.BytesIO()
        picture = _resized(picture, photo_box)
    picture.save(output, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=False)
    return output.getvalue(), "image/jpeg", picture.width, picture.height


def portfolio_scope(portfolio_id: int) -> str:
    """The scope of a portfolio's scaled images, in the cache and in storage."""
    return f"portfolio-{portfolio_id}"


def _cache_key(sha256: str, scope: str) -> str:
    if not (sha256 and scope):
        return ""
    sizes = f"{MAX_WIDTH}x{MAX_HEIGHT}:{PHOTO_MAX_WIDTH}x{PHOTO_MAX_HEIGHT}"
    return f"pdf-image:v{CACHE_VERSION}:{scope}:{sha256}:{sizes}"


def _rendition_stem(sha256: str, scope: str) -> str:
    """The rendition's storage name without its extension; "" when either part could climb
    out of the scope's folder (the scope and the digest become a path)."""
    if not (_SAFE_SCOPE.fullmatch(scope) and _SHA256.fullmatch(sha256)):
        return ""
    return f"{RENDITIONS}/{scope}/{sha256}-v{CACHE_VERSION}-{SIZES}"


def _data_uri(data: bytes, content_type: str) -> str:
    return f"data:{content_type};base64,{base64.b64encode(data).decode('ascii')}"


def read_rendition(*, sha256: str, scope: str) -> PrintImage | None:
    """The print-size copy stored for this scope, or None. Only its header is read for the size."""
    stem = _rendition_stem(sha256, scope)
    if not stem:
        return None
    for extension, content_type in RENDITION_TYPES.items():
        try:
            with default_storage.open(f"{stem}.{extension}", "rb") as handle:
                data = handle.read()
        except FileNotFoundError:
            continue
        except Exception as error:  # the storage's trouble (S3's errors are no OSError): scale instead
            log.warning("PDF: rendition %s.%s not read: %s", stem, extension, error)
            return None
        try:
            with Image.open(io.BytesIO(data)) as header:
                width, height = header.size
        except UNREADABLE as error:
            # Derived data: gone, it is made again from the original (by the caller).
            log.warning("PDF: rendition %s.%s unreadable, scaled again: %s", stem, extension, error)
            default_storage.delete(f"{stem}.{extension}")
            return None
        return PrintImage(_data_uri(data, content_type), width, height)
    return None


def _store_rendition(*, sha256: str, scope: str, data: bytes, content_type: str) -> bool:
    """Keep the scaled copy for the next export; False when it could not be (logged)."""
    stem = _rendition_stem(sha256, scope)
    if not stem:
        return False
    extension = "png" if content_type == "image/png" else "jpg"
    name = f"{stem}.{extension}"
    try:
        if default_storage.exists(name):
            return True
        saved = default_storage.save(name, ContentFile(data))
        if saved != name:  # another run stored it meanwhile: the storage kept both
            default_storage.delete(saved)
    except Exception as error:  # S3's errors are no OSError; a later export scales it again
        log.warning("PDF: rendition %s not stored: %s", name, error)
        return False
    return True


def delete_renditions(*, sha256: str, scope: str) -> None:
    """Remove every stored rendition of ``sha256`` in ``scope`` (all sizes and versions)."""
    stem = _rendition_stem(sha256, scope)
    if not stem:
        return
    folder = f"{RENDITIONS}/{scope}"
    try:
        _folders, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        if name.startswith(f"{sha256}-"):
            default_storage.delete(f"{folder}/{name}")


def release_rendition(*, evidence: Evidence, sha256: str) -> None:
    """The item's stored file of ``sha256`` is going: once the transaction commits, delete its
    rendition too, unless another item of the portfolio holds the same bytes."""
    if not evidence.is_image or not sha256:
        return
    held = (
        Evidence.objects.filter(portfolio_id=evidence.portfolio_id, sha256=sha256)
        .exclude(pk=evidence.pk)
        .exists()
    )
    if not held:
        scope = portfolio_scope(evidence.portfolio_id)
        transaction.on_commit(lambda: delete_renditions(sha256=sha256, scope=scope))


def delete_portfolio_renditions(*, portfolio_id: int) -> None:
    """Remove every rendition of a portfolio (when its files are erased)."""
    folder = f"{RENDITIONS}/{portfolio_scope(portfolio_id)}"
    try:
        _folders, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        default_storage.delete(f"{folder}/{name}")


def make_print_rendition(*, evidence_id: int) -> bool:
    """Store the print-size copy of an image item (the upload's background step).

    Idempotent: an existing rendition is kept. False, with a warning, when the item is gone,
    is not an image or cannot be scaled (the export then leaves it out, as before)."""
    evidence = (
        Evidence.objects.filter(pk=evidence_id).only("portfolio_id", "file", "sha256", "content_type").first()
    )
    if evidence is None or not evidence.file or not evidence.is_image:
        return False
    scope = portfolio_scope(evidence.portfolio_id)
    stem = _rendition_stem(evidence.sha256, scope)
    if not stem:
        return False
    if any(default_storage.exists(f"{stem}.{extension}") for extension in RENDITION_TYPES):
        return True
    try:
        with evidence.file.open("rb") as handle:
            content = handle.read()
        data, content_type, _width, _height = downscale(content)
    except UNREADABLE as error:
        log.warning("evidence %s: no print rendition, the image cannot be scaled: %s", evidence_id, error)
        return False
    return _store_rendition(sha256=evidence.sha256, scope=scope, data=data, content_type=content_type)


def cached_print_image(*, sha256: str, scope: str) -> PrintImage | None:
    """The scaled copy an earlier export of this scope left in the cache, or None."""
    key = _cache_key(sha256, scope)
    cached = cache.get(key) if key else None
    return PrintImage(*cached) if cached is not None else None


def print_image(*, name: str, sha256: str, scope: str = "") -> PrintImage | None:
    """The stored image ``name`` ready to embed, or None when it is missing or unreadable.

    From the cache, else the stored rendition, else scaled now (and the rendition stored for
    the next export). Both are scoped to ``scope`` (the portfolio), as the charts are: an export
    never finds, nor can time, another learner's scaled photo, even of the same bytes."""
    key = _cache_key(sha256, scope)
    if key and (cached := cache.get(key)) is not None:
        return PrintImage(*cached)
    result = read_rendition(sha256=sha256, scope=scope) if key else None
    if result is None:
        try:
            with default_storage.open(name, "rb") as handle:
                content = handle.read()
            data, content_type, width, height = downscale(content)
        except UNREADABLE as error:
            log.warning("PDF: image %s left out: %s", name, error)
            return None
        result = PrintImage(_data_uri(data, content_type), width, height)
        if key:
            _store_rendition(sha256=sha256, scope=scope, data=data, content_type=content_type)
    if key:
        cache.set(key, (result.data_uri, result.width, result.height), CACHE_SECONDS)
    return result
