"""The tutor's cohort dashboard: contents, sorting and filtering, hostile input and query count."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from tests.factories import LearnerFactory, PortfolioFactory
from tests.portfolio.dashboard_data import fill

pytestmark = pytest.mark.django_db


def url(cohort, **params):
    from urllib.parse import urlencode

    base = reverse("portfolio:cohort_dashboard", args=[cohort.pk])
    return f"{base}?{urlencode(params)}" if params else base


@pytest.mark.parametrize("learners", [1, 20])
@pytest.mark.parametrize(
    ("params", "queries"),
    [
        # session, user, cohort and membership roles (access), the learners' assessors, criteria
        # (one query with their frameworks), the counts with each criterion's bits (masks),
        # decisions per criterion (summary), the page's rows with their tokens, decisions and steps
        ({}, 9),
        # the same, and the page's learners ordered by coverage from the bits, kept if at risk
        ({"sort": "-coverage", "risk": "1"}, 10),
    ],
)
def test_the_cohort_dashboard_costs_the_same_whatever_the_cohort_size(
    client, tutor, cohort, assessor, learners, params, queries, django_assert_max_num_queries
):
    fill(cohort, assessor, learners)
    client.force_login(tutor)

    with django_assert_max_num_queries(queries):
        response = client.get(url(cohort, **params))
    assert response.status_code == 200


def test_the_heat_map_shows_each_state_in_words_and_symbols(client, tutor, cohort, assessor):
    [portfolio] = fill(cohort, assessor, 1)
    client.force_login(tutor)

    response = client.get(url(cohort))
    heatmap = response.content.decode().split('id="heatmap"')[1].split("</table>")[0]

    # First criterion decided met, second claimed (mapped without a note), third untouched.
    assert '✓</span><span class="visually-hidden">Met</span>' in heatmap
    assert '○</span><span class="visually-hidden">Claimed</span>' in heatmap
    assert '·</span><span class="visually-hidden">No evidence</span>' in heatmap
    assert escape(portfolio.learner.display_name) in heatmap


def test_the_page_shows_coverage_submission_assessor_steps_and_the_rules(client, tutor, cohort, assessor):
    fill(cohort, assessor, 1)
    client.force_login(tutor)

    response = client.get(url(cohort))

    row = response.context["rows"][0]
    assert row.coverage == 33  # one of three criteria met
    assert row.submission_label == "Awaiting review"
    assert row.returned_count == 1
    assert dict((s.key, state) for s, state in row.steps)["audit.organisation"] == "in progress"
    page = response.content.decode()
    assert "33 %" in page
    assert "Awaiting review" in page
    assert escape(assessor.display_name) in page  # a name such as O'Brien is escaped
    assert "No activity for 21 days or more." in page
    assert "◐ In progress" in page


def test_the_summary_puts_the_criteria_most_learners_lack_first(client, tutor, cohort, assessor):
    fill(cohort, assessor, 3)
    client.force_login(tutor)

    summary = client.get(url(cohort)).context["summary"]

    # The third criterion is met by all three: nobody lacks it, so it is not listed.
    assert [s.lacking for s in summary] == [3, 3]
    assert summary[0].counts["claimed"] == 3  # the second criterion: claimed by all, lacked by all


def test_with_one_learner_the_chart_says_learner_and_a_covered_criterion_is_not_lacking(
    client, tutor, cohort, assessor
):
    fill(cohort, assessor, 1)
    client.force_login(tutor)

    response = client.get(url(cohort))

    assert response.context["chart"]["description"].startswith("1 learner by the share")
    assert all(item.lacking for item in response.context["summary"])


def test_sorting_by_coverage_and_filtering_by_risk_and_assessor(
    client, tutor, cohort, assessor, other_assessor
):
    from datetime import timedelta

    from django.utils import timezone

    from tests.factories import LearnerFactory, PortfolioFactory

    [filled] = fill(cohort, assessor, 1)
    idle = PortfolioFactory(
        cohort=cohort,
        learner=LearnerFactory(last_name="Idle"),
        assessor=other_assessor,
        last_activity_at=timezone.now() - timedelta(days=40),
    )
    client.force_login(tutor)

    by_coverage = client.get(url(cohort, sort="-coverage")).context["rows"]
    assert [r.portfolio.pk for r in by_coverage] == [filled.pk, idle.pk]
    at_risk = client.get(url(cohort, risk="1")).context["rows"]
    assert [r.portfolio.pk for r in at_risk] == [idle.pk]
    assert "No activity for 40 days" in at_risk[0].risks
    theirs = client.get(url(cohort, assessor=other_assessor.pk)).context["rows"]
    assert [r.portfolio.pk for r in theirs] == [idle.pk]
    waiting = client.get(url(cohort, state="awaiting_review")).context["rows"]
    assert [r.portfolio.pk for r in waiting] == [filled.pk]


@pytest.mark.parametrize(
    "params",
    [
        {"sort": "DROP TABLE"},
        {"state": "<script>"},
        {"assessor": "999999"},
        {"assessor": "abc"},
        {"risk": "yes please"},
        {"sort": "", "state": "", "assessor": ""},
        {"sort": "name\x00"},
    ],
)
def test_nonsense_filters_are_ignored_not_an_error(client, tutor, cohort, assessor, params):
    fill(cohort, assessor, 2)
    client.force_login(tutor)

    response = client.get(url(cohort, **params))

    assert response.status_code == 200
    assert len(response.context["rows"]) == 2
    assert response.context["chosen"] == {"sort": "name", "state": "", "assessor": "", "risk": ""}


def test_an_assessor_of_another_cohort_cannot_filter_by_themselves_into_our_cohort(
    client, tutor, cohort, outsider
):
    client.force_login(outsider)
    assert client.get(url(cohort)).status_code == 404


def test_an_empty_cohort_shows_an_empty_dashboard(client, tutor, cohort):
    client.force_login(tutor)

    response = client.get(url(cohort))

    assert response.status_code == 200
    assert response.context["total"] == 0
    html = response.content.decode()
    assert "There are no learners in this cohort yet." in html
    assert f'href="{reverse("portfolio:cohort_detail", args=[cohort.pk])}#invite"' in html
    assert "No learners match these filters." not in html


def test_filters_that_match_nobody_say_so_and_offer_every_learner(client, tutor, cohort, assessor):
    fill(cohort, assessor, 2)
    client.force_login(tutor)

    html = client.get(url(cohort, state="signed_off")).content.decode()

    assert "No learners match these filters." in html
    assert "There are no learners in this cohort yet." not in html
    assert f'href="{url(cohort)}">Show every learner' in html


def test_the_cohort_page_and_the_tutors_cards_link_to_the_dashboard(client, tutor, cohort):
    client.force_login(tutor)
    target = reverse("portfolio:cohort_dashboard", args=[cohort.pk])

    assert target in client.get(reverse("portfolio:cohort_detail", args=[cohort.pk])).content.decode()
    assert target in client.get(reverse("portfolio:tutor_home")).content.decode()


def test_staff_may_open_any_cohorts_dashboard(client, staff, cohort):
    client.force_login(staff)
    assert client.get(url(cohort)).status_code == 200


def test_learners_come_in_pages_and_a_nonsense_page_shows_the_first(
    client, tutor, cohort, assessor, monkeypatch
):
    from dashboards.selectors import paging as dashboard_paging

    monkeypatch.setattr(dashboard_paging, "PAGE_SIZE", 2)
    fill(cohort, assessor, 3)
    client.force_login(tutor)

    second = client.get(url(cohort, page=2, sort="name"))
    assert len(second.context["rows"]) == 1
    assert (
        "?page=1&amp;sort=name" in second.content.decode()
        or "sort=name&amp;page=1" in second.content.decode()
    )
    for nonsense in ("abc", "-1", "999"):
        assert client.get(url(cohort, page=nonsense)).status_code == 200
    assert len(client.get(url(cohort, page="abc")).context["rows"]) == 2
    assert client.get(url(cohort, page=2)).context["matching"] == 3


def test_heat_map_cells_escape_what_a_framework_file_says(client, tutor, cohort, assessor):
    fill(cohort, assessor, 1)
    criterion = cohort.frameworks.get().criteria.order_by("order").last()
    criterion.code = '<img src=x onerror="alert(1)">'
    criterion.save()
    client.force_login(tutor)

    heatmap = client.get(url(cohort)).content.decode().split('id="heatmap"')[1].split("</table>")[0]

    assert "<img" not in heatmap
    assert 'title="&lt;img src=x onerror=&quot;alert(1)&quot;&gt;: No evidence"' in heatmap


def test_every_learner_on_the_page_has_a_cell_per_criterion_and_a_step_per_section(
    client, tutor, cohort, assessor
):
    from core.sections import all_sections

    fill(cohort, assessor, 3)
    client.force_login(tutor)

    page = client.get(url(cohort)).content.decode()

    heatmap = page.split('id="heatmap"')[1].split("</table>")[0]
    body = heatmap.split("<tbody>")[1]
    assert body.count("<tr>") == 3
    assert body.count("<td ") == 3 * cohort.frameworks.get().criteria.count()
    assert body.count('<span class="visually-hidden">Claimed</span>') == 3
    assert page.count("◐ In progress") == 3
    assert page.count("· Empty") == 3 * (len(all_sections()) - 1)


def test_the_summary_and_counts_cover_the_whole_cohort_not_the_page(
    client, tutor, cohort, assessor, monkeypatch
):
    from dashboards.selectors import paging as dashboard_paging

    monkeypatch.setattr(dashboard_paging, "PAGE_SIZE", 2)
    fill(cohort, assessor, 5)
    client.force_login(tutor)

    response = client.get(url(cohort, sort="-coverage"))

    assert len(response.context["rows"]) == 2
    assert response.context["total"] == 5
    assert response.context["summary"][0].counts["claimed"] == 5
    assert "Showing 1–2 of 5" in response.content.decode()


def test_the_coverage_chart_numbers_its_axis_sensibly_for_a_large_cohort():
    from types import SimpleNamespace

    from dashboards.views import coverage_distribution_figure

    small = coverage_distribution_figure([SimpleNamespace(coverage=50)] * 3)
    large = coverage_distribution_figure([SimpleNamespace(coverage=85)] * 500)

    assert small.layout.yaxis.dtick == 1
    assert large.layout.yaxis.dtick is None  # not 500 ticks on top of each other
    assert large.layout.yaxis.tickformat == "d"


def test_sorting_by_name_goes_by_surname_then_first_name(client, tutor, cohort, assessor):
    for username, first, last in [
        ("a-zara", "Zara", "Khan"),
        ("z-amira", "Amira", "Khan"),
        ("m-ben", "ben", "adams"),
    ]:
        learner = LearnerFactory(username=username, first_name=first, last_name=last)
        PortfolioFactory(cohort=cohort, learner=learner, assessor=assessor)
    client.force_login(tutor)

    rows = client.get(url(cohort, sort="name")).context["rows"]

    assert [row.portfolio.learner.display_name for row in rows] == ["ben adams", "Amira Khan", "Zara Khan"]


def test_the_heat_map_heads_each_frameworks_criteria_with_its_code(client, tutor, cohort, assessor):
    PortfolioFactory(cohort=cohort, assessor=assessor)
    client.force_login(tutor)

    heatmap = client.get(url(cohort)).content.decode().split('id="heatmap"')[1].split("</table>")[0]

    frameworks = list(cohort.frameworks.all())
    assert frameworks
    for framework in frameworks:
        count = framework.criteria.count()
        assert f'<th scope="colgroup" colspan="{count}" class="text-start">{framework.code}</th>' in heatmap
