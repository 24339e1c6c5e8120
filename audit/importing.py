"""Mapping and checking a file of service interactions: pyarrow and pandas, no database.

A file is read by ``audit.reading`` (an Arrow table: columns typed where every cell was
a number, a date-time or true/false, else text), its columns are mapped onto the
canonical columns below, and every row is checked with vectorised operations. The result
is either a clean, canonical table (``audit.datasets.SCHEMA``) or a list of problems
naming row and column; never both. See docs/audit.md for the canonical columns and the
shipped presets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from audit import datasets

MAX_LISTED_PROBLEMS = 50
LOCAL_TIME_ZONE = "Europe/London"


@dataclass(frozen=True)
class CanonicalColumn:
    key: str
    label: str
    required: bool
    help: str


CANONICAL_COLUMNS: list[CanonicalColumn] = [
    CanonicalColumn(
        "platform", "Platform", True, "Where the customer wrote: Facebook, Instagram, X, TikTok…"
    ),
    CanonicalColumn("received_at", "Received", True, "Date and time the customer's message arrived."),
    CanonicalColumn("first_response_at", "First response at", False, "Date and time of the first reply."),
    CanonicalColumn(
        "first_response_time", "First response time", False, "Time to the first reply, as a duration."
    ),
    CanonicalColumn("resolved_at", "Resolved at", False, "Date and time the matter was resolved."),
    CanonicalColumn("resolution_time", "Resolution time", False, "Time to resolution, as a duration."),
    CanonicalColumn(
        "resolved_first_contact",
        "Resolved on first contact",
        False,
        "Yes/no, or the number of replies it took (one reply = first contact).",
    ),
    CanonicalColumn("satisfaction_score", "Satisfaction score", False, "Rating 1–5, or Good/Bad."),
    CanonicalColumn("nps_score", "NPS score", False, "Likelihood to recommend, 0–10."),
    CanonicalColumn("sentiment", "Sentiment", False, "Positive, neutral or negative."),
]
CANONICAL_KEYS = [column.key for column in CANONICAL_COLUMNS]
CANONICAL_LABELS = {column.key: column.label for column in CANONICAL_COLUMNS}

# How values are written, per canonical column that has more than one convention.
FORMAT_CHOICES: dict[str, list[tuple[str, str]]] = {
    "duration_unit": [
        ("minutes", "Minutes (e.g. 42 or 42.5)"),
        ("hours", "Hours (e.g. 1.5)"),
        ("hms", "Hours as HH:MM:SS or decimal hours (Freshdesk)"),
    ],
    "satisfaction_scale": [
        ("five", "1 to 5"),
        ("good_bad", "Good / Bad (Zendesk): Good counts as 5, Bad as 1"),
        ("freshdesk", "Freshdesk survey words (Extremely happy … Extremely unhappy)"),
    ],
    "fcr_source": [
        ("boolean", "Yes / No"),
        ("replies", "Number of replies (one reply and resolved = first contact)"),
    ],
}
DEFAULT_FORMATS = {"duration_unit": "minutes", "satisfaction_scale": "five", "fcr_source": "boolean"}


@dataclass(frozen=True)
class Preset:
    key: str
    name: str
    columns: dict[str, str]
    formats: dict[str, str]
    note: str


PRESETS: dict[str, Preset] = {
    preset.key: preset
    for preset in [
        Preset(
            "canonical",
            "Our own columns",
            {key: key for key in CANONICAL_KEYS},
            dict(DEFAULT_FORMATS),
            "Files written with the canonical column names, e.g. our template.",
        ),
        Preset(
            "zendesk",
            "Zendesk ticket export",
            {
                "platform": "Via",
                "received_at": "Created at",
                "first_response_time": "First reply time in minutes",
                "resolution_time": "Full resolution time in minutes",
                "resolved_first_contact": "Replies",
                "satisfaction_score": "Satisfaction Score",
            },
            {"duration_unit": "minutes", "satisfaction_scale": "good_bad", "fcr_source": "replies"},
            "Zendesk's CSV export: calendar minutes, satisfaction Good/Bad (Offered and Unoffered mean "
            "no rating), channel in “Via”.",
        ),
        Preset(
            "freshdesk",
            "Freshdesk ticket export",
            {
                "platform": "Source",
                "received_at": "Created time",
                "first_response_at": "Initial response time",
                "resolved_at": "Resolved time",
                "resolved_first_contact": "Agent interactions",
                "satisfaction_score": "Survey results",
            },
            {"duration_unit": "hms", "satisfaction_scale": "freshdesk", "fcr_source": "replies"},
            "Freshdesk's ticket export. Its “First response time (in hrs)” counts business hours only, "
            "so the preset measures from the timestamps instead, in calendar time; “Resolution status” "
            "is SLA compliance, not first contact resolution, so agent interactions are used.",
        ),
    ]
}

PLATFORM_ALIASES: dict[str, str] = {
    "facebook": "facebook",
    "fb": "facebook",
    "facebook messenger": "facebook",
    "messenger": "facebook",
    "facebook post": "facebook",
    "instagram": "instagram",
    "ig": "instagram",
    "instagram direct": "instagram",
    "instagram dm": "instagram",
    "x": "x",
    "twitter": "x",
    "x (twitter)": "x",
    "twitter dm": "x",
    "tiktok": "tiktok",
    "tik tok": "tiktok",
    "whatsapp": "whatsapp",
    "whatsapp business": "whatsapp",
    "trustpilot": "trustpilot",
    "linkedin": "linkedin",
    "youtube": "youtube",
    "chat": "webchat",
    "web chat": "webchat",
    "webchat": "webchat",
    "live chat": "webchat",
    "messaging": "webchat",
    "email": "email",
    "e-mail": "email",
    "mail": "email",
    "outbound email": "email",
    "web": "web",
    "web form": "web",
    "web_form": "web",
    "portal": "web",
    "feedback widget": "web",
    "api": "web",
    "phone": "phone",
    "telephone": "phone",
    "voice": "phone",
    "other": "other",
}

SATISFACTION_WORDS = {
    "good_bad": {"good": 5, "bad": 1, "offered": None, "unoffered": None},
    "freshdesk": {
        "extremely happy": 5,
        "very happy": 5,
        "awesome": 5,
        "happy": 4,
        "neutral": 3,
        "just okay": 3,
        "unhappy": 2,
        "extremely unhappy": 1,
        "very unhappy": 1,
        "not good": 1,
    },
}
BOOLEAN_WORDS = {
    "yes": True,
    "y": True,
    "true": True,
    "1": True,
    "no": False,
    "n": False,
    "false": False,
    "0": False,
}
SENTIMENT_WORDS = {
    "positive": "positive",
    "pos": "positive",
    "neutral": "neutral",
    "neu": "neutral",
    "mixed": "neutral",
    "negative": "negative",
    "neg": "negative",
}


# --- Columns as Arrow arrays -----------------------------------------------------------
#
# The checks work on Arrow arrays with pyarrow's compute kernels: a column comes from the
# reader typed (numbers, date-times, true/false) or as text, and each check takes the typed
# column as it is and converts text itself. Where a text column does not convert cleanly
# in C, the pandas conversion finds and names each bad cell; pyarrow accepts a subset of
# what pandas accepts and gives the same values for it, so the fast path neither admits
# nor changes anything.

_ARROW_ERRORS = (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError)


def _is_text(column: pa.Array | pa.ChunkedArray) -> bool:
    kind = column.type
    if pa.types.is_dictionary(kind):  # text of a few distinct values, as the reader gives it
        kind = kind.value_type
    return pa.types.is_string(kind) or pa.types.is_large_string(kind)


def _text(column: pa.Array) -> pa.Array:
    """The cells as text: a typed column's values written out ("5", "2026-01-05 09:00:00")."""
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        return column
    if pa.types.is_null(column.type):
        return pa.nulls(len(column), pa.string())
    return pc.cast(column, pa.string())


def cell_texts(column: pa.Array | pa.ChunkedArray) -> list[str | None]:
    """A (short) column's cells as text, for showing; None where a cell is empty."""
    return _text(column).to_pylist()


def _present(column: pa.Array) -> pa.Array:
    return pc.is_valid(column)


def _series(column: pa.Array) -> pd.Series:
    """A text column as a pandas Series, for the conversions only pandas knows."""
    return pd.Series(_text(column).to_pandas(), dtype="str")


def _from_series(series: pd.Series, type_: pa.DataType) -> pa.Array:
    return pa.Array.from_pandas(series, type=type_) if len(series) else pa.array([], type=type_)


def _per_value(
    column: pa.Array | pa.ChunkedArray, mapping: dict[str, object], type_: pa.DataType
) -> tuple[pa.Array, pa.Array]:
    """Each cell looked up in ``mapping`` (trimmed, lower case): the answers, and whether
    the cell was a key at all (a key may map to None). Missing cells: null, not a key.

    Columns such as platform or sentiment hold a handful of distinct values in 100,000
    rows: the reader gives them dictionary-encoded (or they are encoded here), so each
    distinct value is looked up once and the answers spread by index.
    """
    if not pa.types.is_dictionary(column.type):
        column = pc.dictionary_encode(_text(column))
    if isinstance(column, pa.ChunkedArray):
        # One dictionary for the whole column (the reader makes one per block of the file).
        column = pa.table({"c": column}).unify_dictionaries()["c"].combine_chunks()
    keys = [None if value is None else str(value).strip().lower() for value in column.dictionary.to_pylist()]
    answers = pa.array([mapping.get(key) for key in keys], type=type_).take(column.indices)
    if all(value is not None for value in mapping.values()):
        return answers, pc.is_valid(answers)  # every key has an answer
    known = pa.array([key in mapping for key in keys], type=pa.bool_()).take(column.indices)
    return answers, pc.fill_null(known, False)


def _to_number(column: pa.Array) -> pa.Array:
    """Numbers as float64, null where a cell is missing or not a number, as
    ``pd.to_numeric(errors="coerce")`` reads text (and the text "nan" is no number)."""
    if pa.types.is_integer(column.type) or pa.types.is_floating(column.type):
        number = pc.cast(column, pa.float64())
    elif pa.types.is_null(column.type):
        return pa.nulls(len(column), pa.float64())
    else:
        try:
            number = pc.cast(_text(column), pa.float64())
        except _ARROW_ERRORS:
            return _from_series(pd.to_numeric(_series(column), errors="coerce"), pa.float64())
    if pc.any(pc.is_nan(number)).as_py():
        number = pc.if_else(pc.is_nan(number), pa.scalar(None, pa.float64()), number)
    return number


def _mask(condition: pa.Array | pa.ChunkedArray | np.ndarray) -> np.ndarray:
    """A yes/no array as numpy, missing counting as no."""
    if isinstance(condition, np.ndarray):
        return condition
    return pc.fill_null(condition, False).to_numpy(zero_copy_only=False)


def _naive_iso_datetimes(text: pa.Array) -> pa.Array | None:
    """ISO 8601 date-times without a zone, parsed in C; None if any cell is anything else."""
    try:
        return pc.cast(text, pa.timestamp("us"))
    except _ARROW_ERRORS:
        return None


def _uk_local_to_utc(naive: pa.Array | pa.ChunkedArray) -> pa.Array:
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
        return _uk_local_to_utc_per_row(stamps)
    starts = np.arange(first, last + 1, dtype=np.int64) * _HOUR
    begins, ends = (
        _utc_micros(_uk_local_to_utc_per_row(pa.array(local, pa.timestamp("us"))))
        for local in (starts, starts + _HOUR - 1)
    )
    regular = ends - begins == _HOUR - 1  # one offset for the whole hour
    skipped = ends == begins  # the hour the clocks skip: all of it moves to the end of the gap
    slot = np.where(valid, hours - first, 0)
    if not (regular | skipped)[slot[valid]].all():
        return _uk_local_to_utc_per_row(stamps)
    offsets = begins - starts
    utc = micros + offsets[slot]
    if skipped.any():
        utc = np.where(skipped[slot], begins[slot], utc)
    utc = pa.array(utc, mask=None if valid.all() else ~valid)
    return pc.cast(utc, UTC_STAMP)


def _utc_micros(instants: pa.Array) -> np.ndarray:
    return pc.cast(instants, pa.int64()).to_numpy()


def _uk_local_to_utc_per_row(stamps: pa.Array) -> pa.Array:
    local = pc.assume_timezone(stamps, timezone=LOCAL_TIME_ZONE, ambiguous="latest", nonexistent="latest")
    return pc.cast(local, UTC_STAMP)


_HOUR = 3_600_000_000  # microseconds
UTC_STAMP = pa.timestamp("us", tz="UTC")


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


# --- Mapping --------------------------------------------------------------------------


def guess_mapping(headers: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """A first mapping and formats: a preset whose key columns are all present, else matching names."""
    present = set(headers)
    for preset in PRESETS.values():
        if all(preset.columns.get(key) in present for key in ("platform", "received_at")):
            return {key: source for key, source in preset.columns.items() if source in present}, dict(
                preset.formats
            )
    simple = {re.sub(r"[^a-z]", "", header.lower()): header for header in headers}
    guessed = {}
    for key in CANONICAL_KEYS:
        for candidate in (key, CANONICAL_LABELS[key]):
            match = simple.get(re.sub(r"[^a-z]", "", candidate.lower()))
            if match:
                guessed[key] = match
                break
    return guessed, dict(DEFAULT_FORMATS)


# --- Checking -------------------------------------------------------------------------


class _Collector:
    """Problems found by vectorised checks; messages are built only for those listed."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.count = 0

    def add_rows(self, mask: pa.Array | pa.ChunkedArray | np.ndarray, column: str, describe) -> None:
        if not isinstance(mask, np.ndarray) and not pc.any(mask).as_py():
            return  # the usual case: nothing wrong, no positions to find
        positions = np.flatnonzero(_mask(mask))
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
            self.text = _text(self.column)
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
    received = out["received_at"] = _datetime(cells[columns["received_at"]], columns["received_at"], found)
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
    platform, known = _per_value(raw, PLATFORM_ALIASES, pa.string())
    shown = _Cells(raw)
    present = _present(raw)
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


UK_DATE_FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M")


def _datetime(raw: pa.Array, column: str, found: _Collector, required: bool = True) -> pa.Array:
    """Instants in UTC: typed date-times as read, text in ISO 8601 or a UK day-first form."""
    kind = raw.type
    if pa.types.is_timestamp(kind) and kind.tz is not None:
        parsed = pc.cast(raw, UTC_STAMP)
    elif pa.types.is_timestamp(kind) or pa.types.is_date(kind):
        parsed = _uk_local_to_utc(raw)
    elif pa.types.is_null(kind):
        parsed = pa.nulls(len(raw), UTC_STAMP)
    else:
        naive = _naive_iso_datetimes(_text(raw))
        parsed = _uk_local_to_utc(naive) if naive is not None else _datetime_from_text(_series(raw))
    shown = _Cells(raw)
    present = _present(raw)
    if required:
        found.add_rows(pc.invert(present), column, lambda i: "The date and time are empty.")
    found.add_rows(
        pc.and_(present, pc.is_null(parsed)),
        column,
        lambda i: f"“{shown[i]}” is not a date and time (use 2026-03-14 09:30 or 14/03/2026 09:30).",
    )
    return parsed


def _datetime_from_text(text: pd.Series) -> pa.Array:
    """What pandas makes of text that is not all plain ISO 8601: ISO with zones or without,
    then the UK day-first forms. Null where nothing fits."""
    try:
        # One pass over ISO 8601 text; naive times stay naive, zoned ones become UTC.
        parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
    except (ValueError, TypeError):
        parsed = pd.to_datetime(text, format="ISO8601", errors="coerce", utc=True)  # mixed zones
    if getattr(parsed.dtype, "tz", None) is None:
        parsed = _localised(parsed)
    parsed = parsed.dt.tz_convert("UTC")
    rest = text.notna() & parsed.isna()
    for pattern in UK_DATE_FORMATS:
        if not rest.any():
            break
        again = _localised(pd.to_datetime(text[rest].str.strip(), format=pattern, errors="coerce"))
        parsed = parsed.where(~rest, again.dt.tz_convert("UTC"))
        rest = text.notna() & parsed.isna()
    return _from_series(parsed.dt.as_unit("us"), UTC_STAMP)


def _localised(naive: pd.Series) -> pd.Series:
    """As ``_uk_local_to_utc``, in pandas."""
    return naive.dt.tz_localize(
        LOCAL_TIME_ZONE, ambiguous=np.zeros(len(naive), dtype=bool), nonexistent="shift_forward"
    )


_CLOCK = r"^(-?\d+):(\d{1,2})(?::(\d{1,2}))?$"


def _duration_minutes(raw: pa.Array, unit: str, column: str, found: _Collector) -> pa.Array:
    if unit == "hms" and pa.types.is_time(raw.type):
        # A column of clock times under 24 hours, read as times of day: seconds since midnight.
        seconds = pc.cast(pc.cast(raw, pa.time32("s")), pa.int32())
        minutes = pc.divide(pc.cast(seconds, pa.float64()), 60.0)
    elif unit == "hms" and _is_text(raw):
        text = _series(raw).str.strip()
        parts = text.str.extract(_CLOCK)
        clock = parts[0].astype(float) * 60 + parts[1].astype(float) + parts[2].astype(float).fillna(0) / 60
        hours = pd.Series(_to_number(_from_series(text, pa.string())).to_numpy(zero_copy_only=False))
        minutes = _from_series(clock.where(parts[0].notna(), hours * 60), pa.float64())
    else:
        factor = 1.0 if unit == "minutes" else 60.0
        minutes = pc.multiply(_to_number(raw), factor)
    shown = _Cells(raw)
    found.add_rows(
        pc.and_(_present(raw), pc.is_null(minutes)), column, lambda i: f"“{shown[i]}” is not a duration."
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
        moment = _datetime(cells[source], source, found, required=False)
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
        replies = _to_number(raw)
        found.add_rows(
            pc.and_(_present(raw), pc.is_null(replies)),
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
    value, known = _per_value(raw, BOOLEAN_WORDS, pa.bool_())
    found.add_rows(
        pc.and_(_present(raw), pc.invert(known)), source, lambda i: f"“{shown[i]}” is not yes or no."
    )
    return value


def _satisfaction(
    cells: dict[str, pa.Array], columns: dict[str, str], formats: dict[str, str], found: _Collector, rows: int
) -> pa.Array:
    scale = formats["satisfaction_scale"]
    if "satisfaction_score" not in columns or scale == "five":
        return _bounded_int(cells, columns, "satisfaction_score", 1, 5, found, rows)
    source = columns["satisfaction_score"]
    raw = cells[source]
    words = SATISFACTION_WORDS[scale]
    score, known = _per_value(raw, words, pa.int64())
    shown = _Cells(raw)
    found.add_rows(
        pc.and_(_present(raw), pc.invert(known)),
        source,
        lambda i: f"“{shown[i]}” is not a rating on this scale ({', '.join(w.capitalize() for w in words)}).",
    )
    return score


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
        number = _to_number(raw)
        found.add_rows(
            pc.and_(_present(raw), pc.is_null(number)), source, lambda i: f"“{shown[i]}” is not a number."
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
    raw = cells[source]
    value, known = _per_value(raw, SENTIMENT_WORDS, pa.string())
    shown = _Cells(raw)
    found.add_rows(
        pc.and_(_present(raw), pc.invert(known)),
        source,
        lambda i: f"“{shown[i]}” is not positive, neutral or negative.",
    )
    return value
