"""The PDF's layout rules that keep WeasyPrint's work small without making the document
worse to read: table columns sized from their text, photos printed two to a row."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from core.pdf.blocks import CriterionRef, table_widths
from evidence.pdf import PHOTO_CARD_TEXT, EvidenceEntry, evidence_rows
from evidence.pdf_images import PrintImage
from tests.evidence.factories import EvidenceFactory, FileEvidenceFactory, MappingFactory
from tests.portfolio.pdf_support import render

PHOTO = PrintImage("data:image/jpeg;base64,AAAA", 750, 500)
SCREENSHOT = PrintImage("data:image/png;base64,AAAA", 1400, 900)


# --- Table columns ----------------------------------------------------------------------------


def test_a_column_of_figures_stays_narrow_and_a_column_of_sentences_takes_the_room():
    sentences = ["A long sentence about how the team answers complaints on every platform, every day."] * 3
    widths = table_widths([["Measure", "Cost", "Cost", "Cost"], ["Note", *sentences]])
    assert widths.table == 100.0
    assert sum(widths.columns) == pytest.approx(100, abs=0.05)
    assert widths.columns[0] < 20 < widths.columns[1]


def test_a_long_header_over_figures_does_not_take_the_room_of_the_names_beside_it():
    names = ["WhatsApp Business", "Instagram", "Facebook"]
    figures = ["3", "2", "3"]
    widths = table_widths([names, figures], headers=["Platform", "Staffing (5 = lightest)"])
    assert widths.columns[0] > 1.5 * widths.columns[1]
    # Counted as a line of the column, the header would have made the figures the wider column.
    as_a_line = table_widths([["Platform", *names], ["Staffing (5 = lightest)", *figures]])
    assert as_a_line.columns[0] < as_a_line.columns[1]
    # Its longest word still fits.
    assert table_widths([figures], headers=["Satisfaction"]).columns == (100.0,)


def test_short_columns_share_the_width_by_their_longest_line():
    widths = table_widths([["Platform", "Facebook"], ["Share", "12%"]])
    assert widths.columns[0] > widths.columns[1]
    assert sum(widths.columns) == pytest.approx(100, abs=0.05)


def test_a_compact_table_shrinks_to_its_text_but_not_below_half_the_page():
    assert table_widths([["Criterion", "Reach"], ["Weight", "30"]], shrink=True).table == 50.0
    law = "UK GDPR and the Data Protection Act 2018, and the Privacy and Electronic Communications Rules"
    wide = table_widths([["Law", law], ["Status", "Met"]], shrink=True)
    assert 50.0 < wide.table <= 100.0


def test_an_unbroken_address_does_not_squeeze_the_other_columns_to_nothing():
    address = "https://example.org/" + "a" * 150
    widths = table_widths([["Source", address], ["What it shows", "The reply the customer received."]])
    assert widths.columns[1] > 15  # room for "customer", the column's longest word, and more


def test_a_table_with_no_columns_or_empty_cells_still_has_widths():
    assert table_widths([]).columns == ()
    assert sum(table_widths([[""], [""]]).columns) == pytest.approx(100, abs=0.05)


# --- Photo cards --------------------------------------------------------------------------------


def entry(number: int, *, image: PrintImage | None = PHOTO, description: str = "", criteria: int = 1):
    return EvidenceEntry(
        number=number,
        item_id=number,
        kind="file",
        kind_label="File",
        title=f"Photo {number}",
        description=description,
        date="",
        criteria=[CriterionRef("STD", f"P{i}", "Shows it.") for i in range(criteria)],
        image=image,
    )


def test_photos_with_little_text_are_cards_and_everything_else_is_full_width():
    assert entry(1).card
    assert not entry(2, image=SCREENSHOT).card  # a screenshot keeps the width for its text
    assert not entry(3, image=None).card
    assert not entry(4, description="x" * PHOTO_CARD_TEXT).card  # could outgrow a page at half width
    assert not entry(5, criteria=7).card


def test_consecutive_photo_cards_pair_up_in_order():
    entries = [entry(1), entry(2), entry(3), entry(4, image=None), entry(5), entry(6), entry(7)]
    rows = evidence_rows(entries)
    assert [[e.number for e in row] for row in rows] == [[1, 2], [3], [4], [5, 6], [7]]


# --- In the PDF ---------------------------------------------------------------------------------


def jpeg(colour: tuple[int, int, int]) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (1200, 800), colour).save(output, format="JPEG", quality=85)
    return output.getvalue()


def photo_evidence(portfolio, title: str, colour: tuple[int, int, int], **values):
    content = jpeg(colour)
    return FileEvidenceFactory(
        portfolio=portfolio,
        title=title,
        original_name=f"{title.lower().replace(' ', '-')}.jpg",
        content_type="image/jpeg",
        file=ContentFile(content, name="photo.jpg"),
        sha256=hashlib.sha256(content).hexdigest(),
        file_size=len(content),
        **values,
    )


@pytest.mark.django_db
def test_two_photos_share_a_page_and_keep_their_bookmarks_and_criteria(settings, portfolio, criteria):
    settings.BROWSER_PATH = ""
    first = photo_evidence(portfolio, "Shop window", (200, 80, 40))
    second = photo_evidence(portfolio, "Packing bench", (40, 80, 200))
    MappingFactory(evidence=first, criterion=criteria[0], note="Shows the display the customers see.")
    MappingFactory(evidence=second, criterion=criteria[1], note="Shows where parcels are checked.")
    pdf = render(portfolio)
    pages = [" ".join((page.extract_text() or "").split()) for page in pdf.reader.pages]
    with_notes = [text for text in pages if "Shows the display the customers see." in text]
    assert len(with_notes) == 1
    (page,) = with_notes
    assert "shop-window.jpg" in page
    assert "packing-bench.jpg" in page
    assert "Shows where parcels are checked." in page
    titles = " ".join(pdf.outline_titles())
    assert "Shop window" in titles
    assert "Packing bench" in titles
    # Each photo is embedded once, at photo print size.
    images = {image.name: image for page in pdf.reader.pages for image in page.images}
    assert len(images) == 2
    assert all(image.image.size[0] <= 750 for image in images.values())


@pytest.mark.django_db
def test_a_photo_with_a_long_description_prints_full_width_with_all_its_text(settings, portfolio, criteria):
    settings.BROWSER_PATH = ""
    story = " ".join(f"Sentence {n} of what the photo shows and why it matters." for n in range(60))
    photo = photo_evidence(portfolio, "Queue at the returns desk", (90, 90, 90), description=story)
    MappingFactory(evidence=photo, criterion=criteria[0], note="Shows the queue.")
    EvidenceFactory(portfolio=portfolio, title="Afterwards")
    pdf = render(portfolio)
    assert "Sentence 0 of what" in pdf.text
    assert "Sentence 59 of what the photo shows and why it matters." in pdf.text
    assert "Shows the queue." in pdf.text
