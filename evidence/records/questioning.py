"""Questioning records: questions on knowledge criteria, answered by the learner online (their
submission signs the record) or asked in person and written down."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import ngettext

from core.access import is_learner_of
from core.models import Criterion, Portfolio, User
from core.selectors import criteria_for
from core.services import notify
from evidence.models import (
    Evidence,
    Question,
    Questioning,
)
from evidence.records.base import (
    ANSWER_MAX_LENGTH,
    MAX_QUESTIONS,
    QuestionData,
    _create,
    _require_assessor,
    _update,
    _validate,
    record_digest,
)
from evidence.services import NOTE_MAX_LENGTH, EvidenceError

# One logger for the package, named as the module was (log lines and their tests keep it).
log = logging.getLogger("evidence.records")


@dataclass(frozen=True)
class QuestioningData:
    title: str
    occurred_on: date | None
    mode: str
    questions: Sequence[QuestionData]


def is_knowledge(criterion: Criterion) -> bool:
    """A criterion of what the learner must know and understand: the standard's knowledge
    group, or a unit outcome that begins "Understand"."""
    group = criterion.group
    return group.kind == "knowledge" or (
        group.kind == "outcome" and group.title.lower().startswith("understand")
    )


def knowledge_criteria(portfolio: Portfolio) -> list[Criterion]:
    """The cohort's criteria a question may be mapped to, in the frameworks' order."""
    return [c for c in criteria_for(portfolio) if is_knowledge(c)]


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


def _fill_questioning(evidence: Evidence, questioning: Questioning, data: QuestioningData) -> None:
    evidence.title = data.title.strip()
    evidence.occurred_on = data.occurred_on  # type: ignore[assignment]
    questioning.mode = data.mode
    _validate(evidence, questioning)


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
    if not is_learner_of(actor, evidence.portfolio):
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
                + ngettext("question %(numbers)s has", "questions %(numbers)s have", len(missing))
                % {"numbers": ", ".join(missing)}
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
            body=f"“{evidence.title}”: "
            + ngettext("%(count)d answer", "%(count)d answers", len(questions)) % {"count": len(questions)}
            + ", signed.",
            url=evidence.get_absolute_url(),
        )
        log.info(
            "questioning %s answered by %s (digest %s)",
            evidence.pk,
            actor.username,
            questioning.content_digest,
        )
    return questioning
