from __future__ import annotations

from django.apps import AppConfig


class CredentialsConfig(AppConfig):
    name = "credentials"
    verbose_name = "Verifiable credentials"

    def ready(self) -> None:
        # Listen for sign-offs and quality assurance; every outbox sweep issues what is owed.
        from core import outbox
        from credentials import checks, services, signals

        del checks, signals
        outbox.register_recovery("credentials", services.issue_owed)
