"""The cohort cards of the tutor's, the quality assurer's and staff's home pages: their counts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core import selectors
from tests.factories import (
    AssessorFactory,
    CohortFactory,
    InvitationFactory,
    LearnerFactory,
    PortfolioFactory,
)

pytestmark = pytest.mark.django_db

EXPECTED = {"learner_count": 3, "assessor_count": 2, "unassigned_count": 1, "pending_invitation_count": 1}


@pytest.fixture
def busy_cohort(cohort, tutor, iqa, learner, other_learner):
    """Three learners (one without an assessor), two assessors, one invitation still open; and a
    second cohort with the same tutor and quality assurer whose people must not be counted."""
    PortfolioFactory(cohort=cohort, learner=LearnerFactory(), assessor=None)
    InvitationFactory(cohort=cohort)
    InvitationFactory(cohort=cohort, accepted_at=timezone.now())
    InvitationFactory(cohort=cohort, revoked_at=timezone.now())
    InvitationFactory(cohort=cohort, expires_at=timezone.now() - timedelta(days=1))
    earlier = cohort.start_date - timedelta(days=365)
    other = CohortFactory(created_by=tutor, tutors=[tutor], start_date=earlier)
    other.memberships.create(user=iqa, role="iqa")
    elsewhere = AssessorFactory(username="assessor-elsewhere")
    other.memberships.create(user=elsewhere, role="assessor")
    for _ in range(4):
        PortfolioFactory(cohort=other, learner=LearnerFactory(), assessor=elsewhere)
    return cohort


def _counts(cohort) -> dict[str, int]:
    return {name: getattr(cohort, name) for name in EXPECTED}


@pytest.mark.parametrize(
    ("person", "listing"),
    [
        ("tutor", selectors.tutor_cohorts),
        ("iqa", selectors.iqa_cohorts),
        ("staff", selectors.tutor_cohorts),
        ("staff", selectors.iqa_cohorts),
    ],
)
def test_every_roles_cohort_list_counts_the_cohorts_own_people(request, busy_cohort, person, listing):
    user = request.getfixturevalue(person)

    cohorts = {c.pk: c for c in listing(user)}

    assert _counts(cohorts[busy_cohort.pk]) == EXPECTED
    others = [c for pk, c in cohorts.items() if pk != busy_cohort.pk]
    assert [(c.learner_count, c.assessor_count, c.unassigned_count) for c in others] == [(4, 1, 0)]


def test_the_quality_assurers_home_counts_the_assessors(client, busy_cohort, iqa):
    # The assessors were counted over the join that chose the quality assurer's cohorts,
    # which holds the quality assurer's own membership alone: the card said "Assessors 0".
    client.force_login(iqa)

    html = client.get(reverse("portfolio:iqa_home")).content.decode()

    card = html[html.index(busy_cohort.name) :]
    assert re.search(r"Assessors</dt><dd[^>]*>2</dd>", card)
    assert re.search(r"Learners</dt><dd[^>]*>3</dd>", card)


def test_a_quality_assurer_sees_only_their_own_cohorts(busy_cohort, iqa):
    CohortFactory()  # nobody's business of theirs

    assert len(selectors.iqa_cohorts(iqa)) == 2


@pytest.mark.parametrize("cohorts", [1, 20])
def test_the_quality_assurers_home_costs_the_same_whatever_the_number_of_cohorts(
    client, iqa, cohorts, django_assert_num_queries
):
    for _ in range(cohorts - 1):
        cohort = CohortFactory(frameworks=[])
        cohort.memberships.create(user=iqa, role="iqa")
        PortfolioFactory(cohort=cohort, learner=LearnerFactory())
    client.force_login(iqa)

    # session, user, cohorts with their counts
    with django_assert_num_queries(3):
        response = client.get(reverse("portfolio:iqa_home"))
    assert response.content.decode().count("Without an assessor") == cohorts
