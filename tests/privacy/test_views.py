"""The learner's pages (privacy.views): their data, the archive's progress, the download that
only they may take."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import reverse

from privacy import archive as archives
from privacy.models import PrivacyEntry, SubjectAccessArchive
from tests.conftest import finish

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(learner, django_capture_on_commit_callbacks) -> SubjectAccessArchive:
    with django_capture_on_commit_callbacks(execute=True):
        archive = archives.request_archive(learner=learner, actor=learner)
    archive.refresh_from_db()
    return archive


def test_the_learners_account_menu_links_to_their_data(client, learner, assessor):
    client.force_login(learner)
    assert reverse("privacy:my_data") in client.get(reverse("portfolio:home"), follow=True).content.decode()
    client.force_login(assessor)
    assert (
        reverse("privacy:my_data") not in client.get(reverse("portfolio:home"), follow=True).content.decode()
    )


def test_the_page_says_how_long_each_kind_is_kept(client, learner):
    client.force_login(learner)
    page = client.get(reverse("privacy:my_data")).content.decode()
    assert "Prepare my archive" in page
    assert "3 years after certification" in page


def test_asking_opens_the_progress_page_and_the_archive_is_made(
    client, learner, django_capture_on_commit_callbacks
):
    client.force_login(learner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("privacy:archive_request"))
    archive = SubjectAccessArchive.objects.get()
    assert response["Location"] == reverse("privacy:archive_status", args=[archive.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Download the archive" in page


def test_a_second_request_while_one_is_being_prepared_is_refused_with_a_clear_message(client, learner):
    client.force_login(learner)
    client.post(reverse("privacy:archive_request"))  # waits: on-commit hand-over not run here
    response = client.post(reverse("privacy:archive_request"), follow=True)

    assert SubjectAccessArchive.objects.count() == 1
    page = response.content.decode()
    assert "Your archive is already being prepared" in page
    assert 'id="archive-progress"' in page


def test_the_progress_partial_polls_while_it_is_being_prepared(client, learner):
    client.force_login(learner)
    archive = archives.request_archive(learner=learner, actor=learner)
    fragment = client.get(
        reverse("privacy:archive_status", args=[archive.pk]), headers={"HX-Request": "true"}
    )
    html = fragment.content.decode()
    assert html.lstrip().startswith('<div id="archive-status"')
    assert 'hx-trigger="every 2s"' in html


def test_the_learner_downloads_a_zip_with_data_json(client, learner, ready):
    client.force_login(learner)
    response = finish(client.get(reverse("privacy:archive_download", args=[ready.pk])))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "private, no-store"
    assert "attachment" in response["Content-Disposition"]
    assert PrivacyEntry.objects.filter(
        action=PrivacyEntry.Action.ARCHIVE_DOWNLOADED, subject_id=learner.pk
    ).exists()


def test_the_zip_downloaded_holds_data_json(client, learner, ready):
    client.force_login(learner)
    response = client.get(reverse("privacy:archive_download", args=[ready.pk]))
    content = b"".join(response.streaming_content)
    assert "data.json" in zipfile.ZipFile(io.BytesIO(content)).namelist()


@pytest.mark.parametrize("who", ["other_learner", "assessor", "tutor", "iqa", "staff", "outsider"])
def test_the_download_and_progress_are_the_learners_alone(client, request, who, ready):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("privacy:archive_download", args=[ready.pk])).status_code == 404
    assert client.get(reverse("privacy:archive_status", args=[ready.pk])).status_code == 404


def test_someone_logged_out_is_sent_to_log_in(client, ready):
    response = client.get(reverse("privacy:archive_download", args=[ready.pk]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_an_expired_archive_is_not_downloaded(client, learner, ready):
    SubjectAccessArchive.objects.filter(pk=ready.pk).update(status="expired", file="")
    client.force_login(learner)
    assert client.get(reverse("privacy:archive_download", args=[ready.pk])).status_code == 404
    assert "has expired" in client.get(reverse("privacy:archive_status", args=[ready.pk])).content.decode()


@pytest.mark.parametrize("who", ["assessor", "tutor", "staff"])
def test_the_pages_are_for_learners(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("privacy:my_data")).status_code == 404
    assert client.post(reverse("privacy:archive_request")).status_code == 404


def test_the_page_says_so_while_the_broker_is_down(client, learner):
    client.force_login(learner)
    archive = archives.request_archive(learner=learner, actor=learner)  # never handed over here
    page = client.get(reverse("privacy:archive_status", args=[archive.pk])).content.decode()
    assert "is not answering just now" in page
