"""Customers' personal data in saved evidence: what is still unresolved in an item, the
learner's "not personal" marks, the image check in the worker, and image redaction.

Reads (``item_privacy``) are pure over rows already loaded, so the evidence page, the
readiness check and the snapshot for the assessor and the PDF count the same way. Writes
take the acting user, run in one transaction and raise ``PrivacyError`` for the learner.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from core import outbox
from core.models import User, VersionFile
from evidence.image_scan import ImageScanError, check_regions, redact_image, scan_image
from evidence.models import Evidence, ImageScan, NotPersonalMark, PendingRedaction, TranscriptMessage
from evidence.pdf_images import release_rendition
from evidence.personal_data import KINDS, find_personal_data, normalised

log = logging.getLogger(__name__)

REDACTION_STYLES = {"box": "Black box", "blur": "Blur"}
IMAGE_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/webp": "WEBP", "image/gif": "PNG"}


class PrivacyError(Exception):
    """A rule of the personal-data review was broken; the message is for the learner."""


def kind_labels(kinds: Iterable[str]) -> list[str]:
    return [KINDS.get(kind, (kind,))[0] for kind in kinds]


def finding_digest(evidence_id: int, kind: str, text: str) -> str:
    """What a "not personal" mark keeps: a digest of the value, salted by the item."""
    return hashlib.sha256(f"{evidence_id}|{normalised(kind, text)}".encode()).hexdigest()


@dataclass(frozen=True)
class ItemFinding:
    id: str  # "t-<field>-<start>" for text, the scan's own id for an image
    kind: str
    text: str
    where: str
    digest: str
    boxes: tuple[tuple[int, int, int, int], ...] = ()
    not_personal: bool = False
    redacted: bool = False

    @property
    def label(self) -> str:
        return KINDS.get(self.kind, (self.kind,))[0]

    @property
    def resolved(self) -> bool:
        return self.not_personal or self.redacted

    @property
    def in_image(self) -> bool:
        return bool(self.boxes)


@dataclass
class ItemPrivacy:
    findings: list[ItemFinding] = field(default_factory=list)
    scan: ImageScan | None = None
    not_personal_count: int = 0  # marks the learner made on this item

    @property
    def unresolved(self) -> list[ItemFinding]:
        return [f for f in self.findings if not f.resolved]

    @property
    def unresolved_kinds(self) -> list[str]:
        return sorted({f.label for f in self.unresolved})

    @property
    def image_unchecked(self) -> bool:
        """An image whose check has not finished (or failed): nothing is known yet."""
        return self.scan is None or self.scan.status != ImageScan.Status.DONE

    def summary(self) -> dict[str, Any]:
        """What the snapshot keeps for the assessor and the PDF."""
        return {
            "unresolved": len(self.unresolved),
            "unresolved_kinds": self.unresolved_kinds,
            "not_personal": self.not_personal_count,
        }


def _texts(evidence: Evidence, messages: Sequence[TranscriptMessage]) -> list[tuple[str, str, str]]:
    texts = [("description", "Description", evidence.description), ("body", "Reflection", evidence.body)]
    for message in messages:
        texts.append((f"m{message.position}", f"Message {message.position}", message.text))
        texts.append(
            (f"a{message.position}", f"Annotation of message {message.position}", message.annotation)
        )
    return texts


def item_privacy(
    evidence: Evidence,
    *,
    messages: Sequence[TranscriptMessage] = (),
    marks: Iterable[NotPersonalMark] = (),
    scan: ImageScan | None = None,
) -> ItemPrivacy:
    """Every finding in the item's text (and its image's check), each resolved or not."""
    marked = {(m.kind, m.digest) for m in marks}
    handles = [evidence.account_handle]
    findings = []
    for key, where, text in _texts(evidence, messages):
        for found in find_personal_data(text or "", allowed_handles=handles):
            digest = finding_digest(evidence.pk, found.kind, found.text)
            findings.append(
                ItemFinding(
                    id=f"t-{key}-{found.start}",
                    kind=found.kind,
                    text=found.text,
                    where=where,
                    digest=digest,
                    not_personal=(found.kind, digest) in marked,
                )
            )
    current_scan = scan if scan is not None and scan.sha256 == evidence.sha256 else None
    if current_scan is not None and current_scan.status == ImageScan.Status.DONE:
        for item in current_scan.findings:
            findings.append(
                ItemFinding(
                    id=item["id"],
                    kind=item["kind"],
                    text=item.get("text", ""),
                    where="Image",
                    digest=item["digest"],
                    boxes=tuple(tuple(b) for b in item["boxes"]),
                    not_personal=(item["kind"], item["digest"]) in marked,
                    redacted=bool(item.get("redacted")),
                )
            )
    return ItemPrivacy(findings=findings, scan=current_scan, not_personal_count=len(marked))


def privacy_of(evidence: Evidence, *, preloaded: bool = False) -> ItemPrivacy:
    """``item_privacy`` for one item. ``preloaded``: the item comes from
    ``selectors.evidence_detail`` with everything loaded; otherwise the check and the marks
    are read afresh (a cached check may be older than the worker's last write)."""
    if preloaded:
        try:
            scan = evidence.image_scan
        except ImageScan.DoesNotExist:
            scan = None
        marks = list(evidence.not_personal_marks.all())
    else:
        scan = ImageScan.objects.filter(evidence=evidence).first()
        marks = list(NotPersonalMark.objects.filter(evidence=evidence))
    return item_privacy(evidence, messages=list(evidence.messages.all()), marks=marks, scan=scan)


# --- Marks --------------------------------------------------------------------------------


def _find(evidence: Evidence, finding_id: str) -> ItemFinding:
    for finding in privacy_of(evidence).findings:
        if finding.id == finding_id:
            return finding
    raise PrivacyError("That finding is no longer there: the item may have changed. Check the list again.")


@transaction.atomic
def mark_not_personal(*, evidence: Evidence, finding_id: str, actor: User) -> ItemFinding:
    """Remember that a finding is not a customer's personal data, for this item."""
    finding = _find(evidence, finding_id)
    NotPersonalMark.objects.get_or_create(evidence=evidence, kind=finding.kind, digest=finding.digest)
    log.info("a %s on evidence %s marked not personal by %s", finding.kind, evidence.pk, actor.username)
    return finding


@transaction.atomic
def record_not_personal(*, evidence: Evidence, findings: Iterable[tuple[str, str]], actor: User) -> None:
    """Remember (kind, text) pairs the learner confirmed are not personal while saving."""
    for kind, text in findings:
        NotPersonalMark.objects.get_or_create(
            evidence=evidence, kind=kind, digest=finding_digest(evidence.pk, kind, text)
        )
    log.info("findings on evidence %s saved as not personal by %s", evidence.pk, actor.username)


@transaction.atomic
def mark_all_not_personal(*, evidence: Evidence, actor: User) -> int:
    """Every unresolved finding marked not personal (allowed; the assessor sees the count)."""
    unresolved = privacy_of(evidence).unresolved
    for finding in unresolved:
        NotPersonalMark.objects.get_or_create(evidence=evidence, kind=finding.kind, digest=finding.digest)
    log.info(
        "%s findings on evidence %s marked not personal by %s", len(unresolved), evidence.pk, actor.username
    )
    return len(unresolved)


@transaction.atomic
def unmark_not_personal(*, evidence: Evidence, finding_id: str, actor: User) -> None:
    finding = _find(evidence, finding_id)
    evidence.not_personal_marks.filter(kind=finding.kind, digest=finding.digest).delete()
    log.info("a %s on evidence %s marked personal again by %s", finding.kind, evidence.pk, actor.username)


# --- The image check ------------------------------------------------------------------------


def start_image_scan(*, evidence: Evidence, actor: User) -> ImageScan:
    """Queue the check of an image item in the worker (after the transaction commits)."""
    if evidence.kind != Evidence.Kind.FILE or not evidence.is_image or not evidence.file:
        raise PrivacyError("Only images are checked for personal data this way.")
    with transaction.atomic():
        scan, _ = ImageScan.objects.update_or_create(
            evidence=evidence,
            defaults={
                "sha256": evidence.sha256,
                "status": ImageScan.Status.QUEUED,
                "progress": 0,
                "stage": "Waiting for the worker",
                "message": "",
                "findings": [],
                "words": 0,
                "finished_at": None,
            },
        )
        # Through the outbox, by name (the task module imports this one).
        outbox.enqueue("evidence.tasks.scan_evidence_image", args=[scan.pk])
    log.info("image check of evidence %s queued by %s", evidence.pk, actor.username)
    return scan


def _progress(scan_id: int) -> Callable[[int, str], None]:
    def report(percent: int, stage: str) -> None:
        ImageScan.objects.filter(pk=scan_id).update(progress=max(0, min(99, percent)), stage=stage[:120])

    return report


def run_image_scan(*, scan_id: int) -> ImageScan | None:
    """The worker's part: read the image, find personal data and faces, store the boxes."""
    scan = ImageScan.objects.select_related("evidence").filter(pk=scan_id).first()
    if scan is None or scan.status not in {ImageScan.Status.QUEUED, ImageScan.Status.RUNNING}:
        return None
    evidence = scan.evidence
    if scan.sha256 != evidence.sha256:
        return None  # the image changed since: a newer check is queued
    ImageScan.objects.filter(pk=scan.pk).update(status=ImageScan.Status.RUNNING, progress=1)
    try:
        with evidence.file.open("rb") as handle:
            content = handle.read()
        result = scan_image(content, allowed_handles=[evidence.account_handle], progress=_progress(scan.pk))
    except (ImageScanError, OSError) as error:
        message = str(error) if isinstance(error, ImageScanError) else "The stored image could not be read."
        ImageScan.objects.filter(pk=scan.pk).update(
            status=ImageScan.Status.FAILED,
            progress=100,
            stage="",
            message=message,
            finished_at=timezone.now(),
        )
        scan.refresh_from_db()
        return scan
    findings = [
        {
            "id": f"i{number}",
            "kind": found.kind,
            "text": found.text,
            "digest": finding_digest(evidence.pk, found.kind, found.text or f"{found.boxes[0]}"),
            "boxes": [list(box) for box in found.boxes],
            "redacted": False,
        }
        for number, found in enumerate(result.findings, start=1)
    ]
    ImageScan.objects.filter(pk=scan.pk, sha256=evidence.sha256).update(
        status=ImageScan.Status.DONE,
        progress=100,
        stage="",
        message=result.note,
        width=result.width,
        height=result.height,
        words=result.words,
        findings=findings,
        finished_at=timezone.now(),
    )
    scan.refresh_from_db()
    log.info("image check of evidence %s found %s items", evidence.pk, len(findings))
    return scan


def fail_image_scan(*, scan_id: int) -> None:
    ImageScan.objects.filter(pk=scan_id).exclude(status=ImageScan.Status.DONE).update(
        status=ImageScan.Status.FAILED,
        progress=100,
        stage="",
        message="The check stopped unexpectedly. Start it again.",
        finished_at=timezone.now(),
    )


# --- Redaction ------------------------------------------------------------------------------


def _checked_scan(evidence: Evidence) -> ImageScan:
    scan = ImageScan.objects.filter(evidence=evidence).first()
    if scan is None or scan.status != ImageScan.Status.DONE or scan.sha256 != evidence.sha256:
        raise PrivacyError("Wait for the image check to finish before redacting.")
    return scan


@transaction.atomic
def prepare_redaction(
    *, evidence: Evidence, finding_ids: Sequence[str], style: str, actor: User
) -> PendingRedaction:
    """A redacted copy of the image with the chosen findings painted out or blurred, kept
    beside the original until the learner confirms it. A previous unconfirmed copy goes."""
    if style not in REDACTION_STYLES:
        raise PrivacyError("Choose a black box or a blur.")
    scan = _checked_scan(evidence)
    chosen = [f for f in scan.findings if f["id"] in set(finding_ids) and not f.get("redacted")]
    if not chosen:
        raise PrivacyError("Choose at least one finding to redact.")
    try:
        boxes = check_regions(
            [box for f in chosen for box in f["boxes"]], width=scan.width or 0, height=scan.height or 0
        )
        with evidence.file.open("rb") as handle:
            original = handle.read()
        content = redact_image(
            original, boxes, style=style, image_format=IMAGE_FORMATS.get(evidence.content_type, "PNG")
        )
    except ImageScanError as error:
        raise PrivacyError(str(error)) from None
    except OSError:
        raise PrivacyError("The stored image could not be read.") from None
    discard_redaction(evidence=evidence, actor=actor)  # an earlier, unconfirmed copy
    pending = PendingRedaction(
        evidence=evidence,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        finding_ids=[f["id"] for f in chosen],
        kinds=sorted({f["kind"] for f in chosen}),
        style=style,
    )
    pending.file.save(f"redacted{_extension(evidence)}", ContentFile(content), save=False)
    try:
        pending.save()
    except Exception:
        pending.file.storage.delete(pending.file.name)  # nothing half-saved
        raise
    log.info("redaction of %s on evidence %s prepared by %s", pending.kinds, evidence.pk, actor.username)
    return pending


def _extension(evidence: Evidence) -> str:
    name = evidence.file.name
    return name[name.rfind(".") :] if "." in name else ".png"


@transaction.atomic
def confirm_redaction(*, evidence: Evidence, actor: User) -> Evidence:
    """The redacted copy becomes the evidence; the original is deleted; provenance says so."""
    pending = PendingRedaction.objects.select_for_update().filter(evidence=evidence).first()
    if pending is None:
        raise PrivacyError("There is no redaction waiting to be confirmed.")
    scan = _checked_scan(evidence)
    storage, original, original_sha256 = evidence.file.storage, evidence.file.name, evidence.sha256
    evidence.file.name = pending.file.name
    evidence.sha256 = pending.sha256
    evidence.file_size = pending.size
    evidence.redacted_kinds = sorted(set(evidence.redacted_kinds) | set(pending.kinds))
    evidence.redacted_at = timezone.now()
    evidence.save(
        update_fields=["file", "sha256", "file_size", "redacted_kinds", "redacted_at", "updated_at"]
    )
    done = set(pending.finding_ids)
    scan.findings = [
        {**f, "text": "", "redacted": True} if f["id"] in done else f for f in scan.findings
    ]  # the redacted values are gone from the image, so from here too
    scan.sha256 = pending.sha256
    scan.save(update_fields=["findings", "sha256"])
    pending.delete()  # the row only: its file is now the evidence's
    # A submitted version that refers to the original keeps it, as deleting an item does.
    if not VersionFile.objects.filter(name=original).exists():
        transaction.on_commit(lambda: storage.delete(original))
        # The original's print-size copy still shows what was redacted: it goes with it.
        release_rendition(evidence=evidence, sha256=original_sha256)
    outbox.enqueue("evidence.tasks.make_evidence_rendition", args=[evidence.pk])
    log.info("redaction of evidence %s confirmed by %s", evidence.pk, actor.username)
    return evidence


@transaction.atomic
def discard_redaction(*, evidence: Evidence, actor: User) -> None:
    """Drop the unconfirmed copy; the original stays the evidence."""
    pending = PendingRedaction.objects.filter(evidence=evidence).first()
    if pending is None:
        return
    storage, name = pending.file.storage, pending.file.name
    pending.delete()
    transaction.on_commit(lambda: storage.delete(name))
    log.info("redaction of evidence %s discarded by %s", evidence.pk, actor.username)
