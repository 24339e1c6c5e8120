"""Benchmark: import 100,000 interactions through the real import path, compute every KPI.

Run from the project root: ``DEBUG=1 .venv/bin/python bench/kpi_import.py [rows] [--runs N]``.
Uses a temporary SQLite database and media folder, removed at the end.

Each run is the whole journey of a learner's file, through the services the pages call,
each step persisting what the next request needs: upload (read, checked for type and
encoding, parsed once, the table as read kept as an Arrow file), column mapping, import (the
Celery task, in-process without Redis: read the kept table, check every row, write the Arrow
dataset), then every KPI view the KPI page shows (read the dataset back and check its
digest; overall, per platform, per week, baseline against follow-up). Each run uses a fresh
portfolio. The first run of the process pays one-off costs (pyarrow's thread pool, time zone
tables, query compilation, fresh memory), so the figures are the median of ``--runs`` runs
(default 3), and the first run is printed too.

The reference is a bare ``pandas.read_csv`` of the same bytes with the default C engine
(median of 5). The breakdown times the parts inside the import and the KPI view by
wrapping the functions that do them, without changing what runs.

Prints the figures, and as its last line one JSON object: wall time, peak memory (process
peak RSS from getrusage, which includes generating the file), and the ratio to the bare read.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
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

from audit import arrowfiles, datasets, importing, kpi_compute, reading, selectors, services  # noqa: E402
from audit.synthetic import interactions_csv  # noqa: E402
from portfolio.models import Cohort, Portfolio, Role, User  # noqa: E402

TARGETS = {"wall_seconds": 5.0, "peak_mb": 500.0, "ratio_to_bare_read": 2.0}

# Parts timed inside the services, by wrapping the module attribute the caller looks up.
PARTS = [
    (reading, "read_table", "parse CSV (upload)"),
    (arrowfiles, "save_table", "write Arrow files (upload, dataset)"),
    (services, "check_import", "read kept table + check rows"),
    (datasets, "read", "read dataset back"),
    (kpi_compute, "kpi_tables", "compute every KPI table"),
]
spent: dict[str, float] = defaultdict(float)


def _timed(module, name: str, label: str) -> None:
    original = getattr(module, name)

    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent[label] += time.perf_counter() - started

    setattr(module, name, wrapper)


def one_run(raw: bytes, cohort: Cohort, number: int) -> dict:
    learner = User.objects.create(username=f"bench-learner-{number}", role=Role.LEARNER)
    portfolio = Portfolio.objects.create(cohort=cohort, learner=learner)
    spent.clear()
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
    mapped = time.perf_counter()
    service_import = services.start_import(service_import=service_import, actor=learner)
    imported = time.perf_counter()
    assert service_import.status == "done", service_import.errors
    view = selectors.kpi_view(portfolio, selectors.current_import(portfolio))
    finished = time.perf_counter()
    assert set(view.overall) == set(kpi_compute.KPI_CATALOGUE)
    assert len(view.frame.index) == service_import.row_count == len(raw.splitlines()) - 1
    return {
        "wall": finished - started,
        "upload": uploaded - started,
        "map": mapped - uploaded,
        "import": imported - mapped,
        "kpis": finished - imported,
        "parts": dict(spent),
        "rows": service_import.row_count,
        "periods": [view.baseline.label(), view.follow_up.label()],
    }


def data_work_run(raw: bytes, number: int) -> float:
    """The data work of the journey without the requests around it: parse, check every row
    with the mapping the upload guesses, store the dataset, compute every KPI table from the
    checked rows. What the journey adds is the database, keeping the table between upload
    and import, and reading the dataset back for the KPI page."""
    started = time.perf_counter()
    table = reading.read_table(raw, "interactions.csv")
    columns, formats = importing.guess_mapping(table.column_names)
    result = importing.check_rows(table, columns, formats)
    datasets.write(result.table, name=f"bench/data-work-{number}.arrow")
    frame = result.frame
    baseline, follow_up = kpi_compute.default_periods(frame)
    kpi_compute.kpi_tables(frame, sla_minutes=60, baseline=baseline, follow_up=follow_up)
    return time.perf_counter() - started


def main(rows: int, runs: int) -> dict:
    call_command("migrate", verbosity=0)
    tutor = User.objects.create(username="bench-tutor", role=Role.TUTOR)
    cohort = Cohort.objects.create(name="Bench", code="bench", created_by=tutor)
    raw = interactions_csv(rows)

    bare = []
    for _ in range(5):
        bare_start = time.perf_counter()
        pd.read_csv(io.BytesIO(raw))
        bare.append(time.perf_counter() - bare_start)
    bare_seconds = statistics.median(bare)

    for module, name, label in PARTS:
        _timed(module, name, label)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    results = [one_run(raw, cohort, number) for number in range(runs)]
    median = sorted(results, key=lambda result: result["wall"])[len(results) // 2]
    data_work = statistics.median(data_work_run(raw, number) for number in range(runs))

    def seconds(value: float) -> float:
        return round(value, 3)

    figures = {
        "rows": rows,
        "file_mb": round(len(raw) / 1_048_576, 2),
        "runs": runs,
        "wall_seconds": seconds(median["wall"]),
        "wall_seconds_each_run": [seconds(result["wall"]) for result in results],
        "upload_seconds": seconds(median["upload"]),
        "map_seconds": seconds(median["map"]),
        "import_seconds": seconds(median["import"]),
        "kpis_seconds": seconds(median["kpis"]),
        "breakdown_seconds": {label: seconds(value) for label, value in median["parts"].items()},
        "bare_read_csv_seconds": seconds(bare_seconds),
        "ratio_to_bare_read": round(median["wall"] / bare_seconds, 1),
        "ratio_first_run": round(results[0]["wall"] / bare_seconds, 1),
        "import_only_ratio_to_bare_read": round(median["import"] / bare_seconds, 1),
        "data_work_seconds": seconds(data_work),
        "data_work_ratio_to_bare_read": round(data_work / bare_seconds, 1),
        # Peak resident memory of the whole process (Django, pandas and the data).
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "rss_before_import_mb": round(rss_before, 1),
        "interactions_saved": median["rows"],
        "kpis": len(kpi_compute.KPI_CATALOGUE),
        "periods": median["periods"],
    }
    figures["within_targets"] = {key: figures[key] <= limit for key, limit in TARGETS.items()}
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", nargs="?", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()
    try:
        result = main(arguments.rows, max(arguments.runs, 1))
    finally:
        shutil.rmtree(WORKDIR, ignore_errors=True)
    for key, value in result.items():
        print(f"{key:>34}: {value}")
    print(json.dumps(result))
