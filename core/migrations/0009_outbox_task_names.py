# An outbox message names its Celery task, and the task modules moved: portfolio/ became core/
# and the PDF render went to reports/. Rows written by the last release (584e078) would name
# tasks that no longer exist, and the sweeper would give them up. So every row is renamed,
# whatever its state: a message given up may be queued again by hand, and one done is kept a
# while to look into what was sent.
#
# A message already handed to the broker under its old name is dropped by a worker of this
# release ("unregistered task"), so those handed over and not yet started are made due again:
# the next sweep sends them under the new name instead of waiting OUTBOX_REDELIVER_AFTER.
#
# Backwards, the names go back and the last release can run them again. The names are written
# out here on purpose: a migration must keep doing what it did when it was written.

from django.db import migrations
from django.db.models import Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone

OLD_MODULE = "portfolio.tasks."
NEW_MODULE = "core.tasks."
# Tasks that left the core's module; every other portfolio.tasks.X became core.tasks.X.
MOVED_OUT = {"portfolio.tasks.render_export": "reports.tasks.render_export"}


def _make_due(messages) -> None:
    messages.filter(
        dispatched_at__isnull=False, started_at__isnull=True, done_at__isnull=True, gave_up_at__isnull=True
    ).update(due_at=timezone.now())


def _rename(apps, *, exact: dict[str, str], prefix: str, new_prefix: str) -> None:
    OutboxMessage = apps.get_model("portfolio", "OutboxMessage")
    for old, new in exact.items():
        messages = OutboxMessage.objects.filter(task=old)
        _make_due(messages)
        messages.update(task=new)
    messages = OutboxMessage.objects.filter(task__startswith=prefix)
    _make_due(messages)
    messages.update(task=Concat(Value(new_prefix), Substr("task", len(prefix) + 1)))


def forwards(apps, schema_editor) -> None:
    _rename(apps, exact=MOVED_OUT, prefix=OLD_MODULE, new_prefix=NEW_MODULE)


def backwards(apps, schema_editor) -> None:
    moved_back = {new: old for old, new in MOVED_OUT.items()}
    _rename(apps, exact=moved_back, prefix=NEW_MODULE, new_prefix=OLD_MODULE)


class Migration(migrations.Migration):
    dependencies = [
        ("portfolio", "0008_outbox_and_export_heartbeat"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
