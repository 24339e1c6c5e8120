"""Service KPIs from a DataFrame of interactions: pure pandas, no database.

The frame has the canonical interaction columns (see audit.importing): ``platform``,
``received_at`` (UTC), ``first_response_minutes``, ``resolution_minutes``,
``resolved_first_contact``, ``satisfaction``, ``nps``, ``sentiment``. Every key of
``audit.kpis.KPI_CATALOGUE`` is computed here, with the definitions written there.
A KPI whose denominator is empty is ``None`` (not zero): "no ratings" is not "0 %".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from audit.kpis import KPI_CATALOGUE

LOCAL_TIME_ZONE = "Europe/London"


def _share(numerator: int | float, denominator: int | float) -> float | None:
    return None if not denominator else round(100.0 * numerator / denominator, 1)


def _round(value: float) -> float | None:
    return None if value is None or pd.isna(value) else round(float(value), 1)


def compute_kpis(frame: pd.DataFrame, *, sla_minutes: float) -> dict[str, float | None]:
    """Every catalogued KPI over the whole frame."""
    volume = len(frame.index)
    first_response = frame["first_response_minutes"]
    answered = first_response.dropna()
    resolution = frame["resolution_minutes"].dropna()
    resolved_count = len(resolution)
    fcr_known = frame["resolved_first_contact"].notna() & frame["resolution_minutes"].notna()
    satisfaction = frame["satisfaction"].dropna()
    nps = frame["nps"].dropna()
    sentiment = frame["sentiment"].dropna()
    values: dict[str, float | None] = {
        "volume": float(volume),
        "response_rate": _share(len(answered), volume),
        "median_first_response": _round(answered.median()) if len(answered) else None,
        "p90_first_response": _round(answered.quantile(0.9)) if len(answered) else None,
        "within_sla": _share(int((first_response <= sla_minutes).sum()), volume),
        "median_resolution": _round(resolution.median() / 60) if resolved_count else None,
        "fcr": _share(
            int(frame.loc[fcr_known, "resolved_first_contact"].astype(bool).sum()), int(fcr_known.sum())
        ),
        "csat": _share(int((satisfaction >= 4).sum()), len(satisfaction)),
        "nps": _round(100.0 * ((nps >= 9).sum() - (nps <= 6).sum()) / len(nps)) if len(nps) else None,
        "positive_sentiment": _share(int((sentiment == "positive").sum()), len(sentiment)),
    }
    assert set(values) == set(KPI_CATALOGUE)
    return values


def week_start(received: pd.Series) -> pd.Series:
    """The Monday (UK local date) of each interaction's week."""
    local = received.dt.tz_convert(LOCAL_TIME_ZONE).dt.tz_localize(None).dt.normalize()
    return local - pd.to_timedelta(local.dt.day_of_week, unit="D")


def kpis_by(frame: pd.DataFrame, *, by: str, sla_minutes: float) -> pd.DataFrame:
    """One row per platform or per week ("platform" / "week"), one column per KPI."""
    keys = week_start(frame["received_at"]) if by == "week" else frame["platform"]
    rows = {
        group: compute_kpis(part, sla_minutes=sla_minutes)
        for group, part in frame.groupby(keys.rename(by), sort=True, observed=True)
    }
    table = pd.DataFrame.from_dict(rows, orient="index", columns=list(KPI_CATALOGUE))
    table.index.name = by
    return table


def weekly_volume_by_platform(frame: pd.DataFrame) -> pd.DataFrame:
    """Weeks as rows, platforms as columns, counts as values."""
    week = week_start(frame["received_at"]).rename("week")
    return frame.groupby([week, frame["platform"]]).size().unstack(fill_value=0).sort_index()


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    def label(self) -> str:
        return f"{self.start:%-d %b %Y} – {self.end:%-d %b %Y}"


def data_span(frame: pd.DataFrame) -> Period | None:
    if frame.empty:
        return None
    local = frame["received_at"].dt.tz_convert(LOCAL_TIME_ZONE)
    return Period(local.min().date(), local.max().date())


def default_periods(frame: pd.DataFrame) -> tuple[Period, Period] | None:
    """First half of the days covered against the second half."""
    span = data_span(frame)
    if span is None:
        return None
    days = (span.end - span.start).days + 1
    if days < 2:
        return Period(span.start, span.end), Period(span.start, span.end)
    middle = span.start + timedelta(days=days // 2 - 1)
    return Period(span.start, middle), Period(middle + timedelta(days=1), span.end)


def in_period(frame: pd.DataFrame, period: Period) -> pd.DataFrame:
    local_day = frame["received_at"].dt.tz_convert(LOCAL_TIME_ZONE).dt.date
    return frame[(local_day >= period.start) & (local_day <= period.end)]


def compare_periods(
    frame: pd.DataFrame, *, baseline: Period, follow_up: Period, sla_minutes: float
) -> pd.DataFrame:
    """One row per KPI: baseline, follow-up, change and whether it is an improvement."""
    before = compute_kpis(in_period(frame, baseline), sla_minutes=sla_minutes)
    after = compute_kpis(in_period(frame, follow_up), sla_minutes=sla_minutes)
    rows = []
    for key, kpi in KPI_CATALOGUE.items():
        old, new = before[key], after[key]
        change = None if old is None or new is None else round(new - old, 1)
        # More contacts is neither better nor worse service, so volume is never judged.
        improved = None if not change or key == "volume" else (change > 0) == kpi.higher_is_better
        rows.append({"key": key, "baseline": old, "follow_up": new, "change": change, "improved": improved})
    return pd.DataFrame(rows).set_index("key")


def first_response_percentiles(frame: pd.DataFrame, points=(0.5, 0.75, 0.9, 0.95)) -> dict[float, float]:
    answered = frame["first_response_minutes"].dropna()
    if answered.empty:
        return {}
    return {p: round(float(v), 1) for p, v in answered.quantile(list(points)).items()}


def empty_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "platform": pd.Series(dtype="str"),
            "received_at": pd.Series(dtype="datetime64[ns, UTC]"),
            "first_response_minutes": pd.Series(dtype=float),
            "resolution_minutes": pd.Series(dtype=float),
            "resolved_first_contact": pd.Series(dtype="boolean"),
            "satisfaction": pd.Series(dtype="Int64"),
            "nps": pd.Series(dtype="Int64"),
            "sentiment": pd.Series(dtype="str"),
        }
    )
