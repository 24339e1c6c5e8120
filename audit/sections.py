"""The six audit steps, registered as portfolio sections (see core.sections)."""

from __future__ import annotations

from audit.steps import STEPS
from core.sections import Section, register_section

for _step in STEPS:
    register_section(
        Section(
            key=_step.key,
            title=_step.title,
            order=_step.order,
            url_name=_step.url_name,
            default_criteria=_step.criteria,
            stage="Audit",
        )
    )
