from __future__ import annotations

from django.apps import AppConfig


class CredentialsConfig(AppConfig):
    name = "credentials"
    verbose_name = "Verifiable credentials"

    def ready(self) -> None:
        # Listen for sign-offs and quality assurance; every outbox sweep issues what is owed; the
        # credentials in the registry of personal data (core.subject_data).
        from core import outbox
        from credentials import checks, services, signals, subject_data

        del checks, signals, subject_data
        outbox.register_recovery("credentials", services.issue_owed)
