"""Background work of data protection: preparing a learner's archive, and the retention job."""

from __future__ import annotations

import logging

from celery import Task, shared_task
from django.conf import settings

from core.outbox import OutboxTask
from privacy import archive, erasure

log = logging.getLogger(__name__)


@shared_task(
    bind=True,
    base=OutboxTask,
    # The job row guards the run (``archive._claim``); a delivery handed back after its worker
    # died must be able to take its own job over.
    exclusive=False,
    skipped_result="skipped",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.PRIVACY_ARCHIVE_TIME_LIMIT - 30,
    time_limit=settings.PRIVACY_ARCHIVE_TIME_LIMIT,
    max_retries=3,
)
def build_archive(self: Task[..., str], archive_id: int) -> str:
    """Prepare one archive. Safe to run twice: a job done or taken by another run is left alone."""
    claimant = self.request.id or f"direct-{archive_id}"
    try:
        done = archive.perform_archive(archive_id=archive_id, claimant=claimant)
    except archive.TRANSIENT_ERRORS as exc:
        if self.request.is_eager or self.request.retries >= (self.max_retries or 0):
            log.exception("archive %s: storage failed", archive_id)
            archive.fail_archive(
                archive_id=archive_id,
                claimant=claimant,
                message="A temporary problem with the server stopped the archive. "
                "Ask again in a few minutes.",
            )
            return "failed"
        archive.release_for_retry(archive_id=archive_id, claimant=claimant)
        raise self.retry(exc=exc, countdown=30) from exc
    return done.status if done is not None else "skipped"


@shared_task(acks_late=True, time_limit=3600, soft_time_limit=3540)
def apply_retention() -> dict[str, int]:
    """Celery beat runs this daily (``CELERY_BEAT_SCHEDULE``): see ``privacy.erasure``."""
    counts = erasure.apply_retention()
    log.info("retention: %s", counts)
    return counts
