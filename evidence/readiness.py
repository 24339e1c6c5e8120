"""Rules on the evidence: interaction transcripts, personal data, and coverage of criteria."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from core.models import Portfolio
from core.rules import ADVICE, MUST, SHOULD, PortfolioData, register_loader, rule, text
from evidence.models import Evidence, ImageScan, NotPersonalMark, TranscriptMessage
from evidence.privacy import item_privacy
from evidence.selectors import CLAIMED, NONE, Coverage, CriterionCoverage, coverage_for_portfolios


@dataclass
class EvidenceFacts:
    """What the evidence rules read about one portfolio."""

    evidence: list[Evidence] = field(default_factory=list)
    messages: dict[int, list[TranscriptMessage]] = field(default_factory=dict)  # evidence id → messages
    not_personal: dict[int, list[NotPersonalMark]] = field(default_factory=dict)  # evidence id → marks
    image_scans: dict[int, ImageScan] = field(default_factory=dict)  # evidence id → its image check
    coverage: Coverage | None = None

    @property
    def transcripts(self) -> list[Evidence]:
        return [e for e in self.evidence if e.kind == Evidence.Kind.TRANSCRIPT]

    @property
    def sections(self) -> dict[str, Evidence]:
        return {e.section_key: e for e in self.evidence if e.kind == Evidence.Kind.SECTION}


def load_facts(portfolios: list[Portfolio]) -> dict[int, EvidenceFacts]:
    """The evidence, its transcript messages, "not personal" marks and image checks, and the
    coverage of criteria (five queries, the last being the assessors' latest decisions)."""
    ids = [p.pk for p in portfolios]
    facts = {pk: EvidenceFacts() for pk in ids}
    owner: dict[int, int] = {}
    for item in Evidence.objects.filter(portfolio_id__in=ids).defer("file", "source_url", "url"):
        facts[item.portfolio_id].evidence.append(item)
        owner[item.pk] = item.portfolio_id
    messages = TranscriptMessage.objects.filter(
        evidence__portfolio_id__in=ids, evidence__kind=Evidence.Kind.TRANSCRIPT
    ).order_by("evidence_id", "position")
    grouped: dict[int, list[TranscriptMessage]] = defaultdict(list)
    for message in messages:
        grouped[message.evidence_id].append(message)
    for evidence_id, rows in grouped.items():
        if evidence_id in owner:
            facts[owner[evidence_id]].messages[evidence_id] = rows
    for mark in NotPersonalMark.objects.filter(evidence__portfolio_id__in=ids).order_by("pk"):
        if mark.evidence_id in owner:
            facts[owner[mark.evidence_id]].not_personal.setdefault(mark.evidence_id, []).append(mark)
    for scan in ImageScan.objects.filter(evidence__portfolio_id__in=ids):
        if scan.evidence_id in owner:
            facts[owner[scan.evidence_id]].image_scans[scan.evidence_id] = scan
    for portfolio_id, coverage in coverage_for_portfolios(portfolios).items():
        facts[portfolio_id].coverage = coverage
    return facts


register_loader("evidence", load_facts, queries=4 + 5)


Scenario = Evidence.Scenario
Visibility = Evidence.Visibility
Stage = TranscriptMessage.Stage


@rule(
    id="evidence.transcript_scenarios",
    message="Include interactions that show a range of scenarios: a complaint, positive feedback "
    "and a complex query.",
    severity=MUST,
    criteria=("CFACSD22 K7",),
    fix="evidence:list",
)
def transcript_scenarios(data: PortfolioData) -> list[str]:
    present = {t.scenario for t in data.transcripts}
    needed = [Scenario.COMPLAINT, Scenario.POSITIVE, Scenario.COMPLEX]
    missing = [scenario.label.lower() for scenario in needed if scenario not in present]
    return [f"No interaction yet of: {', '.join(missing)}."] if missing else []


@rule(
    id="evidence.transcript_visibility",
    message="Show both public replies and private messages, so the examiner sees you choose "
    "where each conversation belongs.",
    severity=MUST,
    criteria=("CFACSD22 K7",),
    fix="evidence:list",
)
def transcript_visibility(data: PortfolioData) -> list[str]:
    present = {t.visibility for t in data.transcripts}
    missing = [v.label.lower() for v in (Visibility.PUBLIC, Visibility.PRIVATE) if v not in present]
    return [f"No interaction yet as a {', '.join(missing)}."] if missing else []


@rule(
    id="evidence.transcript_annotations",
    message="Annotate every interaction to explain your decisions, not only the replies you posted.",
    severity=MUST,
    criteria=("CFACSD22 K7",),
    fix="evidence:list",
)
def transcript_annotations(data: PortfolioData) -> list[str]:
    bare = [
        t.title
        for t in data.transcripts
        if not any(text(m.annotation) for m in data.messages.get(t.pk, [])) and not text(t.description)
    ]
    if not data.transcripts:
        return ["No interactions recorded yet."]
    return [f"No annotation or reflection on: {', '.join(bare)}."] if bare else []


@rule(
    id="evidence.complaint_stages",
    message="Show a complaint handled in full: acknowledged, investigated, resolved and followed up.",
    severity=SHOULD,
    criteria=("CFACSD22 K11",),
    fix="evidence:list",
)
def complaint_stages(data: PortfolioData) -> list[str]:
    needed = {Stage.ACKNOWLEDGE, Stage.INVESTIGATE, Stage.RESOLVE, Stage.FOLLOW_UP}
    for transcript in data.transcripts:
        if transcript.scenario == Scenario.COMPLAINT:
            stages = {m.stage for m in data.messages.get(transcript.pk, [])}
            if needed <= stages:
                return []
    return ["No complaint's replies are tagged with all four stages yet."]


@rule(
    id="evidence.personal_data",
    message="Remove customers' personal data (names, addresses, e-mail addresses, phone numbers, "
    "order numbers, handles) from the interactions and screenshots you include.",
    severity=MUST,
    criteria=("CFACSD22 K8",),
    fix="evidence:list",
)
def personal_data(data: PortfolioData) -> list[str]:
    if not data.transcripts:
        # Not "passed": nothing has been checked yet (an empty portfolio is not already done).
        return ["No interactions recorded yet, so none has been checked for personal data."]
    problems = []
    for item in data.evidence:
        scan = data.image_scans.get(item.pk)
        if item.kind != Evidence.Kind.TRANSCRIPT and scan is None:
            continue  # only interactions and checked images (an upload is always checked)
        review = item_privacy(
            item, messages=data.messages.get(item.pk, []), marks=data.not_personal.get(item.pk, []), scan=scan
        )
        if review.unresolved:
            problems.append(f"“{item.title}” still shows: {', '.join(review.unresolved_kinds)}.")
        elif scan is not None and review.image_unchecked:
            problems.append(
                f"“{item.title}” has not finished its check for personal data: open it to see why."
            )
    return problems


def _codes(items: list[CriterionCoverage]) -> str:
    codes = [f"{c.criterion.framework.code} {c.criterion.code}" for c in items]
    return ", ".join(codes[:12]) + (f" and {len(codes) - 12} more" if len(codes) > 12 else "")


@rule(
    id="evidence.criteria_covered",
    message="Give every criterion evidence that proves it: mapped, with a note, from finished work.",
    severity=MUST,
    criteria=(),
    fix="evidence:coverage",
)
def criteria_covered(data: PortfolioData) -> list[str]:
    if data.coverage is None:
        return []
    problems = []
    missing = [c for c in data.coverage.criteria if c.status == NONE]
    claimed = [c for c in data.coverage.criteria if c.status == CLAIMED]
    if missing:
        problems.append(f"{len(missing)} criteria have no evidence: {_codes(missing)}.")
    if claimed:
        problems.append(
            f"{len(claimed)} criteria are only claimed (no note saying how, or the step is not "
            f"complete yet): {_codes(claimed)}."
        )
    return problems


@rule(
    id="evidence.mapping_notes",
    message="In every mapping, say in a note how the evidence proves the criterion.",
    severity=SHOULD,
    criteria=(),
    fix="evidence:coverage",
)
def mapping_notes(data: PortfolioData) -> list[str]:
    if data.coverage is None:
        return []
    if not any(c.evidence for c in data.coverage.criteria):
        return ["No evidence is mapped to a criterion yet."]
    bare = sorted({item.title for c in data.coverage.criteria for item in c.evidence if not text(item.note)})
    return [f"Mappings without a note on: {', '.join(bare)}."] if bare else []


@rule(
    id="evidence.reflection",
    message="Write a reflection on how you adapted your style to different platforms and what "
    "you would do differently.",
    severity=ADVICE,
    criteria=(),
    fix="evidence:list",
)
def reflection(data: PortfolioData) -> list[str]:
    if any(e.kind == Evidence.Kind.REFLECTION and text(e.body) for e in data.evidence):
        return []
    return ["No written reflection yet."]
