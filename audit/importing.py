"""Mapping and checking a file of service interactions: pure pandas, no database.

A file is read by ``audit.reading`` (every cell as text), its columns are mapped onto
the canonical columns below, and every row is checked with vectorised operations.
The result is either a clean, canonical DataFrame or a list of problems naming row
and column; never both. See docs/audit.md for the canonical columns and the shipped
presets.

Conversions take a fast path through pyarrow's compute kernels when a whole column
converts cleanly (the usual case), and otherwise the pandas conversion that finds and
names each bad cell; pyarrow accepts a subset of what pandas accepts and gives the same
values for it, so the fast path neither admits nor changes anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from audit import kpi_compute

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


def _per_value(raw: pd.Series, mapping: dict[str, object], dtype: str) -> pd.Series:
    """Look each distinct cell up once (trimmed, lower case), then spread the answers by code.

    Columns such as platform or sentiment hold a handful of distinct values in 100,000
    rows, so this avoids a Python string operation per row. Unknown or missing: NA.
    """
    codes, distinct = pd.factorize(raw)  # a missing cell gets code -1, which takes NA below
    answers = pd.array([mapping.get(str(value).strip().lower()) for value in distinct], dtype=dtype)
    return pd.Series(answers.take(codes, allow_fill=True), index=raw.index)


_ARROW_ERRORS = (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError)


def _to_number(raw: pd.Series) -> pd.Series:
    """``pd.to_numeric(raw, errors="coerce")``, in C when every cell is a plain number."""
    try:
        number = pc.cast(pa.array(raw, from_pandas=True), pa.float64())
    except _ARROW_ERRORS:
        return pd.to_numeric(raw, errors="coerce")
    if pc.any(pc.is_nan(number)).as_py():  # the text "nan" is no number to the checks
        return pd.to_numeric(raw, errors="coerce")
    return pd.Series(number.to_numpy(zero_copy_only=False), index=raw.index)


def _naive_iso_datetimes(text: pd.Series) -> pd.Series | None:
    """ISO 8601 date-times without a zone, parsed in C; None if any cell is anything else."""
    try:
        stamps = pc.cast(pa.array(text, from_pandas=True), pa.timestamp("us"))
    except _ARROW_ERRORS:
        return None
    return pd.Series(stamps.to_numpy(zero_copy_only=False), index=text.index)


@dataclass
class Problem:
    row: int  # as a spreadsheet numbers it: the header is row 1
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class CheckResult:
    frame: pd.DataFrame | None
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0

    @property
    def ok(self) -> bool:
        return self.problem_count == 0


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

    def add_rows(self, mask: pd.Series, column: str, describe) -> None:
        positions = np.flatnonzero(mask.to_numpy(dtype=bool, na_value=False))
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


def check_rows(
    frame: pd.DataFrame, columns: dict[str, str], formats: dict[str, str] | None = None
) -> CheckResult:
    """Map and check every row; the canonical frame only if nothing is wrong."""
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
        if source not in frame.columns:
            found.add(
                1, source, f"The column “{source}” (for {CANONICAL_LABELS[key]}) is missing from the file."
            )
    if found.count:
        return CheckResult(None, found.sorted(), found.count)

    # In this order: the first fifty problems found are the ones listed.
    out = {"platform": _platform(frame[columns["platform"]], columns["platform"], found)}
    received = out["received_at"] = _datetime(frame[columns["received_at"]], columns["received_at"], found)
    out["first_response_minutes"] = _elapsed(
        frame, columns, formats, found, received, at_key="first_response_at", time_key="first_response_time"
    )
    out["resolution_minutes"] = _elapsed(
        frame, columns, formats, found, received, at_key="resolved_at", time_key="resolution_time"
    )
    out["resolved_first_contact"] = _first_contact(frame, columns, formats, found, out["resolution_minutes"])
    out["satisfaction"] = _satisfaction(frame, columns, formats, found)
    out["nps"] = _bounded_int(frame, columns, "nps_score", 0, 10, found)
    out["sentiment"] = _sentiment(frame, columns, found)
    if found.count:
        return CheckResult(None, found.sorted(), found.count)
    return CheckResult(kpi_compute.conform(out).reset_index(drop=True))


def _platform(raw: pd.Series, column: str, found: _Collector) -> pd.Series:
    platform = _per_value(raw, PLATFORM_ALIASES, "str")
    found.add_rows(raw.isna(), column, lambda i: "The platform is empty.")
    found.add_rows(
        raw.notna() & platform.isna(),
        column,
        lambda i: (
            f"Unknown platform “{raw.iat[i]}”; use Facebook, Instagram, X, TikTok, WhatsApp, Trustpilot, "
            "LinkedIn, YouTube, web chat, e-mail, web form, telephone or other."
        ),
    )
    return platform


def _datetime(raw: pd.Series, column: str, found: _Collector, required: bool = True) -> pd.Series:
    text = raw
    parsed = _naive_iso_datetimes(text)
    if parsed is None:
        try:
            # One pass over ISO 8601 text; naive times stay naive, zoned ones become UTC.
            parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
        except (ValueError, TypeError):
            parsed = pd.to_datetime(text, format="ISO8601", errors="coerce", utc=True)  # mixed zones
    if getattr(parsed.dtype, "tz", None) is None:
        # Times without a zone are UK local time, as the exports of a UK team are.
        parsed = parsed.dt.tz_localize(
            LOCAL_TIME_ZONE, ambiguous=np.zeros(len(parsed), dtype=bool), nonexistent="shift_forward"
        )
    parsed = parsed.dt.tz_convert("UTC")
    rest = text.notna() & parsed.isna()
    for pattern in ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M"):
        if not rest.any():
            break
        again = pd.to_datetime(text[rest].str.strip(), format=pattern, errors="coerce")
        again = again.dt.tz_localize(
            LOCAL_TIME_ZONE, ambiguous=np.zeros(len(again), dtype=bool), nonexistent="shift_forward"
        ).dt.tz_convert("UTC")
        parsed = parsed.where(~rest, again)
        rest = text.notna() & parsed.isna()
    if required:
        found.add_rows(text.isna(), column, lambda i: "The date and time are empty.")
    found.add_rows(
        rest,
        column,
        lambda i: f"“{raw.iat[i]}” is not a date and time (use 2026-03-14 09:30 or 14/03/2026 09:30).",
    )
    return parsed


def _duration_minutes(raw: pd.Series, unit: str, column: str, found: _Collector) -> pd.Series:
    text = raw.str.strip() if unit == "hms" else raw
    if unit == "hms":
        parts = text.str.extract(r"^(-?\d+):(\d{1,2})(?::(\d{1,2}))?$")
        clock = parts[0].astype(float) * 60 + parts[1].astype(float) + parts[2].astype(float).fillna(0) / 60
        minutes = clock.where(parts[0].notna(), _to_number(text) * 60)
    else:
        minutes = _to_number(text) * (60 if unit == "hours" else 1)
    found.add_rows(text.notna() & minutes.isna(), column, lambda i: f"“{raw.iat[i]}” is not a duration.")
    found.add_rows(minutes < 0, column, lambda i: f"The duration “{raw.iat[i]}” is negative.")
    return minutes.astype(float)


def _elapsed(
    frame: pd.DataFrame,
    columns: dict[str, str],
    formats: dict[str, str],
    found: _Collector,
    received: pd.Series,
    *,
    at_key: str,
    time_key: str,
) -> pd.Series:
    """Minutes from the message, from a timestamp column or else a duration column."""
    if at_key in columns:
        source = columns[at_key]
        moment = _datetime(frame[source], source, found, required=False)
        minutes = (moment - received).dt.total_seconds() / 60
        found.add_rows(
            minutes < 0,
            source,
            lambda i: (
                f"This ({frame[source].iat[i]}) is before the customer's message "
                f"({frame[columns['received_at']].iat[i]})."
            ),
        )
        return minutes.astype(float)
    if time_key in columns:
        return _duration_minutes(frame[columns[time_key]], formats["duration_unit"], columns[time_key], found)
    return pd.Series(np.nan, index=frame.index, dtype=float)


def _first_contact(
    frame: pd.DataFrame,
    columns: dict[str, str],
    formats: dict[str, str],
    found: _Collector,
    resolution: pd.Series,
) -> pd.Series:
    if "resolved_first_contact" not in columns:
        return pd.Series(pd.NA, index=frame.index, dtype="boolean")
    source = columns["resolved_first_contact"]
    raw = frame[source]
    if formats["fcr_source"] == "replies":
        replies = _to_number(raw)
        found.add_rows(
            raw.notna() & replies.isna(), source, lambda i: f"“{raw.iat[i]}” is not a number of replies."
        )
        found.add_rows(replies < 0, source, lambda i: f"The number of replies “{raw.iat[i]}” is negative.")
        value = (replies == 1) & resolution.notna()
        return value.astype("boolean").where(replies.notna(), pd.NA)
    value = _per_value(raw, BOOLEAN_WORDS, "boolean")
    found.add_rows(raw.notna() & value.isna(), source, lambda i: f"“{raw.iat[i]}” is not yes or no.")
    return value.astype("boolean")


def _satisfaction(
    frame: pd.DataFrame, columns: dict[str, str], formats: dict[str, str], found: _Collector
) -> pd.Series:
    scale = formats["satisfaction_scale"]
    if "satisfaction_score" not in columns or scale == "five":
        return _bounded_int(frame, columns, "satisfaction_score", 1, 5, found)
    source = columns["satisfaction_score"]
    raw = frame[source]
    words = SATISFACTION_WORDS[scale]
    known = _per_value(raw, dict.fromkeys(words, True), "boolean").notna()
    score = _per_value(raw, words, "Int64")
    found.add_rows(
        raw.notna() & ~known,
        source,
        lambda i: (
            f"“{raw.iat[i]}” is not a rating on this scale ({', '.join(w.capitalize() for w in words)})."
        ),
    )
    return score.astype("Int64")


def _bounded_int(
    frame: pd.DataFrame, columns: dict[str, str], key: str, low: int, high: int, found: _Collector
) -> pd.Series:
    if key not in columns:
        return pd.Series(pd.NA, index=frame.index, dtype="Int64")
    source = columns[key]
    raw = frame[source]
    number = _to_number(raw)
    found.add_rows(raw.notna() & number.isna(), source, lambda i: f"“{raw.iat[i]}” is not a number.")
    out_of_range = number.notna() & ((number < low) | (number > high) | (number != number.round()))
    found.add_rows(
        out_of_range,
        source,
        lambda i: f"The score {raw.iat[i]} is out of range: use a whole number from {low} to {high}.",
    )
    return number.where(~out_of_range).astype("Int64")


def _sentiment(frame: pd.DataFrame, columns: dict[str, str], found: _Collector) -> pd.Series:
    if "sentiment" not in columns:
        return pd.Series(pd.NA, index=frame.index, dtype="str")
    source = columns["sentiment"]
    raw = frame[source]
    value = _per_value(raw, SENTIMENT_WORDS, "str")
    found.add_rows(
        raw.notna() & value.isna(), source, lambda i: f"“{raw.iat[i]}” is not positive, neutral or negative."
    )
    return value
