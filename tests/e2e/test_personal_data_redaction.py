"""In a browser: a learner uploads a screenshot of a customer reply, sees the name and the
phone number boxed, redacts both, confirms, and the PDF carries the redacted image."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from evidence.image_scan import scan_image
from evidence.models import Evidence
from tests.e2e.conftest import log_in
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

REPLY_HTML = """<!doctype html><html><head><meta charset="utf-8"><style>
body { font-family: 'DejaVu Sans', sans-serif; font-size: 18px; margin: 0; padding: 24px; width: 760px; }
.msg { border: 1px solid #ccd; border-radius: 12px; padding: 12px 16px; background: #e6f2ea; }
</style></head><body><h1 style="font-size: 20px">Reply on X</h1>
<div class="msg">Hi Sarah Jenkins, we're sorry your sofa is late. Our driver will ring you
on 07700 900123 before ten tomorrow.</div></body></html>"""


def _screenshot(browser) -> bytes:
    page = browser.new_page(viewport={"width": 808, "height": 200}, device_scale_factor=2)
    page.set_content(REPLY_HTML)
    content = page.screenshot(full_page=True)
    page.close()
    return content


def test_a_learner_redacts_a_name_and_a_phone_number_and_the_pdf_shows_the_redacted_image(
    browser, page, learner, tmp_path
):
    portfolio = learner.portfolios.get()
    screenshot = tmp_path / "reply.png"
    screenshot.write_bytes(_screenshot(browser))
    log_in(page, learner.username, TEST_PASSWORD)

    page.goto(f"/portfolios/{portfolio.pk}/evidence/add/file/")
    page.get_by_label("File").set_input_files(str(screenshot))
    page.get_by_label("Title").fill("Reply to a late delivery")
    page.get_by_role("button", name="Add evidence").click()

    # The item's page: the check ran in the worker; the name and the number are boxed.
    panel = page.locator("#personal-data")
    panel.get_by_role("heading", name="Customers’ personal data").wait_for()
    assert page.locator(".pd-finding--name .pd-box").count() >= 1
    assert page.locator(".pd-finding--phone .pd-box").count() >= 1
    assert panel.locator("code", has_text="Sarah Jenkins").is_visible()
    assert panel.locator("code", has_text="07700 900123").is_visible()

    panel.get_by_role("button", name="Redact", exact=True).click()
    page.get_by_role("heading", name="Redacted copy: check it, then confirm").wait_for()
    page.get_by_role("button", name="Confirm redaction").click()

    page.get_by_text("Redaction confirmed").wait_for()
    assert page.locator(".pd-box").count() == 0
    assert panel.get_by_text("Every finding is resolved.").is_visible()
    item = Evidence.objects.get(portfolio=portfolio)
    assert item.redacted_kinds == ["name", "phone"]

    # The PDF: the redacted image, and its provenance says what was redacted.
    page.goto(f"/portfolios/{portfolio.pk}/")
    page.get_by_role("button", name="Export as PDF").click()
    page.get_by_role("heading", name="The PDF is ready").wait_for(timeout=60_000)
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the PDF").click()
    reader = PdfReader(io.BytesIO(Path(info.value.path()).read_bytes()))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "Redacted: person's name, phone number" in text
    assert "Warning to the assessor" not in text
    images = [image for p in reader.pages for image in p.images]
    assert images, "the screenshot is in the PDF"
    found = {f.kind for image in images for f in scan_image(image.data).findings}
    assert "phone" not in found
    assert "name" not in found
