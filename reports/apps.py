from __future__ import annotations

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "The portfolio PDF and exports"

    def ready(self) -> None:
        # Every outbox sweep also takes back PDF exports whose worker died.
        from core import outbox
        from reports import services as exports

        outbox.register_recovery("exports", exports.recover_lost_exports)
