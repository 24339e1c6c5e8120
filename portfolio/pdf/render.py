"""HTML to PDF with WeasyPrint, through the portfolio's own URL fetcher only."""

from __future__ import annotations

from pathlib import Path

import weasyprint
from django.template.loader import render_to_string
from django.utils import timezone

from portfolio.pdf.document import Document
from portfolio.pdf.fetcher import PDF_STATIC, PortfolioURLFetcher, static_pdf_roots

STYLESHEET = "portfolio.css"


def assets_dir() -> Path:
    """The folder of the stylesheet and fonts: the source one, or STATIC_ROOT's after collectstatic."""
    for root in static_pdf_roots():
        if (root / STYLESHEET).is_file():
            return root
    raise FileNotFoundError(f"static/{PDF_STATIC}/{STYLESHEET} is missing")


def document_html(document: Document) -> str:
    """The final HTML of the document. It names only our stylesheet (a file: URL) and data: URIs."""
    stylesheet = assets_dir() / STYLESHEET
    return render_to_string(
        "portfolio/pdf/document.html",
        {
            "doc": document,
            "stylesheet_url": stylesheet.resolve().as_uri(),
            "created": timezone.now().isoformat(timespec="seconds"),
        },
    )


def layout(html: str, fetcher: PortfolioURLFetcher) -> weasyprint.Document:
    """Pages laid out; ``write_pdf`` on the result writes the file.

    No ``stylesheets=`` argument: the one stylesheet is linked from the HTML, which is ours.
    """
    base_url = assets_dir().resolve().as_uri() + "/"
    return weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher).render()
