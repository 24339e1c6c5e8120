"""A database of the last release (584e078, before portfolio/ became core/) upgrades with
``migrate``: its rows stay as they were, the outbox messages it wrote name tasks this release
can run, and its logged-in sessions stay logged in; migrating back restores the old names."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.contrib import auth
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import RequestFactory
from django.utils import timezone

from config.celery import app
from core import outbox
from core.models import Cohort, Export, Framework, OutboxMessage, Portfolio, User
from evidence.models import Evidence

# The leaf migration of each of our apps in the last release.
RELEASE = [
    ("portfolio", "0008_outbox_and_export_heartbeat"),
    ("evidence", "0005_mapping_evidencing_index"),
    ("audit", "0007_chunked_upload"),
    ("strategy", "0002_pitch_speaker_notes"),
]
RENAMED = {
    "portfolio.tasks.render_export": "reports.tasks.render_export",
    "portfolio.tasks.send_invitation_email": "core.tasks.send_invitation_email",
    "portfolio.tasks.send_notification_email": "core.tasks.send_notification_email",
    "portfolio.tasks.send_password_reset_email": "core.tasks.send_password_reset_email",
    "portfolio.tasks.sweep_outbox": "core.tasks.sweep_outbox",
}
UNCHANGED = "evidence.tasks.scan_evidence_image"  # its module did not move
OLD_BACKEND = "portfolio.throttling.ThrottledModelBackend"
T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _latest_schema_afterwards():
    """Leave the database at the latest migration of every app, whatever a test migrated to:
    the tests after these expect today's tables."""
    yield
    _migrate_to_latest()


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def _migrate_to_latest() -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    return executor


def _rows(model) -> list[dict[str, Any]]:
    return list(model.objects.order_by("pk").values())


def _release_data(old) -> dict[str, Any]:
    """What a learner's first weeks leave behind, written with the last release's models."""
    OldUser = old.get_model("portfolio", "User")
    tutor = OldUser.objects.create(username="tutor1", role="tutor", password=make_password("x"))
    learner = OldUser.objects.create(
        username="learner1", first_name="Ada", role="learner", password=make_password("y")
    )
    framework = old.get_model("portfolio", "Framework").objects.create(
        code="ST0123", title="Digital marketer"
    )
    cohort = old.get_model("portfolio", "Cohort").objects.create(
        name="September 2026", code="DM-2026-SEP", created_by_id=tutor.pk, start_date=date(2026, 9, 1)
    )
    cohort.frameworks.add(framework)
    portfolio = old.get_model("portfolio", "Portfolio").objects.create(
        cohort_id=cohort.pk, learner_id=learner.pk, last_activity_at=T0
    )
    old.get_model("evidence", "Evidence").objects.create(
        portfolio_id=portfolio.pk,
        kind="reflection",
        title="What the campaign taught me",
        body="Reach is not engagement.",
        occurred_on=date(2026, 11, 2),
    )
    Message = old.get_model("portfolio", "OutboxMessage")
    render = Message.objects.create(task="portfolio.tasks.render_export", args=[1], created_at=T0, due_at=T0)
    old.get_model("portfolio", "Export").objects.create(
        portfolio_id=portfolio.pk, content_key="a" * 64, token=render.task_id, created_at=T0, queued_at=T0
    )
    Message.objects.create(task="portfolio.tasks.send_invitation_email", args=[7], created_at=T0, due_at=T0)
    # Handed to the broker under its old name, not yet run: a worker of this release drops it.
    Message.objects.create(
        task="portfolio.tasks.send_notification_email",
        args=[3],
        created_at=T0,
        due_at=timezone.now() + timedelta(seconds=settings.OUTBOX_REDELIVER_AFTER),
        dispatched_at=timezone.now(),
        deliveries=1,
    )
    # Done, and given up: kept to look into, renamed all the same.
    Message.objects.create(
        task="portfolio.tasks.send_password_reset_email", args=["a@example.org"], done_at=T0, deliveries=1
    )
    Message.objects.create(task="portfolio.tasks.sweep_outbox", args=[], gave_up_at=T0, last_error="x")
    Message.objects.create(task=UNCHANGED, args=[5], created_at=T0, due_at=T0)
    return {
        "models": {
            name: old.get_model(label, name)
            for label, name in [
                ("portfolio", "User"),
                ("portfolio", "Framework"),
                ("portfolio", "Cohort"),
                ("portfolio", "Portfolio"),
                ("portfolio", "Export"),
                ("evidence", "Evidence"),
                ("portfolio", "OutboxMessage"),
            ]
        },
        "cohort": cohort.pk,
    }


@pytest.mark.django_db(transaction=True)
def test_migrating_from_the_last_release_keeps_the_rows_and_renames_the_outbox_tasks():
    executor = _migrate(RELEASE)
    old = executor.loader.project_state(RELEASE).apps
    made = _release_data(old)
    before = {name: _rows(model) for name, model in made["models"].items()}

    _migrate_to_latest()

    now = {
        "User": User,
        "Framework": Framework,
        "Cohort": Cohort,
        "Portfolio": Portfolio,
        "Export": Export,
        "Evidence": Evidence,
    }
    for name, model in now.items():
        assert _rows(model) == before[name], name
    assert list(Cohort.objects.get(pk=made["cohort"]).frameworks.values_list("code", flat=True)) == ["ST0123"]
    messages = _rows(OutboxMessage)
    assert len(messages) == len(before["OutboxMessage"])
    for was, row in zip(before["OutboxMessage"], messages, strict=True):
        assert row["task"] == RENAMED.get(was["task"], was["task"])
        # Only the message lost with the broker's old name is due again (at once); the rest is as it was.
        in_flight = was["task"] == "portfolio.tasks.send_notification_email"
        assert row["due_at"] <= timezone.now() if in_flight else row["due_at"] == was["due_at"]
        # A column added since the release: empty for the messages written before it.
        assert row.pop("request_id") == ""
        assert {**row, "task": was["task"], "due_at": was["due_at"]} == was
    for message in OutboxMessage.objects.all():
        task = outbox._task_named(message.task)
        assert task is not None, message.task
        assert task is app.tasks[message.task]
    render = OutboxMessage.objects.get(task="reports.tasks.render_export")
    assert Export.objects.get().token == render.task_id
    assert Export.objects.get().waits_for_service  # the job still finds its message

    executor = _migrate(RELEASE)
    old = executor.loader.project_state(RELEASE).apps
    back = _rows(old.get_model("portfolio", "OutboxMessage"))
    assert [row["task"] for row in back] == [row["task"] for row in before["OutboxMessage"]]

    _migrate_to_latest()
    assert set(OutboxMessage.objects.values_list("task", flat=True)) == {*RENAMED.values(), UNCHANGED}


@pytest.mark.django_db(transaction=True)
def test_a_session_logged_in_under_the_last_release_stays_logged_in(learner):
    _migrate(RELEASE)
    store = SessionStore()
    store[auth.SESSION_KEY] = str(learner.pk)
    store[auth.BACKEND_SESSION_KEY] = OLD_BACKEND
    store[auth.HASH_SESSION_KEY] = learner.get_session_auth_hash()
    store["_language"] = "en-gb"
    store.create()

    def user_of_the_session():
        request = RequestFactory().get("/")
        request.session = SessionStore(session_key=store.session_key)
        return auth.get_user(request)

    assert OLD_BACKEND not in settings.AUTHENTICATION_BACKENDS
    assert isinstance(user_of_the_session(), AnonymousUser)  # what the upgrade would do untreated

    _migrate_to_latest()

    assert user_of_the_session() == learner
    kept = SessionStore(session_key=store.session_key).load()
    assert kept == {
        auth.SESSION_KEY: str(learner.pk),
        auth.BACKEND_SESSION_KEY: "core.throttling.ThrottledModelBackend",
        auth.HASH_SESSION_KEY: learner.get_session_auth_hash(),
        "_language": "en-gb",
    }

    _migrate(RELEASE)
    assert SessionStore(session_key=store.session_key).load()[auth.BACKEND_SESSION_KEY] == OLD_BACKEND
