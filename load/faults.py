"""make faults: break the running cluster on purpose, under traffic, and check each outcome.

Run after ``make cluster`` (it uses the cluster's settings to read its database and bucket).
While a few learners read pages through HAProxy and save reflections, it:

1. **kills a web instance** (SIGKILL to gunicorn and its workers): HAProxy's health check takes
   it out; no request fails beyond those in flight at that moment, and every request after
   the check has noticed succeeds; the instance is started again and comes back in;
2. **kills the worker rendering an export** (SIGKILL mid-render): the task is redelivered
   (late acknowledgement, rejected on a lost worker) or restarted by the sweeper when its
   heartbeat stops, and the export completes on the other worker;
3. **stops and starts Redis**: pages keep working, a PDF asked for meanwhile is saved in the
   outbox ("the PDF will be made as soon as it is back") and is made once Redis is back;
4. **terminates the app's database connections**: requests in flight may fail with an error
   page, and the app recovers by itself (health-checked connections), with no restart.

After each fault it checks that nothing a user saved is lost: every reflection the traffic
saved (a 302 answer) is in the database, and every file the app recorded is in the bucket.
Prints a JSON summary as its last line; exits non-zero if an outcome is not met.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import django
import requests
import urllib3

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.core.files.storage import default_storage  # noqa: E402 (after django.setup)
from django.db import close_old_connections, connection  # noqa: E402

from core.models import Export, OutboxMessage  # noqa: E402
from evidence.models import Evidence  # noqa: E402

urllib3.disable_warnings()
BASE = f"https://localhost:{os.environ.get('CLUSTER_HTTPS_PORT', '8443')}"
STATS = f"http://127.0.0.1:{os.environ.get('CLUSTER_STATS_PORT', '8209')}/;csv"
PIDS = ROOT / "var/cluster/pids"
PASSWORD = os.environ.get("DEMO_PASSWORD", "demo-pass-2026")
READERS = ["learner2", "learner3", "learner5", "learner6"]


def session_for(username: str) -> requests.Session:
    s = requests.Session()
    s.trust_env = False
    s.verify = False
    page = s.get(f"{BASE}/accounts/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    s.post(
        f"{BASE}/accounts/login/",
        data={
            "csrfmiddlewaretoken": token.group(1) if token else "",
            "username": username,
            "password": PASSWORD,
        },
        headers={"Referer": f"{BASE}/accounts/login/"},
        timeout=30,
    )
    return s


def portfolio_of(s: requests.Session) -> str:
    home = s.get(f"{BASE}/", timeout=30)
    match = re.search(r"/portfolios/(\d+)/", home.text)
    return match.group(1) if match else ""


def save_reflection(s: requests.Session, portfolio: str, title: str) -> bool:
    """Add a reflection as the learner does; True if the app said it was saved (302)."""
    url = f"/portfolios/{portfolio}/evidence/add/reflection/"
    page = s.get(BASE + url, timeout=30)
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page.text))
    fields |= {
        "title": title,
        "body": "What I learnt from the pilot.",
        "occurred_on": time.strftime("%Y-%m-%d"),
    }
    answer = s.post(
        BASE + url, data=fields, headers={"Referer": BASE + url}, allow_redirects=False, timeout=60
    )
    return answer.status_code == 302


@dataclass
class Traffic:
    """Learners reading pages and saving reflections in threads, every answer recorded."""

    threads: int = 4
    results: list[tuple[float, int | str, str]] = field(default_factory=list)
    saved: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _workers: list[threading.Thread] = field(default_factory=list)

    def start(self) -> None:
        for n in range(self.threads):
            thread = threading.Thread(target=self._run, args=(READERS[n % len(READERS)], n), daemon=True)
            thread.start()
            self._workers.append(thread)

    def _run(self, username: str, n: int) -> None:
        s = session_for(username)
        portfolio = portfolio_of(s)
        pages = ["/", f"/portfolios/{portfolio}/", f"/portfolios/{portfolio}/evidence/"]
        count = 0
        while not self._stop.is_set():
            count += 1
            if count % 5 == 0:
                title = f"Fault drill {username} {n}-{count} {time.time():.3f}"
                try:
                    if save_reflection(s, portfolio, title):
                        self.saved.append(title)
                    self.results.append((time.monotonic(), "saved", "reflection"))
                except requests.RequestException as exc:
                    self.results.append((time.monotonic(), type(exc).__name__, "reflection"))
                continue
            url = pages[count % len(pages)]
            try:
                answer = s.get(BASE + url, timeout=30)
                self.results.append((time.monotonic(), answer.status_code, url))
            except requests.RequestException as exc:
                self.results.append((time.monotonic(), type(exc).__name__, url))
            time.sleep(0.2)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._workers:
            thread.join(timeout=60)

    def failures(self, start: float = 0, end: float = float("inf")) -> list[tuple[float, int | str, str]]:
        return [
            r
            for r in self.results
            if start <= r[0] <= end and not (r[1] == "saved" or (isinstance(r[1], int) and r[1] < 500))
        ]


def backend_status() -> dict[str, str]:
    with urllib.request.urlopen(STATS, timeout=5) as response:
        rows = response.read().decode().lstrip("# ").splitlines()
    header = rows[0].split(",")
    status = {}
    for row in rows[1:]:
        cells = dict(zip(header, row.split(","), strict=False))
        if cells.get("pxname") == "web" and cells.get("svname", "").startswith("web"):
            status[cells["svname"]] = cells.get("status", "")
    return status


def wait(what: str, seconds: float, check: Callable[[], bool]) -> float:
    """Seconds until ``check`` holds; raises if it never does."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        close_old_connections()
        if check():
            return round(time.monotonic() - started, 1)
        time.sleep(0.5)
    raise AssertionError(f"{what}: not within {seconds} s")


def pid(name: str) -> int:
    return int((PIDS / f"{name}.pid").read_text().strip())


def kill_tree(root: int) -> None:
    """SIGKILL a process and everything under it (gunicorn's workers, a Celery worker's pool
    process and the chart browser it drives), deepest first."""
    children = subprocess.run(["pgrep", "-P", str(root)], capture_output=True, text=True, check=False)  # noqa: S603, S607
    for child in children.stdout.split():
        kill_tree(int(child))
    with contextlib.suppress(ProcessLookupError):
        os.kill(root, signal.SIGKILL)


def worker_running(task_id: str) -> str:
    """Which worker (worker1, worker2) received the render's task: its log says so at once
    (the export's ``claimed_by`` is the task's id)."""
    for name in ("worker1", "worker2"):
        log = ROOT / f"var/cluster/logs/{name}.log"
        if log.exists() and f"render_export[{task_id}] received" in log.read_text(errors="replace"):
            return name
    return ""


def cluster(*args: str) -> None:
    subprocess.run([str(ROOT / "scripts/cluster"), *args], check=True, cwd=ROOT)  # noqa: S603


def nothing_lost(traffic: Traffic) -> dict[str, Any]:
    """Every reflection the traffic saved is stored; every recorded file is in the bucket."""
    close_old_connections()
    stored = set(Evidence.objects.filter(title__in=traffic.saved).values_list("title", flat=True))
    missing_saves = sorted(set(traffic.saved) - stored)
    names = list(Evidence.objects.exclude(file="").values_list("file", flat=True))
    names += [n for n in Export.objects.filter(status="done").exclude(file="").values_list("file", flat=True)]
    missing_files = [n for n in names if not default_storage.exists(n)]
    return {
        "saves": len(traffic.saved),
        "saves_missing": missing_saves,
        "files_checked": len(names),
        "files_missing": missing_files,
        "ok": not missing_saves and not missing_files,
    }


def request_export(s: requests.Session, portfolio: str) -> tuple[int, str]:
    """Ask for the working copy's PDF as the learner does: the answer's status and message."""
    url = f"/portfolios/{portfolio}/exports/"
    page = s.get(BASE + url, timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    answer = s.post(
        f"{BASE}/portfolios/{portfolio}/exports/new/",
        data={"csrfmiddlewaretoken": token.group(1) if token else ""},
        headers={"Referer": BASE + url},
        timeout=60,
    )
    return answer.status_code, answer.text


def fault_kill_web(traffic: Traffic) -> dict[str, Any]:
    time.sleep(5)
    killed_at = time.monotonic()
    kill_tree(pid("web1"))
    noticed = wait("HAProxy takes web1 out", 30, lambda: backend_status().get("web1", "").startswith("DOWN"))
    time.sleep(8)
    after = time.monotonic()
    in_flight = traffic.failures(killed_at, killed_at + noticed + 1)
    late = traffic.failures(killed_at + noticed + 1, after)
    cluster("restart-web", "1")
    back = wait("web1 comes back in", 60, lambda: backend_status().get("web1") == "UP")
    return {
        "noticed_after_s": noticed,
        "failed_in_flight": len(in_flight),
        "failed_after_noticed": len(late),
        "back_after_s": back,
        "ok": len(in_flight) <= traffic.threads and not late,
    }


def _fresh_export(s: requests.Session, portfolio: str, label: str) -> Export:
    save_reflection(s, portfolio, f"Before the {label} {time.time():.3f}")  # new content: a new render
    status, _text = request_export(s, portfolio)
    assert status == 200, f"export request answered {status}"
    close_old_connections()
    return Export.objects.filter(portfolio_id=int(portfolio)).order_by("-created_at").first()


def fault_kill_worker(traffic: Traffic) -> dict[str, Any]:
    s = session_for("learner")
    portfolio = portfolio_of(s)
    export = _fresh_export(s, portfolio, "worker fault")
    wait("the export starts", 120, lambda: Export.objects.get(pk=export.pk).status == "running")
    claimed = Export.objects.get(pk=export.pk).claimed_by
    wait("a worker has the render", 30, lambda: bool(worker_running(claimed)))
    victim = worker_running(claimed)
    kill_tree(pid(victim))
    killed_at_progress = Export.objects.get(pk=export.pk).progress
    done = wait(
        "the export completes on the other worker",
        420,
        lambda: Export.objects.get(pk=export.pk).status == "done",
    )
    finished = Export.objects.get(pk=export.pk)
    time.sleep(2)  # the killed worker's pidfile is left behind: the new one replaces it
    cluster("restart-worker", victim.removeprefix("worker"))
    return {
        "killed": victim,
        "killed_at_progress": killed_at_progress,
        "claimed_by_then": claimed,
        "completed_by": finished.claimed_by,
        "completed_after_s": done,
        "in_bucket": default_storage.exists(finished.file.name),
        "ok": finished.status == "done"
        and default_storage.exists(finished.file.name)
        and killed_at_progress < 100,
    }


def fault_redis(traffic: Traffic) -> dict[str, Any]:
    s = session_for("learner")
    portfolio = portfolio_of(s)
    stopped_at = time.monotonic()
    os.kill(pid("redis"), signal.SIGTERM)
    time.sleep(3)
    save_reflection(s, portfolio, f"While Redis was away {time.time():.3f}")
    status, text = request_export(s, portfolio)
    saved_in_outbox = "will be made as soon as it is back" in text
    close_old_connections()
    export = Export.objects.filter(portfolio_id=int(portfolio)).order_by("-created_at").first()
    waiting = OutboxMessage.objects.filter(done_at__isnull=True, gave_up_at__isnull=True).count()
    time.sleep(5)
    down_failures = traffic.failures(stopped_at, time.monotonic())
    cluster("restart-redis")
    done = wait(
        "the export made once Redis is back", 300, lambda: Export.objects.get(pk=export.pk).status == "done"
    )
    return {
        "export_request_status": status,
        "told_it_waits": saved_in_outbox,
        "outbox_waiting": waiting,
        "page_failures_while_down": len(down_failures),
        "completed_after_restart_s": done,
        "ok": status == 200 and saved_in_outbox and not down_failures,
    }


def fault_database(traffic: Traffic) -> dict[str, Any]:
    time.sleep(3)
    cut_at = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        terminated = cursor.fetchone()[0]
    time.sleep(10)
    failures = traffic.failures(cut_at, cut_at + 2)
    late = traffic.failures(cut_at + 2, time.monotonic())
    return {
        "connections_terminated": terminated,
        "failed_in_flight": len(failures),
        "failed_after_2_s": len(late),
        "ok": not late,
    }


def main() -> int:
    summary: dict[str, Any] = {"base": BASE}
    faults = [
        ("kill_web_instance", fault_kill_web),
        ("kill_worker_mid_export", fault_kill_worker),
        ("stop_and_start_redis", fault_redis),
        ("terminate_database_connections", fault_database),
    ]
    ok = True
    for name, fault in faults:
        traffic = Traffic()
        traffic.start()
        try:
            outcome = fault(traffic)
        except AssertionError as exc:
            outcome = {"ok": False, "error": str(exc)}
        finally:
            traffic.stop()
        outcome["requests"] = len(traffic.results)
        outcome["nothing_lost"] = nothing_lost(traffic)
        outcome["ok"] = outcome["ok"] and outcome["nothing_lost"]["ok"]
        ok = ok and outcome["ok"]
        summary[name] = outcome
        print(f"{name}: {'passed' if outcome['ok'] else 'FAILED'} {json.dumps(outcome)}", flush=True)
    summary["ok"] = ok
    print(json.dumps(summary))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
