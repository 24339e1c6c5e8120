"""Writes for evidence. Each takes the acting user."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from evidence.models import CriterionMapping, Evidence
from evidence.sections import get_section
from portfolio.models import Criterion, Portfolio, User

log = logging.getLogger(__name__)


class EvidenceError(Exception):
    """A rule of the domain was broken; the message is shown to the user."""


@transaction.atomic
def record_section(*, portfolio: Portfolio, key: str, complete: bool, summary: str, actor: User) -> Evidence:
    """Keep the section's evidence row up to date; map it to its criteria the first time.

    Later saves never touch the mappings: the learner owns them once they exist.
    """
    section = get_section(key)
    evidence, created = Evidence.objects.select_for_update().get_or_create(
        portfolio=portfolio,
        kind=Evidence.Kind.SECTION,
        section_key=key,
        defaults={"title": section.title, "description": summary, "section_complete": complete},
    )
    if not created:
        evidence.title = section.title
        evidence.description = summary
        evidence.section_complete = complete
        evidence.occurred_on = timezone.localdate()
        evidence.save(update_fields=["title", "description", "section_complete", "occurred_on", "updated_at"])
    else:
        _add_default_mappings(evidence=evidence, portfolio=portfolio, defaults=section.default_criteria)
    Portfolio.objects.filter(pk=portfolio.pk).update(last_activity_at=timezone.now())
    log.info(
        "section %s of portfolio %s saved by %s (complete=%s)", key, portfolio.pk, actor.username, complete
    )
    return evidence


def _add_default_mappings(
    *, evidence: Evidence, portfolio: Portfolio, defaults: dict[str, dict[str, str]]
) -> None:
    wanted = {(fw, code): note for fw, notes in defaults.items() for code, note in notes.items()}
    criteria = Criterion.objects.filter(framework__in=portfolio.cohort.frameworks.all()).select_related(
        "framework"
    )
    CriterionMapping.objects.bulk_create(
        [
            CriterionMapping(evidence=evidence, criterion=criterion, note=wanted[key], is_default=True)
            for criterion in criteria
            if (key := (criterion.framework.code, criterion.code)) in wanted
        ]
    )
