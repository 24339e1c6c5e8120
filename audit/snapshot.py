"""The audit part of a submitted version: every row the learner saved in the audit steps
(KPI settings and the list of imports included), and the service dataset the KPIs are
computed from, named by its stored file and SHA-256.

On submission the dataset is also recorded as a ``VersionDataset``, which keeps its file
when the import is deleted later; ``selectors.service_data_frame(version=…)`` reads it.
"""

from __future__ import annotations

from typing import Any

from audit.models import VersionDataset
from audit.selectors import current_import
from core.models import Portfolio, PortfolioVersion
from core.versions import portfolio_rows, register_on_submit, register_snapshot

DATASET_BLOCK = "servicedataset"


def audit_part(portfolio: Portfolio) -> dict[str, Any]:
    part = portfolio_rows("audit", portfolio)
    service_import = current_import(portfolio)
    if service_import is not None and service_import.dataset:
        # Shaped like the model blocks, so that pages listing a version's content show it too.
        part[DATASET_BLOCK] = {
            "title": "Service data the KPIs are computed from",
            "labels": {
                "file_name": "File imported",
                "row_count": "Interactions",
                "dataset": "Dataset file",
                "sha256": "SHA-256 of the dataset",
            },
            "rows": [
                {
                    "id": service_import.pk,
                    "file_name": service_import.file_name,
                    "row_count": service_import.row_count,
                    "dataset": service_import.dataset.name,
                    "sha256": service_import.dataset_sha256,
                }
            ],
        }
    return part


def keep_dataset(version: PortfolioVersion) -> None:
    """Record the dataset the version's snapshot names, so its file outlives the import."""
    block = version.snapshot.get("parts", {}).get("audit", {}).get(DATASET_BLOCK)
    if not block:
        return
    row = block["rows"][0]
    VersionDataset.objects.create(
        version=version,
        import_id=row["id"],
        name=row["dataset"],
        original_name=row["file_name"],
        sha256=row["sha256"],
        row_count=row["row_count"],
    )


register_snapshot("audit", audit_part)
register_on_submit("audit", keep_dataset)
