from __future__ import annotations

import io

import pytest
from PIL import Image

from evidence.files import FileRefused, check_upload, clean_filename
from tests.evidence.factories import bomb_png, jpeg_with_gps, ooxml_bytes, pdf_bytes, png_bytes


def test_it_accepts_a_png_and_reencodes_it():
    clean = check_upload("Screenshot 2026-03-01.png", png_bytes())

    assert clean.file_type.key == "png"
    assert clean.name == "Screenshot 2026-03-01.png"
    assert len(clean.sha256) == 64
    assert Image.open(io.BytesIO(clean.content)).size == (8, 8)


def test_it_strips_exif_and_gps_from_photos():
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get(0x8825)

    clean = check_upload("photo.jpg", original)

    image = Image.open(io.BytesIO(clean.content))
    assert not image.getexif()
    assert b"Exif" not in clean.content
    assert b"PhoneMaker" not in clean.content


def test_it_drops_data_appended_after_an_image():
    clean = check_upload("x.png", png_bytes() + b"<script>alert(1)</script>")

    assert b"script" not in clean.content


@pytest.mark.parametrize(
    ("name", "content", "key"),
    [
        ("policy.pdf", pdf_bytes(), "pdf"),
        ("plan.docx", ooxml_bytes("word/document.xml"), "docx"),
        ("kpis.xlsx", ooxml_bytes("xl/workbook.xml"), "xlsx"),
        ("pitch.pptx", ooxml_bytes("ppt/presentation.xml"), "pptx"),
        ("volumes.csv", b"date,platform,contacts\n2026-03-01,X,41\n", "csv"),
        ("notes.txt", "Café notes — 30 days to return.\n".encode(), "txt"),
        ("legacy.csv", "Caf\xe9,price\n1,2\n".encode("cp1252"), "csv"),
    ],
)
def test_it_accepts_each_allowed_type_by_content(name, content, key):
    assert check_upload(name, content).file_type.key == key


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.png", b"", "empty"),
        ("script.png", b"#!/bin/sh\nrm -rf ~\n", "script"),
        ("payload.png", b"print('hello')\n", "its content is a plain text file"),
        (
            "logo.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "not accepted",
        ),
        ("logo.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "SVG"),
        ("page.txt", b"<!doctype html><html><body><script>alert(1)</script></body></html>", "HTML"),
        ("page.html", b"<html><body>hi</body></html>", "not accepted"),
        ("notes.txt", b"hello <script>alert(1)</script>", "HTML"),
        ("notes.txt", b"Dear team\nplease see <iframe src=x>", "markup or script"),
        ("setup.exe", b"MZ\x90\x00" + b"\x00" * 200, "not accepted"),
        ("setup.pdf", b"MZ\x90\x00" + b"\x00" * 200, "a program"),
        ("bomb.png", bomb_png(), "too large"),
        ("broken.png", png_bytes()[:40], "damaged"),
        ("macro.docx", ooxml_bytes("word/document.xml", {"word/vbaProject.bin": "x"}), "macros"),
        ("archive.docx", b"PK\x03\x04" + b"\x00" * 100, "damaged"),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024, "not accepted"),
        ("photo.png", jpeg_with_gps(), "JPEG image"),
        ("noextension", png_bytes(), "no extension"),
    ],
)
def test_it_refuses_hostile_or_disguised_files_with_a_reason(name, content, reason):
    with pytest.raises(FileRefused, match=reason):
        check_upload(name, content)


def test_it_refuses_a_file_over_the_configured_limit(settings):
    settings.MAX_UPLOAD_BYTES = 100

    with pytest.raises(FileRefused, match=r"limit is 100 bytes"):
        check_upload("big.txt", b"a" * 101)


def test_it_refuses_an_image_over_the_pixel_limit(settings):
    settings.MAX_IMAGE_PIXELS = 50

    with pytest.raises(FileRefused, match="too large"):
        check_upload("wide.png", png_bytes((10, 10)))


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:\\Users\\amira\\Desktop\\report.pdf", "report.pdf"),
        ("<script>x</script>.png", "script.png"),
        ("   .png", "evidence.png"),
        ("Résumé – final (v2).docx", "Résumé final (v2).docx"),
    ],
)
def test_it_cleans_file_names(raw, cleaned):
    assert clean_filename(raw, extension=raw[raw.rfind(".") :].lower()) == cleaned
