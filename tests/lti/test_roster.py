"""The roster read again between launches: nightly, one task a course, and on the tutor's button;
who joined gets a portfolio, who left is marked (never deleted) and shown on the cohort page."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from core.models import Membership, OutboxMessage, Portfolio
from lti.models import CourseDeparture, CourseLink, LtiAccount, Registration
from lti.services import queue_every_roster_read
from lti.tasks import read_every_roster, sync_course_roster
from tests.factories import CohortFactory
from tests.lti.conftest import launch
from tests.lti.platform_sim import INSTRUCTOR, LEARNER, Platform, serve
from tests.test_template_source import _leaks

pytestmark = pytest.mark.django_db

TASK = "lti.tasks.sync_course_roster"


def member(sub: str, role: str = LEARNER, status: str = "Active", **names: str) -> dict:
    return {"user_id": sub, "roles": [role], "status": status, **names}


@pytest.fixture
def course(platform, registration, cohort, tutor):
    """The tutor's cohort is a course of the simulated platform, with its roster service."""
    LtiAccount.objects.create(registration=registration, sub="teacher-1", user=tutor)
    return CourseLink.objects.create(
        registration=registration,
        context_id=platform.context_id,
        title="Customer service 101",
        cohort=cohort,
        memberships_url=f"{platform.base}/nrps/{platform.context_id}",
    )


def subs_with_portfolios(course: CourseLink) -> set[str]:
    return set(
        Portfolio.objects.filter(cohort=course.cohort).values_list("learner__lti_accounts__sub", flat=True)
    )


def departed(course: CourseLink) -> set[str]:
    return set(CourseDeparture.objects.filter(course=course).values_list("account__sub", flat=True))


def test_the_beat_schedule_reads_every_roster_nightly(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["lti-roster-sync"]
    assert entry["task"] == "lti.tasks.read_every_roster"
    assert entry["schedule"].hour == {settings.LTI_ROSTER_SYNC_HOUR}


def test_learners_who_joined_get_portfolios_and_those_who_left_are_marked_not_deleted(
    course, platform, tutor
):
    teacher = member("teacher-1", INSTRUCTOR)
    platform.members = [teacher, member("learner-1"), member("learner-2")]
    assert sync_course_roster(course.pk) == 3
    assert subs_with_portfolios(course) == {"learner-1", "learner-2"}

    # Between launches: learner-2 leaves, learner-1 is suspended, learner-3 joins.
    platform.members = [teacher, member("learner-1", status="Inactive"), member("learner-3")]
    sync_course_roster(course.pk)

    course.refresh_from_db()
    assert course.roster_synced_at is not None
    assert subs_with_portfolios(course) == {"learner-1", "learner-2", "learner-3"}  # none deleted
    assert departed(course) == {"learner-1", "learner-2"}
    assert Membership.objects.filter(cohort=course.cohort, user=tutor).exists()

    # learner-2 rejoins: no longer departed; the date of learner-1's departure stays the first.
    first_left = CourseDeparture.objects.get(account__sub="learner-1").left_at
    platform.members.append(member("learner-2"))
    sync_course_roster(course.pk)
    assert departed(course) == {"learner-1"}
    assert CourseDeparture.objects.get(account__sub="learner-1").left_at == first_left


def test_a_departed_learners_own_launch_brings_them_back(client, course, platform):
    platform.members = [member("teacher-1", INSTRUCTOR), member("learner-1")]
    sync_course_roster(course.pk)
    platform.members = [member("teacher-1", INSTRUCTOR)]
    sync_course_roster(course.pk)
    assert departed(course) == {"learner-1"}

    launch(client, platform, sub="learner-1", roles=[LEARNER])
    assert departed(course) == set()


def test_an_empty_roster_marks_no_one_as_left(course, platform):
    platform.members = [member("teacher-1", INSTRUCTOR), member("learner-1")]
    sync_course_roster(course.pk)
    platform.members = []
    sync_course_roster(course.pk)
    assert departed(course) == set()


def test_a_failed_read_is_kept_on_the_course_until_a_read_succeeds(course, platform, caplog):
    platform.fail_roster = True
    assert sync_course_roster(course.pk) == 0
    course.refresh_from_db()
    assert "503" in course.roster_error
    assert course.roster_failed_at is not None
    assert course.roster_synced_at is None
    assert "was not read" in caplog.text

    platform.fail_roster = False
    platform.members = [member("learner-1")]
    sync_course_roster(course.pk)
    course.refresh_from_db()
    assert course.roster_error == ""
    assert course.roster_failed_at is None
    assert course.roster_synced_at is not None


@pytest.fixture
def second_platform(db):
    simulated = Platform(client_id="tool-client-2", context_id="course-202")
    server = serve(simulated)
    yield simulated
    server.shutdown()
    server.server_close()


def test_the_nightly_job_reads_each_course_in_its_own_task_so_one_failure_stops_no_other(
    course, platform, second_platform, django_capture_on_commit_callbacks
):
    other_registration = Registration.objects.create(
        name="Westgate Canvas",
        issuer=second_platform.issuer,
        client_id=second_platform.client_id,
        deployment_ids=second_platform.deployment_id,
        auth_login_url=f"{second_platform.base}/auth",
        auth_token_url=f"{second_platform.base}/token",
        key_set_url=f"{second_platform.base}/jwks",
    )
    other = CourseLink.objects.create(
        registration=other_registration,
        context_id=second_platform.context_id,
        cohort=CohortFactory(name="Canvas course"),
        memberships_url=f"{second_platform.base}/nrps/{second_platform.context_id}",
    )
    # A course whose platform gave no roster service is not asked.
    no_roster = CourseLink.objects.create(
        registration=other_registration,
        context_id="course-303",
        cohort=CohortFactory(name="No roster"),
    )
    platform.fail_roster = True  # the first platform is down for the night
    second_platform.members = [member("canvas-learner")]

    with django_capture_on_commit_callbacks(execute=True):
        counts = read_every_roster()

    assert counts == {"queued": 2, "already_queued": 0}
    assert sorted(OutboxMessage.objects.filter(task=TASK).values_list("args", flat=True)) == [
        [course.pk],
        [other.pk],
    ]
    course.refresh_from_db()
    other.refresh_from_db()
    assert "503" in course.roster_error
    assert other.roster_synced_at is not None
    assert other.roster_error == ""
    assert subs_with_portfolios(other) == {"canvas-learner"}
    assert not OutboxMessage.objects.filter(args=[no_roster.pk]).exists()


def test_a_course_whose_read_is_still_queued_is_not_queued_twice(course):
    # The test's transaction never commits, so the first message waits, as behind a busy worker.
    assert queue_every_roster_read() == {"queued": 1, "already_queued": 0}
    assert queue_every_roster_read() == {"queued": 0, "already_queued": 1}
    assert OutboxMessage.objects.filter(task=TASK).count() == 1


def test_an_inactive_registrations_courses_are_not_read(course, registration):
    registration.active = False
    registration.save()
    assert queue_every_roster_read() == {"queued": 0, "already_queued": 0}


# --- The cohort page and the tutor's button ---------------------------------------------------


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_cohort_page_shows_the_course_its_last_read_and_who_left(client, course, platform, tutor):
    platform.members = [
        member("teacher-1", INSTRUCTOR),
        member("learner-1", given_name="Lee", family_name="Left"),
    ]
    sync_course_roster(course.pk)
    platform.members = [member("teacher-1", INSTRUCTOR)]
    sync_course_roster(course.pk)
    platform.fail_roster = True
    sync_course_roster(course.pk)

    client.force_login(tutor)
    page = client.get(f"/cohorts/{course.cohort_id}/").content.decode()
    assert "Course in Northfield Moodle" in page
    assert "Customer service 101" in page
    assert "The last read of the roster failed" in page
    assert "503" in page
    assert "Left the course in Northfield Moodle" in page
    assert "Lee Left" in page
    assert "Re-read the roster now" in page
    assert _leaks(page) == []


def test_a_cohort_with_no_course_shows_no_course_panel(client, cohort, tutor):
    client.force_login(tutor)
    page = client.get(f"/cohorts/{cohort.pk}/").content.decode()
    assert 'data-testid="lti-course"' not in page


def test_a_quality_assurer_sees_the_course_but_no_button(client, course, iqa):
    client.force_login(iqa)
    page = client.get(f"/cohorts/{course.cohort_id}/").content.decode()
    assert "Course in Northfield Moodle" in page
    assert "Re-read the roster now" not in page


def test_the_tutors_button_reads_the_roster_now(
    client, course, platform, tutor, django_capture_on_commit_callbacks
):
    platform.members = [member("teacher-1", INSTRUCTOR), member("learner-9")]
    client.force_login(tutor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/lti/cohorts/{course.cohort_id}/roster/")
    assert response.status_code == 302
    assert response["Location"] == f"/cohorts/{course.cohort_id}/"
    assert "The roster is being read again from Northfield Moodle" in _messages(response)[0]
    assert subs_with_portfolios(course) == {"learner-9"}
    course.refresh_from_db()
    assert course.roster_synced_at is not None


def test_a_second_click_while_a_read_is_queued_queues_none(client, course, tutor):
    client.force_login(tutor)
    client.post(f"/lti/cohorts/{course.cohort_id}/roster/")  # its message waits (never committed)
    page = client.get(f"/cohorts/{course.cohort_id}/").content.decode()
    assert "Being read now." in page
    assert 'disabled aria-disabled="true">Re-read the roster now' in page

    again = client.post(f"/lti/cohorts/{course.cohort_id}/roster/")
    assert "already being read" in _messages(again)[-1]
    assert OutboxMessage.objects.filter(task=TASK).count() == 1


def test_a_course_without_a_roster_service_says_so(client, course, tutor):
    course.memberships_url = ""
    course.save()
    client.force_login(tutor)
    response = client.post(f"/lti/cohorts/{course.cohort_id}/roster/")
    assert "has not given this course its roster service" in _messages(response)[0]
    assert not OutboxMessage.objects.filter(task=TASK).exists()


def test_it_checks_who_may_ask(client, course, iqa, learner, outsider):
    url = f"/lti/cohorts/{course.cohort_id}/roster/"
    anonymous = client.post(url)
    assert anonymous.status_code == 302
    assert "login" in anonymous["Location"]
    client.force_login(iqa)  # a member, not a tutor: may look, not change
    assert client.post(url).status_code == 403
    client.force_login(learner)
    assert client.post(url).status_code in (403, 404)
    client.force_login(outsider)
    assert client.post(url).status_code == 404
    assert not OutboxMessage.objects.filter(task=TASK).exists()


def test_a_cohort_not_linked_to_a_course_has_nothing_to_read(client, cohort, tutor):
    client.force_login(tutor)
    assert client.post(f"/lti/cohorts/{cohort.pk}/roster/").status_code == 404


def test_it_takes_only_a_post_with_its_csrf_token(course, tutor):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(tutor)
    url = f"/lti/cohorts/{course.cohort_id}/roster/"
    assert browser.get(url).status_code == 405
    assert browser.post(url).status_code == 403
    assert not OutboxMessage.objects.filter(task=TASK).exists()
