# Existing imports keep their data: each finished import's Interaction rows are written
# as its Parquet dataset, and each submitted version gets the VersionDataset of the import
# its snapshot shows as current (the latest finished one), so its data outlives the import.
#
# Self-contained on purpose (no audit.datasets import): a migration must keep doing what
# it did when it was written. The file layout matches audit.datasets, and readers pass
# every frame through kpi_compute.conform, so a file written here reads like any other.
#
# Backwards, the datasets become Interaction rows again; files are left where they are
# (a version may still name them, and a stray file costs less than lost data).

import hashlib
import io

import pandas as pd
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import migrations

FIELDS = [
    "platform",
    "received_at",
    "first_response_minutes",
    "resolution_minutes",
    "resolved_first_contact",
    "satisfaction",
    "nps",
    "sentiment",
]


def _frame(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(rows, columns=FIELDS)
    return pd.DataFrame(
        {
            "platform": frame["platform"].astype("str"),
            "received_at": pd.to_datetime(frame["received_at"], utc=True).dt.as_unit("us"),
            "first_response_minutes": frame["first_response_minutes"].astype("float64"),
            "resolution_minutes": frame["resolution_minutes"].astype("float64"),
            "resolved_first_contact": frame["resolved_first_contact"].astype("boolean"),
            "satisfaction": frame["satisfaction"].astype("Int64"),
            "nps": frame["nps"].astype("Int64"),
            "sentiment": frame["sentiment"].replace("", None).astype("str"),
        }
    )


def _current_import_id(snapshot: dict) -> int | None:
    """The import selectors.current_import gave at submission: done, latest finished."""
    rows = snapshot.get("parts", {}).get("audit", {}).get("servicedataimport", {}).get("rows", [])
    done = [row for row in rows if (row.get("status") or {}).get("value") == "done"]
    if not done:
        return None
    return max(done, key=lambda row: (row.get("finished_at") or "", row["id"]))["id"]


def interactions_to_datasets(apps, schema_editor):
    ServiceDataImport = apps.get_model("audit", "ServiceDataImport")
    Interaction = apps.get_model("audit", "Interaction")
    VersionDataset = apps.get_model("audit", "VersionDataset")
    PortfolioVersion = apps.get_model("portfolio", "PortfolioVersion")
    written: list[str] = []
    try:
        for service_import in ServiceDataImport.objects.filter(status="done", dataset="").order_by("pk"):
            rows = list(
                Interaction.objects.filter(service_import=service_import).order_by("pk").values_list(*FIELDS)
            )
            buffer = io.BytesIO()
            _frame(rows).to_parquet(buffer, index=False)
            data = buffer.getvalue()
            name = f"service-data/{service_import.portfolio_id}/dataset-{service_import.pk}.parquet"
            if default_storage.exists(name):
                default_storage.delete(name)
            name = default_storage.save(name, ContentFile(data))
            written.append(name)
            service_import.dataset = name
            service_import.dataset_sha256 = hashlib.sha256(data).hexdigest()
            service_import.row_count = len(rows)
            service_import.save(update_fields=["dataset", "dataset_sha256", "row_count"])
        for version in PortfolioVersion.objects.filter(service_dataset__isnull=True).order_by("pk"):
            import_id = _current_import_id(version.snapshot)
            service_import = ServiceDataImport.objects.filter(pk=import_id).exclude(dataset="").first()
            if service_import is not None:
                VersionDataset.objects.create(
                    version=version,
                    import_id=service_import.pk,
                    name=service_import.dataset.name,
                    original_name=service_import.file_name,
                    sha256=service_import.dataset_sha256,
                    row_count=service_import.row_count,
                )
    except BaseException:
        for name in written:  # the transaction rolls back: so do the files
            default_storage.delete(name)
        raise


def datasets_to_interactions(apps, schema_editor):
    ServiceDataImport = apps.get_model("audit", "ServiceDataImport")
    Interaction = apps.get_model("audit", "Interaction")
    for service_import in ServiceDataImport.objects.exclude(dataset="").order_by("pk"):
        with default_storage.open(service_import.dataset.name, "rb") as handle:
            frame = pd.read_parquet(io.BytesIO(handle.read()))
        records = frame.astype(object).where(frame.notna(), None).to_dict("records")
        Interaction.objects.filter(service_import=service_import).delete()
        Interaction.objects.bulk_create(
            [
                Interaction(
                    service_import=service_import,
                    platform=record["platform"],
                    received_at=record["received_at"].to_pydatetime(),
                    first_response_minutes=record["first_response_minutes"],
                    resolution_minutes=record["resolution_minutes"],
                    resolved_first_contact=record["resolved_first_contact"],
                    satisfaction=record["satisfaction"],
                    nps=record["nps"],
                    sentiment=record["sentiment"] or "",
                )
                for record in records
            ],
            batch_size=5000,
        )
        service_import.dataset = ""
        service_import.dataset_sha256 = ""
        service_import.save(update_fields=["dataset", "dataset_sha256"])


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_service_dataset"),
        ("portfolio", "0002_assessment"),
    ]

    operations = [migrations.RunPython(interactions_to_datasets, datasets_to_interactions)]
