"""Password resets that reveal nothing and cannot be used to flood someone's inbox.

The page gives one answer whatever was typed, and does the same work either way: it records
the request and, unless the client's address asked too often, queues a task once the
transaction commits. Only the task looks for accounts, so neither the answer nor its timing
says whether an account uses the address. The task sends each matching account at most
``PASSWORD_RESET_ACCOUNT_LIMIT`` links per ``PASSWORD_RESET_WINDOW_MINUTES``; an address may
ask ``PASSWORD_RESET_ADDRESS_LIMIT`` times in that window.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from core import outbox
from core.emails import render_text_email, send_text_email
from core.models import AuthEvent, User
from core.throttling import record_event, username_key

log = logging.getLogger(__name__)


def _since() -> timedelta:
    return timedelta(minutes=settings.PASSWORD_RESET_WINDOW_MINUTES)


def request_password_reset(*, email: str, address: str) -> bool:
    """Record the request and queue the e-mail unless this address asked too often.

    Returns whether it was queued (for logs and tests; the page never says).
    """
    now = timezone.now()
    asked = AuthEvent.objects.filter(
        kind=AuthEvent.Kind.RESET_REQUESTED, address=address, at__gte=now - _since()
    ).count()
    record_event(kind=AuthEvent.Kind.RESET_REQUESTED, address=address, now=now)
    if asked >= settings.PASSWORD_RESET_ADDRESS_LIMIT:
        log.warning("password reset: %s asked %s times within the window; not sent", address, asked + 1)
        return False
    # Through the outbox, by name (the task module imports this one): a broker outage delays
    # the mail and the request never waits for the broker.
    outbox.enqueue("core.tasks.send_password_reset_email", args=[email])
    return True


def send_password_reset_links(*, email: str) -> int:
    """E-mail a reset link to each active account using ``email``, within the per-account limit."""
    sent = 0
    for user in PasswordResetForm().get_users(email):
        with transaction.atomic():
            # One sender per account at a time, so concurrent tasks cannot both pass the count.
            User.objects.select_for_update().filter(pk=user.pk).exists()
            name = username_key(user.get_username())
            recent = AuthEvent.objects.filter(
                kind=AuthEvent.Kind.RESET_SENT, username=name, at__gte=timezone.now() - _since()
            ).count()
            if recent >= settings.PASSWORD_RESET_ACCOUNT_LIMIT:
                log.warning("password reset: account %s already had %s links; not sent", user.pk, recent)
                continue
            record_event(kind=AuthEvent.Kind.RESET_SENT, username=name)
            # Inside the transaction: if sending fails, the mail is not counted and the task retries.
            send_reset_link(user)
        sent += 1
    return sent


def send_reset_link(user: User) -> None:
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    send_text_email(
        to=[user.email],
        subject=render_text_email("registration/password_reset_subject.txt", {}),
        template_name="registration/password_reset_email.txt",
        context={"user": user, "url": settings.SITE_URL + path},
    )
