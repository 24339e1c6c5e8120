"""Background work for evidence. Tasks reload by id and call a service."""

from __future__ import annotations

import logging

from celery import shared_task

from core.emails import send_text_email
from core.outbox import OutboxTask
from evidence.models import WitnessRequest
from evidence.pdf_images import make_print_rendition
from evidence.privacy import fail_image_scan, run_image_scan
from evidence.witness import WitnessLinkError, check_witness_request_usable, witness_url

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


@shared_task(base=OutboxTask, skipped_result=False, acks_late=True, time_limit=120, soft_time_limit=90)
def make_evidence_rendition(evidence_id: int) -> bool:
    """Scale an uploaded image to print size once, so no PDF export has to (evidence.pdf_images).
    False when the item is gone or the image cannot be scaled; the export copes with both."""
    return make_print_rendition(evidence_id=evidence_id)


@shared_task(
    base=OutboxTask, skipped_result=False, autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def send_witness_request_email(witness_request_id: int) -> bool:
    """E-mail the witness their link. False if the request can no longer be answered."""
    witness_request = (
        WitnessRequest.objects.select_related("portfolio__learner", "requested_by")
        .filter(pk=witness_request_id)
        .first()
    )
    if witness_request is None:
        return False
    try:
        check_witness_request_usable(witness_request)
    except WitnessLinkError:
        return False
    learner = witness_request.portfolio.learner
    send_text_email(
        to=[witness_request.email],
        subject=f"Witness testimony for {learner.get_full_name() or learner.username}",
        template_name="evidence/email/witness_request.txt",
        context={
            "witness_request": witness_request,
            "learner": learner,
            "criteria": witness_request.criteria.order_by("framework__code", "group__order", "order", "pk"),
            "url": witness_url(witness_request),
        },
    )
    return True
