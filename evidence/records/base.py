"""What every assessor's record shares: its content and digest, the files it holds, how it is
written (all or nothing, files included), and the learner's confirmation."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.access import is_learner_of
from core.models import Portfolio, User
from core.selectors import criteria_for
from core.services import notify
from core.versions import digest_of
from evidence.files import CheckedMedia, CleanFile
from evidence.models import (
    RECORD_RELATIONS,
    AssessorRecord,
    CriterionMapping,
    Evidence,
    Question,
    Questioning,
    RecordAttachment,
)
from evidence.services import NOTE_MAX_LENGTH, EvidenceError

# One logger for the package, named as the module was (log lines and their tests keep it).
log = logging.getLogger("evidence.records")


COMMENT_MAX_LENGTH = 2000


ANSWER_MAX_LENGTH = 5000


MAX_QUESTIONS = 20


MAX_ATTACHMENTS = 10


STATUS_LABELS = {
    "awaiting": "Awaiting the learner’s confirmation",
    "changed": "Changed since the learner confirmed it: awaiting confirmation again",
    "confirmed": "Confirmed by the learner",
    "commented": "Read by the learner, with a comment",
    "unanswered": "Waiting for the learner’s answers",
}


KIND_NAMES = {
    Evidence.Kind.OBSERVATION: "observation record",
    Evidence.Kind.DISCUSSION: "professional discussion record",
    Evidence.Kind.QUESTIONING: "questioning record",
}


NOTE_LABELS = {
    Evidence.Kind.OBSERVATION: "What the assessor saw and heard",
    Evidence.Kind.DISCUSSION: "What the learner said about it",
    Evidence.Kind.QUESTIONING: "Questions asked about it",
}


@dataclass(frozen=True)
class QuestionData:
    text: str
    criterion_id: int
    answer: str = ""  # written by the assessor when asked in person


def record_of(evidence: Evidence) -> AssessorRecord:
    """The item's record; ``EvidenceError`` if the item is not an assessor's record."""
    record = evidence.record
    if record is None:
        raise EvidenceError("This item is not an assessor's record.")
    return record


def _locked(evidence: Evidence) -> AssessorRecord:
    """The item's record, read again and locked for the rest of the transaction."""
    manager: Any = type(record_of(evidence))._default_manager
    record: AssessorRecord = manager.select_for_update().get(evidence=evidence)
    return record


def record_content(
    *,
    evidence: Evidence,
    record: AssessorRecord,
    mappings: list[CriterionMapping],
    attachments: list[RecordAttachment],
    questions: Sequence[Question] = (),
) -> dict[str, Any]:
    """What the learner confirms: every field of the record and every criterion's note."""
    content: dict[str, Any] = {
        "kind": evidence.kind,
        "title": evidence.title,
        "occurred_on": evidence.occurred_on.isoformat(),
        "assessor_id": record.assessor_id,
        "criteria": sorted([m.criterion_id, m.note] for m in mappings),
        "attachments": sorted([a.sha256, a.original_name] for a in attachments),
    } | record.content_fields()
    if isinstance(record, Questioning):
        content["questions"] = [[q.position, q.criterion_id, q.text, q.answer] for q in questions]
    return content


def record_digest(evidence: Evidence) -> str:
    """The SHA-256 of the record's content as stored now (reads its mappings)."""
    record = record_of(evidence)
    return digest_of(
        record_content(
            evidence=evidence,
            record=record,
            mappings=list(CriterionMapping.objects.filter(evidence=evidence)),
            attachments=list(RecordAttachment.objects.filter(evidence=evidence)),
            questions=list(record.questions.order_by("position")) if isinstance(record, Questioning) else (),
        )
    )


def _check_notes(raw: Mapping[int, str], portfolio: Portfolio) -> dict[int, str]:
    """The notes by criterion, checked; raises ``EvidenceError`` before anything is written."""
    if not raw:
        raise EvidenceError(
            "Choose at least one criterion and say what you saw and heard against it: "
            "a record mapped to no criterion proves nothing."
        )
    notes = {pk: (note or "").strip() for pk, note in raw.items()}
    missing = [pk for pk, note in notes.items() if not note]
    if missing:
        raise EvidenceError("Write what you saw and heard against each criterion you chose.")
    if any(len(note) > NOTE_MAX_LENGTH for note in notes.values()):
        raise EvidenceError(f"Keep each criterion's note under {NOTE_MAX_LENGTH} characters.")
    known = set(criteria_for(portfolio).filter(pk__in=list(notes)).values_list("pk", flat=True))
    if known != set(notes):
        raise EvidenceError("One of the criteria chosen is not part of this cohort's frameworks.")
    return notes


def _attach(
    evidence: Evidence,
    uploads: Sequence[CleanFile],
    stored: list[RecordAttachment],
    recording: CheckedMedia | None = None,
) -> None:
    """Store the checked files, each under a random name from ``evidence_upload_to``;
    ``stored`` collects them so the caller can delete them if the transaction fails."""
    existing = list(evidence.attachments.all())
    if len(existing) + len(uploads) + (1 if recording else 0) > MAX_ATTACHMENTS:
        raise EvidenceError(f"A record holds at most {MAX_ATTACHMENTS} photos or files.")
    if recording is not None and any(a.is_media for a in existing):
        raise EvidenceError("This record has its recording already: a record holds one recording.")
    for upload in uploads:
        attachment = RecordAttachment(
            evidence=evidence,
            original_name=upload.name,
            content_type=upload.file_type.content_type,
            size=upload.size,
            sha256=upload.sha256,
            removed_on_upload=upload.removal_note,
        )
        attachment.file.save(upload.name, ContentFile(upload.content), save=False)
        stored.append(attachment)
        attachment.save()
    if recording is not None:
        attachment = RecordAttachment(
            evidence=evidence,
            original_name=recording.name,
            content_type=recording.file_type.content_type,
            size=recording.size,
            sha256=recording.sha256,
        )
        recording.upload.seek(0)
        # Streamed from the upload (on disk when large) to storage, not read into memory.
        attachment.file.save(recording.name, recording.upload, save=False)
        stored.append(attachment)
        attachment.save()


def _without_partial_files[T](write: Callable[[list[RecordAttachment]], T]) -> T:
    """Run a write that may store files: if it fails, its rows roll back and the files
    it stored are deleted, so nothing partial is left."""
    stored: list[RecordAttachment] = []
    try:
        with transaction.atomic():
            return write(stored)
    except Exception:
        for attachment in stored:
            if attachment.file.name:
                attachment.file.storage.delete(attachment.file.name)
        raise


def _validate(evidence: Evidence, record: AssessorRecord) -> None:
    try:
        evidence.full_clean(exclude=["file"])
        record.full_clean(exclude=["evidence", "assessor", "content_digest"])
    except ValidationError as error:
        raise EvidenceError(" ".join(error.messages)) from None


def _notify_learner(evidence: Evidence, *, changed: bool) -> None:
    portfolio = evidence.portfolio
    record = evidence.record
    name = KIND_NAMES[Evidence.Kind(evidence.kind)]
    if isinstance(record, Questioning) and record.mode == Questioning.Mode.ONLINE:
        subject = (
            f"Your assessor has {'changed the' if changed else 'asked you'} questions: please answer them"
        )
        body = f"“{evidence.title}” is waiting for your answers."
    else:
        what = "changed" if changed else "written"
        article = "an" if name[0] in "aeiou" else "a"
        subject = f"Your assessor has {what} {article} {name}: please confirm it"
        body = (
            f"“{evidence.title}” ({evidence.occurred_on:%d %B %Y}) is waiting for you to read it "
            "and accept it, or to comment on it."
        )
    notify(
        recipients=[portfolio.learner],
        portfolio=portfolio,
        subject=subject,
        body=body,
        url=evidence.get_absolute_url(),
    )


def _require_assessor(portfolio: Portfolio, actor: User, what: str) -> None:
    if portfolio.assessor_id != actor.pk:
        raise EvidenceError(f"Only the portfolio's assessor can {what}.")


def _create(
    *,
    portfolio: Portfolio,
    kind: str,
    record: AssessorRecord,
    fill: Callable[[Evidence], None],
    notes: Mapping[int, str],
    uploads: Sequence[CleanFile] = (),
    recording: CheckedMedia | None = None,
    questions: Sequence[QuestionData] = (),
) -> Evidence:
    evidence = Evidence(portfolio=portfolio, kind=kind)
    setattr(evidence, RECORD_RELATIONS[Evidence.Kind(kind)], record)
    fill(evidence)

    def write(stored: list[RecordAttachment]) -> Evidence:
        evidence.save()
        record.evidence = evidence  # type: ignore[attr-defined]
        record.save()
        if isinstance(record, Questioning):
            Question.objects.bulk_create(
                Question(
                    questioning=record, position=n, text=q.text, criterion_id=q.criterion_id, answer=q.answer
                )
                for n, q in enumerate(questions, start=1)
            )
        CriterionMapping.objects.bulk_create(
            CriterionMapping(evidence=evidence, criterion_id=pk, note=note) for pk, note in notes.items()
        )
        _attach(evidence, uploads, stored, recording)
        record.content_digest = record_digest(evidence)
        record.save(update_fields=["content_digest"])
        _notify_learner(evidence, changed=False)
        return evidence

    return _without_partial_files(write)


def _update(
    *,
    evidence: Evidence,
    fill: Callable[[AssessorRecord], None],
    notes: Mapping[int, str],
    uploads: Sequence[CleanFile] = (),
    recording: CheckedMedia | None = None,
    questions: Sequence[QuestionData] | None = None,
) -> Evidence:
    relation = RECORD_RELATIONS[Evidence.Kind(evidence.kind)]

    def write(stored: list[RecordAttachment]) -> Evidence:
        record = _locked(evidence)
        setattr(evidence, relation, record)
        before = record.content_digest
        fill(record)
        evidence.save()
        record.save()
        if isinstance(record, Questioning) and questions is not None:
            _replace_questions(record, questions)
        evidence.mappings.exclude(criterion_id__in=list(notes)).delete()
        existing = {m.criterion_id: m for m in evidence.mappings.all()}
        for pk, note in notes.items():
            if pk not in existing:
                CriterionMapping.objects.create(evidence=evidence, criterion_id=pk, note=note)
            elif existing[pk].note != note:
                existing[pk].note = note
                existing[pk].save(update_fields=["note", "updated_at"])
        _attach(evidence, uploads, stored, recording)
        record.content_digest = record_digest(evidence)
        fields = ["content_digest"]
        if _answered_online(record) and record.content_digest != before:
            # Changed questions are answered again (the earlier answers stay, to revise).
            record.answered_at = None  # type: ignore[attr-defined]
            fields.append("answered_at")
        record.save(update_fields=fields)
        if record.content_digest != before:
            _notify_learner(evidence, changed=True)
        return evidence

    return _without_partial_files(write)


def _answered_online(record: AssessorRecord) -> bool:
    return (
        isinstance(record, Questioning)
        and record.mode == Questioning.Mode.ONLINE
        and record.answered_at is not None
    )


def _replace_questions(questioning: Questioning, questions: Sequence[QuestionData]) -> None:
    """The questions as now written; online, each keeps the learner's answer at its place."""
    answers = dict(questioning.questions.values_list("position", "answer"))
    questioning.questions.all().delete()
    Question.objects.bulk_create(
        Question(
            questioning=questioning,
            position=n,
            text=q.text,
            criterion_id=q.criterion_id,
            answer=answers.get(n, "") if questioning.mode == Questioning.Mode.ONLINE else q.answer,
        )
        for n, q in enumerate(questions, start=1)
    )


@transaction.atomic
def confirm_record(
    *, evidence: Evidence, accept: bool, comment: str, read_digest: str, actor: User
) -> AssessorRecord:
    """The learner read the record: they accept it, or comment on it (a comment is then
    required). Either way the confirmation is signed with the digest of what they read:
    ``read_digest``, the digest of the page they read, which must still be the record's."""
    if not is_learner_of(actor, evidence.portfolio):
        raise EvidenceError("Only the learner confirms a record about their own work.")
    comment = (comment or "").strip()
    if not accept and not comment:
        raise EvidenceError("Say what you disagree with or want to add in your comment.")
    if len(comment) > COMMENT_MAX_LENGTH:
        raise EvidenceError(f"Keep the comment under {COMMENT_MAX_LENGTH} characters.")
    record = _locked(evidence)
    if (
        isinstance(record, Questioning)
        and record.mode == Questioning.Mode.ONLINE
        and record.answered_at is None
    ):
        raise EvidenceError("Answer the questions and submit your answers: that signs the record.")
    digest = record.content_digest
    if read_digest != digest:
        raise EvidenceError("The record changed while you were reading it: read it again, then confirm.")
    record.confirmed_digest = digest
    record.confirmed_at = timezone.now()
    record.response = AssessorRecord.Response.ACCEPTED if accept else AssessorRecord.Response.COMMENTED
    record.learner_comment = comment
    record.save(update_fields=["confirmed_digest", "confirmed_at", "response", "learner_comment"])
    # The learner's own act, unlike the assessor's writing: it counts as their activity.
    Portfolio.objects.filter(pk=evidence.portfolio_id).update(last_activity_at=timezone.now())
    assessor = evidence.portfolio.assessor
    notify(
        recipients=[assessor],
        portfolio=evidence.portfolio,
        subject=f"{actor.display_name} {'accepted' if accept else 'commented on'} your "
        + KIND_NAMES[Evidence.Kind(evidence.kind)],
        body=f"“{evidence.title}”" + (f": {comment}" if comment else "."),
        url=reverse("evidence:detail", kwargs={"portfolio_pk": evidence.portfolio_id, "pk": evidence.pk}),
    )
    log.info(
        "record %s %s by %s (digest %s)",
        evidence.pk,
        record.response,
        actor.username,
        record.confirmed_digest,
    )
    return record
