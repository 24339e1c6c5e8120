"""The imported interactions as an Arrow IPC file: written all or nothing, read by the KPIs,
frozen with a submitted version, and deleted with the import unless a version keeps it."""

from __future__ import annotations

import io

import pandas as pd
import pyarrow.parquet as pq
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import InMemoryStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse

from assessment import services as assessment
from audit import datasets, kpi_compute, selectors, services
from audit.models import ServiceDataImport, VersionDataset
from audit.services import imports as service_imports
from audit.synthetic import generate_interactions, interactions_csv
from tests.audit.factories import ServiceDataImportFactory, import_service_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def portfolio(learner):
    return learner.portfolios.get()


def _import(portfolio, learner, content: bytes) -> ServiceDataImport:
    return import_service_data(portfolio, learner, content)


def _files(portfolio) -> list[str]:
    folder = f"service-data/{portfolio.pk}"
    return sorted(default_storage.listdir(folder)[1]) if default_storage.exists(folder) else []


def _submit(portfolio, learner):
    return assessment.submit_portfolio(portfolio=portfolio, declaration_signed=True, actor=learner)


def test_the_dataset_holds_every_checked_row_and_its_digest(portfolio, learner):
    service_import = _import(portfolio, learner, interactions_csv(120))

    frame = selectors.service_data_frame(portfolio=portfolio)

    assert service_import.status == "done"
    assert service_import.row_count == len(frame) == 120
    assert service_import.dataset.name == f"service-data/{portfolio.pk}/dataset-{service_import.pk}.arrow"
    with service_import.dataset.open("rb") as handle:
        assert datasets.sha256(handle.read()) == service_import.dataset_sha256
    assert {name: str(dtype) for name, dtype in frame.dtypes.items()} == {
        name: str(pd.Series(dtype=dtype).dtype) for name, dtype in kpi_compute.COLUMNS.items()
    }
    source = generate_interactions(120)
    assert frame["platform"].tolist() == source["platform"].tolist()
    assert frame["first_response_minutes"].equals(source["first_response_time"].astype(float))


def test_the_working_copy_reads_the_latest_finished_import(portfolio, learner):
    _import(portfolio, learner, interactions_csv(30))
    _import(portfolio, learner, interactions_csv(40))

    assert len(selectors.service_data_frame(portfolio=portfolio)) == 40


def test_without_an_import_the_frame_is_empty_with_the_canonical_columns(portfolio):
    frame = selectors.service_data_frame(portfolio=portfolio)

    assert frame.empty
    assert list(frame.columns) == list(kpi_compute.COLUMNS)


def test_a_refused_file_leaves_no_dataset(portfolio, learner):
    service_import = _import(portfolio, learner, b"platform,received_at\nMyspace,2026-01-05 09:00\n")

    assert service_import.status == "failed"
    assert not service_import.dataset
    assert [name for name in _files(portfolio) if name.startswith("dataset-")] == []


def test_a_failed_final_write_leaves_no_orphan_file_and_no_done_status(portfolio, learner, monkeypatch):
    def broken_update(*args, **kwargs):
        raise IntegrityError("the database went away")

    service_import = services.upload_service_data(
        portfolio=portfolio, upload=SimpleUploadedFile("inbox.csv", interactions_csv(20)), actor=learner
    )
    services.map_columns(
        service_import=service_import, columns=service_import.columns, formats={}, actor=learner
    )
    real_set_stage = service_imports._set_stage

    def set_stage(service_import, stage, progress, **fields):
        if fields.get("status") == ServiceDataImport.Status.DONE:
            broken_update()
        real_set_stage(service_import, stage, progress, **fields)

    monkeypatch.setattr(service_imports, "_set_stage", set_stage)

    with pytest.raises(IntegrityError):
        services.start_import(service_import=service_import, actor=learner)

    service_import.refresh_from_db()
    assert service_import.status != "done"
    assert not service_import.dataset
    assert [name for name in _files(portfolio) if name.startswith("dataset-")] == []


def test_a_retried_import_replaces_what_a_killed_attempt_left(portfolio, learner):
    service_import = services.upload_service_data(
        portfolio=portfolio, upload=SimpleUploadedFile("inbox.csv", interactions_csv(20)), actor=learner
    )
    services.map_columns(
        service_import=service_import, columns=service_import.columns, formats={}, actor=learner
    )
    leftover = datasets.storage_name(portfolio_id=portfolio.pk, import_id=service_import.pk)
    default_storage.save(leftover, SimpleUploadedFile("x", b"half a file"))

    service_import = services.start_import(service_import=service_import, actor=learner)

    assert service_import.dataset.name == leftover
    assert len(selectors.service_data_frame(portfolio=portfolio)) == 20


def test_the_database_refuses_a_finished_import_without_a_dataset(portfolio):
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceDataImportFactory(portfolio=portfolio, status="done", dataset="", dataset_sha256="")
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceDataImportFactory(
            portfolio=portfolio, status="mapped", dataset="x.parquet", dataset_sha256="0" * 64
        )


def test_an_altered_dataset_file_is_refused_not_read(portfolio, learner):
    service_import = _import(portfolio, learner, interactions_csv(20))
    name = service_import.dataset.name
    default_storage.delete(name)
    default_storage.save(
        name, SimpleUploadedFile("x", datasets.encode(datasets.from_frame(kpi_compute.empty_frame())))
    )

    with pytest.raises(datasets.DatasetUnavailable, match="not the file that was imported"):
        selectors.service_data_frame(portfolio=portfolio)


def test_a_dataset_stored_as_parquet_before_the_switch_to_arrow_still_reads(portfolio, learner):
    service_import = _import(portfolio, learner, interactions_csv(30))
    expected = selectors.service_data_frame(portfolio=portfolio)
    buffer = io.BytesIO()
    pq.write_table(datasets.from_frame(expected), buffer)
    name = default_storage.save(
        f"service-data/{portfolio.pk}/dataset-old.parquet", ContentFile(buffer.getvalue())
    )
    ServiceDataImport.objects.filter(pk=service_import.pk).update(
        dataset=name, dataset_sha256=datasets.sha256(buffer.getvalue())
    )

    pd.testing.assert_frame_equal(selectors.service_data_frame(portfolio=portfolio), expected)


def test_deleting_an_import_deletes_its_upload_and_its_dataset(
    portfolio, learner, django_capture_on_commit_callbacks
):
    service_import = _import(portfolio, learner, interactions_csv(20))
    assert len(_files(portfolio)) == 2

    with django_capture_on_commit_callbacks(execute=True):
        services.delete_import(service_import=service_import, actor=learner)

    assert _files(portfolio) == []
    assert selectors.service_data_frame(portfolio=portfolio).empty


def test_a_version_freezes_the_dataset_it_was_computed_from(portfolio, learner):
    service_import = _import(portfolio, learner, interactions_csv(60))
    services.save_kpi_settings(
        portfolio=portfolio, values=services.KpiSettingsInput(sla_minutes=45), actor=learner
    )

    version = _submit(portfolio, learner)

    block = version.snapshot["parts"]["audit"]["servicedataset"]
    assert block["rows"] == [
        {
            "id": service_import.pk,
            "file_name": "inbox.csv",
            "row_count": 60,
            "dataset": service_import.dataset.name,
            "sha256": service_import.dataset_sha256,
        }
    ]
    kept = VersionDataset.objects.get(version=version)
    assert (kept.name, kept.sha256, kept.row_count) == (
        service_import.dataset.name,
        service_import.dataset_sha256,
        60,
    )
    # The KPI settings the version was computed with are in the same part.
    assert version.snapshot["parts"]["audit"]["kpisettings"]["rows"][0]["sla_minutes"] == 45


def test_a_version_keeps_its_dataset_after_the_import_is_deleted(
    portfolio, learner, django_capture_on_commit_callbacks
):
    service_import = _import(portfolio, learner, interactions_csv(60))
    kept_name = service_import.dataset.name
    version = _submit(portfolio, learner)
    before = selectors.service_data_frame(portfolio=portfolio, version=version)

    with django_capture_on_commit_callbacks(execute=True):
        services.delete_import(service_import=service_import, actor=learner)

    assert selectors.service_data_frame(portfolio=portfolio).empty
    after = selectors.service_data_frame(portfolio=portfolio, version=version)
    pd.testing.assert_frame_equal(after, before)
    assert len(after) == 60
    # The upload itself is gone; only the version's dataset stays.
    assert [f"service-data/{portfolio.pk}/{name}" for name in _files(portfolio)] == [kept_name]


def test_a_version_reads_its_own_dataset_not_a_later_import(portfolio, learner):
    _import(portfolio, learner, interactions_csv(60))
    version = _submit(portfolio, learner)
    _import(portfolio, learner, interactions_csv(25))

    assert len(selectors.service_data_frame(portfolio=portfolio, version=version)) == 60
    assert len(selectors.service_data_frame(portfolio=portfolio)) == 25


def test_a_version_without_service_data_gives_an_empty_frame(portfolio, learner):
    version = _submit(portfolio, learner)

    frame = selectors.service_data_frame(portfolio=portfolio, version=version)

    assert frame.empty
    assert list(frame.columns) == list(kpi_compute.COLUMNS)
    assert "servicedataset" not in version.snapshot["parts"]["audit"]
    assert not VersionDataset.objects.exists()


def test_a_version_of_another_portfolio_is_refused(portfolio, learner, other_learner):
    version = _submit(portfolio, learner)

    with pytest.raises(ValueError, match="not a version of portfolio"):
        selectors.service_data_frame(portfolio=other_learner.portfolios.get(), version=version)


def test_reading_a_version_dataset_costs_one_query(portfolio, learner, django_assert_num_queries):
    _import(portfolio, learner, interactions_csv(10))
    version = _submit(portfolio, learner)

    # the VersionDataset row; the file comes from the storage
    with django_assert_num_queries(1):
        selectors.service_data_frame(portfolio=portfolio, version=version)


def test_a_rolled_back_delete_keeps_the_files(portfolio, learner, django_capture_on_commit_callbacks):
    service_import = _import(portfolio, learner, interactions_csv(20))

    def delete_then_fail() -> None:
        with transaction.atomic():
            services.delete_import(service_import=service_import, actor=learner)
            raise RuntimeError("something later in the request failed")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        delete_then_fail()

    assert len(_files(portfolio)) == 2
    assert len(selectors.service_data_frame(portfolio=portfolio)) == 20


def test_the_version_page_lists_the_frozen_dataset(client, portfolio, learner):
    _import(portfolio, learner, interactions_csv(10))
    version = _submit(portfolio, learner)
    client.force_login(learner)

    content = client.get(
        reverse("portfolio:version_detail", args=[portfolio.pk, version.number])
    ).content.decode()

    assert "Service data the KPIs are computed from" in content


def test_the_journey_works_on_a_remote_storage(portfolio, learner, settings):
    # S3 in production: no local paths, so files are uploaded and read whole.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }

    service_import = _import(portfolio, learner, interactions_csv(50))

    assert service_import.status == "done"
    assert isinstance(default_storage, InMemoryStorage)
    with default_storage.open(service_import.dataset.name, "rb") as handle:
        assert datasets.sha256(handle.read()) == service_import.dataset_sha256
    frame = selectors.service_data_frame(portfolio=portfolio)
    assert len(frame) == 50
    assert frame["platform"].tolist() == generate_interactions(50)["platform"].tolist()


def test_a_dataset_read_once_is_kept_by_the_process_and_each_reader_gets_its_own_copy(
    portfolio, learner, monkeypatch
):
    from audit import arrowfiles

    service_import = import_service_data(portfolio, learner, interactions_csv(80), name="d.csv")
    first = selectors.interactions_frame(service_import)
    loads = []
    real = arrowfiles.load_buffer
    monkeypatch.setattr(arrowfiles, "load_buffer", lambda *a, **k: loads.append(a) or real(*a, **k))

    again = selectors.interactions_frame(service_import)
    again["platform"] = "changed by one reader"

    assert loads == []  # not fetched from storage again
    assert (selectors.interactions_frame(service_import)["platform"] == first["platform"]).all()
    other = import_service_data(portfolio, learner, interactions_csv(40), name="e.csv")
    assert len(selectors.interactions_frame(other)) == 40  # another file is read afresh
    assert [name for (name, *_) in loads if name == other.dataset.name] == [other.dataset.name]
    assert not [name for (name, *_) in loads if name == service_import.dataset.name]


def test_a_large_dataset_is_never_kept(portfolio, learner, monkeypatch):
    from audit import arrowfiles

    monkeypatch.setattr(datasets.FRAMES, "entry_bytes", 1024)
    service_import = import_service_data(portfolio, learner, interactions_csv(80), name="d.csv")
    selectors.interactions_frame(service_import)
    loads = []
    real = arrowfiles.load_buffer
    monkeypatch.setattr(arrowfiles, "load_buffer", lambda *a, **k: loads.append(a) or real(*a, **k))

    selectors.interactions_frame(service_import)

    assert len(loads) == 1


def test_the_kept_datasets_stay_within_their_byte_budget():
    memo = datasets.FrameMemo(entry_bytes=10_000, total_bytes=20_000)
    frames = {i: pd.DataFrame({"x": range(500)}) for i in range(4)}  # about 4 KB each
    for i, frame in frames.items():
        memo.put(("s", str(i), "d"), frame)
    for i in range(4):
        memo.get(("s", "0", "d"))  # the first is read often: kept

    memo.put(("s", "big", "d"), pd.DataFrame({"x": range(5_000)}))  # 40 KB: over one entry's limit

    assert memo.get(("s", "big", "d")) is None
    assert memo._size <= 20_000
    assert memo.get(("s", "0", "d")) is not None
