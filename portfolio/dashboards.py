"""Pure rules for the cohort and caseload dashboards: cell states, coverage share and
learners at risk. No database access: the selectors hand in plain facts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

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

# Submission states of a portfolio, from its latest version.
NOT_SUBMITTED = "not_submitted"
AWAITING_REVIEW = "awaiting_review"
RETURNED = "returned"
SIGNED_OFF = "signed_off"
SUBMISSION_LABELS = {
    NOT_SUBMITTED: "Not submitted",
    AWAITING_REVIEW: "Awaiting review",
    RETURNED: "Returned",
    SIGNED_OFF: "Signed off",
}


def cell_state(evidence_status: str, decision: str | None) -> str:
    """The heat-map state from the coverage status (none/claimed/evidenced) and the decision."""
    if decision in (CELL_MET, CELL_NOT_YET_MET):
        return decision
    return evidence_status if evidence_status in (CELL_NONE, CELL_CLAIMED, CELL_EVIDENCED) else CELL_NONE


def coverage_percent(states: list[str]) -> int:
    """Share of criteria evidenced or met, as a whole percentage."""
    if not states:
        return 0
    return round(100 * sum(1 for s in states if s in COVERED) / len(states))


def submission_state(latest_outcome: str | None, has_version: bool) -> str:
    if not has_version:
        return NOT_SUBMITTED
    if latest_outcome is None:
        return AWAITING_REVIEW
    return SIGNED_OFF if latest_outcome == SIGNED_OFF else RETURNED


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
            f"No activity for {self.inactive_days} days or more.",
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
        reasons.append(f"No activity for {idle} days")
    expected = expected_coverage(start, end, now.date())
    if expected is not None and facts.coverage < expected - rules.behind_margin:
        reasons.append(f"Coverage {facts.coverage} % against {expected} % expected")
    if facts.returned_count > rules.max_returns:
        reasons.append(f"Returned {facts.returned_count} times")
    if end is not None and now.date() > end and facts.submission in (NOT_SUBMITTED, RETURNED):
        reasons.append(f"Submission overdue since {end.day} {end:%B %Y}")
    return reasons
