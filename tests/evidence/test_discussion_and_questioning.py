"""Professional discussion and questioning records: the assessor writes them, a recording is
checked by its content, questions are about knowledge criteria, the learner answers questions
asked online (a draft, then a signed submission) or confirms what was written down in person,
and every refusal stores nothing."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import Notification
from core.versions import build_snapshot
from evidence import records
from evidence.files import check_media
from evidence.models import (
    Evidence,
    ProfessionalDiscussion,
    Question,
    Questioning,
    RecordAttachment,
)
from evidence.services import EvidenceError
from tests.evidence.factories import (
    discussion_data,
    knowledge_criterion,
    make_discussion,
    make_questioning,
    png_bytes,
    questioning_data,
    wav_bytes,
)
from tests.factories import CriterionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(criteria):
    return criteria["standard"][:2]


@pytest.fixture
def knowledge(portfolio):
    return [knowledge_criterion(portfolio, "K1", order=1), knowledge_criterion(portfolio, "K2", order=2)]


def _recording(name="talk.wav", content=None):
    return SimpleUploadedFile(name, wav_bytes() if content is None else content, content_type="audio/wav")


def _discussion_post(criterion, **changes) -> dict:
    """The discussion form as posted: its fields and one criterion with its note."""
    return {
        "title": "Discussion",
        "occurred_on": "10/11/2026",
        "participants": "None",
        "duration_minutes": "30",
        "topics": "The rota",
        "summary": "Said things.",
        f"c-{criterion.pk}-on": "on",
        f"c-{criterion.pk}-note": "Explained.",
    } | changes


def _stored_files() -> set[str]:
    folders, _files = default_storage.listdir("evidence") if default_storage.exists("evidence") else ([], [])
    found = set()
    for folder in folders:
        found |= {f"{folder}/{name}" for name in default_storage.listdir(f"evidence/{folder}")[1]}
    return found


# --- Professional discussion ------------------------------------------------------------


def test_a_discussion_is_recorded_mapped_with_notes_and_the_learner_is_asked(portfolio, two, learner):
    evidence = make_discussion(portfolio, two)

    assert evidence.kind == Evidence.Kind.DISCUSSION
    assert evidence.discussion.participants == "Jo Patel, team leader"
    assert dict(evidence.mappings.values_list("criterion_id", "note")) == {
        c.pk: f"Said: {c.code} explained with the rota." for c in two
    }
    assert evidence.discussion.status == "awaiting"
    note = Notification.objects.get(recipient=learner)
    assert "professional discussion record" in note.subject


def test_the_assessor_records_a_discussion_with_its_recording_through_the_page(client, portfolio, two):
    client.force_login(portfolio.assessor)
    response = client.post(
        reverse("evidence:discussion_add", kwargs={"portfolio_pk": portfolio.pk}),
        _discussion_post(two[0], summary="She explained the <b>busiest</b> hours.", recording=_recording()),
    )

    evidence = Evidence.objects.get(kind="discussion")
    assert response.status_code == 302
    recording = evidence.attachments.get()
    assert recording.content_type == "audio/wav"
    assert recording.is_media
    page = client.get(evidence.get_absolute_url()).content.decode()
    assert "<audio" in page
    assert "Recording: talk.wav" in page
    assert "&lt;b&gt;busiest&lt;/b&gt;" in page  # the summary is text, not markup
    played = client.get(
        reverse(
            "evidence:record_attachment",
            kwargs={"portfolio_pk": portfolio.pk, "pk": evidence.pk, "attachment_pk": recording.pk},
        )
    )
    assert played["Content-Type"] == "audio/wav"
    assert played["Content-Disposition"].startswith("inline")
    assert played["X-Content-Type-Options"] == "nosniff"
    played.close()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("talk.mp3", png_bytes(), "not audio or video"),
        ("talk.mp3", b"#!/bin/sh\necho hello\n" * 10, "not audio or video"),
        ("talk.exe", wav_bytes(), "are not accepted"),
        ("talk.mp3", wav_bytes(), "its content is WAV audio"),
        ("talk.wav", b"", "empty"),
    ],
)
def test_a_recording_that_is_not_what_it_says_is_refused_and_nothing_is_stored(
    client, portfolio, two, name, content, message
):
    client.force_login(portfolio.assessor)
    before = _stored_files()
    response = client.post(
        reverse("evidence:discussion_add", kwargs={"portfolio_pk": portfolio.pk}),
        _discussion_post(two[0], recording=_recording(name, content)),
    )

    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not Evidence.objects.exists()
    assert _stored_files() == before


def test_a_recording_over_its_own_limit_is_refused(client, portfolio, two, settings):
    settings.MAX_MEDIA_UPLOAD_BYTES = 1000
    client.force_login(portfolio.assessor)
    response = client.post(
        reverse("evidence:discussion_add", kwargs={"portfolio_pk": portfolio.pk}),
        _discussion_post(two[0], recording=_recording(content=wav_bytes(4000))),
    )

    assert response.status_code == 400
    assert "the limit is 1000 bytes" in response.content.decode()
    assert not Evidence.objects.exists()


def test_a_discussion_refused_by_its_rules_after_the_recording_was_checked_leaves_no_file(portfolio, two):
    media = check_media("talk.wav", _recording())
    before = _stored_files()
    with pytest.raises(EvidenceError, match="at least one criterion"):
        make_discussion(portfolio, two, notes={}, recording=media)

    assert not Evidence.objects.exists()
    assert not RecordAttachment.objects.exists()
    assert _stored_files() == before


def test_a_discussion_holds_one_recording(portfolio, two):
    evidence = make_discussion(portfolio, two, recording=check_media("talk.wav", _recording()))
    before = _stored_files()

    with pytest.raises(EvidenceError, match="one recording"):
        records.update_discussion(
            evidence=evidence,
            data=discussion_data(two, recording=check_media("again.wav", _recording("again.wav"))),
            actor=portfolio.assessor,
        )

    assert evidence.attachments.count() == 1
    assert _stored_files() == before


def test_a_changed_discussion_goes_back_to_the_learner(portfolio, two, learner):
    evidence = make_discussion(portfolio, two)
    records.confirm_record(
        evidence=evidence,
        accept=True,
        comment="",
        read_digest=evidence.discussion.content_digest,
        actor=learner,
    )

    records.update_discussion(
        evidence=evidence, data=discussion_data(two, summary="A fuller account."), actor=portfolio.assessor
    )

    assert ProfessionalDiscussion.objects.get().status == "changed"


# --- Questioning -----------------------------------------------------------------------


def test_questions_asked_online_wait_for_answers_and_map_their_criteria(portfolio, knowledge, learner):
    evidence = make_questioning(portfolio, knowledge)

    questioning = evidence.questioning
    assert questioning.status == "unanswered"
    assert list(questioning.questions.values_list("position", "criterion_id")) == [
        (1, knowledge[0].pk),
        (2, knowledge[1].pk),
    ]
    assert dict(evidence.mappings.values_list("criterion_id", "note")) == {
        knowledge[0].pk: "Question 1: How would you show K1 in your work?",
        knowledge[1].pk: "Question 2: How would you show K2 in your work?",
    }
    assert "answer them" in Notification.objects.get(recipient=learner).subject


def test_a_question_about_a_performance_criterion_or_another_cohort_is_refused(portfolio, two, knowledge):
    stranger = CriterionFactory()
    for criterion in (two[0], stranger):
        with pytest.raises(EvidenceError, match="knowledge criterion"):
            make_questioning(portfolio, [knowledge[0], criterion])

    assert not Evidence.objects.exists()
    assert not Question.objects.exists()


def test_questions_with_no_text_or_no_criterion_are_refused(portfolio, knowledge):
    with pytest.raises(EvidenceError, match="at least one question"):
        make_questioning(
            portfolio, knowledge, questions=[records.QuestionData(text="  ", criterion_id=knowledge[0].pk)]
        )
    with pytest.raises(EvidenceError, match="Choose the knowledge criterion"):
        make_questioning(portfolio, knowledge, questions=[records.QuestionData(text="Why?", criterion_id=0)])

    assert not Evidence.objects.exists()


def test_in_person_questions_need_every_answer_and_are_confirmed_like_any_record(
    portfolio, knowledge, learner
):
    with pytest.raises(EvidenceError, match="answer to each question"):
        make_questioning(
            portfolio,
            knowledge,
            mode="in_person",
            questions=[records.QuestionData(text="Why?", criterion_id=knowledge[0].pk, answer="")],
        )
    evidence = make_questioning(portfolio, knowledge, mode="in_person")
    assert evidence.questioning.status == "awaiting"

    records.confirm_record(
        evidence=evidence,
        accept=True,
        comment="",
        read_digest=evidence.questioning.content_digest,
        actor=learner,
    )

    assert Questioning.objects.get().status == "confirmed"


def test_the_learner_saves_a_draft_then_submits_and_the_answers_are_signed(
    client, portfolio, knowledge, learner
):
    evidence = make_questioning(portfolio, knowledge)
    url = reverse("evidence:questioning_answer", kwargs={"portfolio_pk": portfolio.pk, "pk": evidence.pk})
    client.force_login(learner)
    page = client.get(url).content.decode()
    assert "How would you show K1 in your work?" in page

    digest = Questioning.objects.get().content_digest
    draft = client.post(
        url, {"digest": digest, "answer-1": "<script>x</script> By the report.", "action": "draft"}
    )
    assert draft.status_code == 302
    assert Questioning.objects.get().status == "unanswered"

    # Submitting with one answer missing is refused, and the draft is kept.
    digest = Questioning.objects.get().content_digest
    refused = client.post(
        url, {"digest": digest, "answer-1": "By the report.", "answer-2": " ", "action": "submit"}
    )
    assert refused.status_code == 400
    assert "question 2 has no answer" in refused.content.decode()
    assert Questioning.objects.get().answered_at is None

    submitted = client.post(
        url,
        {"digest": digest, "answer-1": "By the report.", "answer-2": "By the survey.", "action": "submit"},
    )
    assert submitted.status_code == 302
    questioning = Questioning.objects.get()
    assert questioning.status == "confirmed"
    assert questioning.confirmed_digest == questioning.content_digest == records.record_digest(evidence)
    assert list(questioning.questions.values_list("answer", flat=True)) == [
        "By the report.",
        "By the survey.",
    ]
    assert Notification.objects.filter(recipient=portfolio.assessor, subject__contains="answered").exists()
    detail = client.get(evidence.get_absolute_url()).content.decode()
    assert "Answered and signed by" in detail
    assert "By the survey." in detail


def test_answers_sent_against_questions_changed_meanwhile_are_refused(client, portfolio, knowledge, learner):
    evidence = make_questioning(portfolio, knowledge)
    read = Questioning.objects.get().content_digest
    records.update_questioning(
        evidence=evidence,
        data=questioning_data(
            knowledge, questions=[records.QuestionData(text="A new question?", criterion_id=knowledge[0].pk)]
        ),
        actor=portfolio.assessor,
    )
    client.force_login(learner)
    url = reverse("evidence:questioning_answer", kwargs={"portfolio_pk": portfolio.pk, "pk": evidence.pk})

    response = client.post(url, {"digest": read, "answer-1": "Mine.", "action": "submit"})

    assert response.status_code == 400
    assert "changed the questions" in response.content.decode()
    assert Question.objects.get().answer == ""


def test_changed_questions_after_answers_are_answered_again_with_the_answers_kept(
    portfolio, knowledge, learner
):
    evidence = make_questioning(portfolio, knowledge)
    records.answer_questions(
        evidence=evidence,
        answers={1: "One.", 2: "Two."},
        submit=True,
        read_digest=evidence.questioning.content_digest,
        actor=learner,
    )

    records.update_questioning(
        evidence=evidence,
        data=questioning_data(
            knowledge,
            questions=[
                records.QuestionData(
                    text="How would you show K1 in your work?", criterion_id=knowledge[0].pk
                ),
                records.QuestionData(text="A sharper second question?", criterion_id=knowledge[1].pk),
            ],
        ),
        actor=portfolio.assessor,
    )

    questioning = Questioning.objects.get()
    assert questioning.status == "unanswered"
    assert list(questioning.questions.values_list("answer", flat=True)) == ["One.", "Two."]


def test_only_the_learner_answers_and_only_online_questions(portfolio, knowledge, learner):
    online = make_questioning(portfolio, knowledge)
    with pytest.raises(EvidenceError, match="Only the learner"):
        records.answer_questions(
            evidence=online,
            answers={},
            submit=False,
            read_digest=online.questioning.content_digest,
            actor=portfolio.assessor,
        )
    with pytest.raises(EvidenceError, match="submit your answers"):
        records.confirm_record(
            evidence=online,
            accept=True,
            comment="",
            read_digest=online.questioning.content_digest,
            actor=learner,
        )
    in_person = make_questioning(portfolio, knowledge, mode="in_person")
    with pytest.raises(EvidenceError, match="asked in person"):
        records.answer_questions(
            evidence=in_person,
            answers={1: "x"},
            submit=True,
            read_digest=in_person.questioning.content_digest,
            actor=learner,
        )


def test_the_assessor_asks_questions_through_the_page_and_cannot_switch_the_mode(
    client, portfolio, knowledge
):
    client.force_login(portfolio.assessor)
    url = reverse("evidence:questioning_add", kwargs={"portfolio_pk": portfolio.pk})
    page = client.get(url).content.decode()
    assert f'value="{knowledge[0].pk}"' in page

    response = client.post(
        url,
        {
            "title": "Questions",
            "occurred_on": "12/11/2026",
            "mode": "in_person",
            "q-1-text": "Why reply within the hour?",
            "q-1-criterion": str(knowledge[0].pk),
            "q-1-answer": "Customers expect it.",
            "q-2-text": "",
            "q-3-criterion": "not-a-number",
            "q-3-text": "Forged?",
        },
    )
    assert response.status_code == 400  # question 3 names no criterion
    assert not Evidence.objects.exists()

    client.post(
        url,
        {
            "title": "Questions",
            "occurred_on": "12/11/2026",
            "mode": "in_person",
            "q-1-text": "Why reply within the hour?",
            "q-1-criterion": str(knowledge[0].pk),
            "q-1-answer": "Customers expect it.",
        },
    )
    evidence = Evidence.objects.get(kind="questioning")
    assert evidence.questioning.mode == "in_person"
    edit = reverse("evidence:questioning_edit", kwargs={"portfolio_pk": portfolio.pk, "pk": evidence.pk})
    client.post(
        edit,
        {
            "title": "Questions",
            "occurred_on": "12/11/2026",
            "mode": "online",  # disabled on the page; a forged value is ignored
            "q-1-text": "Why reply within the hour?",
            "q-1-criterion": str(knowledge[0].pk),
            "q-1-answer": "Customers expect it, and the complaint rate falls.",
        },
    )
    assert Questioning.objects.get().mode == "in_person"
    assert Question.objects.get().answer == "Customers expect it, and the complaint rate falls."


def test_the_version_keeps_both_records_with_their_questions(portfolio, two, knowledge, learner):
    make_discussion(portfolio, two)
    asked = make_questioning(portfolio, knowledge)
    records.answer_questions(
        evidence=asked,
        answers={1: "One.", 2: "Two."},
        submit=True,
        read_digest=asked.questioning.content_digest,
        actor=learner,
    )

    items = {i["kind"]: i for i in build_snapshot(portfolio)["parts"]["evidence"]["items"]}

    assert items["discussion"]["record"]["summary"].startswith("Amira explained")
    assert items["discussion"]["record"]["note_label"] == "What the learner said about it"
    question_list = items["questioning"]["record"]["question_list"]
    assert [(q["code"], q["answer"]) for q in question_list] == [("K1", "One."), ("K2", "Two.")]
    assert items["questioning"]["record"]["status"] == "confirmed"


def test_the_evidence_list_shows_every_kind_of_record_in_a_fixed_number_of_queries(
    client, portfolio, two, knowledge, django_assert_max_num_queries
):
    make_discussion(portfolio, two)
    make_questioning(portfolio, knowledge)
    client.force_login(portfolio.assessor)

    with django_assert_max_num_queries(12):
        page = client.get(reverse("evidence:list", kwargs={"portfolio_pk": portfolio.pk})).content.decode()

    assert "Waiting for the learner’s answers" in page
    assert "Awaiting the learner’s confirmation" in page
    assert "Record a professional discussion" in page
    assert "Ask questions" in page
