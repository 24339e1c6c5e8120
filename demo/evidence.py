"""Demo evidence for the Fernleaf Home story: about 30 items for the rich demo learner,
a few for the next two. Files are drawn in code; everything goes through the same
services and checks as a learner's own uploads. Safe to run again: an item whose
title is already in the portfolio is left alone.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from core.models import Cohort, Criterion, Portfolio
from core.selectors import criteria_for_cohort
from demo.evidence_content import file_specs, link_specs, reflection_specs, transcript_specs
from evidence import services
from evidence.files import check_upload
from evidence.models import Evidence
from evidence.services import MessageData

# --- Building -------------------------------------------------------------------------------


def _at(days_ago: int, hour: int, minute: int = 0) -> datetime:
    day = timezone.localdate() - timedelta(days=days_ago)
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


def _msgs(days_ago: int, rows: list[tuple]) -> list[MessageData]:
    """rows: (author, day offset, hour, minute, text, stage, annotation)."""
    messages = []
    for author, offset, hour, minute, text, stage, annotation in rows:
        messages.append(
            MessageData(
                author="customer" if author == "c" else "organisation",
                sent_at=_at(days_ago - offset, hour, minute),
                text=text,
                stage=stage,
                annotation=annotation,
            )
        )
    return messages


def _criteria(cohort: Cohort) -> dict[tuple[str, str], Criterion]:
    return {(c.framework.code, c.code): c for c in criteria_for_cohort(cohort)}


def _mapping(spec: dict[str, dict[str, str]], criteria: dict[tuple[str, str], Criterion]) -> dict[int, str]:
    return {
        criteria[(fw, code)].pk: note
        for fw, notes in spec.items()
        for code, note in notes.items()
        if (fw, code) in criteria
    }


def _add(portfolio: Portfolio, kind: str, spec: dict[str, Any], criteria: dict, existing: set[str]) -> None:
    if spec["title"] in existing:
        return
    actor = portfolio.learner
    values = {
        "title": spec["title"],
        "description": spec.get("description", ""),
        "occurred_on": timezone.localdate() - timedelta(days=spec.get("days_ago", 0)),
        "platform": spec.get("platform", ""),
        "source_url": spec.get("source_url", ""),
        "url": spec.get("url", ""),
        "body": spec.get("body", ""),
        "visibility": spec.get("visibility", ""),
        "scenario": spec.get("scenario", ""),
        "origin": spec.get("origin", ""),
        "account_handle": "@FernleafHome" if kind == Evidence.Kind.TRANSCRIPT else "",
        "captured_at": _at(spec.get("days_ago", 0), 17) if spec.get("platform") else None,
    }
    upload = check_upload(spec["name"], spec["content"]()) if kind == Evidence.Kind.FILE else None
    messages = _msgs(spec["days_ago"], spec["messages"]) if kind == Evidence.Kind.TRANSCRIPT else ()
    evidence = services.create_evidence(
        portfolio=portfolio, kind=kind, values=values, upload=upload, messages=messages, actor=actor
    )
    wanted = _mapping(spec.get("map", {}), criteria)
    if wanted:
        services.set_evidence_mappings(evidence=evidence, wanted=wanted, actor=actor)
    existing.add(spec["title"])


def _fill(portfolio: Portfolio, criteria: dict, specs: list[tuple[str, dict[str, Any]]]) -> None:
    existing = set(portfolio.evidence.values_list("title", flat=True))
    for kind, spec in specs:
        _add(portfolio, kind, spec, criteria, existing)


def build_demo_content(*, cohort: Cohort, portfolios: dict[str, Portfolio]) -> None:
    criteria = _criteria(cohort)
    rich = portfolios.get("learner")
    if rich is not None:
        specs = [(Evidence.Kind.FILE, s) for s in file_specs()]
        specs += [(Evidence.Kind.REFLECTION, s) for s in reflection_specs()]
        specs += [(Evidence.Kind.LINK, s) for s in link_specs()]
        specs += [(Evidence.Kind.TRANSCRIPT, s) for s in transcript_specs()]
        _fill(rich, criteria, specs)
    lighter = portfolios.get("learner2")
    if lighter is not None:
        _fill(
            lighter,
            criteria,
            [
                (Evidence.Kind.FILE, file_specs()[0]),
                (Evidence.Kind.REFLECTION, reflection_specs()[1]),
                (Evidence.Kind.TRANSCRIPT, transcript_specs()[1]),
                (Evidence.Kind.LINK, link_specs()[0]),
            ],
        )
    starting = portfolios.get("learner3")
    if starting is not None:
        first = {**reflection_specs()[0], "map": {"CFACSD22": {"P7": "", "K9": ""}}}  # claimed, no notes yet
        _fill(starting, criteria, [(Evidence.Kind.REFLECTION, first)])
