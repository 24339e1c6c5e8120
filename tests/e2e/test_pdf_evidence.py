"""A PDF learners uploaded opens in Chromium's viewer, sandboxed and without its script."""

from __future__ import annotations

import io

import pikepdf
import pytest
from django.urls import reverse

from evidence import services as evidence_services
from evidence.files import check_upload
from tests.e2e.conftest import log_in
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PDF_VIEWER = "mhjfbmdgcfjbbpaeojofohoefgiehjai"  # Chromium's built-in PDF viewer extension


def pdf_with_script() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
    output = io.BytesIO()
    pdf.save(output)
    return output.getvalue()


def test_an_uploaded_pdf_opens_inline_in_the_viewer_under_the_sandbox(page, learner):
    portfolio = learner.portfolios.get()
    evidence = evidence_services.create_evidence(
        portfolio=portfolio,
        kind="file",
        values={"title": "Complaints policy", "occurred_on": "2026-03-02"},
        actor=learner,
        upload=check_upload("policy.pdf", pdf_with_script()),
    )
    log_in(page, learner.username, TEST_PASSWORD)
    page.wait_for_url("**/portfolios/**")

    url = reverse("evidence:file", args=[portfolio.pk, evidence.pk])
    assert "sandbox" in page.request.get(url).headers["content-security-policy"]

    page.goto(url, wait_until="commit")
    page.wait_for_timeout(2000)

    viewer = next(frame for frame in page.frames if PDF_VIEWER in frame.url)
    assert viewer.evaluate("() => document.querySelector('pdf-viewer') !== null")
