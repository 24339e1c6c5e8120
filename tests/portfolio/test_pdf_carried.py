"""Every evidence file travels with the portfolio PDF: the originals attached with their
SHA-256, the pages of PDF files merged after their entry with a bookmark, and encrypted or
damaged PDFs listed, not merged, with a note."""

from __future__ import annotations

import hashlib
import io

import openpyxl
import pikepdf
import pytest
import weasyprint
from django.core.cache import cache
from django.core.files.base import ContentFile

from assessment import services as assessment
from core.models import VersionFile
from evidence.pdf_files import NOT_ATTACHED_UNCHECKED, NOT_MERGED_DAMAGED, NOT_MERGED_ENCRYPTED
from tests.evidence.factories import FileEvidenceFactory, MappingFactory
from tests.portfolio.pdf_support import render

pytestmark = pytest.mark.django_db

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _no_chart_browser(settings):
    settings.BROWSER_PATH = ""
    cache.clear()


def procedure_pdf(pages: int = 3, *, landscape_page: int | None = None) -> bytes:
    """A PDF of ``pages`` pages, each saying which it is."""
    html = "".join(
        f'<section style="break-before: page; page: {"wide" if n == landscape_page else "auto"}">'
        f"<h1>Complaints procedure page {n} of {pages}</h1><p>Step {n}: acknowledge within 2 hours.</p>"
        f"</section>"
        for n in range(1, pages + 1)
    )
    return weasyprint.HTML(string=f"<style>@page wide {{ size: A4 landscape }}</style>{html}").write_pdf()


def encrypted_pdf() -> bytes:
    output = io.BytesIO()
    with pikepdf.open(io.BytesIO(procedure_pdf(1))) as pdf:
        pdf.save(output, encryption=pikepdf.Encryption(owner="owner", user="secret"))
    return output.getvalue()


def rota_xlsx() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Day", "Who answers the social media inbox"])
    sheet.append(["Saturday", "Priya"])
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def stored(portfolio, criterion, *, title: str, name: str, content_type: str, content: bytes):
    upload = FileEvidenceFactory(
        portfolio=portfolio,
        title=title,
        original_name=name,
        content_type=content_type,
        file=ContentFile(content, name=name),
        sha256=hashlib.sha256(content).hexdigest(),
        file_size=len(content),
    )
    MappingFactory(evidence=upload, criterion=criterion, note="Shows it.")
    return upload


@pytest.fixture
def files(portfolio, criteria):
    contents = {
        "procedure.pdf": (PDF, procedure_pdf(3, landscape_page=2)),
        "rota.xlsx": (XLSX, rota_xlsx()),
        "locked.pdf": (PDF, encrypted_pdf()),
        "broken.pdf": (
            PDF,
            b"%PDF-1.7\n1 0 obj <</Type /Catalog /Pages 9 0 R>>\nendobj\ntrailer <<>>\n%%EOF",
        ),
    }
    for name, (content_type, content) in contents.items():
        stored(
            portfolio,
            criteria[0],
            title=f"Evidence {name}",
            name=name,
            content_type=content_type,
            content=content,
        )
    return {name: content for name, (_type, content) in contents.items()}


def attachments(content: bytes) -> dict[str, tuple[bytes, str]]:
    """Each embedded file's name, bytes and description, read back with pikepdf."""
    with pikepdf.open(io.BytesIO(content)) as pdf:
        return {
            name: (spec.get_file().read_bytes(), spec.description) for name, spec in pdf.attachments.items()
        }


def test_every_file_is_attached_with_its_sha256(portfolio, criteria, filled, files, settings):
    settings.PDF_ATTACH_IMAGES = True  # a centre that wants the original photos too
    pdf = render(portfolio)

    attached = attachments(pdf.rendered.content)
    by_original = {name.split(" ", 1)[1]: (name, data, about) for name, (data, about) in attached.items()}
    # The readable files, and the screenshot of the ``filled`` portfolio, travel as their originals.
    assert set(by_original) == {"procedure.pdf", "rota.xlsx", "screenshot.png"}
    for original in ("procedure.pdf", "rota.xlsx"):
        name, data, about = by_original[original]
        assert data == files[original]
        digest = hashlib.sha256(files[original]).hexdigest()
        assert digest in about
        # Listed in the evidence index, to check the file against (wrapped across lines).
        assert digest in pdf.text.replace(" ", "")
        assert name in pdf.text
    assert "Files carried in this PDF" in pdf.text
    assert "attachments pane" in pdf.text
    assert "held in the portfolio" not in pdf.text  # what a non-image file said before


def test_the_rota_spreadsheet_is_findable_inside_a_versions_pdf(portfolio, criteria, filled, files, learner):
    version = assessment.submit_portfolio(portfolio=portfolio, declaration_signed=True, actor=learner)
    frozen = VersionFile.objects.get(version=version, original_name="rota.xlsx")
    pdf = render(portfolio, version)

    attached = attachments(pdf.rendered.content)
    (name,) = [name for name in attached if name.endswith(" rota.xlsx")]
    data, _about = attached[name]
    assert hashlib.sha256(data).hexdigest() == frozen.sha256
    assert openpyxl.load_workbook(io.BytesIO(data)).active["B2"].value == "Priya"
    assert len(data) == frozen.size


def test_a_pdfs_pages_follow_its_entry_with_a_bookmark(portfolio, criteria, filled, files):
    without = render(portfolio, None)
    # The same portfolio without the PDF that merges: three pages fewer.
    FileEvidenceFactory._meta.model.objects.filter(original_name="procedure.pdf").delete()
    fewer = render(portfolio, None)

    assert without.rendered.page_count == fewer.rendered.page_count + 3
    assert len(without.reader.pages) == without.rendered.page_count
    for n in (1, 2, 3):
        assert f"Complaints procedure page {n} of 3" in without.text
        assert f"procedure.pdf · page {n} of 3" in without.text
    entry = next(t for t in without.outline_titles() if t.endswith("procedure.pdf (3 pages)"))
    assert entry.startswith("E")
    # The pages come straight after the entry: the entry's page, then the three merged ones.
    pages = [page.extract_text() for page in without.reader.pages]
    first = next(
        i for i, text in enumerate(pages) if "page 1 of 3" in text and "Complaints procedure" in text
    )
    assert "Complaints procedure page 2 of 3" in pages[first + 1]
    assert "Complaints procedure page 3 of 3" in pages[first + 2]
    assert "Evidence procedure.pdf" in pages[first - 1]


def test_merged_pages_keep_the_document_tagged(portfolio, criteria, filled, files):
    pdf = render(portfolio)

    catalog = pdf.reader.trailer["/Root"]
    assert bool(catalog["/MarkInfo"]["/Marked"])
    figures = [str(alt) for role, alt in pdf.structure() if role == "Figure"]
    assert all(figures)
    assert sum("of procedure.pdf" in alt for alt in figures) == 3
    # The page numbers and the contents count the merged pages.
    count = pdf.rendered.page_count
    assert f"Page {count} of {count}" in pdf.text


@pytest.mark.parametrize(
    ("name", "note"), [("locked.pdf", NOT_MERGED_ENCRYPTED), ("broken.pdf", NOT_MERGED_DAMAGED)]
)
def test_an_encrypted_or_damaged_pdf_is_listed_not_merged_with_a_note(
    portfolio, criteria, filled, files, name, note
):
    pdf = render(portfolio)

    assert f"Evidence {name}" in pdf.text
    assert note in pdf.text
    assert NOT_ATTACHED_UNCHECKED.split(":")[0] in pdf.text
    assert not any(attached.endswith(name) for attached in attachments(pdf.rendered.content))
    assert not any(name in title for title in pdf.outline_titles() if "pages)" in title)
    assert f"{name} · page 1" not in pdf.text


def test_the_caps_on_merged_pages(portfolio, criteria, filled, files, settings):
    settings.PDF_MERGE_MAX_PAGES_PER_FILE = 2
    pdf = render(portfolio)

    assert "Its 3 pages are not printed here: a PDF of more than 2 pages is only attached." in pdf.text
    assert "Complaints procedure page 2 of 3" not in pdf.text
    assert any(name.endswith("procedure.pdf") for name in attachments(pdf.rendered.content))

    settings.PDF_MERGE_MAX_PAGES_PER_FILE = 40
    settings.PDF_MERGE_MAX_PAGES = 2
    assert "already holds the most merged pages it may (2)" in render(portfolio).text


def test_merged_pages_are_the_cleaned_copy(portfolio, criteria, filled):
    with pikepdf.open(io.BytesIO(procedure_pdf(1))) as pdf:
        pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
        output = io.BytesIO()
        pdf.save(output)
    stored(
        portfolio,
        criteria[0],
        title="Scripted",
        name="scripted.pdf",
        content_type=PDF,
        content=output.getvalue(),
    )

    pdf = render(portfolio)

    assert "Complaints procedure page 1 of 1" in pdf.text
    assert "The original is not attached: it still holds active content (JavaScript" in pdf.text
    assert b"app.alert" not in pdf.rendered.content
    assert not any(name.endswith("scripted.pdf") for name in attachments(pdf.rendered.content))


def test_the_original_images_are_left_out_unless_asked_for(portfolio, criteria, filled, files):
    pdf = render(portfolio)  # the default: images printed downscaled, documents attached

    attached = attachments(pdf.rendered.content)
    assert not any(name.endswith("screenshot.png") for name in attached)
    assert any(name.endswith("rota.xlsx") for name in attached)
    assert "The original image is not attached to this PDF" in pdf.text
