"""Background work for the portfolio app. Tasks reload by id and call plain code.

Every task here is queued through the outbox (``core.outbox``) and takes its base class,
so a second delivery of the same message does no harm.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings

from core import outbox
from core.emails import send_text_email
from core.eqa import grant_url
from core.models import EqaGrant, Invitation, Notification
from core.outbox import OutboxTask
from core.password_reset import send_password_reset_links
from core.services import invitation_url

log = logging.getLogger(__name__)


@shared_task(
    base=OutboxTask, skipped_result=False, autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def send_invitation_email(invitation_id: int) -> bool:
    """E-mail the invitation link. Returns False if the invitation is no longer usable."""
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
def send_eqa_grant_email(grant_id: int) -> bool:
    """E-mail an external quality assurer their access: the link to create their account, or
    (an account is attached already) the grant's page. False if the access has ended."""
    grant = EqaGrant.objects.select_related("cohort", "granted_by").filter(pk=grant_id).first()
    if grant is None or not grant.is_live:
        return False
    send_text_email(
        to=[grant.email],
        subject=f"Access for external quality assurance: {grant.cohort.name}",
        template_name="portfolio/email/eqa_grant.txt",
        context={"grant": grant, "url": grant_url(grant)},
    )
    return True


@shared_task(
    base=OutboxTask, skipped_result=False, autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def send_notification_email(notification_id: int) -> bool:
    """E-mail an in-app notification to its recipient (if they have an address)."""
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


@shared_task(base=OutboxTask, skipped_result=0, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_password_reset_email(email: str) -> int:
    """Send reset links to the accounts using ``email`` (none if there are none). Returns how many."""
    return send_password_reset_links(email=email)


@shared_task(ignore_result=True, acks_late=False)
def sweep_outbox() -> dict[str, int]:
    """Hand over background work the broker did not take, and run the recoveries the apps
    registered (``outbox.register_recovery``: the PDF exports whose worker died). Celery beat
    runs this every ``OUTBOX_SWEEP_SECONDS``; each worker once at start."""
    recovered = outbox.run_recoveries()
    swept = outbox.sweep()
    if any(recovered.values()) or any(swept.values()):
        log.info("outbox sweep: %s; recovered %s", swept, recovered)
    return {**swept, **recovered}
