"""Panels that apps above the dashboards add to a cohort's page (the LTI course link).

The cohort page belongs to the dashboards, which import no app beside them; an app registers a
panel here from its ``AppConfig.ready`` (as the content apps fill ``core.sections``), and the
page shows each panel that has something to say about the cohort.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core.models import Cohort, User

# (cohort, the person looking, whether they may change the cohort) → the template's context, or
# None when the panel has nothing to show for this cohort.
PanelContext = Callable[[Cohort, User, bool], "dict[str, Any] | None"]


@dataclass(frozen=True)
class CohortPanel:
    key: str
    template: str
    context: PanelContext
    order: int = 100


@dataclass(frozen=True)
class ShownPanel:
    template: str
    context: dict[str, Any]


_PANELS: dict[str, CohortPanel] = {}


def register_cohort_panel(panel: CohortPanel) -> CohortPanel:
    _PANELS[panel.key] = panel
    return panel


def panels_for(cohort: Cohort, user: User, *, can_manage: bool) -> list[ShownPanel]:
    shown = []
    for panel in sorted(_PANELS.values(), key=lambda panel: (panel.order, panel.key)):
        context = panel.context(cohort, user, can_manage)
        if context is not None:
            shown.append(ShownPanel(template=panel.template, context=context))
    return shown
