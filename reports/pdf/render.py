"""HTML to PDF with WeasyPrint, through the portfolio's own URL fetcher only."""

from __future__ import annotations

import logging
from pathlib import Path
from xml.etree import ElementTree

import weasyprint
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint.images import SVGImage

from reports.pdf.document import Document
from reports.pdf.fetcher import PDF_STATIC, PortfolioURLFetcher, static_pdf_roots

log = logging.getLogger(__name__)

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


def layout(
    html: str, fetcher: PortfolioURLFetcher, images: dict[str, object] | None = None
) -> weasyprint.Document:
    """Pages laid out; ``write_pdf`` on the result writes the file.

    No ``stylesheets=`` argument: the one stylesheet is linked from the HTML, which is ours.
    ``images`` is WeasyPrint's image cache (its ``cache`` option): after the layout it holds
    the image made from each URL, which ``fill_placeholders`` needs.
    """
    base_url = assets_dir().resolve().as_uri() + "/"
    return weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
        cache={} if images is None else images
    )


def _size(svg: ElementTree.Element) -> tuple[str, str, str]:
    return svg.get("width", ""), svg.get("height", ""), svg.get("viewBox", "")


def fill_placeholders(images: dict[str, object], svgs: dict[str, str], fetcher: PortfolioURLFetcher) -> bool:
    """Put each chart's SVG in place of the empty one of the same size it was laid out with.

    ``svgs`` maps a placeholder's data: URI to the chart's SVG text. WeasyPrint draws an SVG
    image only when it writes the PDF, and the layout used nothing but the placeholder's
    size, so swapping what the image draws gives the same pages as laying them out with the
    chart. This reaches into WeasyPrint's ``SVGImage`` (pinned at 70.0; the chart tests
    render real charts through this path). Returns False, changing nothing, when any chart
    is not an SVG of exactly its placeholder's size or WeasyPrint did not make the image:
    the caller then lays the pages out again with the charts themselves.
    """
    swaps = []
    for uri, svg in svgs.items():
        image = images.get(uri)
        if not isinstance(image, SVGImage):
            return False
        try:
            # Kaleido's own output, checked by charts.is_safe_svg, read with the parser
            # WeasyPrint itself reads it with when it gets the SVG as an image.
            tree = ElementTree.fromstring(svg)  # noqa: S314
        except ElementTree.ParseError:
            return False
        if _size(tree) != _size(image._svg.tree) or not _size(tree)[0]:
            return False
        swaps.append((image, tree))
    for image, tree in swaps:
        # The same constructor WeasyPrint uses (weasyprint.images.get_image_from_uri), with the
        # layout's own context, so the chart's text uses the document's fonts.
        image._svg = SVGImage(tree, image._base_url, fetcher, image._context)._svg
    return True
