"""The import path: every bad input named by row and column, and nothing half-imported."""

from __future__ import annotations

import hashlib
import io

import openpyxl
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from audit import selectors, services
from audit.models import ColumnMapping, ServiceDataImport
from audit.synthetic import interactions_csv

pytestmark = pytest.mark.django_db

GOOD = (
    "platform,received_at,first_response_at,resolution_time,satisfaction_score,nps_score,sentiment\n"
    "Facebook,2026-01-05 09:00,2026-01-05 09:20,45,5,9,positive\n"
    "X,2026-01-05 10:00,2026-01-05 11:00,120,2,3,negative\n"
    "Instagram,06/01/2026 14:30,06/01/2026 14:35,,,,\n"
)


@pytest.fixture
def portfolio(learner):
    return learner.portfolios.get()


def upload(portfolio, learner, content: bytes | str, name: str = "data.csv") -> ServiceDataImport:
    raw = content.encode("utf-8") if isinstance(content, str) else content
    return services.upload_service_data(
        portfolio=portfolio, upload=SimpleUploadedFile(name, raw, "text/csv"), actor=learner
    )


def stored(service_import: ServiceDataImport, *columns: str) -> list[tuple]:
    """The imported rows as read back from the dataset file, in order of arrival."""
    frame = selectors.interactions_frame(service_import).sort_values("received_at", kind="stable")
    frame = frame.astype(object).where(frame.notna(), None)
    return list(frame[list(columns)].itertuples(index=False, name=None))


def dataset_files(portfolio) -> list[str]:
    folder = f"service-data/{portfolio.pk}"
    if not default_storage.exists(folder):
        return []
    return [name for name in default_storage.listdir(folder)[1] if name.startswith("dataset-")]


def run(portfolio, learner, content, *, columns=None, formats=None, name="data.csv") -> ServiceDataImport:
    service_import = upload(portfolio, learner, content, name)
    services.map_columns(
        service_import=service_import,
        columns=columns or service_import.columns,
        formats=formats or service_import.formats,
        actor=learner,
    )
    return services.start_import(service_import=service_import, actor=learner)


def test_a_good_file_imports_every_row(portfolio, learner):
    service_import = run(portfolio, learner, GOOD)

    assert service_import.status == "done"
    assert service_import.row_count == 3
    assert stored(service_import, "platform", "first_response_minutes") == [
        ("facebook", 20.0),
        ("x", 60.0),
        ("instagram", 5.0),
    ]
    with service_import.dataset.open("rb") as handle:
        assert service_import.dataset_sha256 == hashlib.sha256(handle.read()).hexdigest()


@pytest.mark.parametrize(
    ("content", "row", "column", "words"),
    [
        (GOOD.replace("X,2026-01-05 10:00", "X,yesterday-ish"), 3, "received_at", "not a date"),
        (GOOD.replace("2026-01-05 11:00", "2026-01-05 09:59"), 3, "first_response_at", "before the customer"),
        (GOOD.replace(",120,", ",-5,"), 3, "resolution_time", "negative"),
        (GOOD.replace(",5,9,", ",7,9,"), 2, "satisfaction_score", "out of range"),
        (GOOD.replace(",2,3,", ",2,11,"), 3, "nps_score", "out of range"),
        (GOOD.replace("Instagram,", "Carrier pigeon,"), 4, "platform", "Unknown platform"),
        (GOOD.replace("positive", "delighted"), 2, "sentiment", "not positive"),
    ],
    ids=[
        "unparseable date",
        "response before message",
        "negative duration",
        "satisfaction 7",
        "nps 11",
        "unknown platform",
        "unknown sentiment",
    ],
)
def test_a_bad_row_is_named_and_nothing_is_imported(portfolio, learner, content, row, column, words):
    service_import = run(portfolio, learner, content)

    assert service_import.status == "failed"
    assert (service_import.dataset.name, service_import.dataset_sha256) == ("", "")
    assert dataset_files(portfolio) == []
    problem = service_import.errors[0]
    assert (problem["row"], problem["column"]) == (row, column)
    assert words in problem["message"]


def test_a_missing_column_is_named(portfolio, learner):
    service_import = upload(portfolio, learner, GOOD)
    service_import.headers.append("Sentiment score")
    services.map_columns(
        service_import=service_import,
        columns={"platform": "platform", "received_at": "received_at", "sentiment": "Sentiment score"},
        formats={},
        actor=learner,
    )

    result = services.start_import(service_import=service_import, actor=learner)

    assert result.status == "failed"
    assert result.errors[0] == {
        "row": 1,
        "column": "Sentiment score",
        "message": "The column “Sentiment score” (for Sentiment) is missing from the file.",
    }
    assert dataset_files(portfolio) == []


def test_a_file_without_a_received_column_cannot_be_mapped(portfolio, learner):
    service_import = upload(portfolio, learner, "platform,when\nfacebook,2026-01-05\n")

    with pytest.raises(services.AuditError, match="Received"):
        services.map_columns(
            service_import=service_import, columns={"platform": "platform"}, formats={}, actor=learner
        )


def test_only_the_first_fifty_problems_are_listed_but_all_are_counted(portfolio, learner):
    rows = "".join(f"Myspace,2026-01-05 09:{i % 60:02d}\n" for i in range(120))

    service_import = run(portfolio, learner, "platform,received_at\n" + rows)

    assert service_import.error_count == 120
    assert len(service_import.errors) == 50
    assert service_import.errors[0]["row"] == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"platform,received_at\n", "no rows of data"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "binary"),
    ],
    ids=["empty", "header only", "png named csv", "pdf named csv"],
)
def test_a_file_that_cannot_be_read_is_refused_at_upload(portfolio, learner, content, message):
    with pytest.raises(services.AuditError, match=message):
        upload(portfolio, learner, content)

    assert ServiceDataImport.objects.count() == 0


def test_a_file_over_the_size_limit_is_refused(portfolio, learner, settings):
    settings.SERVICE_DATA_MAX_UPLOAD_BYTES = 1000

    with pytest.raises(services.AuditError, match="the limit for service data is"):
        upload(portfolio, learner, GOOD * 20)

    assert ServiceDataImport.objects.count() == 0


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8", ","), ("utf-8-sig", ";"), ("cp1252", "\t"), ("utf-8", "|")],
)
def test_it_reads_common_encodings_and_delimiters(portfolio, learner, encoding, delimiter):
    text = GOOD.replace(",", delimiter).replace("positive", "positive") + (
        f"Facebook{delimiter}2026-01-07 09:00{delimiter}{delimiter}{delimiter}{delimiter}{delimiter}neutral\n"
    )
    # A pound sign and an accent that Windows-1252 and UTF-8 write differently.
    text = text.replace("platform", "platform").replace("sentiment\n", "sentiment\n")
    raw = text.encode(encoding)
    service_import = run(portfolio, learner, raw)

    assert service_import.status == "done", service_import.errors
    assert service_import.row_count == 4


def test_windows_1252_text_with_accents_is_read(portfolio, learner):
    text = "platform;received_at;notes\nFacebook;2026-01-05 09:00;Café — £20 refund\n"

    service_import = run(portfolio, learner, text.encode("cp1252"))

    assert service_import.status == "done"


def test_it_reads_an_xlsx_workbook(portfolio, learner):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["platform", "received_at", "first_response_time"])
    sheet.append(["WhatsApp", "2026-02-02 08:00", "12"])
    sheet.append(["TikTok", "2026-02-02 09:00", "90"])
    buffer = io.BytesIO()
    workbook.save(buffer)

    service_import = run(portfolio, learner, buffer.getvalue(), name="export.xlsx")

    assert service_import.status == "done"
    assert stored(service_import, "platform", "first_response_minutes") == [
        ("whatsapp", 12.0),
        ("tiktok", 90.0),
    ]


ZENDESK = (
    "Id,Via,Created at,Solved at,Satisfaction Score,Replies,First reply time in minutes,"
    "Full resolution time in minutes\n"
    "101,Twitter,2026-03-02 09:00:00,2026-03-02 10:00:00,Good,1,15,60\n"
    "102,Facebook,2026-03-02 11:00:00,,Offered,2,40,\n"
    "103,Mail,2026-03-03 08:00:00,2026-03-04 08:00:00,Bad,3,300,1440\n"
)
FRESHDESK = (
    "Ticket ID,Source,Created time,Initial response time,Resolved time,First response time (in hrs),"
    "Resolution status,Agent interactions,Survey results\n"
    "1,Facebook,2026-03-02 09:00:00,2026-03-02 09:30:00,2026-03-02 09:30:00,00:30:00,Within "
    "SLA,1,Extremely happy\n"
    "2,Twitter,2026-03-02 10:00:00,2026-03-02 12:00:00,,02:00:00,SLA Violated,2,Unhappy\n"
    "3,WhatsApp,2026-03-02 11:00:00,,,,,,\n"
)


def test_the_zendesk_preset_reads_minutes_and_good_bad_ratings(portfolio, learner):
    service_import = run(portfolio, learner, ZENDESK)

    assert service_import.status == "done", service_import.errors
    rows = stored(
        service_import, "platform", "first_response_minutes", "satisfaction", "resolved_first_contact"
    )
    assert rows == [("x", 15.0, 5, True), ("facebook", 40.0, None, False), ("email", 300.0, 1, False)]


def test_the_freshdesk_preset_measures_calendar_time_from_timestamps(portfolio, learner):
    service_import = run(portfolio, learner, FRESHDESK)

    assert service_import.status == "done", service_import.errors
    assert service_import.formats["satisfaction_scale"] == "freshdesk"
    rows = stored(
        service_import,
        "platform",
        "first_response_minutes",
        "resolution_minutes",
        "satisfaction",
        "resolved_first_contact",
    )
    assert rows == [
        ("facebook", 30.0, 30.0, 5, True),
        ("x", 120.0, None, 2, False),
        ("whatsapp", None, None, None, None),
    ]


def test_freshdesk_durations_in_hh_mm_ss_or_hours(portfolio, learner):
    content = (
        "Source,Created time,First response time (in hrs)\n"
        "Chat,2026-03-02 09:00,01:30:00\nChat,2026-03-02 10:00,2.5\n"
    )
    service_import = upload(portfolio, learner, content)
    services.map_columns(
        service_import=service_import,
        columns={
            "platform": "Source",
            "received_at": "Created time",
            "first_response_time": "First response time (in hrs)",
        },
        formats={"duration_unit": "hms"},
        actor=learner,
    )

    service_import = services.start_import(service_import=service_import, actor=learner)

    assert stored(service_import, "first_response_minutes") == [(90.0,), (150.0,)]


def test_a_saved_mapping_is_kept_for_next_time(portfolio, learner):
    service_import = upload(portfolio, learner, ZENDESK)

    services.map_columns(
        service_import=service_import,
        columns=service_import.columns,
        formats=service_import.formats,
        save_as="Our Zendesk",
        actor=learner,
    )

    saved = ColumnMapping.objects.get(portfolio=portfolio)
    assert saved.name == "Our Zendesk"
    assert saved.columns["received_at"] == "Created at"
    assert saved.formats["satisfaction_scale"] == "good_bad"


def test_a_large_file_is_imported_by_the_task_after_commit(
    portfolio, learner, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("audit.services.imports.ASYNC_IMPORT_BYTES", 1000)
    service_import = upload(portfolio, learner, interactions_csv(200))
    services.map_columns(
        service_import=service_import,
        columns=service_import.columns,
        formats=service_import.formats,
        actor=learner,
    )

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        queued = services.start_import(service_import=service_import, actor=learner)
        assert queued.status == "queued"

    assert len(callbacks) == 1
    service_import.refresh_from_db()
    assert service_import.status == "done"
    assert service_import.progress == 100
    assert len(selectors.interactions_frame(service_import)) == service_import.row_count == 200


def test_a_task_for_a_missing_import_does_nothing():
    from audit.tasks import run_service_import

    assert run_service_import(999999) == "skipped"


def test_an_imported_file_cannot_be_imported_twice(portfolio, learner):
    service_import = run(portfolio, learner, GOOD)

    with pytest.raises(services.AuditError):
        services.start_import(service_import=service_import, actor=learner)

    assert len(selectors.interactions_frame(service_import)) == 3
    assert len(dataset_files(portfolio)) == 1
