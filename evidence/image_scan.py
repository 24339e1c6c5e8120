"""Personal data in images: the text OCR reads from a screenshot, the faces in a photo, and
the redaction of chosen regions. Pure functions over image bytes (no database), so the
worker, the benchmark and the tests call the same code.

OCR is Debian's tesseract through pytesseract; the detector is the text one
(``evidence.personal_data``) run over the text read, line by line, so a finding maps back
to the boxes of the words it covers. Faces come from OpenCV's bundled Haar cascade.
"""

from __future__ import annotations

import io
import os
import re
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np
import pytesseract
from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError

from evidence.personal_data import find_personal_data

# Tesseract reads best with capital letters 20–30 px high: screenshots of small text are
# scaled up before reading, and very large images scaled down so a scan stays quick.
UPSCALE_BELOW_WIDTH = 1400
OCR_MAX_PIXELS = 12_000_000
MIN_WORD_CONFIDENCE = 30
FACE_CASCADE = "haarcascade_frontalface_default.xml"
# A redaction region: at least this many pixels each way, and padded so the edges of
# letters never show.
MIN_REGION = 2
REGION_PADDING = 3

# Tesseract's OpenMP threads fight over shared cores: one thread per scan reads a screenshot
# three times faster on a busy two-core machine, and a worker runs one scan per process.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

Box = tuple[int, int, int, int]  # x, y, width, height in the stored image's pixels
Progress = Callable[[int, str], None]


class ImageScanError(Exception):
    """The image cannot be scanned or redacted; the message is for the learner."""


@dataclass(frozen=True)
class Word:
    text: str
    box: Box
    line: tuple[int, int, int]  # tesseract's block, paragraph and line numbers


@dataclass
class ImageFinding:
    kind: str
    text: str
    boxes: list[Box]


@dataclass
class ImageScanResult:
    width: int
    height: int
    words: int
    findings: list[ImageFinding] = field(default_factory=list)
    note: str = ""  # said to the learner: "No text was found", "Only the first frame…"


def _nothing(percent: int, stage: str) -> None:
    return None


def open_image(content: bytes) -> tuple[Image.Image, str]:
    """The first frame, upright, in RGB; and a note when the image is animated."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(content))
            frames = getattr(image, "n_frames", 1)
            image.seek(0)
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageScanError("The image is too large to check: resize it and upload it again.") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ImageScanError("The stored file is not an image that can be read.") from None
    note = "The image is animated: only its first frame was checked." if frames > 1 else ""
    image = ImageOps.exif_transpose(image).convert("RGB")
    return image, note


def _ocr_scale(width: int, height: int) -> float:
    if width * height > OCR_MAX_PIXELS:
        return (OCR_MAX_PIXELS / (width * height)) ** 0.5
    if width < UPSCALE_BELOW_WIDTH:
        return min(2.0, (2 * UPSCALE_BELOW_WIDTH) / max(width, 1))
    return 1.0


def read_words(image: Image.Image) -> list[Word]:
    """Every word tesseract reads with some confidence, boxed in the image's own pixels."""
    scale = _ocr_scale(*image.size)
    grey = ImageOps.grayscale(image)
    if scale != 1.0:
        grey = grey.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))))
    data = pytesseract.image_to_data(grey, lang="eng", output_type=pytesseract.Output.DICT)
    words = []
    for index, text in enumerate(data["text"]):
        text = text.strip()
        if not text or float(data["conf"][index]) < MIN_WORD_CONFIDENCE:
            continue
        box = tuple(round(data[key][index] / scale) for key in ("left", "top", "width", "height"))
        line = (data["block_num"][index], data["par_num"][index], data["line_num"][index])
        words.append(Word(text=text, box=box, line=line))  # type: ignore[arg-type]
    return words


def words_as_text(words: Sequence[Word]) -> tuple[str, list[tuple[int, int]]]:
    """The words as lines of text, and each word's (start, end) in it."""
    parts: list[str] = []
    spans = []
    position = 0
    previous_line = None
    for word in words:
        if previous_line is not None:
            separator = " " if word.line == previous_line else "\n"
            parts.append(separator)
            position += 1
        spans.append((position, position + len(word.text)))
        parts.append(word.text)
        position += len(word.text)
        previous_line = word.line
    return "".join(parts), spans


def _union(boxes: Iterable[Box]) -> Box:
    boxes = list(boxes)
    left = min(b[0] for b in boxes)
    top = min(b[1] for b in boxes)
    right = max(b[0] + b[2] for b in boxes)
    bottom = max(b[1] + b[3] for b in boxes)
    return (left, top, right - left, bottom - top)


def text_findings(words: Sequence[Word], *, allowed_handles: Iterable[str] = ()) -> list[ImageFinding]:
    """The detector run over the words read, each finding boxed one box per line it spans."""
    text, spans = words_as_text(words)
    found = []
    for finding in find_personal_data(text, allowed_handles=allowed_handles):
        covered = [w for w, (s, e) in zip(words, spans, strict=True) if s < finding.end and finding.start < e]
        if not covered:
            continue
        lines: dict[tuple[int, int, int], list[Box]] = {}
        for word in covered:
            lines.setdefault(word.line, []).append(word.box)
        found.append(
            ImageFinding(
                kind=finding.kind,
                text=re.sub(r"\s+", " ", finding.text),
                boxes=[_union(b) for b in lines.values()],
            )
        )
    return found


def _text_share(box: Box, text_boxes: Sequence[Box]) -> float:
    x, y, w, h = box
    covered = 0
    for tx, ty, tw, th in text_boxes:
        width = min(x + w, tx + tw) - max(x, tx)
        height = min(y + h, ty + th) - max(y, ty)
        if width > 0 and height > 0:
            covered += width * height
    return covered / max(1, w * h)


def detect_faces(image: Image.Image, *, text_boxes: Sequence[Box] = ()) -> list[Box]:
    """Faces, by OpenCV's bundled frontal-face cascade (no model is downloaded).

    The cascade now and then takes a patch of text for a face; a "face" mostly covered by
    words read is dropped.
    """
    cascade = cv2.CascadeClassifier(cv2.data.haarcascades + FACE_CASCADE)
    grey = cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2GRAY)
    side = max(24, min(image.size) // 40)
    faces = cascade.detectMultiScale(grey, scaleFactor=1.1, minNeighbors=6, minSize=(side, side))
    boxes: list[Box] = [tuple(int(v) for v in face) for face in faces]  # type: ignore[misc]
    return [box for box in boxes if _text_share(box, text_boxes) < 0.2]


def scan_image(
    content: bytes, *, allowed_handles: Iterable[str] = (), progress: Progress = _nothing
) -> ImageScanResult:
    """Read the image's text, find personal data in it, and find faces."""
    progress(5, "Opening the image")
    image, note = open_image(content)
    progress(15, "Reading the text in the image")
    words = read_words(image)
    progress(75, "Looking for personal data in the text")
    findings = text_findings(words, allowed_handles=allowed_handles)
    progress(85, "Looking for faces")
    findings += [
        ImageFinding(kind="face", text="", boxes=[box])
        for box in detect_faces(image, text_boxes=[w.box for w in words])
    ]
    if not words:
        note = " ".join(filter(None, [note, "No text was found in the image."]))
    return ImageScanResult(
        width=image.width, height=image.height, words=len(words), findings=findings, note=note
    )


# --- Redaction ----------------------------------------------------------------------------


def check_regions(regions: Iterable[Sequence[int]], *, width: int, height: int) -> list[Box]:
    """Regions as boxes, each whole and inside the image, else ImageScanError saying which."""
    boxes = []
    for number, region in enumerate(regions, start=1):
        try:
            x, y, w, h = (int(v) for v in region)
        except (TypeError, ValueError):
            raise ImageScanError(f"Region {number} is not a box of four whole numbers.") from None
        if w < MIN_REGION or h < MIN_REGION:
            raise ImageScanError(f"Region {number} is too small to redact.")
        if x < 0 or y < 0 or x + w > width or y + h > height:
            raise ImageScanError(f"Region {number} lies outside the image ({width}×{height} pixels).")
        boxes.append((x, y, w, h))
    if not boxes:
        raise ImageScanError("Choose at least one finding to redact.")
    return boxes


def redact_image(content: bytes, boxes: Sequence[Box], *, style: str, image_format: str) -> bytes:
    """A new image with each box painted out ("box") or blurred beyond reading ("blur")."""
    image, _ = open_image(content)
    for x, y, w, h in boxes:
        area = (
            max(0, x - REGION_PADDING),
            max(0, y - REGION_PADDING),
            min(image.width, x + w + REGION_PADDING),
            min(image.height, y + h + REGION_PADDING),
        )
        if style == "blur":
            region = image.crop(area)
            # Pixelate first: a plain blur of text can sometimes be read back.
            small = region.resize((max(1, region.width // 12), max(1, region.height // 12)), Image.BILINEAR)
            region = small.resize(region.size, Image.NEAREST).filter(ImageFilter.GaussianBlur(6))
            image.paste(region, area[:2])
        else:
            image.paste((0, 0, 0), area)
    output = io.BytesIO()
    options = {"quality": 90} if image_format in {"JPEG", "WEBP"} else {"optimize": True}
    image.save(output, format=image_format, **options)
    return output.getvalue()
