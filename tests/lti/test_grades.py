"""The result sent to the course's gradebook (AGS) when a version is decided, through the outbox."""

from __future__ import annotations

import pytest
import requests

from assessment import services as assessment
from core import outbox
from core.models import OutboxMessage, Portfolio
from lti.models import CourseLink, GradeSync, LtiAccount
from lti.platform import PlatformSession
from tests.lti.platform_sim import AGS_SCOPES
from tests.portfolio.conftest import decide

pytestmark = pytest.mark.django_db


@pytest.fixture
def linked(platform, registration, portfolio):
    """The learner's cohort is a course of the simulated platform, and the learner its member."""
    LtiAccount.objects.create(registration=registration, sub="learner-sub-1", user=portfolio.learner)
    return CourseLink.objects.create(
        registration=registration,
        context_id=platform.context_id,
        cohort=portfolio.cohort,
        lineitem_url=f"{platform.base}/ags/{platform.context_id}/lineitems/1",
        ags_scopes=AGS_SCOPES,
    )


def test_a_sign_off_sends_the_score_to_the_line_item(
    linked,
    platform,
    version,
    criteria,
    assessor,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        for criterion in criteria:
            decide(version, criterion, assessor)
        assessment.sign_off_version(version=version, comment="Well done.", actor=assessor)

    final = platform.scores[-1]
    assert final["userId"] == "learner-sub-1"
    assert final["scoreGiven"] == len(criteria)
    assert final["scoreMaximum"] == len(criteria)
    assert final["activityProgress"] == "Completed"
    assert final["gradingProgress"] == "FullyGraded"
    assert final["comment"].startswith("Signed off")
    # The decisions and the sign-off, in one transaction here, queued one message between them.
    assert len(platform.scores) == 1
    assert OutboxMessage.objects.filter(task="lti.tasks.send_portfolio_result").count() == 1
    sync = GradeSync.objects.get()
    assert sync.signed_off
    assert sync.last_error == ""


def test_a_return_sends_not_signed_off(
    linked,
    platform,
    version,
    criteria,
    assessor,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        decide(version, criteria[0], assessor)
        decide(version, criteria[1], assessor, status="not_yet_met", feedback="More on this.")
        assessment.return_version(version=version, comment="Nearly.", actor=assessor)

    final = platform.scores[-1]
    assert final["scoreGiven"] == 1
    assert final["gradingProgress"] == "Pending"
    assert "not yet signed off" in final["comment"]


def test_a_platform_outage_delays_the_score_and_never_loses_it(
    linked,
    platform,
    version,
    criteria,
    assessor,
    django_capture_on_commit_callbacks,
):
    platform.fail_scores = True
    with django_capture_on_commit_callbacks(execute=True):
        for criterion in criteria:
            decide(version, criterion, assessor)
        assessment.sign_off_version(version=version, comment="Well done.", actor=assessor)
    assert platform.scores == []
    assert "503" in GradeSync.objects.get().last_error
    assert OutboxMessage.objects.filter(task="lti.tasks.send_portfolio_result").exists()

    platform.fail_scores = False
    outbox.run_recoveries()  # what every outbox sweep runs
    assert platform.scores[-1]["scoreGiven"] == len(criteria)
    assert platform.scores[-1]["gradingProgress"] == "FullyGraded"
    assert GradeSync.objects.get().last_error == ""


def test_a_cohort_with_no_course_sends_nothing(
    platform, version, criteria, assessor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        decide(version, criteria[0], assessor, status="not_yet_met", feedback="More on this.")
        assessment.return_version(version=version, comment="Not yet.", actor=assessor)
    assert platform.scores == []
    assert not OutboxMessage.objects.filter(task="lti.tasks.send_portfolio_result").exists()
    assert Portfolio.objects.exists()


def test_every_call_to_a_platform_has_a_timeout():
    session = PlatformSession()
    seen = {}

    def adapter_send(request, **kwargs):
        seen.update(kwargs)
        raise requests.ConnectionError("stop here")

    session.get_adapter("http://127.0.0.1/").send = adapter_send
    with pytest.raises(requests.ConnectionError):
        session.get("http://127.0.0.1:9/jwks")
    assert seen["timeout"] == PlatformSession.TIMEOUT
