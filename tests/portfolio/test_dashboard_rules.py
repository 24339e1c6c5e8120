"""The pure rules of portfolio.dashboards: cell states, coverage share and learners at risk."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from portfolio import dashboards as d

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
RULES = d.RiskRules(inactive_days=21, behind_margin=20, max_returns=1)


def facts(**overrides):
    values = {"last_activity": NOW, "coverage": 50, "returned_count": 0, "submission": d.NOT_SUBMITTED}
    values.update(overrides)
    return d.LearnerFacts(**values)


def test_a_decision_wins_over_evidence_in_a_cell():
    assert d.cell_state("evidenced", "not_yet_met") == d.CELL_NOT_YET_MET
    assert d.cell_state("none", "met") == d.CELL_MET
    assert d.cell_state("claimed", None) == d.CELL_CLAIMED
    assert d.cell_state("rubbish", None) == d.CELL_NONE


def test_every_cell_state_has_a_symbol_and_words_as_well_as_a_colour():
    for state in d.CELL_STATES:
        assert d.CELL_SYMBOLS[state]
        assert d.CELL_LABELS[state]
        assert d.CELL_CLASSES[state]
    assert len(set(d.CELL_SYMBOLS.values())) == len(d.CELL_STATES)


def test_coverage_counts_evidenced_and_met_only():
    assert d.coverage_percent(["met", "evidenced", "claimed", "none"]) == 50
    assert d.coverage_percent(["not_yet_met"]) == 0
    assert d.coverage_percent([]) == 0


def test_submission_state_follows_the_latest_outcome():
    assert d.submission_state(None, False) == d.NOT_SUBMITTED
    assert d.submission_state(None, True) == d.AWAITING_REVIEW
    assert d.submission_state("returned", True) == d.RETURNED
    assert d.submission_state("signed_off", True) == d.SIGNED_OFF


def test_the_calendar_expects_a_straight_line_from_start_to_end():
    start, end = date(2026, 1, 1), date(2026, 1, 11)
    assert d.expected_coverage(start, end, date(2025, 12, 1)) == 0
    assert d.expected_coverage(start, end, date(2026, 1, 6)) == 50
    assert d.expected_coverage(start, end, date(2026, 2, 1)) == 100
    assert d.expected_coverage(None, end, date(2026, 1, 6)) is None
    assert d.expected_coverage(start, start, start) == 0


def test_a_learner_idle_for_the_set_number_of_days_is_at_risk():
    reasons = d.risks_for(
        facts(last_activity=NOW - timedelta(days=21)), start=None, end=None, now=NOW, rules=RULES
    )
    assert reasons == ["No activity for 21 days"]
    assert (
        d.risks_for(facts(last_activity=NOW - timedelta(days=20)), start=None, end=None, now=NOW, rules=RULES)
        == []
    )


def test_a_learner_behind_the_calendar_by_more_than_the_margin_is_at_risk():
    start, end = date(2026, 1, 1), date(2026, 11, 1)  # about 50 % through on 1 June
    expected = d.expected_coverage(start, end, NOW.date())
    behind = d.risks_for(facts(coverage=expected - 21), start=start, end=end, now=NOW, rules=RULES)
    assert behind == [f"Coverage {expected - 21} % against {expected} % expected"]
    assert d.risks_for(facts(coverage=expected - 20), start=start, end=end, now=NOW, rules=RULES) == []


def test_returned_more_than_once_is_at_risk():
    assert d.risks_for(facts(returned_count=1), start=None, end=None, now=NOW, rules=RULES) == []
    assert d.risks_for(facts(returned_count=2), start=None, end=None, now=NOW, rules=RULES) == [
        "Returned 2 times"
    ]


def test_a_submission_is_overdue_only_after_the_end_date_and_when_not_waiting_or_signed_off():
    end = date(2026, 5, 31)
    overdue = d.risks_for(facts(coverage=100), start=date(2026, 1, 1), end=end, now=NOW, rules=RULES)
    assert overdue == ["Submission overdue since 31 May 2026"]
    waiting = facts(coverage=100, submission=d.AWAITING_REVIEW)
    assert d.risks_for(waiting, start=date(2026, 1, 1), end=end, now=NOW, rules=RULES) == []
    on_the_day = d.risks_for(
        facts(coverage=100), start=date(2026, 1, 1), end=NOW.date(), now=NOW, rules=RULES
    )
    assert on_the_day == []


def test_a_signed_off_learner_is_never_at_risk():
    signed = facts(
        last_activity=NOW - timedelta(days=400), coverage=0, returned_count=5, submission=d.SIGNED_OFF
    )
    assert d.risks_for(signed, start=date(2025, 1, 1), end=date(2025, 6, 1), now=NOW, rules=RULES) == []


def test_the_rules_are_described_in_words_with_their_thresholds():
    text = " ".join(d.RiskRules(inactive_days=10, behind_margin=15, max_returns=2).describe())
    assert "10 days" in text
    assert "15 percentage points" in text
    assert "more than 2 times" in text
