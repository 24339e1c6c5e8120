"""The embedded set-up (`make run`, no Redis): a real worker on kombu's filesystem transport, so
a PDF export shows its progress page and then the download, as it does in production."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.urls import reverse

from config.celery import app
from core.models import Export
from tests.celery_support import rebind

ROOT = Path(settings.BASE_DIR)


@pytest.fixture
def embedded_broker(tmp_path, settings):
    """The app's broker switched to a folder of the test's own, as EMBEDDED_WORKER sets it."""
    folder = tmp_path / "celery"
    (folder / "queue").mkdir(parents=True)
    (folder / "processed").mkdir()
    options = {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "processed_folder": str(folder / "processed"),
        "control_folder": str(folder / "control"),
        "store_processed": False,
    }
    saved = {key: app.conf[key] for key in ("broker_url", "broker_transport_options", "task_always_eager")}
    app.conf.update(broker_url="filesystem://", broker_transport_options=options, task_always_eager=False)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    rebind()
    settings.BROWSER_PATH = ""  # the charts are not what this is about
    try:
        yield folder
    finally:
        app.conf.update(saved)
        rebind()


def _wait_for(check, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.5)
    pytest.fail("the worker did not finish in time")


@pytest.mark.django_db(transaction=True)
def test_a_pdf_export_shows_its_progress_then_the_download(client, learner, embedded_broker):
    portfolio = learner.portfolios.get()
    client.force_login(learner)

    response = client.post(reverse("portfolio:export_request", args=[portfolio.pk]), {})
    export = Export.objects.get(portfolio=portfolio)
    # Not rendered inside the request: the job waits in the folder for the worker.
    assert response.url == reverse("portfolio:export_status", args=[portfolio.pk, export.pk])
    assert list((embedded_broker / "queue").iterdir())
    waiting = client.get(response.url).content.decode()
    assert 'id="export-progress"' in waiting
    assert "Download the PDF" not in waiting

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        _wait_for(lambda: Export.objects.get(pk=export.pk).status == Export.Status.DONE)

    done = client.get(response.url).content.decode()
    assert "Download the PDF" in done
    download = client.get(reverse("portfolio:export_download", args=[portfolio.pk, export.pk]))
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_make_runs_server_and_worker_start_and_stop_together(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "EMBEDDED_BROKER_DIR": str(tmp_path / "celery"),
    }
    env.pop("REDIS_URL", None)
    script = subprocess.Popen(
        [ROOT / "scripts" / "run-embedded", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        answered = False
        while time.monotonic() < deadline and not answered:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2)
                answered = True
            except urllib.error.HTTPError:
                answered = True  # any answer means the server is up
            except OSError:
                time.sleep(0.5)
        assert answered, "the development server did not answer"
        assert _left(script.pid, port), "no worker runs beside the server"
        assert "celery" in _left(script.pid, port)
    finally:
        os.killpg(script.pid, signal.SIGINT)  # Ctrl-C in the terminal
        script.wait(timeout=30)
    # The worker stops its chart browser on the way out: give it the time a warm shutdown takes.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and _left(script.pid, port):
        time.sleep(0.5)
    assert _left(script.pid, port) == ""


def _left(session: int, port: int) -> str:
    """What the script started that still runs: anything of its session (the worker, its pool
    and chart browser), and the server with its reloader (in a process group of their own)."""
    found = [
        subprocess.run(command, capture_output=True, text=True, check=False).stdout.strip()
        for command in (
            ["pgrep", "-a", "-s", str(session)],
            ["pgrep", "-a", "-f", f"runserver 127.0.0.1:{port}"],
        )
    ]
    return "\n".join(line for line in found if line)
