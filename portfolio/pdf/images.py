"""Evidence images made the right size for the page before they go into the HTML.

A phone photo is 12 megapixels and several megabytes; on an A4 page it is printed about
16 cm wide, where 1,400 pixels are already finer than the printer. Decoding and
downscaling here (JPEG's draft mode decodes at a fraction of the size straight away)
keeps the renderer's memory and the PDF small. The result is cached by the file's
SHA-256, which the snapshot records: a stored evidence file never changes, so the same
photo is never scaled twice.
"""

from __future__ import annotations

import base64
import io
import logging
import warnings
from dataclasses import dataclass

from django.core.cache import cache
from django.core.files.storage import default_storage
from PIL import Image, ImageOps, UnidentifiedImageError

from evidence.files import max_image_pixels

log = logging.getLogger(__name__)

MAX_WIDTH = 1400  # px: 16 cm at about 220 dpi
MAX_HEIGHT = 1000
JPEG_QUALITY = 80
PNG_LIMIT = 350_000  # bytes: a bigger PNG (a photo saved as PNG) goes in as JPEG instead
CACHE_SECONDS = 60 * 60 * 24 * 30
CACHE_VERSION = 1


@dataclass(frozen=True)
class PrintImage:
    data_uri: str
    width: int
    height: int


def _fit(width: int, height: int) -> tuple[int, int]:
    scale = min(1.0, MAX_WIDTH / width, MAX_HEIGHT / height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def downscale(content: bytes) -> tuple[bytes, str, int, int]:
    """(bytes, content type, width, height) of the image fitted within MAX_WIDTH × MAX_HEIGHT."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(io.BytesIO(content)) as image:
            if image.width * image.height > max_image_pixels():
                raise ValueError("image larger than the upload limit")
            target = _fit(image.width, image.height)
            if image.format == "JPEG":
                # Decode at 1/2, 1/4 or 1/8 scale directly when that is still big enough.
                image.draft("RGB", target)
            image.load()
            picture = ImageOps.exif_transpose(image)
            target = _fit(picture.width, picture.height)
            if picture.mode in {"RGBA", "LA", "PA"} or (
                picture.mode == "P" and "transparency" in picture.info
            ):
                # Transparent screenshots are flattened onto the white page.
                rgba = picture.convert("RGBA")
                picture = Image.new("RGB", rgba.size, "white")
                picture.paste(rgba, mask=rgba.getchannel("A"))
            elif picture.mode not in {"RGB", "L"}:
                picture = picture.convert("RGB")
            if picture.size != target:
                picture = picture.resize(target, Image.Resampling.LANCZOS, reducing_gap=3.0)
            was_jpeg = image.format == "JPEG"
    output = io.BytesIO()
    if not was_jpeg:
        # Screenshots keep sharp text as PNG while that stays small.
        picture.save(output, format="PNG", compress_level=6)
        if output.tell() <= PNG_LIMIT:
            return output.getvalue(), "image/png", picture.width, picture.height
        output = io.BytesIO()
    picture.save(output, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=False)
    return output.getvalue(), "image/jpeg", picture.width, picture.height


def print_image(*, name: str, sha256: str) -> PrintImage | None:
    """The stored image ``name`` ready to embed, or None when it is missing or unreadable."""
    key = f"pdf-image:v{CACHE_VERSION}:{sha256}:{MAX_WIDTH}x{MAX_HEIGHT}" if sha256 else ""
    if key and (cached := cache.get(key)) is not None:
        return PrintImage(*cached)
    try:
        with default_storage.open(name, "rb") as handle:
            content = handle.read()
        data, content_type, width, height = downscale(content)
    except (OSError, ValueError, UnidentifiedImageError, Image.DecompressionBombError, Warning) as error:
        log.warning("PDF: image %s left out: %s", name, error)
        return None
    result = PrintImage(f"data:{content_type};base64,{base64.b64encode(data).decode('ascii')}", width, height)
    if key:
        cache.set(key, (result.data_uri, result.width, result.height), CACHE_SECONDS)
    return result
