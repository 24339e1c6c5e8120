"""Nothing a user typed can make the PDF renderer open a URL or read a file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from weasyprint.urls import URLFetchingError, fetch

import reports.pdf as pdf_package
from audit.models import OrganisationProfile, StepNote
from core.pdf.charts import is_safe_svg
from evidence.models import Evidence
from reports.pdf.fetcher import FetchRefused, PortfolioURLFetcher, fetcher_for, static_pdf_roots
from strategy.models import Risk, Vision
from tests.evidence.factories import EvidenceFactory, MappingFactory, MessageFactory, TranscriptFactory
from tests.portfolio.pdf_support import render

pytestmark = pytest.mark.django_db


@pytest.fixture
def spy(monkeypatch):
    """Every fetcher the render makes, kept for inspection."""
    made: list[PortfolioURLFetcher] = []

    def spying_fetcher_for(portfolio_id: int) -> PortfolioURLFetcher:
        fetcher = fetcher_for(portfolio_id)
        made.append(fetcher)
        return fetcher

    monkeypatch.setattr(pdf_package, "fetcher_for", spying_fetcher_for)
    return made


def hostile(port: int) -> str:
    return (
        f'<img src="http://127.0.0.1:{port}/img"> file:///etc/passwd '
        f'<link rel="stylesheet" href="http://127.0.0.1:{port}/link.css"> '
        f"<style>@import url(http://127.0.0.1:{port}/import.css);</style> "
        f'<p style="background: url(http://127.0.0.1:{port}/bg.png)">styled</p> '
        f'<object data="file:///etc/passwd"></object>'
    )


def test_hostile_text_everywhere_is_printed_as_text_and_nothing_is_fetched(
    settings, portfolio, criteria, learner, listener, spy
):
    settings.BROWSER_PATH = ""
    text = hostile(listener.port)
    learner.first_name = text[:150]
    learner.save()
    OrganisationProfile.objects.create(portfolio=portfolio, name=text[:200], service_offer=text)
    StepNote.objects.create(portfolio=portfolio, step="gaps", text=text)
    Vision.objects.create(portfolio=portfolio, vision_statement=text)
    Risk.objects.create(
        portfolio=portfolio, category="crisis", description=text, likelihood=2, impact=3, owner=text[:120]
    )
    item = EvidenceFactory(
        portfolio=portfolio, kind=Evidence.Kind.LINK, title=text[:200], description=text, url=text
    )
    MappingFactory(evidence=item, criterion=criteria[0], note=text)
    markdown = (
        f"{text}\n\n![a picture](http://127.0.0.1:{listener.port}/markdown.png)\n\n"
        f"[a file link](file:///etc/passwd) and [a web link](http://127.0.0.1:{listener.port}/link)\n\n"
        f'<a rel="attachment" href="file:///etc/passwd">attach</a>'
    )
    EvidenceFactory(portfolio=portfolio, kind=Evidence.Kind.REFLECTION, title="Reflection", body=markdown)
    transcript = TranscriptFactory(portfolio=portfolio, title="Transcript", account_handle=text[:100])
    MessageFactory(evidence=transcript, position=1, text=text)
    MessageFactory(evidence=transcript, position=2, author="organisation", text=text, annotation=text)

    pdf = render(portfolio)

    assert listener.connections == 0
    (fetcher,) = spy
    assert fetcher.refused == []
    static_roots = [os.path.realpath(root) for root in static_pdf_roots()]
    for url in fetcher.requested:
        assert url.startswith("data:") or any(
            os.path.realpath(url.removeprefix("file://")).startswith(root) for root in static_roots
        ), url
    # The user's text is there to read, as text.
    assert "file:///etc/passwd" in pdf.text
    assert f'<img src="http://127.0.0.1:{listener.port}/img">' in pdf.text
    assert f"@import url(http://127.0.0.1:{listener.port}/import.css)" in pdf.text
    assert pdf.text.count(f'<link rel="stylesheet" href="http://127.0.0.1:{listener.port}/link.css">') >= 8


def test_the_version_pdf_with_hostile_feedback_fetches_nothing(
    settings, portfolio, criteria, filled, version, assessor, listener, spy
):
    from assessment import services as assessment
    from tests.portfolio.conftest import decide

    settings.BROWSER_PATH = ""
    decide(version, criteria[0], assessor, status="not_yet_met", feedback=hostile(listener.port))
    assessment.return_version(version=version, comment=hostile(listener.port), actor=assessor)
    pdf = render(portfolio, version)
    assert listener.connections == 0
    assert spy[0].refused == []
    # The feedback column has a set width, so the address may wrap after a "/": read it unwrapped.
    assert f"http://127.0.0.1:{listener.port}/bg.png" in pdf.text.replace(" ", "")


# --- The fetcher on its own ----------------------------------------------------------------


@pytest.fixture
def roots(tmp_path):
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    (allowed / "style.css").write_text("p { color: red }")
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the PDF")
    return allowed, secret


def test_the_fetcher_reads_files_under_its_roots_and_data_urls(roots):
    allowed, _secret = roots
    fetcher = PortfolioURLFetcher(allowed_roots=[allowed])
    response = fetcher.fetch((allowed / "style.css").as_uri())
    assert response.read() == b"p { color: red }"
    assert response.content_type == "text/css"
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x",
        "https://example.org/x.css",
        "ftp://example.org/x",
        "gopher://127.0.0.1:70/",
        "file:///etc/passwd",
        "file://otherhost/etc/passwd",
        "FILE:///etc/passwd",
        "javascript:alert(1)",
        "relative/path.css",
    ],
)
def test_the_fetcher_refuses_other_schemes_and_files_elsewhere(roots, url):
    allowed, _secret = roots
    fetcher = PortfolioURLFetcher(allowed_roots=[allowed])
    with pytest.raises(FetchRefused):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_the_fetcher_refuses_a_path_that_climbs_out_of_its_root(roots):
    allowed, secret = roots
    fetcher = PortfolioURLFetcher(allowed_roots=[allowed])
    with pytest.raises(FetchRefused):
        fetcher.fetch(f"file://{allowed}/../{secret.name}")
    with pytest.raises(FetchRefused):
        fetcher.fetch(f"file://{allowed}/%2e%2e/{secret.name}")


def test_the_fetcher_refuses_a_symlink_that_escapes_its_root(roots):
    allowed, secret = roots
    (allowed / "innocent.css").symlink_to(secret)
    (allowed / "folder").symlink_to(secret.parent, target_is_directory=True)
    fetcher = PortfolioURLFetcher(allowed_roots=[allowed])
    with pytest.raises(FetchRefused):
        fetcher.fetch((allowed / "innocent.css").as_uri())
    with pytest.raises(FetchRefused):
        fetcher.fetch(f"file://{allowed}/folder/{secret.name}")


def test_a_refusal_inside_weasyprint_is_skipped_not_fatal(roots):
    import weasyprint

    allowed, secret = roots
    fetcher = PortfolioURLFetcher(allowed_roots=[allowed])
    html = f'<p>text</p><img src="{secret.as_uri()}"><img src="http://127.0.0.1:9/x">'
    content = weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()
    assert content.startswith(b"%PDF")
    assert fetcher.refused == [secret.as_uri(), "http://127.0.0.1:9/x"]
    # WeasyPrint turns the refusal into its own non-fatal error: the resource is left out.
    with pytest.raises(URLFetchingError), fetch(fetcher, secret.as_uri()):
        pass


def test_the_portfolio_fetcher_allows_its_own_files_not_another_portfolios(settings, portfolio):
    media = Path(settings.MEDIA_ROOT)
    own = media / "evidence" / str(portfolio.pk) / "photo.png"
    other = media / "evidence" / str(portfolio.pk + 1) / "photo.png"
    for path in (own, other):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\x89PNG")
    fetcher = fetcher_for(portfolio.pk)
    assert fetcher.fetch(own.as_uri()).read() == b"\x89PNG"
    with pytest.raises(FetchRefused):
        fetcher.fetch(other.as_uri())
    with pytest.raises(FetchRefused):
        fetcher.fetch((Path(settings.BASE_DIR) / "config" / "settings.py").as_uri())
    stylesheet = Path(settings.BASE_DIR) / "static" / "pdf" / "portfolio.css"
    assert b"@font-face" in fetcher.fetch(stylesheet.as_uri()).read()


# --- Chart SVG ----------------------------------------------------------------------------------


def test_chart_svg_may_refer_only_to_itself():
    plotly_like = (
        '<svg xmlns="http://www.w3.org/2000/svg"><g clip-path="url(#clip1)"><image '
        'xlink:href="data:image/png;base64,iVBORw0KGgo="/></g><rect style="fill: rgb(1,2,3)"/></svg>'
    )
    assert is_safe_svg(plotly_like)
    for bad in (
        '<svg><image href="http://127.0.0.1:9/x.png"/></svg>',
        '<svg><image xlink:href="file:///etc/passwd"/></svg>',
        '<svg><rect style="fill: url(http://127.0.0.1:9/p)"/></svg>',
        "<svg><style>@import 'x.css';</style></svg>",
        "<svg><script>alert(1)</script></svg>",
        '<svg><foreignObject><img src="x"/></foreignObject></svg>',
        '<svg><use href="other.svg#a"/></svg>',
        "<html><svg></svg></html>",
    ):
        assert not is_safe_svg(bad), bad


def test_chart_svg_is_judged_by_its_markup_not_by_the_text_it_prints():
    # A label that reads like a reference, as the learner typed it, is text: the chart is kept.
    label = "&lt;span style=&quot;filter:url(http://127.0.0.1:9/x)&quot;&gt;o&lt;/span&gt;"
    assert is_safe_svg(
        f'<svg xmlns="http://www.w3.org/2000/svg"><text data-unformatted="{label}">{label}</text></svg>'
    )
    for bad in (
        '<svg><rect style="fill: u&#114;l(http://127.0.0.1:9/p)"/></svg>',  # an entity spelling url
        '<svg><rect style="fill: u\\72 l(http://127.0.0.1:9/p)"/></svg>',  # a CSS escape spelling it
        '<svg><rect style="background: image-set(&quot;http://127.0.0.1:9/p&quot; 1x)"/></svg>',
        "<svg><!-- --><rect/></svg>",
        '<svg><!DOCTYPE x [<!ENTITY e SYSTEM "http://127.0.0.1:9/">]><rect/></svg>',
        '<svg><a onclick="x()"/></svg>',
    ):
        assert not is_safe_svg(bad), bad
