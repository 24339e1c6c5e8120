"""Professional discussion records, with an optional audio or video recording."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from core.models import Portfolio, User
from evidence.files import CheckedMedia, CleanFile
from evidence.models import (
    Evidence,
    ProfessionalDiscussion,
)
from evidence.records.base import (
    _check_notes,
    _create,
    _require_assessor,
    _update,
    _validate,
)

# One logger for the package, named as the module was (log lines and their tests keep it).
log = logging.getLogger("evidence.records")


@dataclass(frozen=True)
class DiscussionData:
    title: str
    occurred_on: date | None
    participants: str
    duration_minutes: int | None
    topics: str
    summary: str
    notes: Mapping[int, str]  # criterion id → what was said about it
    uploads: Sequence[CleanFile] = ()
    # An audio or video recording, already through ``evidence.files.check_media``.
    recording: CheckedMedia | None = None


def _fill_discussion(evidence: Evidence, discussion: ProfessionalDiscussion, data: DiscussionData) -> None:
    evidence.title = data.title.strip()
    evidence.occurred_on = data.occurred_on  # type: ignore[assignment]
    discussion.participants = data.participants.strip()
    discussion.duration_minutes = data.duration_minutes  # type: ignore[assignment]
    discussion.topics = data.topics.strip()
    discussion.summary = data.summary.strip()
    _validate(evidence, discussion)


def create_discussion(*, portfolio: Portfolio, data: DiscussionData, actor: User) -> Evidence:
    """The assigned assessor's record of a professional discussion, mapped to the criteria
    it has notes for, with its files and optional recording; all or nothing."""
    _require_assessor(portfolio, actor, "record a professional discussion")
    notes = _check_notes(data.notes, portfolio)
    discussion = ProfessionalDiscussion(assessor=actor)
    evidence = _create(
        portfolio=portfolio,
        kind=Evidence.Kind.DISCUSSION,
        record=discussion,
        fill=lambda evidence: _fill_discussion(evidence, discussion, data),
        notes=notes,
        uploads=data.uploads,
        recording=data.recording,
    )
    log.info("discussion %s recorded on portfolio %s by %s", evidence.pk, portfolio.pk, actor.username)
    return evidence


def update_discussion(*, evidence: Evidence, data: DiscussionData, actor: User) -> Evidence:
    """Change the discussion record; a changed content asks the learner to confirm again."""
    _require_assessor(evidence.portfolio, actor, "change a professional discussion record")
    notes = _check_notes(data.notes, evidence.portfolio)
    _update(
        evidence=evidence,
        fill=lambda record: _fill_discussion(evidence, record, data),  # type: ignore[arg-type]
        notes=notes,
        uploads=data.uploads,
        recording=data.recording,
    )
    log.info("discussion %s changed by %s", evidence.pk, actor.username)
    return evidence
