"""In a browser, as `make run` serves it (a real worker on the embedded broker): a learner asks
for the archive of their data, sees it being prepared, and downloads a zip with data.json."""

from __future__ import annotations

import json
import zipfile

import pytest
from celery.contrib.testing.worker import start_worker
from playwright.sync_api import expect

from config.celery import app
from privacy.models import SubjectAccessArchive
from tests.e2e.conftest import log_in
from tests.e2e.test_accessibility import FAILING_IMPACTS, _describe, _scan
from tests.factories import TEST_PASSWORD
from tests.portfolio.test_embedded_worker import embedded_broker  # noqa: F401  (a fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_learner_asks_for_their_archive_sees_it_prepared_and_downloads_it(page, learner, embedded_broker):  # noqa: F811
    log_in(page, learner.username, TEST_PASSWORD)
    page.get_by_role("button", name=learner.display_name).click()
    page.get_by_role("link", name="Your data").click()
    expect(page.get_by_role("heading", name="Your data", level=1)).to_be_visible()
    _assert_accessible(page)

    page.get_by_role("button", name="Prepare my archive").click()

    # The progress page at once: the archive is not made inside the request.
    expect(page.locator("#archive-progress")).to_be_visible()
    expect(page.get_by_text("Your archive is being prepared")).to_be_visible()
    assert list((embedded_broker / "queue").iterdir())  # the job waits in the folder
    expect(page.get_by_role("link", name="Download the archive")).to_have_count(0)
    _assert_accessible(page)

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        download_link = page.get_by_role("link", name="Download the archive")
        expect(download_link).to_be_visible(timeout=90_000)  # the page follows the job by itself
    assert SubjectAccessArchive.objects.get(learner=learner).status == SubjectAccessArchive.Status.DONE
    _assert_accessible(page)

    with page.expect_download() as download:
        download_link.click()
    with zipfile.ZipFile(download.value.path()) as bundle:
        assert "data.json" in bundle.namelist()
        data = json.loads(bundle.read("data.json"))
    assert data["records"]["portfolio.user"]["rows"][0]["username"] == learner.username


def _assert_accessible(page) -> None:
    violations = _scan(page)
    serious = [v for v in violations if v["impact"] in FAILING_IMPACTS]
    assert not serious, f"accessibility violations on {page.url}:\n{_describe(violations)}"
