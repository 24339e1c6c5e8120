"""Background work of the outputs: rendering a PDF export (see ``reports.services``)."""

from __future__ import annotations

import logging
from typing import cast

from celery import Task, shared_task
from django.conf import settings
from django.utils.translation import ngettext

from core.outbox import OutboxTask
from reports import services as exports

log = logging.getLogger(__name__)


def _backoff(retries: int) -> int:
    """Seconds before the next attempt: 5, 10, 20… capped at a minute."""
    delay: int = 5 * 2**retries
    return min(60, delay)


@shared_task(
    bind=True,
    base=OutboxTask,
    # The job row guards the render (see ``reports.services.rendering._claim``), and a delivery
    # handed back after its worker died must be able to take its own job over.
    exclusive=False,
    skipped_result="skipped",
    # A worker killed mid-render (out of memory, redeployed) leaves the message to be redone:
    # acknowledged only once the task returns, and handed back if the worker process dies.
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.EXPORT_SOFT_TIME_LIMIT,
    time_limit=settings.EXPORT_TIME_LIMIT,
    max_retries=settings.EXPORT_MAX_RETRIES,
)
def render_export(self: Task[..., str], export_id: int) -> str:
    """Make one PDF export. Safe to run twice: a job already done or taken is left alone."""
    # The task id is the job's token, so a redelivered message is the run that held the job.
    claimant = self.request.id or exports.command_claimant()
    try:
        export = exports.perform_export(
            export_id=export_id, claimant=claimant, heartbeat=not self.request.is_eager
        )
    except exports.TRANSIENT_ERRORS as exc:
        attempt = self.request.retries + 1
        if self.max_retries is not None and self.request.retries >= self.max_retries:
            log.exception("export %s: still failing after %s attempts", export_id, attempt)
            exports.fail_export(
                export_id=export_id,
                claimant=claimant,
                message=(
                    ngettext(
                        "A temporary problem with the server stopped the PDF once. ",
                        "A temporary problem with the server stopped the PDF %(count)d times. ",
                        attempt,
                    )
                    % {"count": attempt}
                    + "Try again in a few minutes."
                ),
            )
            return "failed"
        log.warning("export %s: attempt %s failed (%s); retrying", export_id, attempt, exc)
        exports.release_for_retry(export_id=export_id, claimant=claimant, attempt=attempt)
        if self.request.is_eager:
            # In-process (no broker) Celery's retry would surface as an error in the web request:
            # try again here and now instead.
            retry = self.apply(
                args=[export_id],  # type: ignore[arg-type]  # a list, as Celery takes; the stubs say tuple
                task_id=self.request.id,
                retries=self.request.retries + 1,
            )
            return cast("str", retry.result)  # what the retried run returned
        raise self.retry(exc=exc, countdown=_backoff(self.request.retries)) from exc
    return export.status if export is not None else "skipped"
