"""Everything the PDF shows, gathered from one snapshot into plain data for the template.

A version's document is built from ``version.snapshot`` (what was frozen), the working
copy's from ``build_snapshot`` (the same shape), so there is one code path. Nothing
here depends on who asks for the document: assessment decisions, feedback, signatures
and quality-assurance results appear only when the version has an outcome.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import timezone

from assessment import services as assessment
from assessment.selectors import CriterionReview, criteria_review
from core.models import (
    Framework,
    Portfolio,
    PortfolioVersion,
    QualitySample,
    VersionOutcome,
    VersionState,
)
from core.pdf.blocks import Chapter, Chart, first, uk_date, uk_datetime
from core.pdf.chapters import build_chapters, chapter_context
from core.sections import SECTION_KIND
from core.selectors import frameworks_with_criteria
from core.versions import build_snapshot
from evidence.pdf import EvidenceEntry, evidence_entries, evidence_rows
from evidence.pdf_files import CarriedFile


@dataclass
class MatrixEvidence:
    label: str  # "E4" or "Chapter 7"
    title: str
    evidenced: bool


@dataclass
class MatrixRow:
    code: str
    text: str
    evidence: list[MatrixEvidence]
    decision: str = ""

    @property
    def status(self) -> str:
        if any(e.evidenced for e in self.evidence):
            return "Evidenced"
        return "Claimed" if self.evidence else "No evidence"


@dataclass
class MatrixGroup:
    code: str
    title: str
    rows: list[MatrixRow]


@dataclass
class MatrixFramework:
    code: str
    title: str
    kind: str
    groups: list[MatrixGroup]

    @property
    def rows(self) -> list[MatrixRow]:
        return [row for group in self.groups for row in group.rows]

    @property
    def evidenced(self) -> int:
        return sum(1 for row in self.rows if row.status == "Evidenced")


@dataclass
class Decision:
    code: str
    framework: str
    status: str
    feedback: str
    assessor: str
    decided_at: str
    evidence: str


@dataclass
class Sample:
    code: str
    finding: str
    sampled_by: str
    sampled_at: str
    comment: str
    response: str


@dataclass
class Assessment:
    outcome: str
    assessor: str
    decided_at: str
    comment: str
    digest: str
    signed_off: bool
    decisions: list[Decision]
    samples: list[Sample]


@dataclass
class Cover:
    learner: str
    organisation: str
    cohort: str
    cohort_code: str
    provider: str
    frameworks: list[tuple[str, str, str]]  # kind label, code, title
    assessor: str
    version_label: str
    state: str
    submitted: str
    outcome_date: str
    cohort_dates: str
    prepared: str
    digest: str


@dataclass
class Document:
    title: str
    subject: str
    keywords: str
    unit_title: str
    cover: Cover
    chapters: list[Chapter]
    evidence: list[EvidenceEntry]
    matrix: list[MatrixFramework]
    assessment: Assessment | None
    declaration: str
    declaration_signed: str
    snapshot: dict[str, Any] = field(repr=False, default_factory=dict)

    @property
    def charts(self) -> list[Chart]:
        return [chart for chapter in self.chapters for chart in chapter.charts]

    @property
    def evidence_rows(self) -> list[list[EvidenceEntry]]:
        """Only meaningful once the images are prepared: whether a photo is a card depends on it."""
        return evidence_rows(self.evidence)

    @property
    def carried_files(self) -> list[tuple[EvidenceEntry, CarriedFile]]:
        """Every stored file with its entry, which the PDF attaches (and merges, for a PDF):
        an item's own file, then its record's photos, files and recording."""
        return [
            (entry, carried)
            for entry in self.evidence
            for carried in (entry.carried, *entry.record_files)
            if carried is not None
        ]

    @property
    def audit_chapters(self) -> list[Chapter]:
        return [c for c in self.chapters if c.stage == "Audit"]

    @property
    def strategy_chapters(self) -> list[Chapter]:
        return [c for c in self.chapters if c.stage != "Audit"]


def _outcome(version: PortfolioVersion | None) -> VersionOutcome | None:
    if version is None:
        return None
    return VersionOutcome.objects.filter(version=version).select_related("assessor").first()


def _matrix(
    frameworks: list[Framework],
    snapshot: dict[str, Any],
    entries: list[EvidenceEntry],
    chapters: list[Chapter],
    decisions: dict[int, str],
) -> list[MatrixFramework]:
    """Every criterion of the cohort's frameworks with the evidence the snapshot maps to it."""
    labels = {entry.item_id: entry.label for entry in entries}
    chapter_numbers = {chapter.key: chapter.number for chapter in chapters}
    mapped: dict[int, list[MatrixEvidence]] = defaultdict(list)
    for item in snapshot.get("parts", {}).get("evidence", {}).get("items", []):
        is_section = item.get("kind") == SECTION_KIND
        label = (
            f"Chapter {chapter_numbers.get(item.get('section_key'), '')}".strip()
            if is_section
            else labels.get(item["id"], "")
        )
        for mapping in item.get("mappings", []):
            # The coverage rule of the pages: a note on how it proves the criterion, and a
            # section counts only once complete (evidence.selectors.coverage_for_portfolios).
            evidenced = bool(mapping.get("note", "").strip()) and (
                not is_section or item.get("section_complete")
            )
            mapped[mapping["criterion_id"]].append(
                MatrixEvidence(label, item.get("title", ""), bool(evidenced))
            )
    return [
        MatrixFramework(
            code=framework.code,
            title=framework.title,
            kind=framework.get_kind_display(),
            groups=[
                MatrixGroup(
                    code=group.code,
                    title=group.title,
                    rows=[
                        MatrixRow(
                            code=criterion.code,
                            text=criterion.text,
                            evidence=mapped.get(criterion.pk, []),
                            decision=decisions.get(criterion.pk, ""),
                        )
                        for criterion in group.criteria.all()
                    ],
                )
                for group in framework.groups.all()
            ],
        )
        for framework in frameworks
    ]


def _assessment(
    version: PortfolioVersion,
    outcome: VersionOutcome,
    entries: list[EvidenceEntry],
    reviews: list[CriterionReview],
) -> Assessment:
    labels = {entry.item_id: entry.label for entry in entries}
    decisions = []
    for review in reviews:
        decision = review.decision
        if decision is None:
            continue
        decisions.append(
            Decision(
                code=review.criterion.code,
                framework=review.criterion.framework.code,
                status=decision.get_status_display(),
                feedback=decision.feedback,
                assessor=decision.assessor.display_name,
                decided_at=uk_datetime(decision.decided_at),
                evidence=", ".join(labels[i] for i in decision.evidence_ids if i in labels),
            )
        )
    samples = [
        Sample(
            code=sample.decision.criterion.code,
            finding=sample.get_finding_display(),
            sampled_by=sample.sampled_by.display_name,
            sampled_at=uk_date(sample.sampled_at),
            comment=sample.comment,
            response=sample.response,
        )
        for sample in QualitySample.objects.filter(decision__version=version)
        .select_related("decision__criterion", "sampled_by")
        .order_by("decision__criterion__order", "pk")
    ]
    return Assessment(
        outcome=outcome.get_kind_display(),
        assessor=outcome.assessor.display_name,
        decided_at=uk_datetime(outcome.decided_at),
        comment=outcome.comment,
        digest=outcome.digest,
        signed_off=outcome.kind == VersionOutcome.Kind.SIGNED_OFF,
        decisions=decisions,
        samples=samples,
    )


def _cover(
    portfolio: Portfolio,
    version: PortfolioVersion | None,
    outcome: VersionOutcome | None,
    snapshot: dict[str, Any],
    frameworks: list[Framework],
) -> Cover:
    cohort = portfolio.cohort
    profile = first(snapshot, "audit", "organisationprofile")
    frozen = snapshot.get("portfolio", {})
    if version is None:
        version_label, state = "Working copy", "Not yet submitted"
    else:
        version_label = f"Version {version.number}"
        state = VersionState.of(outcome).label
    dates = " – ".join(uk_date(d) for d in (cohort.start_date, cohort.end_date) if d)
    assessor = outcome.assessor if outcome else portfolio.assessor
    return Cover(
        learner=frozen.get("learner") or portfolio.learner.display_name,
        organisation=profile.name if profile else "",
        cohort=frozen.get("cohort") or cohort.name,
        cohort_code=cohort.code,
        provider=cohort.organisation,
        frameworks=[(f.get_kind_display(), f.code, f.title) for f in frameworks],
        assessor=assessor.display_name if assessor else "Not yet assigned",
        version_label=version_label,
        state=state,
        submitted=uk_date(version.submitted_at) if version else "",
        outcome_date=uk_date(outcome.decided_at) if outcome else "",
        cohort_dates=dates,
        prepared=uk_date(timezone.now()),
        digest=version.digest if version else "",
    )


def document_snapshot(*, portfolio: Portfolio, version: PortfolioVersion | None) -> dict[str, Any]:
    """What the document shows: the version's frozen snapshot, or the working copy's."""
    return version.snapshot if version is not None else build_snapshot(portfolio)


def build_document(
    *, portfolio: Portfolio, version: PortfolioVersion | None, snapshot: dict[str, Any] | None = None
) -> Document:
    """The whole document as data; charts are specified but not yet drawn, images not yet scaled.

    ``snapshot`` is ``document_snapshot``'s result when the caller already has it.
    """
    if snapshot is None:
        snapshot = document_snapshot(portfolio=portfolio, version=version)
    outcome = _outcome(version)
    today: date = timezone.localdate(version.submitted_at) if version is not None else timezone.localdate()
    ctx = chapter_context(portfolio=portfolio, version=version, snapshot=snapshot, today=today)
    chapters = build_chapters(ctx)
    entries = evidence_entries(snapshot)
    frameworks = list(frameworks_with_criteria(portfolio.cohort.frameworks.all(), crosswalks=False))
    assessed = None
    decisions: dict[int, str] = {}
    if version is not None and outcome is not None:
        reviews = criteria_review(version)
        assessed = _assessment(version, outcome, entries, reviews)
        decisions = {
            r.criterion.pk: r.decision.get_status_display() for r in reviews if r.decision is not None
        }
    cover = _cover(portfolio, version, outcome, snapshot, frameworks)
    unit = next(
        (f for f in frameworks if f.kind == Framework.Kind.UNIT), frameworks[0] if frameworks else None
    )
    codes = ", ".join(f.code for f in frameworks)
    return Document(
        title=f"Portfolio of {cover.learner}" + (f": {unit.title}" if unit else ""),
        subject=f"Portfolio of evidence for {codes}" if codes else "Portfolio of evidence",
        keywords=", ".join([*(f.code for f in frameworks), "social media", "customer service", "portfolio"]),
        unit_title=unit.title if unit else "",
        cover=cover,
        chapters=chapters,
        evidence=entries,
        matrix=_matrix(frameworks, snapshot, entries, chapters, decisions),
        assessment=assessed,
        declaration=version.declaration if version is not None else assessment.DECLARATION,
        declaration_signed=(
            f"Signed by {cover.learner} on {uk_datetime(version.submitted_at)} "
            f"when submitting version {version.number}."
            if version is not None
            else "Not yet signed: the learner signs this declaration when they submit the portfolio."
        ),
        snapshot=snapshot,
    )
