"""Background work of assessment: drawing the pages of a version's PDF for its preview."""

from __future__ import annotations

from celery import shared_task

from assessment import previews
from core.outbox import OutboxTask


@shared_task(base=OutboxTask, acks_late=True, soft_time_limit=120, time_limit=180)
def render_pdf_preview(version_file_id: int) -> str:
    """Draw the first pages of one frozen PDF (cached per file digest; see ``previews``)."""
    return previews.render_pdf(version_file_id)
