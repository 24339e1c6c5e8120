"""KPI values against a small dataset worked out by hand."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from audit.kpi_compute import (
    Period,
    compare_periods,
    compute_kpis,
    default_periods,
    kpis_by,
    weekly_volume_by_platform,
)
from audit.kpis import KPI_CATALOGUE


def hand_frame() -> pd.DataFrame:
    # Six contacts over two weeks (Mondays 5 and 12 January 2026, times in UTC = UK winter time).
    return pd.DataFrame(
        {
            "platform": ["facebook", "facebook", "x", "x", "instagram", "facebook"],
            "received_at": pd.to_datetime(
                [
                    "2026-01-05 09:00",
                    "2026-01-06 10:00",
                    "2026-01-07 11:00",
                    "2026-01-12 09:00",
                    "2026-01-13 12:00",
                    "2026-01-14 15:00",
                ],
                utc=True,
            ),
            "first_response_minutes": [10.0, 30.0, 120.0, None, 50.0, 20.0],
            "resolution_minutes": [10.0, 90.0, None, None, 240.0, 20.0],
            "resolved_first_contact": pd.array([True, False, pd.NA, pd.NA, False, True], dtype="boolean"),
            "satisfaction": pd.array([5, 3, pd.NA, 1, 4, 5], dtype="Int64"),
            "nps": pd.array([10, 6, pd.NA, 0, 9, 8], dtype="Int64"),
            "sentiment": pd.Series(
                ["positive", "neutral", "negative", pd.NA, "positive", pd.NA], dtype="str"
            ),
        }
    )


def test_every_kpi_matches_the_hand_computed_value():
    values = compute_kpis(hand_frame(), sla_minutes=30)

    assert set(values) == set(KPI_CATALOGUE)
    assert values["volume"] == 6
    assert values["response_rate"] == 83.3  # 5 of 6 answered
    assert values["median_first_response"] == 30.0  # 10, 20, 30, 50, 120
    assert values["p90_first_response"] == 92.0  # linear: 50 + 0.6 × (120 − 50)
    assert values["within_sla"] == 50.0  # 10, 30, 20 within 30 min, of all 6
    assert values["median_resolution"] == 0.9  # 10, 20, 90, 240 min → median 55 min = 0.92 h
    assert values["fcr"] == 50.0  # resolved with a known answer: T, F, F, T
    assert values["csat"] == 60.0  # ratings 5, 3, 1, 4, 5 → three of five are 4–5
    assert values["nps"] == 0.0  # answers 10, 6, 0, 9, 8: promoters 2, detractors 2 of 5
    assert values["positive_sentiment"] == 50.0  # 2 positive of 4 tagged


def test_median_resolution_is_in_hours_over_resolved_contacts_only():
    frame = hand_frame()

    # Resolved: 10, 90, 240, 20 minutes → median (20 + 90) / 2 = 55 minutes = 0.92 hours → 0.9.
    assert compute_kpis(frame, sla_minutes=30)["median_resolution"] == 0.9


def test_a_kpi_with_nothing_to_measure_is_none_not_zero():
    frame = hand_frame().assign(satisfaction=pd.array([pd.NA] * 6, dtype="Int64"))

    assert compute_kpis(frame, sla_minutes=30)["csat"] is None


def test_kpis_per_platform_and_per_week():
    by_platform = kpis_by(hand_frame(), by="platform", sla_minutes=30)
    by_week = kpis_by(hand_frame(), by="week", sla_minutes=30)

    assert by_platform.loc["facebook", "volume"] == 3
    assert by_platform.loc["x", "response_rate"] == 50.0
    assert list(by_week.index) == [pd.Timestamp("2026-01-05"), pd.Timestamp("2026-01-12")]
    assert by_week["volume"].tolist() == [3, 3]


def test_weekly_volume_counts_each_platform():
    table = weekly_volume_by_platform(hand_frame())

    assert table.loc[pd.Timestamp("2026-01-05"), "facebook"] == 2
    assert table.loc[pd.Timestamp("2026-01-12"), "instagram"] == 1


def test_default_periods_split_the_days_in_half():
    baseline, follow_up = default_periods(hand_frame())

    assert baseline == Period(date(2026, 1, 5), date(2026, 1, 9))
    assert follow_up == Period(date(2026, 1, 10), date(2026, 1, 14))


def test_baseline_against_follow_up_marks_improvements():
    comparison = compare_periods(
        hand_frame(),
        baseline=Period(date(2026, 1, 5), date(2026, 1, 11)),
        follow_up=Period(date(2026, 1, 12), date(2026, 1, 18)),
        sla_minutes=30,
    )

    # Baseline answered 10, 30, 120 → median 30; follow-up 50, 20 → median 35: slower, so worse.
    assert comparison.loc["median_first_response", "baseline"] == 30.0
    assert comparison.loc["median_first_response", "follow_up"] == 35.0
    assert comparison.loc["median_first_response", "improved"] is False
    assert comparison.loc["volume", "improved"] is None


@pytest.mark.parametrize("key", list(KPI_CATALOGUE))
def test_an_empty_frame_gives_every_kpi_without_failing(key):
    values = compute_kpis(hand_frame().iloc[0:0], sla_minutes=30)

    assert key in values
