"""Reading an uploaded file of interactions into an Arrow table: no database.

A file is read once, at upload, and kept as read (``for_storing``, ``from_stored``: Arrow's
IPC format, which reads back without parsing), so the import, the preview and the checks
never parse the CSV again.

A CSV file may be UTF-8 (with or without BOM) or Windows-1252, with any common
delimiter; an XLSX workbook is read through calamine. pyarrow's multi-threaded reader
parses a CSV and converts, in the same pass, every column whose cells are all plain
numbers, ISO 8601 dates and times or true/false into those types; any other column stays
text, so that the checks in ``audit.importing`` can quote the learner's own value when it
is wrong. pyarrow does not know every convention pandas accepts (spaces after the
delimiter, short or long rows, duplicate or empty headers), so any file it refuses or
might read differently goes through pandas' C engine instead, every cell as text, which
gives the results and messages learners had before. Workbooks are read as text too.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import mmap
import os

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from audit import arrowfiles

XLSX_MAGIC = b"PK\x03\x04"
BINARY_MARKERS = (b"\x00", b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"MZ")
DELIMITERS = ",;\t|"
SNIFF_LINES = 20
SNIFF_BYTES = 262_144  # the delimiter is guessed from the first lines within this much
DICTIONARY_MAX_VALUES = 100


class FileProblem(Exception):
    """The file as a whole cannot be read; the message says why."""


def _refuse_binary_start(head: bytes) -> None:
    if any(head.startswith(marker) for marker in BINARY_MARKERS[1:]) or b"\x00" in head:
        raise FileProblem("This file is not a CSV or XLSX file: its content is binary.")


def _refuse_control_characters(text: str) -> None:
    controls = sum(1 for char in text[:4096] if ord(char) < 32 and char not in "\r\n\t")
    if controls > 4:
        raise FileProblem("This file is not a CSV or XLSX file: its content is binary.")


CHUNK_BYTES = 1 << 20  # large files are looked at a megabyte at a time, never copied whole


def _chunks(data) -> object:
    view = memoryview(data)
    for start in range(0, len(view), CHUNK_BYTES):
        yield bytes(view[start : start + CHUNK_BYTES])


def _blank(data) -> bool:
    """Empty, or nothing but white space (``bytes.isspace`` a megabyte at a time)."""
    return all(chunk.isspace() for chunk in _chunks(data))


def _is_ascii(data) -> bool:
    return all(chunk.isascii() for chunk in _chunks(data))


def _is_utf8(data) -> bool:
    """Whether the bytes are UTF-8, checked a megabyte at a time (the text is not kept)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for chunk in _chunks(data):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _cp1252_as_utf8(data) -> bytes:
    """Windows-1252 text as UTF-8 (a single-byte encoding: safe to convert in pieces)."""
    try:
        return b"".join(chunk.decode("cp1252").encode("utf-8") for chunk in _chunks(data))
    except UnicodeDecodeError:
        raise FileProblem(
            "This file is neither UTF-8 nor Windows-1252 text; save it as CSV (UTF-8) and try again."
        ) from None


def _decode(raw) -> tuple[str, bytes | object]:
    """The start of the text (for sniffing), and the whole file as UTF-8 bytes for pyarrow
    (the file itself when it is UTF-8: pyarrow and pandas skip a byte order mark)."""
    _refuse_binary_start(bytes(memoryview(raw)[:8192]))
    utf8 = raw if _is_utf8(raw) else _cp1252_as_utf8(raw)
    head = codecs.getincrementaldecoder("utf-8-sig")().decode(bytes(memoryview(utf8)[:SNIFF_BYTES]))
    _refuse_control_characters(head)
    return head, utf8


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


def read_path(path: str, file_name: str) -> pa.Table:
    """``read_table`` of a file on disk, mapped into memory rather than read into it: a
    file of two million rows (100 MB) is looked at in place, never copied whole."""
    with open(path, "rb") as handle:
        if os.fstat(handle.fileno()).st_size == 0:
            raise FileProblem("The file is empty.")
        mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    try:
        return read_table(mapped, file_name)
    finally:
        with contextlib.suppress(BufferError):  # a view of it is still alive: it closes with that
            mapped.close()


def read_table(raw: bytes | mmap.mmap, file_name: str) -> pa.Table:
    """The file's columns, typed or text (missing cells are null), headers stripped.
    ``raw`` is the file's bytes, or a file mapped into memory (``read_path``); a large
    file is looked at a megabyte at a time and parsed by pyarrow in place.
    Raises FileProblem."""
    if not len(raw) or _blank(raw):  # not raw.strip(): no copy of a large file
        raise FileProblem("The file is empty.")
    if raw[: len(XLSX_MAGIC)] == XLSX_MAGIC:
        table = _text_table(_read_xlsx(raw))
    else:
        if file_name.lower().endswith((".xlsx", ".xlsm")):
            raise FileProblem("This file is named as a spreadsheet but is not a valid XLSX file.")
        if _is_ascii(raw):
            # Plain ASCII is already UTF-8: no need to decode the whole file (a few megabytes
            # of text made only to be thrown away); pandas, if it is needed, decodes it.
            _refuse_binary_start(raw[:8192])
            head = raw[:SNIFF_BYTES].decode("ascii")
            _refuse_control_characters(head)
            utf8 = raw
        else:
            head, utf8 = _decode(raw)
            bom = len(codecs.BOM_UTF8) if utf8[: len(codecs.BOM_UTF8)] == codecs.BOM_UTF8 else 0
            if _blank(memoryview(utf8)[bom:]):  # a byte order mark alone, say
                raise FileProblem("The file is empty.")
        delimiter = sniff_delimiter(head)
        table = _read_csv_arrow(utf8, delimiter)
        if table is None:
            table = _text_table(_read_csv_pandas(bytes(utf8).decode("utf-8-sig"), delimiter))
    if table.num_rows == 0:
        raise FileProblem("The file has a header but no rows of data.")
    return table


def _text_table(frame: pd.DataFrame) -> pa.Table:
    """A frame of text cells as an Arrow table of text columns, headers stripped."""
    names = [str(column).strip() for column in frame.columns]
    return pa.table(
        [pa.array(frame[column], type=pa.string(), from_pandas=True) for column in frame.columns],
        names=names,
    )


# The file as read, kept between the upload and the import as an Arrow IPC file
# (audit.arrowfiles), so that reading it back is a matter of pointing at the bytes.
IPC_MAGIC = b"ARROW1"
STORED_SUFFIX = ".arrow"


def for_storing(table: pa.Table) -> pa.Table:
    """The table as the IPC file format keeps it: one dictionary per encoded column."""
    return table.unify_dictionaries()


def from_stored(data: bytes | pa.Buffer, file_name: str) -> pa.Table:
    """The table kept at upload; a file kept as uploaded (before tables were kept) is read
    again. Raises FileProblem."""
    if arrowfiles.starts_with(data, IPC_MAGIC):
        try:
            return pa.ipc.open_file(pa.BufferReader(data)).read_all()
        except (pa.ArrowInvalid, OSError):
            raise FileProblem("The stored copy of this file is damaged; upload the file again.") from None
    return read_table(bytes(memoryview(data)), file_name)


def _read_xlsx(raw: bytes | mmap.mmap, engine: str = "calamine") -> pd.DataFrame:
    """A workbook's first sheet, every cell as text. Read with calamine (Rust, through
    python-calamine): 100,000 rows take about a second, where openpyxl takes seven, and the
    upload waits for it. The tests hold the two engines to the same cells."""
    try:
        frame = pd.read_excel(
            io.BytesIO(bytes(raw)), engine=engine, dtype=str, keep_default_na=False, na_values=[""]
        )
    except Exception as error:  # a broken workbook raises many kinds of error
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


def _read_csv_arrow(utf8: bytes | mmap.mmap, delimiter: str) -> pa.Table | None:
    """The table, or None where pyarrow might read the file differently from pandas."""
    try:
        table = pa_csv.read_csv(
            pa.BufferReader(pa.py_buffer(utf8)),  # in place: a mapped file is not copied
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter, newlines_in_values=utf8.find(b'"') != -1, ignore_empty_lines=True
            ),
            convert_options=pa_csv.ConvertOptions(
                # Only an empty cell is missing: "NA" or "null" is the learner's text.
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
                # Text columns of a few distinct values (platform, sentiment, yes/no) come
                # dictionary-encoded: the checks look each distinct value up once.
                auto_dict_encode=True,
                auto_dict_max_cardinality=DICTIONARY_MAX_VALUES,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None  # short or long rows and the like: the C engine reads or names them
    # pandas skips spaces at the start of a field (skipinitialspace), which also lets a
    # quote after "; " open a quoted field; pyarrow keeps them in text. Such files take the
    # C engine. (Typed columns had none: pyarrow trims numbers as pandas does.)
    if utf8.find(b" ") != -1 and any(_starts_with_space(column) for column in table.columns):
        return None
    headers = [name.strip() for name in table.column_names]
    # pandas renames empty and repeated headers ("Unnamed: 2", "Id.1"): leave that to it.
    if not headers or any(not header for header in headers) or len(set(headers)) != len(headers):
        return None
    return table.rename_columns(headers)


def _starts_with_space(column: pa.ChunkedArray) -> bool:
    """Whether a text cell starts with a space (a dictionary-encoded column's distinct values
    are looked at, not every cell)."""
    if pa.types.is_dictionary(column.type):
        return any(pc.any(pc.starts_with(chunk.dictionary, " ")).as_py() for chunk in column.chunks)
    if pa.types.is_string(column.type):
        return bool(pc.any(pc.starts_with(column, " ")).as_py())
    return False
