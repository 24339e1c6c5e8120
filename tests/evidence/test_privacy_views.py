"""The personal-data review on the pages: the learner's panel on the evidence page, the
assessor's warning there and on the version page, the readiness rule and the PDF."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessment import services as assessment
from evidence import privacy
from evidence.models import Evidence, ImageScan, PendingRedaction
from readiness.checks import check_portfolio
from tests.evidence.factories import FileEvidenceFactory, MessageFactory, TranscriptFactory
from tests.evidence.test_privacy import REPLY
from tests.portfolio.pdf_support import render

pytestmark = pytest.mark.django_db


def detail_url(item):
    return reverse("evidence:detail", kwargs={"portfolio_pk": item.portfolio_id, "pk": item.pk})


def url(name, item):
    return reverse(name, kwargs={"portfolio_pk": item.portfolio_id, "pk": item.pk})


@pytest.fixture
def checked_image(portfolio, learner, django_capture_on_commit_callbacks):
    item = FileEvidenceFactory(
        portfolio=portfolio,
        title="Reply to a customer",
        file=ContentFile(REPLY, name="reply.png"),
        sha256=hashlib.sha256(REPLY).hexdigest(),
        file_size=len(REPLY),
    )
    with django_capture_on_commit_callbacks(execute=True):
        privacy.start_image_scan(evidence=item, actor=learner)
    return item


def test_an_uploaded_screenshot_is_checked_and_its_findings_boxed_on_its_page(
    client, learner, portfolio, django_capture_on_commit_callbacks
):
    client.force_login(learner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("evidence:add", kwargs={"portfolio_pk": portfolio.pk, "kind": "file"}),
            {
                "upload": SimpleUploadedFile("reply.png", REPLY, content_type="image/png"),
                "title": "Reply",
                "occurred_on": "2026-03-02",
            },
        )
    item = Evidence.objects.get(portfolio=portfolio)

    page = client.get(detail_url(item)).content.decode()

    assert ImageScan.objects.get(evidence=item).status == "done"
    assert 'class="pd-finding pd-finding--name"' in page
    assert 'class="pd-finding pd-finding--phone"' in page
    assert "07700 900123" in page
    assert ">Redact</button>" in page


def test_the_panel_polls_while_the_check_runs(client, learner, portfolio):
    item = FileEvidenceFactory(portfolio=portfolio)
    ImageScan.objects.create(evidence=item, sha256=item.sha256, progress=40, stage="Reading the text")
    client.force_login(learner)

    fragment = client.get(url("evidence:privacy_panel", item)).content.decode()

    assert 'hx-trigger="every 2s"' in fragment
    assert 'value="40"' in fragment
    assert "Reading the text" in fragment


def test_a_failed_check_says_why_and_offers_to_try_again(client, learner, portfolio):
    item = FileEvidenceFactory(portfolio=portfolio)
    ImageScan.objects.create(
        evidence=item, sha256=item.sha256, status="failed", message="The image is too large."
    )
    client.force_login(learner)

    page = client.get(detail_url(item)).content.decode()

    assert "could not be checked: The image is too large." in page
    assert "Check again" in page


def test_the_learner_redacts_then_confirms_and_the_page_shows_the_provenance(
    client, learner, checked_image, django_capture_on_commit_callbacks
):
    client.force_login(learner)
    ids = [f.id for f in privacy.privacy_of(checked_image).unresolved if f.in_image]

    client.post(url("evidence:redaction_prepare", checked_image), {"finding": ids, "style": "box"})
    preview = client.get(url("evidence:redaction_preview", checked_image))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("evidence:redaction_confirm", checked_image))

    assert preview.status_code == 200
    assert b"".join(preview.streaming_content)[:8] == b"\x89PNG\r\n\x1a\n"
    page = client.get(detail_url(checked_image)).content.decode()
    assert "Redacted on" in page
    assert "person&#x27;s name, phone number" in page or "name, phone" in page
    assert not PendingRedaction.objects.exists()


def test_a_redaction_outside_the_image_shows_a_clear_message(client, learner, checked_image):
    scan = ImageScan.objects.get(evidence=checked_image)
    scan.findings[0]["boxes"] = [[5000, 5000, 10, 10]]
    scan.save()
    client.force_login(learner)

    response = client.post(
        url("evidence:redaction_prepare", checked_image), {"finding": [scan.findings[0]["id"]]}, follow=True
    )

    assert "lies outside the image" in response.content.decode()
    assert not PendingRedaction.objects.exists()


def test_the_assessor_sees_a_warning_and_the_count_marked_not_personal(
    client, learner, assessor, checked_image
):
    review = privacy.privacy_of(checked_image)
    privacy.mark_not_personal(evidence=checked_image, finding_id=review.unresolved[0].id, actor=learner)
    client.force_login(assessor)

    page = client.get(detail_url(checked_image)).content.decode()

    assert "The learner has not resolved 1 possible item" in page
    assert "1 finding marked not personal by the learner" in page
    assert "Not personal" not in page  # no buttons for a reader
    assert ">Redact</button>" not in page


def test_marking_everything_not_personal_is_allowed_and_the_assessor_sees_the_count(
    client, learner, assessor, checked_image
):
    client.force_login(learner)
    client.post(url("evidence:privacy_not_personal", checked_image), {"finding": "all"})
    client.force_login(assessor)

    page = client.get(detail_url(checked_image)).content.decode()

    assert "has not resolved" not in page
    assert "2 findings marked not personal by the learner" in page


def test_readiness_counts_unresolved_findings_in_images(learner, portfolio, checked_image):
    TranscriptFactory(portfolio=portfolio)  # the rule needs an interaction to speak at all

    finding = next(f for f in check_portfolio(portfolio).findings if f.rule.id == "evidence.personal_data")

    assert not finding.passed
    assert "“Reply to a customer” still shows: person's name, phone number." in finding.details


def test_readiness_passes_once_the_image_is_redacted(
    learner, portfolio, checked_image, django_capture_on_commit_callbacks
):
    TranscriptFactory(portfolio=portfolio)
    ids = [f.id for f in privacy.privacy_of(checked_image).unresolved]
    privacy.prepare_redaction(evidence=checked_image, finding_ids=ids, style="box", actor=learner)
    with django_capture_on_commit_callbacks(execute=True):
        privacy.confirm_redaction(evidence=checked_image, actor=learner)

    finding = next(f for f in check_portfolio(portfolio).findings if f.rule.id == "evidence.personal_data")

    assert finding.passed, finding.details


def test_the_version_page_warns_the_assessor(client, learner, assessor, portfolio):
    item = TranscriptFactory(portfolio=portfolio, title="Late sofa")
    MessageFactory(evidence=item, position=1, text="Hi, I'm at 14 Oak Lane, DOB 12/03/1985")
    version = assessment.submit_portfolio(portfolio=portfolio, declaration_signed=True, actor=learner)
    client.force_login(assessor)

    page = client.get(
        reverse("portfolio:version_detail", args=[portfolio.pk, version.number])
    ).content.decode()

    assert (
        "Possible personal data not resolved by the learner: 2 items (date of birth, street address)" in page
    )


def test_the_pdf_shows_the_redacted_image_and_warns_of_unresolved_findings(
    learner, portfolio, checked_image, django_capture_on_commit_callbacks
):
    item = TranscriptFactory(portfolio=portfolio, title="Late sofa")
    MessageFactory(evidence=item, position=1, text="Call me on 07700 900456")
    ids = [f.id for f in privacy.privacy_of(checked_image).unresolved]
    privacy.prepare_redaction(evidence=checked_image, finding_ids=ids, style="box", actor=learner)
    with django_capture_on_commit_callbacks(execute=True):
        privacy.confirm_redaction(evidence=checked_image, actor=learner)

    text = " ".join(render(portfolio).text.split())

    assert (
        "Warning to the assessor: Possible personal data not resolved by the learner: 1 item (phone number)"
        in text
    )
    assert "Redacted: person's name, phone number" in text
