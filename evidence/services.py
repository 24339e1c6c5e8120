"""Writes for evidence. Each takes the acting user, runs in one transaction and
raises ``EvidenceError`` with a message for the learner when a rule is broken."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from core import concurrency, outbox
from core.models import Criterion, Portfolio, User, VersionFile
from core.sections import get_section
from core.selectors import criteria_for
from evidence.files import CleanFile
from evidence.models import RECORD_KINDS, CriterionMapping, Evidence, PendingRedaction, TranscriptMessage

log = logging.getLogger(__name__)

NOTE_MAX_LENGTH = 2000
COMMON_FIELDS = ("title", "description", "occurred_on")
PROVENANCE_FIELDS = ("platform", "source_url", "captured_at")
FIELDS_BY_KIND = {
    Evidence.Kind.FILE: (*COMMON_FIELDS, *PROVENANCE_FIELDS),
    Evidence.Kind.REFLECTION: (*COMMON_FIELDS, "body"),
    Evidence.Kind.LINK: (*COMMON_FIELDS, "url", *PROVENANCE_FIELDS),
    Evidence.Kind.TRANSCRIPT: (
        *COMMON_FIELDS,
        *PROVENANCE_FIELDS,
        "visibility",
        "scenario",
        "origin",
        "account_handle",
    ),
}


TRANSCRIPT_REQUIRED = (
    ("platform", "platform"),
    ("visibility", "public or private"),
    ("scenario", "scenario"),
    ("origin", "real or simulated"),
)


class EvidenceError(Exception):
    """A rule of the domain was broken; the message is shown to the user."""


@dataclass(frozen=True)
class MessageData:
    author: str
    sent_at: datetime
    text: str
    stage: str = ""
    annotation: str = ""


# --- Sections ---------------------------------------------------------------------------


@transaction.atomic
def record_section(*, portfolio: Portfolio, key: str, complete: bool, summary: str, actor: User) -> Evidence:
    """Keep the section's evidence row up to date; map it to its criteria the first time.

    Later saves never touch the mappings: the learner owns them once they exist.
    """
    section = get_section(key)
    evidence, created = Evidence.objects.select_for_update().get_or_create(
        portfolio=portfolio,
        kind=Evidence.Kind.SECTION,
        section_key=key,
        defaults={"title": section.title, "description": summary, "section_complete": complete},
    )
    if not created:
        evidence.title = section.title
        evidence.description = summary
        evidence.section_complete = complete
        evidence.occurred_on = timezone.localdate()
        evidence.save(update_fields=["title", "description", "section_complete", "occurred_on", "updated_at"])
    else:
        _add_default_mappings(evidence=evidence, portfolio=portfolio, defaults=section.default_criteria)
    _touch(portfolio)
    log.info(
        "section %s of portfolio %s saved by %s (complete=%s)", key, portfolio.pk, actor.username, complete
    )
    return evidence


def _add_default_mappings(
    *, evidence: Evidence, portfolio: Portfolio, defaults: dict[str, dict[str, str]]
) -> None:
    wanted = {(fw, code): note for fw, notes in defaults.items() for code, note in notes.items()}
    criteria = criteria_for(portfolio)
    CriterionMapping.objects.bulk_create(
        [
            CriterionMapping(evidence=evidence, criterion=criterion, note=wanted[key], is_default=True)
            for criterion in criteria
            if (key := (criterion.framework.code, criterion.code)) in wanted
        ]
    )


def _touch(portfolio: Portfolio) -> None:
    Portfolio.objects.filter(pk=portfolio.pk).update(last_activity_at=timezone.now())


# --- Evidence items ---------------------------------------------------------------------


def _check_kind_rules(kind: str, values: Mapping[str, Any], upload: CleanFile | None, has_file: bool) -> None:
    if kind not in FIELDS_BY_KIND:
        raise EvidenceError("That kind of evidence cannot be added here.")
    if not (values.get("title") or "").strip():
        raise EvidenceError("Give the evidence a title.")
    if kind == Evidence.Kind.FILE and upload is None and not has_file:
        raise EvidenceError("Choose a file to upload.")
    if kind == Evidence.Kind.LINK and not values.get("url"):
        raise EvidenceError("Give the link's address.")
    if kind == Evidence.Kind.REFLECTION and not (values.get("body") or "").strip():
        raise EvidenceError("Write the reflection before saving it.")
    if kind == Evidence.Kind.TRANSCRIPT:
        for name, label in TRANSCRIPT_REQUIRED:
            if not values.get(name):
                raise EvidenceError(f"Say which {label} the interaction was.")


def _check_messages(messages: Sequence[MessageData]) -> None:
    previous: datetime | None = None
    for number, message in enumerate(messages, start=1):
        if message.author not in TranscriptMessage.Author.values:
            raise EvidenceError(f"Message {number}: say who wrote it.")
        if not message.text.strip():
            raise EvidenceError(f"Message {number}: the message has no text.")
        if message.stage and message.author != TranscriptMessage.Author.ORGANISATION:
            raise EvidenceError(f"Message {number}: only the organisation's replies have a complaint stage.")
        if previous is not None and message.sent_at < previous:
            raise EvidenceError(f"Message {number} is earlier than the message before it: check the times.")
        previous = message.sent_at


def _replace_messages(evidence: Evidence, messages: Sequence[MessageData]) -> None:
    evidence.messages.all().delete()
    TranscriptMessage.objects.bulk_create(
        [
            TranscriptMessage(
                evidence=evidence,
                position=position,
                author=m.author,
                sent_at=m.sent_at,
                text=m.text.strip(),
                stage=m.stage if m.author == TranscriptMessage.Author.ORGANISATION else "",
                annotation=m.annotation.strip(),
            )
            for position, m in enumerate(messages, start=1)
        ]
    )


@transaction.atomic
def create_evidence(
    *,
    portfolio: Portfolio,
    kind: str,
    values: Mapping[str, Any],
    actor: User,
    upload: CleanFile | None = None,
    messages: Sequence[MessageData] = (),
) -> Evidence:
    """Add an item of evidence; a file must already have passed ``evidence.files.check_upload``."""
    _check_kind_rules(kind, values, upload, has_file=False)
    if kind == Evidence.Kind.TRANSCRIPT:
        _check_messages(messages)
    evidence = Evidence(portfolio=portfolio, kind=kind)
    for name in FIELDS_BY_KIND[kind]:
        if name in values:
            setattr(evidence, name, values[name] if values[name] is not None else _empty(name))
    if upload is not None:
        evidence.original_name = upload.name
        evidence.content_type = upload.file_type.content_type
        evidence.file_size = upload.size
        evidence.sha256 = upload.sha256
        evidence.removed_on_upload = upload.removal_note
    evidence.full_clean(exclude=["file"])
    if upload is not None:
        # Under a random name from ``evidence_upload_to``; never the learner's own name.
        evidence.file.save(upload.name, ContentFile(upload.content), save=False)
    try:
        evidence.save()
        if kind == Evidence.Kind.TRANSCRIPT:
            _replace_messages(evidence, messages)
    except Exception:
        if upload is not None:
            evidence.file.storage.delete(evidence.file.name)  # nothing half-saved
        raise
    if upload is not None and evidence.is_image:
        # The print-size copy is made now, in the worker, so no PDF export has to scale it.
        # By name, as the other evidence tasks are queued (the task module imports this app).
        outbox.enqueue("evidence.tasks.make_evidence_rendition", args=[evidence.pk])
    _touch(portfolio)
    log.info("evidence %s (%s) added to portfolio %s by %s", evidence.pk, kind, portfolio.pk, actor.username)
    return evidence


def _empty(name: str) -> Any:
    return None if name in {"captured_at", "occurred_on"} else ""


@transaction.atomic
def update_evidence(
    *,
    evidence: Evidence,
    values: Mapping[str, Any],
    actor: User,
    messages: Sequence[MessageData] | None = None,
    token: str | None = None,
) -> Evidence:
    """Change an item's details (a file's content stays: delete and add again to replace it).

    ``token``: the item's version the form was opened at (core/concurrency.py)."""
    if evidence.kind == Evidence.Kind.SECTION:
        raise EvidenceError("A portfolio section changes through its own step, not here.")
    _refuse_record(evidence)
    concurrency.claim(scope=concurrency.evidence_scope(evidence.pk), token=token, actor=actor)
    _check_kind_rules(evidence.kind, values, None, has_file=bool(evidence.file))
    if messages is not None:
        _check_messages(messages)
    for name in FIELDS_BY_KIND[evidence.kind]:
        if name in values:
            setattr(evidence, name, values[name] if values[name] is not None else _empty(name))
    evidence.full_clean(exclude=["file"])
    evidence.save()
    if messages is not None and evidence.kind == Evidence.Kind.TRANSCRIPT:
        _replace_messages(evidence, messages)
    _touch(evidence.portfolio)
    log.info("evidence %s changed by %s", evidence.pk, actor.username)
    return evidence


@transaction.atomic
def delete_evidence(*, evidence: Evidence, actor: User) -> None:
    """Remove an item, its mappings and its stored file (the file once the row is gone)."""
    if evidence.kind == Evidence.Kind.SECTION:
        raise EvidenceError("A portfolio section cannot be deleted; change its mappings instead.")
    _refuse_record(evidence)
    # A submitted version may refer to the file: then it stays, served from that version.
    if evidence.file and not VersionFile.objects.filter(name=evidence.file.name).exists():
        storage, name = evidence.file.storage, evidence.file.name
        transaction.on_commit(lambda: storage.delete(name))  # its rendition: evidence/signals.py
    if (pending := PendingRedaction.objects.filter(evidence=evidence).first()) is not None:
        pending_storage, pending_name = pending.file.storage, pending.file.name
        transaction.on_commit(lambda: pending_storage.delete(pending_name))  # an unconfirmed copy
    log.info("evidence %s of portfolio %s deleted by %s", evidence.pk, evidence.portfolio_id, actor.username)
    evidence.delete()
    _touch(evidence.portfolio)


def _refuse_record(evidence: Evidence) -> None:
    """The assessor's records change only through ``evidence.records``, with the learner's
    confirmation following them; never here."""
    if evidence.kind in RECORD_KINDS:
        raise EvidenceError("An assessor's record changes only through its own page, by the assessor.")


# --- Mappings ---------------------------------------------------------------------------


def item_mappings_scope(evidence_id: int) -> str:
    """The version of an item's mappings (its picker page)."""
    return f"{concurrency.evidence_scope(evidence_id)}/mappings"


def criterion_mappings_scope(portfolio: Portfolio, criterion_id: int) -> str:
    """The version of the evidence mapped to one criterion (the criterion's picker page)."""
    return concurrency.portfolio_scope(portfolio.pk, f"evidence.criterion.{criterion_id}")


def _check_note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise EvidenceError(f"Keep each note under {NOTE_MAX_LENGTH} characters.")
    return note


@transaction.atomic
def set_evidence_mappings(
    *, evidence: Evidence, wanted: Mapping[int, str], actor: User, token: str | None = None
) -> list[CriterionMapping]:
    """Make the item's mappings exactly ``wanted`` (criterion id → note).

    Criteria must belong to the cohort's frameworks; notes may be empty (then the
    mapping only claims the criterion). ``token``: the mappings' version the page was
    opened at (core/concurrency.py).
    """
    _refuse_record(evidence)
    portfolio = evidence.portfolio
    concurrency.claim(scope=item_mappings_scope(evidence.pk), token=token, actor=actor)
    criteria = {c.pk: c for c in criteria_for(portfolio).filter(pk__in=list(wanted))}
    if len(criteria) != len(set(wanted)):
        raise EvidenceError("One of the criteria chosen is not part of this cohort's frameworks.")
    notes = {pk: _check_note(note) for pk, note in wanted.items()}
    existing = {m.criterion_id: m for m in evidence.mappings.all()}
    # The criteria whose page shows a row this save changes: their open pages learn of it.
    touched = set(existing) ^ set(notes) | {
        pk for pk in notes if pk in existing and existing[pk].note != notes[pk]
    }
    for criterion_id in sorted(touched):
        concurrency.touch(scope=criterion_mappings_scope(portfolio, criterion_id), actor=actor)
    evidence.mappings.exclude(criterion_id__in=list(notes)).delete()
    changed = []
    for pk, note in notes.items():
        mapping = existing.get(pk)
        if mapping is None:
            changed.append(
                CriterionMapping.objects.create(evidence=evidence, criterion=criteria[pk], note=note)
            )
        elif mapping.note != note:
            mapping.note = note
            mapping.is_default = False
            mapping.save(update_fields=["note", "is_default", "updated_at"])
            changed.append(mapping)
    _touch(portfolio)
    log.info("mappings of evidence %s set to %s by %s", evidence.pk, sorted(notes), actor.username)
    return changed


@transaction.atomic
def set_criterion_mappings(
    *,
    portfolio: Portfolio,
    criterion: Criterion,
    wanted: Mapping[int, str],
    actor: User,
    token: str | None = None,
) -> None:
    """Make the evidence mapped to one criterion exactly ``wanted`` (evidence id → note)."""
    concurrency.claim(scope=criterion_mappings_scope(portfolio, criterion.pk), token=token, actor=actor)
    if not portfolio.cohort.frameworks.filter(pk=criterion.framework_id).exists():
        raise EvidenceError("That criterion is not part of this cohort's frameworks.")
    items = {e.pk: e for e in portfolio.evidence.exclude(kind__in=RECORD_KINDS).filter(pk__in=list(wanted))}
    if len(items) != len(set(wanted)):
        raise EvidenceError("One of the items chosen is not in this portfolio.")
    notes = {pk: _check_note(note) for pk, note in wanted.items()}
    # The assessor's records keep their mappings: only the learner's own items are set here.
    mappings = CriterionMapping.objects.filter(evidence__portfolio=portfolio, criterion=criterion).exclude(
        evidence__kind__in=RECORD_KINDS
    )
    existing = {m.evidence_id: m for m in mappings}
    touched = set(existing) ^ set(notes) | {
        pk for pk in notes if pk in existing and existing[pk].note != notes[pk]
    }
    for evidence_id in sorted(touched):
        concurrency.touch(scope=item_mappings_scope(evidence_id), actor=actor)
    mappings.exclude(evidence_id__in=list(notes)).delete()
    for pk, note in notes.items():
        mapping = existing.get(pk)
        if mapping is None:
            CriterionMapping.objects.create(evidence=items[pk], criterion=criterion, note=note)
        elif mapping.note != note:
            mapping.note = note
            mapping.is_default = False
            mapping.save(update_fields=["note", "is_default", "updated_at"])
    _touch(portfolio)
    log.info(
        "evidence for criterion %s of portfolio %s set by %s", criterion.pk, portfolio.pk, actor.username
    )


@transaction.atomic
def add_mapping(*, evidence: Evidence, criterion: Criterion, note: str, actor: User) -> CriterionMapping:
    """Map one more criterion (the crosswalk's offer); an existing mapping keeps its note."""
    _refuse_record(evidence)
    if not evidence.portfolio.cohort.frameworks.filter(pk=criterion.framework_id).exists():
        raise EvidenceError("That criterion is not part of this cohort's frameworks.")
    mapping, created = CriterionMapping.objects.get_or_create(
        evidence=evidence, criterion=criterion, defaults={"note": _check_note(note)}
    )
    if created:
        concurrency.touch(scope=item_mappings_scope(evidence.pk), actor=actor)
        concurrency.touch(scope=criterion_mappings_scope(evidence.portfolio, criterion.pk), actor=actor)
    _touch(evidence.portfolio)
    log.info("evidence %s mapped to criterion %s by %s", evidence.pk, criterion.pk, actor.username)
    return mapping
