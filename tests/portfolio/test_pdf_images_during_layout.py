"""Photos not scaled yet when the HTML is written are fetched as the layout reaches them."""

from __future__ import annotations

import threading
from concurrent.futures import Future

import pytest
from django.core.cache import cache

import reports.pdf as pdf_module
from evidence.pdf_images import PHOTO_MAX_WIDTH, PrintImage
from reports.pdf import images as pdf_images
from reports.pdf.fetcher import fetcher_for
from reports.pdf.images import PENDING_PREFIX
from tests.portfolio.pdf_support import render
from tests.portfolio.test_pdf_images import mapped_photo

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_browser_and_an_empty_cache(settings):
    settings.BROWSER_PATH = ""
    cache.clear()


@pytest.fixture
def held_scaling(monkeypatch):
    """Scaling that waits until the layout has started, so every photo is still pending then."""
    layout_started = threading.Event()
    real_layout = pdf_module.layout
    real_print_image = pdf_images.print_image
    htmls: list[str] = []

    def layout(html, *args, **kwargs):
        htmls.append(html)
        layout_started.set()
        return real_layout(html, *args, **kwargs)

    def print_image(**kwargs):
        assert layout_started.wait(30)
        return real_print_image(**kwargs)

    monkeypatch.setattr(pdf_module, "layout", layout)
    monkeypatch.setattr(pdf_images, "print_image", print_image)
    return htmls


def test_photos_still_being_scaled_are_printed_without_laying_out_again(held_scaling, portfolio, criteria):
    mapped_photo(portfolio, criteria[0], title="First photo")
    mapped_photo(portfolio, criteria[1], title="Second photo")
    pdf = render(portfolio)
    (html,) = held_scaling  # laid out once
    assert html.count(PENDING_PREFIX) == 2  # both were placeholders when the HTML was written
    images = {image.name: image for page in pdf.reader.pages for image in page.images}
    assert len(images) == 2
    assert all(image.image.size[0] == PHOTO_MAX_WIDTH for image in images.values())
    assert "First photo" in pdf.text
    assert "Second photo" in pdf.text
    assert "could not be read" not in pdf.text


def test_a_pending_photo_that_cannot_be_read_is_laid_out_again_as_a_note(held_scaling, portfolio, criteria):
    upload = mapped_photo(portfolio, criteria[0], title="Damaged photo")
    upload.file.storage.delete(upload.file.name)  # gone from the disk since it was stored
    pdf = render(portfolio)
    first, second = held_scaling  # the layout with the placeholder, then without it
    assert PENDING_PREFIX in first
    assert PENDING_PREFIX not in second
    assert "the stored image could not be read" in pdf.text
    assert not [image for page in pdf.reader.pages for image in page.images]


def test_a_cached_photo_goes_straight_into_the_html(portfolio, criteria, monkeypatch):
    mapped_photo(portfolio, criteria[0])
    render(portfolio)  # scales it and caches the result
    htmls = []
    real_layout = pdf_module.layout
    monkeypatch.setattr(
        pdf_module, "layout", lambda html, *a, **k: htmls.append(html) or real_layout(html, *a, **k)
    )
    render(portfolio)
    assert len(htmls) == 1
    assert PENDING_PREFIX not in htmls[0]
    assert "data:image/jpeg;base64," in htmls[0]


def test_the_fetcher_answers_only_its_own_exports_placeholders(portfolio):
    fetcher = fetcher_for(portfolio.pk)
    job: Future[PrintImage | None] = Future()
    job.set_result(PrintImage(data_uri="data:image/png;base64,iVBORw0KGgo=", width=1, height=1))
    fetcher.pending = {f"{PENDING_PREFIX}7,": job}
    assert fetcher.fetch(f"{PENDING_PREFIX}7,").read() == b"\x89PNG\r\n\x1a\n"
    # Another placeholder (another export's, or typed) is only an empty data: URL.
    assert fetcher.fetch(f"{PENDING_PREFIX}8,").read() == b""
    missing: Future[PrintImage | None] = Future()
    missing.set_result(None)
    fetcher.pending = {f"{PENDING_PREFIX}7,": missing}
    with pytest.raises(ValueError, match="could not be read"):
        fetcher.fetch(f"{PENDING_PREFIX}7,")
