"""The detector measured on the labelled set of texts (tests/evidence/personal_data_labelled.py):
every kind found with recall of at least 0.95 and precision of at least 0.9."""

from __future__ import annotations

import pytest

from evidence.personal_data import TEXT_KINDS, find_personal_data
from tests.evidence.personal_data_labelled import CASES, score_texts

NEW_KINDS = ["name", "address", "dob", "ni_number", "driving_licence", "passport"]


def test_the_set_has_at_least_sixty_texts_and_every_text_kind():
    kinds = {kind for _, expected in CASES for kind, _ in expected}

    assert len(CASES) >= 60
    assert kinds == set(TEXT_KINDS)


@pytest.mark.parametrize("kind", TEXT_KINDS)
def test_each_kind_meets_the_recall_and_precision_targets(kind):
    figures = score_texts()[kind]

    assert figures["recall"] >= 0.95, figures
    assert figures["precision"] >= 0.9, figures


def test_the_issues_reply_is_found_in_full():
    text, expected = CASES[0]

    assert sorted((f.kind, f.text) for f in find_personal_data(text)) == sorted(expected)
    assert {kind for kind, _ in expected} >= {"name", "address", "dob", "ni_number"}
