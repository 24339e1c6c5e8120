"""The fast paths (pyarrow's CSV reader and compute kernels) read exactly what pandas
reads, and leave anything they might read differently to pandas."""

from __future__ import annotations

import pandas as pd
import pytest

from audit import importing, reading
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


def _cells(frame: pd.DataFrame) -> tuple:
    return (
        list(frame.columns),
        frame.astype(object).where(frame.notna(), None).values.tolist(),
        list(frame.index),
    )


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
        assert _cells(fast) == _cells(expected)
        assert list(fast.dtypes) == list(expected.dtypes)


def test_a_clean_export_takes_the_fast_path():
    raw = interactions_csv(50)
    text, utf8 = reading._decode(raw)

    fast = reading._read_csv_arrow(utf8, ",")

    assert fast is not None
    pd.testing.assert_frame_equal(reading.read_table(raw, "d.csv"), reading._read_csv_pandas(text, ","))


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

    pd.testing.assert_series_equal(
        importing._to_number(raw), pd.to_numeric(raw, errors="coerce").astype(float), check_dtype=False
    )


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
    raw = pd.Series(cells, dtype="str")
    fast_found, slow_found = importing._Collector(), importing._Collector()

    fast = importing._datetime(raw, "when", fast_found)
    monkeypatch.setattr(importing, "_naive_iso_datetimes", lambda text: None)
    slow = importing._datetime(raw, "when", slow_found)

    pd.testing.assert_series_equal(fast, slow)
    assert [p.as_dict() for p in fast_found.problems] == [p.as_dict() for p in slow_found.problems]


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
    monkeypatch.setattr(importing, "_naive_iso_datetimes", lambda text: None)
    monkeypatch.setattr(importing, "_to_number", lambda raw: pd.to_numeric(raw, errors="coerce"))
    slow = importing.check_rows(frame, columns).frame

    pd.testing.assert_frame_equal(fast, slow)
    assert fast["received_at"].notna().all()
    assert fast["first_response_minutes"].tolist()[:2] == [5.0, 7.5]
