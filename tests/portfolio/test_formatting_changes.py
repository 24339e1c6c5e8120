"""Changes are written with their sign and unit; a rate's change is in percentage points."""

from __future__ import annotations

import pytest

from core.formatting import signed_change


@pytest.mark.parametrize(
    ("value", "unit", "short", "expected"),
    [
        (11.6, "%", False, "+11.6 percentage points"),
        (11.6, "%", True, "+11.6 pts"),
        (-1, "%", False, "−1 percentage point"),
        (-205.0, "minutes", False, "−205 minutes"),
        (0.25, "hours", True, "+0.2 h"),
        (3, "score", False, "+3 points"),
        (1200, "contacts", False, "+1,200 contacts"),
        (-1.7, "£", False, "−£1.70"),
        (2.5, "", False, "+2.5"),
        (0.0, "%", False, "no change"),
        (None, "%", False, "—"),
        (float("nan"), "%", False, "—"),
    ],
)
def test_it_writes_a_change_with_its_unit(value, unit, short, expected):
    assert signed_change(value, unit, short=short) == expected


def test_a_rate_change_is_never_written_as_a_percentage():
    assert "%" not in signed_change(11.6, "%")
    assert "%" not in signed_change(11.6, "%", short=True)


def test_a_counts_change_in_a_narrow_cell_leaves_the_unit_to_the_row():
    assert signed_change(-16, "contacts", short=True) == "−16"
