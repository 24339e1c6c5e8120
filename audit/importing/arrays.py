"""Cells as Arrow arrays: reading a column as text, numbers, words or UK date-times.

The checks (``audit.importing.checks``) take a column typed as the reader found it
(numbers, date-times, true/false) or as text, and convert text here. Where a text column
does not convert cleanly in C, the pandas conversion finds each bad cell; pyarrow accepts
a subset of what pandas accepts and gives the same values for it, so the fast path neither
admits nor changes anything. Missing cells are null throughout, never NaN.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

LOCAL_TIME_ZONE = "Europe/London"
UTC_STAMP = pa.timestamp("us", tz="UTC")
_HOUR = 3_600_000_000  # microseconds
_ARROW_ERRORS = (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError)


def is_text(column: pa.Array | pa.ChunkedArray) -> bool:
    kind = column.type
    if pa.types.is_dictionary(kind):  # text of a few distinct values, as the reader gives it
        kind = kind.value_type
    return pa.types.is_string(kind) or pa.types.is_large_string(kind)


def text(column: pa.Array) -> pa.Array:
    """The cells as text: a typed column's values written out ("5", "2026-01-05 09:00:00")."""
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        return column
    if pa.types.is_null(column.type):
        return pa.nulls(len(column), pa.string())
    return pc.cast(column, pa.string())


def cell_texts(column: pa.Array | pa.ChunkedArray) -> list[str | None]:
    """A (short) column's cells as text, for showing; None where a cell is empty."""
    return text(column).to_pylist()


def present(column: pa.Array) -> pa.Array:
    return pc.is_valid(column)


def series(column: pa.Array) -> pd.Series:
    """A text column as a pandas Series, for the conversions only pandas knows."""
    return pd.Series(text(column).to_pandas(), dtype="str")


def from_series(values: pd.Series, type_: pa.DataType) -> pa.Array:
    return pa.Array.from_pandas(values, type=type_) if len(values) else pa.array([], type=type_)


def per_value(
    column: pa.Array | pa.ChunkedArray, mapping: dict[str, object], type_: pa.DataType
) -> tuple[pa.Array, pa.Array]:
    """Each cell looked up in ``mapping`` (trimmed, lower case): the answers, and whether
    the cell was a key at all (a key may map to None). Missing cells: null, not a key.

    Columns such as platform or sentiment hold a handful of distinct values in 100,000
    rows: the reader gives them dictionary-encoded (or they are encoded here), so each
    distinct value is looked up once and the answers spread by index.
    """
    if not pa.types.is_dictionary(column.type):
        column = pc.dictionary_encode(text(column))
    if isinstance(column, pa.ChunkedArray):
        # One dictionary for the whole column (the reader makes one per block of the file).
        column = pa.table({"c": column}).unify_dictionaries()["c"].combine_chunks()
    keys = [None if value is None else str(value).strip().lower() for value in column.dictionary.to_pylist()]
    answers = pa.array([mapping.get(key) for key in keys], type=type_).take(column.indices)
    if all(value is not None for value in mapping.values()):
        return answers, pc.is_valid(answers)  # every key has an answer
    known = pa.array([key in mapping for key in keys], type=pa.bool_()).take(column.indices)
    return answers, pc.fill_null(known, False)


def to_number(column: pa.Array) -> pa.Array:
    """Numbers as float64, null where a cell is missing or not a number, as
    ``pd.to_numeric(errors="coerce")`` reads text (and the text "nan" is no number)."""
    if pa.types.is_integer(column.type) or pa.types.is_floating(column.type):
        number = pc.cast(column, pa.float64())
    elif pa.types.is_null(column.type):
        return pa.nulls(len(column), pa.float64())
    else:
        try:
            number = pc.cast(text(column), pa.float64())
        except _ARROW_ERRORS:
            return from_series(pd.to_numeric(series(column), errors="coerce"), pa.float64())
    if pc.any(pc.is_nan(number)).as_py():
        number = pc.if_else(pc.is_nan(number), pa.scalar(None, pa.float64()), number)
    return number


def mask(condition: pa.Array | pa.ChunkedArray | np.ndarray) -> np.ndarray:
    """A yes/no array as numpy, missing counting as no."""
    if isinstance(condition, np.ndarray):
        return condition
    return pc.fill_null(condition, False).to_numpy(zero_copy_only=False)


def naive_iso_datetimes(cells: pa.Array) -> pa.Array | None:
    """ISO 8601 date-times without a zone, parsed in C; None if any cell is anything else."""
    try:
        return pc.cast(cells, pa.timestamp("us"))
    except _ARROW_ERRORS:
        return None


def uk_local_to_utc(naive: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Times without a zone are UK local time, as the exports of a UK team are. An hour
    that happens twice (October) is taken as the second, winter time; a time in the hour
    that is skipped (March) moves forward to the end of the gap (as pandas' ``tz_localize``
    with ``ambiguous=False, nonexistent="shift_forward"``).

    The UK's offset changes only on whole hours, so the offset is worked out once per
    local hour of the data's span (a few thousand hours) and added to each
    row with integer arithmetic (every time in the skipped hour becomes the end of the gap).
    An hour that straddles a change some other way, and spans of over twenty years, take
    pyarrow's per-row conversion instead.
    """
    stamps = pc.cast(naive, pa.timestamp("us"))
    if isinstance(stamps, pa.ChunkedArray):
        stamps = stamps.combine_chunks()
    micros = pc.fill_null(pc.cast(stamps, pa.int64()), 0).to_numpy()
    valid = pc.is_valid(stamps).to_numpy(zero_copy_only=False)
    if not valid.any():
        return pa.nulls(len(stamps), UTC_STAMP)
    hours = micros // _HOUR
    first, last = int(hours[valid].min()), int(hours[valid].max())
    if last - first > 20 * 366 * 24:
        return uk_local_to_utc_per_row(stamps)
    starts = np.arange(first, last + 1, dtype=np.int64) * _HOUR
    begins, ends = (
        utc_micros(uk_local_to_utc_per_row(pa.array(local, pa.timestamp("us"))))
        for local in (starts, starts + _HOUR - 1)
    )
    regular = ends - begins == _HOUR - 1  # one offset for the whole hour
    skipped = ends == begins  # the hour the clocks skip: all of it moves to the end of the gap
    slot = np.where(valid, hours - first, 0)
    if not (regular | skipped)[slot[valid]].all():
        return uk_local_to_utc_per_row(stamps)
    offsets = begins - starts
    utc = micros + offsets[slot]
    if skipped.any():
        utc = np.where(skipped[slot], begins[slot], utc)
    utc = pa.array(utc, mask=None if valid.all() else ~valid)
    return pc.cast(utc, UTC_STAMP)


def utc_micros(instants: pa.Array) -> np.ndarray:
    return pc.cast(instants, pa.int64()).to_numpy()


def uk_local_to_utc_per_row(stamps: pa.Array) -> pa.Array:
    local = pc.assume_timezone(stamps, timezone=LOCAL_TIME_ZONE, ambiguous="latest", nonexistent="latest")
    return pc.cast(local, UTC_STAMP)


UK_DATE_FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M")
US_DATE_FORMATS = ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y", "%m-%d-%Y %H:%M:%S", "%m-%d-%Y %H:%M")


def datetime_from_text(cells: pd.Series, *, month_first: bool = False) -> pa.Array:
    """What pandas makes of text that is not all plain ISO 8601: ISO with zones or without,
    then the slashed forms, day first (UK) unless ``month_first``. Null where nothing fits."""
    try:
        # One pass over ISO 8601 text; naive times stay naive, zoned ones become UTC.
        parsed = pd.to_datetime(cells, format="ISO8601", errors="coerce")
    except (ValueError, TypeError):
        parsed = pd.to_datetime(cells, format="ISO8601", errors="coerce", utc=True)  # mixed zones
    if getattr(parsed.dtype, "tz", None) is None:
        parsed = localised(parsed)
    parsed = parsed.dt.tz_convert("UTC")
    rest = cells.notna() & parsed.isna()
    for pattern in US_DATE_FORMATS if month_first else UK_DATE_FORMATS:
        if not rest.any():
            break
        again = localised(pd.to_datetime(cells[rest].str.strip(), format=pattern, errors="coerce"))
        parsed = parsed.where(~rest, again.dt.tz_convert("UTC"))
        rest = cells.notna() & parsed.isna()
    return from_series(parsed.dt.as_unit("us"), UTC_STAMP)


def localised(naive: pd.Series) -> pd.Series:
    """As ``uk_local_to_utc``, in pandas."""
    return naive.dt.tz_localize(
        LOCAL_TIME_ZONE, ambiguous=np.zeros(len(naive), dtype=bool), nonexistent="shift_forward"
    )


CLOCK = r"^(-?\d+):(\d{1,2})(?::(\d{1,2}))?$"
