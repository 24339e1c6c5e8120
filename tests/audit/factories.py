"""Factories for the audit's models."""

from __future__ import annotations

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from audit.models import Interaction, ServiceDataImport
from tests.factories import PortfolioFactory


class ServiceDataImportFactory(factory.django.DjangoModelFactory):
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


class InteractionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interaction

    service_import = factory.SubFactory(ServiceDataImportFactory)
    platform = "facebook"
    received_at = factory.LazyFunction(timezone.now)
    first_response_minutes = 30.0
