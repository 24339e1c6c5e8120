from __future__ import annotations

from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = "Assessment: submission, decisions and quality assurance"
