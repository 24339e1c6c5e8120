"""Learners in known states for the dashboard tests, made directly (no web layer)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from evidence.models import Evidence
from portfolio.models import CriterionDecision, PortfolioVersion, VersionOutcome
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
