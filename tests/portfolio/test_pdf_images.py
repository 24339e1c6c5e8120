"""Evidence images are downscaled for print before they go into the PDF."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from evidence import pdf_images
from evidence.pdf_images import (
    MAX_HEIGHT,
    PHOTO_MAX_HEIGHT,
    PHOTO_MAX_WIDTH,
    delete_portfolio_renditions,
    downscale,
    print_image,
)
from evidence.tasks import make_evidence_rendition
from tests.evidence.factories import FileEvidenceFactory, MappingFactory
from tests.portfolio.pdf_support import render

pytestmark = pytest.mark.django_db


def photo(size=(3000, 2000)) -> bytes:
    image = Image.new("RGB", size)
    image.paste((200, 120, 40), (0, 0, size[0] // 2, size[1]))
    output = io.BytesIO()
    image.save(output, format="JPEG", quality=90)
    return output.getvalue()


def mapped_photo(portfolio, criterion, *, size=(3000, 2000), title="Photo of the damaged parcel"):
    """A JPEG photo uploaded as evidence and mapped to ``criterion``."""
    content = photo(size)
    upload = FileEvidenceFactory(
        portfolio=portfolio,
        title=title,
        original_name="parcel.jpg",
        content_type="image/jpeg",
        file=ContentFile(content, name="parcel.jpg"),
        sha256=hashlib.sha256(content).hexdigest(),
        file_size=len(content),
    )
    MappingFactory(evidence=upload, criterion=criterion)
    return upload


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


def test_a_camera_photo_is_scaled_to_print_size():
    # Photos print two to a row, 84 mm wide: 750 px is about 230 dpi there.
    data, content_type, width, height = downscale(photo())
    assert content_type == "image/jpeg"
    assert (width, height) == (PHOTO_MAX_WIDTH, round(PHOTO_MAX_WIDTH * 2000 / 3000))
    assert Image.open(io.BytesIO(data)).size == (width, height)
    assert len(data) < 80_000


def test_a_photo_turned_by_its_exif_orientation_is_fitted_as_it_is_shown():
    image = Image.new("RGB", (3000, 2000), (200, 120, 40))
    exif = image.getexif()
    exif[0x0112] = 6  # shown turned a quarter: 2000 wide, 3000 high
    output = io.BytesIO()
    image.save(output, format="JPEG", quality=90, exif=exif)
    _data, _type, width, height = downscale(output.getvalue())
    assert height == PHOTO_MAX_HEIGHT
    assert width == round(PHOTO_MAX_HEIGHT * 2000 / 3000)


def test_a_photo_saved_as_png_is_printed_as_a_photo():
    noisy = Image.effect_noise((1600, 1200), 60).convert("RGB")
    output = io.BytesIO()
    noisy.save(output, format="PNG")
    _data, content_type, width, _height = downscale(output.getvalue())
    assert content_type == "image/jpeg"
    assert width == PHOTO_MAX_WIDTH


def test_a_tall_screenshot_fits_the_height_and_a_transparent_one_is_flattened():
    image = Image.new("RGBA", (800, 2400), (0, 0, 0, 0))
    output = io.BytesIO()
    image.save(output, format="PNG")
    data, content_type, _width, height = downscale(output.getvalue())
    assert content_type == "image/png"
    assert height == MAX_HEIGHT
    flat = Image.open(io.BytesIO(data))
    assert flat.mode == "RGB"
    assert flat.getpixel((5, 5)) == (255, 255, 255)


def test_a_small_image_is_not_enlarged():
    output = io.BytesIO()
    Image.new("RGB", (300, 200), "teal").save(output, format="PNG")
    assert downscale(output.getvalue())[2:] == (300, 200)


def test_the_scaled_image_is_cached_by_its_digest():
    content = photo((1600, 1200))
    name = default_storage.save("evidence/1/photo.jpg", ContentFile(content))
    digest = hashlib.sha256(content).hexdigest()
    first = print_image(name=name, sha256=digest, scope="portfolio-1")
    default_storage.delete(name)
    assert print_image(name=name, sha256=digest, scope="portfolio-1") == first
    assert (
        print_image(name=name, sha256="another", scope="portfolio-1") is None
    )  # not cached, and the file is gone
    # Another portfolio never gets the first one's cached copy.
    assert print_image(name=name, sha256=digest, scope="portfolio-2") is None


def test_photos_are_embedded_and_other_files_listed(settings, portfolio, criteria):
    settings.BROWSER_PATH = ""
    upload = mapped_photo(portfolio, criteria[0])
    sheet = FileEvidenceFactory(
        portfolio=portfolio,
        title="Rota spreadsheet",
        original_name="rota.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        file=ContentFile(b"PK", name="rota.xlsx"),
        sha256="0" * 64,
        file_size=24_576,
    )
    MappingFactory(evidence=sheet, criterion=criteria[1])
    pdf = render(portfolio)
    # WeasyPrint shares one resource dictionary between pages: count distinct images.
    images = {image.name: image for page in pdf.reader.pages for image in page.images}
    assert len(images) == 1
    (image,) = images.values()
    assert image.image.size[0] <= PHOTO_MAX_WIDTH
    assert "parcel.jpg · JPEG image" in pdf.text
    assert "rota.xlsx" in pdf.text
    assert "Excel workbook · 24 KB" in pdf.text
    # The printed copy is downscaled; the original travels beside it as an attachment
    # (tests/portfolio/test_pdf_carried.py), so the file itself is no longer smaller.
    assert len(image.data) < upload.file_size / 4


def test_the_pdf_prints_the_same_image_data_with_or_without_a_stored_rendition(
    settings, portfolio, criteria, monkeypatch
):
    settings.BROWSER_PATH = ""
    photos = [
        mapped_photo(portfolio, criteria[0], title="Photo 1"),
        mapped_photo(portfolio, criteria[1], size=(900, 1400), title="Photo 2"),
    ]

    def printed_images() -> list[bytes]:
        cache.clear()
        pdf = render(portfolio)
        return sorted({image.name: image.data for page in pdf.reader.pages for image in page.images}.values())

    scaled_in_the_export = printed_images()
    delete_portfolio_renditions(portfolio_id=portfolio.pk)  # the export stored them: start again
    for item in photos:
        assert make_evidence_rendition(item.pk)
    monkeypatch.setattr(pdf_images, "downscale", lambda content: pytest.fail("scaled in the export"))
    from_renditions = printed_images()

    assert len(from_renditions) == 2
    assert from_renditions == scaled_in_the_export
