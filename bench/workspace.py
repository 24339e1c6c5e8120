"""Benchmark: the marking workspace of the rich demo learner's version, a criterion's panel, a
decision saved in place, and the previews of its files.

Run from the project root: ``DEBUG=1 .venv/bin/python bench/workspace.py [--repeat 5]
[--database-url URL]``.

Seeds the demo (``seed_demo``) in a temporary SQLite file unless ``--database-url`` names a
database to seed once and reuse, then submits the rich demo learner's portfolio (about thirty
evidence items over the 45 criteria) as a version waiting for the assessor, through the same
service as the page. Prints, for each request, the server time (median of ``--repeat``
requests through Django's test Client, in-process, the body read to its end), the least CPU
time, the size and the queries; the panels of the criterion with the fewest and the most
evidence show that the queries do not grow with the evidence. The last line is one JSON object
with the figures.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.dashboard import ensure_postgres_database, timed  # noqa: E402

TARGETS = {"workspace_page_ms": 300, "panel_ms": 100, "panel_most_evidence_ms": 100}


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="requests per page (median taken)")
    parser.add_argument("--database-url", default="", help="a database to seed once and reuse")
    return parser.parse_args(argv)


def setup(args: argparse.Namespace) -> None:
    workdir = tempfile.mkdtemp(prefix="workspace-bench-")
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
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    from config.celery import app

    app.conf.task_always_eager = True  # the PDF pages are drawn in-process, before the timing


def seed():
    """The rich demo learner's version waiting for review (seeded and submitted once)."""
    from django.core.management import call_command

    from assessment import selectors
    from assessment import services as assessment
    from core.models import Portfolio, VersionState

    call_command("migrate", verbosity=0)
    portfolio = Portfolio.objects.filter(learner__username="learner").first()
    if portfolio is None:
        call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
        portfolio = Portfolio.objects.get(learner__username="learner")
    version = selectors.latest_version(portfolio)
    if version is None or selectors.version_state(version) != VersionState.AWAITING_REVIEW:
        version = assessment.submit_portfolio(
            portfolio=portfolio, declaration_signed=True, actor=portfolio.learner
        )
    return version


def main(args: argparse.Namespace) -> dict:
    setup(args)
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from assessment import workspace as ws
    from core.models import User

    start = time.perf_counter()
    version = seed()
    seeded = round(time.perf_counter() - start, 1)
    space = ws.build(version)
    fewest = min(space.rows, key=lambda r: len(r.review.snapshot_evidence))
    most = max(space.rows, key=lambda r: len(r.review.snapshot_evidence))
    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(username="assessor"))
    args_ = [version.portfolio_id, version.number]
    figures: dict[str, object] = {
        "database": connection.vendor,
        "criteria": space.total,
        "evidence_items": len(version.snapshot["parts"]["evidence"]["items"]),
        "files": version.files.count(),
        "fewest_evidence": len(fewest.review.snapshot_evidence),
        "most_evidence": len(most.review.snapshot_evidence),
        "seed_seconds": seeded,
    }
    # Draw every file's preview once (the PDFs' pages), as the first assessor to open it would.
    for stored in version.files.all():
        client.get(reverse("portfolio:version_file_preview", args=[*args_, stored.pk]))
    htmx = {"HX-Request": "true"}
    pages = {
        "workspace_page": (reverse("portfolio:workspace", args=args_), {}),
        "panel": (reverse("portfolio:workspace_panel", args=[*args_, fewest.criterion.pk]), htmx),
        "panel_most_evidence": (reverse("portfolio:workspace_panel", args=[*args_, most.criterion.pk]), htmx),
        "version_page": (reverse("portfolio:version_detail", args=args_), {}),
    }
    for kind in ("pdf", "csv", "xlsx", "text"):
        stored = next((f for f in version.files.all() if _kind(f) == kind), None)
        if stored is not None:
            pages[f"preview_{kind}"] = (
                reverse("portfolio:version_file_preview", args=[*args_, stored.pk]),
                htmx,
            )
    for name, (url, headers) in pages.items():
        for key, value in timed(client, url, args.repeat, **headers).items():
            figures[f"{name}_{key}"] = value
    figures["decision_saved_ms"] = _save_decisions(client, version, space, args.repeat)
    figures["within_targets"] = all(figures[key] < limit for key, limit in TARGETS.items())
    # On a machine busy with other work the wall time stretches while the CPU time stays put.
    figures["within_targets_cpu"] = all(
        figures[key.replace("_ms", "_cpu_ms")] < limit for key, limit in TARGETS.items()
    )
    figures["queries_constant"] = figures["panel_queries"] == figures["panel_most_evidence_queries"]
    figures["load_average"] = round(os.getloadavg()[0], 2)
    for key, value in figures.items():
        print(f"{key:>30}: {value}")
    return figures


def _kind(stored) -> str:
    from assessment import previews

    return previews.kind_of(stored)


def _save_decisions(client, version, space, repeat: int) -> float:
    """Median milliseconds of saving a decision in place (htmx), each on a criterion not yet decided."""
    import statistics

    from django.urls import reverse

    undecided = [r for r in space.rows if r.state == "undecided"][:repeat]
    times = []
    for row in undecided:
        url = reverse("portfolio:decide", args=[version.portfolio_id, version.number, row.criterion.pk])
        begin = time.perf_counter()
        response = client.post(url, {"status": "met", "based_on": ""}, headers={"HX-Request": "true"})
        times.append((time.perf_counter() - begin) * 1000)
        assert response.status_code == 200, response.status_code
    return round(statistics.median(times), 1) if times else 0.0


if __name__ == "__main__":
    print(json.dumps(main(arguments())))
