"""Taking back the jobs whose worker died: started again, or failed with "Try again"."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core import outbox
from core.models import (
    STALE_EXPORT_MESSAGE,
    Export,
    OutboxMessage,
    Portfolio,
)
from reports.services.rendering import fail_export

log = logging.getLogger(__name__)


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
