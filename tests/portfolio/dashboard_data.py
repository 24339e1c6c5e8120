"""Learners in known states for the dashboard tests, made directly (no web layer)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from core.models import CriterionDecision, Portfolio, PortfolioVersion, User, VersionOutcome
from evidence.models import Evidence
from tests.evidence.factories import EvidenceFactory, MappingFactory
from tests.factories import LearnerFactory, PortfolioFactory


def version(portfolio, number, *, outcome=None, days_ago=1):
    row = PortfolioVersion.objects.create(
        portfolio=portfolio,
        number=number,
        submitted_by=portfolio.learner,
        submitted_at=timezone.now() - timedelta(days=days_ago),
        declaration="Mine.",
        snapshot={},
        digest="0" * 64,
    )
    if outcome:
        VersionOutcome.objects.create(version=row, kind=outcome, assessor=portfolio.assessor, digest="0" * 64)
    return row


def fill(cohort, assessor, count: int) -> list:
    """``count`` learners, each with evidence on the first criterion, a claim on the second,
    a step in progress, a returned version with a decision, and a version waiting."""
    criteria = list(cohort.frameworks.get().criteria.order_by("order"))
    portfolios = []
    for index in range(count):
        portfolio = PortfolioFactory(cohort=cohort, learner=LearnerFactory(), assessor=assessor)
        item = EvidenceFactory(portfolio=portfolio)
        MappingFactory(evidence=item, criterion=criteria[0])
        MappingFactory(evidence=EvidenceFactory(portfolio=portfolio), criterion=criteria[1], note="")
        Evidence.objects.create(
            portfolio=portfolio,
            kind=Evidence.Kind.SECTION,
            section_key="audit.organisation",
            title="Organisation",
        )
        first = version(portfolio, 1, outcome=VersionOutcome.Kind.RETURNED, days_ago=20)
        CriterionDecision.objects.create(
            version=first, criterion=criteria[0], assessor=assessor, status="met", feedback=""
        )
        version(portfolio, 2, days_ago=index)
        portfolios.append(portfolio)
    return portfolios


def waiting(cohort, assessor, count: int, *, prefix: str = "waiting") -> list:
    """``count`` learners of ``assessor``, each with one version waiting for review, the
    ``n``-th submitted ``n`` days ago, so the oldest is the last made. Made in bulk: the queue
    tests need hundreds."""
    learners = User.objects.bulk_create(
        User(
            username=f"{prefix}{n:03}",
            first_name="Learner",
            last_name=f"{prefix.title()} {n:03}",
            password="!",
        )
        for n in range(count)
    )
    portfolios = Portfolio.objects.bulk_create(
        Portfolio(cohort=cohort, learner=learner, assessor=assessor) for learner in learners
    )
    now = timezone.now()
    return PortfolioVersion.objects.bulk_create(
        PortfolioVersion(
            portfolio=portfolio,
            number=1,
            submitted_by=portfolio.learner,
            submitted_at=now - timedelta(days=n),
            declaration="Mine.",
            snapshot={},
            digest="0" * 64,
        )
        for n, portfolio in enumerate(portfolios)
    )
