"""The first log-in's tour: a few steps per role that point at where things are.

Shown at the top of the person's home page until they finish or skip it (``User.tour_seen_at``);
"Show the tour again" in the account menu brings it back. Each step points at an element marked
``data-tour`` in the layout; on a phone, where the menu is folded, at the menu button.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.models import Role


@dataclass(frozen=True)
class TourStep:
    target: str  # the data-tour name of the element the step points at
    title: str
    text: str


_NOTIFICATIONS = TourStep(
    "notifications", "Notifications", "Decisions, feedback and requests for you arrive here, and by e-mail."
)
_ACCOUNT = TourStep(
    "account", "Your account", "Change your password or log out here. “Show the tour again” brings this back."
)

TOURS: dict[str, tuple[TourStep, ...]] = {
    Role.LEARNER: (
        TourStep(
            "nav-1",
            "Your portfolio",
            "Everything you build is here: the audit of your organisation's social service, then the "
            "strategy, step by step. Each finished step becomes evidence already mapped to its criteria.",
        ),
        TourStep(
            "main",
            "Where to start",
            "Begin with “The organisation and its service” and work down. Add evidence (screenshots, "
            "transcripts, reflections) as you go, and check the readiness list before you submit.",
        ),
        _NOTIFICATIONS,
        _ACCOUNT,
    ),
    Role.ASSESSOR: (
        TourStep(
            "nav-1",
            "Your learners",
            "Every learner assigned to you, with their coverage, their last activity and who may be at risk.",
        ),
        TourStep(
            "nav-2",
            "Waiting for review",
            "Submitted versions, the longest waiting first. Open one to mark each criterion met or not yet "
            "met, then return it or sign it off.",
        ),
        _NOTIFICATIONS,
        _ACCOUNT,
    ),
    Role.TUTOR: (
        TourStep(
            "nav-1",
            "Cohorts",
            "Your groups. Create a cohort, invite learners by e-mail and assign each an assessor.",
        ),
        TourStep(
            "main",
            "Seeing the cohort",
            "Each cohort's dashboard shows progress per learner and step, a heat map of the criteria, "
            "the learners at risk, and exports it as a spreadsheet.",
        ),
        _NOTIFICATIONS,
        _ACCOUNT,
    ),
    Role.IQA: (
        TourStep(
            "nav-1", "Quality assurance", "The cohorts you quality-assure, with their assessors' decisions."
        ),
        TourStep(
            "nav-2",
            "Sampling",
            "Pick assessment decisions to check, by hand or at random, and record agreement or an action "
            "for the assessor.",
        ),
        _NOTIFICATIONS,
        _ACCOUNT,
    ),
    Role.EQA: (
        TourStep(
            "nav-1",
            "What is shared with you",
            "Each centre that gives you access is listed here: the learners and submitted versions it "
            "chose, with their assessment decisions and internal quality assurance samples. You read "
            "them and download their files; you change nothing.",
        ),
        TourStep(
            "main",
            "For a limited time",
            "Each access shows the day it ends; after that it moves to “Ended” and its pages close. "
            "The centre can end it sooner, and every page you open is recorded for the centre.",
        ),
        TourStep(
            "main",
            "Findings",
            "Open an access to record a finding, about the cohort, a learner or one version. The "
            "centre's tutors and internal quality assurers are told at once, and your findings stay "
            "listed on that page.",
        ),
        _ACCOUNT,
    ),
}
TOURS[Role.STAFF] = TOURS[Role.TUTOR]

# The pages a person lands on after logging in (a learner with one portfolio lands on it).
HOME_PAGES = {"learner_home", "portfolio_detail", "assessor_home", "tutor_home", "iqa_home", "eqa_home"}


def tour_for(user: object, url_name: str | None) -> tuple[TourStep, ...]:
    """The steps to show this person on this page: on their home page until they have seen it."""
    if getattr(user, "tour_seen_at", True) is not None or url_name not in HOME_PAGES:
        return ()
    if url_name == "portfolio_detail" and getattr(user, "role", None) != Role.LEARNER:
        return ()
    return TOURS.get(getattr(user, "role", ""), ())
