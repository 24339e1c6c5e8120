from __future__ import annotations

from django.apps import AppConfig


class StrategyConfig(AppConfig):
    name = "strategy"
    verbose_name = "Strategy"

    def ready(self) -> None:
        # Register the strategy steps as portfolio sections (see evidence.sections).
        from strategy import (
            sections,  # noqa: F401
            snapshot,  # noqa: F401  (its part of a submitted version)
        )
