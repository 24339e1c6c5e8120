"""Rules for the implementation plan: who does what, and when. Pure functions."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

RACI_CHOICES = [
    ("", "—"),
    ("R", "R"),
    ("A", "A"),
    ("C", "C"),
    ("I", "I"),
]
RACI_LETTERS = {"R", "A", "C", "I"}
MAX_ROLES = 8


def parse_roles(text: str) -> list[str]:
    """One role per line, trimmed, blanks and repeats dropped, order kept."""
    roles: list[str] = []
    for line in (text or "").splitlines():
        role = line.strip()
        if role and role.lower() not in {r.lower() for r in roles}:
            roles.append(role[:80])
    return roles


def raci_problems(assignments: Mapping[str, str]) -> list[str]:
    """What is wrong with one activity's row of the matrix; empty when it is sound."""
    letters = [letter for letter in assignments.values() if letter]
    problems = []
    if any(letter not in RACI_LETTERS for letter in letters):
        problems.append("Use only R, A, C or I.")
    accountable = letters.count("A")
    if accountable == 0:
        problems.append("Name exactly one accountable role (A): nobody answers for this activity yet.")
    elif accountable > 1:
        problems.append("Only one role can be accountable (A) for an activity.")
    if "R" not in letters:
        problems.append("Name at least one responsible role (R) to do the work.")
    return problems


def timeline_problem(start: date | None, end: date | None) -> str:
    """Why a start and end pair is not a valid span; empty when it is."""
    if start and end and end < start:
        return "The end date cannot be before the start date."
    return ""
