"""The evidence part of a submitted version: every item, its messages, file and mappings."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from evidence.models import CriterionMapping, Evidence, TranscriptMessage
from portfolio.models import Portfolio
from portfolio.versions import register_snapshot

ITEM_FIELDS = (
    "id",
    "kind",
    "title",
    "description",
    "occurred_on",
    "section_key",
    "section_complete",
    "body",
    "url",
    "platform",
    "source_url",
    "captured_at",
    "visibility",
    "scenario",
    "origin",
    "account_handle",
)


def evidence_snapshot(portfolio: Portfolio) -> dict[str, Any]:
    """Three queries: the items, their messages, their mappings with criteria."""
    items = (
        Evidence.objects.filter(portfolio=portfolio)
        .order_by("kind", "section_key", "pk")
        .prefetch_related(
            Prefetch("messages", queryset=TranscriptMessage.objects.order_by("position")),
            Prefetch(
                "mappings",
                queryset=CriterionMapping.objects.select_related("criterion__framework").order_by(
                    "criterion__framework__code", "criterion__order", "criterion_id"
                ),
            ),
        )
    )
    result = []
    for item in items:
        row: dict[str, Any] = {name: getattr(item, name) for name in ITEM_FIELDS}
        row["kind_label"] = item.get_kind_display()
        row["file"] = (
            {
                "name": item.file.name,
                "original_name": item.original_name,
                "content_type": item.content_type,
                "size": item.file_size,
                "sha256": item.sha256,
                "removed_on_upload": item.removed_on_upload,
            }
            if item.file
            else None
        )
        row["messages"] = [
            {
                "position": m.position,
                "author": m.author,
                "sent_at": m.sent_at,
                "text": m.text,
                "stage": m.stage,
                "annotation": m.annotation,
            }
            for m in item.messages.all()
        ]
        row["mappings"] = [
            {
                "criterion_id": m.criterion_id,
                "framework": m.criterion.framework.code,
                "code": m.criterion.code,
                "note": m.note,
                "is_default": m.is_default,
            }
            for m in item.mappings.all()
        ]
        result.append(row)
    return {"items": result}


register_snapshot("evidence", evidence_snapshot)
