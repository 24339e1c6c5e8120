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

A package: ``requesting`` (the content key and the request), ``rendering`` (the run and its
end), ``recovery`` (lost jobs), ``errors``.
"""

from __future__ import annotations

from reports.services.errors import ExportError, ExportTimedOut
from reports.services.recovery import (
    LOST_TOO_OFTEN_MESSAGE,
    NOT_QUEUED_MESSAGE,
    command_claimant,
    recover_lost_exports,
)
from reports.services.rendering import (
    PROGRESS_INTERVAL,
    TRANSIENT_ERRORS,
    fail_export,
    perform_export,
    release_for_retry,
)
from reports.services.requesting import (
    DOCUMENT_REVISION,
    content_key,
    download_name,
    fail_stale_exports,
    request_export,
)

__all__ = [
    "DOCUMENT_REVISION",
    "LOST_TOO_OFTEN_MESSAGE",
    "NOT_QUEUED_MESSAGE",
    "PROGRESS_INTERVAL",
    "TRANSIENT_ERRORS",
    "ExportError",
    "ExportTimedOut",
    "command_claimant",
    "content_key",
    "download_name",
    "fail_export",
    "fail_stale_exports",
    "perform_export",
    "recover_lost_exports",
    "release_for_retry",
    "request_export",
]
