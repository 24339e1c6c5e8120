"""The Celery application.

Without ``REDIS_URL`` the settings make every task run in-process (eager), so the
embedded default needs no broker; with it, tasks go to Redis and real workers.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

from celery import Celery
from celery.signals import (
    before_task_publish,
    setup_logging,
    task_postrun,
    task_prerun,
    worker_init,
    worker_process_init,
    worker_process_shutdown,
    worker_ready,
)

from core import observability

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("portfolio")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _refuse_without_secret_key(**kwargs: object) -> None:
    from config.startup import require_secret_key

    require_secret_key()


@worker_ready.connect
def _sweep_the_outbox_at_start(**kwargs: object) -> None:
    """Hand over what waited while no worker ran (beat then sweeps every few seconds)."""
    try:
        app.send_task("core.tasks.sweep_outbox", ignore_result=True)
    except Exception:  # the broker went away again: beat sends the next sweep
        logging.getLogger(__name__).warning("could not queue the start-up sweep of the outbox")


@worker_process_init.connect
def _start_chart_browser(**kwargs: object) -> None:
    """Each worker process starts its chart browser and renders a small document as it starts
    (``reports.pdf.warmup``), so no export pays for that.

    In a thread: a process must report ready within a few seconds, and Chromium may take
    longer on a busy machine; an export that comes first waits for it.
    """
    from reports.pdf.warmup import warm_up_exports

    threading.Thread(target=warm_up_exports, daemon=True, name="chart-browser-start").start()


@worker_process_shutdown.connect
def _stop_chart_browser(**kwargs: object) -> None:
    from core.pdf.charts import stop_chart_browser

    stop_chart_browser()


@setup_logging.connect
def _keep_djangos_logging(
    loglevel: int | str | None = None, logfile: str | None = None, **kwargs: object
) -> None:
    """Django's LOGGING (set up with Django in the worker) stays as it is: the worker's lines
    have the format, and the request ids, of the web's. Without a receiver here Celery would
    replace the root logger's handlers with its own. ``--logfile`` still sends the lines to
    that file, and ``--loglevel`` still sets the level, unless ``LOG_LEVEL`` says otherwise; a
    test's in-process worker leaves the test run's logging alone."""
    from django.conf import settings

    if settings.TESTING:
        return
    if logfile:
        observability.log_to_file(logfile)
    if loglevel and not os.environ.get("LOG_LEVEL"):
        logging.getLogger().setLevel(loglevel)


@before_task_publish.connect
def _carry_the_request_id(headers: dict[str, object] | None = None, **kwargs: object) -> None:
    observability.add_request_id_to_message(headers)


@task_prerun.connect
def _start_task_context(task_id: str = "", task: Any = None, **kwargs: object) -> None:
    from core import metrics

    observability.start_task_context(task, task_id)
    metrics.task_started(task)


@task_postrun.connect
def _end_task_context(
    task: Any = None, state: str | None = None, retval: Any = None, **kwargs: object
) -> None:
    from core import metrics

    try:
        metrics.task_finished(task, state=state, retval=retval)
    finally:
        observability.end_task_context(task)
