"""Evidence photos scaled while WeasyPrint lays out the pages, rather than before.

Scaling the forty photos of a large portfolio costs about a second of CPU on the first
export (a cached photo costs nothing; one whose rendition was stored at upload costs a read,
``evidence.pdf_images``), and WeasyPrint asks for its first image only after
parsing and styling the whole document and building the chapters' boxes (about a third of
its layout time). So the HTML names each photo that is not scaled yet by a placeholder URI,
and the document's URL fetcher (``fetcher.PortfolioURLFetcher``) waits for that photo's job
when WeasyPrint reaches it: the second core scales while the first lays out.

Only a JPEG is left pending, because the layout depends on what scaling makes of an image
(a photo is printed as a card, a screenshot across the page) and a JPEG always comes out a
photo. A screenshot is scaled before the HTML is written; those jobs go first. If a pending
photo turns out unreadable or not a photo after all, ``settle_images`` says so and the pages
are laid out again with the real outcome, as for a chart that could not be drawn.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import Executor, Future
from typing import Any

from core.sections import SECTION_KIND
from evidence.pdf import EvidenceEntry
from evidence.pdf_images import PrintImage, cached_print_image, print_image

# A data: URI with no data: the fetcher resolves it from the export's own jobs (exact match),
# and the JPEG type makes the entry a photo, as the scaled image will be.
PENDING_PREFIX = "data:image/jpeg;x-pending="
PHOTO_TYPE = "image/jpeg"


def _image_items(snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    items = [
        item
        for item in snapshot.get("parts", {}).get("evidence", {}).get("items", [])
        if item.get("kind") != SECTION_KIND
        and item.get("file")
        and item["file"].get("content_type", "").startswith("image/")
    ]
    # Screenshots first (the HTML waits for them), then the photos in the order the evidence
    # index prints them (evidence.pdf.evidence_entries), which is the order WeasyPrint asks.
    items.sort(
        key=lambda item: (
            item["file"]["content_type"] == PHOTO_TYPE,
            item.get("occurred_on") or "",
            item["id"],
        )
    )
    return items


def start_images(
    snapshot: dict[str, Any], executor: Executor, *, scope: str
) -> dict[int, Future[PrintImage | None]]:
    """Queue the downscaling of every image file of the snapshot; the jobs by item id. The
    scaled copies are cached under ``scope`` (the portfolio's); one already cached is a job
    done at once, so it goes straight into the HTML rather than as a placeholder."""
    jobs: dict[int, Future[PrintImage | None]] = {}
    for item in _image_items(snapshot):
        sha256 = item["file"].get("sha256", "")
        cached = cached_print_image(sha256=sha256, scope=scope)
        if cached is not None:
            done: Future[PrintImage | None] = Future()
            done.set_result(cached)
            jobs[item["id"]] = done
        else:
            jobs[item["id"]] = executor.submit(
                print_image, name=item["file"]["name"], sha256=sha256, scope=scope
            )
    return jobs


def place_images(
    entries: Iterable[EvidenceEntry], jobs: dict[int, Future[PrintImage | None]], *, photo_ids: set[int]
) -> dict[str, Future[PrintImage | None]]:
    """Give each image entry its print image, or a placeholder for a photo still being scaled.

    ``photo_ids`` are the items stored as JPEG. Returns the placeholders' URIs with their jobs,
    for the fetcher and for ``settle_images``.
    """
    pending: dict[str, Future[PrintImage | None]] = {}
    for entry in entries:
        job = jobs.get(entry.item_id)
        if not entry.is_image or job is None:
            continue
        if job.done() or entry.item_id not in photo_ids:
            entry.image = job.result()
            continue
        uri = f"{PENDING_PREFIX}{entry.item_id},"
        entry.image = PrintImage(data_uri=uri, width=0, height=0)
        pending[uri] = job
    return pending


def settle_images(entries: Iterable[EvidenceEntry], pending: dict[str, Future[PrintImage | None]]) -> bool:
    """Put the scaled photos in place of their placeholders. False when one came out other
    than the photo it was laid out as (unreadable, or not a JPEG after all): lay out again."""
    laid_out_right = True
    for entry in entries:
        if entry.image is None or entry.image.data_uri not in pending:
            continue
        job = pending[entry.image.data_uri]
        # Every placeholder was asked for by the layout, so its job is done, unless it stuck
        # past the fetcher's limit or failed: the photo is then left out, as an unreadable one.
        entry.image = job.result() if job.done() and job.exception() is None else None
        if entry.image is None or not entry.image.photo:
            laid_out_right = False
    return laid_out_right


def photo_ids(snapshot: dict[str, Any]) -> set[int]:
    """The items whose stored file is a JPEG: scaled, they are photos whatever else happens."""
    return {item["id"] for item in _image_items(snapshot) if item["file"]["content_type"] == PHOTO_TYPE}
