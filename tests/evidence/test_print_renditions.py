"""An uploaded image is scaled to print size once, in the worker, and kept for its portfolio's
PDF exports (evidence.pdf_images); the copy goes when its source does."""

from __future__ import annotations

import hashlib
import io
import logging

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from evidence import pdf_images
from evidence.files import ALLOWED_TYPES, CleanFile
from evidence.models import Evidence
from evidence.pdf_images import CACHE_VERSION, SIZES, downscale, portfolio_scope, print_image
from evidence.services import create_evidence, delete_evidence
from evidence.tasks import make_evidence_rendition
from tests.evidence.factories import FileEvidenceFactory, bomb_png

pytestmark = pytest.mark.django_db


def photo(size: tuple[int, int] = (1600, 1200), colour: tuple[int, int, int] = (200, 120, 40)) -> bytes:
    image = Image.new("RGB", size, colour)
    image.paste((30, 60, 90), (0, 0, size[0] // 3, size[1]))
    output = io.BytesIO()
    image.save(output, format="JPEG", quality=90)
    return output.getvalue()


def photo_item(portfolio, content: bytes | None = None) -> Evidence:
    content = content if content is not None else photo()
    return FileEvidenceFactory(  # type: ignore[return-value]  # factory_boy builds an Evidence
        portfolio=portfolio,
        original_name="visit.jpg",
        content_type="image/jpeg",
        file=ContentFile(content, name="visit.jpg"),
        sha256=hashlib.sha256(content).hexdigest(),
        file_size=len(content),
    )


def rendition_name(portfolio, sha256: str, extension: str = "jpg") -> str:
    return f"renditions/{portfolio_scope(portfolio.pk)}/{sha256}-v{CACHE_VERSION}-{SIZES}.{extension}"


def stored_renditions(settings) -> list[str]:
    root = settings.MEDIA_ROOT / "renditions"
    return sorted(str(p.relative_to(settings.MEDIA_ROOT)) for p in root.rglob("*") if p.is_file())


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


@pytest.fixture
def other_portfolio(other_learner):
    return other_learner.portfolios.get()


def test_an_uploaded_photo_gets_a_print_rendition_in_its_portfolio(
    client, learner, portfolio, settings, django_capture_on_commit_callbacks
):
    client.force_login(learner)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("evidence:add", kwargs={"portfolio_pk": portfolio.pk, "kind": "file"}),
            {
                "upload": SimpleUploadedFile("visit.jpg", photo()),
                "title": "Site visit",
                "occurred_on": "2026-03-02",
            },
        )

    assert response.status_code == 302
    evidence = Evidence.objects.get(portfolio=portfolio)
    assert stored_renditions(settings) == [rendition_name(portfolio, evidence.sha256)]
    with evidence.file.open("rb") as handle:
        expected = downscale(handle.read())[0]
    with default_storage.open(rendition_name(portfolio, evidence.sha256), "rb") as handle:
        assert handle.read() == expected


def test_a_document_gets_no_rendition(learner, portfolio, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        create_evidence(
            portfolio=portfolio,
            kind=Evidence.Kind.FILE,
            upload=CleanFile("notes.pdf", b"%PDF-1.4", ALLOWED_TYPES["pdf"], "0" * 64),
            values={"title": "Notes"},
            actor=learner,
        )

    assert stored_renditions(settings) == []


def test_two_portfolios_with_the_same_photo_get_separate_renditions(portfolio, other_portfolio, settings):
    content = photo()
    mine, theirs = photo_item(portfolio, content), photo_item(other_portfolio, content)

    assert make_evidence_rendition(mine.pk)
    assert make_evidence_rendition(theirs.pk)

    sha256 = mine.sha256
    assert stored_renditions(settings) == sorted(
        [rendition_name(portfolio, sha256), rendition_name(other_portfolio, sha256)]
    )
    # Each export reads its own portfolio's copy only.
    default_storage.delete(rendition_name(other_portfolio, sha256))
    assert pdf_images.read_rendition(sha256=sha256, scope=portfolio_scope(other_portfolio.pk)) is None
    assert pdf_images.read_rendition(sha256=sha256, scope=portfolio_scope(portfolio.pk)) is not None


def test_making_the_rendition_again_does_not_scale_again(portfolio, monkeypatch, settings):
    item = photo_item(portfolio)
    make_evidence_rendition(item.pk)

    def no_scaling(content):
        raise AssertionError("scaled again")

    monkeypatch.setattr(pdf_images, "downscale", no_scaling)

    assert make_evidence_rendition(item.pk)
    assert stored_renditions(settings) == [rendition_name(portfolio, item.sha256)]


# Cut off in its headers: a JPEG cut off later is filled with grey by the decoder, and printed
# so, with or without a rendition.
@pytest.mark.parametrize(
    "content",
    [bomb_png(), photo()[:600]],
    ids=["decompression bomb", "truncated jpeg"],
)
def test_a_hostile_image_gets_no_rendition(portfolio, settings, caplog, content):
    item = photo_item(portfolio, content)

    with caplog.at_level(logging.WARNING, logger="evidence.pdf_images"):
        assert make_evidence_rendition(item.pk) is False

    assert stored_renditions(settings) == []
    assert f"evidence {item.pk}: no print rendition" in caplog.text


def test_an_upload_that_cannot_be_scaled_is_still_stored(
    learner, portfolio, settings, django_capture_on_commit_callbacks
):
    # A file that passed the upload check but that scaling refuses (a truncated JPEG stored
    # before the check re-encoded images, say): the upload stands, without a rendition.
    content = photo()[:600]
    with django_capture_on_commit_callbacks(execute=True):
        evidence = create_evidence(
            portfolio=portfolio,
            kind=Evidence.Kind.FILE,
            upload=CleanFile(
                "visit.jpg", content, ALLOWED_TYPES["jpeg"], hashlib.sha256(content).hexdigest()
            ),
            values={"title": "Site visit"},
            actor=learner,
        )

    assert Evidence.objects.filter(pk=evidence.pk).exists()
    assert default_storage.exists(evidence.file.name)
    assert stored_renditions(settings) == []


def test_print_image_reads_the_rendition_without_decoding_the_original(portfolio, monkeypatch):
    item = photo_item(portfolio)
    make_evidence_rendition(item.pk)
    with default_storage.open(rendition_name(portfolio, item.sha256), "rb") as handle:
        stored = handle.read()
    scaled: list[bytes] = []
    monkeypatch.setattr(pdf_images, "downscale", lambda content: scaled.append(content))

    image = print_image(name=item.file.name, sha256=item.sha256, scope=portfolio_scope(portfolio.pk))

    assert scaled == []
    assert image is not None
    assert image.data_uri.startswith("data:image/jpeg;base64,")
    assert (image.width, image.height) == Image.open(io.BytesIO(stored)).size


def test_print_image_stores_the_rendition_it_had_to_make(portfolio, settings):
    item = photo_item(portfolio)

    first = print_image(name=item.file.name, sha256=item.sha256, scope=portfolio_scope(portfolio.pk))
    cache.clear()

    assert stored_renditions(settings) == [rendition_name(portfolio, item.sha256)]
    assert print_image(name=item.file.name, sha256=item.sha256, scope=portfolio_scope(portfolio.pk)) == first


def test_a_scope_that_is_not_a_folder_name_gets_no_rendition(portfolio, settings):
    item = photo_item(portfolio)

    assert print_image(name=item.file.name, sha256=item.sha256, scope="../evidence") is not None
    assert print_image(name=item.file.name, sha256="../" + item.sha256[3:], scope="portfolio-1") is not None

    assert stored_renditions(settings) == []


def test_deleting_removes_the_rendition_once_no_item_of_the_portfolio_holds_the_photo(
    learner, portfolio, other_portfolio, settings, django_capture_on_commit_callbacks
):
    content = photo()
    first, second = photo_item(portfolio, content), photo_item(portfolio, content)
    elsewhere = photo_item(other_portfolio, content)
    for item in (first, second, elsewhere):
        make_evidence_rendition(item.pk)
    mine, theirs = rendition_name(portfolio, first.sha256), rendition_name(other_portfolio, first.sha256)

    with django_capture_on_commit_callbacks(execute=True):
        delete_evidence(evidence=first, actor=learner)
    assert default_storage.exists(mine)  # the second item still prints it

    with django_capture_on_commit_callbacks(execute=True):
        delete_evidence(evidence=second, actor=learner)
    assert not default_storage.exists(mine)
    assert default_storage.exists(theirs)  # another learner's copy is theirs


def test_items_deleted_by_a_queryset_or_with_their_portfolio_take_their_renditions(
    portfolio, other_portfolio, django_capture_on_commit_callbacks
):
    """The retention job and an erasure delete rows through querysets, and a portfolio takes
    its items with it: their renditions go too (evidence/signals.py), not only through
    ``delete_evidence``."""
    first, second = photo_item(portfolio, photo()), photo_item(other_portfolio, photo(colour=(20, 40, 160)))
    for item in (first, second):
        make_evidence_rendition(item.pk)
    mine, theirs = rendition_name(portfolio, first.sha256), rendition_name(other_portfolio, second.sha256)
    assert default_storage.exists(mine)
    assert default_storage.exists(theirs)

    with django_capture_on_commit_callbacks(execute=True):
        Evidence.objects.filter(pk=first.pk).delete()
    assert not default_storage.exists(mine)

    with django_capture_on_commit_callbacks(execute=True):
        other_portfolio.delete()
    assert not default_storage.exists(theirs)


def test_an_unreadable_rendition_is_made_again_from_the_original(portfolio):
    item = photo_item(portfolio)
    name = rendition_name(portfolio, item.sha256)
    default_storage.save(name, ContentFile(b"not an image"))

    image = print_image(name=item.file.name, sha256=item.sha256, scope=portfolio_scope(portfolio.pk))

    with item.file.open("rb") as handle:
        expected = downscale(handle.read())[0]
    assert image is not None
    with default_storage.open(name, "rb") as handle:
        assert handle.read() == expected


def test_storage_trouble_with_renditions_never_costs_the_pdf_its_photo(portfolio, monkeypatch):
    item = photo_item(portfolio)

    def unreachable(*args, **kwargs):
        raise RuntimeError("the bucket is unreachable")  # as boto3's errors, which are no OSError

    monkeypatch.setattr(FileSystemStorage, "exists", unreachable)

    image = print_image(name=item.file.name, sha256=item.sha256, scope=portfolio_scope(portfolio.pk))

    assert image is not None
    assert image.photo
