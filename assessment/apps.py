from __future__ import annotations

from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = "Assessment: submission, decisions and quality assurance"

    def ready(self) -> None:
        # Its record kinds in the registry of personal data (core.subject_data).
        from assessment import subject_data  # noqa: F401
