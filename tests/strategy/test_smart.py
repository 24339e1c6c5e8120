from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from strategy.smart import ObjectiveFacts, is_smart, objective_progress, smart_tests

TODAY = date(2027, 3, 1)
GOOD = ObjectiveFacts(
    statement="Cut the median first response time on Facebook and X from 5 hours to 45 minutes.",
    metric_key="median_first_response",
    baseline=Decimal(300),
    target=Decimal(45),
    deadline=date(2027, 9, 1),
    owner="Amira Khan",
)


def results(facts: ObjectiveFacts) -> dict[str, bool]:
    return {test.key: test.passed for test in smart_tests(facts, today=TODAY)}


def test_a_well_formed_objective_passes_all_five_tests():
    tests = smart_tests(GOOD, today=TODAY)

    assert [t.key for t in tests] == ["metric", "target", "beyond_baseline", "deadline", "owner"]
    assert all(t.passed for t in tests)
    assert is_smart(GOOD, today=TODAY)


def test_it_fails_an_objective_with_no_metric():
    facts = ObjectiveFacts(**{**GOOD.__dict__, "metric_key": ""})

    tests = {t.key: t for t in smart_tests(facts, today=TODAY)}

    assert not tests["metric"].passed
    assert "Choose the metric" in tests["metric"].reason


def test_a_custom_metric_needs_a_name_and_a_unit():
    facts = ObjectiveFacts(**{**GOOD.__dict__, "metric_key": "custom", "custom_label": "Reviews replied to"})

    assert results(facts)["metric"] is False
    named = ObjectiveFacts(**{**facts.__dict__, "custom_unit": "%", "target": Decimal(400)})
    assert results(named)["metric"] is True


def test_it_fails_an_objective_with_no_target():
    facts = ObjectiveFacts(**{**GOOD.__dict__, "target": None})

    assert results(facts) == {
        "metric": True,
        "target": False,
        "beyond_baseline": False,
        "deadline": True,
        "owner": True,
    }


def test_a_waiting_time_target_above_the_baseline_is_not_an_improvement():
    facts = ObjectiveFacts(**{**GOOD.__dict__, "target": Decimal(400)})

    test = next(t for t in smart_tests(facts, today=TODAY) if t.key == "beyond_baseline")

    assert not test.passed
    assert "below the baseline of 300" in test.reason


def test_a_satisfaction_target_must_be_above_the_baseline():
    facts = ObjectiveFacts(metric_key="csat", baseline=Decimal(71), target=Decimal(71), owner="x")

    assert results(facts)["beyond_baseline"] is False
    assert results(ObjectiveFacts(**{**facts.__dict__, "target": Decimal(82)}))["beyond_baseline"] is True


def test_a_custom_metric_where_lower_is_better_compares_downwards():
    facts = ObjectiveFacts(
        metric_key="custom",
        custom_label="Repeat contacts",
        custom_unit="per 100 orders",
        custom_higher_is_better=False,
        baseline=Decimal(12),
        target=Decimal(8),
    )

    assert results(facts)["beyond_baseline"] is True


def test_it_fails_an_objective_with_no_baseline_to_compare():
    assert results(ObjectiveFacts(**{**GOOD.__dict__, "baseline": None}))["beyond_baseline"] is False


@pytest.mark.parametrize("deadline", [None, date(2027, 2, 28)], ids=["missing", "past"])
def test_it_fails_a_deadline_that_is_missing_or_past(deadline):
    facts = ObjectiveFacts(**{**GOOD.__dict__, "deadline": deadline})

    assert results(facts)["deadline"] is False


def test_a_deadline_of_today_still_counts_as_ahead():
    assert results(ObjectiveFacts(**{**GOOD.__dict__, "deadline": TODAY}))["deadline"] is True


def test_it_fails_an_objective_with_no_owner():
    facts = ObjectiveFacts(**{**GOOD.__dict__, "owner": "   "})

    assert results(facts)["owner"] is False
    assert not is_smart(facts, today=TODAY)


def test_progress_is_the_share_of_the_way_from_baseline_to_target():
    progress = objective_progress(baseline=300, target=45, current=172.5, higher_is_better=False)

    assert progress.percent == 50
    assert progress.achieved is False


def test_progress_is_capped_and_marks_a_target_reached():
    progress = objective_progress(baseline=71, target=82, current=90, higher_is_better=True)

    assert progress.percent == 100
    assert progress.achieved is True


def test_progress_going_backwards_shows_as_nothing_gained():
    assert objective_progress(baseline=71, target=82, current=60, higher_is_better=True).percent == 0


@pytest.mark.parametrize(
    ("baseline", "target", "current"), [(None, 1, 1), (1, None, 1), (1, 2, None), (5, 5, 5)]
)
def test_there_is_no_progress_without_all_three_figures(baseline, target, current):
    assert (
        objective_progress(baseline=baseline, target=target, current=current, higher_is_better=True) is None
    )


def test_a_vague_statement_is_not_specific_and_says_what_is_missing():
    facts = ObjectiveFacts(
        **{**GOOD.__dict__, "statement": "Improve customer happiness on social.", "metric_key": "csat"}
    )

    test = next(t for t in smart_tests(facts, today=TODAY) if t.key == "target")

    assert not test.passed
    assert "name the measure or behaviour" in test.reason.lower()
    assert "where or for whom" in test.reason
    assert "which way" not in test.reason  # "improve" says which way


@pytest.mark.parametrize(
    ("statement", "missing"),
    [
        ("", "write the objective as a sentence"),
        ("Customer service on Instagram.", "which way"),
        ("Reply faster.", "where or for whom"),
        ("Do better on TikTok.", "measure or behaviour"),
    ],
)
def test_the_specific_test_names_each_missing_part(statement, missing):
    facts = ObjectiveFacts(**{**GOOD.__dict__, "statement": statement})

    test = next(t for t in smart_tests(facts, today=TODAY) if t.key == "target")

    assert not test.passed
    assert missing in test.reason.lower()


@pytest.mark.parametrize(
    "statement",
    [
        "Answer Facebook messages faster.",
        "Raise the share of social interactions answered within our one-hour service level to 85%.",
        "Resolve 60% of delivery-slot queries in the first reply by giving advisers the booking screen.",
        "Keep weekend complaints on X below 2 hours to first response.",
    ],
)
def test_specific_statements_pass(statement):
    facts = ObjectiveFacts(**{**GOOD.__dict__, "statement": statement})

    assert results(facts)["target"] is True
