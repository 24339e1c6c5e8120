"""KPI values against a small dataset worked out by hand."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from audit import kpi_compute
from audit.kpi_compute import (
    Period,
    compare_periods,
    compute_kpis,
    default_periods,
    in_period,
    kpi_tables,
    kpis_by,
    week_start,
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


# --- The one-pass computation against the definitions, group by group ---------------------


def reference_kpis(frame: pd.DataFrame, sla_minutes: float) -> dict[str, float | None]:
    """The catalogue computed the plain way, one pandas operation per definition."""

    def share(numerator, denominator):
        return None if not denominator else round(100.0 * numerator / denominator, 1)

    def rounded(value):
        return None if value is None or pd.isna(value) else round(float(value), 1)

    first_response = frame["first_response_minutes"]
    answered = first_response.dropna()
    resolution = frame["resolution_minutes"].dropna()
    fcr_known = frame["resolved_first_contact"].notna() & frame["resolution_minutes"].notna()
    satisfaction, nps = frame["satisfaction"].dropna(), frame["nps"].dropna()
    sentiment = frame["sentiment"].dropna()
    return {
        "volume": float(len(frame)),
        "response_rate": share(len(answered), len(frame)),
        "median_first_response": rounded(answered.median()) if len(answered) else None,
        "p90_first_response": rounded(answered.quantile(0.9)) if len(answered) else None,
        "within_sla": share(int((first_response <= sla_minutes).sum()), len(frame)),
        "median_resolution": rounded(resolution.median() / 60) if len(resolution) else None,
        "fcr": share(
            int(frame.loc[fcr_known, "resolved_first_contact"].astype(bool).sum()), int(fcr_known.sum())
        ),
        "csat": share(int((satisfaction >= 4).sum()), len(satisfaction)),
        "nps": rounded(100.0 * ((nps >= 9).sum() - (nps <= 6).sum()) / len(nps)) if len(nps) else None,
        "positive_sentiment": share(int((sentiment == "positive").sum()), len(sentiment)),
    }


@pytest.fixture(scope="module")
def synthetic() -> pd.DataFrame:
    from audit import importing, reading
    from audit.synthetic import interactions_csv

    raw = interactions_csv(3000)
    table = reading.read_table(raw, "d.csv")
    return importing.check_rows(
        table, {key: key for key in importing.CANONICAL_KEYS if key in table.column_names}
    ).frame


def test_the_whole_frame_matches_the_definitions(synthetic):
    for sla in (15, 60, 240):
        assert compute_kpis(synthetic, sla_minutes=sla) == reference_kpis(synthetic, sla)


@pytest.mark.parametrize("by", ["platform", "week"])
def test_every_group_matches_the_definitions_computed_on_its_own(synthetic, by):
    table = kpis_by(synthetic, by=by, sla_minutes=60)

    keys = week_start(synthetic["received_at"]) if by == "week" else synthetic["platform"]
    expected = {
        group: reference_kpis(part, 60) for group, part in synthetic.groupby(keys.rename(by), sort=True)
    }
    assert list(table.index) == list(expected)
    for group, values in expected.items():
        row = {key: (None if pd.isna(value) else value) for key, value in table.loc[group].items()}
        assert row == values, group


def test_overlapping_periods_are_each_counted_whole(synthetic):
    baseline, follow_up = (
        Period(date(2026, 1, 5), date(2026, 2, 20)),
        Period(date(2026, 2, 1), date(2026, 3, 29)),
    )

    comparison = compare_periods(synthetic, baseline=baseline, follow_up=follow_up, sla_minutes=60)

    assert comparison["baseline"].to_dict() == reference_kpis(in_period(synthetic, baseline), 60)
    assert comparison["follow_up"].to_dict() == reference_kpis(in_period(synthetic, follow_up), 60)


def test_a_period_without_contacts_gives_none_not_zero(synthetic):
    empty = Period(date(2030, 1, 1), date(2030, 1, 31))

    comparison = compare_periods(synthetic, baseline=empty, follow_up=empty, sla_minutes=60)

    assert comparison.loc["volume", "baseline"] == 0.0
    assert pd.isna(comparison.loc["csat", "baseline"])  # missing, not 0 %


def test_all_tables_at_once_equal_each_computed_alone(synthetic):
    baseline, follow_up = default_periods(synthetic)

    tables = kpi_tables(synthetic, sla_minutes=60, baseline=baseline, follow_up=follow_up)

    assert tables.overall == compute_kpis(synthetic, sla_minutes=60)
    pd.testing.assert_frame_equal(tables.by_platform, kpis_by(synthetic, by="platform", sla_minutes=60))
    pd.testing.assert_frame_equal(tables.by_week, kpis_by(synthetic, by="week", sla_minutes=60))
    pd.testing.assert_frame_equal(
        tables.comparison, compare_periods(synthetic, baseline=baseline, follow_up=follow_up, sla_minutes=60)
    )


def test_uk_weeks_start_on_monday_in_local_time():
    # 23:30 UTC on Sunday 29 March 2026 is 00:30 on Monday 30 March in British Summer Time.
    received = pd.Series(
        pd.to_datetime(["2026-03-29 23:30", "2026-03-29 22:30", "2026-01-04 23:59"], utc=True)
    )

    assert week_start(received).tolist() == [
        pd.Timestamp("2026-03-30"),
        pd.Timestamp("2026-03-23"),
        pd.Timestamp("2025-12-29"),
    ]


def test_conform_copies_nothing_of_a_conformed_frame():
    conformed = kpi_compute.conform(hand_frame())

    again = kpi_compute.conform(conformed)

    pd.testing.assert_frame_equal(again, conformed)
    assert np.shares_memory(again["received_at"].array.asi8, conformed["received_at"].array.asi8)
    assert np.shares_memory(
        again["first_response_minutes"].to_numpy(), conformed["first_response_minutes"].to_numpy()
    )


def test_all_tables_of_an_empty_frame():
    tables = kpi_tables(kpi_compute.empty_frame(), sla_minutes=60, baseline=None, follow_up=None)

    assert tables.overall == {**dict.fromkeys(KPI_CATALOGUE), "volume": 0.0}
    for table, by in ((tables.by_platform, "platform"), (tables.by_week, "week")):
        assert table.empty
        assert list(table.columns) == list(KPI_CATALOGUE)
        assert table.index.name == by
    assert tables.comparison is None


def test_a_kpi_no_group_can_measure_is_a_column_of_nones():
    frame = kpi_compute.conform(hand_frame().assign(satisfaction=pd.array([pd.NA] * 6, dtype="Int64")))

    by_platform = kpis_by(frame, by="platform", sla_minutes=30)

    assert by_platform["csat"].dtype == object
    assert by_platform["csat"].tolist() == [None, None, None]
    assert by_platform["median_first_response"].dtype == float


@pytest.mark.parametrize("seed", range(4))
def test_the_median_and_90th_percentile_from_one_partition_are_numpys_to_the_last_bit(seed):
    """Every size from 1 to 300 and a few large ones; whole minutes (many ties), tenths and
    arbitrary floats."""
    generator = np.random.default_rng(seed)
    sizes = [*range(1, 301), 10_007, 100_000]
    for size in sizes:
        for values in (
            generator.integers(0, 600, size).astype(float),
            np.round(generator.exponential(45, size), 1),
            generator.random(size) * 1e4,
        ):
            median, p90 = kpi_compute._median_and_p90(values.copy())
            assert (median, p90) == (float(np.median(values)), float(np.quantile(values, 0.9))), size
            assert kpi_compute._median(values.copy()) == float(np.median(values)), size
