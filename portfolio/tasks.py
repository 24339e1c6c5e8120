"""Background work for the portfolio app. Tasks reload by id and call plain code."""

from __future__ import annotations

from celery import shared_task
from django.core.mail import send_mail
from django.template.loader import render_to_string

from portfolio.models import Invitation


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_invitation_email(invitation_id: int) -> bool:
    """E-mail the invitation link. Returns False if the invitation is no longer usable."""
    from portfolio.services import invitation_url

    invitation = Invitation.objects.select_related("cohort", "invited_by").filter(pk=invitation_id).first()
    if invitation is None or invitation.status != "pending":
        return False
    context = {"invitation": invitation, "url": invitation_url(invitation)}
    send_mail(
        subject=f"Invitation to join {invitation.cohort.name}",
        message=render_to_string("portfolio/email/invitation.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )
    return True


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_notification_email(notification_id: int) -> bool:
    """E-mail an in-app notification to its recipient (if they have an address)."""
    from django.conf import settings

    from portfolio.models import Notification

    note = Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    if note is None or not note.recipient.email:
        return False
    base = settings.SITE_URL.rstrip("/")
    send_mail(
        subject=note.subject,
        message=render_to_string("portfolio/email/notification.txt", {"note": note, "base": base}),
        from_email=None,
        recipient_list=[note.recipient.email],
    )
    return True
