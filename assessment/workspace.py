"""The marking workspace: every criterion of a version with its state, grouped, filtered, and the
panel of the chosen one. Reads a fixed number of queries whatever the number of criteria or
evidence items (``tests/portfolio/test_workspace_queries.py`` holds the counts)."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.utils.dateparse import parse_date

from assessment import selectors as sel
from core.models import CriterionDecision, CrosswalkLink, Framework, PortfolioVersion
from evidence.selectors import counts_as_evidenced

MET = CriterionDecision.Status.MET
NOT_YET_MET = CriterionDecision.Status.NOT_YET_MET
UNDECIDED = "undecided"
STATE_LABELS = {MET: "Met", NOT_YET_MET: "Not yet met", UNDECIDED: "Undecided"}

# The filters of the list: key → (short label shown, the rest of the label for screen readers).
FILTERS = {
    "undecided": ("Undecided", ""),
    "not_yet_met": ("Not yet met", ""),
    "changed": ("Changed", " since the last version"),
    "claimed_only": ("Claimed only", ": relying on mappings without a note"),
}

# The fields of an evidence item that make up what the assessor reads: a change to any of them
# (or to the note mapping it to a criterion) marks the criterion changed since the last version.
# "witness" is who signed a testimony and the assessor's check of it; "record" is an
# observation, discussion or questioning record with its confirmation and attachments.
_ITEM_FIELDS = (
    "kind",
    "title",
    "description",
    "body",
    "url",
    "occurred_on",
    "section_complete",
    "messages",
    "witness",
    "record",
)


@dataclass
class Row:
    """One criterion in the list."""

    review: sel.CriterionReview
    index: int  # its place in the whole list, from 0
    changed: bool
    claimed_only: bool

    @property
    def criterion(self) -> Any:
        return self.review.criterion

    @property
    def state(self) -> str:
        return self.review.decision.status if self.review.decision else UNDECIDED

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    def matches(self, wanted: str) -> bool:
        if wanted == "undecided":
            return self.state == UNDECIDED
        if wanted == "not_yet_met":
            return self.state == NOT_YET_MET
        if wanted == "changed":
            return self.changed
        if wanted == "claimed_only":
            return self.claimed_only
        return True


@dataclass
class Group:
    """The criteria marked together: a standard's performance or knowledge criteria, a unit."""

    key: str
    title: str
    rows: list[Row]
    shown: list[Row] = field(default_factory=list)  # the rows the filter keeps

    @property
    def counts(self) -> Counter[str]:
        return Counter(row.state for row in self.rows)

    @property
    def decided(self) -> int:
        return sum(1 for row in self.rows if row.state != UNDECIDED)

    @property
    def all_met(self) -> bool:
        return all(row.state == MET for row in self.rows)


@dataclass
class Workspace:
    version: PortfolioVersion
    groups: list[Group]
    rows: list[Row]
    previous: PortfolioVersion | None
    wanted: str  # the filter chosen, "" for every criterion
    filter_counts: dict[str, int]

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def decided(self) -> int:
        return sum(1 for row in self.rows if row.state != UNDECIDED)

    @property
    def counts(self) -> Counter[str]:
        return Counter(row.state for row in self.rows)

    @property
    def all_decided(self) -> bool:
        return self.decided == self.total

    @property
    def all_met(self) -> bool:
        return bool(self.rows) and all(row.state == MET for row in self.rows)

    @property
    def any_not_met(self) -> bool:
        return any(row.state == NOT_YET_MET for row in self.rows)

    @property
    def percent(self) -> int:
        return round(100 * self.decided / self.total) if self.total else 100

    def row(self, criterion_pk: int | None) -> Row | None:
        return next((r for r in self.rows if r.criterion.pk == criterion_pk), None)

    def group(self, key: str) -> Group | None:
        return next((g for g in self.groups if g.key == key), None)

    def neighbours(self, row: Row) -> tuple[Row | None, Row | None]:
        """The criteria before and after this one among those the filter shows."""
        shown = [r for g in self.groups for r in g.shown]
        before = [r for r in shown if r.index < row.index]
        after = [r for r in shown if r.index > row.index]
        return (before[-1] if before else None, after[0] if after else None)


def group_key(criterion: Any) -> tuple[str, str]:
    """(key, heading) of the group a criterion is marked in: a standard's criteria by the kind of
    their group (performance "P", knowledge "K"), a unit's or another framework's all together."""
    framework = criterion.framework
    if framework.kind == Framework.Kind.STANDARD and criterion.group.kind:
        kind = criterion.group.kind
        heading = {"performance": "performance criteria", "knowledge": "knowledge and understanding"}.get(
            kind, kind
        )
        return f"{framework.code}-{kind}", f"{framework.code} {heading}"
    label = "unit" if framework.kind == Framework.Kind.UNIT else "criteria"
    return framework.code, f"{framework.code} {label}: {framework.title}"


def _items(snapshot: dict) -> list[dict[str, Any]]:
    return snapshot.get("parts", {}).get("evidence", {}).get("items", [])


def _fingerprints(snapshot: dict) -> dict[int, str]:
    """criterion id → a digest of what the learner offers for it in this snapshot: the items
    mapped to it (their content, their file's digest, the content of a section's step, a
    witness's signature and check, an assessor's record with its attachments' digests) and
    the notes."""
    parts = snapshot.get("parts", {})
    per_criterion: dict[int, list[str]] = {}
    for item in _items(snapshot):
        content: dict[str, Any] = {name: item.get(name) for name in _ITEM_FIELDS}
        content["file"] = (item.get("file") or {}).get("sha256")
        if content["record"]:
            # An attachment is its content: its stored name and id are not what the assessor reads.
            content["record"] = content["record"] | {
                "attachments": [
                    (a.get("original_name"), a.get("sha256"))
                    for a in content["record"].get("attachments", [])
                ]
            }
        if item.get("kind") == "section" and item.get("section_key"):
            app = str(item["section_key"]).partition(".")[0]
            content["step"] = parts.get(app)  # the content of its app's steps
        body = json.dumps(content, sort_keys=True, default=str)
        for mapping in item.get("mappings", []):
            per_criterion.setdefault(mapping["criterion_id"], []).append(
                f"{item.get('id')}:{mapping.get('note', '')}:{body}"
            )
    return {
        pk: hashlib.sha256("\n".join(sorted(parts_)).encode()).hexdigest()
        for pk, parts_ in per_criterion.items()
    }


def previous_version(version: PortfolioVersion) -> PortfolioVersion | None:
    """The version submitted before this one (one query), or None for a first version."""
    if version.number <= 1:
        return None
    return version.portfolio.versions.filter(number=version.number - 1).first()


def build(version: PortfolioVersion, *, wanted: str = "") -> Workspace:
    """The workspace of a version (four queries: criteria, decisions, the version before)."""
    reviews = sel.criteria_review(version)
    previous = previous_version(version)
    now = _fingerprints(version.snapshot)
    before = _fingerprints(previous.snapshot) if previous else {}
    wanted = wanted if wanted in FILTERS else ""
    rows = []
    for index, review in enumerate(reviews):
        pk = review.criterion.pk
        mapped = review.snapshot_evidence
        claimed_only = bool(mapped) and not any(
            counts_as_evidenced(
                m["note"] or "", m["item"].get("kind", ""), bool(m["item"].get("section_complete"))
            )
            for m in mapped
        )
        rows.append(
            Row(
                review=review,
                index=index,
                changed=previous is not None and now.get(pk) != before.get(pk),
                claimed_only=claimed_only,
            )
        )
    groups: dict[str, Group] = {}
    for row in rows:
        key, title = group_key(row.criterion)
        groups.setdefault(key, Group(key=key, title=title, rows=[])).rows.append(row)
    for group in groups.values():
        group.shown = [row for row in group.rows if row.matches(wanted)]
    return Workspace(
        version=version,
        groups=list(groups.values()),
        rows=rows,
        previous=previous,
        wanted=wanted,
        filter_counts={key: sum(1 for row in rows if row.matches(key)) for key in FILTERS},
    )


@dataclass
class Panel:
    """What the panel shows of one criterion beyond its row: its crosswalk and its evidence."""

    row: Row
    crosswalk: list[tuple[Any, str]]  # (criterion of another framework, rationale)
    evidence: list[dict[str, Any]]  # {"item", "note", "evidenced", "stored"} per mapped item


def crosswalk_of(criterion_pk: int) -> list[tuple[Any, str]]:
    """The criteria of other frameworks linked to this one, with the rationale (one query)."""
    links = CrosswalkLink.objects.filter(source_id=criterion_pk) | CrosswalkLink.objects.filter(
        target_id=criterion_pk
    )
    found = []
    for link in links.select_related("source__framework", "target__framework").order_by("pk"):
        other = link.target if link.source_id == criterion_pk else link.source
        found.append((other, link.rationale))
    return found


def panel(workspace: Workspace, row: Row) -> Panel:
    """The panel of one criterion (two queries: the crosswalk and the version's files)."""
    files = {f.evidence_id: f for f in workspace.version.files.all()}
    evidence = []
    for mapped in row.review.snapshot_evidence:
        item = mapped["item"]
        evidence.append(
            {
                "item": item,
                "note": mapped["note"],
                "evidenced": counts_as_evidenced(
                    mapped["note"] or "", item.get("kind", ""), bool(item.get("section_complete"))
                ),
                "stored": files.get(item["id"]),
                "occurred": parse_date(item.get("occurred_on") or ""),
            }
        )
    return Panel(row=row, crosswalk=crosswalk_of(row.criterion.pk), evidence=evidence)
