"""Large and compressed service data: read by a worker, and every bad file refused with a
clear message, nothing stored (no import's file, no dataset, no temporary file).

Bombs are made small: a gzip of one megabyte of zeros (about a kilobyte) repeated as many
gzip members as wanted unpacks to that many megabytes, and the tests set a low limit."""

from __future__ import annotations

import gzip
import io
import os
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit import reading, services, unpacking
from audit.models import ServiceDataImport
from audit.synthetic import interactions_csv

pytestmark = pytest.mark.django_db

MB = 1_048_576


@pytest.fixture
def portfolio(learner):
    return learner.portfolios.get()


@pytest.fixture
def temporary(tmp_path, settings):
    """The folder temporary files go to, to show nothing is left in it."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(folder)
    return folder


def files_under(folder) -> list[str]:
    return [os.path.join(root, name) for root, _dirs, names in os.walk(folder) for name in names]


def send(portfolio, learner, raw: bytes, name: str, django_capture_on_commit_callbacks) -> ServiceDataImport:
    """Upload as the page does; the worker (eager in tests) runs once the request commits."""
    with django_capture_on_commit_callbacks(execute=True):
        service_import = services.upload_service_data(
            portfolio=portfolio, upload=SimpleUploadedFile(name, raw), actor=learner
        )
    service_import.refresh_from_db()
    return service_import


def gzip_bytes(raw: bytes) -> bytes:
    return gzip.compress(raw, compresslevel=6)


def zip_bytes(*members: tuple[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def gzip_bomb(megabytes: int) -> bytes:
    """A CSV header, then ``megabytes`` MB of zeros, in about a kilobyte per megabyte."""
    zeros = gzip.compress(b"0" * MB, compresslevel=9)
    return gzip.compress(b"platform,received_at\n") + zeros * megabytes


def refused_with(service_import: ServiceDataImport, words: str, settings, temporary) -> None:
    assert service_import.status == ServiceDataImport.Status.FAILED
    assert service_import.errors[0]["row"] == 1
    assert words in service_import.errors[0]["message"]
    assert not service_import.file.name
    assert not service_import.dataset.name
    assert files_under(settings.MEDIA_ROOT) == []
    assert files_under(temporary) == []


def test_it_reads_a_gzipped_csv_in_the_worker(
    portfolio, learner, temporary, settings, django_capture_on_commit_callbacks
):
    raw = interactions_csv(300)

    service_import = send(
        portfolio, learner, gzip_bytes(raw), "year.csv.gz", django_capture_on_commit_callbacks
    )

    assert service_import.status == ServiceDataImport.Status.UPLOADED
    assert service_import.row_count == 300
    assert service_import.file_size == len(raw)  # the CSV's size, not the compressed one
    assert service_import.headers[:2] == ["platform", "received_at"]
    assert service_import.columns["platform"] == "platform"
    # Only the table as read is kept: the compressed upload and the unpacked copy are gone.
    assert [os.path.basename(path) for path in files_under(settings.MEDIA_ROOT)] == [
        os.path.basename(service_import.file.name)
    ]
    assert files_under(temporary) == []


def test_a_file_read_by_the_worker_keeps_its_sample_values_and_date_order(
    portfolio, learner, temporary, django_capture_on_commit_callbacks
):
    """The mapping page shows a few values of each column and the order of slashed dates
    found in the file, for a large or compressed file read by the worker as for a small one."""
    raw = b"Channel,Created at\nFacebook,04/09/2026 14:05\nX,25/03/2026 09:00\n"

    service_import = send(
        portfolio, learner, gzip_bytes(raw), "year.csv.gz", django_capture_on_commit_callbacks
    )

    assert service_import.status == ServiceDataImport.Status.UPLOADED
    assert service_import.samples == {
        "Channel": ["Facebook", "X"],
        "Created at": ["04/09/2026 14:05", "25/03/2026 09:00"],
    }
    assert service_import.date_order["order"] == "day_first"
    assert service_import.date_order["example"] == "25/03/2026 09:00"
    assert service_import.formats["date_order"] == "day_first"


def test_it_imports_a_zipped_csv_as_it_imports_the_csv(
    portfolio, learner, temporary, django_capture_on_commit_callbacks
):
    raw = interactions_csv(200)
    archive = zip_bytes(("export/interactions.csv", raw), ("__MACOSX/export/._interactions.csv", b"\x00\x05"))

    service_import = send(portfolio, learner, archive, "export.zip", django_capture_on_commit_callbacks)
    services.map_columns(
        service_import=service_import,
        columns=service_import.columns,
        formats=service_import.formats,
        actor=learner,
    )
    done = services.start_import(service_import=service_import, actor=learner)

    assert done.status == ServiceDataImport.Status.DONE
    assert done.row_count == 200


def test_a_large_plain_csv_is_read_by_the_worker_not_in_the_request(
    portfolio, learner, temporary, settings, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr("audit.services.uploads.READ_IN_REQUEST_BYTES", 1000)
    raw = interactions_csv(100)
    with django_capture_on_commit_callbacks() as queued:
        service_import = services.upload_service_data(
            portfolio=portfolio, upload=SimpleUploadedFile("big.csv", raw), actor=learner
        )

    assert service_import.status == ServiceDataImport.Status.RECEIVED  # not read yet
    assert service_import.headers == []
    assert len(queued) == 1

    queued[0]()
    service_import.refresh_from_db()
    assert service_import.status == ServiceDataImport.Status.UPLOADED
    assert service_import.row_count == 100
    assert len(files_under(settings.MEDIA_ROOT)) == 1


def test_a_truncated_gzip_is_refused_and_nothing_is_stored(
    portfolio, learner, temporary, settings, django_capture_on_commit_callbacks
):
    whole = gzip_bytes(interactions_csv(2000))

    service_import = send(
        portfolio, learner, whole[: len(whole) // 2], "cut.csv.gz", django_capture_on_commit_callbacks
    )

    refused_with(service_import, "The compressed file is incomplete", settings, temporary)


def test_a_damaged_gzip_is_refused(
    portfolio, learner, temporary, settings, django_capture_on_commit_callbacks
):
    whole = bytearray(gzip_bytes(interactions_csv(500)))
    whole[40:60] = b"\xff" * 20

    service_import = send(portfolio, learner, bytes(whole), "bad.csv.gz", django_capture_on_commit_callbacks)

    assert service_import.status == ServiceDataImport.Status.FAILED
    assert "compressed file" in service_import.errors[0]["message"]
    assert files_under(settings.MEDIA_ROOT) == []
    assert files_under(temporary) == []


def test_a_zip_of_several_files_is_refused(
    portfolio, learner, temporary, settings, django_capture_on_commit_callbacks
):
    archive = zip_bytes(("january.csv", interactions_csv(10)), ("february.csv", interactions_csv(10)))

    service_import = send(portfolio, learner, archive, "two.zip", django_capture_on_commit_callbacks)

    refused_with(
        service_import, "The zip file holds 2 files (january.csv, february.csv)", settings, temporary
    )


@pytest.mark.parametrize(
    ("member", "content"),
    [("report.pdf", b"%PDF-1.7 ..."), ("data.xlsx", b"PK\x03\x04 a workbook"), ("notes", b"hello")],
)
def test_a_zip_holding_anything_but_a_csv_is_refused(
    portfolio, learner, temporary, settings, django_capture_on_commit_callbacks, member, content
):
    service_import = send(
        portfolio, learner, zip_bytes((member, content)), "x.zip", django_capture_on_commit_callbacks
    )

    refused_with(
        service_import, f"The zip file holds “{member}”, which is not a CSV file", settings, temporary
    )


def test_an_empty_or_damaged_zip_is_refused(
    portfolio, learner, temporary, settings, django_capture_on_commit_callbacks
):
    empty = send(portfolio, learner, zip_bytes(), "empty.zip", django_capture_on_commit_callbacks)
    refused_with(empty, "The zip file holds no file", settings, temporary)

    whole = zip_bytes(("data.csv", interactions_csv(500)))
    cut = send(portfolio, learner, whole[: len(whole) - 30], "cut.zip", django_capture_on_commit_callbacks)
    refused_with(cut, "The zip file is damaged or incomplete", settings, temporary)


def test_a_gzip_bomb_is_refused_at_the_limit_without_unpacking_the_rest(
    portfolio, learner, temporary, settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.SERVICE_DATA_MAX_UPLOAD_BYTES = 2 * MB
    bomb = gzip_bomb(1024)  # 1 GB unpacked, about a megabyte packed
    assert len(bomb) < 2 * MB
    unpacked = []
    read = gzip.GzipFile.read

    def counting_read(self, size=-1):
        data = read(self, size)
        unpacked.append(len(data))
        return data

    monkeypatch.setattr(gzip.GzipFile, "read", counting_read)

    service_import = send(portfolio, learner, bomb, "bomb.csv.gz", django_capture_on_commit_callbacks)

    refused_with(
        service_import, "Unpacked, this file is over 2 MB, the limit for service data", settings, temporary
    )
    assert sum(unpacked) <= 2 * MB + unpacking.CHUNK_BYTES  # it stopped at the limit


def test_a_zip_bomb_is_refused_at_the_limit(
    portfolio, learner, temporary, settings, django_capture_on_commit_callbacks
):
    settings.SERVICE_DATA_MAX_UPLOAD_BYTES = 1 * MB
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("interactions.csv", "w", force_zip64=True) as member,
    ):
        member.write(b"platform,received_at\n")
        for _ in range(64):
            member.write(b"\x00" * MB)
    assert len(buffer.getvalue()) < 200_000

    service_import = send(
        portfolio, learner, buffer.getvalue(), "bomb.zip", django_capture_on_commit_callbacks
    )

    refused_with(service_import, "Unpacked, this file is over 1 MB", settings, temporary)


def test_a_zip_that_says_it_unpacks_past_the_limit_is_refused_before_unpacking(monkeypatch, tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("interactions.csv", b"platform,received_at\n" + b"\x00" * (3 * MB))
    copied = []
    monkeypatch.setattr(unpacking, "_copy", lambda *args: copied.append(args))

    with pytest.raises(reading.FileProblem, match="Unpacked, this file is over 2 MB"):
        unpacking.unpack(buffer, "bomb.zip", limit=2 * MB, folder=str(tmp_path))

    assert copied == []
    assert list(tmp_path.iterdir()) == []


def test_a_compressed_file_over_its_own_limit_is_refused_at_upload(portfolio, learner, settings):
    settings.SERVICE_DATA_MAX_COMPRESSED_BYTES = 1000

    with pytest.raises(services.AuditError, match="the limit for a compressed file or workbook is"):
        services.upload_service_data(
            portfolio=portfolio,
            upload=SimpleUploadedFile("d.csv.gz", gzip_bytes(interactions_csv(500))),
            actor=learner,
        )

    assert ServiceDataImport.objects.count() == 0
    assert files_under(settings.MEDIA_ROOT) == []


def test_one_bad_row_in_the_middle_of_a_large_compressed_file_is_named_and_nothing_imported(
    portfolio, learner, temporary, settings, django_capture_on_commit_callbacks
):
    lines = interactions_csv(20_000).splitlines(keepends=True)
    middle = 10_001  # a spreadsheet's row number: the header is row 1
    cells = lines[middle - 1].split(b",")
    lines[middle - 1] = b",".join([b"Myspace", *cells[1:]])
    service_import = send(
        portfolio, learner, gzip_bytes(b"".join(lines)), "year.csv.gz", django_capture_on_commit_callbacks
    )
    services.map_columns(
        service_import=service_import,
        columns=service_import.columns,
        formats=service_import.formats,
        actor=learner,
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.start_import(service_import=service_import, actor=learner)
    service_import.refresh_from_db()

    assert service_import.status == ServiceDataImport.Status.FAILED
    assert service_import.error_count == 1
    assert service_import.errors[0]["row"] == middle
    assert "Unknown platform “Myspace”" in service_import.errors[0]["message"]
    assert not service_import.dataset.name
    assert files_under(temporary) == []


def test_the_worker_stopping_unexpectedly_refuses_the_upload_and_keeps_nothing(
    portfolio, learner, temporary, settings, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(path, file_name):
        raise MemoryError("out of memory")

    monkeypatch.setattr("audit.reading.read_path", broken)

    with pytest.raises(MemoryError):
        send(
            portfolio,
            learner,
            gzip_bytes(interactions_csv(50)),
            "d.csv.gz",
            django_capture_on_commit_callbacks,
        )

    service_import = ServiceDataImport.objects.get()
    assert service_import.status == ServiceDataImport.Status.FAILED
    assert "stopped unexpectedly" in service_import.errors[0]["message"]
    assert files_under(settings.MEDIA_ROOT) == []
    assert files_under(temporary) == []


def test_a_workbook_is_not_taken_for_a_zip_archive():
    assert unpacking.compression(b"PK\x03\x04", "export.xlsx") == ""
    assert unpacking.compression(b"PK\x03\x04", "export.zip") == "zip"
    assert unpacking.compression(b"\x1f\x8b\x08\x00", "export.csv") == "gzip"
    assert unpacking.compression(b"plat", "export.csv") == ""


def test_a_workbook_is_held_to_the_compressed_limit_and_to_what_it_unpacks_to(portfolio, learner, settings):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as workbook:
        workbook.writestr("[Content_Types].xml", "<Types/>")
        workbook.writestr("xl/worksheets/sheet1.xml", b" " * (2 * MB))
    raw = buffer.getvalue()
    settings.SERVICE_DATA_MAX_COMPRESSED_BYTES = len(raw) - 1

    with pytest.raises(services.AuditError, match="the limit for a compressed file or workbook is"):
        services.upload_service_data(
            portfolio=portfolio, upload=SimpleUploadedFile("big.xlsx", raw), actor=learner
        )

    settings.SERVICE_DATA_MAX_COMPRESSED_BYTES = 10 * MB
    settings.SERVICE_DATA_MAX_UPLOAD_BYTES = 1 * MB
    with pytest.raises(services.AuditError, match="Unpacked, this file is over 1 MB"):
        services.upload_service_data(
            portfolio=portfolio, upload=SimpleUploadedFile("big.xlsx", raw), actor=learner
        )
    assert ServiceDataImport.objects.count() == 0
