"""PDF exports of a portfolio: the job row, the render run, the stored file.

``request_export`` writes the row and, in the same transaction, an outbox message
(``core.outbox``) for ``reports.tasks.render_export``; the task calls ``perform_export``,
which claims the row, renders through ``reports.pdf.render_portfolio_pdf``, stores the file
and marks the row done. The command ``export_portfolio`` calls the same two functions without
the queue.

A running render writes a heartbeat on its row every few seconds. ``recover_lost_exports`` (run
by the outbox sweeper, and before any new request for the portfolio) starts again a job whose
heartbeat stopped (its worker died), and fails with "Try again" a job that can no longer run, so
a new request never joins a dead job.

The same content renders once. ``content_key`` names what a document shows: for a version,
the version's digest, its assessment outcome and the quality assurer's samples of it
(decisions and samples appear in the document only once the version is returned or signed
off, so an outcome or a sample recorded later makes a new document);
for the working copy, the digest of ``build_snapshot`` (every row the learner has saved, the
same data a submission freezes). Both add the cover's facts that live outside the snapshot
(assessor, cohort, frameworks) and ``DOCUMENT_REVISION``.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, OperationalError, connections, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import ngettext

from core import outbox
from core.models import (
    STALE_EXPORT_MESSAGE,
    Export,
    OutboxMessage,
    Portfolio,
    PortfolioVersion,
    QualitySample,
    User,
    VersionOutcome,
)
from core.services import notify
from core.versions import build_snapshot, digest_of
from reports import pdf

log = logging.getLogger(__name__)

# Raise when the document's layout changes, so files stored under the old layout are made again.
# 2: charts re-laid out (timeline dates, heat map, KPI legends and titles);
# 3: every evidence file carried (attached, PDFs' pages merged).
DOCUMENT_REVISION = 3
# Failures worth another attempt: storage hiccups and a database that is briefly unreachable.
TRANSIENT_ERRORS = (OSError, OperationalError)
# The row is written at most this often while rendering, and whenever the stage changes.
PROGRESS_INTERVAL = 0.5


class ExportError(Exception):
    """An export cannot be made as asked; the message is shown to the person."""


class ExportTimedOut(Exception):
    """The render went past the soft time limit (checked between stages, so it also holds
    where Celery cannot interrupt: in-process tasks and the command line)."""


# --- What a document shows --------------------------------------------------------------------


def content_key(*, portfolio: Portfolio, version: PortfolioVersion | None) -> str:
    """A digest of everything the document shows; equal keys mean the same document."""
    cohort = portfolio.cohort
    facts: dict[str, object] = {
        "revision": DOCUMENT_REVISION,
        "portfolio": portfolio.pk,
        "assessor": portfolio.assessor.display_name if portfolio.assessor else None,
        "cohort": [cohort.name, cohort.organisation, cohort.start_date, cohort.end_date],
        "frameworks": sorted(cohort.frameworks.values_list("code", "version")),
    }
    if version is None:
        facts["working_copy"] = digest_of(build_snapshot(portfolio))
    else:
        outcome = VersionOutcome.objects.filter(version=version).values_list("pk", "kind").first()
        facts["version"] = [version.pk, version.digest, list(outcome) if outcome else None]
        if outcome:
            # A closed version's document also prints the quality assurer's samples, which
            # can be recorded, reviewed and answered after the outcome.
            facts["samples"] = [
                [pk, finding, str(reviewed_at), str(responded_at)]
                for pk, finding, reviewed_at, responded_at in QualitySample.objects.filter(
                    decision__version=version
                )
                .order_by("pk")
                .values_list("pk", "finding", "reviewed_at", "responded_at")
            ]
    return digest_of(facts)


def download_name(export: Export) -> str:
    """The file name offered to the browser: learner, what was exported, and when."""
    learner = slugify(export.portfolio.learner.display_name) or "learner"
    subject = f"version-{export.version.number}" if export.version_id else "working-copy"
    made = timezone.localtime(export.finished_at or export.created_at).strftime("%Y-%m-%d")
    return f"portfolio-{learner}-{subject}-{made}.pdf"


# --- Asking for an export ---------------------------------------------------------------------


def fail_stale_exports(*, portfolio: Portfolio) -> int:
    """Record as failed the jobs of this portfolio that were lost (see ``Export.is_stale``)."""
    return (
        Export.objects.filter(portfolio=portfolio)
        .filter(Export.stale_q())
        .update(status=Export.Status.FAILED, error=STALE_EXPORT_MESSAGE, finished_at=timezone.now())
    )


def _reusable(portfolio: Portfolio, key: str) -> Export | None:
    """A stored or still running export of the same content, if there is one."""
    existing = (
        Export.objects.filter(portfolio=portfolio, content_key=key, status__in=[*Export.ACTIVE, "done"])
        .order_by("-created_at", "-pk")
        .first()
    )
    if existing and existing.status == Export.Status.DONE and not default_storage.exists(existing.file.name):
        # The stored file has gone (storage restored from a backup, say): make it again.
        log.warning("export %s lost its file %s; rendering again", existing.pk, existing.file.name)
        Export.objects.filter(pk=existing.pk).update(
            status=Export.Status.FAILED, error="The stored file was missing, so the PDF is made again."
        )
        return None
    return existing


def request_export(
    *, portfolio: Portfolio, version: PortfolioVersion | None, actor: User | None, queue: bool = True
) -> tuple[Export, bool]:
    """The export of this content: the stored one, the one under way, or a new queued job.

    Returns ``(export, created)``. ``actor`` is None for the command line, which passes
    ``queue=False`` and runs ``perform_export`` itself.
    """
    if version is not None and version.portfolio_id != portfolio.pk:
        raise ExportError("That version belongs to another portfolio.")
    key = content_key(portfolio=portfolio, version=version)
    with transaction.atomic():
        fail_stale_exports(portfolio=portfolio)
        recover_lost_exports(portfolio=portfolio)
        existing = _reusable(portfolio, key)
        if existing is not None:
            return existing, False
        try:
            with transaction.atomic():
                export = Export.objects.create(
                    portfolio=portfolio, version=version, requested_by=actor, content_key=key
                )
        except IntegrityError:
            # Someone asked for the same content at the same moment: share their job.
            existing = _reusable(portfolio, key)
            if existing is None:
                raise
            return existing, False
        if queue:
            outbox.enqueue("reports.tasks.render_export", args=[export.pk], task_id=export.token)
    log.info(
        "export %s of portfolio %s (%s) requested by %s",
        export.pk,
        portfolio.pk,
        export.subject,
        actor.username if actor else "the command line",
    )
    return export, True


# --- Making it ----------------------------------------------------------------------------------


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
        pages = ngettext("%(count)s page", "%(count)s pages", export.page_count) % {
            "count": export.page_count
        }
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


LOST_TOO_OFTEN_MESSAGE = (
    "The PDF stopped without finishing {attempts} times (the server making it was restarted each "
    "time). Nothing was saved: try again; if it stops again, tell your tutor."
)
NOT_QUEUED_MESSAGE = (
    "The PDF was never started (its place in the queue was lost). Nothing was saved: try again."
)


def recover_lost_exports(*, portfolio: Portfolio | None = None) -> dict[str, int]:
    """Start again the jobs whose worker died; fail with "Try again" those that cannot run.

    A running job whose heartbeat is older than ``EXPORT_HEARTBEAT_TIMEOUT`` lost its worker:
    it is put back to waiting and its outbox message handed over again, unless it has been
    started ``EXPORT_MAX_RETRIES`` + 1 times already. A waiting job with no outbox message left
    to send (lost before there was an outbox, or given up) can never start: it is failed.
    """
    now = timezone.now()
    jobs = Export.objects.all() if portfolio is None else Export.objects.filter(portfolio=portfolio)
    silent_since = now - timedelta(seconds=settings.EXPORT_HEARTBEAT_TIMEOUT)
    dead = (
        jobs.filter(status=Export.Status.RUNNING)
        .exclude(claimed_by__startswith="command-")  # the command line watches its own run
        .filter(
            Q(heartbeat_at__lt=silent_since)
            | Q(heartbeat_at__isnull=True, started_at__lt=silent_since)
            | Q(heartbeat_at__isnull=True, started_at__isnull=True, queued_at__lt=silent_since)
        )
    )
    counts = {"restarted": 0, "failed": 0}
    for export in dead.only("pk", "token", "claimed_by", "attempts"):
        queued = OutboxMessage.objects.filter(task_id=export.token).exists()
        if queued and export.attempts <= settings.EXPORT_MAX_RETRIES:
            with transaction.atomic():
                taken = (
                    Export.objects.filter(
                        pk=export.pk, status=Export.Status.RUNNING, claimed_by=export.claimed_by
                    )
                    .filter(Q(heartbeat_at__lt=silent_since) | Q(heartbeat_at__isnull=True))
                    .update(
                        status=Export.Status.PENDING,
                        claimed_by="",
                        queued_at=now,
                        heartbeat_at=None,
                        stage="The server making this PDF stopped: starting again",
                    )
                )
                if taken:
                    outbox.requeue(task_id=export.token)
            if taken:
                counts["restarted"] += 1
                log.warning("export %s: no heartbeat since before %s; started again", export.pk, silent_since)
            continue
        message = LOST_TOO_OFTEN_MESSAGE.format(attempts=export.attempts) if queued else STALE_EXPORT_MESSAGE
        fail_export(export_id=export.pk, claimant=export.claimed_by, message=message)
        counts["failed"] += 1
    unsent = OutboxMessage.objects.filter(gave_up_at__isnull=True, done_at__isnull=True).values("task_id")
    never = jobs.filter(status=Export.Status.PENDING, queued_at__lt=now - timedelta(minutes=1)).exclude(
        token__in=unsent
    )
    for pk in never.values_list("pk", flat=True):
        fail_export(export_id=pk, claimant="", message=NOT_QUEUED_MESSAGE)
        counts["failed"] += 1
    return counts


def command_claimant() -> str:
    """A claimant name for a run from the command line (tasks use their task id)."""
    return f"command-{uuid.uuid4().hex}"
