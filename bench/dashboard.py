"""Benchmark: the cohort dashboard, the assessor's caseload and the XLSX export at scale.

Run from the project root: ``DEBUG=1 .venv/bin/python bench/dashboard.py [--learners 500]
[--items 20] [--items-per-criterion 2]``. Uses a temporary SQLite database. Seeds the demo
cohort with ``seed_demo --learners N``, then gives every learner ``--items`` evidence items
(bulk_create) mapped so that every criterion of the cohort has ``--items-per-criterion`` of
them (``--items-per-criterion 20`` maps every item to every criterion). Prints the server
time of each page (median of three requests through Django's test Client, in-process), the
CPU time the process spent on it (the smallest of the three: on a machine shared with other
work the wall time can double while the CPU time stays put) and, as its last line, one JSON
object with the figures. The progress chart is measured on its own: the cohort page fetches
it once it has loaded.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORKDIR = tempfile.mkdtemp(prefix="dashboard-bench-")
atexit.register(shutil.rmtree, WORKDIR, ignore_errors=True)
os.environ["DATABASE_URL"] = f"sqlite:///{WORKDIR}/bench.sqlite3"
os.environ["MEDIA_ROOT"] = f"{WORKDIR}/media"
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
# seed_demo's notifications would otherwise print every e-mail before the figures.
settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from evidence.models import CriterionMapping, Evidence  # noqa: E402
from portfolio.demo import DEMO_COHORT_CODE  # noqa: E402
from portfolio.models import Cohort, Criterion, User  # noqa: E402

TARGETS = {"cohort_page_ms": 300, "progress_chart_ms": 300, "caseload_page_ms": 300, "xlsx_export_ms": 2000}


def seed(learners: int, items: int, per_criterion: int) -> tuple[Cohort, int, int]:
    call_command("migrate", verbosity=0)
    call_command("seed_demo", learners=learners, stdout=open(os.devnull, "w"))  # noqa: SIM115
    cohort = Cohort.objects.get(code=DEMO_COHORT_CODE)
    criteria = list(Criterion.objects.filter(framework__cohorts=cohort).order_by("framework_id", "order"))
    portfolios = list(cohort.portfolios.all())
    Evidence.objects.bulk_create(
        Evidence(portfolio=p, kind=Evidence.Kind.REFLECTION, title=f"Bench item {n}", body="Bench.")
        for p in portfolios
        for n in range(items)
    )
    evidence = list(
        Evidence.objects.filter(portfolio__cohort=cohort, title__startswith="Bench item ")
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
    return cohort, Evidence.objects.filter(portfolio__cohort=cohort).count(), CriterionMapping.objects.count()


def timed(client: Client, url: str, **headers: str) -> dict[str, float | int]:
    """Median milliseconds of three requests, least CPU milliseconds, response size, queries."""
    times, cpu = [], []
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(url, headers=headers)
            body = response.content
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return {
        "ms": round(statistics.median(times), 1),
        "cpu_ms": round(min(cpu), 1),
        "bytes": len(body),
        "queries": len(queries),
    }


def main() -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=500)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--items-per-criterion", type=int, default=2)
    args = parser.parse_args()
    start = time.perf_counter()
    cohort, evidence_count, mapping_count = seed(args.learners, args.items, args.items_per_criterion)
    seed_seconds = round(time.perf_counter() - start, 1)
    client = Client(HTTP_HOST="localhost")
    figures: dict[str, object] = {
        "learners": cohort.portfolios.count(),
        "criteria": Criterion.objects.filter(framework__cohorts=cohort).count(),
        "evidence_items": evidence_count,
        "mappings": mapping_count,
        "seed_seconds": seed_seconds,
    }
    client.force_login(User.objects.get(username="tutor"))
    pages = {
        "cohort_page": (reverse("portfolio:cohort_dashboard", args=[cohort.pk]), {}),
        "progress_chart": (reverse("portfolio:cohort_progress", args=[cohort.pk]), {"HX-Request": "true"}),
        "xlsx_export": (reverse("portfolio:cohort_export_xlsx", args=[cohort.pk]), {}),
    }
    for name, (url, headers) in pages.items():
        for key, value in timed(client, url, **headers).items():
            figures[f"{name}_{key}"] = value
    client.force_login(User.objects.get(username="assessor"))
    for key, value in timed(client, reverse("portfolio:assessor_home")).items():
        figures[f"caseload_page_{key}"] = value
    figures["within_targets"] = all(figures[key] < limit for key, limit in TARGETS.items())
    # Other work on the machine stretches the wall times: say how busy it was.
    figures["load_average"] = round(os.getloadavg()[0], 2)
    for key, value in figures.items():
        print(f"{key:>24}: {value}")
    return figures


if __name__ == "__main__":
    print(json.dumps(main()))
