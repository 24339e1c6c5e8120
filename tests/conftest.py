from __future__ import annotations

import pytest

from tests.factories import (
    AssessorFactory,
    CohortFactory,
    IqaFactory,
    LearnerFactory,
    PortfolioFactory,
    TutorFactory,
    UserFactory,
)
from tests.loopback import Listener


@pytest.fixture(autouse=True)
def _isolated_media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }


@pytest.fixture(autouse=True)
def _fresh_process_memos():
    # Each test has its own media folder: KPIs remembered from another test's file of the same
    # content would hide a file this test lost.
    from django.core.cache import caches

    from audit.datasets import FRAMES

    FRAMES.clear()
    caches["local"].clear()  # KPI snapshots and criteria trees (audit.selectors, core.selectors)


@pytest.fixture(autouse=True)
def _eager_tasks(settings, request):
    # Unit tests run tasks in-process; tests marked ``worker`` use a real worker.
    if "worker" not in request.keywords:
        settings.CELERY_TASK_ALWAYS_EAGER = True
        from config.celery import app

        app.conf.task_always_eager = True


@pytest.fixture
def tutor(db):
    return TutorFactory(username="tutor1")


@pytest.fixture
def cohort(tutor):
    return CohortFactory(created_by=tutor, tutors=[tutor])


@pytest.fixture
def assessor(cohort):
    user = AssessorFactory(username="assessor1")
    cohort.memberships.create(user=user, role="assessor")
    return user


@pytest.fixture
def other_assessor(cohort):
    user = AssessorFactory(username="assessor2")
    cohort.memberships.create(user=user, role="assessor")
    return user


@pytest.fixture
def iqa(cohort):
    user = IqaFactory(username="iqa1")
    cohort.memberships.create(user=user, role="iqa")
    return user


@pytest.fixture
def learner(cohort, assessor):
    user = LearnerFactory(username="learner1")
    PortfolioFactory(cohort=cohort, learner=user, assessor=assessor)
    return user


@pytest.fixture
def other_learner(cohort, other_assessor):
    user = LearnerFactory(username="learner2")
    PortfolioFactory(cohort=cohort, learner=user, assessor=other_assessor)
    return user


@pytest.fixture
def outsider(db):
    """A tutor of another cohort: signed in, but with no role over ours."""
    other_tutor = TutorFactory(username="othertutor")
    CohortFactory(created_by=other_tutor, tutors=[other_tutor])
    return other_tutor


@pytest.fixture
def staff(db):
    return UserFactory(username="staff1", role="staff", is_staff=True)


def pytest_collection_modifyitems(config, items):
    # Browser journeys last: they are the slowest and need the rest to be sound.
    items.sort(key=lambda item: "e2e" in item.keywords)


def finish(response):
    """Read a response to the end, as a WSGI server would, so streamed files are closed.

    Calling ``response.close()`` in a test fires request_finished outside the test
    client's guard, and on PostgreSQL that closes the test's own database connection.
    """
    if response.streaming:
        b"".join(response.streaming_content)
    return response


@pytest.fixture
def listener():
    """A real socket on loopback that records anything sent to it (tests/loopback.py)."""
    server = Listener()
    yield server
    server.close()
