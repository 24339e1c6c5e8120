from __future__ import annotations

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit and service data"

    def ready(self) -> None:
        # Register the audit's guided steps (core.guided), their part of a submitted version, their
        # readiness rules and their PDF chapters (docs/architecture.md).
        from audit import pdf, readiness, snapshot, steps, subject_data  # noqa: F401
