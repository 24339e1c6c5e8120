from __future__ import annotations

from datetime import date

from strategy.planning import parse_roles, raci_problems, timeline_problem


def test_roles_are_one_per_line_without_blanks_or_repeats():
    assert parse_roles(" Team leader \n\nAdvisers\nteam leader\nIT") == ["Team leader", "Advisers", "IT"]


def test_a_sound_raci_row_has_one_accountable_and_a_responsible():
    assert raci_problems({"Lead": "A", "Advisers": "R", "IT": "C", "Board": "I"}) == []


def test_one_person_can_be_both_accountable_and_responsible_only_through_two_roles():
    assert raci_problems({"Lead": "A"}) == ["Name at least one responsible role (R) to do the work."]


def test_it_refuses_a_raci_row_with_no_accountable_person():
    problems = raci_problems({"Lead": "R", "Advisers": "R"})

    assert problems == ["Name exactly one accountable role (A): nobody answers for this activity yet."]


def test_it_refuses_a_raci_row_with_two_accountable_people():
    assert "Only one role can be accountable (A) for an activity." in raci_problems(
        {"Lead": "A", "Head": "A", "Advisers": "R"}
    )


def test_it_refuses_letters_other_than_raci():
    assert "Use only R, A, C or I." in raci_problems({"Lead": "A", "Advisers": "R", "IT": "X"})


def test_a_task_cannot_end_before_it_starts():
    assert (
        timeline_problem(date(2027, 5, 2), date(2027, 5, 1))
        == "The end date cannot be before the start date."
    )
    assert timeline_problem(date(2027, 5, 1), date(2027, 5, 1)) == ""
    assert timeline_problem(None, date(2027, 5, 1)) == ""
