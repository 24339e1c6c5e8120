"""The demo's calendar, relative to today so the demo never ages.

The cohort started 60 days ago. Amira's change (the weekend rota pilot) starts on the
Monday nearest four weeks ago; her service data runs three weeks before it (baseline)
and three weeks from it (follow-up), so both periods lie inside the cohort's dates and
the follow-up measures the change. Story dates are written as "days ago" as if that
Monday were exactly 28 days ago, and ``story_day`` moves them with it, so every item
keeps its place around the change (and its weekday).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils import timezone

NOMINAL_PILOT_DAYS_AGO = 28
PERIOD_DAYS = 21  # baseline and follow-up, three weeks each


def pilot_start(today: date | None = None) -> date:
    """The Monday nearest 28 days ago: the day Amira's weekend rota pilot started."""
    day = (today or timezone.localdate()) - timedelta(days=NOMINAL_PILOT_DAYS_AGO)
    shift = day.weekday() if day.weekday() <= 3 else day.weekday() - 7
    return day - timedelta(days=shift)


def story_day(days_ago: int, today: date | None = None) -> date:
    """The day ``days_ago`` days before today, in a story where the pilot began 28 days ago."""
    return pilot_start(today) + timedelta(days=NOMINAL_PILOT_DAYS_AGO - days_ago)


def story_time(days_ago: int, hour: int, minute: int = 0) -> datetime:
    day = story_day(days_ago)
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


def periods(change: date, days: int = PERIOD_DAYS) -> tuple[tuple[date, date], tuple[date, date]]:
    """Baseline (the ``days`` before ``change``) and follow-up (``days`` from it)."""
    baseline = (change - timedelta(days=days), change - timedelta(days=1))
    follow_up = (change, change + timedelta(days=days - 1))
    return baseline, follow_up
