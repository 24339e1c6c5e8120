"""Pure rules for the cohort and caseload dashboards: cell states, coverage share, learners
at risk and the cohort's progress over time. No database access: the selectors hand in
plain facts."""

from __future__ import annotations

import statistics
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from django.db import models
from django.utils.translation import ngettext

from core.models import VersionOutcome, VersionState

# A learner × criterion cell of the heat map: the assessor's decision wins over evidence.
CELL_NONE = "none"
CELL_CLAIMED = "claimed"
CELL_EVIDENCED = "evidenced"
CELL_MET = "met"
CELL_NOT_YET_MET = "not_yet_met"
CELL_STATES = [CELL_NONE, CELL_CLAIMED, CELL_EVIDENCED, CELL_MET, CELL_NOT_YET_MET]
CELL_LABELS = {
    CELL_NONE: "No evidence",
    CELL_CLAIMED: "Claimed",
    CELL_EVIDENCED: "Evidenced",
    CELL_MET: "Met",
    CELL_NOT_YET_MET: "Not yet met",
}
CELL_SYMBOLS = {
    CELL_NONE: "·",
    CELL_CLAIMED: "○",
    CELL_EVIDENCED: "●",
    CELL_MET: "✓",
    CELL_NOT_YET_MET: "✗",
}
# Bootstrap background classes: colour backs up the symbol and text, never replaces them.
CELL_CLASSES = {
    CELL_NONE: "bg-body-tertiary",
    CELL_CLAIMED: "bg-warning-subtle",
    CELL_EVIDENCED: "bg-info-subtle",
    CELL_MET: "bg-success-subtle",
    CELL_NOT_YET_MET: "bg-danger-subtle",
}
COVERED = {CELL_EVIDENCED, CELL_MET}


class SubmissionState(models.TextChoices):
    """Where a portfolio stands, from its latest version: a version's state (``VersionState``,
    whose labels these are), or nothing submitted yet. The values go in the cohort page's
    ``?state=`` and in the facts query's annotation."""

    NOT_SUBMITTED = "not_submitted", "Not submitted"
    AWAITING_REVIEW = "awaiting_review", VersionState.AWAITING_REVIEW.label
    RETURNED = "returned", VersionState.RETURNED.label
    SIGNED_OFF = "signed_off", VersionState.SIGNED_OFF.label


# The members by their old names, as the facts query, the views and the rules read them.
NOT_SUBMITTED = SubmissionState.NOT_SUBMITTED
AWAITING_REVIEW = SubmissionState.AWAITING_REVIEW
RETURNED = SubmissionState.RETURNED
SIGNED_OFF = SubmissionState.SIGNED_OFF
SUBMISSION_LABELS: dict[str, str] = dict(SubmissionState.choices)


def cell_state(evidence_status: str, decision: str | None) -> str:
    """The heat-map state from the coverage status (none/claimed/evidenced) and the decision."""
    if decision in (CELL_MET, CELL_NOT_YET_MET):
        return decision
    return evidence_status if evidence_status in (CELL_NONE, CELL_CLAIMED, CELL_EVIDENCED) else CELL_NONE


def coverage_percent(states: list[str]) -> int:
    """Share of criteria evidenced or met, as a whole percentage."""
    return coverage_share(sum(1 for s in states if s in COVERED), len(states))


def coverage_share(covered: int, criteria: int) -> int:
    """``covered`` of ``criteria`` as a whole percentage (0 without criteria)."""
    if not criteria:
        return 0
    return round(100 * covered / criteria)


def submission_state(latest_outcome: str | None, has_version: bool) -> SubmissionState:
    """From the kind of the latest version's outcome (None: no outcome yet)."""
    if not has_version:
        return SubmissionState.NOT_SUBMITTED
    if latest_outcome is None:
        return SubmissionState.AWAITING_REVIEW
    if latest_outcome == VersionOutcome.Kind.SIGNED_OFF:
        return SubmissionState.SIGNED_OFF
    return SubmissionState.RETURNED


def expected_coverage(start: date | None, end: date | None, today: date) -> int | None:
    """Where the cohort calendar expects coverage to be today: linear from 0 % at the
    start date to 100 % at the end date. None when the dates are not set."""
    if start is None or end is None:
        return None
    if today <= start:
        return 0
    if today >= end or end == start:
        return 100
    return round(100 * (today - start).days / (end - start).days)


@dataclass(frozen=True)
class RiskRules:
    inactive_days: int = 21
    behind_margin: int = 20  # percentage points below the calendar's expectation
    max_returns: int = 1  # returned more than this many times

    def describe(self) -> list[str]:
        times = "once" if self.max_returns == 1 else f"{self.max_returns} times"
        return [
            ngettext(
                "No activity for %(count)d day or more.",
                "No activity for %(count)d days or more.",
                self.inactive_days,
            )
            % {"count": self.inactive_days},
            f"Coverage more than {self.behind_margin} percentage points behind where the cohort's "
            "calendar expects it (a straight line from 0 % at the start date to 100 % at the end date).",
            f"Returned for resubmission more than {times}.",
            "Submission overdue: the end date has passed and the portfolio is neither awaiting review "
            "nor signed off.",
        ]


@dataclass(frozen=True)
class LearnerFacts:
    last_activity: datetime
    coverage: int
    returned_count: int
    submission: str


def risks_for(
    facts: LearnerFacts, *, start: date | None, end: date | None, now: datetime, rules: RiskRules
) -> list[str]:
    """The reasons, in words, that a learner is at risk (empty when they are not)."""
    if facts.submission == SIGNED_OFF:
        return []
    reasons = []
    idle = (now - facts.last_activity).days
    if idle >= rules.inactive_days:
        reasons.append(
            ngettext("No activity for %(count)d day", "No activity for %(count)d days", idle)
            % {"count": idle}
        )
    expected = expected_coverage(start, end, now.date())
    if expected is not None and facts.coverage < expected - rules.behind_margin:
        reasons.append(f"Coverage {facts.coverage} % against {expected} % expected")
    if facts.returned_count > rules.max_returns:
        reasons.append(
            ngettext("Returned once", "Returned %(count)d times", facts.returned_count)
            % {"count": facts.returned_count}
        )
    if end is not None and now.date() > end and facts.submission in (NOT_SUBMITTED, RETURNED):
        reasons.append(f"Submission overdue since {end.day} {end:%B %Y}")
    return reasons


# --- Progress over time -------------------------------------------------------------------

MAX_PROGRESS_POINTS = 60  # a long course is drawn fortnightly (or wider) rather than crowded


@dataclass(frozen=True)
class ProgressPoint:
    on: date
    median: int  # share of the criteria evidenced by the middle learner, in %
    lower: int  # lower quartile: a quarter of learners had evidenced this share or less
    upper: int  # upper quartile
    expected: int | None  # where the cohort's calendar expects coverage on that day


def progress_dates(start: date, today: date) -> list[date]:
    """Every seventh day from ``start`` (wider steps for long courses), ending with today."""
    days = (today - start).days
    step = 7 * max(1, -(-days // (7 * MAX_PROGRESS_POINTS)))
    return [start + timedelta(days=n) for n in range(0, days, step)] + [today]


def _quartiles(values: list[float]) -> tuple[float, float, float]:
    if len(values) == 1:
        return values[0], values[0], values[0]
    lower, median, upper = statistics.quantiles(values, n=4, method="inclusive")
    return lower, median, upper


def progress_over_time(
    evidenced_at: list[list[datetime]],
    *,
    total_criteria: int,
    start: date | None,
    end: date | None,
    today: date,
    tz: tzinfo,
) -> list[ProgressPoint]:
    """The cohort's progress, week by week from its start date to today.

    ``evidenced_at`` holds, for each learner now in the cohort, the sorted times at which
    each criterion they have evidenced was first evidenced. Each point gives the median and
    quartiles of the share of criteria the learners had evidenced by the end of that day in
    ``tz``; a learner with nothing yet counts as 0 %. Without a start date the series begins
    on the first day anything was evidenced. Empty when there is nothing to draw.
    """
    if not evidenced_at or total_criteria <= 0:
        return []
    first = start
    if first is None:
        earliest = [times[0] for times in evidenced_at if times]
        first = min(earliest).astimezone(tz).date() if earliest else None
    if first is None or first > today:
        return []
    points = []
    days = progress_dates(first, today)
    for day, cutoff in zip(days, progress_cutoffs(days, tz), strict=True):
        shares = [100 * bisect_left(times, cutoff) / total_criteria for times in evidenced_at]
        lower, median, upper = _quartiles(shares)
        points.append(
            ProgressPoint(day, round(median), round(lower), round(upper), expected_coverage(start, end, day))
        )
    return points


def progress_cutoffs(days: list[date], tz: tzinfo) -> list[datetime]:
    """The end of each day where the cohort is, in UTC like the times it is compared with:
    comparing datetimes of one time zone is quick, and a cohort has tens of thousands."""
    return [datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz).astimezone(UTC) for day in days]


def progress_from_counts(
    counts: Iterable[tuple[int, int, int]],
    *,
    learners: int,
    total_criteria: int,
    days: list[date],
    start: date | None,
    end: date | None,
) -> list[ProgressPoint]:
    """``progress_over_time``'s points from counts rather than times: ``counts`` holds
    (learner, point, n) when ``n`` of the learner's criteria first count at ``days[point]``
    (``dashboard_facts.counts_before``); ``learners`` counts everyone, with or without
    evidence. The quartiles come from how many learners had each number of criteria by
    each day, so the work grows with the criteria and the days, not with the learners."""
    if not learners or total_criteria <= 0:
        return []
    per_learner: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for learner, point, n in counts:
        per_learner[learner].append((point, n))
    # changes[point][k]: how many more (or fewer) learners have k criteria from that day on.
    changes: list[Counter[int]] = [Counter() for _ in days]
    changes[0][0] = learners
    for steps in per_learner.values():
        had = 0
        for point, n in sorted(steps):
            changes[point][had] -= 1
            had += n
            changes[point][had] += 1
    having: Counter[int] = Counter()
    points = []
    for day, change in zip(days, changes, strict=True):
        having.update(change)
        shares = sorted((100 * k / total_criteria, many) for k, many in having.items() if many)
        lower, median, upper = _quartiles_of(shares, learners)
        points.append(
            ProgressPoint(day, round(median), round(lower), round(upper), expected_coverage(start, end, day))
        )
    return points


def _quartiles_of(shares: list[tuple[float, int]], size: int) -> tuple[float, float, float]:
    """``_quartiles`` of ``size`` values given as (value, how many) in ascending order,
    computed as ``statistics.quantiles(method="inclusive")`` does, to the same float."""

    def nth(index: int) -> float:
        seen = 0
        for value, many in shares:
            seen += many
            if index < seen:
                return value
        raise IndexError(index)

    if size == 1:
        return shares[0][0], shares[0][0], shares[0][0]
    quartiles = []
    for i in range(1, 4):
        j, delta = divmod(i * (size - 1), 4)
        quartiles.append((nth(j) * (4 - delta) + nth(j + 1) * delta) / 4)
    return quartiles[0], quartiles[1], quartiles[2]
