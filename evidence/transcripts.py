"""Response times in an interaction transcript: pure computation over its messages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from django.utils.translation import ngettext

CUSTOMER = "customer"
ORGANISATION = "organisation"


class MessageLike(Protocol):
    author: str
    sent_at: datetime


@dataclass(frozen=True)
class TimedMessage:
    message: MessageLike
    # For an organisation reply: how long the customer had been waiting since their
    # earliest unanswered message. None for customer messages and unprompted posts.
    response_time: timedelta | None
    gap: timedelta | None  # time since the previous message, whoever wrote it


@dataclass(frozen=True)
class TranscriptTimes:
    messages: list[TimedMessage]
    first_response: timedelta | None
    longest_wait: timedelta | None
    duration: timedelta | None  # first to last message


def response_times(messages: Sequence[MessageLike]) -> TranscriptTimes:
    """Each reply's response time, the first response and the longest wait.

    A reply answers every customer message since the organisation last spoke, so the
    wait runs from the earliest of those: a customer who wrote twice waited from the first.
    """
    timed: list[TimedMessage] = []
    waiting_since: datetime | None = None
    previous: datetime | None = None
    first_response: timedelta | None = None
    waits: list[timedelta] = []
    for message in messages:
        gap = message.sent_at - previous if previous is not None else None
        previous = message.sent_at
        if message.author == CUSTOMER:
            if waiting_since is None:
                waiting_since = message.sent_at
            timed.append(TimedMessage(message=message, response_time=None, gap=gap))
            continue
        wait = message.sent_at - waiting_since if waiting_since is not None else None
        if wait is not None:
            waits.append(wait)
            if first_response is None:
                first_response = wait
        waiting_since = None
        timed.append(TimedMessage(message=message, response_time=wait, gap=gap))
    duration = messages[-1].sent_at - messages[0].sent_at if len(messages) > 1 else None
    return TranscriptTimes(
        messages=timed,
        first_response=first_response,
        longest_wait=max(waits) if waits else None,
        duration=duration,
    )


def describe_duration(value: timedelta | None) -> str:
    """A duration as a person says it: "4 min", "2 h 5 min", "1 day 3 h"."""
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    if minutes < 0:
        return "—"
    if minutes < 1:
        return "under a minute"
    days, rest = divmod(minutes, 60 * 24)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(ngettext("%(count)d day", "%(count)d days", days) % {"count": days})
    if hours:
        parts.append(f"{hours} h")
    if mins and not days:
        parts.append(f"{mins} min")
    return " ".join(parts)
