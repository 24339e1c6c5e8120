"""The first hour of every role: each home and list page, with nothing in it yet, says what
happens next (who does what, or where to start) rather than only that it is empty."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    AssessorFactory,
    CohortFactory,
    EqaFactory,
    IqaFactory,
    LearnerFactory,
    PortfolioFactory,
    TutorFactory,
)

pytestmark = pytest.mark.django_db


def _new_learner_home(cohort):
    learner = LearnerFactory()
    portfolio = PortfolioFactory(cohort=cohort, learner=learner)
    return learner, reverse("portfolio:portfolio_detail", args=[portfolio.pk])


def _learner_evidence(cohort):
    learner = LearnerFactory()
    portfolio = PortfolioFactory(cohort=cohort, learner=learner)
    return learner, reverse("evidence:list", args=[portfolio.pk])


def _tutor_of_an_empty_cohort(page: str):
    def build(cohort):
        tutor = TutorFactory()
        empty = CohortFactory(created_by=tutor, tutors=[tutor])
        return tutor, reverse(page, args=[empty.pk])

    return build


def _tutor_of_a_cohort_without_frameworks(cohort):
    tutor = TutorFactory()
    bare = CohortFactory(created_by=tutor, tutors=[tutor], frameworks=[])
    return tutor, reverse("portfolio:cohort_detail", args=[bare.pk])


# (who, how to build them and their page from our cohort, the wording that says what comes next)
EMPTY_PAGES: list[tuple[str, Callable, str]] = [
    ("learner-home", _new_learner_home, "Start here"),
    (
        "learner-without-a-cohort",
        lambda cohort: (LearnerFactory(), reverse("portfolio:learner_home")),
        "Your tutor sends you an invitation by e-mail",
    ),
    ("learner-evidence", _learner_evidence, "then map it to the criteria it proves"),
    (
        "assessor-home",
        lambda cohort: (AssessorFactory(), reverse("portfolio:assessor_home")),
        "When one of your learners submits, the version appears here",
    ),
    (
        "assessor-home-learners",
        lambda cohort: (AssessorFactory(), reverse("portfolio:assessor_home")),
        "A tutor assigns learners to assessors from the cohort page",
    ),
    (
        "tutor-home",
        lambda cohort: (TutorFactory(), reverse("portfolio:tutor_home")),
        "Create one, then invite its learners and assessors",
    ),
    ("tutor-cohort", _tutor_of_an_empty_cohort("portfolio:cohort_detail"), "Invite them with the form"),
    (
        "tutor-cohort-dashboard",
        _tutor_of_an_empty_cohort("portfolio:cohort_dashboard"),
        "Tutors invite them by e-mail from",
    ),
    ("tutor-cohort-without-frameworks", _tutor_of_a_cohort_without_frameworks, "no framework chosen yet"),
    ("iqa-home", lambda cohort: (IqaFactory(), reverse("portfolio:iqa_home")), "A tutor adds you from"),
    (
        "iqa-sampling",
        lambda cohort: (IqaFactory(), reverse("portfolio:qa_sampling")),
        "decisions become available once a version is returned or signed off",
    ),
    (
        "eqa-home",
        lambda cohort: (EqaFactory(), reverse("portfolio:eqa_home")),
        "A centre gives you access by e-mail: the link in its message adds the access to this page",
    ),
]


@pytest.mark.parametrize(
    ("build", "next_step"), [p[1:] for p in EMPTY_PAGES], ids=[p[0] for p in EMPTY_PAGES]
)
def test_an_empty_page_says_what_happens_next(client, cohort, build, next_step):
    person, page = build(cohort)
    person.tour_seen_at = timezone.now()  # the tour, dismissed, no longer explains the page
    person.save(update_fields=["tour_seen_at"])
    client.force_login(person)

    response = client.get(page, follow=True)

    assert response.status_code == 200
    assert next_step in response.content.decode()


def test_start_here_points_at_the_first_step_and_goes_once_a_step_is_begun(client, cohort):
    learner, page = _new_learner_home(cohort)
    client.force_login(learner)
    first = client.get(page).context["stages"]
    first_step = next(iter(first.values()))[0]

    html = client.get(page).content.decode()
    assert f'href="{first_step.url}">Start “{first_step.section.title}”' in html

    portfolio = learner.portfolios.get()
    portfolio.evidence.create(kind="section", section_key=first_step.section.key, title="Started")
    assert "Start here" not in client.get(page).content.decode()


def test_start_here_is_for_the_learner_not_for_their_assessor(client, cohort, assessor):
    learner, page = _new_learner_home(cohort)
    learner.portfolios.update(assessor=assessor)
    client.force_login(assessor)

    assert "Start here" not in client.get(page).content.decode()
