"""Benchmark: the cohort dashboard, the progress chart, the assessor's caseload and the exports at scale.

Run from the project root: ``DEBUG=1 .venv/bin/python bench/dashboard.py [--learners 500]
[--items 20] [--items-per-criterion 2] [--database-url URL] [--growth]``.

Seeds the demo cohort with ``seed_demo --learners N``, then gives every learner ``--items``
evidence items (bulk_create) mapped so that every criterion of the cohort has
``--items-per-criterion`` of them. Without ``--database-url`` the data lives in a temporary
SQLite file; with one (``postgres://postgres@127.0.0.1:5432/portfolio_h_dash``, or ``sqlite:///path``)
the database is created if missing, seeded once, and reused by later runs of the same size.

Prints the server time of each page (median of ``--repeat`` requests through Django's test
Client, in-process, the body read to its end), the CPU time the process spent on it (the
smallest: on a machine shared with other work the wall time can double while the CPU time
stays put), its queries, and the peak memory Python allocated while making each export
(tracemalloc, in a request of its own). ``--growth`` runs the base size and ten times it, each
in a process of its own, and prints the figures side by side with the ratio. The last line is
one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGETS = {
    "cohort_page_ms": 300,
    "progress_chart_ms": 300,
    "caseload_page_ms": 300,
    "xlsx_export_ms": 3000,
    "csv_export_ms": 3000,
}


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=500)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--items-per-criterion", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3, help="requests per page (median taken)")
    parser.add_argument("--database-url", default="", help="a database to seed once and reuse")
    parser.add_argument("--growth", action="store_true", help="run --learners and ten times as many")
    return parser.parse_args(argv)


def growth(args: argparse.Namespace) -> dict:
    """Each size in a process of its own (and, on PostgreSQL, a database of its own)."""
    results = {}
    for learners in (args.learners, 10 * args.learners):
        command = [sys.executable, __file__, "--learners", str(learners), "--items", str(args.items)]
        command += ["--items-per-criterion", str(args.items_per_criterion), "--repeat", str(args.repeat)]
        if args.database_url:
            parts = urlsplit(args.database_url)
            if parts.scheme.startswith("postgres"):
                command += ["--database-url", urlunsplit(parts._replace(path=f"{parts.path}_{learners}"))]
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        results[learners] = json.loads(output.strip().splitlines()[-1])
    base, large = results[args.learners], results[10 * args.learners]
    print(f"{'':>26} {args.learners:>10} {10 * args.learners:>10}  ratio")
    figures: dict[str, object] = {}
    for key, value in base.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        ratio = round(large[key] / value, 1) if value else None
        print(f"{key:>26} {value:>10} {large[key]:>10}  {ratio if ratio is not None else '-'}")
        figures[key] = {"1x": value, "10x": large[key], "ratio": ratio}
    figures["within_targets"] = base["within_targets"] and large["within_targets"]
    print(f"{'within_targets':>26} {base['within_targets']!s:>10} {large['within_targets']!s:>10}")
    return figures


def ensure_postgres_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    server = urlunsplit(parts._replace(path="/postgres", scheme="postgresql"))
    with psycopg.connect(server, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def setup(args: argparse.Namespace) -> None:
    workdir = tempfile.mkdtemp(prefix="dashboard-bench-")
    atexit.register(shutil.rmtree, workdir, ignore_errors=True)
    url = args.database_url or f"sqlite:///{workdir}/bench.sqlite3"
    if url.startswith("postgres"):
        ensure_postgres_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ["MEDIA_ROOT"] = f"{workdir}/media"
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("MFA_REQUIRED_ROLES", "")  # the demo's staff have no authenticator app
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

    import django

    django.setup()

    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    # seed_demo's notifications would otherwise print every e-mail before the figures.
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


def seed(learners: int, items: int, per_criterion: int):
    from django.core.management import call_command

    from core.models import Cohort, Criterion
    from demo.people import DEMO_COHORT_CODE
    from evidence.models import CriterionMapping, Evidence

    call_command("migrate", verbosity=0)
    cohort = Cohort.objects.filter(code=DEMO_COHORT_CODE).first()
    bench_items = Evidence.objects.filter(title__startswith="Bench item ")
    if cohort is not None and cohort.portfolios.count() == learners and bench_items.exists():
        return cohort, False  # seeded by an earlier run of the same size
    if cohort is not None:
        call_command("flush", interactive=False, verbosity=0)
    call_command("seed_demo", learners=learners, stdout=open(os.devnull, "w"))  # noqa: SIM115
    cohort = Cohort.objects.get(code=DEMO_COHORT_CODE)
    criteria = list(Criterion.objects.filter(framework__cohorts=cohort).order_by("framework_id", "order"))
    portfolios = list(cohort.portfolios.all())
    Evidence.objects.bulk_create(
        (
            Evidence(portfolio=p, kind=Evidence.Kind.REFLECTION, title=f"Bench item {n}", body="Bench.")
            for p in portfolios
            for n in range(items)
        ),
        batch_size=5000,
    )
    evidence = list(
        bench_items.filter(portfolio__cohort=cohort)
        .order_by("portfolio_id", "pk")
        .values_list("portfolio_id", "pk")
    )
    by_portfolio: dict[int, list[int]] = {}
    for portfolio_id, pk in evidence:
        by_portfolio.setdefault(portfolio_id, []).append(pk)
    mappings = []
    for index, (_, item_ids) in enumerate(sorted(by_portfolio.items())):
        for c_index, criterion in enumerate(criteria):
            for k in range(min(per_criterion, len(item_ids))):
                item = item_ids[(c_index + k) % len(item_ids)]
                # A spread of states: some criteria only claimed (no note), the rest evidenced.
                note = "" if (c_index + index) % 5 == 0 else "Shows it in practice."
                mappings.append(CriterionMapping(evidence_id=item, criterion=criterion, note=note))
    CriterionMapping.objects.bulk_create(mappings, batch_size=5000, ignore_conflicts=True)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return cohort, True


def read(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def timed(client, url: str, repeat: int, **headers: str) -> dict[str, float | int]:
    """Median milliseconds of ``repeat`` requests, least CPU milliseconds, response size, queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, cpu = [], []
    for _ in range(repeat):
        # Seeding fills the query log (it keeps the last 9,000), and a full log counts nothing.
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as queries:
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(url, headers=headers)
            body = read(response)
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return {
        "ms": round(statistics.median(times), 1),
        "min_ms": round(min(times), 1),
        "cpu_ms": round(min(cpu), 1),
        "bytes": len(body),
        "queries": len(queries),
    }


def peak_memory(client, url: str) -> float:
    """Megabytes Python held at most while making and sending the response."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        response = client.get(url)
        # Each chunk read and dropped, as a client receiving it would: joining them (``read``)
        # measured the benchmark holding the whole file, not the server making it.
        for _ in response.streaming_content if response.streaming else [response.content]:
            pass
        return round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
    finally:
        tracemalloc.stop()


def main(args: argparse.Namespace) -> dict:
    setup(args)
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from core.models import Criterion, User

    start = time.perf_counter()
    cohort, seeded = seed(args.learners, args.items, args.items_per_criterion)
    client = Client(HTTP_HOST="localhost")
    figures: dict[str, object] = {
        "database": connection.vendor,
        "learners": cohort.portfolios.count(),
        "criteria": Criterion.objects.filter(framework__cohorts=cohort).count(),
        "evidence_items": cohort.portfolios.values("evidence").count(),
        "mappings": cohort.portfolios.values("evidence__mappings").count(),
        "seed_seconds": round(time.perf_counter() - start, 1) if seeded else 0,
    }
    client.force_login(User.objects.get(username="tutor"))
    pages = {
        "cohort_page": (reverse("portfolio:cohort_dashboard", args=[cohort.pk]), {}),
        "cohort_page_sorted": (
            reverse("portfolio:cohort_dashboard", args=[cohort.pk]) + "?sort=-coverage&risk=1&page=3",
            {},
        ),
        "progress_chart": (reverse("portfolio:cohort_progress", args=[cohort.pk]), {"HX-Request": "true"}),
        "xlsx_export": (reverse("portfolio:cohort_export_xlsx", args=[cohort.pk]), {}),
        "csv_export": (reverse("portfolio:cohort_export_csv", args=[cohort.pk]), {}),
    }
    for name, (url, headers) in pages.items():
        for key, value in timed(client, url, args.repeat, **headers).items():
            figures[f"{name}_{key}"] = value
    for name in ("xlsx_export", "csv_export"):
        figures[f"{name}_peak_mb"] = peak_memory(client, pages[name][0])
    client.force_login(User.objects.get(username="assessor"))
    for key, value in timed(client, reverse("portfolio:assessor_home"), args.repeat).items():
        figures[f"caseload_page_{key}"] = value
    figures["within_targets"] = all(figures[key] < limit for key, limit in TARGETS.items())
    # Other work on the machine stretches the wall times: say how busy it was.
    figures["load_average"] = round(os.getloadavg()[0], 2)
    for key, value in figures.items():
        print(f"{key:>26}: {value}")
    return figures


if __name__ == "__main__":
    options = arguments()
    print(json.dumps(growth(options) if options.growth else main(options)))
