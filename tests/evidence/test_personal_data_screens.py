"""The image pipeline measured on twenty screenshots rendered in headless Chromium from
transcript-like HTML (tests/evidence/personal_data_screens.py): names, e-mail addresses and
phone numbers found in the right place with recall of at least 0.9."""

from __future__ import annotations

import pytest

from tests.evidence.personal_data_screens import render_screens, score_screens


@pytest.fixture(scope="session")
def screens(tmp_path_factory):
    """Rendered once per test session (Chromium, a second or so), then read from disk."""
    return render_screens(tmp_path_factory.mktemp("personal-data-screens"))


@pytest.fixture(scope="session")
def figures(screens):
    return score_screens(screens)[0]


def test_there_are_twenty_screens_with_names_emails_and_phones(screens):
    kinds = [item["kind"] for screen in screens for item in screen["expected"]]

    assert len(screens) == 20
    assert {"name", "email", "phone"} <= set(kinds)


@pytest.mark.parametrize("kind", ["name", "email", "phone"])
def test_names_emails_and_phones_are_found_in_screenshots(figures, kind):
    assert figures[kind]["recall"] >= 0.9, figures[kind]


def test_screenshots_raise_few_false_alarms(figures):
    alarms = sum(row["fp"] for row in figures.values())
    found = sum(row["tp"] for row in figures.values())

    assert alarms / (alarms + found) <= 0.1, figures
