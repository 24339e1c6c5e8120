from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from assessment import services as assessment
from assessment import thread_services
from core.models import Cohort, FormDraft, Notification
from evidence.models import WitnessRequest
from tests.evidence.factories import make_observation
from tests.portfolio.conftest import criteria, decide, filled, portfolio  # noqa: F401  (fixtures)
from tests.portfolio.factories import ExportFactory


@pytest.fixture
def assessed(portfolio, criteria, filled, learner, assessor, iqa):  # noqa: F811
    """A portfolio with a record and a witness request, submitted, discussed, annotated,
    decided on every criterion, sampled by quality assurance and signed off; a PDF made."""
    make_observation(portfolio, criteria)
    WitnessRequest.objects.create(
        portfolio=portfolio,
        requested_by=learner,
        name="Priya Shah",
        job_title="Team leader",
        relationship="Line manager",
        organisation="Fernleaf Home",
        email="priya@example.org",
        activity="Handled the weekend complaints queue.",
        expires_at=timezone.now() + timedelta(days=21),
    )
    FormDraft.objects.create(owner=learner, scope="evidence:1", path="/x/", updated_at=timezone.now())
    version = assessment.submit_portfolio(portfolio=portfolio, declaration_signed=True, actor=learner)
    thread_services.post_message(
        version=version, body="Is the screenshot redacted?", actor=assessor, criterion=criteria[0]
    )
    thread_services.post_message(
        version=version, body="Yes, all of it.", actor=learner, criterion=criteria[0]
    )
    thread_services.annotate_evidence(
        version=version, evidence_id=filled["file"].pk, body="Clear.", actor=assessor
    )
    decisions = [
        decide(version, criterion, assessor, feedback="Shown.", evidence_ids=[filled["file"].pk])
        for criterion in criteria
    ]
    assessment.sample_decisions(decisions=decisions[:1], actor=iqa)
    assessment.sign_off_version(version=version, comment="Well done.", actor=assessor)
    ExportFactory(portfolio=portfolio, version=version, done=True)
    Notification.objects.create(recipient=learner, portfolio=portfolio, subject="Signed off")
    return version


def end_cohort(learner, day):
    """Move the end date of the learner's cohorts (start dates too, where they would pass it)."""
    Cohort.objects.filter(portfolios__learner=learner).update(
        start_date=day - timedelta(days=200), end_date=day
    )
