"""The PDF's layout rules that keep WeasyPrint's work small without making the document
worse to read: table columns sized from their text."""

from __future__ import annotations

import pytest

from portfolio.pdf.blocks import table_widths

# --- Table columns ----------------------------------------------------------------------------


def test_a_column_of_figures_stays_narrow_and_a_column_of_sentences_takes_the_room():
    sentences = ["A long sentence about how the team answers complaints on every platform, every day."] * 3
    widths = table_widths([["Measure", "Cost", "Cost", "Cost"], ["Note", *sentences]])
    assert widths.table == 100.0
    assert sum(widths.columns) == pytest.approx(100, abs=0.05)
    assert widths.columns[0] < 20 < widths.columns[1]


def test_short_columns_share_the_width_by_their_longest_line():
    widths = table_widths([["Platform", "Facebook"], ["Share", "12%"]])
    assert widths.columns[0] > widths.columns[1]
    assert sum(widths.columns) == pytest.approx(100, abs=0.05)


def test_a_compact_table_shrinks_to_its_text_but_not_below_half_the_page():
    assert table_widths([["Criterion", "Reach"], ["Weight", "30"]], shrink=True).table == 50.0
    law = "UK GDPR and the Data Protection Act 2018, and the Privacy and Electronic Communications Rules"
    wide = table_widths([["Law", law], ["Status", "Met"]], shrink=True)
    assert 50.0 < wide.table <= 100.0


def test_an_unbroken_address_does_not_squeeze_the_other_columns_to_nothing():
    address = "https://example.org/" + "a" * 150
    widths = table_widths([["Source", address], ["What it shows", "The reply the customer received."]])
    assert widths.columns[1] > 15  # room for "customer", the column's longest word, and more


def test_a_table_with_no_columns_or_empty_cells_still_has_widths():
    assert table_widths([]).columns == ()
    assert sum(table_widths([[""], [""]]).columns) == pytest.approx(100, abs=0.05)
