"""The import journey through the pages, the KPI page and the snapshot the strategy reads."""

from __future__ import annotations

import gzip

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit import selectors, services
from audit.models import KpiSettings, ServiceDataImport
from audit.synthetic import interactions_csv
from tests.audit.factories import ServiceDataImportFactory, import_service_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def portfolio(learner):
    return learner.portfolios.get()


def test_upload_map_preview_and_import(client, learner, portfolio):
    client.force_login(learner)

    response = client.post(
        reverse("audit:data_upload", args=[portfolio.pk]),
        {"file": SimpleUploadedFile("inbox.csv", interactions_csv(50), "text/csv")},
    )
    service_import = ServiceDataImport.objects.get()
    assert response.url == reverse("audit:data_map", args=[portfolio.pk, service_import.pk])

    mapping = {f"col_{key}": source for key, source in service_import.columns.items()}
    mapping |= {"fmt_duration_unit": "minutes", "fmt_satisfaction_scale": "five", "fmt_fcr_source": "boolean"}
    response = client.post(reverse("audit:data_map", args=[portfolio.pk, service_import.pk]), mapping)
    assert response.url == reverse("audit:data_preview", args=[portfolio.pk, service_import.pk])

    preview = client.get(response.url)
    assert "Every one of the 50 rows passed the checks" in preview.content.decode()

    response = client.post(reverse("audit:data_import", args=[portfolio.pk, service_import.pk]))
    service_import.refresh_from_db()
    assert len(selectors.interactions_frame(service_import)) == 50
    status = client.get(response.url)
    assert "50 interactions imported" in status.content.decode()


def test_the_preview_lists_problems_by_row_and_column(client, learner, portfolio):
    service_import = services.upload_service_data(
        portfolio=portfolio,
        upload=SimpleUploadedFile("bad.csv", b"platform,received_at\nMyspace,2026-01-05 09:00\n"),
        actor=learner,
    )
    services.map_columns(
        service_import=service_import, columns=service_import.columns, formats={}, actor=learner
    )
    client.force_login(learner)

    content = client.get(
        reverse("audit:data_preview", args=[portfolio.pk, service_import.pk])
    ).content.decode()

    assert "Nothing was imported: 1 problem found" in content
    assert "<td>2</td><td>platform</td>" in content
    assert "Import 1 rows" not in content


def test_an_oversized_upload_gets_a_message_at_the_field(client, learner, portfolio, settings):
    settings.SERVICE_DATA_MAX_UPLOAD_BYTES = 100
    client.force_login(learner)

    response = client.post(
        reverse("audit:data_upload", args=[portfolio.pk]),
        {
            "file": SimpleUploadedFile(
                "big.csv", b"platform,received_at\n" + b"facebook,2026-01-05 09:00\n" * 10
            )
        },
    )

    assert response.status_code == 400
    assert "the limit for service data is" in response.content.decode()
    assert ServiceDataImport.objects.count() == 0


def test_a_binary_file_named_csv_is_refused_at_the_field(client, learner, portfolio):
    client.force_login(learner)

    response = client.post(
        reverse("audit:data_upload", args=[portfolio.pk]),
        {"file": SimpleUploadedFile("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00binary")},
    )

    assert response.status_code == 400
    assert "not a CSV or XLSX file" in response.content.decode()


def test_a_preset_can_be_chosen_on_the_mapping_page(client, learner, portfolio):
    service_import = ServiceDataImportFactory(
        portfolio=portfolio,
        status="uploaded",
        headers=["Via", "Created at", "Satisfaction Score"],
        columns={},
    )
    client.force_login(learner)

    response = client.get(
        reverse("audit:data_map", args=[portfolio.pk, service_import.pk]) + "?use=preset:zendesk"
    )

    form = response.context["form"]
    assert form.initial["col_platform"] == "Via"
    assert form.initial["fmt_satisfaction_scale"] == "good_bad"


def test_the_status_fragment_polls_while_the_import_runs(client, learner, portfolio):
    service_import = ServiceDataImportFactory(
        portfolio=portfolio, status="running", progress=40, stage="Saving"
    )
    client.force_login(learner)

    response = client.get(
        reverse("audit:data_status", args=[portfolio.pk, service_import.pk]), headers={"HX-Request": "true"}
    )

    content = response.content.decode()
    assert 'hx-trigger="every 1s"' in content
    assert 'value="40"' in content
    assert "<html" not in content


def test_the_kpi_page_shows_definitions_and_charts(client, learner, portfolio):
    _import(portfolio, learner, rows=300)
    client.force_login(learner)

    content = client.get(reverse("audit:kpis", args=[portfolio.pk])).content.decode()

    assert "calendar minutes (nights and weekends count)" in content
    for element_id in ("chart-volume", "chart-first-response", "chart-comparison", "chart-satisfaction"):
        assert f'data-plotly-figure="{element_id}-data"' in content


def test_a_lost_dataset_file_gets_a_message_not_an_error_page(client, learner, portfolio):
    service_import = _import(portfolio, learner, rows=50)
    default_storage.delete(service_import.dataset.name)
    client.force_login(learner)

    response = client.get(reverse("audit:kpis", args=[portfolio.pk]))

    assert response.status_code == 200
    assert "could not be read from storage" in response.content.decode()


def test_the_learner_sets_the_target_and_periods(client, learner, portfolio):
    _import(portfolio, learner, rows=50)
    client.force_login(learner)

    response = client.post(
        reverse("audit:kpis", args=[portfolio.pk]),
        {
            "sla_minutes": "30",
            "baseline_start": "2026-01-05",
            "baseline_end": "2026-01-31",
            "follow_up_start": "2026-02-01",
            "follow_up_end": "2026-01-01",
        },
    )

    assert response.status_code == 400
    assert "cannot end before it starts" in response.content.decode()
    assert not KpiSettings.objects.exists()


def test_kpi_snapshot_is_empty_without_data(portfolio):
    assert selectors.kpi_snapshot(portfolio) == {}


def test_kpi_snapshot_gives_every_kpi_of_the_current_dataset(portfolio, learner):
    _import(portfolio, learner, rows=400)

    snapshot = selectors.kpi_snapshot(portfolio)

    assert snapshot["volume"] == 400.0
    assert 0 < snapshot["within_sla"] < 100
    assert all(isinstance(value, float) for value in snapshot.values())


def test_kpi_snapshot_reads_a_dataset_once_per_content_and_service_level(portfolio, learner, monkeypatch):
    _import(portfolio, learner, rows=120)
    first = selectors.kpi_snapshot(portfolio)
    reads = []
    real_read = selectors.datasets.read
    monkeypatch.setattr(selectors.datasets, "read", lambda *a, **k: reads.append(a) or real_read(*a, **k))

    assert selectors.kpi_snapshot(portfolio) == first
    assert reads == []  # remembered: the file is not read back again

    KpiSettings.objects.update_or_create(portfolio=portfolio, defaults={"sla_minutes": 5})
    changed = selectors.kpi_snapshot(portfolio)
    assert len(reads) == 1  # another service level is another figure
    assert changed["volume"] == first["volume"]

    _import(portfolio, learner, rows=60)  # another file, another digest
    assert selectors.kpi_snapshot(portfolio)["volume"] == 60.0
    assert len(reads) == 2


def test_kpi_snapshot_is_empty_when_the_dataset_file_is_lost(portfolio, learner):
    service_import = _import(portfolio, learner, rows=50)
    default_storage.delete(service_import.dataset.name)

    assert selectors.kpi_snapshot(portfolio) == {}


@pytest.mark.parametrize("count", [1, 20])
def test_the_data_page_costs_the_same_queries_for_1_or_20_files(
    client, learner, portfolio, count, django_assert_num_queries
):
    ServiceDataImportFactory.create_batch(count, portfolio=portfolio)
    client.force_login(learner)

    # session, user, portfolio (access), the imports
    with django_assert_num_queries(4):
        client.get(reverse("audit:data", args=[portfolio.pk]))


@pytest.mark.parametrize("count", [1, 20])
def test_the_kpi_page_costs_the_same_queries_for_1_or_20_files(
    client, learner, portfolio, count, django_assert_num_queries
):
    ServiceDataImportFactory.create_batch(count - 1, portfolio=portfolio)
    _import(portfolio, learner, rows=100)
    client.force_login(learner)

    # session, user, portfolio (access), the settings' version token with the person's draft
    # (one query), KPI settings, current import; the interactions come from the import's
    # dataset file, not the database
    with django_assert_num_queries(6):
        client.get(reverse("audit:kpis", args=[portfolio.pk]))


def _import(portfolio, learner, *, rows: int) -> ServiceDataImport:
    return import_service_data(portfolio, learner, interactions_csv(rows), name="d.csv")


def test_the_preview_reads_the_kept_table_once(client, learner, portfolio, monkeypatch):
    from audit import arrowfiles

    service_import = services.upload_service_data(
        portfolio=portfolio, upload=SimpleUploadedFile("inbox.csv", interactions_csv(30)), actor=learner
    )
    services.map_columns(
        service_import=service_import, columns=service_import.columns, formats={}, actor=learner
    )
    reads = []
    load = arrowfiles.load_buffer
    monkeypatch.setattr(
        arrowfiles, "load_buffer", lambda *args, **kwargs: reads.append(args) or load(*args, **kwargs)
    )
    client.force_login(learner)

    content = client.get(
        reverse("audit:data_preview", args=[portfolio.pk, service_import.pk])
    ).content.decode()

    assert "Every one of the 30 rows passed the checks" in content
    assert len(reads) == 1


def test_a_lost_upload_is_said_on_the_preview(client, learner, portfolio):
    service_import = services.upload_service_data(
        portfolio=portfolio, upload=SimpleUploadedFile("inbox.csv", interactions_csv(30)), actor=learner
    )
    services.map_columns(
        service_import=service_import, columns=service_import.columns, formats={}, actor=learner
    )
    default_storage.delete(service_import.file.name)
    client.force_login(learner)

    response = client.get(reverse("audit:data_preview", args=[portfolio.pk, service_import.pk]))

    assert response.status_code == 200
    assert "missing from the storage" in response.content.decode()


def test_the_kpi_page_writes_rate_changes_in_percentage_points(client, learner, portfolio):
    _import(portfolio, learner, rows=300)
    client.force_login(learner)

    content = client.get(reverse("audit:kpis", args=[portfolio.pk])).content.decode()

    assert '<abbr title="percentage points">pts</abbr>' in content
    assert '<abbr title="minutes">min</abbr>' in content


def test_a_compressed_upload_is_read_by_the_worker_while_its_page_polls(
    client, learner, portfolio, django_capture_on_commit_callbacks
):
    client.force_login(learner)
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(
            reverse("audit:data_upload", args=[portfolio.pk]),
            {"file": SimpleUploadedFile("year.csv.gz", gzip.compress(interactions_csv(50)))},
        )
    service_import = ServiceDataImport.objects.get()
    status_url = reverse("audit:data_status", args=[portfolio.pk, service_import.pk])
    assert response.url == status_url
    page = client.get(status_url).content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert "Waiting for a worker to read the file" in page
    assert client.get(reverse("audit:data_map", args=[portfolio.pk, service_import.pk])).url == status_url

    for callback in queued:
        callback()
    polled = client.get(status_url, headers={"HX-Request": "true"})

    assert polled["HX-Redirect"] == reverse("audit:data_map", args=[portfolio.pk, service_import.pk])


def test_an_upload_the_worker_refused_offers_a_new_upload_not_a_mapping(
    client, learner, portfolio, django_capture_on_commit_callbacks
):
    client.force_login(learner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("audit:data_upload", args=[portfolio.pk]),
            {"file": SimpleUploadedFile("cut.csv.gz", b"\x1f\x8b\x08\x00" + b"\x00" * 40)},
        )
    service_import = ServiceDataImport.objects.get()

    page = client.get(reverse("audit:data_status", args=[portfolio.pk, service_import.pk])).content.decode()

    assert service_import.status == ServiceDataImport.Status.FAILED
    assert "compressed file" in page
    assert "Change the mapping" not in page
    assert "Upload a corrected file" in page
