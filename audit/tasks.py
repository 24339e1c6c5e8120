"""Background work for the audit. Tasks reload by id and call a service."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from audit.arrowfiles import release_unused_memory
from audit.models import ServiceDataImport
from audit.services import execute_import, read_upload, refuse_upload
from core.outbox import OutboxTask

log = logging.getLogger(__name__)


@shared_task(base=OutboxTask, skipped_result="skipped", acks_late=True, time_limit=600, soft_time_limit=540)
def run_service_import(import_id: int) -> str:
    """Import a queued file; any failure marks the row refused so the page stops waiting."""
    service_import = ServiceDataImport.objects.filter(pk=import_id).first()
    if service_import is None or service_import.status not in {
        ServiceDataImport.Status.QUEUED,
        ServiceDataImport.Status.RUNNING,
    }:
        return "skipped"
    try:
        execute_import(service_import)
    except Exception:
        log.exception("service data import %s failed", import_id)
        ServiceDataImport.objects.filter(pk=import_id).update(
            status=ServiceDataImport.Status.FAILED,
            stage="Refused: the import stopped unexpectedly; nothing was imported",
            progress=100,
            errors=[{"row": 1, "column": "file", "message": "The import stopped unexpectedly. Try again."}],
            error_count=1,
            finished_at=timezone.now(),
        )
        raise
    finally:
        release_unused_memory()  # a worker's next task starts from what it needs, not this file's peak
    return service_import.status


@shared_task(base=OutboxTask, skipped_result="skipped", acks_late=True, time_limit=600, soft_time_limit=540)
def read_service_upload(import_id: int) -> str:
    """Read a file received at upload (large or compressed); any failure refuses it, so the
    page stops waiting and nothing of the file is kept."""
    service_import = ServiceDataImport.objects.filter(
        pk=import_id, status=ServiceDataImport.Status.RECEIVED
    ).first()
    if service_import is None:
        return "skipped"
    try:
        read_upload(service_import)
    except Exception:
        log.exception("service data upload %s could not be read", import_id)
        refuse_upload(
            service_import, "The file could not be read: the worker stopped unexpectedly. Try again."
        )
        raise
    finally:
        release_unused_memory()
    return service_import.status
