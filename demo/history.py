"""The demo's history, so the cohort dashboard's progress chart has one to draw.

Every demo item and mapping is made the moment ``seed_demo`` runs, which would draw the
cohort's progress as nothing for weeks and then a jump on the last day. This last demo
step spreads each demo learner's items (guided steps included) and their mappings over the
time between the cohort's start date and the day the demo cohort was made, in the order
they were made, as if the learner had worked through the course.

Only the demo cohort is touched. Safe to run again: the times depend only on the start
date, the day the cohort was made and the order of the items, so a second run finds every
row already where it belongs and changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta

from django.utils import timezone

from core.models import Cohort, Portfolio
from demo.people import DEMO_COHORT_CODE
from evidence.models import CriterionMapping, Evidence


def build_demo_content(*, cohort: Cohort, portfolios: dict[str, Portfolio]) -> None:
    if cohort.code != DEMO_COHORT_CODE or cohort.start_date is None:
        return
    first = datetime.combine(cohort.start_date, time(10), tzinfo=timezone.get_current_timezone())
    span = timezone.localtime(cohort.created_at) - timedelta(days=1) - first
    if span <= timedelta(0):
        return
    items: dict[int, list[tuple[int, datetime]]] = defaultdict(list)
    rows = (
        Evidence.objects.filter(portfolio__in=list(portfolios.values()))
        .order_by("portfolio_id", "pk")
        .values_list("portfolio_id", "pk", "created_at")
    )
    for portfolio_id, pk, made in rows:
        items[portfolio_id].append((pk, made))
    for made_in_order in items.values():
        for index, (pk, made) in enumerate(made_in_order):
            when = first + span * (index + 1) / (len(made_in_order) + 1)
            if made != when:
                Evidence.objects.filter(pk=pk).update(created_at=when, updated_at=when)
                CriterionMapping.objects.filter(evidence_id=pk).update(created_at=when, updated_at=when)
