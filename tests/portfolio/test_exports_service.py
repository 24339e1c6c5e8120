"""The export service and task: one job per content, one file, one notification, and every
failure ends as a failed job with a message rather than a job waiting for ever."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import time_machine
from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.storage import default_storage
from django.db import OperationalError, transaction
from django.utils import timezone
from pypdf import PdfReader

from core.models import STALE_EXPORT_MESSAGE, Export, Notification
from reports import pdf
from reports import services as exports
from reports.services import requesting
from reports.tasks import render_export
from tests.evidence.factories import EvidenceFactory
from tests.portfolio.conftest import decide
from tests.portfolio.factories import ExportFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def renders(monkeypatch):
    """Counts the renders (each goes through to the real renderer)."""
    calls = []
    real = pdf.render_portfolio_pdf

    def counting(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(pdf, "render_portfolio_pdf", counting)
    return calls


def _failing_with(monkeypatch, *errors):
    """The renderer raises each error in turn, then renders normally."""
    queue = list(errors)
    real = pdf.render_portfolio_pdf

    def render(**kwargs):
        if queue:
            raise queue.pop(0)
        return real(**kwargs)

    monkeypatch.setattr(pdf, "render_portfolio_pdf", render)


def _export(portfolio, learner, version=None, capture=None):
    """Ask for an export and run what was queued, as a commit does."""
    with capture(execute=True):
        export, created = exports.request_export(portfolio=portfolio, version=version, actor=learner)
    export.refresh_from_db()
    return export, created


# --- Queueing ---------------------------------------------------------------------------------


def test_the_task_is_queued_only_once_the_row_is_committed(
    portfolio, learner, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(render_export, "apply_async", lambda **kwargs: queued.append(kwargs))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        export, created = exports.request_export(portfolio=portfolio, version=None, actor=learner)
        assert queued == []  # not before the commit

    assert created is True
    assert export.status == Export.Status.PENDING
    assert len(callbacks) == 1
    callbacks[0]()
    assert queued == [{"args": [export.pk], "task_id": export.token}]


def test_nothing_is_queued_or_kept_when_the_transaction_rolls_back(
    portfolio, learner, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(render_export, "apply_async", lambda **kwargs: queued.append(kwargs))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                exports.request_export(portfolio=portfolio, version=None, actor=learner)
                raise RuntimeError("the request failed after asking")
        except RuntimeError:
            pass

    assert callbacks == []
    assert queued == []
    assert not Export.objects.exists()


def test_the_task_renders_stores_and_notifies_the_requester_once(
    portfolio, learner, django_capture_on_commit_callbacks
):
    export, created = _export(portfolio, learner, capture=django_capture_on_commit_callbacks)

    assert created is True
    assert export.status == Export.Status.DONE
    assert (export.progress, export.stage) == (100, "Ready")
    assert export.file.name == f"exports/{portfolio.pk}/{export.token}.pdf"
    assert len(export.token) >= 32  # the stored name cannot be guessed from ids
    with default_storage.open(export.file.name, "rb") as stored:
        content = stored.read()
    assert content.startswith(b"%PDF-")
    pages = len(PdfReader(io.BytesIO(content)).pages)
    assert (export.size, export.page_count, export.attempts) == (len(content), pages, 1)
    assert export.started_at <= export.finished_at
    note = Notification.objects.get()
    assert note.recipient == learner
    assert "is ready" in note.subject
    assert note.url == f"/portfolios/{portfolio.pk}/exports/{export.pk}/"


def test_a_version_already_rendered_is_served_from_the_stored_file(
    portfolio, learner, version, renders, django_capture_on_commit_callbacks
):
    first, _ = _export(portfolio, learner, version, capture=django_capture_on_commit_callbacks)
    again, created = _export(portfolio, learner, version, capture=django_capture_on_commit_callbacks)

    assert created is False
    assert again.pk == first.pk
    assert len(renders) == 1
    assert Export.objects.count() == 1
    assert Notification.objects.filter(subject__contains="PDF").count() == 1


def test_an_outcome_recorded_later_makes_a_new_document(
    portfolio, learner, assessor, version, criteria, renders, django_capture_on_commit_callbacks
):
    before, _ = _export(portfolio, learner, version, capture=django_capture_on_commit_callbacks)
    decide(version, criteria[0], assessor, status="not_yet_met", feedback="Add the weekend times.")
    unchanged, created = _export(portfolio, learner, version, capture=django_capture_on_commit_callbacks)
    assert created is False  # a decision alone does not show until the version is closed
    from assessment.services import return_version

    return_version(version=version, comment="Nearly there.", actor=assessor)

    after, created = _export(portfolio, learner, version, capture=django_capture_on_commit_callbacks)

    assert unchanged.pk == before.pk
    assert created is True
    assert after.pk != before.pk
    assert after.content_key != before.content_key
    assert len(renders) == 2


def test_a_quality_sample_recorded_after_the_outcome_makes_a_new_document(
    portfolio, learner, assessor, iqa, version, criteria, renders, django_capture_on_commit_callbacks
):
    from assessment.services import record_finding, return_version, sample_decisions

    decision = decide(version, criteria[0], assessor, status="not_yet_met", feedback="Add the weekend times.")
    return_version(version=version, comment="Nearly there.", actor=assessor)
    capture = django_capture_on_commit_callbacks
    closed, _ = _export(portfolio, learner, version, capture=capture)
    (sample,) = sample_decisions(decisions=[decision], actor=iqa)
    sampled, created_sampled = _export(portfolio, learner, version, capture=capture)
    record_finding(sample=sample, finding="agreed", comment="Feedback is specific.", actor=iqa)
    reviewed, created_reviewed = _export(portfolio, learner, version, capture=capture)

    assert (created_sampled, created_reviewed) == (True, True)
    assert len({closed.content_key, sampled.content_key, reviewed.content_key}) == 3
    assert len(renders) == 3


def test_the_working_copy_renders_again_only_after_a_change(
    portfolio, learner, filled, renders, django_capture_on_commit_callbacks
):
    first, _ = _export(portfolio, learner, capture=django_capture_on_commit_callbacks)
    same, created_same = _export(portfolio, learner, capture=django_capture_on_commit_callbacks)
    EvidenceFactory(portfolio=portfolio, title="A reflection written afterwards")
    changed, created_changed = _export(portfolio, learner, capture=django_capture_on_commit_callbacks)

    assert (same.pk, created_same) == (first.pk, False)
    assert created_changed is True
    assert changed.pk != first.pk
    assert len(renders) == 2


def test_a_newer_pdf_of_the_same_copy_replaces_the_older_file(
    portfolio, learner, version, filled, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    of_version, _ = _export(portfolio, learner, version, capture=capture)
    first, _ = _export(portfolio, learner, capture=capture)
    EvidenceFactory(portfolio=portfolio, title="A reflection written afterwards")
    second, _ = _export(portfolio, learner, capture=capture)
    first_name = first.file.name
    first.refresh_from_db()
    of_version.refresh_from_db()

    assert first.status == Export.Status.REPLACED
    assert first.file.name == ""
    assert not default_storage.exists(first_name)  # storage does not grow with every edit
    assert second.status == Export.Status.DONE
    assert default_storage.exists(second.file.name)
    # A version's PDF is another document: the working copy's newer PDF leaves it alone.
    assert of_version.status == Export.Status.DONE
    assert default_storage.exists(of_version.file.name)


def test_a_new_assessor_changes_the_working_copy_document(portfolio, learner, other_assessor):
    before = exports.content_key(portfolio=portfolio, version=None)
    portfolio.assessor = other_assessor
    portfolio.save()

    assert exports.content_key(portfolio=portfolio, version=None) != before


def test_a_job_under_way_is_shared_rather_than_queued_twice(
    portfolio, learner, tutor, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(render_export, "apply_async", lambda **kwargs: None)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first, _ = exports.request_export(portfolio=portfolio, version=None, actor=learner)
        second, created = exports.request_export(portfolio=portfolio, version=None, actor=tutor)

    assert (second.pk, created) == (first.pk, False)
    assert len(callbacks) == 1


def test_two_requests_at_the_same_moment_share_one_job(portfolio, learner, monkeypatch):
    """The second request did not see the first's row (they raced): the constraint refuses its
    insert and it returns the first's job."""
    monkeypatch.setattr(render_export, "apply_async", lambda **kwargs: None)
    key = exports.content_key(portfolio=portfolio, version=None)
    first = ExportFactory(portfolio=portfolio, content_key=key)
    real = requesting._reusable
    looks = []

    def raced(portfolio, key):
        looks.append(key)
        return None if len(looks) == 1 else real(portfolio, key)

    monkeypatch.setattr(requesting, "_reusable", raced)

    export, created = exports.request_export(portfolio=portfolio, version=None, actor=learner)

    assert (export.pk, created) == (first.pk, False)
    assert Export.objects.count() == 1


def test_a_version_of_another_portfolio_is_refused(portfolio, learner, other_learner, filled):
    from assessment.services import submit_portfolio

    others = other_learner.portfolios.get()
    EvidenceFactory(portfolio=others)
    their_version = submit_portfolio(portfolio=others, declaration_signed=True, actor=other_learner)

    with pytest.raises(exports.ExportError):
        exports.request_export(portfolio=portfolio, version=their_version, actor=learner)
    assert not Export.objects.exists()


def test_a_stored_file_that_went_missing_is_made_again(
    portfolio, learner, renders, django_capture_on_commit_callbacks
):
    first, _ = _export(portfolio, learner, capture=django_capture_on_commit_callbacks)
    default_storage.delete(first.file.name)

    second, created = _export(portfolio, learner, capture=django_capture_on_commit_callbacks)

    assert created is True
    assert second.status == Export.Status.DONE
    assert default_storage.exists(second.file.name)
    first.refresh_from_db()
    assert first.status == Export.Status.FAILED


# --- Idempotence --------------------------------------------------------------------------------


def test_running_a_done_job_again_does_nothing(
    portfolio, learner, renders, django_capture_on_commit_callbacks
):
    export, _ = _export(portfolio, learner, capture=django_capture_on_commit_callbacks)

    assert render_export.apply(args=[export.pk], task_id=export.token).get() == "skipped"
    assert exports.perform_export(export_id=export.pk, claimant="someone-else") is None

    assert len(renders) == 1
    assert Notification.objects.count() == 1
    assert sorted(default_storage.listdir(f"exports/{portfolio.pk}")[1]) == [f"{export.token}.pdf"]


def test_a_redelivered_task_takes_over_its_own_running_job(portfolio, learner):
    """The worker that held the job was killed mid-render; the same message comes back."""
    export = ExportFactory(portfolio=portfolio, status="running", claimed_by="task-1", attempts=1)

    assert exports.perform_export(export_id=export.pk, claimant="other-run") is None
    done = exports.perform_export(export_id=export.pk, claimant="task-1")

    assert done.status == Export.Status.DONE
    assert done.attempts == 2
    assert Notification.objects.count() == 1


def test_a_run_that_lost_its_job_keeps_no_file(portfolio, learner, monkeypatch):
    """The job was given up as lost (and failed) while this run was still rendering."""
    export = ExportFactory(portfolio=portfolio)
    real = pdf.render_portfolio_pdf

    def slow_render(**kwargs):
        rendered = real(**kwargs)
        Export.objects.filter(pk=export.pk).update(status="failed", error=STALE_EXPORT_MESSAGE)
        return rendered

    monkeypatch.setattr(pdf, "render_portfolio_pdf", slow_render)

    result = exports.perform_export(export_id=export.pk, claimant="task-1")

    assert result.status == Export.Status.FAILED
    assert not default_storage.exists(f"exports/{portfolio.pk}/{export.token}.pdf")
    assert not Notification.objects.exists()


# --- Progress -------------------------------------------------------------------------------------


def test_progress_and_stage_reach_the_row_and_are_throttled(portfolio, learner, monkeypatch):
    export = ExportFactory(portfolio=portfolio)
    seen = []
    real = pdf.render_portfolio_pdf

    def render(*, progress, **kwargs):
        def row():
            return tuple(Export.objects.filter(pk=export.pk).values_list("progress", "stage").get())

        progress(40, "Drawing the charts")
        seen.append(row())
        progress(45, "Drawing the charts")  # same stage, straight after: not written
        seen.append(row())
        progress(60, "Laying out the pages")  # a new stage is always written
        seen.append(row())
        progress(250, "Writing the PDF")  # out of range: kept below 100 until done
        seen.append(row())
        return real(progress=None, **kwargs)

    monkeypatch.setattr(pdf, "render_portfolio_pdf", render)

    exports.perform_export(export_id=export.pk, claimant="task-1")

    assert seen == [
        (40, "Drawing the charts"),
        (40, "Drawing the charts"),
        (60, "Laying out the pages"),
        (99, "Writing the PDF"),
    ]


# --- Failures -------------------------------------------------------------------------------------


def test_a_render_error_marks_the_job_failed_with_a_message_and_tells_the_requester(
    portfolio, learner, monkeypatch, django_capture_on_commit_callbacks
):
    _failing_with(monkeypatch, ValueError("a bug in the renderer"), ValueError("again"))

    export, _ = _export(portfolio, learner, capture=django_capture_on_commit_callbacks)

    assert export.status == Export.Status.FAILED
    assert "unexpected error" in export.error
    assert f"export {export.pk}" in export.error
    assert "a bug in the renderer" not in export.error  # internals stay in the log
    assert not export.file.name
    assert export.attempts == 1  # not a transient error: no retry
    assert "could not be made" in Notification.objects.get().subject


def test_a_document_without_pages_is_refused(portfolio, learner, monkeypatch):
    export = ExportFactory(portfolio=portfolio)
    monkeypatch.setattr(pdf, "render_portfolio_pdf", lambda **kwargs: pdf.RenderedPdf(b"<html>", 0, ()))

    result = exports.perform_export(export_id=export.pk, claimant="task-1")

    assert result.status == Export.Status.FAILED
    assert result.error == "The PDF could not be made: The renderer produced no pages."


def test_the_soft_time_limit_marks_the_job_failed(
    portfolio, learner, monkeypatch, django_capture_on_commit_callbacks
):
    _failing_with(monkeypatch, SoftTimeLimitExceeded())

    export, _ = _export(portfolio, learner, capture=django_capture_on_commit_callbacks)

    assert export.status == Export.Status.FAILED
    assert export.error.startswith("Making the PDF took longer than 4 minutes, so it was stopped.")


def test_a_render_past_the_soft_limit_is_stopped_where_celery_cannot_interrupt_it(
    portfolio, learner, settings, django_capture_on_commit_callbacks
):
    """In-process tasks and the command line have no Celery time limit: the progress callback
    stops a render that has run out of time."""
    settings.EXPORT_SOFT_TIME_LIMIT = -1  # already out of time at the first report

    export, _ = _export(portfolio, learner, capture=django_capture_on_commit_callbacks)

    assert export.status == Export.Status.FAILED
    assert "took longer than" in export.error


def test_a_transient_error_is_retried_and_the_export_completes(
    portfolio, learner, monkeypatch, django_capture_on_commit_callbacks
):
    _failing_with(monkeypatch, OSError("storage unavailable"), OperationalError("database restarting"))

    export, _ = _export(portfolio, learner, capture=django_capture_on_commit_callbacks)

    assert export.status == Export.Status.DONE
    assert export.attempts == 3
    assert Notification.objects.count() == 1


def test_a_transient_error_that_persists_ends_as_failed(
    portfolio, learner, settings, monkeypatch, django_capture_on_commit_callbacks
):
    _failing_with(monkeypatch, *[OSError("storage unavailable")] * 10)

    export, _ = _export(portfolio, learner, capture=django_capture_on_commit_callbacks)

    retries = render_export.max_retries
    assert export.status == Export.Status.FAILED
    assert export.attempts == retries + 1
    assert export.error == (
        f"A temporary problem with the server stopped the PDF {retries + 1} times. "
        "Try again in a few minutes."
    )
    assert Notification.objects.count() == 1


def test_a_retry_puts_the_job_back_in_the_queue_with_a_stage(portfolio):
    export = ExportFactory(portfolio=portfolio, status="running", claimed_by="task-1")

    exports.release_for_retry(export_id=export.pk, claimant="task-1", attempt=1)

    export.refresh_from_db()
    assert (export.status, export.claimed_by) == ("pending", "")
    assert export.stage == "A temporary problem stopped attempt 1: trying again shortly"


def test_backoff_grows_and_is_capped():
    from reports.tasks import _backoff

    assert [_backoff(n) for n in range(6)] == [5, 10, 20, 40, 60, 60]


# --- Lost jobs --------------------------------------------------------------------------------


def test_a_job_waiting_longer_than_the_hard_limit_is_shown_as_failed_and_replaced(
    portfolio, learner, settings, monkeypatch
):
    monkeypatch.setattr(render_export, "apply_async", lambda **kwargs: None)
    key = exports.content_key(portfolio=portfolio, version=None)
    lost = ExportFactory(portfolio=portfolio, content_key=key)
    running = ExportFactory(portfolio=portfolio, status="running", started_at=timezone.now())
    assert not lost.is_stale

    with time_machine.travel(timezone.now() + timedelta(seconds=settings.EXPORT_STALE_AFTER + 1)):
        lost.refresh_from_db()
        assert lost.is_stale
        assert lost.shown_status == Export.Status.FAILED
        assert lost.shown_error == STALE_EXPORT_MESSAGE
        assert not lost.is_active

        export, created = exports.request_export(portfolio=portfolio, version=None, actor=learner)

    assert created is True
    assert export.pk != lost.pk
    lost.refresh_from_db()
    running.refresh_from_db()
    assert (lost.status, lost.error) == ("failed", STALE_EXPORT_MESSAGE)
    assert running.status == "failed"
    # The lost job's message, if it is ever delivered, finds nothing to do.
    assert exports.perform_export(export_id=lost.pk, claimant=lost.token) is None


def test_a_job_running_within_the_limit_is_not_stale(portfolio, settings):
    export = ExportFactory(portfolio=portfolio, status="running", started_at=timezone.now())

    with time_machine.travel(timezone.now() + timedelta(seconds=settings.EXPORT_STALE_AFTER - 5)):
        assert not export.is_stale
        assert export.shown_status == Export.Status.RUNNING
