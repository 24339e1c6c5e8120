from __future__ import annotations

import hashlib

import pytest
from django.core.files.base import ContentFile

from assessment import services as assessment
from evidence.models import Evidence
from tests.evidence.factories import (
    FileEvidenceFactory,
    MappingFactory,
    MessageFactory,
    TranscriptFactory,
    pdf_bytes,
)


@pytest.fixture
def portfolio(learner):
    return learner.portfolios.select_related("cohort", "learner", "assessor").get()


@pytest.fixture
def criteria(portfolio):
    return list(portfolio.cohort.frameworks.get().criteria.order_by("order"))


@pytest.fixture
def filled(portfolio, criteria):
    """A portfolio with a section, a file, a transcript with messages, and mappings with notes."""
    section = Evidence.objects.create(
        portfolio=portfolio,
        kind=Evidence.Kind.SECTION,
        section_key="audit.organisation",
        title="Organisation",
        description="Fernleaf Home, 180 staff",
        section_complete=True,
    )
    upload = FileEvidenceFactory(portfolio=portfolio, title="Weekend response screenshot")
    transcript = TranscriptFactory(portfolio=portfolio, title="Delivery complaint on X")
    MessageFactory(evidence=transcript, position=1, text="My sofa arrived damaged.")
    MessageFactory(evidence=transcript, position=2, author="organisation", text="Sorry to hear that.")
    MappingFactory(evidence=section, criterion=criteria[0], note="Describes the service offer.")
    MappingFactory(evidence=upload, criterion=criteria[1], note="Shows the response time.")
    MappingFactory(evidence=transcript, criterion=criteria[2], note="Handles a complaint.")
    return {"section": section, "file": upload, "transcript": transcript}


@pytest.fixture
def version(filled, portfolio, learner):
    return assessment.submit_portfolio(portfolio=portfolio, declaration_signed=True, actor=learner)


@pytest.fixture
def pdf_version(version, portfolio, learner, assessor, criteria):
    """Version 2, with a one-page PDF ("Team briefing") added after version 1 was returned."""
    decide(version, criteria[0], assessor, status="not_yet_met", feedback="Add the briefing.")
    assessment.return_version(version=version, comment="", actor=assessor)
    data = pdf_bytes()
    brief = FileEvidenceFactory(
        portfolio=portfolio,
        title="Team briefing",
        original_name="briefing.pdf",
        content_type="application/pdf",
        file=ContentFile(data, name="briefing.pdf"),
        sha256=hashlib.sha256(data).hexdigest(),
        file_size=len(data),
    )
    MappingFactory(evidence=brief, criterion=criteria[1], note="The briefing.")
    second = assessment.submit_portfolio(portfolio=portfolio, declaration_signed=True, actor=learner)
    return second, brief


def decide(version, criterion, actor, status="met", feedback="", based_on=None, evidence_ids=()):
    return assessment.record_decision(
        version=version,
        criterion=criterion,
        data=assessment.DecisionInput(
            status=status, feedback=feedback, evidence_ids=list(evidence_ids), based_on=based_on
        ),
        actor=actor,
    )
