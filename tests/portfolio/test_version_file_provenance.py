"""What the upload check removed from a PDF travels with the submitted version and its PDF."""

from __future__ import annotations

import io

import pikepdf
import pytest
from django.urls import reverse

from assessment import services as assessment
from evidence import services as evidence_services
from evidence.files import check_upload
from evidence.pdf import _provenance

pytestmark = pytest.mark.django_db


def pdf_with_script() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
    output = io.BytesIO()
    pdf.save(output)
    return output.getvalue()


def test_the_removal_is_shown_on_the_version_and_in_the_exported_pdf(
    client, learner, assessor, portfolio, filled
):
    evidence_services.create_evidence(
        portfolio=portfolio,
        kind="file",
        values={"title": "Complaints policy", "occurred_on": "2026-03-02"},
        actor=learner,
        upload=check_upload("policy.pdf", pdf_with_script()),
    )
    version = assessment.submit_portfolio(portfolio=portfolio, declaration_signed=True, actor=learner)

    item = next(
        i for i in version.snapshot["parts"]["evidence"]["items"] if i["title"] == "Complaints policy"
    )
    note = item["file"]["removed_on_upload"]
    assert "an action run when the document opens" in note
    assert ("Removed on upload", note) in _provenance(item)
    client.force_login(assessor)
    page = client.get(reverse("portfolio:version_detail", args=[portfolio.pk, version.number]))
    assert note in page.content.decode()


def test_a_version_frozen_before_the_field_existed_still_prints():
    assert _provenance({"kind": "file", "file": {"name": "x.pdf"}, "platform": ""}) == []
