"""The evidence part of a submitted version: every item, its messages, file and mappings."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from core.models import Portfolio
from core.versions import register_snapshot
from evidence.models import (
    AssessorRecord,
    CriterionMapping,
    Evidence,
    ImageScan,
    Question,
    Questioning,
    RecordAttachment,
    TranscriptMessage,
    WitnessRequest,
)
from evidence.privacy import item_privacy, kind_labels
from evidence.records import NOTE_LABELS, STATUS_LABELS

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
    """Six queries: the items with their image checks and records, their messages, their
    mappings with criteria, the learner's "not personal" marks, the records' attachments and
    the questions of questioning records."""
    items = (
        Evidence.objects.filter(portfolio=portfolio)
        .order_by("kind", "section_key", "pk")
        .select_related(
            "image_scan",
            "witness_request__requested_by",
            "witness_request__checked_by",
            "observation__assessor",
            "discussion__assessor",
            "questioning__assessor",
        )
        .prefetch_related(
            "not_personal_marks",
            "attachments",
            Prefetch("messages", queryset=TranscriptMessage.objects.order_by("position")),
            Prefetch(
                "questioning__questions",
                queryset=Question.objects.select_related("criterion__framework").order_by("position"),
            ),
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
        if item.kind == Evidence.Kind.WITNESS:
            row["witness"] = _witness(item)
        record = item.record
        if record is not None:
            row["record"] = _record(item, record, list(item.attachments.all()))
        if item.kind != Evidence.Kind.SECTION:
            row["privacy"] = _privacy(item)
        result.append(row)
    return {"items": result}


def _witness(item: Evidence) -> dict[str, Any] | None:
    """Who signed the testimony, when, from which request, its digest and the assessor's check."""
    try:
        request = item.witness_request
    except WitnessRequest.DoesNotExist:
        return None
    return {
        "request_id": request.pk,
        "requested_by": request.requested_by.display_name,
        "requested_at": request.created_at,
        "name": request.signed_name,
        "job_title": request.signed_job_title,
        "organisation": request.signed_organisation,
        "relationship": request.signed_relationship,
        "seen_from": request.seen_from,
        "seen_to": request.seen_to,
        "signature": request.signature,
        "signed_at": request.signed_at,
        "digest": request.digest,
        "check": {
            "method": request.get_check_method_display(),
            "checked_on": request.checked_on,
            "by": request.checked_by.display_name if request.checked_by else "",
            "note": request.check_note,
        }
        if request.checked_by_id
        else None,
    }


def _record(item: Evidence, record: AssessorRecord, attachments: list[RecordAttachment]) -> dict[str, Any]:
    """An assessor's record as the version keeps it: its fields, the digest of its content and
    the learner's confirmation, which holds only if it signed that same digest."""
    fields: dict[str, Any] = record.content_fields()
    if isinstance(record, Questioning):
        fields |= {
            "answered_at": record.answered_at,
            "question_list": [
                {
                    "position": q.position,
                    "text": q.text,
                    "criterion_id": q.criterion_id,
                    "framework": q.criterion.framework.code,
                    "code": q.criterion.code,
                    "answer": q.answer,
                }
                for q in record.questions.all()
            ],
        }
    return fields | {
        "kind": item.kind,
        "note_label": NOTE_LABELS[Evidence.Kind(item.kind)],
        "assessor": record.assessor.display_name,
        "content_digest": record.content_digest,
        "status": record.status,
        "status_label": STATUS_LABELS[record.status],
        "response": record.response,
        "confirmed_at": record.confirmed_at,
        "confirmed_digest": record.confirmed_digest,
        "learner_comment": record.learner_comment,
        "attachments": [
            {
                "id": a.pk,
                "name": a.file.name,
                "original_name": a.original_name,
                "content_type": a.content_type,
                "size": a.size,
                "sha256": a.sha256,
                "removed_on_upload": a.removed_on_upload,
            }
            for a in attachments
        ],
    }


def _privacy(item: Evidence) -> dict[str, Any]:
    """What the assessor and the PDF are told: findings the learner has not resolved, how
    many were marked not personal, and what a redaction removed."""
    try:
        scan = item.image_scan
    except ImageScan.DoesNotExist:
        scan = None
    review = item_privacy(
        item, messages=list(item.messages.all()), marks=list(item.not_personal_marks.all()), scan=scan
    )
    summary = review.summary()
    summary["image_checked"] = not item.is_image or not review.image_unchecked
    summary["redacted_kinds"] = kind_labels(item.redacted_kinds)
    summary["redacted_at"] = item.redacted_at
    return summary


register_snapshot("evidence", evidence_snapshot)
