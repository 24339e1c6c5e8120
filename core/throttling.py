"""Throttling log-ins fairly, and password-reset requests.

Three rules for log-ins, each against a different attack (docs/security-throttling.md):

1. **A username from one address** (``LOGIN_FAILURE_LIMIT``, 5, per ``LOGIN_LOCKOUT_MINUTES``,
   15): someone guessing one account's password from one place is stopped for the rest of the
   window. Only that pair is stopped: a classmate behind the same NAT, or the account's owner
   elsewhere, can still log in.
2. **One address, any usernames** (``LOGIN_ADDRESS_FAILURE_LIMIT``, 50, in the same window):
   someone spraying passwords across many accounts from one place is stopped; a classroom's
   honest typos do not come near it.
3. **One username, any addresses**: someone guessing one account's password from many
   addresses. A hard lock here would let anyone lock out a named person, so instead, after
   ``LOGIN_USERNAME_FREE_FAILURES`` (10) failures in ``LOGIN_USERNAME_WINDOW_HOURS`` (24), each
   further attempt waits a delay that doubles from one second up to
   ``LOGIN_USERNAME_MAX_DELAY_SECONDS`` (5 minutes) after the latest failure. An address the
   account logged in from in the last ``LOGIN_KNOWN_ADDRESS_DAYS`` (30) does not wait: the
   owner at their usual desk is never slowed by an attacker elsewhere.

An attempt that is refused checks no password and is not counted, so a pause ends on time
however often someone retries. State lives in the database (``AuthEvent``), shared by every
web instance. The client address is ``REMOTE_ADDR`` unless ``TRUSTED_PROXY_COUNT`` proxies
stand in front, then the address the nearest of them saw (so a forged ``X-Forwarded-For``
changes nothing); IPv6 addresses count as their /64 network, which one machine usually holds.
"""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import user_logged_in, user_login_failed
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Q
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from core.formatting import describe_wait
from core.models import AuthEvent

log = logging.getLogger(__name__)
Kind = AuthEvent.Kind


@dataclass(frozen=True)
class Refusal:
    """Why an attempt is refused and for how long."""

    rule: str  # "pair", "address" or "username"
    wait: timedelta

    @property
    def wait_text(self) -> str:
        return describe_wait(self.wait)


# --- Who is asking -------------------------------------------------------------------------


def client_address(request: HttpRequest) -> str:
    """The client's address as the nearest trusted proxy saw it (or the socket's); IPv6 as /64."""
    address = request.META.get("REMOTE_ADDR", "")
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def username_key(username: object) -> str:
    return str(username or "").strip().casefold()[:150]


# --- The rules -------------------------------------------------------------------------------


def _window() -> timedelta:
    return timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def _nth_latest(events: Any, n: int, since: datetime) -> datetime | None:
    """When the n-th most recent matching event happened, if there were n since ``since``."""
    return events.filter(at__gte=since).order_by("-at").values_list("at", flat=True)[n - 1 : n].first()


def check_login(*, username: str, address: str, now: datetime | None = None) -> Refusal | None:
    """Whether an attempt to log in as ``username`` from ``address`` may go ahead now."""
    now = now or timezone.now()
    name = username_key(username)
    failures = AuthEvent.objects.filter(kind=Kind.LOGIN_FAILED)
    window = _window()
    for rule, events, limit in (
        ("pair", failures.filter(username=name, address=address), settings.LOGIN_FAILURE_LIMIT),
        ("address", failures.filter(address=address), settings.LOGIN_ADDRESS_FAILURE_LIMIT),
    ):
        oldest_counted = _nth_latest(events, limit, now - window)
        if oldest_counted is not None:
            return Refusal(rule, oldest_counted + window - now)
    return _username_delay(name=name, address=address, now=now)


def username_delay(count: int) -> timedelta:
    """The wait after the latest failure, once a username has ``count`` failures in the window."""
    over = count - settings.LOGIN_USERNAME_FREE_FAILURES
    if over < 0:
        return timedelta(0)
    return timedelta(seconds=min(settings.LOGIN_USERNAME_MAX_DELAY_SECONDS, 2 ** min(over, 62)))


def _username_delay(*, name: str, address: str, now: datetime) -> Refusal | None:
    since = now - timedelta(hours=settings.LOGIN_USERNAME_WINDOW_HOURS)
    tally = AuthEvent.objects.filter(kind=Kind.LOGIN_FAILED, username=name, at__gte=since).aggregate(
        count=Count("pk"), latest=Max("at")
    )
    delay = username_delay(tally["count"])
    if not delay or tally["latest"] is None or tally["latest"] + delay <= now:
        return None
    known_since = now - timedelta(days=settings.LOGIN_KNOWN_ADDRESS_DAYS)
    if AuthEvent.objects.filter(
        kind=Kind.LOGIN_SUCCEEDED, username=name, address=address, at__gte=known_since
    ).exists():
        return None
    return Refusal("username", tally["latest"] + delay - now)


# --- Recording -------------------------------------------------------------------------------


def record_event(*, kind: str, username: str = "", address: str = "", now: datetime | None = None) -> None:
    """Write one event, and prune events too old for any rule to count."""
    now = now or timezone.now()
    AuthEvent.objects.create(kind=kind, username=username_key(username), address=address, at=now)
    prune_events(now=now)


def prune_events(*, now: datetime) -> int:
    short = max(
        timedelta(hours=settings.LOGIN_USERNAME_WINDOW_HOURS),
        _window(),
        timedelta(minutes=settings.PASSWORD_RESET_WINDOW_MINUTES),
    )
    deleted, _ = AuthEvent.objects.filter(
        Q(at__lt=now - short, kind__in=[Kind.LOGIN_FAILED, Kind.RESET_REQUESTED, Kind.RESET_SENT])
        | Q(at__lt=now - timedelta(days=settings.LOGIN_KNOWN_ADDRESS_DAYS), kind=Kind.LOGIN_SUCCEEDED)
    ).delete()
    return deleted


def record_login_success(*, username: str, address: str) -> None:
    """The address becomes known for the username; that pair's own failures are forgiven."""
    name, now = username_key(username), timezone.now()
    AuthEvent.objects.filter(kind=Kind.LOGIN_FAILED, username=name, address=address).delete()
    updated = AuthEvent.objects.filter(kind=Kind.LOGIN_SUCCEEDED, username=name, address=address).update(
        at=now
    )
    if not updated:
        record_event(kind=Kind.LOGIN_SUCCEEDED, username=name, address=address, now=now)


# --- Wiring into Django's authentication ------------------------------------------------------


class ThrottledModelBackend(ModelBackend):
    """Django's username and password check, behind the three rules above.

    Every log-in form (ours and the admin's) goes through ``authenticate()``, so every one is
    throttled. A refused attempt raises ``PermissionDenied``: Django then stops trying backends,
    and ``LoginThrottleMiddleware`` answers with the paused page.
    """

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs
    ) -> Any:
        if request is not None and password is not None:
            if username is None:
                username = kwargs.get(self.user_model_field_name(), "")
            refusal = check_login(username=username or "", address=client_address(request))
            if refusal is not None:
                request.login_refusal = refusal  # type: ignore[attr-defined]
                log.warning("log-in refused (%s rule) for %r; wait %s", refusal.rule, username, refusal.wait)
                raise PermissionDenied
        return super().authenticate(request, username=username, password=password, **kwargs)

    @staticmethod
    def user_model_field_name() -> str:
        from django.contrib.auth import get_user_model

        return get_user_model().USERNAME_FIELD


@receiver(user_login_failed, dispatch_uid="core.throttling.failed")
def _count_failure(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kw: Any):
    if request is None or getattr(request, "login_refusal", None) is not None:
        return  # refused attempts checked no password and are not counted
    username = credentials.get(ThrottledModelBackend.user_model_field_name()) or credentials.get("username")
    record_event(kind=Kind.LOGIN_FAILED, username=username or "", address=client_address(request))


@receiver(user_logged_in, dispatch_uid="core.throttling.succeeded")
def _note_success(sender: Any, request: HttpRequest | None, user: Any, **kw: Any) -> None:
    if request is not None:
        record_login_success(username=user.get_username(), address=client_address(request))


class LoginThrottleMiddleware:
    """Turns a refused log-in into the paused page (429), whichever view asked."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        refusal: Refusal | None = getattr(request, "login_refusal", None)
        if refusal is None:
            return response
        paused = render(request, "registration/locked_out.html", {"refusal": refusal}, status=429)
        paused["Retry-After"] = str(max(1, int(refusal.wait.total_seconds() + 0.999)))
        return paused
