from __future__ import annotations

import pytest

from demo.evidence import build_demo_content
from demo.people import build_demo
from evidence import witness
from evidence.models import CriterionMapping, Evidence, TranscriptMessage
from evidence.selectors import coverage_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    return build_demo(learners=3)


def test_the_rich_learner_has_about_thirty_varied_items_mapped_with_notes(demo):
    portfolio = demo.cohort.portfolios.get(learner__username="learner")
    # The guided steps are evidence too (kind "section"); these are the learner's own items.
    items = portfolio.evidence.exclude(kind=Evidence.Kind.SECTION)

    assert 25 <= items.count() <= 35
    assert set(items.values_list("kind", flat=True)) >= {
        "file",
        "reflection",
        "link",
        "transcript",
        "witness",
        "observation",
        "discussion",
        "questioning",
    }
    observation = items.get(kind=Evidence.Kind.OBSERVATION).observation
    assert observation.status == "confirmed"
    assert observation.assessor == portfolio.assessor
    assert items.get(kind=Evidence.Kind.DISCUSSION).discussion.status == "confirmed"
    questioning = items.get(kind=Evidence.Kind.QUESTIONING).questioning
    assert questioning.status == "confirmed"
    assert questioning.questions.exclude(answer="").count() == 3
    transcripts = items.filter(kind=Evidence.Kind.TRANSCRIPT)
    assert set(transcripts.values_list("scenario", flat=True)) == {
        "positive",
        "complaint",
        "complex",
        "crisis",
    }
    assert set(transcripts.values_list("visibility", flat=True)) == {"public", "private"}
    assert set(transcripts.values_list("origin", flat=True)) == {"real", "simulated"}
    assert (
        TranscriptMessage.objects.filter(evidence__portfolio=portfolio).exclude(annotation="").count() >= 15
    )
    files = items.filter(kind=Evidence.Kind.FILE)
    assert set(files.values_list("content_type", flat=True)) >= {"image/png", "application/pdf", "text/csv"}
    coverage = coverage_for(portfolio)
    statuses = [c.status for c in coverage.criteria]
    # With the audit and strategy steps complete, every criterion has evidence with a note.
    assert statuses.count("evidenced") > 40
    assert statuses.count("none") == 0


def test_the_other_learners_have_lighter_content(demo):
    counts = {
        p.learner.username: p.evidence.exclude(kind=Evidence.Kind.SECTION).count()
        for p in demo.cohort.portfolios.select_related("learner")
    }

    # The assessment demo (demo.assessment) adds what learner2 and learner3 submitted:
    # Tom's five Brightwell items; Chloe's four Swiftpost items and her answer to the feedback.
    assert counts["learner2"] == 5
    assert counts["learner3"] == 4 + 1
    # Chloe's answer to her feedback is in her working copy, not in the version returned.
    version = demo.cohort.portfolios.get(learner__username="learner3").versions.get()
    submitted = {item["title"] for item in version.snapshot["parts"]["evidence"]["items"]}
    assert "What missed deliveries cost Swiftpost" not in submitted


def test_running_it_again_changes_nothing(demo):
    portfolios = {p.learner.username: p for p in demo.cohort.portfolios.select_related("learner")}
    before = (Evidence.objects.count(), CriterionMapping.objects.count(), TranscriptMessage.objects.count())

    build_demo_content(cohort=demo.cohort, portfolios=portfolios)

    assert (
        Evidence.objects.count(),
        CriterionMapping.objects.count(),
        TranscriptMessage.objects.count(),
    ) == before


def test_amira_has_a_signed_checked_witness_testimony_from_her_line_manager(demo):
    portfolio = demo.cohort.portfolios.get(learner__username="learner")
    request = portfolio.witness_requests.get()

    assert request.status == "signed"
    assert request.signed_relationship == "Line manager"
    assert "weekend rota" in request.activity
    assert witness.verify_testimony(request)
    assert request.checked_by == portfolio.assessor
    assert request.checked_on >= request.signed_at.date()
    codes = set(request.evidence.mappings.values_list("criterion__code", flat=True))
    assert codes == {"P10", "P12", "P13"}
