"""Reading an uploaded file of interactions into a table of text cells: no database.

A CSV file may be UTF-8 (with or without BOM) or Windows-1252, with any common
delimiter; an XLSX workbook is read through openpyxl. Every cell comes back as text
(or missing) so that the checks in ``audit.importing`` can quote the learner's own
value when it is wrong.

CSV is parsed by pyarrow's multi-threaded reader, several times faster than pandas'
C engine with ``dtype=str``. pyarrow does not know every convention pandas accepts
(spaces after the delimiter, short or long rows, duplicate or empty headers), so any
file it refuses or might read differently goes through the C engine instead, which
gives the results and messages learners had before.
"""

from __future__ import annotations

import codecs
import csv
import io

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

XLSX_MAGIC = b"PK\x03\x04"
BINARY_MARKERS = (b"\x00", b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"MZ")
DELIMITERS = ",;\t|"
SNIFF_LINES = 20


class FileProblem(Exception):
    """The file as a whole cannot be read; the message says why."""


def decode_text(raw: bytes) -> str:
    """UTF-8 (a BOM is dropped) or else Windows-1252; refuse anything binary."""
    return _decode(raw)[0]


def _decode(raw: bytes) -> tuple[str, bytes]:
    """The text, and the same text as UTF-8 bytes without a BOM (for pyarrow)."""
    head = raw[:8192]
    if any(head.startswith(marker) for marker in BINARY_MARKERS[1:]) or b"\x00" in head:
        raise FileProblem("This file is not a CSV or XLSX file: its content is binary.")
    try:
        text = raw.decode("utf-8-sig")
        utf8 = raw[len(codecs.BOM_UTF8) :] if raw.startswith(codecs.BOM_UTF8) else raw
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError:
            raise FileProblem(
                "This file is neither UTF-8 nor Windows-1252 text; save it as CSV (UTF-8) and try again."
            ) from None
        utf8 = text.encode("utf-8")
    controls = sum(1 for char in text[:4096] if ord(char) < 32 and char not in "\r\n\t")
    if controls > 4:
        raise FileProblem("This file is not a CSV or XLSX file: its content is binary.")
    return text, utf8


def _first_lines(text: str, count: int) -> list[str]:
    """The first ``count`` lines as ``str.splitlines`` cuts them, without splitting the whole file."""
    size = 65_536
    while True:
        lines = text[:size].splitlines()
        if len(lines) > count or size >= len(text):
            return lines[:count]
        size *= 4


def sniff_delimiter(text: str) -> str:
    sample = "\n".join(_first_lines(text, SNIFF_LINES))
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        header = sample.splitlines()[0] if sample else ""
        return max(DELIMITERS, key=header.count)


def read_table(raw: bytes, file_name: str) -> pd.DataFrame:
    """Every cell as text (or missing), headers stripped. Raises FileProblem."""
    if not raw or raw.isspace():  # not raw.strip(): no copy of a large file
        raise FileProblem("The file is empty.")
    if raw.startswith(XLSX_MAGIC):
        frame = _read_xlsx(raw)
    else:
        if file_name.lower().endswith((".xlsx", ".xlsm")):
            raise FileProblem("This file is named as a spreadsheet but is not a valid XLSX file.")
        text, utf8 = _decode(raw)
        if not text or text.isspace():
            raise FileProblem("The file is empty.")
        delimiter = sniff_delimiter(text)
        frame = _read_csv_arrow(utf8, delimiter)
        if frame is None:
            frame = _read_csv_pandas(text, delimiter)
    frame.columns = [str(column).strip() for column in frame.columns]
    if len(frame.index) == 0:
        raise FileProblem("The file has a header but no rows of data.")
    return frame


def _read_xlsx(raw: bytes) -> pd.DataFrame:
    try:
        frame = pd.read_excel(
            io.BytesIO(raw), engine="openpyxl", dtype=str, keep_default_na=False, na_values=[""]
        )
    except Exception as error:  # openpyxl raises many kinds for a broken workbook
        raise FileProblem(f"The spreadsheet could not be read: {error.__class__.__name__}.") from None
    return frame.dropna(how="all")


def _read_csv_pandas(text: str, delimiter: str) -> pd.DataFrame:
    try:
        return pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skipinitialspace=True,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise FileProblem(f"The file could not be read as CSV: {error}") from None


def _read_csv_arrow(utf8: bytes, delimiter: str) -> pd.DataFrame | None:
    """The table as pandas' C engine would read it, or None where pyarrow might differ."""
    header_fields = utf8[: utf8.find(b"\n") if b"\n" in utf8 else len(utf8)].count(delimiter.encode()) + 1
    try:
        table = pa_csv.read_csv(
            io.BytesIO(utf8),
            # The header is read as a row of text like the others, so that every column is
            # text whatever its name (column_types needs names before the file is read).
            read_options=pa_csv.ReadOptions(autogenerate_column_names=True),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter, newlines_in_values=b'"' in utf8, ignore_empty_lines=True
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types={f"f{i}": pa.string() for i in range(header_fields)},
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
                null_values=[""],
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None  # short or long rows and the like: the C engine reads or names them
    if table.num_columns > header_fields:
        return None
    # pandas skips spaces at the start of a field (skipinitialspace), which also lets a
    # quote after "; " open a quoted field; pyarrow keeps them. Such files take the C engine.
    # (Looking at the parsed cells is cheaper than searching the bytes for ", " and "\n ".)
    if b" " in utf8 and any(pc.any(pc.starts_with(column, " ")).as_py() for column in table.columns):
        return None
    names = table.slice(0, 1).to_pylist()[0] if table.num_rows else {}
    headers = [names.get(f"f{i}") for i in range(table.num_columns)]
    # pandas renames empty and repeated headers ("Unnamed: 2", "Id.1"): leave that to it.
    if not headers or any(not header for header in headers) or len(set(headers)) != len(headers):
        return None
    frame = table.slice(1).rename_columns(headers).to_pandas()
    return frame
