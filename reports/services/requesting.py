"""Asking for an export: what a document shows (its content key), the file's name, and the
request that writes the job row and its outbox message, or joins a job for the same content."""

from __future__ import annotations

import logging

from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from core import outbox
from core.models import (
    STALE_EXPORT_MESSAGE,
    Export,
    Portfolio,
    PortfolioVersion,
    QualitySample,
    User,
    VersionOutcome,
)
from core.versions import build_snapshot, digest_of
from reports.services.errors import ExportError
from reports.services.recovery import recover_lost_exports

log = logging.getLogger(__name__)


# Raise when the document's layout changes, so files stored under the old layout are made again.
# 2: charts re-laid out (timeline dates, heat map, KPI legends and titles);
# 3: every evidence file carried (attached, PDFs' pages merged).
DOCUMENT_REVISION = 3


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
    subject = f"version-{export.version.number}" if export.version is not None else "working-copy"
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
    if (
        existing
        and existing.status == Export.Status.DONE
        and not default_storage.exists(existing.file.name or "")
    ):
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
