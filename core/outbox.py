"""The transactional outbox: background work that survives a broker outage.

Every piece of work done later (an e-mail, a PDF render, a service data import) is queued with
``enqueue`` inside the transaction of the action that causes it, as an ``OutboxMessage`` row.
Once that transaction commits the message is handed to the broker; if the broker is down the
hand-over gives up within about two seconds (settings: ``CELERY_BROKER_CONNECTION_TIMEOUT``,
``CELERY_TASK_PUBLISH_RETRY_POLICY``) and the row waits for ``sweep``, which Celery beat runs
every ``OUTBOX_SWEEP_SECONDS``. So an outage delays work, never loses it, and never fails the
request of the person who caused it.

A message can be delivered more than once (the sweeper hands it over again if the broker lost
it, Redis redelivers a task whose worker died). Tasks take ``base=OutboxTask``, which looks the
message up by the Celery task id: a delivery of a message already done is skipped, and so is a
second delivery while another run holds the message (``exclusive``), so an e-mail goes once.

Without a broker (``CELERY_TASK_ALWAYS_EAGER``, the embedded default and the unit tests) the
hand-over runs the task in-process when the transaction commits, as before.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from celery import Task, current_app
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from core.models import OutboxMessage
from core.observability import bound_request_id, current_request_id

log = logging.getLogger(__name__)

SWEEP_BATCH = 200
# Messages run to the end are kept this long (to look into what was sent), then removed; those
# given up stay until someone looks at them.
KEEP_DONE = timedelta(days=7)


@dataclass
class Watch:
    """What the outbox did with the messages queued while it watched (see ``watch``)."""

    sent: list[int] = field(default_factory=list)
    delayed: list[int] = field(default_factory=list)


_watch: ContextVar[Watch | None] = ContextVar("outbox_watch", default=None)


@contextmanager
def watch() -> Iterator[Watch]:
    """Note which messages queued in the block could not be handed over at once, so a view can
    say so in plain words ("the e-mail goes as soon as the mail service is back")."""
    current = Watch()
    token = _watch.set(current)
    try:
        yield current
    finally:
        _watch.reset(token)


def enqueue(task: Task[..., Any] | str, *, args: list[Any], task_id: str | None = None) -> OutboxMessage:
    """Write the message in the current transaction; hand it over once the transaction commits."""
    name = task if isinstance(task, str) else task.name
    fields: dict[str, Any] = {"task": name, "args": list(args), "request_id": current_request_id()}
    if task_id:
        fields["task_id"] = task_id
    message = OutboxMessage.objects.create(**fields)
    transaction.on_commit(lambda: dispatch(message.pk))
    return message


def requeue(*, task_id: str) -> None:
    """Make a message ready to be handed over again (its task was lost with its worker)."""
    OutboxMessage.objects.filter(task_id=task_id).update(
        due_at=timezone.now(),
        dispatched_at=None,
        started_at=None,
        done_at=None,
        gave_up_at=None,
        deliveries=0,
    )
    transaction.on_commit(lambda: _dispatch_by_task_id(task_id))


def _dispatch_by_task_id(task_id: str) -> None:
    pk = OutboxMessage.objects.filter(task_id=task_id).values_list("pk", flat=True).first()
    if pk is not None:
        dispatch(pk)


def _task_named(name: str) -> Task[..., Any] | None:
    """The task registered under ``name``, importing its module if this process has not yet
    (Celery discovers task modules when a worker starts, not in a web process).

    None, with a warning saying why, when there is no such task: its module is gone (moved
    since the message was written; migration 0009 renames those of the last release), the
    name has no module part, or the module fails to import. The caller gives that message up
    and goes on with the rest, so one bad name never stops the sweeper.
    """
    task = current_app.tasks.get(name)
    if task is not None:
        return task
    module = name.rpartition(".")[0]
    try:
        importlib.import_module(module)
    except Exception as exc:  # ImportError; ValueError or TypeError for an empty or relative name
        log.warning("outbox: no task is named %s: module %r cannot be imported (%r)", name, module, exc)
        return None
    task = current_app.tasks.get(name)
    if task is None:
        log.warning("outbox: no task is named %s: module %s has no such task", name, module)
    return task


def _eager() -> bool:
    return bool(current_app.conf.task_always_eager)


def dispatch(message_id: int) -> bool:
    """Hand one message to the broker if it is due and no one else is handing it over.

    Returns True once handed over. A broker error is logged and kept on the row for the
    sweeper; it never reaches the caller (except in-process, where the task's own errors
    propagate as they always have).
    """
    now = timezone.now()
    claimed = OutboxMessage.objects.filter(
        pk=message_id, done_at__isnull=True, gave_up_at__isnull=True, due_at__lte=now
    ).update(due_at=now + timedelta(seconds=settings.OUTBOX_REDELIVER_AFTER))
    if not claimed:
        return False
    message = OutboxMessage.objects.get(pk=message_id)
    watching = _watch.get()
    task = _task_named(message.task)
    if task is None:  # renamed or removed since the message was written: no one can run it
        OutboxMessage.objects.filter(pk=message.pk).update(
            gave_up_at=timezone.now(), last_error=f"No task is named {message.task}."
        )
        log.error("outbox %s: no task is named %s; given up", message.pk, message.task)
        return False
    # The args go as the list they were written as: Celery takes a list or a tuple, where
    # celery-types' stubs say a tuple (hence the ignores).
    if _eager():
        _mark_dispatched(message)
        with bound_request_id(message.request_id):
            task.apply_async(args=list(message.args), task_id=message.task_id)  # type: ignore[arg-type]
        if watching is not None:
            watching.sent.append(message.pk)
        return True
    try:
        # Under the id of the request that queued it, even when the sweeper hands it over.
        with bound_request_id(message.request_id):
            task.apply_async(args=list(message.args), task_id=message.task_id)  # type: ignore[arg-type]
    except Exception as exc:
        # The broker is down or unreachable: the next sweep tries again.
        OutboxMessage.objects.filter(pk=message.pk).update(
            due_at=timezone.now(), failed_dispatches=F("failed_dispatches") + 1, last_error=repr(exc)[:2000]
        )
        log.warning(
            "outbox %s (%s): the broker did not take it (%s); the sweeper will retry",
            message.pk,
            message.task,
            exc,
        )
        if watching is not None:
            watching.delayed.append(message.pk)
        return False
    _mark_dispatched(message)
    if watching is not None:
        watching.sent.append(message.pk)
    return True


def _mark_dispatched(message: OutboxMessage) -> None:
    OutboxMessage.objects.filter(pk=message.pk).update(
        dispatched_at=timezone.now(), deliveries=F("deliveries") + 1, last_error=""
    )


Recovery = Callable[[], dict[str, int]]
_RECOVERIES: dict[str, Recovery] = {}


def register_recovery(name: str, recovery: Recovery) -> None:
    """Have every sweep also run ``recovery`` (an app's repair of work whose worker died).

    An app above the core registers here from its ``AppConfig.ready`` (the PDF exports do),
    so the core's sweeper never imports it. The counts it returns come back prefixed by ``name``.
    """
    _RECOVERIES[name] = recovery


def run_recoveries() -> dict[str, int]:
    counts: dict[str, int] = {}
    for name, recovery in _RECOVERIES.items():
        counts.update({f"{name}_{key}": value for key, value in recovery().items()})
    return counts


def sweep() -> dict[str, int]:
    """Hand over every message that is due, oldest first; give up on those delivered too often;
    remove those done more than ``KEEP_DONE`` ago.

    Due: never handed over (or the hand-over failed), or handed over long enough ago
    (``OUTBOX_REDELIVER_AFTER``) without running to the end and not held by a live run.
    """
    now = timezone.now()
    lease = now - timedelta(seconds=settings.OUTBOX_RUN_LEASE)
    due = OutboxMessage.objects.filter(done_at__isnull=True, gave_up_at__isnull=True, due_at__lte=now).filter(
        Q(started_at__isnull=True) | Q(started_at__lt=lease)
    )
    worn = due.filter(deliveries__gte=settings.OUTBOX_MAX_DELIVERIES)
    gave_up = 0
    for message in worn.order_by("pk")[:SWEEP_BATCH]:
        if OutboxMessage.objects.filter(pk=message.pk, gave_up_at__isnull=True).update(gave_up_at=now):
            gave_up += 1
            log.error(
                "outbox %s (%s%s): handed over %s times and never finished; given up",
                message.pk,
                message.task,
                tuple(message.args),
                message.deliveries,
            )
    sent = delayed = 0
    for pk in (
        due.exclude(deliveries__gte=settings.OUTBOX_MAX_DELIVERIES)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    ):
        if dispatch(pk):
            sent += 1
        else:
            delayed += 1
            if (
                not _eager()
                and OutboxMessage.objects.filter(
                    pk=pk, dispatched_at__isnull=True, gave_up_at__isnull=True
                ).exists()
            ):
                # The broker is still down: the rest would fail the same way.
                break
    OutboxMessage.objects.filter(done_at__lt=now - KEEP_DONE).delete()
    return {"sent": sent, "delayed": delayed, "gave_up": gave_up}


# --- The task side: a delivery finds out whether its work is done or under way -----------------


def start_run(task_id: str, *, exclusive: bool) -> bool:
    """Mark the message as running. False if it is done, or (``exclusive``) another run holds it."""
    now = timezone.now()
    runnable = OutboxMessage.objects.filter(task_id=task_id, done_at__isnull=True)
    if exclusive:
        lease = now - timedelta(seconds=settings.OUTBOX_RUN_LEASE)
        runnable = runnable.filter(Q(started_at__isnull=True) | Q(started_at__lt=lease))
    if runnable.update(started_at=now):
        return True
    # Not an outbox message at all (a task sent by hand, say): run it.
    return not OutboxMessage.objects.filter(task_id=task_id).exists()


def finish_run(task_id: str) -> None:
    OutboxMessage.objects.filter(task_id=task_id, done_at__isnull=True).update(done_at=timezone.now())


def release_run(task_id: str) -> None:
    """The run failed or will be retried: let the next delivery take the message."""
    OutboxMessage.objects.filter(task_id=task_id, done_at__isnull=True).update(started_at=None)


class OutboxTask(Task[..., Any]):
    """A task queued through the outbox: a delivery of a message already done does nothing.

    ``exclusive``: a delivery while another run holds the message does nothing either (for
    e-mails; a render guards its job row itself, and its redelivery after a worker was lost
    must be able to take the job over). ``skipped_result`` is what a skipped delivery returns.
    """

    exclusive = True
    skipped_result: Any = None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        task_id = self.request.id
        if not task_id or self.request.called_directly:
            return super().__call__(*args, **kwargs)
        if not start_run(task_id, exclusive=self.exclusive):
            log.info("%s %s: already done or under way; skipped", self.name, task_id)
            return self.skipped_result
        try:
            result = super().__call__(*args, **kwargs)
        except BaseException:
            release_run(task_id)
            raise
        finish_run(task_id)
        return result
