"""Pages for the assessor's records (observation, professional discussion, questioning), the
learner confirming them, and the learner answering questions asked online.

The assessor reaches them through ``get_portfolio_for_assessor`` (404 to those who may not
read the portfolio, 403 to its other readers); the learner confirms and answers through
``get_portfolio_for(write=True)``, which only the learner passes. Reading a record is the
evidence item's own page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, BinaryIO, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.access import (
    AuthenticatedHttpRequest,
    get_portfolio_for,
    get_portfolio_for_assessor,
    is_eqa,
    versions_visible_to,
)
from core.file_responses import stored_file_response
from core.models import Portfolio, User
from core.selectors import criteria_for
from evidence.forms import DiscussionForm, ObservationForm, QuestioningForm
from evidence.models import RECORD_KINDS, Evidence, Questioning, RecordAttachment
from evidence.records import (
    MAX_QUESTIONS,
    DiscussionData,
    ObservationData,
    QuestionData,
    QuestioningData,
    answer_questions,
    confirm_record,
    create_discussion,
    create_observation,
    create_questioning,
    knowledge_criteria,
    update_discussion,
    update_observation,
    update_questioning,
)
from evidence.services import EvidenceError

RECORD_RELATED = ("observation", "discussion", "questioning", "portfolio__learner", "portfolio__assessor")


def _posted_notes(data: QueryDict, allowed: set[int]) -> dict[int, str]:
    """Ticked criteria (``c-<id>-on``) and their notes (``c-<id>-note``); ids not of this
    portfolio's criteria are ignored, so a forged id maps nothing."""
    notes = {}
    for key in data:
        parts = key.split("-")
        if len(parts) == 3 and parts[0] == "c" and parts[2] == "on" and parts[1].isdigit():
            pk = int(parts[1])
            if pk in allowed:
                notes[pk] = data.get(f"c-{pk}-note", "")
    return notes


def _criteria_rows(portfolio: Portfolio, notes: dict[int, str]) -> list[dict[str, Any]]:
    return [
        {"criterion": c, "on": c.pk in notes, "note": notes.get(c.pk, "")} for c in criteria_for(portfolio)
    ]


@dataclass(frozen=True)
class NotedRecord:
    """A record whose criteria each carry a note (observation, discussion): its form, how its
    data is made, written and read back, and the words of its page."""

    form: type[forms.Form]
    make: Callable[..., Any]
    create: Callable[..., Evidence]
    update: Callable[..., Evidence]
    initial: Callable[[Evidence], dict[str, Any]]
    new_title: str
    intro: str
    notes_legend: str
    note_label: str
    created: str
    saved: str


def _observation_initial(evidence: Evidence) -> dict[str, Any]:
    record = evidence.observation
    return {
        "title": evidence.title,
        "occurred_on": evidence.occurred_on,
        "place": record.place,
        "duration_minutes": record.duration_minutes,
        "activity": record.activity,
        "questions": record.questions,
    }


def _discussion_initial(evidence: Evidence) -> dict[str, Any]:
    record = evidence.discussion
    return {
        "title": evidence.title,
        "occurred_on": evidence.occurred_on,
        "participants": record.participants,
        "duration_minutes": record.duration_minutes,
        "topics": record.topics,
        "summary": record.summary,
    }


NOTED = {
    Evidence.Kind.OBSERVATION: NotedRecord(
        form=ObservationForm,
        make=ObservationData,
        create=create_observation,
        update=update_observation,
        initial=_observation_initial,
        new_title="Record an observation of",
        intro="What you saw and heard the learner do at work.",
        notes_legend="What you saw and heard against each criterion",
        note_label="What you saw and heard against",
        created="Observation recorded: the learner is asked to confirm it.",
        saved="Observation record saved.",
    ),
    Evidence.Kind.DISCUSSION: NotedRecord(
        form=DiscussionForm,
        make=DiscussionData,
        create=create_discussion,
        update=update_discussion,
        initial=_discussion_initial,
        new_title="Record a professional discussion with",
        intro="A planned conversation in which the learner explains how they did their work.",
        notes_legend="What the learner said against each criterion",
        note_label="What the learner said about",
        created="Professional discussion recorded: the learner is asked to confirm it.",
        saved="Professional discussion record saved.",
    ),
}


def _noted_page(
    request: AuthenticatedHttpRequest, portfolio: Portfolio, kind: str, evidence: Evidence | None
) -> HttpResponse:
    spec = NOTED[Evidence.Kind(kind)]
    allowed = set(criteria_for(portfolio).values_list("pk", flat=True))
    status = 200
    if request.method == "POST":
        form = spec.form(request.POST, request.FILES)
        notes = _posted_notes(request.POST, allowed)
        if form.is_valid():
            fields = dict(form.cleaned_data)
            fields["uploads"] = fields.pop("attachments")
            data = spec.make(**fields, notes=notes)
            try:
                if evidence is None:
                    evidence = spec.create(portfolio=portfolio, data=data, actor=request.user)
                    messages.success(request, spec.created)
                else:
                    evidence = spec.update(evidence=evidence, data=data, actor=request.user)
                    messages.success(request, spec.saved)
            except EvidenceError as error:
                messages.error(request, str(error))
            else:
                return redirect(evidence.get_absolute_url())
        status = 400
    elif evidence is not None:
        form = spec.form(initial=spec.initial(evidence))
        notes = {m.criterion_id: m.note for m in evidence.mappings.all()}
    else:
        form, notes = spec.form(), {}
    attachments = list(evidence.attachments.all()) if evidence is not None else []
    return render(
        request,
        "evidence/records/record_form.html",
        {
            "portfolio": portfolio,
            "evidence": evidence,
            "kind": kind,
            "spec": spec,
            "form": form,
            "rows": _criteria_rows(portfolio, notes),
            "attachments": attachments,
            "has_recording": any(a.is_media for a in attachments),
        },
        status=status,
    )


def _record_for_assessor(portfolio: Portfolio, pk: int, kind: str) -> Evidence:
    return get_object_or_404(
        portfolio.evidence.select_related(*RECORD_RELATED).prefetch_related("mappings"), pk=pk, kind=kind
    )


@login_required
def observation_add(request: AuthenticatedHttpRequest, portfolio_pk: int) -> HttpResponse:
    portfolio = get_portfolio_for_assessor(request.user, portfolio_pk)
    return _noted_page(request, portfolio, Evidence.Kind.OBSERVATION, None)


@login_required
def observation_edit(request: AuthenticatedHttpRequest, portfolio_pk: int, pk: int) -> HttpResponse:
    portfolio = get_portfolio_for_assessor(request.user, portfolio_pk)
    evidence = _record_for_assessor(portfolio, pk, Evidence.Kind.OBSERVATION)
    return _noted_page(request, portfolio, Evidence.Kind.OBSERVATION, evidence)


@login_required
def discussion_add(request: AuthenticatedHttpRequest, portfolio_pk: int) -> HttpResponse:
    portfolio = get_portfolio_for_assessor(request.user, portfolio_pk)
    return _noted_page(request, portfolio, Evidence.Kind.DISCUSSION, None)


@login_required
def discussion_edit(request: AuthenticatedHttpRequest, portfolio_pk: int, pk: int) -> HttpResponse:
    portfolio = get_portfolio_for_assessor(request.user, portfolio_pk)
    evidence = _record_for_assessor(portfolio, pk, Evidence.Kind.DISCUSSION)
    return _noted_page(request, portfolio, Evidence.Kind.DISCUSSION, evidence)


BLANK_QUESTION_ROWS = 3


def _posted_questions(data: QueryDict) -> list[QuestionData]:
    """The question rows as posted (``q-<n>-text``, ``-criterion``, ``-answer``), in order;
    a criterion that is not a number is 0, which the service refuses in words."""
    rows = []
    for n in range(1, MAX_QUESTIONS + BLANK_QUESTION_ROWS + 1):
        text = data.get(f"q-{n}-text", "")
        criterion = data.get(f"q-{n}-criterion", "")
        if not text.strip() and not criterion:
            continue
        rows.append(
            QuestionData(
                text=text,
                criterion_id=int(criterion) if criterion.isdigit() else 0,
                answer=data.get(f"q-{n}-answer", ""),
            )
        )
    return rows


def _question_rows(questions: list[QuestionData]) -> list[dict[str, Any]]:
    """The questions written so far and a few blank rows, numbered for the form."""
    blanks = max(0, min(BLANK_QUESTION_ROWS, MAX_QUESTIONS - len(questions)))
    filled = [
        {"n": n, "text": q.text, "criterion_id": q.criterion_id, "answer": q.answer}
        for n, q in enumerate(questions, 1)
    ]
    start = len(filled) + 1
    return filled + [
        {"n": n, "text": "", "criterion_id": 0, "answer": ""} for n in range(start, start + blanks)
    ]


def _questioning_page(
    request: AuthenticatedHttpRequest, portfolio: Portfolio, evidence: Evidence | None
) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = QuestioningForm(
            request.POST, initial={"mode": evidence.questioning.mode} if evidence else None
        )
        if evidence is not None:
            # How the learner answers is settled once the questions are asked.
            form.fields["mode"].disabled = True
        questions = _posted_questions(request.POST)
        if form.is_valid():
            data = QuestioningData(**form.cleaned_data, questions=questions)
            try:
                if evidence is None:
                    evidence = create_questioning(portfolio=portfolio, data=data, actor=request.user)
                    messages.success(
                        request,
                        "Questions sent: the learner is asked to answer them."
                        if data.mode == Questioning.Mode.ONLINE
                        else "Questioning recorded: the learner is asked to confirm it.",
                    )
                else:
                    evidence = update_questioning(evidence=evidence, data=data, actor=request.user)
                    messages.success(request, "Questioning record saved.")
            except EvidenceError as error:
                messages.error(request, str(error))
            else:
                return redirect(evidence.get_absolute_url())
        status = 400
    elif evidence is not None:
        record = evidence.questioning
        form = QuestioningForm(
            initial={"title": evidence.title, "occurred_on": evidence.occurred_on, "mode": record.mode}
        )
        questions = [
            QuestionData(text=q.text, criterion_id=q.criterion_id, answer=q.answer)
            for q in record.questions.order_by("position")
        ]
    else:
        form, questions = QuestioningForm(), []
    if evidence is not None:
        form.fields["mode"].disabled = True
    return render(
        request,
        "evidence/records/questioning_form.html",
        {
            "portfolio": portfolio,
            "evidence": evidence,
            "form": form,
            "rows": _question_rows(questions),
            "criteria": knowledge_criteria(portfolio),
            "online": (evidence.questioning.mode if evidence is not None else form["mode"].value())
            == Questioning.Mode.ONLINE,
        },
        status=status,
    )


@login_required
def questioning_add(request: AuthenticatedHttpRequest, portfolio_pk: int) -> HttpResponse:
    portfolio = get_portfolio_for_assessor(request.user, portfolio_pk)
    return _questioning_page(request, portfolio, None)


@login_required
def questioning_edit(request: AuthenticatedHttpRequest, portfolio_pk: int, pk: int) -> HttpResponse:
    portfolio = get_portfolio_for_assessor(request.user, portfolio_pk)
    evidence = _record_for_assessor(portfolio, pk, Evidence.Kind.QUESTIONING)
    return _questioning_page(request, portfolio, evidence)


@login_required
def questioning_answer(request: AuthenticatedHttpRequest, portfolio_pk: int, pk: int) -> HttpResponse:
    """The learner answers questions asked online: saves a draft, or submits and signs."""
    portfolio = get_portfolio_for(request.user, portfolio_pk, write=True)
    evidence = get_object_or_404(
        portfolio.evidence.select_related("questioning__assessor"), pk=pk, kind=Evidence.Kind.QUESTIONING
    )
    record = evidence.questioning
    if record.mode != Questioning.Mode.ONLINE:
        messages.info(request, "These questions were asked in person: read the record and confirm it.")
        return redirect(evidence.get_absolute_url())
    questions = list(record.questions.select_related("criterion__framework").order_by("position"))
    answers = {q.position: q.answer for q in questions}
    digest = record.content_digest
    status = 200
    if request.method == "POST":
        answers = {q.position: request.POST.get(f"answer-{q.position}", "") for q in questions}
        submit = request.POST.get("action") == "submit"
        try:
            answer_questions(
                evidence=evidence,
                answers=answers,
                submit=submit,
                read_digest=request.POST.get("digest", ""),
                actor=request.user,
            )
        except EvidenceError as error:
            messages.error(request, str(error))
            status = 400
            record.refresh_from_db()
            digest = record.content_digest
            questions = list(record.questions.select_related("criterion__framework").order_by("position"))
        else:
            if submit:
                messages.success(request, "Answers submitted and signed: your assessor has them.")
                return redirect(evidence.get_absolute_url())
            messages.success(request, "Draft saved: submit your answers when they are ready.")
            return redirect("evidence:questioning_answer", portfolio_pk=portfolio.pk, pk=evidence.pk)
    return render(
        request,
        "evidence/records/questioning_answer.html",
        {
            "portfolio": portfolio,
            "evidence": evidence,
            "record": record,
            "rows": [{"question": q, "answer": answers.get(q.position, "")} for q in questions],
            "digest": digest,
        },
        status=status,
    )


def _in_granted_version(user: User, portfolio: Portfolio, attachment: RecordAttachment) -> bool:
    """Whether a version this external assurer may read names the attachment in its record."""
    for snapshot in versions_visible_to(user, portfolio).values_list("snapshot", flat=True):
        for item in snapshot.get("parts", {}).get("evidence", {}).get("items", []):
            if item.get("id") != attachment.evidence_id:
                continue
            if any(a.get("id") == attachment.pk for a in (item.get("record") or {}).get("attachments", [])):
                return True
    return False


@login_required
def record_attachment(
    request: AuthenticatedHttpRequest, portfolio_pk: int, pk: int, attachment_pk: int
) -> FileResponse:
    """A record's photo, file or recording, to those who may read the portfolio (an external
    assurer: one named by a version granted to them); inline only for images, PDFs and
    recordings."""
    portfolio = get_portfolio_for(request.user, portfolio_pk, moderation=True)
    attachment = get_object_or_404(
        RecordAttachment, pk=attachment_pk, evidence_id=pk, evidence__portfolio=portfolio
    )
    if is_eqa(request.user) and not _in_granted_version(request.user, portfolio, attachment):
        # An external assurer reads submitted versions only: a file they name, nothing else.
        raise Http404("No such file in the versions you may read.")
    try:
        handle = cast(BinaryIO, attachment.file.storage.open(str(attachment.file.name), "rb"))
    except (FileNotFoundError, OSError):
        raise Http404("The stored file is missing.") from None
    return stored_file_response(
        handle,
        content_type=attachment.content_type,
        filename=attachment.original_name,
        inline=attachment.is_inline,
    )


@require_POST
@login_required
def record_confirm(request: AuthenticatedHttpRequest, portfolio_pk: int, pk: int) -> HttpResponse:
    """The learner accepts the record they read, or comments on it."""
    portfolio = get_portfolio_for(request.user, portfolio_pk, write=True)
    evidence = get_object_or_404(
        portfolio.evidence.select_related(*RECORD_RELATED), pk=pk, kind__in=RECORD_KINDS
    )
    accept = request.POST.get("action") == "accept"
    try:
        confirm_record(
            evidence=evidence,
            accept=accept,
            comment=request.POST.get("comment", ""),
            read_digest=request.POST.get("digest", ""),
            actor=request.user,
        )
    except EvidenceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Record confirmed." if accept else "Your comment is with the record.")
    return redirect(evidence.get_absolute_url())
