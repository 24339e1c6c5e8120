"""make load: the load test against the running cluster, bounded, with a JSON summary.

Runs locust headless (from its own virtualenv, ``.venv-load``, so gevent never meets the app's
processes) with the journeys of ``load/locustfile.py``, for a fixed number of users and time,
on loopback only, and stops by itself. Writes ``var/load/summary.json`` and prints it as the
last line: requests, failures, p50/p95/p99 per page and overall, requests per second, and the
machine's load average (sampled every 5 s) during the run. Exits non-zero when the target is
missed (0 errors and p95 under ``--p95-ms``).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default=f"https://localhost:{os.environ.get('CLUSTER_HTTPS_PORT', '8443')}")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--run-time", default="2m")
    parser.add_argument("--p95-ms", type=float, default=300)
    parser.add_argument("--out", default=str(ROOT / "var/load"))
    args = parser.parse_args()
    if not args.host.startswith(
        ("https://localhost", "https://127.0.0.1", "http://localhost", "http://127.0.0.1")
    ):
        parser.error("the load test runs on loopback only")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    loads: list[float] = []
    done = threading.Event()

    def sample() -> None:
        while not done.wait(5):
            loads.append(os.getloadavg()[0])

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.monotonic()
    command = [
        str(ROOT / ".venv-load/bin/locust"),
        "-f",
        str(ROOT / "load/locustfile.py"),
        "--headless",
        "--host",
        args.host,
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.spawn_rate),
        "--run-time",
        args.run_time,
        "--stop-timeout",
        "30",
        "--csv",
        str(out / "locust"),
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--summary",
        str(out / "summary.json"),
    ]
    result = subprocess.run(command, cwd=ROOT, check=False, capture_output=True, text=True)  # noqa: S603 (our own command line)
    done.set()
    (out / "locust.log").write_text(result.stdout + result.stderr)
    pages: dict[str, dict[str, float]] = {}
    total: dict[str, float] = {}
    with open(out / "locust_stats.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            figures = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "p50_ms": float(row["50%"] or 0),
                "p95_ms": float(row["95%"] or 0),
                "p99_ms": float(row["99%"] or 0),
                "rps": round(float(row["Requests/s"] or 0), 1),
            }
            if row["Name"] == "Aggregated":
                total = figures
            else:
                pages[f"{row['Type']} {row['Name']}"] = figures
    errors = []
    failures_file = out / "locust_failures.csv"
    if failures_file.exists():
        with open(failures_file, newline="") as handle:
            errors = [
                f"{r['Method']} {r['Name']}: {r['Error']} ×{r['Occurrences']}" for r in csv.DictReader(handle)
            ]
    conflicts_file = out / "conflicts.json"
    conflicts = json.loads(conflicts_file.read_text()) if conflicts_file.exists() else {}
    summary = {
        "host": args.host,
        "users": args.users,
        "run_time": args.run_time,
        "seconds": round(time.monotonic() - started, 1),
        "cpus": os.cpu_count(),
        "load_average": {
            "mean": round(sum(loads) / len(loads), 2) if loads else None,
            "max": round(max(loads), 2) if loads else None,
        },
        "total": total,
        "errors": errors,
        # Saves refused because another of the load's users (the same learner) saved first.
        "conflicts_refused_as_designed": conflicts,
        "pages": dict(sorted(pages.items(), key=lambda kv: -kv[1]["p95_ms"])),
        "target": {"errors": 0, "p95_ms": args.p95_ms},
    }
    summary["met"] = bool(total) and total["failures"] == 0 and total["p95_ms"] < args.p95_ms
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary))
    return 0 if summary["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
