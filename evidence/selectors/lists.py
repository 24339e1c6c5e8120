"""Reads for the evidence pages: the list, one item, the criteria it may be mapped to."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Prefetch, Q, QuerySet

from core.models import Criterion, Portfolio
from evidence.models import CriterionMapping, Evidence, TranscriptMessage

# --- Evidence lists and pages ---------------------------------------------------------


def evidence_list(portfolio: Portfolio, *, kind: str = "") -> QuerySet[Evidence]:
    """The portfolio's evidence with mapping counts, in one query."""
    items = (
        portfolio.evidence.select_related("observation", "discussion", "questioning")
        .annotate(
            mapping_count=Count("mappings", distinct=True),
            evidenced_count=Count("mappings", filter=~Q(mappings__note=""), distinct=True),
            message_count=Count("messages", distinct=True),
        )
        .order_by("-occurred_on", "-created_at")
    )
    return items.filter(kind=kind) if kind else items


def evidence_detail(portfolio: Portfolio, pk: int) -> Evidence:
    """One item (with its image check and any unconfirmed redaction) with its mappings (and
    their criteria), messages and "not personal" marks: four queries."""
    mappings = CriterionMapping.objects.select_related("criterion__framework", "criterion__group").order_by(
        "criterion__framework__kind",
        "criterion__framework__code",
        "criterion__group__order",
        "criterion__order",
    )
    return (
        portfolio.evidence.prefetch_related(
            Prefetch("mappings", queryset=mappings),
            Prefetch("messages", queryset=TranscriptMessage.objects.order_by("position")),
            "not_personal_marks",
        )
        .select_related(
            "portfolio",
            "image_scan",
            "pending_redaction",
            "observation__assessor",
            "discussion__assessor",
            "questioning__assessor",
        )
        .get(pk=pk)
    )


def linked_criteria(criteria: Iterable[Criterion]) -> dict[int, list[Criterion]]:
    """For each criterion (with crosswalks prefetched), the linked criteria of other frameworks."""
    linked: dict[int, list[Criterion]] = {}
    for criterion in criteria:
        others = [link.target for link in criterion.crosswalk_out.all()]
        others += [link.source for link in criterion.crosswalk_in.all()]
        linked[criterion.pk] = sorted(
            {c.pk: c for c in others}.values(), key=lambda c: (c.framework_id, c.order)
        )
    return linked


def criteria_losing_only_evidence(evidence: Evidence) -> list[Criterion]:
    """Criteria this item is the only evidence for: they become gaps if it goes. One query."""
    others = CriterionMapping.objects.filter(
        evidence__portfolio_id=evidence.portfolio_id,
        criterion_id__in=evidence.mappings.values("criterion_id"),
    ).exclude(evidence=evidence)
    return list(
        Criterion.objects.filter(mappings__evidence=evidence)
        .exclude(pk__in=others.values("criterion_id"))
        .select_related("framework")
        .order_by("framework__kind", "framework__code", "group__order", "order")
    )
