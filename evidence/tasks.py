"""Background work for evidence. Tasks reload by id and call a service."""

from __future__ import annotations

import logging

from celery import shared_task

from core.outbox import OutboxTask
from evidence.privacy import fail_image_scan, run_image_scan

log = logging.getLogger(__name__)


@shared_task(base=OutboxTask, acks_late=True, time_limit=300, soft_time_limit=240)
def scan_evidence_image(scan_id: int) -> str:
    """Check an image for personal data; any unexpected failure marks the check failed so
    the page stops waiting and offers to start it again."""
    try:
        scan = run_image_scan(scan_id=scan_id)
    except Exception:
        log.exception("image check %s failed", scan_id)
        fail_image_scan(scan_id=scan_id)
        raise
    return scan.status if scan is not None else "skipped"
