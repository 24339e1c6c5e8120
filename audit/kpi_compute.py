"""Service KPIs from a DataFrame of interactions: pure pandas, no database.

The frame has the canonical interaction columns (``COLUMNS`` below; the import makes
them, see audit.importing, and audit.datasets stores them). Every key of
``audit.kpis.KPI_CATALOGUE`` is computed here, with the definitions written there.
A KPI whose denominator is empty is ``None`` (not zero): "no ratings" is not "0 %".
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from audit.kpis import KPI_CATALOGUE

LOCAL_TIME_ZONE = "Europe/London"

# The interaction frame every function here takes: columns in this order, with these types.
COLUMNS: dict[str, str] = {
    "platform": "str",  # audit.models.Platform value
    "received_at": "datetime64[us, UTC]",
    "first_response_minutes": "float64",  # calendar minutes; missing if unanswered
    "resolution_minutes": "float64",  # calendar minutes; missing if unresolved
    "resolved_first_contact": "boolean",
    "satisfaction": "Int64",  # 1–5
    "nps": "Int64",  # 0–10
    "sentiment": "str",  # positive / neutral / negative
}


def conform(frame: pd.DataFrame | dict[str, pd.Series]) -> pd.DataFrame:
    """The canonical columns of ``frame`` (a frame or columns by name), in order, with their
    types (no copy, and no conversion at all, where a column already has its type)."""
    return pd.DataFrame(
        {
            name: _utc(frame[name]) if name == "received_at" else _typed(frame[name], _DTYPES[name])
            for name in COLUMNS
        },
        copy=False,
    )


_DTYPES = {name: pd.api.types.pandas_dtype(dtype) for name, dtype in COLUMNS.items()}


def _typed(column: pd.Series, dtype: object) -> pd.Series:
    # astype to the type a column has copies nothing but still costs a tenth of a millisecond.
    return column if column.dtype == dtype else column.astype(dtype)


def _utc(received: pd.Series) -> pd.Series:
    if getattr(received.dtype, "tz", None) is None:
        received = pd.to_datetime(received, utc=True)
    wanted = _DTYPES["received_at"]
    if received.dtype == wanted and received.dtype.tz is wanted.tz:
        return received  # what the conversion below gives, which would copy the column
    return received.dt.tz_convert("UTC").dt.as_unit("us")


def empty_frame() -> pd.DataFrame:
    return conform(pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in COLUMNS.items()}))


def _share(numerator: int | float, denominator: int | float) -> float | None:
    return None if not denominator else round(100.0 * numerator / denominator, 1)


def _round(value: float) -> float | None:
    return None if value is None or pd.isna(value) else round(float(value), 1)


# --- The KPIs of groups of rows, in one pass -------------------------------------------
#
# Every view (overall, per platform, per week, two periods) is the same catalogue over
# groups of rows. Counting per group with numpy and taking medians per group slice is
# one pass over the frame, where a pandas computation per group costs some twenty
# operations on a sub-frame for each of the twenty-odd groups (ten times slower at
# 100,000 rows). The tests hold these results equal to the straightforward computation.


class _Columns:
    """The frame's columns as plain numpy arrays (missing = NaN), and the yes/no facts the
    shares count, made once per frame and service level."""

    def __init__(self, frame: pd.DataFrame, sla_minutes: float) -> None:
        self.received = frame["received_at"]
        self.platform = frame["platform"]
        self.first_response = frame["first_response_minutes"].to_numpy(dtype=float, na_value=np.nan)
        self.resolution = frame["resolution_minutes"].to_numpy(dtype=float, na_value=np.nan)
        fcr = frame["resolved_first_contact"].astype("boolean")
        fcr_known = fcr.notna().to_numpy() & ~np.isnan(self.resolution)
        satisfaction = frame["satisfaction"].to_numpy(dtype=float, na_value=np.nan)
        nps = frame["nps"].to_numpy(dtype=float, na_value=np.nan)
        sentiment = frame["sentiment"]
        self.flags: dict[str, np.ndarray] = {
            "within": self.first_response <= sla_minutes,  # unanswered (NaN) is outside it
            "fcr_known": fcr_known,
            "fcr_yes": fcr_known & fcr.to_numpy(dtype=bool, na_value=False),
            "rated": ~np.isnan(satisfaction),
            "satisfied": satisfaction >= 4,
            "nps_answers": ~np.isnan(nps),
            "promoters": nps >= 9,
            "detractors": nps <= 6,
            "tagged": sentiment.notna().to_numpy(),
            "positive": (sentiment == "positive").to_numpy(dtype=bool, na_value=False),
        }

    @functools.cached_property
    def facts(self) -> np.ndarray:
        """The yes/no facts of each row as the bits of one number (fact i is bit i), so that
        one ``bincount`` of (group, facts) counts every fact in every group at once."""
        facts = np.zeros(len(self.first_response), dtype=np.int64)
        for bit, flag in enumerate(self.flags.values()):
            facts |= flag.astype(np.int64) << bit
        return facts

    @functools.cached_property
    def days(self) -> np.ndarray:
        """Each interaction's UK local calendar date, as numpy days."""
        return _local_days(self.received)


def _median_and_p90(values: np.ndarray) -> tuple[float, float]:
    """``np.median(values)`` and ``np.quantile(values, 0.9)`` of values without NaN (at least
    one), from one partition of ``values`` in place (pass a copy you no longer need).

    numpy partitions for each call (the quantile also at the smallest and largest value, the
    median once more to look for NaN): one partition at the few order statistics both need
    halves the work on two million rows. The arithmetic is numpy's (the mean of the two
    middle values; the linear interpolation of ``numpy.quantile``), so the results are equal
    to the last bit; the tests hold them so."""
    count = len(values)
    middle = count // 2
    virtual = (count - 1) * 0.9
    below = math.floor(virtual)
    above = min(below + 1, count - 1)
    values.partition(sorted({middle if count % 2 else middle - 1, middle, below, above}))
    median = _middle_value(values)
    low, high, weight = float(values[below]), float(values[above]), virtual - below
    step = high - low
    p90 = high - step * (1 - weight) if weight >= 0.5 else low + step * weight
    return median, p90


def _median(values: np.ndarray) -> float:
    """``np.median`` of values without NaN (at least one), partitioning ``values`` in place."""
    middle = len(values) // 2
    values.partition(middle if len(values) % 2 else [middle - 1, middle])
    return _middle_value(values)


def _middle_value(partitioned: np.ndarray) -> float:
    """The median of values partitioned at their middle: numpy's (the mean of the two middle
    values when there are an even number)."""
    middle = len(partitioned) // 2
    if len(partitioned) % 2:
        return float(partitioned[middle])
    return (float(partitioned[middle - 1]) + float(partitioned[middle])) / 2


def _counts_per_group(
    columns: _Columns, codes: np.ndarray, kept: np.ndarray | None, groups: int
) -> tuple[dict[str, list[int]], list[int]]:
    """How many rows of each group have each fact, and each group's size: one ``bincount``
    over (group, combination of facts), then each fact's combinations added up (ten
    weighted ``bincount`` calls, one per fact, cost ten passes over the rows)."""
    facts = columns.facts if kept is None else columns.facts[kept]
    combinations = 1 << len(columns.flags)
    joint = np.bincount(codes * combinations + facts, minlength=groups * combinations)
    joint = joint.reshape(groups, combinations)
    has_fact = (np.arange(combinations)[:, None] >> np.arange(len(columns.flags))) & 1
    per_fact = joint @ has_fact  # groups × facts, exact integer counts
    counts = {name: per_fact[:, bit].tolist() for bit, name in enumerate(columns.flags)}
    return counts, joint.sum(axis=1).tolist()


def _group_kpis(columns: _Columns, codes: np.ndarray, groups: int) -> list[dict]:
    """The catalogue for each group 0…groups-1 of ``codes``; rows with code -1 are left out.

    Same definitions, rounding and ``None`` for an empty denominator as computing each
    group alone (the tests hold the two equal).
    """
    kept = codes >= 0
    everything = bool(kept.all())
    if groups == 1:
        counts = {
            name: [int(np.count_nonzero(flag if everything else flag & kept))]
            for name, flag in columns.flags.items()
        }
        volume = [int(np.count_nonzero(kept))]
        first_response = columns.first_response if everything else columns.first_response[kept]
        resolution = columns.resolution if everything else columns.resolution[kept]
        bounds = [0, volume[0]]
    else:
        codes = codes if everything else codes[kept]
        counts, volume = _counts_per_group(columns, codes, None if everything else kept, groups)
        # Rows in group order, so that each group's values are one slice (a radix sort: few codes).
        order = np.argsort(codes.astype(np.int16 if groups < 2**15 else np.int64), kind="stable")
        first_response = (columns.first_response if everything else columns.first_response[kept])[order]
        resolution = (columns.resolution if everything else columns.resolution[kept])[order]
        bounds = [0, *np.cumsum(volume).tolist()]
    rows = []
    for group in range(groups):
        part = slice(bounds[group], bounds[group + 1])
        replies = first_response[part][~np.isnan(first_response[part])]
        resolved = resolution[part][~np.isnan(resolution[part])]
        total = volume[group]
        count = {name: values[group] for name, values in counts.items()}
        # ``replies`` and ``resolved`` are copies (boolean indexing): partitioned in place.
        median_reply, p90_reply = _median_and_p90(replies) if len(replies) else (None, None)
        values: dict[str, float | None] = {
            "volume": float(total),
            "response_rate": _share(len(replies), total),
            "median_first_response": None if median_reply is None else _round(median_reply),
            "p90_first_response": None if p90_reply is None else _round(p90_reply),
            "within_sla": _share(count["within"], total),
            "median_resolution": _round(_median(resolved) / 60) if len(resolved) else None,
            "fcr": _share(count["fcr_yes"], count["fcr_known"]),
            "csat": _share(count["satisfied"], count["rated"]),
            "nps": (
                _round(100.0 * (count["promoters"] - count["detractors"]) / count["nps_answers"])
                if count["nps_answers"]
                else None
            ),
            "positive_sentiment": _share(count["positive"], count["tagged"]),
        }
        rows.append(values)
    return rows


def compute_kpis(frame: pd.DataFrame, *, sla_minutes: float) -> dict[str, float | None]:
    """Every catalogued KPI over the whole frame."""
    return _overall(_Columns(frame, sla_minutes))


def _overall(columns: _Columns) -> dict[str, float | None]:
    values = _group_kpis(columns, np.zeros(len(columns.first_response), dtype=np.intp), 1)[0]
    assert set(values) == set(KPI_CATALOGUE)
    return values


def _local_days(received: pd.Series) -> np.ndarray:
    local = received.dt.tz_convert(LOCAL_TIME_ZONE).dt.tz_localize(None)
    return local.to_numpy().astype("datetime64[D]")


def _mondays(days: np.ndarray) -> np.ndarray:
    # Day 0 of numpy's calendar, 1 January 1970, was a Thursday (3, counting Monday as 0).
    return (days - (days.astype(np.int64) + 3) % 7).astype("datetime64[us]")


def week_start(received: pd.Series) -> pd.Series:
    """The Monday (UK local date) of each interaction's week."""
    return pd.Series(_mondays(_local_days(received)), index=received.index)


def kpis_by(frame: pd.DataFrame, *, by: str, sla_minutes: float) -> pd.DataFrame:
    """One row per platform or per week ("platform" / "week"), one column per KPI."""
    return _kpis_by(_Columns(frame, sla_minutes), by=by)


def _kpis_by(columns: _Columns, *, by: str) -> pd.DataFrame:
    keys = pd.Series(_mondays(columns.days)) if by == "week" else columns.platform
    codes, groups = pd.factorize(keys, sort=True)  # a missing key gets -1: left out, as groupby does
    rows = _group_kpis(columns, codes, len(groups))
    keys = pd.DatetimeIndex(groups) if by == "week" else pd.Index(groups)
    return _table(rows, keys.rename(by))


def _table(rows: list[dict], index: pd.Index) -> pd.DataFrame:
    """What ``pd.DataFrame.from_dict(dict(zip(index, rows)), orient="index")`` gives with the
    catalogue's columns, in a tenth of the time: built from one float array (None as NaN),
    except that a column with no value at all holds its Nones as objects, as pandas infers."""
    if not rows:
        table = pd.DataFrame.from_dict({}, orient="index", columns=list(KPI_CATALOGUE))
        table.index.name = index.name
        return table
    values = np.array([[row[key] for key in KPI_CATALOGUE] for row in rows], dtype=float)
    table = pd.DataFrame(values, index=index, columns=list(KPI_CATALOGUE))
    for column in table.columns[np.isnan(values).all(axis=0)]:
        table[column] = pd.Series([None] * len(rows), index=index, dtype=object)
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
    return frame[_period_mask(_local_days(frame["received_at"]), period)]


def _period_mask(days: np.ndarray, period: Period) -> np.ndarray:
    return (days >= np.datetime64(period.start, "D")) & (days <= np.datetime64(period.end, "D"))


def compare_periods(
    frame: pd.DataFrame, *, baseline: Period, follow_up: Period, sla_minutes: float
) -> pd.DataFrame:
    """One row per KPI: baseline, follow-up, change and whether it is an improvement."""
    return _compare(_Columns(frame, sla_minutes), baseline=baseline, follow_up=follow_up)


def _compare(columns: _Columns, *, baseline: Period, follow_up: Period) -> pd.DataFrame:
    # The periods may overlap, so each is counted on its own.
    before, after = (
        _group_kpis(columns, np.where(_period_mask(columns.days, period), 0, -1), 1)[0]
        for period in (baseline, follow_up)
    )
    rows: dict[str, list] = {"baseline": [], "follow_up": [], "change": [], "improved": []}
    for key, kpi in KPI_CATALOGUE.items():
        old, new = before[key], after[key]
        change = None if old is None or new is None else round(new - old, 1)
        # More contacts is neither better nor worse service, so volume is never judged.
        improved = None if not change or key == "volume" else (change > 0) == kpi.higher_is_better
        for column, value in zip(rows, (old, new, change, improved), strict=True):
            rows[column].append(value)
    # Volume is never None, so the first three columns are floats (None as NaN), as pandas
    # would infer them from the rows; "improved" holds True, False and None.
    return pd.DataFrame(
        {
            **{column: np.array(rows[column], dtype=float) for column in ("baseline", "follow_up", "change")},
            "improved": np.array(rows["improved"], dtype=object),
        },
        index=pd.Index(list(KPI_CATALOGUE), name="key"),
    )


@dataclass(frozen=True)
class KpiTables:
    """Every KPI view of one dataset: what the KPI page, the strategy and the PDF show."""

    overall: dict[str, float | None]
    by_platform: pd.DataFrame
    by_week: pd.DataFrame
    comparison: pd.DataFrame | None


def kpi_tables(
    frame: pd.DataFrame, *, sla_minutes: float, baseline: Period | None, follow_up: Period | None
) -> KpiTables:
    """``compute_kpis``, ``kpis_by`` both ways and ``compare_periods`` (if both periods are
    given), sharing the work of reading the columns and the local dates once."""
    columns = _Columns(frame, sla_minutes)
    comparison = None
    if baseline is not None and follow_up is not None:
        comparison = _compare(columns, baseline=baseline, follow_up=follow_up)
    return KpiTables(
        overall=_overall(columns),
        by_platform=_kpis_by(columns, by="platform"),
        by_week=_kpis_by(columns, by="week"),
        comparison=comparison,
    )


def first_response_percentiles(frame: pd.DataFrame, points=(0.5, 0.75, 0.9, 0.95)) -> dict[float, float]:
    answered = frame["first_response_minutes"].dropna()
    if answered.empty:
        return {}
    return {p: round(float(v), 1) for p, v in answered.quantile(list(points)).items()}
