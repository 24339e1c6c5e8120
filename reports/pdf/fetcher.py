"""The only way WeasyPrint may read anything while it draws a portfolio.

WeasyPrint's default fetcher opens any URL it meets (http, ftp, file…), and releases
before 70 had published flaws around redirects and file reads. Everything a user typed
is escaped before it reaches the HTML, so the document itself names only our own
stylesheet, fonts and ``data:`` images; this fetcher makes that a rule rather than a
hope: ``data:`` URLs, and ``file:`` URLs whose real path (symlinks resolved) lies under
one of a few folders, and nothing else. No redirects, no network. A refused URL raises,
is logged, and is remembered in ``refused`` so tests and callers can see it.

A photo still being scaled is named by a placeholder ``data:`` URI (``reports.pdf.images``):
the fetcher answers it, by exact match with the export's own jobs, with the scaled photo's
``data:`` URI once its job is done.
"""

from __future__ import annotations

import logging
import mimetypes
import os
from collections.abc import Iterable, Mapping
from concurrent.futures import Future
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.files.storage import default_storage
from weasyprint.urls import URLFetcher, URLFetcherResponse

log = logging.getLogger(__name__)

PDF_STATIC = "pdf"  # static/pdf: the stylesheet and the fonts
PENDING_IMAGE_SECONDS = 120  # a photo's scaling never takes this long; a stuck job is a missing image


class FetchRefused(ValueError):
    """The renderer asked for something outside what a portfolio document may read."""


def _real(path: str | os.PathLike[str]) -> str:
    return os.path.realpath(os.fspath(path))


class PortfolioURLFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint has no types
    """Allows ``data:`` and ``file:`` under ``allowed_roots`` (compared after realpath)."""

    def __init__(self, *, allowed_roots: Iterable[str | os.PathLike[str]], **kwargs: Any) -> None:
        super().__init__(
            allowed_protocols={"file", "data"}, allow_redirects=False, fail_on_errors=False, **kwargs
        )
        self.allowed_roots = tuple(sorted({_real(root) for root in allowed_roots}))
        self.requested: list[str] = []
        self.refused: list[str] = []
        # Placeholder URI -> the job scaling that photo (see the module docstring).
        self.pending: Mapping[str, Future[Any]] = {}

    def _refuse(self, url: str, reason: str) -> FetchRefused:
        self.refused.append(url)
        log.warning("PDF renderer refused %s: %s", url[:200], reason)
        return FetchRefused(f"{reason}: {url[:200]}")

    def is_allowed_path(self, path: str) -> bool:
        real = _real(path)
        return any(real == root or real.startswith(root + os.sep) for root in self.allowed_roots)

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        self.requested.append(url[:200])
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            job = self.pending.get(url)
            if job is not None:
                image = job.result(PENDING_IMAGE_SECONDS)
                if image is None:
                    raise ValueError("the stored image could not be read")
                url = image.data_uri
            return super().fetch(url, headers)
        if scheme != "file":
            raise self._refuse(url, "only data: and file: URLs are allowed")
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise self._refuse(url, "file: URLs on another host are not allowed")
        path = unquote(parts.path)
        if not self.is_allowed_path(path):
            raise self._refuse(url, "the file is outside the document's own folders")
        real = _real(path)
        if not os.path.isfile(real):
            raise self._refuse(url, "no such file")
        content_type = mimetypes.guess_type(real)[0] or "application/octet-stream"
        # Read through the resolved path we checked, never the URL again.
        with open(real, "rb") as handle:
            body = handle.read()
        return URLFetcherResponse(Path(real).as_uri(), body, {"Content-Type": content_type})


def static_pdf_roots() -> list[Path]:
    """Where the stylesheet and fonts live: the source folder and, after collectstatic, STATIC_ROOT's."""
    roots = [Path(settings.BASE_DIR) / "static" / PDF_STATIC]
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT) / PDF_STATIC)
    return roots


def portfolio_file_root(portfolio_id: int) -> Path | None:
    """The portfolio's own stored evidence files, when they are on the local disk."""
    try:
        return Path(default_storage.path(f"evidence/{int(portfolio_id)}"))
    except NotImplementedError:  # S3 and other remote storage: no local path to allow
        return None


def fetcher_for(portfolio_id: int) -> PortfolioURLFetcher:
    roots: list[Path] = static_pdf_roots()
    own_files = portfolio_file_root(portfolio_id)
    if own_files is not None:
        roots.append(own_files)
    return PortfolioURLFetcher(allowed_roots=roots, timeout=5)
