"""make load: the load test against the running cluster, bounded, with a JSON summary.

Runs locust headless (from its own virtualenv, ``.venv-load``, so gevent never meets the app's
processes) with the journeys of ``load/locustfile.py``, for a fixed number of users and time,
on loopback only, and stops by itself. Writes ``var/load/summary.json`` and prints it as the
last line: requests, failures, p50/p95/p99 per page and overall, requests per second, and the
machine's load average (sampled every 5 s) during the run. Exits non-zero when the target is
missed (0 errors and p95 under ``--p95-ms``).

The users arrive at ``--spawn-rate`` a second and each logs in first (a password hash, slow by
design). The target is judged on the steady state: every request after ``--warm-up`` seconds,
when all the users are in; the whole run, arrivals and log-ins included, is reported beside it.
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
    parser.add_argument("--spawn-rate", type=float, default=2)
    parser.add_argument("--run-time", default="2m")
    parser.add_argument(
        "--warm-up", type=float, default=40, help="seconds at the start left out of the steady state"
    )
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
    environment = os.environ | {"LOAD_WARM_UP": str(args.warm_up)}
    result = subprocess.run(command, cwd=ROOT, env=environment, check=False, capture_output=True, text=True)  # noqa: S603 (our own command line)
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
    steady = _steady(out / "steady.json", args.run_time, args.warm_up)
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
        "steady_state": steady,
        "errors": errors,
        # Saves refused because another of the load's users (the same learner) saved first.
        "conflicts_refused_as_designed": conflicts,
        "pages": dict(sorted(pages.items(), key=lambda kv: -kv[1]["p95_ms"])),
        "target": {"errors": 0, "p95_ms": args.p95_ms},
    }
    summary["met"] = (
        bool(total)
        and total["failures"] == 0
        and bool(steady["total"])
        and steady["total"]["p95_ms"] < args.p95_ms
    )
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary))
    return 0 if summary["met"] else 1


def _percentile(ordered: list[float], share: float) -> float:
    if not ordered:
        return 0.0
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1)


def _figures(times: list[float], failures: int, seconds: float) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "requests": len(ordered),
        "failures": failures,
        "p50_ms": _percentile(ordered, 0.50),
        "p95_ms": _percentile(ordered, 0.95),
        "p99_ms": _percentile(ordered, 0.99),
        "rps": round(len(ordered) / seconds, 1) if seconds > 0 else 0.0,
    }


def _seconds(run_time: str) -> float:
    units = {"s": 1, "m": 60, "h": 3600}
    total, number = 0.0, ""
    for char in run_time:
        if char.isdigit() or char == ".":
            number += char
        else:
            total += float(number or 0) * units.get(char, 1)
            number = ""
    return total + float(number or 0)


def _steady(path: Path, run_time: str, warm_up: float) -> dict:
    """Per-page and overall figures of the requests made after the warm-up (locustfile.py)."""
    if not path.exists():
        return {"warm_up_s": warm_up, "total": {}, "pages": {}}
    recorded = json.loads(path.read_text())
    seconds = max(_seconds(run_time) - warm_up, 1.0)
    pages = {
        name: _figures(times, recorded["failures"].get(name, 0), seconds)
        for name, times in recorded["times"].items()
    }
    everything = [t for times in recorded["times"].values() for t in times]
    return {
        "warm_up_s": warm_up,
        "total": _figures(everything, sum(recorded["failures"].values()), seconds),
        "pages": dict(sorted(pages.items(), key=lambda kv: -kv[1]["p95_ms"])),
    }


if __name__ == "__main__":
    sys.exit(main())
