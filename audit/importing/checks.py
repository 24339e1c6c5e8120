"""Checking every row of a file against its mapping: all or nothing.

The result is either the canonical table (``audit.datasets.SCHEMA``) or the problems,
each naming the row (as a spreadsheet numbers it) and the file's column; the first fifty
are listed and all are counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from audit import datasets
from audit.importing import arrays
from audit.importing.dates import MONTH_FIRST
from audit.importing.mapping import (
    BOOLEAN_WORDS,
    CANONICAL_LABELS,
    DEFAULT_FORMATS,
    PLATFORM_ALIASES,
    SATISFACTION_WORDS,
    SENTIMENT_WORDS,
)

MAX_LISTED_PROBLEMS = 50


@dataclass
class Problem:
    row: int  # as a spreadsheet numbers it: the header is row 1
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class CheckResult:
    table: pa.Table | None  # the canonical interactions (``datasets.SCHEMA``), if all is well
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    @property
    def frame(self) -> pd.DataFrame | None:
        """The canonical interactions as the frame ``audit.kpi_compute`` works on."""
        return None if self.table is None else datasets.to_frame(self.table)


# --- Checking -------------------------------------------------------------------------


class _Collector:
    """Problems found by vectorised checks; messages are built only for those listed."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.count = 0

    def add_rows(self, mask: pa.Array | pa.ChunkedArray | np.ndarray, column: str, describe) -> None:
        if not isinstance(mask, np.ndarray) and not pc.any(mask).as_py():
            return  # the usual case: nothing wrong, no positions to find
        positions = np.flatnonzero(arrays.mask(mask))
        self.count += len(positions)
        room = MAX_LISTED_PROBLEMS - len(self.problems)
        for position in positions[: max(room, 0)]:
            self.problems.append(Problem(int(position) + 2, column, describe(int(position))))

    def add(self, row: int, column: str, message: str) -> None:
        self.count += 1
        if len(self.problems) < MAX_LISTED_PROBLEMS:
            self.problems.append(Problem(row, column, message))

    def sorted(self) -> list[Problem]:
        return sorted(self.problems, key=lambda p: (p.row, p.column))


class _Cells:
    """The learner's own value of a cell, as text, for a message (the column is written out
    as text once, and only if a message needs it)."""

    def __init__(self, column: pa.Array) -> None:
        self.column = column
        self.text: pa.Array | None = None

    def __getitem__(self, position: int) -> str:
        if self.text is None:
            self.text = arrays.text(self.column)
        return self.text[position].as_py()


def check_rows(
    table: pa.Table | pd.DataFrame, columns: dict[str, str], formats: dict[str, str] | None = None
) -> CheckResult:
    """Map and check every row; the canonical table only if nothing is wrong.

    ``table`` is what ``audit.reading`` read (a frame of text cells is taken too)."""
    if isinstance(table, pd.DataFrame):
        table = pa.Table.from_pandas(table.astype("str"), preserve_index=False)
    formats = {**DEFAULT_FORMATS, **(formats or {})}
    columns = {key: source for key, source in columns.items() if source and key in CANONICAL_LABELS}
    found = _Collector()
    for key in ("platform", "received_at"):
        if key not in columns:
            found.add(
                1,
                CANONICAL_LABELS[key],
                f"No column is mapped to “{CANONICAL_LABELS[key]}”, which is required.",
            )
    for key, source in columns.items():
        if source not in table.column_names:
            found.add(
                1, source, f"The column “{source}” (for {CANONICAL_LABELS[key]}) is missing from the file."
            )
    if found.count:
        return CheckResult(None, found.sorted(), found.count)

    cells = {source: table[source] for source in set(columns.values())}
    rows = table.num_rows
    # In this order: the first fifty problems found are the ones listed.
    out = {"platform": _platform(cells[columns["platform"]], columns["platform"], found)}
    month_first = formats["date_order"] == MONTH_FIRST
    received = out["received_at"] = _datetime(
        cells[columns["received_at"]], columns["received_at"], found, month_first=month_first
    )
    out["first_response_minutes"] = _elapsed(
        cells, columns, formats, found, received, at_key="first_response_at", time_key="first_response_time"
    )
    out["resolution_minutes"] = _elapsed(
        cells, columns, formats, found, received, at_key="resolved_at", time_key="resolution_time"
    )
    out["resolved_first_contact"] = _first_contact(cells, columns, formats, found, out["resolution_minutes"])
    out["satisfaction"] = _satisfaction(cells, columns, formats, found, rows)
    out["nps"] = _bounded_int(cells, columns, "nps_score", 0, 10, found, rows)
    out["sentiment"] = _sentiment(cells, columns, found, rows)
    if found.count:
        return CheckResult(None, found.sorted(), found.count)
    return CheckResult(pa.table(out, schema=datasets.SCHEMA))


def _platform(raw: pa.Array, column: str, found: _Collector) -> pa.Array:
    platform, known = arrays.per_value(raw, PLATFORM_ALIASES, pa.string())
    shown = _Cells(raw)
    present = arrays.present(raw)
    found.add_rows(pc.invert(present), column, lambda i: "The platform is empty.")
    found.add_rows(
        pc.and_(present, pc.invert(known)),
        column,
        lambda i: (
            f"Unknown platform “{shown[i]}”; use Facebook, Instagram, X, TikTok, WhatsApp, Trustpilot, "
            "LinkedIn, YouTube, web chat, e-mail, web form, telephone or other."
        ),
    )
    return platform


def parse_datetimes(raw: pa.Array, *, month_first: bool = False) -> pa.Array:
    """Instants in UTC: typed date-times as read, text in ISO 8601 or a slashed form (day first
    unless ``month_first``); null where a cell is empty or is not a date and time."""
    kind = raw.type
    if pa.types.is_timestamp(kind) and kind.tz is not None:
        parsed = pc.cast(raw, arrays.UTC_STAMP)
    elif pa.types.is_timestamp(kind) or pa.types.is_date(kind):
        parsed = arrays.uk_local_to_utc(raw)
    elif pa.types.is_null(kind):
        parsed = pa.nulls(len(raw), arrays.UTC_STAMP)
    else:
        naive = arrays.naive_iso_datetimes(arrays.text(raw))
        parsed = (
            arrays.uk_local_to_utc(naive)
            if naive is not None
            else arrays.datetime_from_text(arrays.series(raw), month_first=month_first)
        )
    return parsed


def _datetime(
    raw: pa.Array, column: str, found: _Collector, required: bool = True, *, month_first: bool = False
) -> pa.Array:
    parsed = parse_datetimes(raw, month_first=month_first)
    shown = _Cells(raw)
    present = arrays.present(raw)
    if required:
        found.add_rows(pc.invert(present), column, lambda i: "The date and time are empty.")
    found.add_rows(
        pc.and_(present, pc.is_null(parsed)),
        column,
        lambda i: f"“{shown[i]}” is not a date and time (use 2026-03-14 09:30 or 14/03/2026 09:30).",
    )
    return parsed


def _duration_minutes(raw: pa.Array, unit: str, column: str, found: _Collector) -> pa.Array:
    if unit == "hms" and pa.types.is_time(raw.type):
        # A column of clock times under 24 hours, read as times of day: seconds since midnight.
        seconds = pc.cast(pc.cast(raw, pa.time32("s")), pa.int32())
        minutes = pc.divide(pc.cast(seconds, pa.float64()), 60.0)
    elif unit == "hms" and arrays.is_text(raw):
        text = arrays.series(raw).str.strip()
        parts = text.str.extract(arrays.CLOCK)
        clock = parts[0].astype(float) * 60 + parts[1].astype(float) + parts[2].astype(float).fillna(0) / 60
        hours = pd.Series(
            arrays.to_number(arrays.from_series(text, pa.string())).to_numpy(zero_copy_only=False)
        )
        minutes = arrays.from_series(clock.where(parts[0].notna(), hours * 60), pa.float64())
    else:
        factor = 1.0 if unit == "minutes" else 60.0
        minutes = pc.multiply(arrays.to_number(raw), factor)
    shown = _Cells(raw)
    found.add_rows(
        pc.and_(arrays.present(raw), pc.is_null(minutes)),
        column,
        lambda i: f"“{shown[i]}” is not a duration.",
    )
    found.add_rows(pc.less(minutes, 0), column, lambda i: f"The duration “{shown[i]}” is negative.")
    return minutes


def _elapsed(
    cells: dict[str, pa.Array],
    columns: dict[str, str],
    formats: dict[str, str],
    found: _Collector,
    received: pa.Array,
    *,
    at_key: str,
    time_key: str,
) -> pa.Array:
    """Minutes from the message, from a timestamp column or else a duration column."""
    if at_key in columns:
        source = columns[at_key]
        moment = _datetime(
            cells[source], source, found, required=False, month_first=formats["date_order"] == MONTH_FIRST
        )
        microseconds = pc.cast(pc.subtract(moment, received), pa.int64())
        minutes = pc.divide(pc.cast(microseconds, pa.float64()), 60_000_000.0)
        shown, message = _Cells(cells[source]), _Cells(cells[columns["received_at"]])
        found.add_rows(
            pc.less(minutes, 0),
            source,
            lambda i: f"This ({shown[i]}) is before the customer's message ({message[i]}).",
        )
        return minutes
    if time_key in columns:
        source = columns[time_key]
        return _duration_minutes(cells[source], formats["duration_unit"], source, found)
    return pa.nulls(len(received), pa.float64())


def _first_contact(
    cells: dict[str, pa.Array],
    columns: dict[str, str],
    formats: dict[str, str],
    found: _Collector,
    resolution: pa.Array,
) -> pa.Array:
    if "resolved_first_contact" not in columns:
        return pa.nulls(len(resolution), pa.bool_())
    source = columns["resolved_first_contact"]
    raw = cells[source]
    shown = _Cells(raw)
    if formats["fcr_source"] == "replies":
        replies = arrays.to_number(raw)
        found.add_rows(
            pc.and_(arrays.present(raw), pc.is_null(replies)),
            source,
            lambda i: f"“{shown[i]}” is not a number of replies.",
        )
        found.add_rows(
            pc.less(replies, 0), source, lambda i: f"The number of replies “{shown[i]}” is negative."
        )
        # One reply and resolved; unknown where the number of replies is.
        one = pc.equal(replies, 1.0)
        return pc.if_else(pc.is_null(resolution), pc.if_else(pc.is_null(one), None, False), one)
    if pa.types.is_boolean(raw.type):
        return raw
    return _words(raw, source, BOOLEAN_WORDS, pa.bool_(), found, lambda cell: f"“{cell}” is not yes or no.")


def _satisfaction(
    cells: dict[str, pa.Array], columns: dict[str, str], formats: dict[str, str], found: _Collector, rows: int
) -> pa.Array:
    scale = formats["satisfaction_scale"]
    if "satisfaction_score" not in columns or scale == "five":
        return _bounded_int(cells, columns, "satisfaction_score", 1, 5, found, rows)
    source = columns["satisfaction_score"]
    words = SATISFACTION_WORDS[scale]
    scale_words = ", ".join(word.capitalize() for word in words)
    return _words(
        cells[source],
        source,
        words,
        pa.int64(),
        found,
        lambda cell: f"“{cell}” is not a rating on this scale ({scale_words}).",
    )


def _bounded_int(
    cells: dict[str, pa.Array],
    columns: dict[str, str],
    key: str,
    low: int,
    high: int,
    found: _Collector,
    rows: int,
) -> pa.Array:
    if key not in columns:
        return pa.nulls(rows, pa.int64())
    source = columns[key]
    raw = cells[source]
    shown = _Cells(raw)
    if pa.types.is_integer(raw.type):
        number = raw  # read as whole numbers: every cell is one
        out_of_range = pc.or_(pc.less(number, low), pc.greater(number, high))
    else:
        number = arrays.to_number(raw)
        found.add_rows(
            pc.and_(arrays.present(raw), pc.is_null(number)),
            source,
            lambda i: f"“{shown[i]}” is not a number.",
        )
        out_of_range = pc.or_(
            pc.or_(pc.less(number, low), pc.greater(number, high)), pc.not_equal(number, pc.round(number))
        )
    found.add_rows(
        out_of_range,
        source,
        lambda i: f"The score {shown[i]} is out of range: use a whole number from {low} to {high}.",
    )
    if pc.any(out_of_range).as_py():
        number = pc.if_else(pc.fill_null(out_of_range, False), None, number)
    return pc.cast(number, pa.int64())


def _sentiment(cells: dict[str, pa.Array], columns: dict[str, str], found: _Collector, rows: int) -> pa.Array:
    if "sentiment" not in columns:
        return pa.nulls(rows, pa.string())
    source = columns["sentiment"]
    return _words(
        cells[source],
        source,
        SENTIMENT_WORDS,
        pa.string(),
        found,
        lambda cell: f"“{cell}” is not positive, neutral or negative.",
    )


def _words(
    raw: pa.Array, source: str, mapping: dict, type_: pa.DataType, found: _Collector, unknown
) -> pa.Array:
    """Each cell looked up in ``mapping`` (trimmed, lower case); a cell that is none of its
    words is a problem, worded by ``unknown`` from the learner's own value."""
    value, known = arrays.per_value(raw, mapping, type_)
    shown = _Cells(raw)
    found.add_rows(pc.and_(arrays.present(raw), pc.invert(known)), source, lambda i: unknown(shown[i]))
    return value
