"""The outbox: background work is written with the action that causes it, survives a broker
that refuses it, runs once however often it is delivered, and lost PDF jobs are started again
or failed with "Try again". The broker is faked here; tests/portfolio/test_broker_outage.py
runs the same journey against a real Redis that is stopped and started again."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from config.celery import app
from core import outbox
from core.models import Export, Invitation, Notification, OutboxMessage
from core.tasks import send_invitation_email, send_notification_email, sweep_outbox
from reports import pdf
from reports import services as exports
from reports.tasks import render_export
from tests.factories import InvitationFactory
from tests.portfolio.factories import ExportFactory


@pytest.fixture
def broker(monkeypatch):
    """A broker outside the process, faked: ``down`` makes every hand-over fail as kombu does
    when Redis refuses the connection; otherwise hand-overs are recorded, not run."""

    class Broker:
        down = False
        sent: list[tuple[str, list, str]] = []

    state = Broker()
    state.sent = []

    def fake_apply_async(task):
        def apply_async(*, args, task_id, **options):
            if state.down:
                raise BrokerError("Error 111 connecting to 127.0.0.1:6411. Connection refused.")
            state.sent.append((task.name, list(args), task_id))

        return apply_async

    for task in (send_invitation_email, send_notification_email, render_export):
        monkeypatch.setattr(task, "apply_async", fake_apply_async(task))
    app.conf.task_always_eager = False
    yield state
    app.conf.task_always_eager = True


def _deliver(state) -> None:
    """What a worker does with what the broker holds: run each task under its own task id."""
    for name, args, task_id in state.sent:
        app.tasks[name].apply(args=args, task_id=task_id)
    state.sent.clear()


# --- Written with the action ---------------------------------------------------------------------


@pytest.mark.django_db
def test_it_writes_nothing_and_sends_nothing_when_the_action_rolls_back(
    cohort, tutor, broker, django_capture_on_commit_callbacks
):
    from core import services

    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                services.invite_person(cohort=cohort, email="jo@example.org", role="learner", actor=tutor)
                raise RuntimeError("the request failed afterwards")
        except RuntimeError:
            pass

    assert not OutboxMessage.objects.exists()
    assert not Invitation.objects.exists()
    assert broker.sent == []


@pytest.mark.django_db
def test_it_hands_the_message_over_once_the_action_commits(
    cohort, tutor, broker, django_capture_on_commit_callbacks
):
    from core import services

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invitation = services.invite_person(
            cohort=cohort, email="jo@example.org", role="learner", actor=tutor
        )
    message = OutboxMessage.objects.get()
    assert (message.task, message.args, message.dispatched_at) == (
        send_invitation_email.name,
        [invitation.pk],
        None,
    )

    callbacks[0]()

    message.refresh_from_db()
    assert broker.sent == [(send_invitation_email.name, [invitation.pk], message.task_id)]
    assert message.dispatched_at is not None
    assert message.deliveries == 1


# --- A broker that is down -------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_keeps_the_message_when_the_broker_is_down_and_the_sweeper_hands_it_over_later(
    cohort, tutor, broker, mailoutbox, django_capture_on_commit_callbacks
):
    from core import services

    broker.down = True
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invite_person(
            cohort=cohort, email="jo@example.org", role="learner", actor=tutor
        )

    message = OutboxMessage.objects.get()
    assert message.dispatched_at is None
    assert message.failed_dispatches == 1
    assert "Connection refused" in message.last_error
    assert outbox.sweep() == {"sent": 0, "delayed": 1, "gave_up": 0}  # still down: kept

    broker.down = False
    assert sweep_outbox.apply().get()["sent"] == 1
    _deliver(broker)

    message.refresh_from_db()
    assert message.done_at is not None
    assert [m.to for m in mailoutbox] == [[invitation.email]]
    assert outbox.sweep()["sent"] == 0  # nothing is sent twice


@pytest.mark.django_db
def test_the_sweeper_hands_messages_over_oldest_first(broker):
    invitations = InvitationFactory.create_batch(3)
    now = timezone.now()
    for minutes, invitation in enumerate(invitations, start=1):  # the last one written is the oldest
        with time_machine.travel(now - timedelta(minutes=minutes)):
            outbox.enqueue(send_invitation_email, args=[invitation.pk])  # not committed: not sent

    outbox.sweep()

    assert [args for _, args, _ in broker.sent] == [[i.pk] for i in reversed(invitations)]


@pytest.mark.django_db(transaction=True)
def test_inviting_while_the_broker_is_down_saves_the_invitation_and_says_the_email_will_follow(
    client, tutor, cohort, broker
):
    broker.down = True
    client.force_login(tutor)

    response = client.post(
        reverse("portfolio:cohort_invite", args=[cohort.pk]),
        {"email": "jo@example.org", "role": "learner"},
        follow=True,
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Invitation to jo@example.org as learner saved." in page
    assert "The e-mail will be sent as soon as the mail service is back" in page
    invitation = Invitation.objects.get()
    assert OutboxMessage.objects.get().args == [invitation.pk]


@pytest.mark.django_db(transaction=True)
def test_submitting_while_the_broker_is_down_says_the_assessor_will_be_told(
    client, learner, portfolio, filled, assessor, broker
):
    broker.down = True
    client.force_login(learner)

    response = client.post(
        reverse("portfolio:submit", args=[portfolio.pk]), {"declaration": "on"}, follow=True
    )

    assert response.status_code == 200
    assert "Version 1 submitted. Your assessor will be told as soon as the mail service is back" in (
        response.content.decode()
    )
    note = Notification.objects.get(recipient=assessor)  # in the app at once
    assert OutboxMessage.objects.get(task=send_notification_email.name).args == [note.pk]


@pytest.mark.django_db(transaction=True)
def test_asking_for_a_pdf_while_the_broker_is_down_keeps_the_request_and_says_so(
    client, learner, portfolio, broker
):
    broker.down = True
    client.force_login(learner)

    response = client.post(reverse("portfolio:export_request", args=[portfolio.pk]), follow=True)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Your request for the PDF is saved" in page
    assert "the PDF will be made as soon as the service is back" in page  # the status page says so too
    export = Export.objects.get()
    assert export.status == Export.Status.PENDING
    assert OutboxMessage.objects.get().task_id == export.token


@pytest.mark.django_db
def test_a_pdf_waiting_for_the_broker_longer_than_any_render_is_not_given_up(
    portfolio, learner, broker, settings
):
    broker.down = True
    export, _ = exports.request_export(portfolio=portfolio, version=None, actor=learner)

    with time_machine.travel(timezone.now() + timedelta(seconds=settings.EXPORT_STALE_AFTER + 60)):
        export.refresh_from_db()
        assert not export.is_stale
        again, created = exports.request_export(portfolio=portfolio, version=None, actor=learner)
        exports.recover_lost_exports()

    assert (again.pk, created) == (export.pk, False)  # delayed, not lost: the new request joins it
    export.refresh_from_db()
    assert export.status == Export.Status.PENDING


# --- Delivered twice -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_invitation_delivered_twice_is_emailed_once(mailoutbox, django_capture_on_commit_callbacks):
    invitation = InvitationFactory()
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox.enqueue(send_invitation_email, args=[invitation.pk])  # in-process: runs now
    assert len(mailoutbox) == 1

    again = send_invitation_email.apply(args=[invitation.pk], task_id=message.task_id)

    assert again.get() is False
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_a_delivery_while_another_run_holds_the_message_does_nothing(mailoutbox, broker):
    invitation = InvitationFactory()
    message = outbox.enqueue(send_invitation_email, args=[invitation.pk])
    assert outbox.start_run(message.task_id, exclusive=True)  # a run on another worker

    assert send_invitation_email.apply(args=[invitation.pk], task_id=message.task_id).get() is False
    assert mailoutbox == []


@pytest.mark.django_db
def test_a_failed_run_leaves_the_message_for_the_next_delivery(mailoutbox, broker, monkeypatch):
    from core import emails

    invitation = InvitationFactory()
    message = outbox.enqueue(send_invitation_email, args=[invitation.pk])
    monkeypatch.setattr(send_invitation_email, "max_retries", 0)
    outage = [OSError("smtp down")]
    real_send = emails.send_mail

    def send_mail(**kwargs):
        if outage:
            raise outage.pop()
        return real_send(**kwargs)

    monkeypatch.setattr(emails, "send_mail", send_mail)

    with pytest.raises(OSError, match="smtp down"):
        send_invitation_email.apply(args=[invitation.pk], task_id=message.task_id, throw=True)
    message.refresh_from_db()
    assert (message.started_at, message.done_at) == (None, None)

    assert send_invitation_email.apply(args=[invitation.pk], task_id=message.task_id).get() is True
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_a_message_the_broker_lost_is_handed_over_again_then_given_up(
    broker, settings, django_capture_on_commit_callbacks
):
    invitation = InvitationFactory()
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox.enqueue(send_invitation_email, args=[invitation.pk])
    assert len(broker.sent) == 1

    assert outbox.sweep()["sent"] == 0  # handed over a moment ago: not yet
    later = timezone.now()
    for delivery in range(2, settings.OUTBOX_MAX_DELIVERIES + 1):
        later += timedelta(seconds=settings.OUTBOX_REDELIVER_AFTER + 1)
        with time_machine.travel(later):
            assert outbox.sweep()["sent"] == 1
    assert len(broker.sent) == settings.OUTBOX_MAX_DELIVERIES
    with time_machine.travel(later + timedelta(seconds=settings.OUTBOX_REDELIVER_AFTER + 1)):
        assert outbox.sweep() == {"sent": 0, "delayed": 0, "gave_up": 1}

    message.refresh_from_db()
    assert message.gave_up_at is not None
    assert {task_id for _, _, task_id in broker.sent} == {message.task_id}  # one id: runs once


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    [
        "core.tasks.renamed_long_ago",  # the module is there, the task is not
        "portfolio.tasks.send_invitation_email",  # the module is gone (it became core.tasks)
        "sweep_outbox",  # no module part at all
        ".tasks.sweep_outbox",  # a relative name
    ],
)
def test_a_message_for_a_task_that_no_longer_exists_is_given_up_without_stopping_the_rest(
    broker, caplog, name
):
    invitation = InvitationFactory()
    OutboxMessage.objects.create(task=name, args=[1])
    message = outbox.enqueue(send_invitation_email, args=[invitation.pk])

    outbox.sweep()

    assert OutboxMessage.objects.get(task=name).gave_up_at is not None
    assert broker.sent == [(send_invitation_email.name, [invitation.pk], message.task_id)]
    assert f"no task is named {name}" in caplog.text


@pytest.mark.django_db
def test_messages_done_a_week_ago_are_removed_and_those_given_up_kept(broker):
    invitation = InvitationFactory()
    done = outbox.enqueue(send_invitation_email, args=[invitation.pk])
    recent = outbox.enqueue(send_invitation_email, args=[invitation.pk])
    given_up = outbox.enqueue(send_invitation_email, args=[invitation.pk])
    eight_days_ago = timezone.now() - timedelta(days=8)
    OutboxMessage.objects.filter(pk=done.pk).update(done_at=eight_days_ago)
    OutboxMessage.objects.filter(pk=recent.pk).update(done_at=timezone.now() - timedelta(days=6))
    OutboxMessage.objects.filter(pk=given_up.pk).update(gave_up_at=eight_days_ago)

    outbox.sweep()

    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {recent.pk, given_up.pk}


# --- PDF jobs whose worker died -----------------------------------------------------------------------


def _running_without_heartbeat(export: Export, *, attempts: int = 1, silent_for: int = 31) -> None:
    Export.objects.filter(pk=export.pk).update(
        status=Export.Status.RUNNING,
        claimed_by=export.token,
        attempts=attempts,
        started_at=timezone.now() - timedelta(seconds=silent_for),
        heartbeat_at=timezone.now() - timedelta(seconds=silent_for),
    )
    OutboxMessage.objects.filter(task_id=export.token).update(started_at=timezone.now())


@pytest.mark.django_db
def test_a_job_whose_heartbeat_stopped_is_started_again_by_the_sweeper(portfolio, learner, broker, settings):
    export, _ = exports.request_export(portfolio=portfolio, version=None, actor=learner)
    broker.sent.clear()
    _running_without_heartbeat(export, silent_for=settings.EXPORT_HEARTBEAT_TIMEOUT + 1)

    assert sweep_outbox.apply().get()["exports_restarted"] == 1

    export.refresh_from_db()
    assert export.status == Export.Status.PENDING
    assert "starting again" in export.stage
    assert broker.sent == [(render_export.name, [export.pk], export.token)]
    _deliver(broker)
    export.refresh_from_db()
    assert export.status == Export.Status.DONE
    assert export.attempts == 2
    assert Notification.objects.filter(recipient=learner).count() == 1


@pytest.mark.django_db
def test_a_job_with_a_recent_heartbeat_is_left_alone(portfolio, learner, broker, settings):
    export, _ = exports.request_export(portfolio=portfolio, version=None, actor=learner)
    _running_without_heartbeat(export, silent_for=settings.EXPORT_HEARTBEAT_TIMEOUT - 10)

    assert exports.recover_lost_exports() == {"restarted": 0, "failed": 0}
    export.refresh_from_db()
    assert export.status == Export.Status.RUNNING


@pytest.mark.django_db
def test_a_job_lost_too_often_is_failed_with_try_again_and_a_new_request_does_not_join_it(
    client, portfolio, learner, broker, settings
):
    export, _ = exports.request_export(portfolio=portfolio, version=None, actor=learner)
    _running_without_heartbeat(export, attempts=settings.EXPORT_MAX_RETRIES + 1)

    again, created = exports.request_export(portfolio=portfolio, version=None, actor=learner)

    export.refresh_from_db()
    assert export.status == Export.Status.FAILED
    assert "try again" in export.error
    assert created is True
    assert again.pk != export.pk
    client.force_login(learner)
    partial = client.get(
        reverse("portfolio:export_status", args=[portfolio.pk, export.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert ">Try again</button>" in partial
    assert "hx-trigger" not in partial


@pytest.mark.django_db
def test_a_waiting_job_with_nothing_queued_is_failed_and_not_joined(portfolio, learner, broker):
    key = exports.content_key(portfolio=portfolio, version=None)
    with time_machine.travel(timezone.now() - timedelta(minutes=2)):
        orphan = ExportFactory(portfolio=portfolio, content_key=key, requested_by=learner)  # no message

    export, created = exports.request_export(portfolio=portfolio, version=None, actor=learner)

    orphan.refresh_from_db()
    assert (orphan.status, orphan.error) == (Export.Status.FAILED, exports.NOT_QUEUED_MESSAGE)
    assert created is True
    assert export.pk != orphan.pk


@pytest.mark.django_db
def test_a_worker_renders_with_a_heartbeat_thread(portfolio, learner, settings, monkeypatch):
    """The heartbeat thread writes while a slow stage runs, and stops with the render."""
    import threading

    from django.db.models.query import QuerySet

    settings.EXPORT_HEARTBEAT_SECONDS = 0.05
    beats = []
    real_update = QuerySet.update

    def counting_update(queryset, **fields):
        # The thread's own database connection would wait on the test's open transaction.
        if threading.current_thread().name.endswith("heartbeat"):
            beats.append(fields["heartbeat_at"])
            return 1
        return real_update(queryset, **fields)

    monkeypatch.setattr(QuerySet, "update", counting_update)
    real = pdf.render_portfolio_pdf

    def slow(**kwargs):
        import time

        time.sleep(0.3)
        return real(**kwargs)

    monkeypatch.setattr(pdf, "render_portfolio_pdf", slow)
    export, _ = exports.request_export(portfolio=portfolio, version=None, actor=learner, queue=False)

    done = exports.perform_export(export_id=export.pk, claimant="worker-1", heartbeat=True)

    assert done.status == Export.Status.DONE
    assert len(beats) >= 2
    assert not [t for t in threading.enumerate() if t.name.endswith("heartbeat")]


@pytest.mark.django_db
def test_password_reset_mail_and_the_image_check_are_queued_through_the_outbox(
    learner, django_capture_on_commit_callbacks
):
    from core.password_reset import request_password_reset
    from evidence import privacy
    from tests.evidence.factories import FileEvidenceFactory

    image = FileEvidenceFactory(portfolio=learner.portfolios.get())
    with django_capture_on_commit_callbacks(execute=False):
        request_password_reset(email=learner.email, address="192.0.2.1")
        privacy.start_image_scan(evidence=image, actor=learner)

    assert set(OutboxMessage.objects.values_list("task", flat=True)) == {
        "core.tasks.send_password_reset_email",
        "evidence.tasks.scan_evidence_image",
    }
