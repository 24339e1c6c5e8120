"""Benchmark: import 100,000 interactions through the real import path, compute every KPI.

Run from the project root: ``DEBUG=1 .venv/bin/python bench/kpi_import.py [rows]``.
Uses a temporary SQLite database and media folder. Prints the figures, and as its last
line one JSON object: wall time, peak memory (process peak RSS from getrusage), and the ratio to a bare
``pandas.read_csv`` of the same file.
"""

from __future__ import annotations

import io
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORKDIR = tempfile.mkdtemp(prefix="kpi-bench-")
os.environ["DATABASE_URL"] = f"sqlite:///{WORKDIR}/bench.sqlite3"
os.environ["MEDIA_ROOT"] = f"{WORKDIR}/media"
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

import pandas as pd  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402

from audit import kpi_compute, selectors, services  # noqa: E402
from audit.synthetic import interactions_csv  # noqa: E402
from portfolio.models import Cohort, Portfolio, Role, User  # noqa: E402

TARGETS = {"wall_seconds": 5.0, "peak_mb": 500.0, "ratio_to_bare_read": 2.0}


def main(rows: int) -> dict:
    call_command("migrate", verbosity=0)
    tutor = User.objects.create(username="bench-tutor", role=Role.TUTOR)
    learner = User.objects.create(username="bench-learner", role=Role.LEARNER)
    cohort = Cohort.objects.create(name="Bench", code="bench", created_by=tutor)
    portfolio = Portfolio.objects.create(cohort=cohort, learner=learner)
    raw = interactions_csv(rows)

    bare_start = time.perf_counter()
    pd.read_csv(io.BytesIO(raw))
    bare_seconds = time.perf_counter() - bare_start

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    upload = SimpleUploadedFile("interactions.csv", raw, content_type="text/csv")
    service_import = services.upload_service_data(portfolio=portfolio, upload=upload, actor=learner)
    uploaded = time.perf_counter()
    service_import = services.map_columns(
        service_import=service_import,
        columns=service_import.columns,
        formats=service_import.formats,
        actor=learner,
    )
    service_import = services.start_import(service_import=service_import, actor=learner)
    imported = time.perf_counter()
    assert service_import.status == "done", service_import.errors
    view = selectors.kpi_view(portfolio, selectors.current_import(portfolio))
    finished = time.perf_counter()

    import_seconds = imported - started
    figures = {
        "rows": rows,
        "file_mb": round(len(raw) / 1_048_576, 2),
        "wall_seconds": round(finished - started, 3),
        "upload_and_read_headers_seconds": round(uploaded - started, 3),
        "check_and_write_seconds": round(imported - uploaded, 3),
        "kpis_seconds": round(finished - imported, 3),
        "bare_read_csv_seconds": round(bare_seconds, 3),
        "ratio_to_bare_read": round((finished - started) / bare_seconds, 1),
        "import_only_ratio_to_bare_read": round(import_seconds / bare_seconds, 1),
        # Peak resident memory of the whole process (Django, pandas and the data).
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "rss_before_import_mb": round(rss_before, 1),
        "interactions_saved": int(service_import.row_count),
        "kpis": len(view.overall),
        "periods": [view.baseline.label(), view.follow_up.label()],
    }
    figures["within_targets"] = {key: figures[key] <= limit for key, limit in TARGETS.items()}
    assert set(view.overall) == set(kpi_compute.KPI_CATALOGUE)
    return figures


if __name__ == "__main__":
    result = main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
    for key, value in result.items():
        print(f"{key:>34}: {value}")
    print(json.dumps(result))
