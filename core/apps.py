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
        from django.db.models.signals import post_delete, post_save

        from core import subject_data, throttling  # noqa: F401
        from core.models import Criterion, CriterionGroup, CrosswalkLink, Framework
        from core.selectors import forget_framework_trees

        # A criteria tree kept by this process (core.selectors.cohort_framework_trees) goes when
        # any part of it is saved or deleted here.
        for model in (Framework, CriterionGroup, Criterion, CrosswalkLink):
            post_save.connect(
                forget_framework_trees, sender=model, dispatch_uid=f"trees-save-{model.__name__}"
            )
            post_delete.connect(
                forget_framework_trees, sender=model, dispatch_uid=f"trees-del-{model.__name__}"
            )
