"""A course whose launches name no line item (the tool was not added as a graded activity): the
tool makes its own gradebook column through the AGS line items service, once, and sends there."""

from __future__ import annotations

import pytest
import requests

from assessment import services as assessment
from core.models import OutboxMessage
from lti.models import CourseLink, LtiAccount
from lti.services import LINEITEM_TAG
from lti.tasks import create_course_lineitem
from tests.lti.conftest import launch
from tests.lti.platform_sim import AGS_SCOPES, INSTRUCTOR, LEARNER
from tests.portfolio.conftest import decide

pytestmark = pytest.mark.django_db

AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
TASK = "lti.tasks.create_course_lineitem"


def no_lineitem(platform) -> dict:
    """The AGS claim of a link that is not a graded activity: the container, not a column."""
    return {
        AGS_CLAIM: {"scope": AGS_SCOPES, "lineitems": f"{platform.base}/ags/{platform.context_id}/lineitems"}
    }


def test_a_launch_without_a_line_item_creates_one_and_the_next_reuses_it(
    client, platform, registration, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response, _, _ = launch(
            client, platform, sub="teacher-1", roles=[INSTRUCTOR], **no_lineitem(platform)
        )
    assert response.status_code == 302

    [posted] = platform.lineitem_posts
    assert posted["label"] == "CFACSD22 portfolio: criteria met"
    assert posted["scoreMaximum"] == 45
    assert posted["tag"] == LINEITEM_TAG
    assert posted["resourceId"] == LINEITEM_TAG
    course = CourseLink.objects.get()
    assert course.lineitem_url == platform.lineitems[0]["id"]
    assert course.lineitem_error == ""

    # A learner's launch, still naming no line item: the stored one is kept, none is made.
    client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        launch(client, platform, sub="learner-1", roles=[LEARNER], **no_lineitem(platform))
    course.refresh_from_db()
    assert course.lineitem_url == platform.lineitems[0]["id"]
    assert len(platform.lineitem_posts) == 1
    assert OutboxMessage.objects.filter(task=TASK).count() == 1


def test_a_column_the_tool_made_before_is_found_by_its_tag_not_made_again(
    client, platform, registration, django_capture_on_commit_callbacks
):
    made_before = {
        "id": f"{platform.base}/ags/{platform.context_id}/lineitems/7",
        "label": "CFACSD22 portfolio: criteria met",
        "scoreMaximum": 45,
        "tag": LINEITEM_TAG,
    }
    platform.lineitems = [
        {"id": f"{platform.base}/ags/{platform.context_id}/lineitems/3", "label": "Quiz", "scoreMaximum": 10},
        made_before,
    ]
    with django_capture_on_commit_callbacks(execute=True):
        launch(client, platform, sub="teacher-1", roles=[INSTRUCTOR], **no_lineitem(platform))
    assert platform.lineitem_posts == []
    assert CourseLink.objects.get().lineitem_url == made_before["id"]


def test_a_launch_that_names_its_line_item_makes_none(
    client, platform, registration, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        launch(client, platform, sub="teacher-1", roles=[INSTRUCTOR])
    assert platform.lineitem_posts == []
    assert not OutboxMessage.objects.filter(task=TASK).exists()


def test_a_platform_that_refuses_the_column_leaves_a_clear_state_and_the_launch_works(
    client, platform, registration, tutor, django_capture_on_commit_callbacks, caplog
):
    platform.refuse_lineitems = True
    with django_capture_on_commit_callbacks(execute=True):
        response, _, _ = launch(
            client, platform, sub="teacher-1", roles=[INSTRUCTOR], **no_lineitem(platform)
        )
    assert response.status_code == 302  # signed in and sent on, no traceback
    course = CourseLink.objects.get()
    assert course.lineitem_url == ""
    assert "403" in course.lineitem_error
    assert "no line item for course" in caplog.text
    page = client.get(response["Location"]).content.decode()
    assert "No gradebook column" in page
    assert "Not sent: the platform refused a gradebook column" in page

    # The administrator lets the tool make columns: the next launch makes it, the error goes.
    platform.refuse_lineitems = False
    client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        launch(client, platform, sub="teacher-1", roles=[INSTRUCTOR], **no_lineitem(platform))
    course.refresh_from_db()
    assert course.lineitem_url == platform.lineitems[0]["id"]
    assert course.lineitem_error == ""


def test_the_score_of_a_sign_off_goes_to_the_column_the_tool_made(
    platform, registration, portfolio, version, criteria, assessor, django_capture_on_commit_callbacks
):
    LtiAccount.objects.create(registration=registration, sub="learner-sub-1", user=portfolio.learner)
    course = CourseLink.objects.create(
        registration=registration,
        context_id=platform.context_id,
        cohort=portfolio.cohort,
        lineitems_url=f"{platform.base}/ags/{platform.context_id}/lineitems",
        ags_scopes=AGS_SCOPES,
    )
    url = create_course_lineitem(course.pk)
    code = portfolio.cohort.frameworks.get().code
    assert platform.lineitem_posts[0]["label"] == f"{code} portfolio: criteria met"
    assert platform.lineitem_posts[0]["scoreMaximum"] == len(criteria)

    with django_capture_on_commit_callbacks(execute=True):
        for criterion in criteria:
            decide(version, criterion, assessor)
        assessment.sign_off_version(version=version, comment="Well done.", actor=assessor)

    assert platform.score_paths == [url.removeprefix(platform.base) + "/scores"]
    assert platform.scores[-1]["scoreGiven"] == len(criteria)
    assert platform.scores[-1]["gradingProgress"] == "FullyGraded"


def test_the_simulated_line_items_need_a_token_with_the_line_item_scope(platform):
    url = f"{platform.base}/ags/{platform.context_id}/lineitems"
    assert requests.get(url, timeout=5).status_code == 401
    platform.tokens["score-only"] = {AGS_SCOPES[1]}
    refused = requests.post(
        url, json={"label": "x"}, headers={"Authorization": "Bearer score-only"}, timeout=5
    )
    assert refused.status_code == 401
    assert platform.lineitem_posts == []


def test_results_decided_before_the_column_existed_are_sent_once_it_does(
    platform, registration, portfolio, version, criteria, assessor, django_capture_on_commit_callbacks
):
    LtiAccount.objects.create(registration=registration, sub="learner-sub-1", user=portfolio.learner)
    course = CourseLink.objects.create(
        registration=registration,
        context_id=platform.context_id,
        cohort=portfolio.cohort,
        lineitems_url=f"{platform.base}/ags/{platform.context_id}/lineitems",
        ags_scopes=AGS_SCOPES,
    )
    with django_capture_on_commit_callbacks(execute=True):
        for criterion in criteria:
            decide(version, criterion, assessor)
        assessment.sign_off_version(version=version, comment="Well done.", actor=assessor)
    assert platform.scores == []  # nowhere to send it yet

    with django_capture_on_commit_callbacks(execute=True):
        url = create_course_lineitem(course.pk)
    assert platform.score_paths == [url.removeprefix(platform.base) + "/scores"]
    assert platform.scores[-1]["gradingProgress"] == "FullyGraded"
