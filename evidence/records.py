"""Records the assessor makes: an observation of the learner at work, mapped to criteria
with a note per criterion on what was seen and heard.

Only the portfolio's assigned assessor writes one (the views find the portfolio through
``core.access.get_portfolio_for_assessor``); the learner reads it and confirms it: accepts
it, or comments on it. The confirmation keeps the SHA-256 digest of the record's content as
the learner read it, as a sign-off keeps the version's digest, so a record changed since no
longer matches its confirmation and waits for the learner again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.models import Portfolio, User
from core.selectors import criteria_for
from core.services import notify
from core.versions import digest_of
from evidence.files import CleanFile
from evidence.models import CriterionMapping, Evidence, Observation, RecordAttachment
from evidence.services import NOTE_MAX_LENGTH, EvidenceError

log = logging.getLogger(__name__)

COMMENT_MAX_LENGTH = 2000


STATUS_LABELS = {
    "awaiting": "Awaiting the learner’s confirmation",
    "changed": "Changed since the learner confirmed it: awaiting confirmation again",
    "confirmed": "Confirmed by the learner",
    "commented": "Read by the learner, with a comment",
}


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


MAX_ATTACHMENTS = 10


def record_content(
    *,
    evidence: Evidence,
    observation: Observation,
    mappings: list[CriterionMapping],
    attachments: list[RecordAttachment],
) -> dict[str, Any]:
    """What the learner confirms: every field of the record and every criterion's note."""
    return {
        "kind": evidence.kind,
        "title": evidence.title,
        "occurred_on": evidence.occurred_on.isoformat(),
        "assessor_id": observation.assessor_id,
        "place": observation.place,
        "duration_minutes": observation.duration_minutes,
        "activity": observation.activity,
        "questions": observation.questions,
        "criteria": sorted([m.criterion_id, m.note] for m in mappings),
        "attachments": sorted([a.sha256, a.original_name] for a in attachments),
    }


def record_digest(evidence: Evidence) -> str:
    """The SHA-256 of the record's content as stored now (reads its mappings)."""
    return digest_of(
        record_content(
            evidence=evidence,
            observation=evidence.observation,
            mappings=list(CriterionMapping.objects.filter(evidence=evidence)),
            attachments=list(RecordAttachment.objects.filter(evidence=evidence)),
        )
    )


def _check(data: ObservationData, portfolio: Portfolio) -> dict[int, str]:
    """The notes by criterion, checked; raises ``EvidenceError`` before anything is written."""
    if not data.notes:
        raise EvidenceError(
            "Choose at least one criterion and say what you saw and heard against it: "
            "a record mapped to no criterion proves nothing."
        )
    notes = {pk: (note or "").strip() for pk, note in data.notes.items()}
    missing = [pk for pk, note in notes.items() if not note]
    if missing:
        raise EvidenceError("Write what you saw and heard against each criterion you chose.")
    if any(len(note) > NOTE_MAX_LENGTH for note in notes.values()):
        raise EvidenceError(f"Keep each criterion's note under {NOTE_MAX_LENGTH} characters.")
    known = set(criteria_for(portfolio).filter(pk__in=list(notes)).values_list("pk", flat=True))
    if known != set(notes):
        raise EvidenceError("One of the criteria chosen is not part of this cohort's frameworks.")
    return notes


def _attach(evidence: Evidence, uploads: Sequence[CleanFile], stored: list[RecordAttachment]) -> None:
    """Store the checked files, each under a random name from ``evidence_upload_to``;
    ``stored`` collects them so the caller can delete them if the transaction fails."""
    if evidence.attachments.count() + len(uploads) > MAX_ATTACHMENTS:
        raise EvidenceError(f"A record holds at most {MAX_ATTACHMENTS} photos or files.")
    for upload in uploads:
        attachment = RecordAttachment(
            evidence=evidence,
            original_name=upload.name,
            content_type=upload.file_type.content_type,
            size=upload.size,
            sha256=upload.sha256,
            removed_on_upload=upload.removal_note,
        )
        attachment.file.save(upload.name, ContentFile(upload.content), save=False)
        stored.append(attachment)
        attachment.save()


def _without_partial_files[T](write: Callable[[list[RecordAttachment]], T]) -> T:
    """Run a write that may store files: if it fails, its rows roll back and the files
    it stored are deleted, so nothing partial is left."""
    stored: list[RecordAttachment] = []
    try:
        with transaction.atomic():
            return write(stored)
    except Exception:
        for attachment in stored:
            if attachment.file.name:
                attachment.file.storage.delete(attachment.file.name)
        raise


def _fill(evidence: Evidence, observation: Observation, data: ObservationData) -> None:
    evidence.title = data.title.strip()
    evidence.occurred_on = data.occurred_on  # type: ignore[assignment]
    observation.place = data.place.strip()
    observation.duration_minutes = data.duration_minutes  # type: ignore[assignment]
    observation.activity = data.activity.strip()
    observation.questions = data.questions.strip()
    try:
        evidence.full_clean(exclude=["file"])
        observation.full_clean(exclude=["evidence", "assessor", "content_digest"])
    except ValidationError as error:
        raise EvidenceError(" ".join(error.messages)) from None


def _notify_learner(evidence: Evidence, *, changed: bool) -> None:
    portfolio = evidence.portfolio
    what = "changed" if changed else "written"
    notify(
        recipients=[portfolio.learner],
        portfolio=portfolio,
        subject=f"Your assessor has {what} an observation record: please confirm it",
        body=(
            f"“{evidence.title}” ({evidence.occurred_on:%d %B %Y}) is waiting for you to read it "
            "and accept it, or to comment on it."
        ),
        url=evidence.get_absolute_url(),
    )


def create_observation(*, portfolio: Portfolio, data: ObservationData, actor: User) -> Evidence:
    """The assigned assessor's observation record, mapped to the criteria it has notes for,
    with its photos or files. Nothing is stored unless every rule holds."""
    if portfolio.assessor_id != actor.pk:
        raise EvidenceError("Only the portfolio's assessor can record an observation.")
    notes = _check(data, portfolio)
    evidence = Evidence(portfolio=portfolio, kind=Evidence.Kind.OBSERVATION)
    observation = Observation(assessor=actor)
    _fill(evidence, observation, data)

    def write(stored: list[RecordAttachment]) -> Evidence:
        evidence.save()
        observation.evidence = evidence
        observation.save()
        CriterionMapping.objects.bulk_create(
            CriterionMapping(evidence=evidence, criterion_id=pk, note=note) for pk, note in notes.items()
        )
        _attach(evidence, data.uploads, stored)
        observation.content_digest = record_digest(evidence)
        observation.save(update_fields=["content_digest"])
        _notify_learner(evidence, changed=False)
        return evidence

    _without_partial_files(write)
    log.info("observation %s recorded on portfolio %s by %s", evidence.pk, portfolio.pk, actor.username)
    return evidence


def update_observation(*, evidence: Evidence, data: ObservationData, actor: User) -> Evidence:
    """Change the record, and attach more photos or files; if its content differs from what
    the learner confirmed, the confirmation no longer holds and the learner is asked again."""
    portfolio = evidence.portfolio
    if portfolio.assessor_id != actor.pk:
        raise EvidenceError("Only the portfolio's assessor can change an observation record.")
    notes = _check(data, portfolio)

    def write(stored: list[RecordAttachment]) -> Evidence:
        observation = Observation.objects.select_for_update().get(evidence=evidence)
        evidence.observation = observation
        before = observation.content_digest
        _fill(evidence, observation, data)
        evidence.save()
        observation.save()
        evidence.mappings.exclude(criterion_id__in=list(notes)).delete()
        existing = {m.criterion_id: m for m in evidence.mappings.all()}
        for pk, note in notes.items():
            if pk not in existing:
                CriterionMapping.objects.create(evidence=evidence, criterion_id=pk, note=note)
            elif existing[pk].note != note:
                existing[pk].note = note
                existing[pk].save(update_fields=["note", "updated_at"])
        _attach(evidence, data.uploads, stored)
        observation.content_digest = record_digest(evidence)
        observation.save(update_fields=["content_digest"])
        if observation.content_digest != before:
            _notify_learner(evidence, changed=True)
        return evidence

    _without_partial_files(write)
    log.info("observation %s changed by %s", evidence.pk, actor.username)
    return evidence


@transaction.atomic
def confirm_record(
    *, evidence: Evidence, accept: bool, comment: str, read_digest: str, actor: User
) -> Observation:
    """The learner read the record: they accept it, or comment on it (a comment is then
    required). Either way the confirmation is signed with the digest of what they read:
    ``read_digest``, the digest of the page they read, which must still be the record's."""
    if evidence.portfolio.learner_id != actor.pk:
        raise EvidenceError("Only the learner confirms a record about their own work.")
    comment = (comment or "").strip()
    if not accept and not comment:
        raise EvidenceError("Say what you disagree with or want to add in your comment.")
    if len(comment) > COMMENT_MAX_LENGTH:
        raise EvidenceError(f"Keep the comment under {COMMENT_MAX_LENGTH} characters.")
    observation = Observation.objects.select_for_update().get(evidence=evidence)
    digest = observation.content_digest
    if read_digest != digest:
        raise EvidenceError("The record changed while you were reading it: read it again, then confirm.")
    observation.confirmed_digest = digest
    observation.confirmed_at = timezone.now()
    observation.response = Observation.Response.ACCEPTED if accept else Observation.Response.COMMENTED
    observation.learner_comment = comment
    observation.save(update_fields=["confirmed_digest", "confirmed_at", "response", "learner_comment"])
    # The learner's own act, unlike the assessor's writing: it counts as their activity.
    Portfolio.objects.filter(pk=evidence.portfolio_id).update(last_activity_at=timezone.now())
    assessor = evidence.portfolio.assessor
    notify(
        recipients=[assessor],
        portfolio=evidence.portfolio,
        subject=f"{actor.display_name} {'accepted' if accept else 'commented on'} your observation record",
        body=f"“{evidence.title}”" + (f": {comment}" if comment else "."),
        url=reverse("evidence:detail", kwargs={"portfolio_pk": evidence.portfolio_id, "pk": evidence.pk}),
    )
    log.info(
        "record %s %s by %s (digest %s)",
        evidence.pk,
        observation.response,
        actor.username,
        observation.confirmed_digest,
    )
    return observation
