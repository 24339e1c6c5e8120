"""The S3 path against a real S3 protocol server (moto in server mode, on loopback): a learner's
upload lands in the bucket and comes back through the checked view, a version's PDF is drawn
by the worker into the bucket and previewed, and the portfolio PDF is exported into the bucket
and downloaded. The same settings as production's ``STORAGE=s3`` (private objects, no
overwrite), only the endpoint differs."""

from __future__ import annotations

import hashlib
import io
import socket
import uuid

import boto3  # type: ignore[import-untyped]
import pikepdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from moto.server import ThreadedMotoServer

from assessment.services import submit_portfolio
from core.models import Export, VersionFile
from evidence.models import Evidence
from reports import services as export_service
from tests.conftest import finish
from tests.evidence.factories import png_bytes

pytestmark = pytest.mark.django_db

REGION = "eu-west-2"
KEYS = {"aws_access_key_id": "test", "aws_secret_access_key": "test-secret"}


@pytest.fixture(scope="module")
def s3_endpoint():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def bucket(settings, s3_endpoint):
    """A fresh private bucket as the default storage, as ``STORAGE=s3`` configures it."""
    name = f"portfolio-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name=REGION, **KEYS)
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": name,
                "endpoint_url": s3_endpoint,
                "region_name": REGION,
                "access_key": KEYS["aws_access_key_id"],
                "secret_key": KEYS["aws_secret_access_key"],
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
            },
        },
    }

    def keys() -> set[str]:
        found = client.list_objects_v2(Bucket=name).get("Contents", [])
        return {item["Key"] for item in found}

    def read(key: str) -> bytes:
        return client.get_object(Bucket=name, Key=key)["Body"].read()

    return {"name": name, "client": client, "keys": keys, "read": read}


def _pdf(text: str = "Weekend response times") -> bytes:
    pdf = pikepdf.new()
    page = pdf.add_blank_page(page_size=(595, 842))
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    page.Contents = pdf.make_stream(f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode())
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _upload(client, portfolio, name: str, data: bytes, content_type: str) -> Evidence:
    response = client.post(
        reverse("evidence:add", kwargs={"portfolio_pk": portfolio.pk, "kind": "file"}),
        {"title": name, "occurred_on": "2026-11-20", "upload": SimpleUploadedFile(name, data, content_type)},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return Evidence.objects.get(portfolio=portfolio, original_name=name)


def test_an_upload_lands_in_the_bucket_and_comes_back_through_the_checked_view(
    client, bucket, learner, outsider
):
    portfolio = learner.portfolios.get()
    client.force_login(learner)

    evidence = _upload(client, portfolio, "reply.png", png_bytes(), "image/png")

    assert evidence.file.name in bucket["keys"]()
    assert evidence.file.name.startswith(f"evidence/{portfolio.pk}/")
    stored = bucket["read"](evidence.file.name)
    assert hashlib.sha256(stored).hexdigest() == evidence.sha256
    url = reverse("evidence:file", kwargs={"portfolio_pk": portfolio.pk, "pk": evidence.pk})
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == stored
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    # Served by the app after its check, never by a link to the bucket.
    assert bucket["name"] not in response.get("Location", "")
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_a_versions_pdf_is_previewed_from_pages_the_worker_wrote_to_the_bucket(
    client, bucket, learner, assessor, django_capture_on_commit_callbacks
):
    portfolio = learner.portfolios.get()
    client.force_login(learner)
    _upload(client, portfolio, "briefing.pdf", _pdf(), "application/pdf")
    version = submit_portfolio(portfolio=portfolio, declaration_signed=True, actor=learner)
    frozen = VersionFile.objects.get(version=version, original_name="briefing.pdf")
    client.force_login(assessor)
    preview = reverse("portfolio:version_file_preview", args=[portfolio.pk, version.number, frozen.pk])

    with django_capture_on_commit_callbacks(execute=True):
        client.get(preview)
    ready = client.get(preview).content.decode()
    page = client.get(
        reverse("portfolio:version_file_page", args=[portfolio.pk, version.number, frozen.pk, 1])
    )

    assert "Page 1 of briefing.pdf" in ready
    assert page.status_code == 200
    assert page["Content-Type"] == "image/png"
    assert b"".join(page.streaming_content).startswith(b"\x89PNG")
    assert any(key.endswith(".png") and frozen.sha256[:16] in key for key in bucket["keys"]())


def test_the_portfolio_pdf_is_exported_into_the_bucket_and_downloaded(
    client, bucket, learner, settings, django_capture_on_commit_callbacks
):
    settings.BROWSER_PATH = ""  # charts become notes: this test is about where the file goes
    portfolio = learner.portfolios.get()
    client.force_login(learner)
    _upload(client, portfolio, "rota.csv", b"day,who\nSaturday,Priya\n", "text/csv")

    with django_capture_on_commit_callbacks(execute=True):  # the worker, eager in tests
        export, _created = export_service.request_export(portfolio=portfolio, version=None, actor=learner)
    export.refresh_from_db()

    assert export.status == Export.Status.DONE
    assert export.file.name in bucket["keys"]()
    response = client.get(reverse("portfolio:export_download", args=[portfolio.pk, export.pk]))
    content = (
        b"".join(response.streaming_content) if hasattr(response, "streaming_content") else response.content
    )
    finish(response)
    assert response.status_code == 200
    assert content.startswith(b"%PDF-")
    assert content == bucket["read"](export.file.name)
    with pikepdf.open(io.BytesIO(content)) as pdf:
        assert any(name.endswith(" rota.csv") for name in pdf.attachments)


def test_a_dataset_is_read_from_the_bucket_in_one_request_and_a_missing_one_says_so(bucket, monkeypatch):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage, storages

    from audit import arrowfiles

    name = default_storage.save("service-data/1/dataset.arrow", ContentFile(b"ARROW1 bytes of a dataset"))
    opened = []
    monkeypatch.setattr(type(storages["default"]), "_open", lambda *a, **k: opened.append(a))

    assert bytes(arrowfiles.load_buffer(name)) == b"ARROW1 bytes of a dataset"
    assert opened == []  # no file object (HEAD, GET and a boto3 resource): one GET
    with pytest.raises(FileNotFoundError):
        arrowfiles.load_buffer("service-data/1/gone.arrow")
