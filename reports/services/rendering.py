"""Making an export: claiming the job, rendering with a heartbeat and progress, storing the file,
and marking the row done or failed (the requester is told either way)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import OperationalError, connections, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from core.models import (
    Export,
)
from core.services import notify
from reports import pdf
from reports.services.errors import ExportError, ExportTimedOut

log = logging.getLogger(__name__)


# Failures worth another attempt: storage hiccups and a database that is briefly unreachable.
TRANSIENT_ERRORS = (OSError, OperationalError)
# The row is written at most this often while rendering, and whenever the stage changes.
PROGRESS_INTERVAL = 0.5


def _claim(export_id: int, claimant: str) -> Export | None:
    """Take the job for this run, or None if it is done, failed or another run's.

    A waiting job can be taken by anyone; a running one only by the run that holds it, which
    is how a task redelivered after its worker was killed takes over its own job.
    """
    now = timezone.now()
    claimed = (
        Export.objects.filter(pk=export_id)
        .filter(Q(status=Export.Status.PENDING) | Q(status=Export.Status.RUNNING, claimed_by=claimant))
        .update(
            status=Export.Status.RUNNING,
            claimed_by=claimant,
            started_at=now,
            attempts=F("attempts") + 1,
            progress=0,
            stage="Starting",
            error="",
            heartbeat_at=now,
        )
    )
    if not claimed:
        return None
    return _load(export_id)


def _load(export_id: int) -> Export:
    return Export.objects.select_related(
        "portfolio__learner", "portfolio__cohort", "portfolio__assessor", "version", "requested_by"
    ).get(pk=export_id)


@dataclass
class _Progress:
    """The callback the renderer reports to: writes progress and stage to the row, at most
    every ``PROGRESS_INTERVAL`` seconds unless the stage changes, and stops the render once
    it passes the deadline."""

    export_id: int
    claimant: str
    deadline: float
    last_write: float = 0.0
    last_stage: str = ""

    def __call__(self, percent: int, stage: str) -> None:
        now = time.monotonic()
        if now > self.deadline:
            raise ExportTimedOut
        if stage == self.last_stage and now - self.last_write < PROGRESS_INTERVAL:
            return
        self.last_write, self.last_stage = now, stage
        Export.objects.filter(pk=self.export_id, claimed_by=self.claimant).update(
            progress=max(0, min(99, int(percent))), stage=str(stage)[:120], heartbeat_at=timezone.now()
        )


def _store(export: Export, content: bytes) -> str:
    """Save the file under the job's own random name, replacing a copy an earlier attempt left."""
    name = f"exports/{export.portfolio_id}/{export.token}.pdf"
    if default_storage.exists(name):
        default_storage.delete(name)
    return default_storage.save(name, ContentFile(content))


def _check(rendered: pdf.RenderedPdf) -> None:
    if not rendered.content.startswith(b"%PDF-") or rendered.page_count < 1:
        raise ExportError("The renderer produced no pages.")


@contextmanager
def _heartbeat(export_id: int, claimant: str) -> Iterator[None]:
    """Write the job's heartbeat every ``EXPORT_HEARTBEAT_SECONDS`` from a thread while the
    render runs, so a long stage (a large layout) is not taken for a dead worker."""
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(settings.EXPORT_HEARTBEAT_SECONDS):
                Export.objects.filter(pk=export_id, claimed_by=claimant, status=Export.Status.RUNNING).update(
                    heartbeat_at=timezone.now()
                )
        except Exception:
            log.exception("export %s: the heartbeat stopped", export_id)
        finally:
            connections.close_all()

    thread = threading.Thread(target=beat, name=f"export-{export_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)


def perform_export(*, export_id: int, claimant: str, heartbeat: bool = False) -> Export | None:
    """Render, store and finish one job. None if the job was not this run's to do.

    Transient errors (``TRANSIENT_ERRORS``) are raised for the caller to retry; any other
    failure marks the job failed with a message for the person who asked. ``heartbeat``:
    also write the heartbeat from a thread (a worker does; in-process runs report progress).
    """
    export = _claim(export_id, claimant)
    if export is None:
        log.info("export %s is not pending for %s: nothing to do", export_id, claimant)
        return None
    deadline = time.monotonic() + settings.EXPORT_SOFT_TIME_LIMIT
    try:
        with _heartbeat(export.pk, claimant) if heartbeat else _no_heartbeat():
            rendered = pdf.render_portfolio_pdf(
                portfolio=export.portfolio,
                version=export.version,
                progress=_Progress(export_id=export.pk, claimant=claimant, deadline=deadline),
            )
        _check(rendered)
        Export.objects.filter(pk=export.pk, claimed_by=claimant).update(progress=99, stage="Storing the file")
        name = _store(export, rendered.content)
        return _finish(export, claimant, name, rendered)
    except TRANSIENT_ERRORS:
        raise
    except (SoftTimeLimitExceeded, ExportTimedOut):
        minutes = max(1, round(settings.EXPORT_SOFT_TIME_LIMIT / 60))
        message = (
            "Making the PDF took longer than "
            + ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
            + ", "
            "so it was stopped. Try again later; if it stops again, tell your tutor."
        )
    except ExportError as exc:
        message = f"The PDF could not be made: {exc}"
    except Exception:
        log.exception("export %s failed", export.pk)
        message = (
            f"The PDF could not be made because of an unexpected error (reference: export {export.pk}). "
            "Try again; if it fails again, tell your tutor."
        )
    return fail_export(export_id=export.pk, claimant=claimant, message=message)


@contextmanager
def _no_heartbeat() -> Iterator[None]:
    yield


def _finish(export: Export, claimant: str, name: str, rendered: pdf.RenderedPdf) -> Export:
    with transaction.atomic():
        finished = Export.objects.filter(
            pk=export.pk, status=Export.Status.RUNNING, claimed_by=claimant
        ).update(
            status=Export.Status.DONE,
            progress=100,
            stage="Ready",
            file=name,
            page_count=rendered.page_count,
            size=len(rendered.content),
            missing_charts=list(rendered.missing_charts),
            finished_at=timezone.now(),
        )
        export = _load(export.pk)  # refresh_from_db would drop the related rows _load fetched
        if finished:
            _replace_older(export)
            _tell_requester(export, ready=True)
    if not finished:
        # The job was given up as lost while this run rendered; its file is not wanted.
        default_storage.delete(name)
        log.warning("export %s was no longer %s's: file discarded", export.pk, claimant)
    else:
        log.info("export %s done: %s pages, %s bytes", export.pk, export.page_count, export.size)
    return export


def _replace_older(export: Export) -> None:
    """Remove the files of earlier PDFs of the same working copy or version.

    Their content has changed since (otherwise this render would not have run), so keeping
    every one would let storage grow with each saved edit. The rows stay, marked replaced,
    so the list and any old link say what happened instead of a bare 404.
    """
    older = Export.objects.filter(
        portfolio_id=export.portfolio_id,
        version_id=export.version_id,
        status=Export.Status.DONE,
        pk__lt=export.pk,
    )
    names = [name for name in older.values_list("file", flat=True) if name]
    older.update(status=Export.Status.REPLACED, file="", stage="Replaced by a newer PDF")

    def delete_files() -> None:
        for name in names:
            default_storage.delete(name)

    transaction.on_commit(delete_files)


def fail_export(*, export_id: int, claimant: str, message: str) -> Export:
    """Mark the job failed (once) and tell the person who asked."""
    with transaction.atomic():
        failed = (
            Export.objects.filter(pk=export_id, status__in=Export.ACTIVE)
            .filter(Q(claimed_by=claimant) | Q(claimed_by=""))
            .update(status=Export.Status.FAILED, error=message, stage="Failed", finished_at=timezone.now())
        )
        export = _load(export_id)
        if failed:
            _tell_requester(export, ready=False)
    log.warning("export %s failed: %s", export_id, message)
    return export


def release_for_retry(*, export_id: int, claimant: str, attempt: int) -> None:
    """Put a job back in the queue after a transient error, for the retry to claim."""
    Export.objects.filter(pk=export_id, status=Export.Status.RUNNING, claimed_by=claimant).update(
        status=Export.Status.PENDING,
        claimed_by="",
        queued_at=timezone.now(),
        stage=f"A temporary problem stopped attempt {attempt}: trying again shortly",
    )


def _tell_requester(export: Export, *, ready: bool) -> None:
    if export.requested_by_id is None:
        return
    learner = export.portfolio.learner.display_name
    if ready:
        subject = f"The PDF of {learner}'s portfolio ({export.subject}) is ready"
        count = export.page_count or 0
        pages = ngettext("%(count)s page", "%(count)s pages", count) % {"count": count}
        body = f"{pages}. Download it from the export page."
    else:
        subject = f"The PDF of {learner}'s portfolio ({export.subject}) could not be made"
        body = export.error
    notify(
        recipients=[export.requested_by],
        portfolio=export.portfolio,
        subject=subject[:200],
        body=body,
        url=reverse("portfolio:export_status", args=[export.portfolio_id, export.pk]),
    )
