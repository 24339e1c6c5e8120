"""The fast paths (pyarrow's CSV reader and compute kernels) read exactly what pandas
reads, and leave anything they might read differently to pandas."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from audit import arrowfiles, importing, reading
from audit.importing import arrays, checks
from audit.synthetic import interactions_csv

CASES = {
    "plain": b"a,b\n1,2\n3,4\n",
    "windows line ends": b"a,b\r\n1,2\r\n3,4\r\n",
    "old mac line ends": b"a,b\r1,2\r3,4\r",
    "quote inside a field": b'a,b\nab"c,2\n3,4\n',
    "text after a closing quote": b'a,b\n"ab"c,2\n3,4\n',
    "quoted delimiter": b'a,b\n"x,y",2\n3,4\n',
    "quoted line break": b'a,b\n"x\ny",2\n3,4\n',
    "doubled quote": b'a,b\n"x""y",2\n',
    "blank lines": b"a,b\n\n1,2\n\n\n3,4\n\n",
    "row of empty cells": b"a,b\n,\n1,2\n",
    "quoted empty cell": b'a,b\n"",2\n',
    "trailing spaces": b"a,b\n1 ,2 \n",
    "spaces after the delimiter": b'a, b\n1, "2,5"\n',
    "a space before a value": b"a,b\n1, 2\n 3,4\n",
    "a cell of spaces": b"a,b\n1,  \n",
    "tab at the start of a cell": b"a,b\n\tx,2\n",
    "lone quote": b'a,b\n",2\n',
    "unterminated quote": b'a,b\n"x,2\n3,4\n',
    "long row": b"a,b\n1,2,3\n",
    "short row": b"a,b\n1\n",
    "repeated header": b"a,a\n1,2\n",
    "empty header": b"a,\n1,2\n",
    "quoted header with a delimiter": b'"a,x","b"\n1,2\n',
    "header only": b"a,b\n",
    "no final line break": b"a,b\n1,2",
    "semicolons with decimal commas": b"a;b\n1;2,5\n",
    "accents": "a,b\ncafé,£2\n".encode(),
    "windows-1252": "a;b\ncafé;£2\n".encode("cp1252"),
    "byte order mark": "\ufeffa,b\n1,2\n".encode(),
}


def _same_cells(fast: pa.Table, expected: pd.DataFrame) -> None:
    """pyarrow's table holds what pandas read: the same headers and rows, text columns
    cell for cell, and typed columns the values pandas' own conversions give the text."""
    assert fast.column_names == list(expected.columns)
    assert fast.num_rows == len(expected.index)
    for name in fast.column_names:
        column, text = fast[name], expected[name]
        if arrays.is_text(column):
            assert importing.cell_texts(column) == text.astype(object).where(text.notna(), None).tolist()
        elif pa.types.is_timestamp(column.type):
            values = pd.Series(pc.cast(column, pa.timestamp("us")).to_pandas())
            pd.testing.assert_series_equal(
                values, pd.to_datetime(text, format="ISO8601").dt.as_unit("us"), check_names=False
            )
        elif pa.types.is_boolean(column.type):
            cells = text.astype(object).where(text.notna(), None).tolist()
            assert column.to_pylist() == [None if cell is None else cell.lower() == "true" for cell in cells]
        else:
            numbers = pc.cast(column, pa.float64()).to_numpy(zero_copy_only=False)
            np.testing.assert_array_equal(numbers, pd.to_numeric(text).to_numpy(dtype=float))


@pytest.mark.parametrize("raw", CASES.values(), ids=CASES.keys())
def test_pyarrow_reads_what_pandas_reads_or_steps_aside(raw):
    text, utf8 = reading._decode(raw)
    delimiter = reading.sniff_delimiter(text)
    fast = reading._read_csv_arrow(utf8, delimiter)
    try:
        expected = reading._read_csv_pandas(text, delimiter)
    except reading.FileProblem:
        assert fast is None
        return
    if fast is not None:
        _same_cells(fast, expected)


def test_a_clean_export_takes_the_fast_path_and_keeps_the_types_it_found():
    raw = interactions_csv(50)
    text, utf8 = reading._decode(raw)

    fast = reading._read_csv_arrow(utf8, ",")

    assert fast is not None
    table = reading.read_table(raw, "d.csv")
    _same_cells(table, reading._read_csv_pandas(text, ","))
    assert str(table["received_at"].type) == "timestamp[s]"
    assert str(table["first_response_time"].type) == "double"
    assert pa.types.is_dictionary(table["platform"].type)


def test_the_table_kept_at_upload_reads_back_as_it_was_read():
    table = reading.read_table(interactions_csv(500), "d.csv")

    kept = reading.from_stored(arrowfiles.to_bytes(reading.for_storing(table)), "d.csv")

    assert kept.column_names == table.column_names
    assert kept.to_pylist() == table.to_pylist()


def test_a_file_kept_as_uploaded_is_read_again():
    raw = interactions_csv(20)

    kept = reading.from_stored(raw, "d.csv")

    assert kept.to_pylist() == reading.read_table(raw, "d.csv").to_pylist()


def test_a_damaged_kept_table_is_a_file_problem():
    data = arrowfiles.to_bytes(reading.for_storing(reading.read_table(interactions_csv(20), "d.csv")))

    with pytest.raises(reading.FileProblem, match="damaged"):
        reading.from_stored(data[: len(data) // 2], "d.csv")


def test_the_delimiter_is_sniffed_from_the_first_lines_only():
    text = "a;b\n" + "1;2\n" * 30 + "x,y,z,w\n" * 100_000

    assert reading.sniff_delimiter(text) == ";"


@pytest.mark.parametrize(
    "cells",
    [
        ["42", "42.5", "-5", "+5", "1e3", ".5", "5.", "007", None],
        ["42", "nan"],
        ["42", " 42", "42 "],
        ["1", "inf", "-Infinity"],
        ["1_000", "0x10", "1,5", "12.3.4", "٣"],
    ],
    ids=["plain numbers", "the text nan", "spaces", "infinities", "not numbers"],
)
def test_numbers_convert_exactly_as_pandas_converts_them(cells):
    raw = pd.Series(cells, dtype="str")
    expected = pd.to_numeric(raw, errors="coerce").astype(float).to_numpy()

    number = arrays.to_number(pa.array(cells, pa.string()))

    np.testing.assert_array_equal(number.to_numpy(zero_copy_only=False), expected)
    assert number.null_count == int(np.isnan(expected).sum())  # missing is null, never NaN


def test_a_column_read_as_numbers_converts_as_its_text_would():
    table = reading.read_table(b"a,b,c\n42,1.5,nan\n-5,,2\n", "d.csv")

    assert [str(table[name].type) for name in "abc"] == ["int64", "double", "double"]
    for name in "abc":
        typed = arrays.to_number(table[name]).to_pylist()
        text = arrays.to_number(pc.cast(table[name], pa.string())).to_pylist()
        assert typed == text
    assert arrays.to_number(table["c"]).to_pylist() == [None, 2.0]  # the text "nan" is no number


def test_the_text_nan_is_not_a_duration():
    frame = pd.DataFrame(
        {
            "platform": ["Facebook", "X"],
            "received_at": ["2026-01-05 09:00", "2026-01-05 10:00"],
            "wait": ["5", "nan"],
        },
        dtype="str",
    )

    result = importing.check_rows(
        frame, {"platform": "platform", "received_at": "received_at", "first_response_time": "wait"}
    )

    assert [(p.row, p.column, p.message) for p in result.problems] == [
        (3, "wait", "“nan” is not a duration.")
    ]


@pytest.mark.parametrize(
    "cells",
    [
        ["2026-01-05T09:00:00", "2026-01-05 09:00", "2026-01-05", "2026-03-29 01:30", None],
        ["2026-01-05T09:00:00Z", "2026-01-05T09:00:00+01:00"],
        ["2026-01-05 09:00", "05/01/2026 09:00"],
        ["2026-02-30 09:00", "2026-01-05 9:00", "2026-10-25 01:30:00.123456"],
    ],
    ids=["naive ISO", "zoned ISO", "UK dates", "odd ones"],
)
def test_date_times_parse_exactly_as_the_pandas_path_parses_them(cells, monkeypatch):
    raw = pa.array(cells, pa.string())
    fast_found, slow_found = checks._Collector(), checks._Collector()

    fast = checks._datetime(raw, "when", fast_found)
    monkeypatch.setattr(arrays, "naive_iso_datetimes", lambda text: None)
    slow = checks._datetime(raw, "when", slow_found)

    assert fast.to_pylist() == slow.to_pylist()
    assert [p.as_dict() for p in fast_found.problems] == [p.as_dict() for p in slow_found.problems]


def test_date_times_read_as_such_are_the_instants_their_text_gives():
    # Around both clock changes and midnight, and one missing cell.
    lines = ["2026-03-29 00:59:59", "2026-03-29 01:30:00", "2026-10-25 01:30:00", "2026-10-25 23:59:59", ""]
    table = reading.read_table(("when,n\n" + "".join(f"{line},1\n" for line in lines)).encode(), "d.csv")
    assert pa.types.is_timestamp(table["when"].type)

    typed = checks._datetime(table["when"], "when", checks._Collector(), required=False)
    text = arrays.datetime_from_text(pd.Series([*lines[:-1], None], dtype="str"))

    assert typed.to_pylist() == text.to_pylist()
    assert typed.to_pylist()[-1] is None


def test_uk_local_times_convert_hour_by_hour_as_pandas_converts_them_row_by_row():
    # Every 7 minutes through both clock changes of 2026 and a few days around them.
    local = np.concatenate(
        [
            np.arange(np.datetime64("2026-03-27"), np.datetime64("2026-03-31"), np.timedelta64(7, "m")),
            np.arange(np.datetime64("2026-10-23"), np.datetime64("2026-10-27"), np.timedelta64(7, "m")),
        ]
    ).astype("datetime64[us]")
    naive = pa.array(local, pa.timestamp("us"), mask=np.arange(len(local)) % 97 == 0)

    fast = arrays.uk_local_to_utc(naive)
    by_pandas = arrays.localised(pd.Series(local)).dt.tz_convert("UTC")

    assert fast.type == arrays.UTC_STAMP
    assert fast.null_count == naive.null_count
    expected = [
        None if missing else stamp for missing, stamp in zip(pc.is_null(naive).to_pylist(), by_pandas)
    ]
    assert [None if stamp is None else pd.Timestamp(stamp) for stamp in fast.to_pylist()] == expected


def test_checking_gives_the_same_rows_from_either_reader():
    raw = interactions_csv(500)
    text, _utf8 = reading._decode(raw)
    columns = {key: key for key in importing.CANONICAL_KEYS if key in text.splitlines()[0].split(",")}

    fast = importing.check_rows(reading.read_table(raw, "d.csv"), columns)
    slow = importing.check_rows(reading._read_csv_pandas(text, ","), columns)

    pd.testing.assert_frame_equal(fast.frame, slow.frame)


def test_rows_keep_their_numbers_when_a_workbook_had_blank_rows(monkeypatch):
    # An XLSX read drops blank rows, so the frame's index has gaps: 0, 2, 3.
    frame = pd.DataFrame(
        {
            "platform": ["Facebook", "X", "TikTok"],
            "received_at": ["2026-01-05 09:00", "2026-01-05 10:00", "2026-01-06 11:00"],
            "wait": ["5", "7.5", None],
        },
        index=[0, 2, 3],
        dtype="str",
    )
    columns = {"platform": "platform", "received_at": "received_at", "first_response_time": "wait"}

    fast = importing.check_rows(frame, columns).frame
    monkeypatch.setattr(arrays, "naive_iso_datetimes", lambda text: None)
    monkeypatch.setattr(
        arrays,
        "to_number",
        lambda raw: arrays.from_series(pd.to_numeric(arrays.series(raw), errors="coerce"), pa.float64()),
    )
    slow = importing.check_rows(frame, columns).frame

    pd.testing.assert_frame_equal(fast, slow)
    assert fast["received_at"].notna().all()
    assert fast["first_response_minutes"].tolist()[:2] == [5.0, 7.5]


@pytest.mark.parametrize(
    "raw",
    [b"a,b\n\x01\x02\x03\x04\x05\x06,1\n", "a,b\n\x01\x02\x03\x04\x05\x06,é\n".encode()],
    ids=["ASCII", "UTF-8"],
)
def test_text_full_of_control_characters_is_refused_as_binary(raw):
    with pytest.raises(reading.FileProblem, match="binary"):
        reading.read_table(raw, "d.csv")


def test_a_plain_ascii_file_is_read_as_its_decoded_text_would_be():
    raw = b"platform;received_at\nX;2026-01-05 09:00\n"

    table = reading.read_table(raw, "d.csv")

    assert table.column_names == ["platform", "received_at"]
    assert table.to_pylist() == reading.read_table("\ufeff".encode() + raw, "d.csv").to_pylist()


def test_a_column_of_dates_alone_is_read_as_dates_and_means_uk_midnight():
    table = reading.read_table(b"platform,received_at\nX,2026-01-05\nX,2026-07-06\n", "d.csv")
    assert pa.types.is_date(table["received_at"].type)

    result = importing.check_rows(table, {"platform": "platform", "received_at": "received_at"})

    assert result.ok
    assert [str(stamp) for stamp in result.frame["received_at"]] == [
        "2026-01-05 00:00:00+00:00",  # winter: UK time is UTC
        "2026-07-05 23:00:00+00:00",  # summer: midnight in London is 23:00 UTC the day before
    ]


def _workbook() -> bytes:
    import datetime
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Via", "Created at", "Minutes", "Score", "Flag", "Day", "Note"])
    sheet.append(
        ["Facebook", datetime.datetime(2026, 1, 5, 9, 30), 12, 4.5, True, datetime.date(2026, 1, 5), None]
    )
    sheet.append([None] * 7)
    sheet.append(
        ["X", datetime.datetime(2026, 3, 29, 1, 30, 15), 7.25, 5, False, datetime.date(2026, 3, 29), "a, b"]
    )
    sheet.append(["  TikTok ", "05/01/2026 09:00", None, "Good", "yes", "2026-01-05", 0])
    sheet["C5"] = "=1+2"  # a formula without a saved value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_workbook_reads_the_same_through_calamine_as_through_openpyxl():
    raw = _workbook()

    fast, slow = reading._read_xlsx(raw), reading._read_xlsx(raw, engine="openpyxl")

    pd.testing.assert_frame_equal(fast, slow)
    assert fast.index.tolist() == [0, 2, 3]  # the blank row is dropped
    assert fast["Created at"].tolist() == ["2026-01-05 09:30:00", "2026-03-29 01:30:15", "05/01/2026 09:00"]


def test_a_broken_workbook_is_a_file_problem():
    raw = _workbook()

    with pytest.raises(reading.FileProblem, match="spreadsheet could not be read"):
        reading.read_table(raw[: len(raw) // 2], "export.xlsx")


@pytest.mark.parametrize("raw", list(CASES.values()), ids=list(CASES))
def test_a_file_mapped_from_disk_reads_as_its_bytes_do(raw, tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes(raw)
    try:
        expected = reading.read_table(raw, "d.csv")
    except reading.FileProblem as problem:
        with pytest.raises(reading.FileProblem, match=re.escape(str(problem))):
            reading.read_path(str(path), "d.csv")
        return

    table = reading.read_path(str(path), "d.csv")

    assert table.column_names == expected.column_names
    assert table.to_pylist() == expected.to_pylist()


def test_large_files_are_looked_at_in_pieces_across_a_character_cut(monkeypatch):
    """UTF-8 validated a piece at a time: a character split between two pieces is still
    UTF-8, and a Windows-1252 file is still converted whole."""
    monkeypatch.setattr(reading, "CHUNK_BYTES", 7)
    raw = "platform,note\nX,café £2 – ok\nY,naïve\n".encode()

    assert reading.read_table(raw, "d.csv")["note"].to_pylist() == ["café £2 – ok", "naïve"]
    windows = "platform;note\nX;café £2\n".encode("cp1252")
    assert reading.read_table(windows, "d.csv")["note"].to_pylist() == ["café £2"]


def test_an_empty_file_on_disk_is_empty(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes(b"")

    with pytest.raises(reading.FileProblem, match="The file is empty"):
        reading.read_path(str(path), "d.csv")
