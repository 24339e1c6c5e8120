"""A deployed database keeps its service data when the interactions move to Parquet files,
and gets it back as rows if the migration is reversed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from audit import selectors
from audit.models import ServiceDataImport, VersionDataset
from core.models import PortfolioVersion

BEFORE = [("audit", "0002_service_dataset")]
# Forward to today's schema (0004 moved the interactions; later migrations add columns the
# models read, so the checks below run against the latest tables).
AFTER = None
ROWS = [
    ("facebook", datetime(2026, 1, 5, 9, 0, tzinfo=UTC), 20.0, 45.0, True, 5, 9, "positive"),
    ("x", datetime(2026, 1, 6, 10, 30, tzinfo=UTC), None, None, None, None, None, ""),
]


@pytest.fixture(autouse=True)
def _latest_schema_afterwards():
    """Leave the database at the latest migration of every app, whatever a test migrated to:
    the tests after these expect today's tables (a later migration adds some)."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets if targets is not None else executor.loader.graph.leaf_nodes())
    return executor


@pytest.mark.django_db(transaction=True)
def test_existing_interactions_become_datasets_and_versions_keep_theirs(learner):
    portfolio = learner.portfolios.get()
    executor = _migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    OldImport = old.get_model("audit", "ServiceDataImport")
    Interaction = old.get_model("audit", "Interaction")
    done = OldImport.objects.create(
        portfolio_id=portfolio.pk,
        file="service-data/old.csv",
        file_name="old.csv",
        status="done",
        row_count=2,
        created_by_id=learner.pk,
        finished_at=datetime(2026, 2, 1, tzinfo=UTC),
    )
    refused = OldImport.objects.create(
        portfolio_id=portfolio.pk,
        file="service-data/bad.csv",
        file_name="bad.csv",
        status="failed",
        created_by_id=learner.pk,
    )
    fields = ["platform", "received_at", "first_response_minutes", "resolution_minutes"]
    fields += ["resolved_first_contact", "satisfaction", "nps", "sentiment"]
    for row in ROWS:
        Interaction.objects.create(service_import_id=done.pk, **dict(zip(fields, row, strict=True)))
    status = {"value": "done", "label": "Imported"}
    version = PortfolioVersion.objects.create(
        portfolio=portfolio,
        number=1,
        submitted_by=learner,
        declaration="Mine.",
        snapshot={
            "parts": {
                "audit": {
                    "servicedataimport": {
                        "rows": [
                            {"id": done.pk, "status": status, "finished_at": "2026-02-01T00:00:00Z"},
                            {
                                "id": refused.pk,
                                "status": {"value": "failed", "label": "Refused"},
                                "finished_at": None,
                            },
                        ]
                    }
                }
            }
        },
        digest="0" * 64,
    )

    _migrate(AFTER)

    imported = ServiceDataImport.objects.get(pk=done.pk)
    frame = selectors.interactions_frame(imported)
    assert frame.astype(object).where(frame.notna(), None).values.tolist() == [
        ["facebook", frame["received_at"][0], 20.0, 45.0, True, 5, 9, "positive"],
        ["x", frame["received_at"][1], None, None, None, None, None, None],
    ]
    assert frame["received_at"].tolist() == [row[1] for row in ROWS]
    assert not ServiceDataImport.objects.get(pk=refused.pk).dataset
    kept = VersionDataset.objects.get(version=version)
    assert (kept.name, kept.sha256, kept.row_count) == (imported.dataset.name, imported.dataset_sha256, 2)
    assert len(selectors.service_data_frame(portfolio=portfolio, version=version)) == 2

    executor = _migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    back = old.get_model("audit", "Interaction").objects.order_by("received_at").values_list(*fields)
    assert [tuple(row) for row in back] == ROWS
    assert old.get_model("audit", "ServiceDataImport").objects.get(pk=done.pk).dataset == ""

    _migrate(AFTER)
