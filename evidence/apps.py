from __future__ import annotations

from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = "Evidence and criteria mapping"

    def ready(self) -> None:
        from evidence import snapshot  # noqa: F401  (its part of a submitted version)
