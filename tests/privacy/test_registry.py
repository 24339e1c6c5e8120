"""The registry of personal data (core.subject_data) is complete: every model that may hold
something about a person is registered or exempted with a reason, and the retention table
(privacy.retention) has a row for every registered kind."""

from __future__ import annotations

import pytest
from django.apps import apps

from core.subject_data import exemptions, holds_personal_data, registered_personal_records
from evidence.models import TranscriptMessage
from privacy.retention import RETENTION, rule_for


def test_every_model_with_personal_data_is_registered_or_exempted_with_a_reason():
    registered, exempt = registered_personal_records(), exemptions()
    missing = [
        model._meta.label_lower
        for model in apps.get_models()
        if holds_personal_data(model) and model._meta.label_lower not in registered | exempt.keys()
    ]
    # A new model that refers to a learner (or to their portfolio, evidence…) goes into its
    # app's subject_data.py, or is exempted there with the reason.
    assert missing == []


def test_the_walk_would_catch_a_new_model_about_a_learner():
    assert holds_personal_data(TranscriptMessage)
    assert not holds_personal_data(apps.get_model("portfolio", "Criterion"))


def test_every_exemption_names_a_real_model_and_says_why():
    labels = {model._meta.label_lower for model in apps.get_models()}
    for label, reason in exemptions().items():
        assert label in labels
        assert len(reason) > 40


def test_every_registered_kind_has_a_row_in_the_retention_table_and_every_row_is_used():
    registered = registered_personal_records()
    assert [label for label in registered if rule_for(label) is None] == []
    used = {rule_for(label) for label in registered}
    assert [rule.pattern for rule in RETENTION if rule not in used] == []


@pytest.mark.django_db
def test_every_registered_path_reaches_a_learner(learner, other_learner):
    for label, records in registered_personal_records().items():
        for path in records.about:
            assert str(records.rows_about(learner.pk).query), label
        for name in records.files + records.withheld:
            records.model._meta.get_field(name)
