"""Observation records: what the assessor saw and heard the learner do at work."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from core.models import Portfolio, User
from evidence.files import CleanFile
from evidence.models import (
    Evidence,
    Observation,
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
class ObservationData:
    title: str
    occurred_on: date | None
    place: str
    duration_minutes: int | None
    activity: str
    questions: str
    notes: Mapping[int, str]  # criterion id → what was seen and heard against it
    # Photos or files to attach, already through ``evidence.files.check_upload``.
    uploads: Sequence[CleanFile] = ()


def _fill_observation(evidence: Evidence, observation: Observation, data: ObservationData) -> None:
    evidence.title = data.title.strip()
    evidence.occurred_on = data.occurred_on  # type: ignore[assignment]
    observation.place = data.place.strip()
    observation.duration_minutes = data.duration_minutes  # type: ignore[assignment]
    observation.activity = data.activity.strip()
    observation.questions = data.questions.strip()
    _validate(evidence, observation)


def create_observation(*, portfolio: Portfolio, data: ObservationData, actor: User) -> Evidence:
    """The assigned assessor's observation record, mapped to the criteria it has notes for,
    with its photos or files. Nothing is stored unless every rule holds."""
    _require_assessor(portfolio, actor, "record an observation")
    notes = _check_notes(data.notes, portfolio)
    observation = Observation(assessor=actor)
    evidence = _create(
        portfolio=portfolio,
        kind=Evidence.Kind.OBSERVATION,
        record=observation,
        fill=lambda evidence: _fill_observation(evidence, observation, data),
        notes=notes,
        uploads=data.uploads,
    )
    log.info("observation %s recorded on portfolio %s by %s", evidence.pk, portfolio.pk, actor.username)
    return evidence


def update_observation(*, evidence: Evidence, data: ObservationData, actor: User) -> Evidence:
    """Change the record, and attach more photos or files; if its content differs from what
    the learner confirmed, the confirmation no longer holds and the learner is asked again."""
    _require_assessor(evidence.portfolio, actor, "change an observation record")
    notes = _check_notes(data.notes, evidence.portfolio)
    _update(
        evidence=evidence,
        fill=lambda record: _fill_observation(evidence, record, data),  # type: ignore[arg-type]
        notes=notes,
        uploads=data.uploads,
    )
    log.info("observation %s changed by %s", evidence.pk, actor.username)
    return evidence
