"""The demo's history, so the cohort dashboard's progress chart has one to draw.

Every demo item and mapping is made the moment ``seed_demo`` runs, which would draw the
cohort's progress as nothing for weeks and then a jump on the last day. This last demo
step spreads each demo learner's items (guided steps included) and their mappings over the
time between the cohort's start date and the day the demo cohort was made, in the order
they were made, as if the learner had worked through the course: what a learner submitted
comes before their submission, what they added after their feedback comes after it. Each
learner's last activity is their latest item or submission.

Only the demo cohort is touched. Safe to run again: the times depend only on the start
date, the day the cohort was made and the order of the items, so a second run finds every
row already where it belongs and changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import Max
from django.utils import timezone

from core.models import Cohort, Portfolio, VersionOutcome
from demo.people import DEMO_COHORT_CODE
from evidence.models import CriterionMapping, Evidence


def course_start(cohort: Cohort) -> datetime | None:
    """The first morning of the demo cohort, or None for any other cohort (left alone)."""
    if cohort.code != DEMO_COHORT_CODE or cohort.start_date is None:
        return None
    return datetime.combine(cohort.start_date, time(10), tzinfo=timezone.get_current_timezone())


def moments(count: int, start: datetime, end: datetime) -> list[datetime]:
    """``count`` moments spread evenly between ``start`` and ``end`` (neither included)."""
    return [start + (end - start) * (index + 1) / (count + 1) for index in range(count)]


def date_sections(portfolio: Portfolio, end: datetime) -> None:
    """Date each guided step the day the history below will place it, so a portfolio
    submitted in the past shows its steps finished before it was submitted (its version
    keeps these dates). Call before submitting; ``end`` is when it was submitted."""
    start = course_start(portfolio.cohort)
    if start is None:
        return
    rows = list(portfolio.evidence.order_by("pk").values_list("pk", "kind", "occurred_on"))
    for (pk, kind, occurred_on), when in zip(rows, moments(len(rows), start, end), strict=True):
        day = timezone.localtime(when).date()
        if kind == Evidence.Kind.SECTION and occurred_on != day:
            Evidence.objects.filter(pk=pk).update(occurred_on=day)


def build_demo_content(*, cohort: Cohort, portfolios: dict[str, Portfolio]) -> None:
    first = course_start(cohort)
    if first is None:
        return
    last = timezone.localtime(cohort.created_at) - timedelta(days=1)
    if last <= first:
        return
    items: dict[int, list[tuple[int, datetime]]] = defaultdict(list)
    rows = (
        Evidence.objects.filter(portfolio__in=list(portfolios.values()))
        .order_by("portfolio_id", "pk")
        .values_list("portfolio_id", "pk", "created_at")
    )
    for portfolio_id, pk, made in rows:
        items[portfolio_id].append((pk, made))
    for portfolio in portfolios.values():
        made_in_order = items.get(portfolio.pk, [])
        submitted, reopened = _submission(portfolio)
        before = [row for row in made_in_order if submitted is None or row[0] in submitted.ids]
        after = [row for row in made_in_order if row not in before]
        _spread(before, first, submitted.at - timedelta(hours=1) if submitted else last)
        if after:
            _spread(after, reopened or first, last)
        _last_activity(portfolio)


@dataclass
class _Submitted:
    ids: set[int]
    at: datetime


def _submission(portfolio: Portfolio) -> tuple[_Submitted | None, datetime | None]:
    """What the first version held and when it was submitted, and when the latest review ended."""
    version = portfolio.versions.order_by("number").first()
    if version is None:
        return None, None
    ids = {item["id"] for item in version.snapshot["parts"]["evidence"]["items"]}
    outcome = VersionOutcome.objects.filter(version__portfolio=portfolio).order_by("-decided_at").first()
    return _Submitted(ids, version.submitted_at), outcome.decided_at if outcome else None


def _spread(rows: list[tuple[int, datetime]], start: datetime, end: datetime) -> None:
    for (pk, made), when in zip(rows, moments(len(rows), start, end), strict=True):
        if made != when:
            Evidence.objects.filter(pk=pk).update(created_at=when, updated_at=when)
            CriterionMapping.objects.filter(evidence_id=pk).update(created_at=when, updated_at=when)
        Evidence.objects.filter(pk=pk, kind=Evidence.Kind.SECTION).exclude(
            occurred_on=timezone.localtime(when).date()
        ).update(occurred_on=timezone.localtime(when).date())


def _last_activity(portfolio: Portfolio) -> None:
    """The learner's last activity: their latest item or submission, or the day they joined."""
    moments = [
        Evidence.objects.filter(portfolio=portfolio).aggregate(top=Max("updated_at"))["top"],
        portfolio.versions.aggregate(top=Max("submitted_at"))["top"],
        portfolio.learner.date_joined,
    ]
    latest = max(moment for moment in moments if moment is not None)
    if portfolio.last_activity_at != latest:
        Portfolio.objects.filter(pk=portfolio.pk).update(last_activity_at=latest)
