from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from core.file_responses import FILE_CSP
from tests.conftest import finish
from tests.evidence.factories import FileEvidenceFactory, pdf_bytes

pytestmark = pytest.mark.django_db


def fetch(client, evidence):
    response = client.get(reverse("evidence:file", args=[evidence.portfolio_id, evidence.pk]))
    content = b"".join(response.streaming_content)
    finish(response)  # read streamed files to the end so they are closed
    return response, content


def test_an_image_opens_inline_without_sniffing(client, learner, portfolio):
    evidence = FileEvidenceFactory(portfolio=portfolio)
    client.force_login(learner)

    response, content = fetch(client, evidence)

    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert content.startswith(b"\x89PNG")


def test_a_csv_is_always_downloaded_as_an_attachment(client, learner, portfolio):
    evidence = FileEvidenceFactory(
        portfolio=portfolio,
        content_type="text/csv",
        original_name="volumes.csv",
        file=ContentFile(b"a,b\n1,2\n", name="v.csv"),
    )
    client.force_login(learner)

    response, _ = fetch(client, evidence)

    assert response["Content-Disposition"] == 'attachment; filename="volumes.csv"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_assessor_can_download_but_the_file_has_no_public_url(client, assessor, portfolio, settings):
    evidence = FileEvidenceFactory(portfolio=portfolio)
    client.force_login(assessor)

    response, _ = fetch(client, evidence)
    assert response.status_code == 200
    public = client.get(settings.MEDIA_URL + evidence.file.name)
    assert public.status_code == 404


def test_a_pdf_opens_inline_in_the_same_sandbox_as_every_file(client, learner, portfolio):
    evidence = FileEvidenceFactory(
        portfolio=portfolio,
        content_type="application/pdf",
        original_name="policy.pdf",
        file=ContentFile(pdf_bytes(), name="p.pdf"),
    )
    client.force_login(learner)

    response, content = fetch(client, evidence)

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == FILE_CSP
    assert "sandbox" in response["Content-Security-Policy"]
    assert content.startswith(b"%PDF")
