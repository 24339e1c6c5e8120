"""Factories for the audit's models."""

from __future__ import annotations

import factory
import pandas as pd
from django.core.files.base import ContentFile
from django.utils import timezone

from audit import datasets
from audit.models import ServiceDataImport
from tests.factories import PortfolioFactory


def _one_interaction() -> bytes:
    return datasets.encode(
        datasets.from_frame(
            pd.DataFrame(
                {
                    "platform": ["facebook"],
                    "received_at": pd.to_datetime(["2026-01-05 09:00"], utc=True),
                    "first_response_minutes": [30.0],
                    "resolution_minutes": [None],
                    "resolved_first_contact": pd.array([None], dtype="boolean"),
                    "satisfaction": pd.array([None], dtype="Int64"),
                    "nps": pd.array([None], dtype="Int64"),
                    "sentiment": pd.Series([None], dtype="str"),
                }
            )
        )
    )


ONE_INTERACTION = _one_interaction()
_done = factory.LazyAttribute(lambda o: o.status == ServiceDataImport.Status.DONE)


class ServiceDataImportFactory(factory.django.DjangoModelFactory):
    """An import; a finished one (the default) has its one-interaction dataset file."""

    class Meta:
        model = ServiceDataImport

    portfolio = factory.SubFactory(PortfolioFactory)
    file = factory.LazyFunction(
        lambda: ContentFile(b"platform,received_at\nfacebook,2026-01-05 09:00\n", "data.csv")
    )
    file_name = "data.csv"
    file_size = 48
    headers = factory.LazyFunction(lambda: ["platform", "received_at"])
    columns = factory.LazyFunction(lambda: {"platform": "platform", "received_at": "received_at"})
    status = ServiceDataImport.Status.DONE
    row_count = 1
    created_by = factory.SelfAttribute("portfolio.learner")
    finished_at = factory.LazyFunction(timezone.now)
    dataset = factory.Maybe(
        _done,
        yes_declaration=factory.LazyFunction(lambda: ContentFile(ONE_INTERACTION, "dataset.arrow")),
        no_declaration="",
    )
    dataset_sha256 = factory.Maybe(_done, yes_declaration=datasets.sha256(ONE_INTERACTION), no_declaration="")


def import_service_data(portfolio, learner, content: bytes, *, name: str = "inbox.csv") -> ServiceDataImport:
    """Upload a CSV, keep the columns the upload recognised, import it: the learner's journey."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from audit import services

    service_import = services.upload_service_data(
        portfolio=portfolio, upload=SimpleUploadedFile(name, content, "text/csv"), actor=learner
    )
    services.map_columns(
        service_import=service_import,
        columns=service_import.columns,
        formats=service_import.formats,
        actor=learner,
    )
    return services.start_import(service_import=service_import, actor=learner)
