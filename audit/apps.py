from __future__ import annotations

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit and service data"

    def ready(self) -> None:
        # Register the audit steps as portfolio sections (see evidence.sections).
        from audit import (
            sections,  # noqa: F401
            snapshot,  # noqa: F401  (its part of a submitted version)
        )
