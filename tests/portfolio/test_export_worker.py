"""PDF exports on real Celery workers against Redis (CI sets REDIS_URL), and the settings that
make a killed worker's task run again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core.files.storage import default_storage

from config.celery import app
from core.models import Export, Notification
from reports import pdf, tasks
from reports import services as exports
from reports.tasks import render_export
from tests.celery_support import rebind

REDIS_URL = os.environ.get("REDIS_URL", "")


def _need_redis() -> None:
    if not REDIS_URL:
        if os.environ.get("CI"):
            pytest.fail("CI must set REDIS_URL so that a real worker runs.")
        pytest.skip("REDIS_URL is not set: no broker to run a real worker against.")


@pytest.fixture
def redis_worker(settings):
    _need_redis()
    app.conf.update(task_always_eager=False, broker_url=REDIS_URL, result_backend=REDIS_URL)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield app
    app.conf.task_always_eager = True
    rebind()  # closes the broker and result-store connections the worker's tasks opened


def _result_of(export: Export, timeout: float = 60) -> Export:
    """Wait for the task through the result backend, then read the row. The test does not poll
    the database meanwhile: SQLite's shared in-memory test database locks whole tables."""
    outcome = render_export.AsyncResult(export.token).get(timeout=timeout)
    export.refresh_from_db()
    assert outcome == export.status
    return export


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_renders_stores_and_notifies_once(redis_worker, learner):
    portfolio = learner.portfolios.get()

    export, created = exports.request_export(portfolio=portfolio, version=None, actor=learner)

    export = _result_of(export)
    assert created is True
    assert export.status == Export.Status.DONE
    assert export.attempts == 1
    with default_storage.open(export.file.name, "rb") as stored:
        assert stored.read(5) == b"%PDF-"
    assert Notification.objects.filter(recipient=learner).count() == 1
    # Another message for the same job (a duplicate delivery) changes nothing.
    assert render_export.delay(export.pk).get(timeout=30) == "skipped"
    assert Notification.objects.filter(recipient=learner).count() == 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_transient_failure_is_retried_through_the_broker(redis_worker, learner, monkeypatch):
    monkeypatch.setattr(tasks, "_backoff", lambda retries: 0)
    failures = [OSError("storage unavailable")]
    real = pdf.render_portfolio_pdf

    def flaky(**kwargs):
        if failures:
            raise failures.pop()
        return real(**kwargs)

    monkeypatch.setattr(pdf, "render_portfolio_pdf", flaky)
    portfolio = learner.portfolios.get()

    export, _ = exports.request_export(portfolio=portfolio, version=None, actor=learner)

    export = _result_of(export)
    assert export.status == Export.Status.DONE
    assert export.attempts == 2


@pytest.mark.worker
def test_a_worker_killed_mid_task_leaves_the_message_to_be_run_again(tmp_path):
    """A prefork worker's child is killed (as the kernel's out-of-memory killer would) while
    running a task; the task is handed back to the broker and a new child runs it."""
    _need_redis()
    queue = f"probe-{uuid.uuid4().hex}"
    folder = tmp_path / "runs"
    folder.mkdir()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "REDIS_URL": REDIS_URL,
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.sqlite3'}",
    }
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "config", "worker",
            "--pool", "prefork", "--concurrency", "1", "-Q", queue,
            "--include", "tests.portfolio.worker_probe", "-n", f"{queue}@%h",
            "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "INFO",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    eager = app.conf.task_always_eager
    try:
        app.conf.update(broker_url=REDIS_URL, task_always_eager=False)
        app.send_task("tests.worker_probe.interrupted_once", args=[str(folder)], queue=queue)

        first = _wait_for(folder / "run-1", worker, tmp_path)
        os.kill(int(first.read_text()), signal.SIGKILL)

        finished = _wait_for(folder / "finished", worker, tmp_path)
        assert finished.read_text() == "2"
        assert (folder / "run-2").read_text() != first.read_text()  # run again by a new process
    finally:
        app.conf.task_always_eager = eager
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        log.close()
        _forget_queue(queue)


def _forget_queue(queue: str) -> None:
    """Remove what kombu kept in Redis about the test's own queue."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=f"*{queue}*"):
        client.delete(key)
    client.close()


def _wait_for(path: Path, worker: subprocess.Popen, tmp_path: Path, timeout: float = 60) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_text():
            return path
        if worker.poll() is not None:
            break
        time.sleep(0.2)
    pytest.fail(f"{path.name} never appeared. Worker log:\n{(tmp_path / 'worker.log').read_text()[-3000:]}")


def test_the_export_task_is_acknowledged_late_and_handed_back_if_its_worker_dies():
    assert render_export.acks_late is True
    assert render_export.reject_on_worker_lost is True
    assert render_export.soft_time_limit == settings.EXPORT_SOFT_TIME_LIMIT
    assert render_export.time_limit == settings.EXPORT_TIME_LIMIT
    assert 0 < render_export.soft_time_limit < render_export.time_limit
    assert render_export.max_retries == settings.EXPORT_MAX_RETRIES


def test_workers_take_one_task_at_a_time_and_recycle_after_heavy_memory_use():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.worker_max_memory_per_child == 600 * 1024
    # Redis must not hand a render still in progress to a second worker.
    assert app.conf.broker_transport_options["visibility_timeout"] > settings.EXPORT_TIME_LIMIT


def test_a_soft_limit_not_below_the_hard_limit_is_refused(monkeypatch):
    import importlib

    from django.core.exceptions import ImproperlyConfigured

    import config.settings

    monkeypatch.setenv("EXPORT_SOFT_TIME_LIMIT", "300")
    monkeypatch.setenv("EXPORT_TIME_LIMIT", "300")
    try:
        with pytest.raises(ImproperlyConfigured, match="EXPORT_SOFT_TIME_LIMIT"):
            importlib.reload(config.settings)
    finally:
        monkeypatch.delenv("EXPORT_SOFT_TIME_LIMIT")
        monkeypatch.delenv("EXPORT_TIME_LIMIT")
        importlib.reload(config.settings)
