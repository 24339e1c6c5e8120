"""The pure rules of dashboards.figures: cell states, coverage share and learners at risk."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from dashboards import figures as d

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


# --- Progress over time --------------------------------------------------------------------

LONDON = ZoneInfo("Europe/London")


def at(day: date, hour: int = 12) -> datetime:
    """A time on a day in London, in UTC as the selectors hand them in."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=LONDON).astimezone(UTC)


def test_progress_is_the_median_and_quartiles_of_the_share_evidenced_each_week():
    start, today = date(2026, 3, 2), date(2026, 3, 20)
    learners = [
        [at(date(2026, 3, 3)), at(date(2026, 3, 10)), at(date(2026, 3, 17))],  # one a week
        [at(date(2026, 3, 9))],
        [],  # nothing yet: counts as 0 %
        [at(date(2026, 2, 20)), at(date(2026, 3, 16)), at(date(2026, 3, 16)), at(date(2026, 3, 20))],
    ]

    points = d.progress_over_time(
        learners, total_criteria=4, start=start, end=date(2026, 5, 1), today=today, tz=LONDON
    )

    assert [p.on for p in points] == [date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16), today]
    # Shares on each day: 2 Mar [0, 0, 0, 25] (evidenced before the start counts from it);
    # 9 Mar [25, 25, 0, 25]; 16 Mar [50, 25, 0, 75]; 20 Mar [75, 25, 0, 100].
    assert [(p.lower, p.median, p.upper) for p in points] == [
        (0, 0, 6),
        (19, 25, 25),
        (19, 38, 56),
        (19, 50, 81),
    ]
    assert [p.expected for p in points] == [0, 12, 23, 30]  # 60 days from start to end


def test_a_day_ends_at_midnight_where_the_cohort_is_not_in_utc():
    # In summer London is an hour ahead of UTC: 23:30 there on the 8th is the 8th, 00:30 on the
    # 9th is the 9th, although both fall on the 8th in UTC.
    summer_start = date(2026, 6, 1)
    late = datetime(2026, 6, 8, 23, 30, tzinfo=LONDON).astimezone(UTC)  # 22:30 UTC on the 8th
    early = datetime(2026, 6, 9, 0, 30, tzinfo=LONDON).astimezone(UTC)  # 23:30 UTC on the 8th
    points = d.progress_over_time(
        [[late], [early]], total_criteria=1, start=summer_start, end=None, today=date(2026, 6, 9), tz=LONDON
    )
    assert [(p.on, p.median) for p in points] == [
        (date(2026, 6, 1), 0),
        (date(2026, 6, 8), 50),
        (date(2026, 6, 9), 100),
    ]
    assert {p.expected for p in points} == {None}


def test_without_a_start_date_the_series_begins_with_the_first_evidence():
    points = d.progress_over_time(
        [[at(date(2026, 4, 7))], [at(date(2026, 4, 20))]],
        total_criteria=2,
        start=None,
        end=None,
        today=date(2026, 4, 21),
        tz=LONDON,
    )
    assert [(p.on, p.median) for p in points] == [
        (date(2026, 4, 7), 25),
        (date(2026, 4, 14), 25),
        (date(2026, 4, 21), 50),
    ]


def test_nothing_to_draw_before_the_start_without_learners_or_without_evidence():
    kwargs = {"total_criteria": 3, "end": None, "tz": LONDON}
    assert d.progress_over_time([[]], start=date(2026, 9, 1), today=date(2026, 8, 1), **kwargs) == []
    assert d.progress_over_time([], start=date(2026, 1, 1), today=date(2026, 8, 1), **kwargs) == []
    assert d.progress_over_time([[], []], start=None, today=date(2026, 8, 1), **kwargs) == []
    assert (
        d.progress_over_time(
            [[at(date(2026, 1, 2))]],
            start=None,
            today=date(2026, 8, 1),
            total_criteria=0,
            end=None,
            tz=LONDON,
        )
        == []
    )


def test_a_long_course_is_drawn_in_wider_steps_and_always_ends_today():
    dates = d.progress_dates(date(2025, 1, 1), date(2026, 6, 30))  # 545 days
    assert len(dates) <= d.MAX_PROGRESS_POINTS + 1
    assert dates[1] - dates[0] == timedelta(days=14)
    assert dates[-1] == date(2026, 6, 30)
    assert d.progress_dates(date(2026, 6, 30), date(2026, 6, 30)) == [date(2026, 6, 30)]
    assert d.progress_dates(date(2026, 6, 2), date(2026, 6, 9)) == [date(2026, 6, 2), date(2026, 6, 9)]
