"""Asking for a PDF, following it, downloading it: who may, what each page shows, what it costs."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from pypdf import PdfReader

from core.models import Export
from reports import pdf
from reports.tasks import render_export
from tests.conftest import finish
from tests.portfolio.factories import ExportFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued_only(monkeypatch):
    """Jobs are queued but no worker runs them, so pages show them waiting."""
    monkeypatch.setattr(render_export, "apply_async", lambda **kwargs: None)


def _ask(client, portfolio, version="", capture=None):
    with capture(execute=True):
        return client.post(reverse("portfolio:export_request", args=[portfolio.pk]), {"version": version})


# --- Asking ---------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_learner_exports_the_working_copy_and_lands_on_the_ready_page(client, learner, portfolio):
    """Without a broker the render runs in-process as the request commits, so the job is
    finished by the time the page loads."""
    client.force_login(learner)

    response = client.post(reverse("portfolio:export_request", args=[portfolio.pk]), {"version": ""})

    export = Export.objects.get()
    assert (export.version, export.requested_by, export.status) == (None, learner, "done")
    assert response.url == reverse("portfolio:export_status", args=[portfolio.pk, export.pk])
    page = client.get(response.url).content.decode()
    assert "Your PDF is ready." in page
    assert "PDF of the working copy" in page
    assert reverse("portfolio:export_download", args=[portfolio.pk, export.pk]) in page
    assert "every 2s" not in page  # finished: nothing polls


@pytest.mark.parametrize("persona", ["learner", "assessor", "tutor", "iqa"])
def test_each_role_over_the_learner_exports_a_submitted_version(
    client, request, persona, portfolio, version, django_capture_on_commit_callbacks
):
    person = request.getfixturevalue(persona)
    client.force_login(person)

    response = _ask(client, portfolio, version="1", capture=django_capture_on_commit_callbacks)

    export = Export.objects.get()
    assert response.status_code == 302
    assert (export.version, export.requested_by, export.status) == (version, person, "done")


@pytest.mark.parametrize("persona", ["other_learner", "other_assessor", "outsider"])
def test_nobody_else_can_export_the_portfolio(client, request, persona, portfolio, version, queued_only):
    client.force_login(request.getfixturevalue(persona))

    for data in ({"version": ""}, {"version": "1"}):
        response = client.post(reverse("portfolio:export_request", args=[portfolio.pk]), data)
        assert response.status_code == 404
    assert not Export.objects.exists()


@pytest.mark.parametrize("value", ["abc", "-1", "99", "1 OR 1=1", "²", "1e3", "0x1", " 1.5"])
def test_a_version_that_is_not_one_of_the_portfolio_gives_404(client, learner, portfolio, version, value):
    client.force_login(learner)

    response = client.post(reverse("portfolio:export_request", args=[portfolio.pk]), {"version": value})

    assert response.status_code == 404
    assert not Export.objects.exists()


def test_another_learners_version_number_cannot_be_exported_through_my_portfolio(
    client, learner, other_learner, portfolio, queued_only
):
    from assessment.services import submit_portfolio
    from tests.evidence.factories import EvidenceFactory

    theirs = other_learner.portfolios.get()
    EvidenceFactory(portfolio=theirs)
    submit_portfolio(portfolio=theirs, declaration_signed=True, actor=other_learner)
    client.force_login(learner)

    response = client.post(reverse("portfolio:export_request", args=[portfolio.pk]), {"version": "1"})

    assert response.status_code == 404  # my portfolio has no version 1
    assert not Export.objects.exists()


def test_a_get_does_not_export(client, learner, portfolio):
    client.force_login(learner)

    response = client.get(reverse("portfolio:export_request", args=[portfolio.pk]))

    assert response.status_code == 405
    assert not Export.objects.exists()


def test_asking_twice_while_it_is_made_points_to_the_same_job(client, learner, tutor, portfolio, queued_only):
    client.force_login(learner)
    url = reverse("portfolio:export_request", args=[portfolio.pk])
    first = client.post(url, {"version": ""}, follow=True)
    client.force_login(tutor)

    second = client.post(url, {"version": ""}, follow=True)

    export = Export.objects.get()
    assert first.redirect_chain[-1][0] == second.redirect_chain[-1][0]
    assert "Your PDF is being made." in first.content.decode()
    assert "This PDF is already being made" in second.content.decode()
    assert export.requested_by == learner


def test_asking_again_for_an_unchanged_version_serves_the_stored_file(
    client, learner, portfolio, version, django_capture_on_commit_callbacks
):
    client.force_login(learner)
    _ask(client, portfolio, version="1", capture=django_capture_on_commit_callbacks)

    response = client.post(
        reverse("portfolio:export_request", args=[portfolio.pk]), {"version": "1"}, follow=True
    )

    assert Export.objects.count() == 1
    assert "Nothing has changed since this PDF was made" in response.content.decode()


# --- Following its progress ----------------------------------------------------------------------


def test_the_status_page_polls_a_waiting_job_with_htmx(client, learner, portfolio):
    export = ExportFactory(portfolio=portfolio, status="running", progress=40, stage="Drawing the charts")
    export.started_at = timezone.now()
    export.save()
    client.force_login(learner)
    url = reverse("portfolio:export_status", args=[portfolio.pk, export.pk])

    page = client.get(url).content.decode()
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()

    for body in (page, partial):
        assert f'hx-get="{url}"' in body
        assert 'hx-trigger="every 2s"' in body
        assert '<progress id="export-progress" class="w-100 mb-3" max="100" value="40">' in body
        assert "Drawing the charts" in body
    assert "<html" in page
    assert "<html" not in partial
    assert partial.lstrip().startswith('<div id="export-status"')
    assert "You can leave this page" in partial  # the learner asked, so they will be told


def test_polling_stops_once_the_job_is_done(client, learner, portfolio):
    export = ExportFactory(portfolio=portfolio, done=True)
    client.force_login(learner)
    url = reverse("portfolio:export_status", args=[portfolio.pk, export.pk])

    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()

    assert "hx-trigger" not in partial
    assert "The PDF is ready" in partial
    assert "1 page," in partial
    assert reverse("portfolio:export_download", args=[portfolio.pk, export.pk]) in partial


def test_a_failed_job_shows_its_message_and_a_retry_that_makes_a_new_one(
    client, learner, portfolio, version, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(pdf, "render_portfolio_pdf", lambda **kwargs: (_ for _ in ()).throw(ValueError))
    client.force_login(learner)
    _ask(client, portfolio, version="1", capture=django_capture_on_commit_callbacks)
    failed = Export.objects.get()
    url = reverse("portfolio:export_status", args=[portfolio.pk, failed.pk])

    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()

    assert "hx-trigger" not in partial
    assert "The PDF could not be made" in partial
    assert f"reference: export {failed.pk}" in partial
    assert 'name="version" value="1"' in partial
    assert ">Try again</button>" in partial

    monkeypatch.undo()
    _ask(client, portfolio, version="1", capture=django_capture_on_commit_callbacks)
    retried = Export.objects.exclude(pk=failed.pk).get()
    assert (retried.status, retried.version) == ("done", version)


def test_a_lost_job_is_shown_as_failed_with_a_retry(client, learner, portfolio, settings):
    export = ExportFactory(portfolio=portfolio)
    client.force_login(learner)
    url = reverse("portfolio:export_status", args=[portfolio.pk, export.pk])

    with time_machine.travel(timezone.now() + timedelta(seconds=settings.EXPORT_STALE_AFTER + 1)):
        partial = client.get(url, headers={"HX-Request": "true"}).content.decode()

    assert "hx-trigger" not in partial
    assert "The export stopped without finishing" in partial
    assert ">Try again</button>" in partial


def test_the_status_page_has_no_inline_script_or_style(client, learner, portfolio):
    export = ExportFactory(portfolio=portfolio)
    client.force_login(learner)

    page = client.get(reverse("portfolio:export_status", args=[portfolio.pk, export.pk])).content.decode()

    assert "<script>" not in page
    assert " style=" not in page
    assert "<style" not in page


# --- Downloading -----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["learner", "assessor", "tutor", "iqa"])
def test_the_download_is_a_pdf_attachment_that_is_never_sniffed(client, request, persona, portfolio):
    export = ExportFactory(portfolio=portfolio, done=True)
    client.force_login(request.getfixturevalue(persona))

    response = finish(client.get(reverse("portfolio:export_download", args=[portfolio.pk, export.pk])))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["Content-Disposition"].endswith(
        "-working-copy-" + timezone.localdate().isoformat() + '.pdf"'
    )
    assert "sandbox" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]


def test_the_downloaded_file_is_the_stored_pdf(
    client, learner, portfolio, version, django_capture_on_commit_callbacks
):
    client.force_login(learner)
    _ask(client, portfolio, version="1", capture=django_capture_on_commit_callbacks)
    export = Export.objects.get()

    response = client.get(reverse("portfolio:export_download", args=[portfolio.pk, export.pk]))

    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF-")
    assert len(PdfReader(io.BytesIO(body)).pages) == export.page_count
    slug = slugify(learner.display_name)
    assert f'filename="portfolio-{slug}-version-1-' in response["Content-Disposition"]


@pytest.mark.parametrize("name", ["portfolio:export_status", "portfolio:export_download"])
def test_an_export_of_another_portfolio_gives_404_even_through_my_own(
    client, learner, other_learner, portfolio, name
):
    theirs = ExportFactory(portfolio=other_learner.portfolios.get(), done=True)
    client.force_login(learner)

    through_mine = client.get(reverse(name, args=[portfolio.pk, theirs.pk]))
    through_theirs = client.get(reverse(name, args=[theirs.portfolio_id, theirs.pk]))
    missing = client.get(reverse(name, args=[portfolio.pk, 999999]))

    assert through_mine.status_code == through_theirs.status_code == missing.status_code == 404


@pytest.mark.parametrize("status", ["pending", "running", "failed", "replaced"])
def test_an_export_without_a_finished_file_cannot_be_downloaded(client, learner, portfolio, status):
    export = ExportFactory(portfolio=portfolio, status=status)
    client.force_login(learner)

    response = client.get(reverse("portfolio:export_download", args=[portfolio.pk, export.pk]))

    assert response.status_code == 404


def test_a_replaced_export_says_so_and_offers_a_new_one(client, learner, portfolio):
    export = ExportFactory(portfolio=portfolio, status="replaced", finished_at=timezone.now())
    client.force_login(learner)

    body = client.get(reverse("portfolio:export_status", args=[portfolio.pk, export.pk])).content.decode()

    assert "A newer PDF replaced this one" in body
    assert reverse("portfolio:exports", args=[portfolio.pk]) in body
    assert "Export it again" in body
    assert reverse("portfolio:export_download", args=[portfolio.pk, export.pk]) not in body


# --- The list and the buttons ---------------------------------------------------------------------


def test_the_list_shows_recent_exports_with_their_state(client, learner, tutor, portfolio):
    tutor.first_name, tutor.last_name = "Tess", "Morgan"  # a name that needs no escaping
    tutor.save()
    ExportFactory(portfolio=portfolio, done=True)
    ExportFactory(portfolio=portfolio, status="failed", error="Broken")
    ExportFactory(portfolio=portfolio, requested_by=tutor)
    ExportFactory(portfolio=portfolio, requested_by=None, done=True)
    client.force_login(learner)

    page = client.get(reverse("portfolio:exports", args=[portfolio.pk])).content.decode()

    assert page.count("<tr>") == 1 + 4
    assert "Ready" in page
    assert "Failed" in page
    assert "Waiting to start" in page
    assert "Tess Morgan" in page
    assert "Command line" in page
    assert page.count(">Download<") == 2


@pytest.mark.parametrize("rows", [1, 20])
def test_the_list_costs_the_same_queries_for_1_or_20_exports(
    client, learner, portfolio, version, rows, django_assert_num_queries
):
    for _ in range(rows):
        ExportFactory(portfolio=portfolio, version=version, done=True)
    client.force_login(learner)

    # session, user, portfolio (with cohort, learner, assessor), exports (with version and
    # requester), version numbers for the form
    with django_assert_num_queries(5):
        response = client.get(reverse("portfolio:exports", args=[portfolio.pk]))

    assert response.content.decode().count(">Download<") == rows


@pytest.mark.parametrize("htmx", [False, True])
def test_the_status_page_costs_four_queries(client, learner, portfolio, htmx, django_assert_num_queries):
    export = ExportFactory(portfolio=portfolio, done=True)
    client.force_login(learner)
    headers = {"HX-Request": "true"} if htmx else {}

    # session, user, portfolio (with cohort, learner, assessor), export (with version and requester)
    with django_assert_num_queries(4):
        response = client.get(
            reverse("portfolio:export_status", args=[portfolio.pk, export.pk]), headers=headers
        )

    assert response.status_code == 200


def test_export_buttons_stand_where_people_see_the_portfolio(client, assessor, portfolio, version):
    client.force_login(assessor)
    action = f'action="{reverse("portfolio:export_request", args=[portfolio.pk])}"'

    detail = client.get(reverse("portfolio:portfolio_detail", args=[portfolio.pk])).content.decode()
    versions = client.get(reverse("portfolio:versions", args=[portfolio.pk])).content.decode()
    review = client.get(reverse("portfolio:version_detail", args=[portfolio.pk, 1])).content.decode()

    assert action in detail
    assert 'name="version" value=""' in detail
    for page in (versions, review):
        assert action in page
        assert 'name="version" value="1"' in page
        assert 'Export as PDF<span class="visually-hidden"> (version 1)</span>' in page
