"""What the portfolio PDF holds: chapters, evidence, criteria matrix, metadata, bookmarks,
and that a version's PDF shows what was frozen."""

from __future__ import annotations

import pytest

from assessment import services as assessment
from core.models import QualitySample
from core.sections import all_sections
from evidence.models import Evidence
from strategy.models import Risk, Vision
from tests.evidence.factories import EvidenceFactory, LinkEvidenceFactory, MappingFactory
from tests.portfolio.conftest import decide
from tests.portfolio.pdf_support import render
from tests.portfolio.test_pdf_images import mapped_photo

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_chart_browser(settings):
    # Charts become notes: these tests are about the text (test_pdf_charts draws real ones).
    settings.BROWSER_PATH = ""


def test_every_criterion_appears_with_the_titles_of_its_evidence(portfolio, criteria, filled):
    extra = LinkEvidenceFactory(portfolio=portfolio, title="Competitor help page on Instagram")
    MappingFactory(evidence=extra, criterion=criteria[1], note="")
    pdf = render(portfolio)
    matrix = pdf.text[
        pdf.text.index("Criteria mapping matrix", pdf.text.index("Criteria mapping matrix") + 1) :
    ]
    for criterion in criteria:
        assert f"{criterion.code} {criterion.text}" in matrix
    first, second, third = criteria
    assert matrix.index(first.code) < matrix.index("Chapter 1 Organisation") < matrix.index(second.code)
    between = matrix[
        matrix.index(f"{second.code} {second.text}") : matrix.index(f"{third.code} {third.text}")
    ]
    assert "Weekend response screenshot" in between
    assert "Competitor help page on Instagram" in between
    assert "Delivery complaint on X" in matrix[matrix.index(f"{third.code} {third.text}") :]


def test_it_has_the_cover_chapters_and_every_part_with_page_numbers(portfolio, filled):
    pdf = render(portfolio)
    assert pdf.rendered.page_count == len(pdf.reader.pages)
    assert pdf.rendered.page_count >= len(all_sections()) + 5
    assert "PORTFOLIO OF EVIDENCE" in pdf.text  # the cover's kicker, set in capitals
    for section in all_sections():
        assert section.title in pdf.text
    for heading in ("Contents", "Evidence index", "Criteria mapping matrix", "The learner’s declaration"):
        assert heading in pdf.text
    assert f"Page 2 of {pdf.rendered.page_count}" in pdf.text
    assert "Working copy · Not yet submitted" in pdf.text
    assert "Amira" not in pdf.text  # nothing of the demo leaks into a test portfolio


def test_the_contents_gives_each_chapter_its_page(portfolio, filled):
    pdf = render(portfolio)
    contents = pdf.reader.pages[1].extract_text()
    evidence_page = next(
        number
        for number, page in enumerate(pdf.reader.pages, start=1)
        if "Evidence index" in (page.extract_text() or "") and number > 2
    )
    assert f"Evidence index (2 items) {evidence_page}" in " ".join(contents.split())


def test_it_has_bookmarks_and_metadata(portfolio, filled):
    pdf = render(portfolio)
    titles = pdf.outline_titles()
    assert titles[:2] == ["Cover", "Contents"]
    for section in all_sections():
        assert section.title in titles
    assert {"Evidence index", "Criteria mapping matrix", "The learner’s declaration"} <= set(titles)
    assert "E1 Weekend response screenshot" in " ".join(titles) or "E1Weekend response screenshot" in titles
    meta = pdf.reader.metadata
    learner = portfolio.learner.display_name
    assert meta.title == f"Portfolio of {learner}: {portfolio.cohort.frameworks.get().title}"
    assert meta.author == learner
    assert meta.subject == f"Portfolio of evidence for {portfolio.cohort.frameworks.get().code}"
    assert "customer service" in meta["/Keywords"]


def test_it_is_tagged_for_screen_readers(portfolio, criteria, filled):
    mapped_photo(portfolio, criteria[0], size=(800, 600))
    pdf = render(portfolio)

    catalog = pdf.reader.trailer["/Root"]
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert catalog["/Lang"] == "en-GB"
    assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"])  # the title, not the file name
    elements = pdf.structure()
    roles = [role for role, _alt in elements]
    assert roles.count("H1") >= len(all_sections())  # a heading per chapter, read as one
    assert {"Table", "TH", "TD", "L", "LI"} <= set(roles)
    figures = [alt for role, alt in elements if role == "Figure"]
    assert "Photo of the damaged parcel" in figures
    assert all(figures)  # every image is described


def test_a_versions_pdf_shows_what_was_frozen(portfolio, filled, version):
    upload = filled["file"]
    upload.title = "Renamed after submitting"
    upload.save()
    Vision.objects.create(portfolio=portfolio, vision_statement="A vision written after submitting.")
    Evidence.objects.filter(pk=filled["transcript"].pk).delete()

    frozen = render(portfolio, version)
    working = render(portfolio)

    assert "Weekend response screenshot" in frozen.text
    assert "Renamed after submitting" not in frozen.text
    assert "Delivery complaint on X" in frozen.text
    assert "A vision written after submitting." not in frozen.text
    assert f"Version {version.number} · Awaiting review" in frozen.text
    assert "Renamed after submitting" in working.text
    assert "Delivery complaint on X" not in working.text
    assert "A vision written after submitting." in working.text


def test_decisions_appear_only_once_the_version_has_an_outcome(
    portfolio, criteria, filled, version, assessor
):
    decide(version, criteria[0], assessor, status="met", feedback="Clear account of the service offer.")
    decide(version, criteria[1], assessor, status="not_yet_met", feedback="Add the weekend figures.")
    waiting = render(portfolio, version)
    assert "Assessment: decisions" not in waiting.text
    assert "Clear account of the service offer." not in waiting.text

    assessment.return_version(version=version, comment="Nearly there.", actor=assessor)
    returned = render(portfolio, version)
    assert "Assessment: decisions, feedback and signatures" in returned.text
    assert "Clear account of the service offer." in returned.text
    assert "Add the weekend figures." in returned.text
    assert "Nearly there." in returned.text
    assert f"Returned for resubmission by {assessor.display_name}" in returned.text
    assert version.digest in returned.text.replace(" ", "")
    # The working copy never shows decisions, whoever exports it.
    assert "Clear account of the service offer." not in render(portfolio).text


def test_quality_assurance_results_appear_with_the_outcome(
    portfolio, criteria, filled, version, assessor, iqa
):
    decision, *_rest = [decide(version, criterion, assessor, status="met") for criterion in criteria]
    assessment.sign_off_version(version=version, comment="", actor=assessor)
    (sample,) = assessment.sample_decisions(decisions=[decision], actor=iqa)
    assessment.record_finding(
        sample=sample, finding=QualitySample.Finding.AGREED, comment="Sound judgement.", actor=iqa
    )
    pdf = render(portfolio, version)
    assert "Internal quality assurance" in pdf.text
    assert "Sound judgement." in pdf.text
    assert f"Signed off by {assessor.display_name}" in pdf.text
    assert "Version 1 · Signed off" in pdf.text


def test_strategy_chapters_judge_the_frozen_rows(portfolio, filled):
    Risk.objects.create(
        portfolio=portfolio,
        category="data_security",
        description="Order numbers posted in public.",
        likelihood=4,
        impact=5,
    )
    EvidenceFactory(
        portfolio=portfolio, kind="reflection", title="Reflection with Markdown", body="**Bold** point"
    )
    pdf = render(portfolio)
    assert "Order numbers posted in public." in pdf.text
    assert "4 × 5 = 20 (high)" in pdf.text
    assert "Chart not drawn: Risk heat map before mitigation" in pdf.text
    assert pdf.rendered.missing_charts == ("Risk heat map before mitigation",)


def test_progress_is_reported_at_each_stage(portfolio, filled):
    stages = []
    render(portfolio, progress=lambda percent, stage: stages.append((percent, stage)))
    assert [percent for percent, _stage in stages] == sorted(percent for percent, _stage in stages)
    assert [stage for _percent, stage in stages] == [
        "Gathering the portfolio",
        "Drawing the charts",
        "Laying out the pages",
        "Writing the PDF",
    ]
