"""Frozen versions of a portfolio: the snapshot registry, canonical JSON and digest,
and the comparison of two snapshots.

Each app contributes its part of a snapshot with ``register_snapshot(app_label, fn)``
(from ``<app>/snapshot.py``, imported in its ``AppConfig.ready``); ``fn(portfolio)``
returns plain JSON-ready data. ``build_snapshot`` collects every part, so an app added
later joins submissions without a change here. An app that must keep something alive
for a version (a stored file its part names) registers ``register_on_submit(app_label,
fn)``; ``fn(version)`` runs in the submission's transaction, once the version exists.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from core.models import Portfolio, PortfolioVersion
from core.sections import SECTION_KIND

SnapshotFn = Callable[[Portfolio], Any]
OnSubmitFn = Callable[[PortfolioVersion], None]
_SNAPSHOTS: dict[str, SnapshotFn] = {}
_ON_SUBMIT: dict[str, OnSubmitFn] = {}


def register_snapshot(app_label: str, fn: SnapshotFn) -> SnapshotFn:
    _SNAPSHOTS[app_label] = fn
    return fn


def registered_snapshots() -> dict[str, SnapshotFn]:
    return dict(sorted(_SNAPSHOTS.items()))


def register_on_submit(app_label: str, fn: OnSubmitFn) -> OnSubmitFn:
    _ON_SUBMIT[app_label] = fn
    return fn


def run_on_submit(version: PortfolioVersion) -> None:
    """Every app's follow-up to a new version, in app order (see the module docstring)."""
    for _label, fn in sorted(_ON_SUBMIT.items()):
        fn(version)


def canonical_json(data: Any) -> str:
    """One spelling for the same data: sorted keys, no spaces, dates as ISO text."""
    return json.dumps(data, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest_of(data: Any) -> str:
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()


def build_snapshot(portfolio: Portfolio) -> dict[str, Any]:
    """Everything the learner has saved, as plain data (round-tripped through canonical JSON
    so that what is stored is exactly what was hashed)."""
    data = {
        "portfolio": {
            "id": portfolio.pk,
            "learner": portfolio.learner.display_name,
            "cohort": portfolio.cohort.name,
        },
        "parts": {label: fn(portfolio) for label, fn in registered_snapshots().items()},
    }
    return json.loads(canonical_json(data))


# --- A generic part: every row of an app's models that belong to the portfolio ---------------


def _portfolio_models(app_label: str) -> list[type[models.Model]]:
    found = []
    for model in apps.get_app_config(app_label).get_models():
        field_names = {f.name for f in model._meta.concrete_fields}
        if "portfolio" in field_names:
            found.append(model)
    return found


def _row(obj: models.Model) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if f.name in {"portfolio"} or isinstance(f, models.FileField):
            continue
        value = f.value_from_object(obj)
        if f.choices and value not in (None, ""):
            value = {"value": value, "label": str(dict(f.flatchoices).get(value, value))}
        row[f.attname if f.is_relation else f.name] = value
    return row


def portfolio_rows(app_label: str, portfolio: Portfolio) -> dict[str, Any]:
    """{model label: {"title": verbose name, "rows": [field: value…]}} for one app."""
    part: dict[str, Any] = {}
    for model in _portfolio_models(app_label):
        rows = [_row(obj) for obj in model.objects.filter(portfolio=portfolio).order_by("pk")]
        if rows:
            part[model._meta.model_name] = {
                "title": str(model._meta.verbose_name).capitalize(),
                "labels": {
                    (f.attname if f.is_relation else f.name): str(f.verbose_name).capitalize()
                    for f in model._meta.concrete_fields
                },
                "rows": rows,
            }
    return part


# --- What changed between two versions -----------------------------------------------------


@dataclass
class Changes:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.added or self.changed or self.removed)


@dataclass
class VersionDiff:
    sections: Changes
    evidence: Changes
    content: Changes  # rows of the guided steps (audit, strategy…)

    @property
    def any(self) -> bool:
        return self.sections.any or self.evidence.any or self.content.any


def _items(snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    return snapshot.get("parts", {}).get("evidence", {}).get("items", [])


def _compare(before: dict[Any, Any], after: dict[Any, Any], title: Callable[[Any], str]) -> Changes:
    changes = Changes()
    for key, item in after.items():
        if key not in before:
            changes.added.append(title(item))
        elif canonical_json(before[key]) != canonical_json(item):
            changes.changed.append(title(item))
    changes.removed = [title(item) for key, item in before.items() if key not in after]
    return changes


def diff_snapshots(before: dict[str, Any], after: dict[str, Any]) -> VersionDiff:
    """Sections, evidence items and step content added, changed and removed (pure)."""

    def split(snapshot: dict[str, Any]) -> tuple[dict, dict]:
        sections, others = {}, {}
        for item in _items(snapshot):
            if item.get("kind") == SECTION_KIND:
                sections[item["section_key"]] = item
            else:
                others[item["id"]] = item
        return sections, others

    def content(snapshot: dict[str, Any]) -> dict[tuple[str, str, Any], dict]:
        rows = {}
        for label, part in snapshot.get("parts", {}).items():
            if label == "evidence" or not isinstance(part, dict):
                continue
            for model_name, block in part.items():
                for row in block.get("rows", []):
                    rows[(label, model_name, row.get("id"))] = {
                        **row,
                        "_title": block.get("title", model_name),
                    }
        return rows

    sections_before, evidence_before = split(before)
    sections_after, evidence_after = split(after)
    item_title = lambda item: item.get("title", "")  # noqa: E731

    def row_title(row: dict) -> str:
        name = next(
            (str(row[k]) for k in ("name", "title", "platform", "activity", "objective") if row.get(k)), ""
        )
        if isinstance(row.get("platform"), dict):
            name = row["platform"]["label"]
        return f"{row['_title']}: {name}" if name else row["_title"]

    return VersionDiff(
        sections=_compare(sections_before, sections_after, item_title),
        evidence=_compare(evidence_before, evidence_after, item_title),
        content=_compare(content(before), content(after), row_title),
    )
