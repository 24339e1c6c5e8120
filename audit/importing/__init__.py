"""Mapping and checking a file of service interactions: pyarrow and pandas, no database.

A file is read by ``audit.reading`` (an Arrow table: columns typed where every cell was
a number, a date-time or true/false, else text), its columns are mapped onto the
canonical columns (``mapping``), and every row is checked with vectorised operations
(``checks``, converting cells with ``arrays``). The result is either a clean, canonical
table (``audit.datasets.SCHEMA``) or a list of problems naming row and column; never
both. See docs/audit.md for the canonical columns and the shipped presets.
"""

from audit.importing.arrays import cell_texts
from audit.importing.checks import MAX_LISTED_PROBLEMS, CheckResult, Problem, check_rows, parse_datetimes
from audit.importing.dates import DateOrder, column_samples, date_order_in
from audit.importing.mapping import (
    BOOLEAN_WORDS,
    CANONICAL_COLUMNS,
    CANONICAL_KEYS,
    CANONICAL_LABELS,
    DEFAULT_FORMATS,
    FORMAT_CHOICES,
    PLATFORM_ALIASES,
    PRESETS,
    SATISFACTION_WORDS,
    SENTIMENT_WORDS,
    CanonicalColumn,
    Preset,
    guess_mapping,
)

__all__ = [
    "BOOLEAN_WORDS",
    "CANONICAL_COLUMNS",
    "CANONICAL_KEYS",
    "CANONICAL_LABELS",
    "DEFAULT_FORMATS",
    "FORMAT_CHOICES",
    "MAX_LISTED_PROBLEMS",
    "PLATFORM_ALIASES",
    "PRESETS",
    "SATISFACTION_WORDS",
    "SENTIMENT_WORDS",
    "CanonicalColumn",
    "CheckResult",
    "DateOrder",
    "Preset",
    "Problem",
    "cell_texts",
    "check_rows",
    "column_samples",
    "date_order_in",
    "guess_mapping",
    "parse_datetimes",
]
