"""The Celery application.

Without ``REDIS_URL`` the settings make every task run in-process (eager), so the
embedded default needs no broker; with it, tasks go to Redis and real workers.
"""

from __future__ import annotations

import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("portfolio")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _refuse_without_secret_key(**kwargs: object) -> None:
    from config.startup import require_secret_key

    require_secret_key()
