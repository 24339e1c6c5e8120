"""The learner's archive (privacy.archive): every kind of record about them in data.json, every
file, made in the background through the outbox, one at a time, and gone after its days."""

from __future__ import annotations

import io
import json
import os
import tracemalloc
import zipfile
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.models import Notification, OutboxMessage
from core.subject_data import registered_personal_records
from evidence.models import Evidence
from privacy import archive as archives
from privacy.models import PrivacyEntry, SubjectAccessArchive

pytestmark = pytest.mark.django_db

# Kinds the brief names, each of which the ``assessed`` portfolio holds at least one of.
EXPECTED_KINDS = {
    "portfolio.user",
    "portfolio.portfolio",
    "evidence.evidence",
    "evidence.criterionmapping",
    "evidence.transcriptmessage",
    "evidence.observation",
    "evidence.witnessrequest",
    "portfolio.portfolioversion",
    "portfolio.versionfile",
    "portfolio.criteriondecision",
    "portfolio.versionoutcome",
    "portfolio.qualitysample",
    "assessment.thread",
    "assessment.threadmessage",
    "assessment.annotation",
    "portfolio.notification",
    "portfolio.export",
    "portfolio.formdraft",
    "portfolio.auditentry",
    "privacy.privacyentry",
}


def _zip(learner) -> tuple[zipfile.ZipFile, dict]:
    target = io.BytesIO()
    archives.write_archive(learner=learner, target=target)
    bundle = zipfile.ZipFile(target)
    return bundle, json.loads(bundle.read("data.json"))


def _made(learner, django_capture_on_commit_callbacks) -> SubjectAccessArchive:
    with django_capture_on_commit_callbacks(execute=True):
        archive = archives.request_archive(learner=learner, actor=learner)
    archive.refresh_from_db()
    return archive


def test_the_archive_holds_every_kind_about_the_learner_and_nothing_of_anyone_else(
    assessed, learner, other_learner, filled
):
    PrivacyEntry.objects.create(subject_id=learner.pk, action="archive_requested", summary="Asked.")
    bundle, data = _zip(learner)
    registry = registered_personal_records()

    assert set(data["records"]) == set(registry)  # every kind, empty or not
    for label, records in registry.items():
        rows = data["records"][label]["rows"]
        assert [row["id"] for row in rows] == list(
            records.rows_about(learner.pk).values_list("pk", flat=True)
        ), label
    empty = sorted(label for label in EXPECTED_KINDS if not data["records"][label]["rows"])
    assert empty == []
    # The step content the steps saved, the frozen version with its snapshot and digest.
    version = data["records"]["portfolio.portfolioversion"]["rows"][0]
    assert version["digest"] == assessed.digest
    assert version["snapshot"] == assessed.snapshot
    # Nothing of the other learner; no secrets.
    assert [row["id"] for row in data["records"]["portfolio.user"]["rows"]] == [learner.pk]
    assert other_learner.username not in bundle.read("data.json").decode()
    assert "password" not in data["records"]["portfolio.user"]["rows"][0]
    assert all("nonce" not in row for row in data["records"]["evidence.witnessrequest"]["rows"])


# Kinds a learner has no row of: places of staff in a cohort.
NEVER_A_LEARNERS = {"portfolio.membership"}


def test_a_learner_with_every_kind_of_record_finds_each_in_the_archive(everything, learner):
    bundle, data = _zip(learner)
    registry = registered_personal_records()

    empty = sorted(label for label in registry if not data["records"][label]["rows"])
    assert empty == sorted(NEVER_A_LEARNERS)
    for label, records in registry.items():
        assert len(data["records"][label]["rows"]) == records.rows_about(learner.pk).count(), label
    # Every file any of those records names is in the zip.
    assert all(entry["path"] in bundle.namelist() for entry in data["files"])
    named = {entry["record"] for entry in data["files"]}
    assert {
        "evidence.evidence",
        "evidence.recordattachment",
        "evidence.pendingredaction",
        "portfolio.versionfile",
        "portfolio.export",
        "audit.servicedataimport",
        "audit.versiondataset",
    } <= named


def test_the_files_are_in_the_zip_once_each_and_listed_with_their_records(assessed, learner, filled):
    bundle, data = _zip(learner)
    upload = filled["file"]
    by_record = {(entry["record"], entry["id"]): entry for entry in data["files"]}

    evidence_entry = by_record[("evidence.evidence", upload.pk)]
    with default_storage.open(upload.file.name, "rb") as stored:
        assert bundle.read(evidence_entry["path"]) == stored.read()
    # The version's copy is the same stored object: listed, packed once.
    version_file = assessed.files.get()
    assert by_record[("portfolio.versionfile", version_file.pk)]["path"] == evidence_entry["path"]
    # Every PDF made.
    export = data["records"]["portfolio.export"]["rows"][0]
    assert bundle.read(by_record[("portfolio.export", export["id"])]["path"]).startswith(b"%PDF-")
    assert "README.txt" in bundle.namelist()


def test_it_is_prepared_in_the_background_through_the_outbox(learner, django_capture_on_commit_callbacks):
    archive = _made(learner, django_capture_on_commit_callbacks)

    assert OutboxMessage.objects.get(task_id=archive.token).task == "privacy.tasks.build_archive"
    assert archive.status == SubjectAccessArchive.Status.DONE
    assert archive.record_count > 0
    assert archive.sha256
    assert archive.size
    with default_storage.open(archive.file.name, "rb") as stored:
        assert "data.json" in zipfile.ZipFile(stored).namelist()
    assert PrivacyEntry.objects.filter(subject_id=learner.pk, action="archive_requested").exists()


def test_a_second_request_while_one_is_being_prepared_is_refused(learner):
    first = archives.request_archive(learner=learner, actor=learner)  # not run: still waiting

    with pytest.raises(archives.ArchiveRefused, match="already being prepared"):
        archives.request_archive(learner=learner, actor=learner)
    assert list(SubjectAccessArchive.objects.values_list("pk", flat=True)) == [first.pk]


def test_a_new_request_is_taken_once_the_last_is_ready(learner, django_capture_on_commit_callbacks):
    _made(learner, django_capture_on_commit_callbacks)
    second = _made(learner, django_capture_on_commit_callbacks)
    assert second.status == SubjectAccessArchive.Status.DONE


def test_only_the_learner_may_ask(learner, other_learner):
    with pytest.raises(archives.ArchiveRefused):
        archives.request_archive(learner=learner, actor=other_learner)


def test_the_file_is_deleted_after_the_days_of_the_setting(
    learner, settings, django_capture_on_commit_callbacks
):
    settings.PRIVACY_ARCHIVE_DAYS = 3
    archive = _made(learner, django_capture_on_commit_callbacks)
    assert archive.expires_at - archive.finished_at == timedelta(days=3)
    name = archive.file.name

    assert archives.expire_archives() == 0
    SubjectAccessArchive.objects.filter(pk=archive.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert archives.expire_archives() == 1

    archive.refresh_from_db()
    assert archive.status == SubjectAccessArchive.Status.EXPIRED
    assert not archive.is_downloadable
    assert not default_storage.exists(name)


def test_a_job_lost_with_its_worker_does_not_block_a_new_request(learner, settings):
    stuck = archives.request_archive(learner=learner, actor=learner)
    OutboxMessage.objects.filter(task_id=stuck.token).update(dispatched_at=timezone.now())
    SubjectAccessArchive.objects.filter(pk=stuck.pk).update(
        status="running",
        started_at=timezone.now() - timedelta(seconds=settings.PRIVACY_ARCHIVE_TIME_LIMIT + 61),
    )
    archives.request_archive(learner=learner, actor=learner)
    stuck.refresh_from_db()
    assert stuck.status == SubjectAccessArchive.Status.FAILED


def test_files_are_streamed_into_the_zip_not_held_in_memory(learner, tmp_path):
    """A 24 MB upload goes into the archive a megabyte at a time: the peak is a few chunks
    (the read, the compressor's buffers), never the file."""
    portfolio = learner.portfolios.get()
    size = 24 * 1024 * 1024
    name = default_storage.save(f"evidence/{portfolio.pk}/big.bin", ContentFile(os.urandom(size)))
    Evidence.objects.create(
        portfolio=portfolio,
        kind="file",
        title="A long recording",
        file=name,
        sha256="0" * 64,
        original_name="big.bin",
    )

    with open(tmp_path / "archive.zip", "w+b") as target:
        tracemalloc.start()
        try:
            archives.write_archive(learner=learner, target=target)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        target.seek(0)
        assert (
            zipfile.ZipFile(target)
            .getinfo(f"files/evidence.evidence/{Evidence.objects.get().pk}-file-big.bin")
            .file_size
            == size
        )
    assert peak < size / 4


def test_the_database_refuses_two_archives_in_preparation_for_one_learner(learner):
    """Behind the service's check: two requests passing it at the same moment cannot both write."""
    SubjectAccessArchive.objects.create(learner=learner)
    with pytest.raises(IntegrityError), transaction.atomic():
        SubjectAccessArchive.objects.create(learner=learner, status="running")
    SubjectAccessArchive.objects.create(learner=learner, status="done")  # finished ones do not count


def test_the_learner_is_told_when_it_is_ready(learner, django_capture_on_commit_callbacks):
    archive = _made(learner, django_capture_on_commit_callbacks)
    note = Notification.objects.get(recipient=learner)
    assert note.subject == "The archive of your data is ready"
    assert note.url == f"/privacy/my-data/archives/{archive.pk}/"
