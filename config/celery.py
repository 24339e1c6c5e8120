"""The Celery application.

Without ``REDIS_URL`` the settings make every task run in-process (eager), so the
embedded default needs no broker; with it, tasks go to Redis and real workers.
"""

from __future__ import annotations

import logging
import os

from celery import Celery
from celery.signals import worker_init, worker_ready

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
        app.send_task("portfolio.tasks.sweep_outbox", ignore_result=True)
    except Exception:  # the broker went away again: beat sends the next sweep
        logging.getLogger(__name__).warning("could not queue the start-up sweep of the outbox")
