from __future__ import annotations

from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    name = "portfolio"
    verbose_name = "Portfolios, cohorts and criteria"

    def ready(self) -> None:
        # Counts failed and successful log-ins for the throttle (signal receivers).
        from portfolio import throttling  # noqa: F401
