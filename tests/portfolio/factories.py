"""factory_boy factories for the portfolio app's PDF exports."""

from __future__ import annotations

import io
import secrets

import factory
from django.core.files.storage import default_storage
from django.utils import timezone
from pypdf import PdfWriter

from core.models import Export
from tests.factories import PortfolioFactory


def blank_pdf(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


class ExportFactory(factory.django.DjangoModelFactory):
    """A queued export; ``done=True`` gives a finished one with a stored one-page PDF."""

    class Meta:
        model = Export

    portfolio = factory.SubFactory(PortfolioFactory)
    version = None
    requested_by = factory.LazyAttribute(lambda export: export.portfolio.learner)
    content_key = factory.LazyFunction(lambda: secrets.token_hex(32))

    class Params:
        done = factory.Trait(
            status=Export.Status.DONE,
            progress=100,
            stage="Ready",
            page_count=1,
            started_at=factory.LazyFunction(timezone.now),
            finished_at=factory.LazyFunction(timezone.now),
            file=factory.LazyAttribute(
                lambda export: default_storage.save(
                    f"exports/{export.portfolio.pk}/{secrets.token_urlsafe(24)}.pdf",
                    io.BytesIO(blank_pdf()),
                )
            ),
            size=factory.LazyAttribute(lambda export: default_storage.size(export.file)),
        )
