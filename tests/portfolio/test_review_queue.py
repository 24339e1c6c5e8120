"""The assessor's queue page: every version waiting for their review, a page at a time."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.models import VersionOutcome
from dashboards.selectors.paging import PAGE_SIZE
from tests.portfolio.conftest import decide
from tests.portfolio.dashboard_data import waiting

pytestmark = pytest.mark.django_db

QUEUE = reverse("portfolio:review_queue")


def shown(response) -> list[int]:
    return [item.version.pk for item in response.context["queue"]]


@pytest.mark.parametrize("count", [3, 200])
def test_the_queue_page_costs_the_same_whatever_its_size(
    client, cohort, assessor, count, django_assert_max_num_queries
):
    waiting(cohort, assessor, count)
    client.force_login(assessor)

    # session, user, count for the pager, the page of versions with their learners, cohorts
    # and decision counts, the total and overdue counts, open QA actions
    with django_assert_max_num_queries(6):
        response = client.get(QUEUE, {"page": 2})
    assert response.status_code == 200
    assert len(response.context["queue"]) == min(count, PAGE_SIZE)  # 3: page 2 is past the end, so page 1


def test_pages_follow_each_other_oldest_first_and_the_counts_cover_them_all(client, cohort, assessor):
    versions = waiting(cohort, assessor, 120)  # the n-th submitted n days ago
    oldest_first = [v.pk for v in reversed(versions)]
    client.force_login(assessor)

    pages = [client.get(QUEUE, {"page": n}) for n in (1, 2, 3)]

    assert [shown(p) for p in pages] == [oldest_first[:50], oldest_first[50:100], oldest_first[100:]]
    for page in pages:
        counts = page.context["queue_counts"]
        # Submitted 15 to 119 days ago: more than 14 whole days waiting.
        assert (counts.total, counts.overdue) == (120, 105)
    body = pages[1].content.decode()
    assert "Showing 51–100 of 120" in body
    assert 'aria-label="Pages of versions waiting for review"' in body
    assert '<span class="page-link" aria-current="page">2</span>' in body
    assert body.count('badge text-bg-danger">Overdue') == 50
    last = pages[2].content.decode()
    assert last.count('badge text-bg-danger">Overdue') == 5  # 19 to 15 days; 14 to 0 are not


def test_a_version_waiting_exactly_fifteen_days_is_overdue_and_fourteen_is_not(client, cohort, assessor):
    versions = waiting(cohort, assessor, 16)
    client.force_login(assessor)

    response = client.get(QUEUE)

    assert response.context["queue_counts"].overdue == 1
    assert [item.overdue for item in response.context["queue"]] == [True] + [False] * 15
    assert shown(response)[0] == versions[15].pk


@pytest.mark.parametrize(("asked", "given"), [("nonsense", 1), ("0", 3), ("-1", 3), ("99999", 3), ("", 1)])
def test_a_page_number_that_makes_no_sense_gives_a_page_as_django_get_page_does(
    client, cohort, assessor, asked, given
):
    waiting(cohort, assessor, 120)
    client.force_login(assessor)

    response = client.get(QUEUE, {"page": asked})

    assert response.status_code == 200
    assert response.context["page"].number == given


def test_an_empty_queue_says_so_on_any_page(client, cohort, assessor):
    client.force_login(assessor)

    response = client.get(QUEUE, {"page": "7"})

    assert response.status_code == 200
    assert response.context["queue"] == []
    assert (response.context["queue_counts"].total, response.context["queue_counts"].overdue) == (0, 0)
    assert "Nothing is waiting for your review." in response.content.decode()


def test_another_assessors_versions_never_appear_on_any_page_nor_in_the_counts(
    client, cohort, assessor, other_assessor
):
    mine = {v.pk for v in waiting(cohort, assessor, 60, prefix="mine")}
    waiting(cohort, other_assessor, 70, prefix="theirs")
    client.force_login(assessor)

    pages = [client.get(QUEUE, {"page": n}) for n in (1, 2)]

    assert {pk for page in pages for pk in shown(page)} == mine
    assert "Theirs" not in "".join(page.content.decode() for page in pages)
    counts = pages[0].context["queue_counts"]
    assert (counts.total, counts.overdue) == (60, 45)


def test_versions_with_an_outcome_are_not_waiting(client, cohort, assessor):
    signed_off, waits = waiting(cohort, assessor, 2)
    VersionOutcome.objects.create(version=signed_off, kind="signed_off", assessor=assessor, digest="0" * 64)
    client.force_login(assessor)

    response = client.get(QUEUE)

    assert shown(response) == [waits.pk]
    assert response.context["queue_counts"].total == 1


def test_decided_so_far_counts_standing_decisions_only(client, assessor, version, criteria):
    first = decide(version, criteria[0], assessor, status="not_yet_met", feedback="Say more.")
    decide(version, criteria[0], assessor, based_on=first.pk)  # supersedes the first
    decide(version, criteria[1], assessor)
    client.force_login(assessor)

    [shown] = client.get(QUEUE).context["queue"]
    shown_version = shown.version

    assert shown_version.decision_count == 2
    assert "snapshot" in shown_version.get_deferred_fields()


@pytest.mark.parametrize("persona", ["learner", "tutor", "iqa"])
def test_it_is_only_for_assessors(client, persona, request):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(QUEUE).status_code == 403
