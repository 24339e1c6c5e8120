"""A real Celery worker consuming from Redis, as deployments run it (CI sets REDIS_URL)."""

from __future__ import annotations

import os

import pytest
from celery.contrib.testing.worker import start_worker

from config.celery import app
from core.tasks import send_invitation_email
from tests.celery_support import rebind
from tests.factories import InvitationFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

REDIS_URL = os.environ.get("REDIS_URL", "")


@pytest.fixture
def redis_worker(settings):
    if not REDIS_URL:
        if os.environ.get("CI"):
            pytest.fail("CI must set REDIS_URL so that a real worker runs.")
        pytest.skip("REDIS_URL is not set: no broker to run a real worker against.")
    app.conf.update(task_always_eager=False, broker_url=REDIS_URL, result_backend=REDIS_URL)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield app
    app.conf.task_always_eager = True
    rebind()  # closes the broker and result-store connections the worker's tasks opened


def test_a_worker_sends_the_invitation_email(redis_worker, mailoutbox):
    invitation = InvitationFactory()

    result = send_invitation_email.delay(invitation.pk)

    assert result.get(timeout=20) is True
    assert mailoutbox[-1].to == [invitation.email]
