"""A task for the worker-loss test, loaded by a real worker with ``--include``.

It keeps the project's task settings (no options of its own), so the test proves what
``config/settings.py`` gives every task: late acknowledgement and a message handed back
when the worker process running it dies.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from celery import shared_task


@shared_task(name="tests.worker_probe.interrupted_once")
def interrupted_once(folder: str) -> int:
    """The first delivery records its process and waits to be killed; the next one finishes."""
    path = Path(folder)
    run = len(list(path.glob("run-*"))) + 1
    (path / f"run-{run}").write_text(str(os.getpid()))
    if run == 1:
        time.sleep(120)
    (path / "finished").write_text(str(run))
    return run
