"""Benchmark: each page of the load test's journeys, its server CPU and its queries.

Run from the project root: ``.venv/bin/python bench/pages.py [--repeat 10]
[--database-url URL] [--profile NAME]``.

Seeds the demo (``seed_demo``) in a temporary SQLite file unless ``--database-url`` names a
database to seed once and reuse (PostgreSQL as production runs it:
``postgres://postgres@127.0.0.1:5432/portfolio_pages``), submits the rich demo learner's
portfolio so the assessor has a version waiting, then asks for every page the load test's
journeys ask for (``load/locustfile.py``), as the role that asks for it, through Django's
test Client in-process with production's template caching (``DEBUG=0``). For each page it
prints the least CPU time of ``--repeat`` requests (on a shared machine the wall time stretches,
the CPU time does not), the median wall time and the queries. Issue #20's target is the common
pages at 15 ms of server CPU or less, so that 50 users on two cores keep p95 under 300 ms.

``--profile NAME`` runs cProfile over that page's requests and prints the 25 costliest
functions (cumulative), to find where the time goes. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import atexit
import cProfile
import json
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.dashboard import ensure_postgres_database, read  # noqa: E402

TARGET_CPU_MS = 15
# The pages every user asks for again and again (the target is theirs); the rest are in the
# figures for a view of the whole.
COMMON = {
    "learner home",
    "portfolio",
    "evidence list",
    "strategy step",
    "readiness",
    "KPIs",
    "audit step",
    "assessor home",
    "review queue",
    "workspace panel",
    "tutor home",
}


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10, help="requests per page")
    parser.add_argument("--database-url", default="", help="a database to seed once and reuse")
    parser.add_argument("--profile", default="", help="profile this page (its name as printed)")
    parser.add_argument(
        "--callers", default="", help="with --profile: who calls the functions matching this (where.py:217)"
    )
    return parser.parse_args(argv)


def setup(args: argparse.Namespace) -> None:
    workdir = tempfile.mkdtemp(prefix="pages-bench-")
    atexit.register(shutil.rmtree, workdir, ignore_errors=True)
    url = args.database_url or f"sqlite:///{workdir}/bench.sqlite3"
    if url.startswith("postgres"):
        ensure_postgres_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ["MEDIA_ROOT"] = f"{workdir}/media"
    os.environ["DEBUG"] = "0"  # production's cached templates and settings
    os.environ.setdefault("MFA_REQUIRED_ROLES", "")  # the demo's staff have no authenticator app
    os.environ.setdefault("ALLOWED_HOSTS", "localhost")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    settings.SECURE_SSL_REDIRECT = False
    from config.celery import app

    app.conf.task_always_eager = True


def seed() -> None:
    """The demo with the rich learner's version waiting (``bench.workspace.seed``), and
    production's hashed static files."""
    from django.core.management import call_command

    from bench.workspace import seed as seed_waiting_version

    seed_waiting_version()
    if not (ROOT / "staticfiles" / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)


def pages() -> list[tuple[str, str, str, dict[str, str]]]:
    """(name, username, url, headers) of every page the load test asks for."""
    from django.urls import reverse

    from assessment import selectors
    from core.models import Cohort, Portfolio
    from core.selectors import criteria_for

    learner = Portfolio.objects.filter(learner__username="learner2").first() or Portfolio.objects.get(
        learner__username="learner"
    )
    rich = Portfolio.objects.get(learner__username="learner")
    version = selectors.latest_version(rich)
    cohort = Cohort.objects.get(pk=rich.cohort_id)
    criterion = criteria_for(rich)[0]
    p, learner_name = learner.pk, learner.learner.username
    htmx = {"HX-Request": "true"}
    return [
        ("learner home", learner_name, "/", {}),
        ("portfolio", learner_name, f"/portfolios/{p}/", {}),
        ("evidence list", learner_name, f"/portfolios/{p}/evidence/", {}),
        ("strategy step", learner_name, f"/portfolios/{p}/strategy/objectives/", {}),
        ("readiness", learner_name, f"/portfolios/{p}/readiness/", {}),
        ("KPIs", learner_name, f"/portfolios/{p}/audit/kpis/", {}),
        ("audit step", learner_name, f"/portfolios/{p}/audit/organisation/", {}),
        ("add a file", learner_name, f"/portfolios/{p}/evidence/add/file/", {}),
        ("PDF exports", learner_name, f"/portfolios/{p}/exports/", {}),
        ("assessor home", "assessor", "/assessor/", {}),
        ("review queue", "assessor", "/assessment/queue/", {}),
        ("workspace", "assessor", reverse("portfolio:workspace", args=[rich.pk, version.number]), {}),
        (
            "workspace panel",
            "assessor",
            reverse("portfolio:workspace_panel", args=[rich.pk, version.number, criterion.pk]),
            htmx,
        ),
        ("tutor home", "tutor", "/", {}),
        ("cohort dashboard", "tutor", f"/cohorts/{cohort.pk}/dashboard/", {}),
        ("progress chart", "tutor", f"/cohorts/{cohort.pk}/dashboard/progress/", {}),
        ("cohort export", "tutor", f"/cohorts/{cohort.pk}/dashboard/export.csv", {}),
    ]


def measure(client, url: str, repeat: int, headers: dict[str, str]) -> dict[str, float | int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url, headers=headers)  # the first request fills caches, as any running site has
    times, cpu, queries = [], [], 0
    for _ in range(repeat):
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as captured:
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(url, headers=headers)
            read(response)
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        queries = len(captured)
        assert response.status_code == 200, (url, response.status_code)
    return {"cpu_ms": round(min(cpu), 1), "ms": round(statistics.median(times), 1), "queries": queries}


def main(args: argparse.Namespace) -> dict:
    setup(args)
    from django.db import connection
    from django.test import Client

    from core.models import User

    seed()
    clients: dict[str, Client] = {}
    figures: dict[str, object] = {"database": connection.vendor}
    rows = {}
    for name, username, url, headers in pages():
        if username not in clients:
            clients[username] = Client(HTTP_HOST="localhost")
            clients[username].force_login(User.objects.get(username=username))
        client = clients[username]
        first = client.get(url, headers=headers)
        while first.status_code == 302:  # a home that sends the person on: time where it sends them
            url = first["Location"]
            first = client.get(url, headers=headers)
        if args.profile and name != args.profile:
            continue
        if args.profile:
            client.get(url, headers=headers)
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.repeat):
                read(client.get(url, headers=headers))
            profiler.disable()
            stats = pstats.Stats(profiler)
            stats.sort_stats("cumulative").print_stats(r"^(?!.*site-packages)(?!.*/lib/python)", 40)
            stats.sort_stats("tottime").print_stats(25)
            if args.callers:
                stats.sort_stats("cumulative").print_callers(args.callers)
        rows[name] = measure(client, url, args.repeat, headers)
        row = rows[name]
        print(f"{name:>18}: {row['cpu_ms']:>7} ms CPU {row['ms']:>7} ms {row['queries']:>4} queries")
    common = [rows[name]["cpu_ms"] for name in rows if name in COMMON]
    figures["pages"] = rows
    if common:
        figures["common_pages_mean_cpu_ms"] = round(statistics.mean(common), 1)
        figures["common_pages_within_target"] = all(value <= TARGET_CPU_MS for value in common)
    figures["load_average"] = round(os.getloadavg()[0], 2)
    return figures


if __name__ == "__main__":
    print(json.dumps(main(arguments())))
