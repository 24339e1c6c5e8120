from __future__ import annotations

from django.apps import AppConfig


class StrategyConfig(AppConfig):
    name = "strategy"
    verbose_name = "Strategy"

    def ready(self) -> None:
        # Register the strategy's guided steps (core.guided), their part of a submitted version, their
        # readiness rules and their PDF chapters (docs/architecture.md).
        from strategy import pdf, readiness, snapshot, steps, subject_data  # noqa: F401
