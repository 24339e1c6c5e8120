"""An assessor's observation record in the PDF: printed as a form, with the criteria and
what was seen against each, and the learner's confirmation with the record's digest."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assessment.services import submit_portfolio
from evidence import records
from evidence.files import check_media, check_upload
from tests.evidence.factories import (
    knowledge_criterion,
    make_discussion,
    make_observation,
    make_questioning,
    png_bytes,
    wav_bytes,
)
from tests.portfolio.pdf_support import render
from tests.portfolio.test_pdf_carried import attachments

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_chart_browser(settings):
    settings.BROWSER_PATH = ""


def test_a_confirmed_observation_prints_as_a_form_with_its_confirmation(portfolio, criteria, learner):
    photo = check_upload("pitch.png", png_bytes())
    evidence = make_observation(portfolio, criteria[:1], place="Fernleaf Home, team room", uploads=[photo])
    records.confirm_record(
        evidence=evidence,
        accept=True,
        comment="",
        read_digest=evidence.observation.content_digest,
        actor=learner,
    )

    text = " ".join(render(portfolio).text.split())

    assert "Observation record, written by the assessor" in text
    assert "Place Fernleaf Home, team room" in text
    assert "Duration 25 minutes" in text
    assert "What the assessor saw and heard" in text
    assert f"Seen: {criteria[0].code} shown in the pitch." in text
    assert "Accepted by the learner on" in text
    assert "Photos and files pitch.png" in text
    assert photo.sha256[:16] in text.replace(" ", "")
    assert evidence.observation.content_digest[:16] in text.replace(" ", "")


def test_a_record_changed_after_confirmation_says_so_in_the_pdf(portfolio, criteria, learner):
    evidence = make_observation(portfolio, criteria[:1])
    records.confirm_record(
        evidence=evidence,
        accept=True,
        comment="",
        read_digest=evidence.observation.content_digest,
        actor=learner,
    )
    records.update_observation(
        evidence=evidence,
        data=records.ObservationData(
            title="Observation: champion pitch",
            occurred_on=evidence.occurred_on,
            place="Head office",
            duration_minutes=30,
            activity="The pitch, again.",
            questions="",
            notes={criteria[0].pk: "Seen again."},
        ),
        actor=portfolio.assessor,
    )

    text = " ".join(render(portfolio).text.split())

    assert "Not confirmed as it stands" in text
    assert "Questions asked and answers None recorded" in text


def test_a_discussion_and_answered_questions_print_as_forms(portfolio, criteria, learner):
    knowledge = [knowledge_criterion(portfolio, "K7", text="How to measure service.")]
    make_discussion(
        portfolio,
        criteria[:1],
        participants="Jo Patel, team leader",
        recording=check_media("talk.wav", SimpleUploadedFile("talk.wav", wav_bytes())),
    )
    asked = make_questioning(portfolio, knowledge)
    records.answer_questions(
        evidence=asked,
        answers={1: "By the first-response time each week."},
        submit=True,
        read_digest=asked.questioning.content_digest,
        actor=learner,
    )

    text = " ".join(render(portfolio).text.split())

    assert "Professional discussion record, written by the assessor" in text
    assert "Who else took part Jo Patel, team leader" in text
    assert "What the learner said about it" in text
    assert "Recording, photos and files talk.wav" in text
    assert "Questioning record, written by the assessor" in text
    assert "How would you show K7 in your work?" in text
    assert "By the first-response time each week." in text
    assert "Learner’s signed answers" in text
    assert "Answered and signed by the learner on" in text


def test_a_records_photos_files_and_recording_travel_inside_the_pdf(portfolio, criteria, learner, settings):
    settings.PDF_ATTACH_IMAGES = False  # photos are printed, not attached: the rest travel
    sheet = check_upload("notes.csv", b"time,what\n10:00,pitch\n")
    photo = check_upload("pitch.png", png_bytes())
    observation = make_observation(portfolio, criteria[:1], uploads=[sheet, photo])
    recording = check_media("talk.wav", SimpleUploadedFile("talk.wav", wav_bytes()))
    make_discussion(portfolio, criteria[:1], recording=recording)
    version = submit_portfolio(portfolio=portfolio, declaration_signed=True, actor=learner)

    pdf = render(portfolio, version)

    attached = attachments(pdf.rendered.content)
    by_original = {name.split(" ", 1)[1]: (data, about) for name, (data, about) in attached.items()}
    assert set(by_original) >= {"notes.csv", "talk.wav"}
    assert "pitch.png" not in by_original
    assert by_original["notes.csv"][0] == sheet.content
    assert recording.sha256 in by_original["talk.wav"][1]
    assert hashlib.sha256(by_original["talk.wav"][0]).hexdigest() == recording.sha256
    text = pdf.text.replace(" ", "")
    assert "attachedtothisPDFas" in text
    assert observation.attachments.get(original_name="notes.csv").sha256 in text
