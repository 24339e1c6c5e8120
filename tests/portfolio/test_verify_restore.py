"""``manage.py verify_restore``: every frozen version against its digest, every stored file
against the SHA-256 the app recorded, files read in chunks (core.integrity)."""

from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import CommandError, call_command

from core import integrity
from core.models import Export, PortfolioVersion, VersionFile, VersionOutcome
from evidence.models import RecordAttachment
from tests.evidence.factories import make_observation, pdf_bytes

pytestmark = pytest.mark.django_db


def _verify() -> tuple[bool, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_restore", stdout=out, stderr=err)
    except CommandError as exc:
        return False, out.getvalue(), err.getvalue() + str(exc)
    return True, out.getvalue(), err.getvalue()


def _set_snapshot(version: PortfolioVersion, snapshot: dict) -> None:
    # Append-only through the model: an edit behind its back, as a damaged copy would hold.
    PortfolioVersion.objects.filter(pk=version.pk).update(snapshot=snapshot)


def test_it_finds_every_stored_file_and_where_its_digest_is_kept():
    found = {(s.label, s.digest_field, s.size_field) for s in integrity.stored_file_fields()}

    # A new file field shows up here: give it a digest (``<field>_sha256``) or say why not.
    assert found == {
        ("audit.ServiceDataImport.dataset", "dataset_sha256", None),
        ("audit.ServiceDataImport.file", None, None),  # the upload as read, replaced by the dataset
        ("audit.VersionDataset.name", "sha256", None),
        ("evidence.Evidence.file", "sha256", None),
        ("evidence.PendingRedaction.file", "sha256", "size"),
        ("evidence.RecordAttachment.file", "sha256", "size"),
        ("portfolio.Export.file", None, "size"),  # a PDF made again on demand: its size is kept
        ("portfolio.VersionFile.name", "sha256", "size"),
        ("privacy.SubjectAccessArchive.file", "sha256", "size"),  # a learner's archive, until it expires
    }


def test_a_whole_copy_passes_with_a_summary(version, filled):
    ok, out, err = _verify()

    assert ok, err
    size = filled["file"].file_size
    assert "Checked 1 version, 0 outcomes, 2 file records, 1 stored object" in out
    assert f"({size}" in out
    assert "Every version and stored file matches its digest." in out


def test_an_altered_snapshot_is_named(version, filled):
    snapshot = dict(version.snapshot)
    snapshot["portfolio"] = {**snapshot["portfolio"], "learner": "Someone Else"}
    _set_snapshot(version, snapshot)

    ok, _out, err = _verify()

    assert not ok
    assert f"portfolio.PortfolioVersion {version.pk}: snapshot does not match its digest" in err
    assert "1 record differs from what the app recorded." in err


def test_the_same_snapshot_with_its_keys_in_another_order_still_matches(version, filled):
    # PostgreSQL's jsonb keeps keys in its own order: the digest is of canonical JSON, not of the text.
    _set_snapshot(version, dict(reversed(list(version.snapshot.items()))))

    ok, _out, err = _verify()

    assert ok, err


def test_a_changed_file_is_named_for_every_record_that_keeps_it(version, filled):
    upload = filled["file"]
    with default_storage.open(upload.file.name, "wb") as handle:
        handle.write(b"not the screenshot")
    kept = VersionFile.objects.get(version=version)

    ok, _out, err = _verify()

    assert not ok
    wrong = hashlib.sha256(b"not the screenshot").hexdigest()
    assert (
        f"evidence.Evidence {upload.pk}: wrong digest for {upload.file.name}: recorded {upload.sha256}, "
        in err
    )
    assert f"found {wrong}" in err
    assert f"portfolio.VersionFile {kept.pk}: wrong digest for {kept.name}" in err
    assert "2 records differ" in err


def test_a_missing_file_is_named(version, filled):
    upload = filled["file"]
    default_storage.delete(upload.file.name)

    ok, _out, err = _verify()

    assert not ok
    assert f"evidence.Evidence {upload.pk}: missing file {upload.file.name}" in err


def test_an_attachment_and_an_export_are_checked(portfolio, criteria):
    record = make_observation(portfolio, criteria[:1])
    content = pdf_bytes()
    attachment = RecordAttachment.objects.create(
        evidence=record,
        file=ContentFile(content, name="notes.pdf"),
        original_name="notes.pdf",
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    name = default_storage.save(f"exports/{portfolio.pk}/x.pdf", ContentFile(b"%PDF-1.7 short"))
    export = Export.objects.create(portfolio=portfolio, content_key="k", status="done", file=name, size=999)
    assert _verify()[0] is False
    RecordAttachment.objects.filter(pk=attachment.pk).update(sha256="0" * 64)

    ok, _out, err = _verify()

    assert f"evidence.RecordAttachment {attachment.pk}: wrong digest" in err
    assert f"portfolio.Export {export.pk}: wrong size for {name}: recorded 999, found 14" in err
    assert not ok


def test_an_outcome_that_sealed_another_digest_is_named(version, portfolio):
    outcome = VersionOutcome.objects.create(
        version=version, kind="returned", assessor=portfolio.assessor, digest="f" * 64
    )

    ok, _out, err = _verify()

    assert not ok
    assert f"portfolio.VersionOutcome {outcome.pk}: digest differs from its version's" in err


def test_files_are_read_in_chunks_never_whole(version, filled, monkeypatch):
    monkeypatch.setattr(integrity, "CHUNK_BYTES", 7)
    reads: list[int] = []
    original = FileSystemStorage.open

    class Watched:
        def __init__(self, handle):
            self.handle = handle

        def read(self, size=-1):
            assert 0 < size <= 7, "a whole read"
            data = self.handle.read(size)
            reads.append(len(data))
            return data

        def close(self):
            self.handle.close()

    monkeypatch.setattr(
        FileSystemStorage, "open", lambda self, name, mode="rb": Watched(original(self, name, mode))
    )

    assert _verify()[0]
    assert max(reads) == 7
    assert sum(reads) == filled["file"].file_size
