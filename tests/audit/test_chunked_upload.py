"""Resumable uploads of service data: pieces with offsets, retries that change nothing,
a check of size and SHA-256 at the end, and nothing left of an abandoned upload."""

from __future__ import annotations

import gzip
import hashlib
import os
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from audit import services
from audit.models import ChunkedUpload, ServiceDataImport
from audit.synthetic import interactions_csv

pytestmark = pytest.mark.django_db

PIECE = 4096


@pytest.fixture(autouse=True)
def small_pieces(settings, tmp_path):
    settings.SERVICE_DATA_UPLOAD_DIR = str(tmp_path / "uploads")
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = PIECE  # pieces are at most this: 4 KB in the tests


@pytest.fixture
def portfolio(learner):
    return learner.portfolios.get()


@pytest.fixture
def file_bytes() -> bytes:
    return gzip.compress(interactions_csv(800))


def start(client, portfolio, raw: bytes, *, sha256: str | None = None, name: str = "year.csv.gz") -> dict:
    response = client.post(
        reverse("audit:data_upload_start", args=[portfolio.pk]),
        {
            "name": name,
            "size": len(raw),
            "sha256": hashlib.sha256(raw).hexdigest() if sha256 is None else sha256,
        },
    )
    assert response.status_code == 201, response.content
    return response.json()


def send(client, started: dict, raw: bytes, offset: int, size: int = PIECE):
    return client.post(
        f"{started['url']}?offset={offset}",
        raw[offset : offset + size],
        content_type="application/octet-stream",
    )


def send_all(client, started: dict, raw: bytes) -> None:
    for offset in range(0, len(raw), started["chunk_bytes"]):
        response = send(client, started, raw, offset, started["chunk_bytes"])
        assert response.status_code == 200, response.content


def test_it_takes_a_file_in_pieces_and_hands_it_to_the_ordinary_upload(
    client, learner, portfolio, file_bytes, django_capture_on_commit_callbacks
):
    client.force_login(learner)
    started = start(client, portfolio, file_bytes)
    assert started["chunk_bytes"] == PIECE
    send_all(client, started, file_bytes)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(started["finish_url"])

    service_import = ServiceDataImport.objects.get()
    assert response.json() == {
        "redirect": reverse("audit:data_status", args=[portfolio.pk, service_import.pk])
    }
    assert service_import.status == ServiceDataImport.Status.UPLOADED  # read by the worker
    assert service_import.row_count == 800
    assert ChunkedUpload.objects.count() == 0
    assert os.listdir(django_settings.SERVICE_DATA_UPLOAD_DIR) == []


def test_a_piece_sent_again_after_a_lost_answer_changes_nothing(client, learner, portfolio, file_bytes):
    client.force_login(learner)
    started = start(client, portfolio, file_bytes)
    assert send(client, started, file_bytes, 0).json()["received"] == PIECE

    again = send(client, started, file_bytes, 0)

    assert again.status_code == 200
    assert again.json()["received"] == PIECE
    upload = ChunkedUpload.objects.get()
    with open(upload.path, "rb") as handle:
        assert handle.read() == file_bytes[:PIECE]


def test_a_piece_that_overlaps_what_arrived_adds_only_the_rest(client, learner, portfolio, file_bytes):
    client.force_login(learner)
    started = start(client, portfolio, file_bytes)
    send(client, started, file_bytes, 0, 1000)

    response = send(client, started, file_bytes, 500, PIECE)

    assert response.json()["received"] == 500 + PIECE
    with open(ChunkedUpload.objects.get().path, "rb") as handle:
        assert handle.read() == file_bytes[: 500 + PIECE]


def test_a_piece_damaged_on_the_way_is_refused_and_changes_nothing(client, learner, portfolio, file_bytes):
    """The browser sends each piece's SHA-256: a piece that does not match is sent again,
    rather than the whole file failing the check at the end."""
    client.force_login(learner)
    started = start(client, portfolio, file_bytes)
    send(client, started, file_bytes, 0)
    piece = file_bytes[PIECE : 2 * PIECE]
    damaged = bytes([piece[0] ^ 0xFF]) + piece[1:]

    refused = client.post(
        f"{started['url']}?offset={PIECE}",
        damaged,
        content_type="application/octet-stream",
        headers={"X-Piece-SHA256": hashlib.sha256(piece).hexdigest()},
    )
    sent_again = client.post(
        f"{started['url']}?offset={PIECE}",
        piece,
        content_type="application/octet-stream",
        headers={"X-Piece-SHA256": hashlib.sha256(piece).hexdigest().upper()},
    )

    assert refused.status_code == 422
    assert refused.json()["received"] == PIECE
    assert sent_again.status_code == 200
    assert sent_again.json()["received"] == 2 * PIECE
    with open(ChunkedUpload.objects.get().path, "rb") as handle:
        assert handle.read() == file_bytes[: 2 * PIECE]


def test_a_piece_past_what_arrived_is_refused_with_where_to_resume(client, learner, portfolio, file_bytes):
    client.force_login(learner)
    started = start(client, portfolio, file_bytes)
    send(client, started, file_bytes, 0)

    gap = send(client, started, file_bytes, 3 * PIECE)

    assert gap.status_code == 409
    assert gap.json()["received"] == PIECE
    assert client.get(started["url"]).json() == {"received": PIECE, "size": len(file_bytes)}
    send_all_from = range(PIECE, len(file_bytes), PIECE)
    assert all(send(client, started, file_bytes, offset).status_code == 200 for offset in send_all_from)
    assert ChunkedUpload.objects.get().received == len(file_bytes)


def test_a_piece_larger_than_the_server_takes_is_refused(
    client, learner, portfolio, settings, file_bytes, monkeypatch
):
    client.force_login(learner)
    started = start(client, portfolio, file_bytes)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * PIECE  # Django would read it; the upload does not take it
    monkeypatch.setattr(services, "chunk_bytes", lambda: PIECE)

    response = send(client, started, file_bytes, 0, 2 * PIECE)

    assert response.status_code == 413
    assert ChunkedUpload.objects.get().received == 0


def test_finishing_early_says_how_much_arrived_and_keeps_the_upload(client, learner, portfolio, file_bytes):
    client.force_login(learner)
    started = start(client, portfolio, file_bytes)
    send(client, started, file_bytes, 0)

    response = client.post(started["finish_url"])

    assert response.status_code == 409
    assert response.json()["received"] == PIECE
    assert ChunkedUpload.objects.count() == 1
    assert ServiceDataImport.objects.count() == 0


def test_a_file_that_arrived_damaged_is_refused_and_nothing_is_kept(
    client, learner, portfolio, file_bytes, settings
):
    client.force_login(learner)
    started = start(client, portfolio, file_bytes, sha256="0" * 64)
    send_all(client, started, file_bytes)

    response = client.post(started["finish_url"])

    assert response.status_code == 400
    assert "SHA-256 differs" in response.json()["error"]
    assert ChunkedUpload.objects.count() == 0
    assert ServiceDataImport.objects.count() == 0
    assert os.listdir(settings.SERVICE_DATA_UPLOAD_DIR) == []


def test_a_refused_file_leaves_no_upload_behind(client, learner, portfolio, file_bytes, settings):
    settings.SERVICE_DATA_MAX_COMPRESSED_BYTES = 100
    client.force_login(learner)
    started = start(client, portfolio, file_bytes)
    send_all(client, started, file_bytes)

    response = client.post(started["finish_url"])

    assert response.status_code == 400
    assert "the limit for a compressed file" in response.json()["error"]
    assert ChunkedUpload.objects.count() == 0
    assert os.listdir(settings.SERVICE_DATA_UPLOAD_DIR) == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "d.csv", "size": "0"}, "The file is empty."),
        ({"name": "d.csv", "size": "lots"}, "Give the file's size"),
        ({"name": "d.csv", "size": str(300 * 1_048_576)}, "the limit for service data is"),
        ({"name": "d.csv", "size": "10", "sha256": "<script>"}, "64 hexadecimal digits"),
    ],
)
def test_it_refuses_to_start_an_upload_it_could_not_take(client, learner, portfolio, data, message):
    client.force_login(learner)

    response = client.post(reverse("audit:data_upload_start", args=[portfolio.pk]), data)

    assert response.status_code == 400
    assert message in response.json()["error"]
    assert ChunkedUpload.objects.count() == 0


def test_a_new_upload_replaces_the_learners_unfinished_one(client, learner, portfolio, file_bytes):
    client.force_login(learner)
    first = start(client, portfolio, file_bytes)
    send(client, first, file_bytes, 0)
    old_path = ChunkedUpload.objects.get().path

    second = start(client, portfolio, file_bytes)

    assert [str(upload.pk) for upload in ChunkedUpload.objects.all()] == [second["id"]]
    assert not os.path.exists(old_path)
    assert send(client, first, file_bytes, PIECE).status_code == 404


def test_abandoned_uploads_and_stray_pieces_are_removed(learner, portfolio, settings):
    upload = services.start_upload(portfolio=portfolio, file_name="d.csv", size=100, actor=learner)
    fresh_stray = os.path.join(settings.SERVICE_DATA_UPLOAD_DIR, "fresh.part")
    old_stray = os.path.join(settings.SERVICE_DATA_UPLOAD_DIR, "old.part")
    for path in (fresh_stray, old_stray):
        open(path, "wb").close()
    long_ago = timezone.now() - timedelta(hours=settings.SERVICE_DATA_UPLOAD_EXPIRY_HOURS + 1)
    os.utime(old_stray, (long_ago.timestamp(), long_ago.timestamp()))
    ChunkedUpload.objects.filter(pk=upload.pk).update(updated_at=long_ago)

    assert services.remove_expired_uploads() == 2

    assert ChunkedUpload.objects.count() == 0
    assert sorted(os.listdir(settings.SERVICE_DATA_UPLOAD_DIR)) == ["fresh.part"]  # may be arriving
