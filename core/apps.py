from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The ground floor: imports no other app of ours (docs/architecture.md).

    Its label stays "portfolio", the name its tables, migrations and the user model
    (``portfolio.User``) have always had, so moving the code moved no data.
    """

    name = "core"
    label = "portfolio"
    verbose_name = "Portfolios, cohorts and criteria"

    def ready(self) -> None:
        # The throttle counts failed and successful log-ins (signal receivers); the core's own
        # record kinds join the registry of personal data (core.subject_data).
        from core import subject_data, throttling  # noqa: F401
