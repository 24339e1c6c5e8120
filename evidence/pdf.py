"""The evidence index of the PDF: every item of a snapshot, numbered E1, E2…, with its
criteria, and its content laid out for print: images embedded, other files listed,
reflections as sanitised HTML, transcripts as the conversations they were."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils.html import linebreaks
from django.utils.safestring import SafeString
from django.utils.translation import ngettext

from core.pdf.blocks import CriterionRef, uk_date, uk_datetime
from evidence.files import ALLOWED_TYPES, human_size
from evidence.models import RECORD_KINDS, Evidence, Platform, TranscriptMessage
from evidence.pdf_files import CarriedFile
from evidence.pdf_images import PrintImage
from evidence.rendering import render_markdown
from evidence.transcripts import describe_duration, response_times

TYPE_LABELS = {t.content_type: t.label for t in ALLOWED_TYPES.values()}
PLATFORMS = dict(Platform.choices)
VISIBILITY = dict(Evidence.Visibility.choices)
SCENARIOS = dict(Evidence.Scenario.choices)
ORIGINS = dict(Evidence.Origin.choices)
STAGES = dict(TranscriptMessage.Stage.choices)
# Characters of title, description, provenance and criteria notes a photo card (half the
# text width) may hold: with the photo at most 95 mm high, the card then stays well under a
# page, which it must, as a card beside another cannot break across pages.
PHOTO_CARD_TEXT = 600
PHOTO_CARD_CRITERIA = 6


@dataclass(frozen=True)
class Message:
    author: str
    sent_at: datetime
    text: str
    stage: str
    annotation: str


@dataclass
class ChatLine:
    author: str  # "customer" or "organisation"
    who: str
    when: str
    text: str
    stage: str
    annotation: str
    replied_after: str


@dataclass
class EvidenceEntry:
    number: int
    item_id: int
    kind: str
    kind_label: str
    title: str
    description: str
    date: str
    criteria: list[CriterionRef]
    provenance: list[tuple[str, str]] = field(default_factory=list)
    # files
    file_name: str = ""
    file_type: str = ""
    file_size: str = ""
    is_image: bool = False
    image: PrintImage | None = None
    carried: CarriedFile | None = None  # the stored file: hashed, attached, its pages merged
    record_files: list[CarriedFile] = field(default_factory=list)  # a record's, attached
    # reflections, links, transcripts
    body_html: SafeString | str = ""
    url: str = ""
    chat: list[ChatLine] = field(default_factory=list)
    chat_summary: list[tuple[str, str]] = field(default_factory=list)
    # an assessor's record: its form's rows, and the learner's confirmation in words
    record: list[tuple[str, str]] = field(default_factory=list)
    record_caption: str = ""
    record_note_label: str = ""
    questions: list[tuple[str, str, str]] = field(default_factory=list)  # criterion, question, answer
    record_confirmation: str = ""
    record_confirmation_label: str = "Learner’s confirmation"
    record_digest: str = ""
    # personal data: what the learner left unresolved, and how many they marked not personal
    privacy_warning: str = ""
    not_personal: int = 0

    @property
    def label(self) -> str:
        return f"E{self.number}"

    @property
    def card(self) -> bool:
        """Printed as a card in half the width, beside another: a photo with little text."""
        if self.image is None or not self.image.photo or len(self.criteria) > PHOTO_CARD_CRITERIA:
            return False
        text = (
            len(self.title)
            + len(self.description)
            + sum(len(label) + len(value) for label, value in self.provenance)
            + sum(len(ref.framework) + len(ref.code) + len(ref.shown_note) for ref in self.criteria)
        )
        return text <= PHOTO_CARD_TEXT

    @property
    def anchor(self) -> str:
        return f"evidence-{self.number}"


def _criteria(item: dict[str, Any]) -> list[CriterionRef]:
    return [CriterionRef(m["framework"], m["code"], m.get("note", "")) for m in item.get("mappings", [])]


def _provenance(item: dict[str, Any]) -> list[tuple[str, str]]:
    pairs = [
        ("Platform", PLATFORMS.get(item.get("platform") or "", "")),
        ("Source address", item.get("source_url") or ""),
        ("Captured", uk_datetime(item.get("captured_at"))),
        # Versions frozen before the field existed have no such key.
        ("Removed on upload", (item.get("file") or {}).get("removed_on_upload", "")),
    ]
    return [(k, v) for k, v in pairs if v]


def _privacy(entry: EvidenceEntry, item: dict[str, Any]) -> None:
    """A visible warning for findings the learner has not resolved (the reader of the PDF is
    often a moderator outside the centre), the count marked not personal, and the redaction."""
    summary = item.get("privacy") or {}
    count = summary.get("unresolved", 0)
    if count:
        kinds = ", ".join(summary.get("unresolved_kinds", []))
        items = ngettext("%(count)d item", "%(count)d items", count) % {"count": count}
        entry.privacy_warning = f"Possible personal data not resolved by the learner: {items} ({kinds})."
    elif summary and not summary.get("image_checked", True):
        entry.privacy_warning = "This image was not checked for personal data."
    entry.not_personal = summary.get("not_personal", 0)
    if summary.get("redacted_kinds"):
        when = uk_date(summary.get("redacted_at"))
        entry.provenance.append(
            ("Redacted", f"{', '.join(summary['redacted_kinds'])}{f' on {when}' if when else ''}")
        )


def _transcript(entry: EvidenceEntry, item: dict[str, Any]) -> None:
    messages = [
        Message(
            m["author"],
            datetime.fromisoformat(m["sent_at"]),
            m["text"],
            m.get("stage", ""),
            m.get("annotation", ""),
        )
        for m in sorted(item.get("messages", []), key=lambda m: m["position"])
    ]
    handle = item.get("account_handle") or "Organisation"
    times = response_times(messages) if messages else None
    entry.chat_summary = [
        (k, v)
        for k, v in (
            ("Platform", PLATFORMS.get(item.get("platform") or "", "")),
            ("Reply", VISIBILITY.get(item.get("visibility") or "", "")),
            ("Scenario", SCENARIOS.get(item.get("scenario") or "", "")),
            ("Origin", ORIGINS.get(item.get("origin") or "", "")),
            ("First response", describe_duration(times.first_response) if times else ""),
            ("Longest wait", describe_duration(times.longest_wait) if times else ""),
        )
        if v
    ]
    if times is None:
        return
    for timed in times.messages:
        message = timed.message
        entry.chat.append(
            ChatLine(
                author=message.author,
                who=handle if message.author == "organisation" else "Customer",
                when=uk_datetime(message.sent_at),
                text=message.text,
                stage=STAGES.get(message.stage, ""),
                annotation=message.annotation,
                replied_after=describe_duration(timed.response_time)
                if timed.response_time is not None
                else "",
            )
        )


def _witness(entry: EvidenceEntry, item: dict[str, Any]) -> None:
    """The testimony as written (escaped, its paragraphs kept), and who signed it, when, from
    which request, with the digest of what they signed and the assessor's check."""
    entry.body_html = linebreaks(item.get("body", ""), autoescape=True)
    witness = item.get("witness")
    if not witness:
        return
    seen = uk_date(witness.get("seen_from"))
    if witness.get("seen_to") and witness["seen_to"] != witness.get("seen_from"):
        seen = f"{seen} to {uk_date(witness['seen_to'])}"
    check = witness.get("check")
    pairs = [
        ("Witness", f"{witness['name']}, {witness['job_title']}, {witness['organisation']}"),
        ("Relationship", witness.get("relationship", "")),
        ("Seen", seen),
        ("Signed", f"{witness.get('signature', '')}, {uk_datetime(witness.get('signed_at'))}"),
        ("Request", f"{witness['request_id']}, asked by {witness.get('requested_by', '')}"),
        ("SHA-256 of the signed content", witness.get("digest", "")),
        (
            "Checked by the assessor",
            f"{check['method']} on {uk_date(check['checked_on'])} by {check['by']}"
            + (f": {check['note']}" if check.get("note") else "")
            if check
            else "not recorded",
        ),
    ]
    entry.provenance.extend((k, v) for k, v in pairs if v)


def _minutes(value: Any) -> str:
    return ngettext("%(count)s minute", "%(count)s minutes", value) % {"count": value} if value else ""


def _record(entry: EvidenceEntry, item: dict[str, Any]) -> None:
    """An assessor's record as a form: its fields (a questioning record's questions and answers
    as a table of their own), then who confirmed which digest, and when. Versions frozen
    before discussions and questioning existed hold observations without a kind."""
    record = item.get("record") or {}
    kind = record.get("kind") or item["kind"]
    entry.record_note_label = record.get("note_label") or "What the assessor saw and heard"
    online = kind == Evidence.Kind.QUESTIONING and record.get("mode") == "online"
    if kind == Evidence.Kind.DISCUSSION:
        entry.record_caption = "Professional discussion record, written by the assessor"
        entry.record = [
            ("Assessor", record.get("assessor", "")),
            ("Date of the discussion", entry.date),
            ("Who else took part", record.get("participants", "") or "Nobody else"),
            ("Duration", _minutes(record.get("duration_minutes"))),
            ("Topics discussed", record.get("topics", "")),
            ("What was said", record.get("summary", "")),
        ]
    elif kind == Evidence.Kind.QUESTIONING:
        entry.record_caption = "Questioning record, written by the assessor"
        entry.record = [
            ("Assessor", record.get("assessor", "")),
            ("Date asked", entry.date),
            (
                "How the learner answered",
                "In writing, online" if online else "In person; the answers written down by the assessor",
            ),
        ]
        unanswered = record.get("status") == "unanswered"
        entry.questions = [
            (
                f"{q['framework']} {q['code']}",
                q["text"],
                q["answer"] if q.get("answer") and not unanswered else "Not answered",
            )
            for q in record.get("question_list", [])
        ]
    else:
        entry.record_caption = "Observation record, written by the assessor"
        entry.record = [
            ("Assessor", record.get("assessor", "")),
            ("Date observed", entry.date),
            ("Place", record.get("place", "")),
            ("Duration", _minutes(record.get("duration_minutes"))),
            ("Activity observed", record.get("activity", "")),
            ("Questions asked and answers", record.get("questions", "") or "None recorded"),
        ]
    attached = record.get("attachments") or []
    if attached:
        entry.record.append(
            (
                "Recording, photos and files"
                if any(a.get("content_type", "").startswith(("audio/", "video/")) for a in attached)
                else "Photos and files",
                "\n".join(
                    f"{a['original_name']} ({human_size(a['size'])}), SHA-256 {a['sha256']}" for a in attached
                ),
            )
        )
    entry.record_digest = record.get("content_digest", "")
    status = record.get("status", "awaiting")
    when = uk_datetime(record.get("confirmed_at"))
    if online:
        entry.record_confirmation_label = "Learner’s signed answers"
    if status == "unanswered":
        entry.record_confirmation = "The learner has not yet submitted answers to these questions."
    elif status == "confirmed":
        entry.record_confirmation = (
            f"Answered and signed by the learner on {when}."
            if online
            else f"Accepted by the learner on {when}."
        )
    elif status == "commented":
        entry.record_confirmation = (
            f"Read by the learner on {when}, with a comment: {record.get('learner_comment', '')}"
        )
    elif status == "changed":
        entry.record_confirmation = (
            f"Not confirmed as it stands: the learner confirmed an earlier text on {when}; "
            "the record was changed after."
        )
    else:
        entry.record_confirmation = "Not yet confirmed by the learner."


def evidence_entries(snapshot: dict[str, Any]) -> list[EvidenceEntry]:
    """Every item except the guided sections (they are the chapters), oldest first."""
    items = [
        item
        for item in snapshot.get("parts", {}).get("evidence", {}).get("items", [])
        if item.get("kind") != Evidence.Kind.SECTION
    ]
    items.sort(key=lambda item: (item.get("occurred_on") or "", item["id"]))
    entries = []
    for number, item in enumerate(items, start=1):
        entry = EvidenceEntry(
            number=number,
            item_id=item["id"],
            kind=item["kind"],
            kind_label=item.get("kind_label") or item["kind"],
            title=item.get("title", ""),
            description=item.get("description", ""),
            date=uk_date(item.get("occurred_on")),
            criteria=_criteria(item),
            provenance=_provenance(item) if item["kind"] != Evidence.Kind.TRANSCRIPT else [],
        )
        _privacy(entry, item)
        stored = item.get("file")
        if stored:
            entry.file_name = stored.get("original_name", "")
            entry.file_type = TYPE_LABELS.get(stored.get("content_type", ""), stored.get("content_type", ""))
            entry.file_size = human_size(stored["size"]) if stored.get("size") else ""
            entry.is_image = stored.get("content_type", "").startswith("image/")
        if item["kind"] == Evidence.Kind.REFLECTION:
            # Sanitised by nh3 (no images, no styles, only http(s)/mailto links, which
            # WeasyPrint turns into link annotations and never fetches).
            entry.body_html = render_markdown(item.get("body", ""))
        elif item["kind"] == Evidence.Kind.LINK:
            entry.url = item.get("url", "")
        elif item["kind"] == Evidence.Kind.TRANSCRIPT:
            _transcript(entry, item)
        elif item["kind"] == Evidence.Kind.WITNESS:
            _witness(entry, item)
        elif item["kind"] in RECORD_KINDS:
            _record(entry, item)
        entries.append(entry)
    return entries


def evidence_rows(entries: Iterable[EvidenceEntry]) -> list[list[EvidenceEntry]]:
    """The entries as the index prints them: photo cards two to a row, everything else alone.

    Two photos one after the other share a row; a photo card after a full-width entry
    starts a new row. Order is never changed, so E-numbers still read in sequence.
    """
    rows: list[list[EvidenceEntry]] = []
    for entry in entries:
        if entry.card and rows and rows[-1][0].card and len(rows[-1]) < 2:
            rows[-1].append(entry)
        else:
            rows.append([entry])
    return rows
