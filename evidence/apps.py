from __future__ import annotations

from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = "Evidence and criteria mapping"

    def ready(self) -> None:
        # What the evidence contributes to the outputs: its part of a submitted version and
        # its readiness rules (docs/architecture.md).
        # And what goes with an item however it is deleted (evidence/signals.py).
        from evidence import readiness, signals, snapshot, subject_data  # noqa: F401
