"""Records the assessor makes about the learner's work: an observation at work, a professional
discussion (with an optional audio or video recording), and questioning on knowledge criteria.
Each is an evidence item mapped to criteria with a note per criterion.

Only the portfolio's assigned assessor writes one (the views find the portfolio through
``core.access.get_portfolio_for_assessor``); the learner reads it and confirms it: accepts
it, or comments on it. The confirmation keeps the SHA-256 digest of the record's content as
the learner read it, as a sign-off keeps the version's digest, so a record changed since no
longer matches its confirmation and waits for the learner again. Questions asked online are
answered by the learner, and submitting the answers signs the record the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.models import Criterion, Portfolio, User
from core.selectors import criteria_for
from core.services import notify
from core.versions import digest_of
from evidence.files import CheckedMedia, CleanFile
from evidence.models import (
    RECORD_RELATIONS,
    AssessorRecord,
    CriterionMapping,
    Evidence,
    Observation,
    ProfessionalDiscussion,
    Question,
    Questioning,
    RecordAttachment,
)
from evidence.services import NOTE_MAX_LENGTH, EvidenceError

log = logging.getLogger(__name__)

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
# What a record calls itself in messages, and what its note against a criterion is.
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
class ObservationData:
    title: str
    occurred_on: date | None
    place: str
    duration_minutes: int | None
    activity: str
    questions: str
    notes: Mapping[int, str]  # criterion id → what was seen and heard against it
    # Photos or files to attach, already through ``evidence.files.check_upload``.
    uploads: Sequence[CleanFile] = ()


@dataclass(frozen=True)
class DiscussionData:
    title: str
    occurred_on: date | None
    participants: str
    duration_minutes: int | None
    topics: str
    summary: str
    notes: Mapping[int, str]  # criterion id → what was said about it
    uploads: Sequence[CleanFile] = ()
    # An audio or video recording, already through ``evidence.files.check_media``.
    recording: CheckedMedia | None = None


@dataclass(frozen=True)
class QuestionData:
    text: str
    criterion_id: int
    answer: str = ""  # written by the assessor when asked in person


@dataclass(frozen=True)
class QuestioningData:
    title: str
    occurred_on: date | None
    mode: str
    questions: Sequence[QuestionData]


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
    }
    if isinstance(record, Observation):
        content |= {
            "place": record.place,
            "duration_minutes": record.duration_minutes,
            "activity": record.activity,
            "questions": record.questions,
        }
    elif isinstance(record, ProfessionalDiscussion):
        content |= {
            "participants": record.participants,
            "duration_minutes": record.duration_minutes,
            "topics": record.topics,
            "summary": record.summary,
        }
    elif isinstance(record, Questioning):
        content |= {
            "mode": record.mode,
            "questions": [[q.position, q.criterion_id, q.text, q.answer] for q in questions],
        }
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


def is_knowledge(criterion: Criterion) -> bool:
    """A criterion of what the learner must know and understand: the standard's knowledge
    group, or a unit outcome that begins "Understand"."""
    group = criterion.group
    return group.kind == "knowledge" or (
        group.kind == "outcome" and group.title.lower().startswith("understand")
    )


def knowledge_criteria(portfolio: Portfolio) -> list[Criterion]:
    """The cohort's criteria a question may be mapped to, in the frameworks' order."""
    return [c for c in criteria_for(portfolio).select_related("group") if is_knowledge(c)]


def _check_questions(data: QuestioningData, portfolio: Portfolio) -> list[QuestionData]:
    """The questions, checked; raises ``EvidenceError`` before anything is written."""
    if data.mode not in Questioning.Mode.values:
        raise EvidenceError("Choose how the learner answers: online, or in person with you.")
    questions = [
        QuestionData(text=q.text.strip(), criterion_id=q.criterion_id, answer=(q.answer or "").strip())
        for q in data.questions
        if q.text.strip()
    ]
    if not questions:
        raise EvidenceError(
            "Write at least one question and choose the knowledge criterion it is about: "
            "a record mapped to no criterion proves nothing."
        )
    if len(questions) > MAX_QUESTIONS:
        raise EvidenceError(f"A questioning record holds at most {MAX_QUESTIONS} questions.")
    if any(len(q.text) > NOTE_MAX_LENGTH for q in questions):
        raise EvidenceError(f"Keep each question under {NOTE_MAX_LENGTH} characters.")
    allowed = {c.pk for c in knowledge_criteria(portfolio)}
    if any(not q.criterion_id for q in questions):
        raise EvidenceError("Choose the knowledge criterion each question is about.")
    if any(q.criterion_id not in allowed for q in questions):
        raise EvidenceError(
            "Each question must be about a knowledge criterion of this cohort's frameworks "
            "(what the learner must know and understand)."
        )
    if data.mode == Questioning.Mode.IN_PERSON:
        if any(not q.answer for q in questions):
            raise EvidenceError("Write down the learner's answer to each question you asked in person.")
        if any(len(q.answer) > ANSWER_MAX_LENGTH for q in questions):
            raise EvidenceError(f"Keep each answer under {ANSWER_MAX_LENGTH} characters.")
    return questions


def _question_notes(questions: Sequence[QuestionData]) -> dict[int, str]:
    """Each criterion's note: the questions asked about it, in order."""
    notes: dict[int, list[str]] = {}
    for number, question in enumerate(questions, start=1):
        notes.setdefault(question.criterion_id, []).append(f"Question {number}: {question.text}")
    return {pk: "\n".join(lines)[:NOTE_MAX_LENGTH] for pk, lines in notes.items()}


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


def _fill_observation(evidence: Evidence, observation: Observation, data: ObservationData) -> None:
    evidence.title = data.title.strip()
    evidence.occurred_on = data.occurred_on  # type: ignore[assignment]
    observation.place = data.place.strip()
    observation.duration_minutes = data.duration_minutes  # type: ignore[assignment]
    observation.activity = data.activity.strip()
    observation.questions = data.questions.strip()
    _validate(evidence, observation)


def _fill_discussion(evidence: Evidence, discussion: ProfessionalDiscussion, data: DiscussionData) -> None:
    evidence.title = data.title.strip()
    evidence.occurred_on = data.occurred_on  # type: ignore[assignment]
    discussion.participants = data.participants.strip()
    discussion.duration_minutes = data.duration_minutes  # type: ignore[assignment]
    discussion.topics = data.topics.strip()
    discussion.summary = data.summary.strip()
    _validate(evidence, discussion)


def _fill_questioning(evidence: Evidence, questioning: Questioning, data: QuestioningData) -> None:
    evidence.title = data.title.strip()
    evidence.occurred_on = data.occurred_on  # type: ignore[assignment]
    questioning.mode = data.mode
    _validate(evidence, questioning)


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


def create_observation(*, portfolio: Portfolio, data: ObservationData, actor: User) -> Evidence:
    """The assigned assessor's observation record, mapped to the criteria it has notes for,
    with its photos or files. Nothing is stored unless every rule holds."""
    _require_assessor(portfolio, actor, "record an observation")
    notes = _check_notes(data.notes, portfolio)
    observation = Observation(assessor=actor)
    evidence = _create(
        portfolio=portfolio,
        kind=Evidence.Kind.OBSERVATION,
        record=observation,
        fill=lambda evidence: _fill_observation(evidence, observation, data),
        notes=notes,
        uploads=data.uploads,
    )
    log.info("observation %s recorded on portfolio %s by %s", evidence.pk, portfolio.pk, actor.username)
    return evidence


def update_observation(*, evidence: Evidence, data: ObservationData, actor: User) -> Evidence:
    """Change the record, and attach more photos or files; if its content differs from what
    the learner confirmed, the confirmation no longer holds and the learner is asked again."""
    _require_assessor(evidence.portfolio, actor, "change an observation record")
    notes = _check_notes(data.notes, evidence.portfolio)
    _update(
        evidence=evidence,
        fill=lambda record: _fill_observation(evidence, record, data),  # type: ignore[arg-type]
        notes=notes,
        uploads=data.uploads,
    )
    log.info("observation %s changed by %s", evidence.pk, actor.username)
    return evidence


def create_discussion(*, portfolio: Portfolio, data: DiscussionData, actor: User) -> Evidence:
    """The assigned assessor's record of a professional discussion, mapped to the criteria
    it has notes for, with its files and optional recording; all or nothing."""
    _require_assessor(portfolio, actor, "record a professional discussion")
    notes = _check_notes(data.notes, portfolio)
    discussion = ProfessionalDiscussion(assessor=actor)
    evidence = _create(
        portfolio=portfolio,
        kind=Evidence.Kind.DISCUSSION,
        record=discussion,
        fill=lambda evidence: _fill_discussion(evidence, discussion, data),
        notes=notes,
        uploads=data.uploads,
        recording=data.recording,
    )
    log.info("discussion %s recorded on portfolio %s by %s", evidence.pk, portfolio.pk, actor.username)
    return evidence


def update_discussion(*, evidence: Evidence, data: DiscussionData, actor: User) -> Evidence:
    """Change the discussion record; a changed content asks the learner to confirm again."""
    _require_assessor(evidence.portfolio, actor, "change a professional discussion record")
    notes = _check_notes(data.notes, evidence.portfolio)
    _update(
        evidence=evidence,
        fill=lambda record: _fill_discussion(evidence, record, data),  # type: ignore[arg-type]
        notes=notes,
        uploads=data.uploads,
        recording=data.recording,
    )
    log.info("discussion %s changed by %s", evidence.pk, actor.username)
    return evidence


def create_questioning(*, portfolio: Portfolio, data: QuestioningData, actor: User) -> Evidence:
    """Questions on knowledge criteria, each mapped to its criterion: for the learner to
    answer online, or asked in person with the answers written down; all or nothing."""
    _require_assessor(portfolio, actor, "ask questions for the portfolio")
    questions = _check_questions(data, portfolio)
    questioning = Questioning(assessor=actor)
    evidence = _create(
        portfolio=portfolio,
        kind=Evidence.Kind.QUESTIONING,
        record=questioning,
        fill=lambda evidence: _fill_questioning(evidence, questioning, data),
        notes=_question_notes(questions),
        questions=questions,
    )
    log.info("questioning %s recorded on portfolio %s by %s", evidence.pk, portfolio.pk, actor.username)
    return evidence


def update_questioning(*, evidence: Evidence, data: QuestioningData, actor: User) -> Evidence:
    """Change the questions (online answers stay at their places, to be answered again) or
    the answers written down in person; a changed content goes back to the learner."""
    _require_assessor(evidence.portfolio, actor, "change a questioning record")
    if data.mode != evidence.questioning.mode:
        raise EvidenceError("How the learner answers cannot change once the questions are asked.")
    questions = _check_questions(data, evidence.portfolio)
    _update(
        evidence=evidence,
        fill=lambda record: _fill_questioning(evidence, record, data),  # type: ignore[arg-type]
        notes=_question_notes(questions),
        questions=questions,
    )
    log.info("questioning %s changed by %s", evidence.pk, actor.username)
    return evidence


@transaction.atomic
def answer_questions(
    *, evidence: Evidence, answers: Mapping[int, str], submit: bool, read_digest: str, actor: User
) -> Questioning:
    """The learner's answers to questions asked online, by question position: kept as a
    draft, or submitted, which needs every answer and signs the record with the digest of
    the questions and answers as submitted. ``read_digest`` is the record's digest when the
    page was drawn: if the assessor changed the questions since, nothing is saved."""
    if evidence.portfolio.learner_id != actor.pk:
        raise EvidenceError("Only the learner answers the questions about their own work.")
    questioning = Questioning.objects.select_for_update().get(evidence=evidence)
    if questioning.mode != Questioning.Mode.ONLINE:
        raise EvidenceError("These questions were asked in person: read the record and confirm it instead.")
    if questioning.content_digest != read_digest:
        raise EvidenceError(
            "Your assessor changed the questions while you were answering: nothing was saved. "
            "Read the questions again; your answers are below to copy."
        )
    questions = list(questioning.questions.order_by("position"))
    cleaned = {q.position: (answers.get(q.position) or "").strip() for q in questions}
    if any(len(answer) > ANSWER_MAX_LENGTH for answer in cleaned.values()):
        raise EvidenceError(f"Keep each answer under {ANSWER_MAX_LENGTH} characters.")
    if submit:
        missing = [str(q.position) for q in questions if not cleaned[q.position]]
        if missing:
            raise EvidenceError(
                "Answer every question before you submit: "
                + ("question " if len(missing) == 1 else "questions ")
                + ", ".join(missing)
                + (" has" if len(missing) == 1 else " have")
                + " no answer. You can save a draft meanwhile."
            )
    for question in questions:
        question.answer = cleaned[question.position]
    Question.objects.bulk_update(questions, ["answer"])
    questioning.content_digest = record_digest(evidence)
    fields = ["content_digest"]
    if submit:
        now = timezone.now()
        questioning.answered_at = now
        questioning.confirmed_digest = questioning.content_digest
        questioning.confirmed_at = now
        questioning.response = Questioning.Response.ACCEPTED
        questioning.learner_comment = ""
        fields += ["answered_at", "confirmed_digest", "confirmed_at", "response", "learner_comment"]
    questioning.save(update_fields=fields)
    Portfolio.objects.filter(pk=evidence.portfolio_id).update(last_activity_at=timezone.now())
    if submit:
        notify(
            recipients=[evidence.portfolio.assessor],
            portfolio=evidence.portfolio,
            subject=f"{actor.display_name} answered your questions",
            body=f"“{evidence.title}”: {len(questions)} answer{'s' if len(questions) != 1 else ''}, signed.",
            url=evidence.get_absolute_url(),
        )
        log.info(
            "questioning %s answered by %s (digest %s)",
            evidence.pk,
            actor.username,
            questioning.content_digest,
        )
    return questioning


@transaction.atomic
def confirm_record(
    *, evidence: Evidence, accept: bool, comment: str, read_digest: str, actor: User
) -> AssessorRecord:
    """The learner read the record: they accept it, or comment on it (a comment is then
    required). Either way the confirmation is signed with the digest of what they read:
    ``read_digest``, the digest of the page they read, which must still be the record's."""
    if evidence.portfolio.learner_id != actor.pk:
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
