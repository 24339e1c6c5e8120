"""A learner's archive of everything held about them (UK GDPR art. 15 and 20), as one zip.

``request_archive`` writes the job row and, in the same transaction, an outbox message
(``core.outbox``) for ``privacy.tasks.build_archive``; a second request while one is being
prepared is refused. The task calls ``perform_archive``, which claims the row and writes the
zip through ``write_archive``: every registered record kind (``core.subject_data``) as rows of
``data.json``, and every stored file those records name under ``files/``. Both go into the zip
a chunk or a row at a time, into a temporary file on disk, which is then stored: nothing is
held whole in memory. The file is deleted ``PRIVACY_ARCHIVE_DAYS`` after it is made
(``expire_archives``, run by the retention job).
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import PurePosixPath
from typing import IO, Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from core import outbox
from core.integrity import CHUNK_BYTES
from core.models import OutboxMessage, User
from core.services import notify
from core.subject_data import PersonalRecords, registered_personal_records
from privacy.models import PrivacyEntry, SubjectAccessArchive

log = logging.getLogger(__name__)

FORMAT = "portfolio-subject-access/1"
TRANSIENT_ERRORS = (OSError,)
ALREADY_PREPARING = (
    "Your archive is already being prepared (you asked for it at {time}). You can ask for "
    "another once it is ready: this page shows its progress."
)
README = """Everything this portfolio service holds about you, made on {made}.

data.json   every record about you, by kind: your account, your portfolio and each step's
            content, evidence items and their criteria, records and testimony about you,
            submitted versions with their snapshots and digests, decisions and feedback,
            threads, your verifiable credentials (the signed token and whether they are revoked),
            notifications, PDF exports, the audit trail and the data protection trail.
            "files" lists every file below and the record that names it.
files/      every file you uploaded, every file attached to a record about you, every PDF made.

Left out: your password (only a one-way hash is kept) and the secret parts of links
(invitation and witness nonces, export tokens), which say nothing about you.
"""


class ArchiveRefused(Exception):
    """An archive cannot be asked for now; the message is shown to the learner."""


# --- Asking for one --------------------------------------------------------------------------


def fail_stale_archives(*, learner: User) -> int:
    """Record as failed the learner's jobs lost with their worker: active for longer than any
    run may take, and with no outbox message still waiting to be handed over."""
    cutoff = timezone.now() - timedelta(seconds=settings.PRIVACY_ARCHIVE_TIME_LIMIT + 60)
    waiting = OutboxMessage.objects.filter(
        dispatched_at__isnull=True, done_at__isnull=True, gave_up_at__isnull=True
    ).values("task_id")
    return (
        SubjectAccessArchive.objects.filter(learner=learner, status__in=SubjectAccessArchive.ACTIVE)
        .filter(Q(started_at__lt=cutoff) | Q(started_at__isnull=True, created_at__lt=cutoff))
        .exclude(token__in=waiting)
        .update(
            status=SubjectAccessArchive.Status.FAILED,
            stage="Failed",
            error="The archive stopped without finishing. Nothing was kept: ask again.",
            finished_at=timezone.now(),
        )
    )


def request_archive(*, learner: User, actor: User) -> SubjectAccessArchive:
    """Queue the learner's archive; refused while another is being prepared."""
    if actor.pk != learner.pk:
        raise ArchiveRefused("Only the learner may ask for the archive of their own data.")
    with transaction.atomic():
        # One request at a time per learner: the lock makes a double click wait, then refuse.
        User.objects.select_for_update().filter(pk=learner.pk).first()
        fail_stale_archives(learner=learner)
        running = SubjectAccessArchive.objects.filter(learner=learner, status__in=SubjectAccessArchive.ACTIVE)
        if (current := running.first()) is not None:
            raise ArchiveRefused(_already(current))
        try:
            with transaction.atomic():
                archive = SubjectAccessArchive.objects.create(learner=learner, stage="Waiting to start")
        except IntegrityError:  # the constraint, should two requests pass the check at once
            raise ArchiveRefused(_already(running.first())) from None
        PrivacyEntry.objects.create(
            subject_id=learner.pk,
            actor=actor,
            action=PrivacyEntry.Action.ARCHIVE_REQUESTED,
            summary=f"Archive {archive.pk} of their data asked for by the learner.",
        )
        outbox.enqueue("privacy.tasks.build_archive", args=[archive.pk], task_id=archive.token)
    log.info("archive %s of learner %s requested", archive.pk, learner.pk)
    return archive


def _already(current: SubjectAccessArchive | None) -> str:
    at = timezone.localtime(current.created_at) if current else timezone.localtime()
    return ALREADY_PREPARING.format(time=at.strftime("%H:%M on %-d %B %Y"))


# --- Making it -------------------------------------------------------------------------------


def _claim(archive_id: int, claimant: str) -> SubjectAccessArchive | None:
    """Take the job for this run: a waiting one, or a running one this run already holds
    (a delivery handed back after its worker died)."""
    now = timezone.now()
    claimed = (
        SubjectAccessArchive.objects.filter(pk=archive_id)
        .filter(
            Q(status=SubjectAccessArchive.Status.PENDING)
            | Q(status=SubjectAccessArchive.Status.RUNNING, claimed_by=claimant)
        )
        .update(status=SubjectAccessArchive.Status.RUNNING, claimed_by=claimant, started_at=now, progress=0)
    )
    if not claimed:
        return None
    return SubjectAccessArchive.objects.select_related("learner").get(pk=archive_id)


def perform_archive(*, archive_id: int, claimant: str) -> SubjectAccessArchive | None:
    """Write, store and finish one archive. None if the job was not this run's to do."""
    archive = _claim(archive_id, claimant)
    if archive is None:
        log.info("archive %s is not pending for %s: nothing to do", archive_id, claimant)
        return None

    def progress(percent: int, stage: str) -> None:
        SubjectAccessArchive.objects.filter(pk=archive_id, claimed_by=claimant).update(
            progress=max(0, min(99, percent)), stage=stage[:120]
        )

    try:
        with tempfile.TemporaryFile(dir=settings.PRIVACY_ARCHIVE_TMP_DIR or None) as target:
            records, files = write_archive(learner=archive.learner, target=target, progress=progress)
            progress(99, "Storing the archive")
            digest, size = _digest(target)
            name = f"privacy/{archive.learner_id}/{archive.token}.zip"
            if default_storage.exists(name):
                default_storage.delete(name)
            target.seek(0)
            name = default_storage.save(name, File(target, name=name))
    except TRANSIENT_ERRORS:
        raise
    except SoftTimeLimitExceeded:
        minutes = max(1, settings.PRIVACY_ARCHIVE_TIME_LIMIT // 60)
        return fail_archive(
            archive_id=archive_id,
            claimant=claimant,
            message=f"Preparing the archive took longer than {minutes} minutes, so it was stopped. "
            "Ask again later; if it stops again, tell the centre's data protection lead.",
        )
    except Exception:
        log.exception("archive %s failed", archive_id)
        return fail_archive(
            archive_id=archive_id,
            claimant=claimant,
            message=f"The archive could not be made because of an unexpected error (reference: archive "
            f"{archive_id}). Ask again; if it fails again, tell the centre's data protection lead.",
        )
    now = timezone.now()
    finished = SubjectAccessArchive.objects.filter(
        pk=archive_id, claimed_by=claimant, status=SubjectAccessArchive.Status.RUNNING
    ).update(
        status=SubjectAccessArchive.Status.DONE,
        progress=100,
        stage="Ready",
        file=name,
        size=size,
        sha256=digest,
        record_count=records,
        file_count=files,
        finished_at=now,
        expires_at=now + timedelta(days=settings.PRIVACY_ARCHIVE_DAYS),
    )
    if not finished:  # given up as lost while this run wrote it: the file is not wanted
        default_storage.delete(name)
    archive.refresh_from_db()
    if finished:
        _tell_learner(archive, ready=True)
    return archive


def _tell_learner(archive: SubjectAccessArchive, *, ready: bool) -> None:
    """A notification (and its e-mail) that the archive is ready or could not be made."""
    if ready and archive.expires_at is not None:
        subject = "The archive of your data is ready"
        deleted = timezone.localtime(archive.expires_at).strftime("%-d %B %Y, %H:%M")
        body = f"Download it before {deleted}, when it is deleted."
    else:
        subject, body = "The archive of your data could not be prepared", archive.error
    notify(
        recipients=[archive.learner],
        portfolio=None,
        subject=subject,
        body=body,
        url=reverse("privacy:archive_status", args=[archive.pk]),
    )


def fail_archive(*, archive_id: int, claimant: str, message: str) -> SubjectAccessArchive:
    failed = SubjectAccessArchive.objects.filter(
        pk=archive_id, status__in=SubjectAccessArchive.ACTIVE, claimed_by__in=[claimant, ""]
    ).update(
        status=SubjectAccessArchive.Status.FAILED, stage="Failed", error=message, finished_at=timezone.now()
    )
    archive = SubjectAccessArchive.objects.select_related("learner").get(pk=archive_id)
    if failed:
        _tell_learner(archive, ready=False)
    return archive


def release_for_retry(*, archive_id: int, claimant: str) -> None:
    SubjectAccessArchive.objects.filter(
        pk=archive_id, status=SubjectAccessArchive.Status.RUNNING, claimed_by=claimant
    ).update(
        status=SubjectAccessArchive.Status.PENDING, claimed_by="", stage="A temporary problem: trying again"
    )


def _digest(handle: IO[bytes]) -> tuple[str, int]:
    handle.seek(0)
    digest, size = hashlib.sha256(), 0
    while chunk := handle.read(CHUNK_BYTES):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def expire_archives() -> int:
    """Delete the files of archives past their expiry; the rows stay, marked expired."""
    expired = SubjectAccessArchive.objects.filter(
        status=SubjectAccessArchive.Status.DONE, expires_at__lte=timezone.now()
    )
    count = 0
    for pk, name in expired.values_list("pk", "file"):
        if name:
            default_storage.delete(name)
        count += SubjectAccessArchive.objects.filter(pk=pk, status=SubjectAccessArchive.Status.DONE).update(
            status=SubjectAccessArchive.Status.EXPIRED, file="", stage="Expired: the file was deleted"
        )
    return count


# --- The zip itself ----------------------------------------------------------------------------


def _value(obj: models.Model, f: models.Field[Any, Any]) -> Any:
    value = f.value_from_object(obj)
    if isinstance(f, models.FileField):
        return value.name if value else ""
    return value


def record_row(records: PersonalRecords, obj: models.Model) -> dict[str, Any]:
    """One record as plain data: every field but those withheld, keys by their column name."""
    row: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if f.name in records.withheld:
            continue
        value = _value(obj, f)
        if f.choices and value not in (None, ""):
            value = {"value": value, "label": str(dict(f.flatchoices).get(value, value))}
        row[f.attname if f.is_relation else f.name] = value
    return row


_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


def _member_name(records: PersonalRecords, obj: models.Model, field_name: str, stored: str) -> str:
    """A readable, safe path in the zip: files/<kind>/<id>-<field>-<name as uploaded>."""
    original = PurePosixPath(stored).name
    if field_name in {"file", "name"}:  # the record's own file: it keeps the name it came with
        original = getattr(obj, "original_name", "") or getattr(obj, "file_name", "") or original
    safe = _UNSAFE.sub("_", PurePosixPath(original).name).strip(" .") or "file"
    return f"files/{records.label}/{obj.pk}-{field_name}-{safe}"


def _kinds() -> list[PersonalRecords]:
    return list(registered_personal_records().values())


def _copy_file(archive: zipfile.ZipFile, stored: str, member: str) -> bool:
    try:
        source = default_storage.open(stored, "rb")
    except FileNotFoundError:
        return False
    with source, archive.open(member, "w", force_zip64=True) as target:
        shutil.copyfileobj(source, target, CHUNK_BYTES)
    return True


def _write_files(
    archive: zipfile.ZipFile, learner_pk: int, progress: Callable[[int, str], None]
) -> list[dict[str, Any]]:
    """Every stored file a record about the learner names, each stored object once."""
    index: list[dict[str, Any]] = []
    written: dict[str, str] = {}
    kinds = [k for k in _kinds() if k.files]
    for number, records in enumerate(kinds):
        progress(5 + 60 * number // max(1, len(kinds)), f"Packing files: {records.title.lower()}")
        for obj in records.rows_about(learner_pk).iterator(chunk_size=200):
            for field_name in records.files:
                value = getattr(obj, field_name)
                stored = value.name if hasattr(value, "name") else value
                if not stored:
                    continue
                entry = {"record": records.label, "id": obj.pk, "field": field_name}
                if stored not in written:
                    member = _member_name(records, obj, field_name, stored)
                    written[stored] = member if _copy_file(archive, stored, member) else ""
                entry["path"] = written[stored] or None
                if not written[stored]:
                    entry["note"] = "The stored file is missing."
                index.append(entry)
    return index


def _json_rows(records: PersonalRecords, learner_pk: int) -> Iterator[str]:
    for obj in records.rows_about(learner_pk).iterator(chunk_size=200):
        yield json.dumps(record_row(records, obj), cls=DjangoJSONEncoder, ensure_ascii=False)


def write_archive(
    *, learner: User, target: IO[bytes], progress: Callable[[int, str], None] = lambda p, s: None
) -> tuple[int, int]:
    """Write the zip into ``target``; returns (records written, files indexed)."""
    made = timezone.now()
    record_count = 0
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        archive.writestr(
            "README.txt", README.format(made=timezone.localtime(made).strftime("%-d %B %Y, %H:%M"))
        )
        index = _write_files(archive, learner.pk, progress)
        with archive.open("data.json", "w", force_zip64=True) as raw:
            out = io.TextIOWrapper(raw, encoding="utf-8", newline="\n")
            header = {"format": FORMAT, "made_at": made, "learner_id": learner.pk}
            out.write(json.dumps(header, cls=DjangoJSONEncoder)[:-1] + ',\n"records": {')
            kinds = _kinds()
            for number, records in enumerate(kinds):
                progress(65 + 30 * number // max(1, len(kinds)), f"Writing records: {records.title.lower()}")
                out.write(("," if number else "") + f"\n{json.dumps(records.label)}: ")
                out.write(json.dumps({"title": records.title})[:-1] + ', "rows": [')
                for position, row in enumerate(_json_rows(records, learner.pk)):
                    out.write(("," if position else "") + "\n" + row)
                    record_count += 1
                out.write("]}")
            out.write('\n},\n"files": ' + json.dumps(index, ensure_ascii=False) + "\n}\n")
            out.flush()
            out.detach()
    return record_count, len(index)


def open_archive(archive: SubjectAccessArchive) -> IO[bytes]:
    return default_storage.open(archive.file.name or "", "rb")
