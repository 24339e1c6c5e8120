"""Background work for the portfolio app. Tasks reload by id and call plain code.

Every task here is queued through the outbox (``portfolio.outbox``) and takes its base class,
so a second delivery of the same message does no harm.
"""

from __future__ import annotations

import logging

from celery import Task, shared_task
from django.conf import settings

from portfolio.emails import send_text_email
from portfolio.models import Invitation
from portfolio.outbox import OutboxTask
from portfolio.password_reset import send_password_reset_links

log = logging.getLogger(__name__)


@shared_task(
    base=OutboxTask, skipped_result=False, autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def send_invitation_email(invitation_id: int) -> bool:
    """E-mail the invitation link. Returns False if the invitation is no longer usable."""
    from portfolio.services import invitation_url

    invitation = Invitation.objects.select_related("cohort", "invited_by").filter(pk=invitation_id).first()
    if invitation is None or invitation.status != "pending":
        return False
    send_text_email(
        to=[invitation.email],
        subject=f"Invitation to join {invitation.cohort.name}",
        template_name="portfolio/email/invitation.txt",
        context={"invitation": invitation, "url": invitation_url(invitation)},
    )
    return True


@shared_task(
    base=OutboxTask, skipped_result=False, autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def send_notification_email(notification_id: int) -> bool:
    """E-mail an in-app notification to its recipient (if they have an address)."""
    from django.conf import settings

    from portfolio.models import Notification

    note = Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    if note is None or not note.recipient.email:
        return False
    base = settings.SITE_URL.rstrip("/")
    send_text_email(
        to=[note.recipient.email],
        subject=note.subject,
        template_name="portfolio/email/notification.txt",
        context={"note": note, "base": base},
    )
    return True


def _backoff(retries: int) -> int:
    """Seconds before the next attempt: 5, 10, 20… capped at a minute."""
    return min(60, 5 * 2**retries)


@shared_task(
    bind=True,
    base=OutboxTask,
    # The job row guards the render (see ``exports._claim``), and a delivery handed back after
    # its worker died must be able to take its own job over.
    exclusive=False,
    skipped_result="skipped",
    # A worker killed mid-render (out of memory, redeployed) leaves the message to be redone:
    # acknowledged only once the task returns, and handed back if the worker process dies.
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.EXPORT_SOFT_TIME_LIMIT,
    time_limit=settings.EXPORT_TIME_LIMIT,
    max_retries=settings.EXPORT_MAX_RETRIES,
)
def render_export(self: Task, export_id: int) -> str:
    """Make one PDF export. Safe to run twice: a job already done or taken is left alone."""
    from portfolio import exports

    # The task id is the job's token, so a redelivered message is the run that held the job.
    claimant = self.request.id or exports.command_claimant()
    try:
        export = exports.perform_export(
            export_id=export_id, claimant=claimant, heartbeat=not self.request.is_eager
        )
    except exports.TRANSIENT_ERRORS as exc:
        attempt = self.request.retries + 1
        if self.request.retries >= self.max_retries:
            log.exception("export %s: still failing after %s attempts", export_id, attempt)
            exports.fail_export(
                export_id=export_id,
                claimant=claimant,
                message=(
                    f"A temporary problem with the server stopped the PDF {attempt} times. "
                    "Try again in a few minutes."
                ),
            )
            return "failed"
        log.warning("export %s: attempt %s failed (%s); retrying", export_id, attempt, exc)
        exports.release_for_retry(export_id=export_id, claimant=claimant, attempt=attempt)
        if self.request.is_eager:
            # In-process (no broker) Celery's retry would surface as an error in the web request:
            # try again here and now instead.
            retry = self.apply(args=[export_id], task_id=self.request.id, retries=self.request.retries + 1)
            return retry.result
        raise self.retry(exc=exc, countdown=_backoff(self.request.retries)) from exc
    return export.status if export is not None else "skipped"


@shared_task(base=OutboxTask, skipped_result=0, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_password_reset_email(email: str) -> int:
    """Send reset links to the accounts using ``email`` (none if there are none). Returns how many."""
    return send_password_reset_links(email=email)


@shared_task(ignore_result=True, acks_late=False)
def sweep_outbox() -> dict[str, int]:
    """Hand over background work the broker did not take, and recover PDF exports whose worker
    died. Celery beat runs this every ``OUTBOX_SWEEP_SECONDS``; each worker once at start."""
    from portfolio import exports, outbox

    recovered = exports.recover_lost_exports()
    swept = outbox.sweep()
    if any(recovered.values()) or any(swept.values()):
        log.info("outbox sweep: %s; exports %s", swept, recovered)
    return {**swept, **{f"exports_{key}": value for key, value in recovered.items()}}
