"""Which way round a file writes its dates, and a few sample values of each column.

"04/09/2026" is 4 September in the UK and 9 April in the US. A help-desk export does not say
which, so the file is read once, when it arrives, for proof: a first number above 12
("25/03/2026") can only be a day, a second number above 12 ("03/25/2026") can only be a day
too. The person mapping the columns is shown what was found and confirms it; a file whose
every date could be read either way (all first and second numbers 12 or less) is not
guessed: the person is asked. Dates written year first (ISO 8601) and typed date cells
need no choice.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from audit.importing.arrays import is_text, text

DAY_FIRST = "day_first"
MONTH_FIRST = "month_first"
AMBIGUOUS = "ambiguous"  # slashed dates, all readable either way
MIXED = "mixed"  # proof of both orders in one file
DATE_ORDER_CHOICES = [
    (DAY_FIRST, "Day first, as in the UK: 04/09/2026 is 4 September 2026"),
    (MONTH_FIRST, "Month first, as in the US: 04/09/2026 is 9 April 2026"),
]
# A day or month, a separator, the other, a separator, a year; at the start of the cell.
SLASHED = r"^\s*(?P<first>\d{1,2})[/.-](?P<second>\d{1,2})[/.-](?P<year>\d{2,4})(?:\D|$)"
SAMPLES_PER_COLUMN = 3
SAMPLE_ROWS = 200  # samples are taken from the first rows only
SAMPLE_LENGTH = 40


@dataclass(frozen=True)
class DateOrder:
    """What the file's slashed dates allow: ``order`` is "" when it has none."""

    order: str = ""
    example: str = ""  # a cell that proves the order (or, when ambiguous, a cell that could be either)
    column: str = ""
    other_example: str = ""  # when mixed: a cell proving the other order

    def as_dict(self) -> dict[str, str]:
        return {
            "order": self.order,
            "example": self.example,
            "column": self.column,
            "other_example": self.other_example,
        }

    @classmethod
    def of(cls, stored: dict[str, str] | None) -> DateOrder:
        stored = stored or {}
        return cls(
            order=stored.get("order", ""),
            example=stored.get("example", ""),
            column=stored.get("column", ""),
            other_example=stored.get("other_example", ""),
        )

    @property
    def certain(self) -> str:
        """The order the file proves, or "" when it proves none (or both)."""
        return self.order if self.order in (DAY_FIRST, MONTH_FIRST) else ""

    @property
    def must_ask(self) -> bool:
        return self.order in (AMBIGUOUS, MIXED)


def _distinct_cells(column: pa.ChunkedArray) -> tuple[pa.Array, pa.ChunkedArray | None]:
    """The texts to look at and, for a dictionary-encoded column, each row's index into them.

    A column of a few distinct values (platform, yes/no) comes dictionary-encoded from the
    reader: its distinct values are looked at, not two million cells; the rows are only
    needed to find the first that proves something."""
    if not pa.types.is_dictionary(column.type):
        return text(column), None
    unified = pa.table({"cells": column}).unify_dictionaries()["cells"]
    if not unified.num_chunks:
        return pa.array([], pa.string()), pa.chunked_array([], pa.int32())
    values = text(unified.chunk(0).dictionary)
    return values, pa.chunked_array([chunk.indices for chunk in unified.chunks], unified.type.index_type)


def _first(values: pa.Array, rows: pa.ChunkedArray | None, where: pa.Array) -> str | None:
    """The first cell, in the order of the rows, of those ``where`` marks among ``values``."""
    if not pc.any(where).as_py():
        return None
    if rows is None:
        return str(pc.filter(values, where)[0].as_py())
    row = pc.index(pc.take(where, rows), True).as_py()
    return None if row < 0 else str(values[rows[row].as_py()].as_py())


def date_order_in(table: pa.Table) -> DateOrder:
    """Read every text cell that starts with a slashed date (vectorised) for proof of its order."""
    day_proof: tuple[str, str] | None = None
    month_proof: tuple[str, str] | None = None
    either: tuple[str, str] | None = None
    for name in table.column_names:
        column = table[name]
        if not is_text(column):
            continue
        cells, rows = _distinct_cells(column)
        parts = pc.extract_regex(cells, SLASHED)
        found = pc.fill_null(pc.is_valid(parts), False)
        if not pc.any(found).as_py():
            continue
        first = pc.cast(pc.struct_field(parts, "first"), pa.int16())
        second = pc.cast(pc.struct_field(parts, "second"), pa.int16())
        if day_proof is None and (example := _first(cells, rows, pc.fill_null(pc.greater(first, 12), False))):
            day_proof = (example.strip(), name)
        if month_proof is None and (
            example := _first(cells, rows, pc.fill_null(pc.greater(second, 12), False))
        ):
            month_proof = (example.strip(), name)
        if either is None and (example := _first(cells, rows, found)):
            either = (example.strip(), name)
    if day_proof and month_proof:
        return DateOrder(MIXED, day_proof[0], day_proof[1], other_example=month_proof[0])
    if day_proof:
        return DateOrder(DAY_FIRST, *day_proof)
    if month_proof:
        return DateOrder(MONTH_FIRST, *month_proof)
    if either:
        return DateOrder(AMBIGUOUS, *either)
    return DateOrder()


def column_samples(table: pa.Table) -> dict[str, list[str]]:
    """Up to three different non-empty values of each column, from the first rows, shortened."""
    head = table.slice(0, SAMPLE_ROWS)
    samples: dict[str, list[str]] = {}
    for name in head.column_names:
        seen: list[str] = []
        for value in text(head[name]).to_pylist():
            value = (value or "").strip()
            if value and value not in seen:
                seen.append(value if len(value) <= SAMPLE_LENGTH else value[: SAMPLE_LENGTH - 1] + "…")
            if len(seen) == SAMPLES_PER_COLUMN:
                break
        samples[name] = seen
    return samples
