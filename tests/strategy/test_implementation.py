from __future__ import annotations

import pytest
from django.urls import reverse

from evidence.models import Evidence
from strategy.models import BudgetLine, ImplementationPlan, RaciActivity, TimelineTask
from tests.strategy.factories import (
    BudgetLineFactory,
    RaciActivityFactory,
    ResponseProtocolFactory,
    TimelineTaskFactory,
)
from tests.strategy.helpers import formset_data

pytestmark = pytest.mark.django_db

PLAN = {
    "plan-roles": "Team leader\nAdvisers\nHead of service",
    "plan-escalation_path": "Adviser → team leader → head of service.",
    "plan-crisis_framework": "Detect, hold, assess, respond, recover.",
    "plan-brand_voice": "Warm and plain.",
    "plan-voice_do": "Use the customer's name.",
    "plan-voice_dont": "No jargon.",
    "plan-training_needs": "Complaint handling on social media.",
    "plan-technology": "Help-desk social inbox.",
    "plan-capability_review": "We need a weekend rota before launch.",
}


@pytest.fixture
def portfolio(learner):
    return learner.portfolios.get()


def url(portfolio):
    return reverse("strategy:implementation", kwargs={"portfolio_pk": portfolio.pk})


def data(*, raci=None, protocols=None, budget=None, tasks=None, **plan):
    result = {**PLAN, **{f"plan-{k}": v for k, v in plan.items()}}
    result.update(
        formset_data(
            "raci", raci if raci is not None else [{"activity": "Set up inbox", "role_0": "A", "role_1": "R"}]
        )
    )
    result.update(
        formset_data(
            "protocols",
            protocols
            if protocols is not None
            else [
                {"platform": "Facebook", "first_response_minutes": 60, "hours_covered": "Every day 8am–8pm"}
            ],
        )
    )
    result.update(
        formset_data(
            "budget",
            budget
            if budget is not None
            else [{"item": "Inbox", "amount": "7200"}, {"item": "Rota", "amount": "18500.50"}],
        )
    )
    result.update(
        formset_data(
            "tasks",
            tasks if tasks is not None else [{"task": "Pilot", "start": "2027-01-04", "end": "2027-02-01"}],
        )
    )
    return result


def test_a_full_plan_completes_the_step_and_totals_the_budget(client, learner, portfolio):
    client.force_login(learner)

    response = client.post(url(portfolio), data())

    assert response.status_code == 302
    evidence = Evidence.objects.get(portfolio=portfolio, section_key="strategy.implementation")
    assert evidence.section_complete
    assert "budget £25,700.50" in evidence.description
    assert RaciActivity.objects.get().assignments == {"Team leader": "A", "Advisers": "R"}
    html = client.get(url(portfolio)).content.decode()
    assert "Total budget: £25,700.50" in html
    assert "implementation-timeline-data" in html


def test_it_refuses_a_raci_row_with_no_accountable_person_and_saves_nothing(client, learner, portfolio):
    client.force_login(learner)

    response = client.post(
        url(portfolio), data(raci=[{"activity": "Set up inbox", "role_0": "R", "role_1": "R"}])
    )

    assert response.status_code == 200
    assert "Name exactly one accountable role (A)" in response.content.decode()
    assert not ImplementationPlan.objects.exists()
    assert not BudgetLine.objects.exists()


def test_it_refuses_a_raci_row_with_two_accountable_roles(client, learner, portfolio):
    client.force_login(learner)

    response = client.post(
        url(portfolio), data(raci=[{"activity": "Report", "role_0": "A", "role_1": "R", "role_2": "A"}])
    )

    assert "Only one role can be accountable (A) for an activity." in response.content.decode()
    assert not RaciActivity.objects.exists()


def test_it_refuses_a_task_ending_before_it_starts_and_keeps_the_old_plan(client, learner, portfolio):
    client.force_login(learner)
    client.post(url(portfolio), data())

    response = client.post(
        url(portfolio),
        data(
            tasks=[{"task": "Backwards", "start": "2027-03-01", "end": "2027-02-01"}], brand_voice="Changed"
        ),
    )

    assert response.status_code == 200
    assert "The end date cannot be before the start date." in response.content.decode()
    assert ImplementationPlan.objects.get().brand_voice == "Warm and plain."
    assert list(TimelineTask.objects.values_list("task", flat=True)) == ["Pilot"]


def test_it_refuses_a_negative_budget_line(client, learner, portfolio):
    client.force_login(learner)

    response = client.post(url(portfolio), data(budget=[{"item": "Refund", "amount": "-5"}]))

    assert "An amount cannot be negative." in response.content.decode()
    assert not BudgetLine.objects.exists()


def test_a_plan_without_protocols_is_a_draft(client, learner, portfolio):
    client.force_login(learner)

    client.post(url(portfolio), data(protocols=[]))

    assert not Evidence.objects.get(
        portfolio=portfolio, section_key="strategy.implementation"
    ).section_complete


def test_the_matrix_columns_are_the_roles(client, learner, portfolio):
    client.force_login(learner)
    client.post(url(portfolio), data())

    html = client.get(url(portfolio)).content.decode()

    assert '<th scope="col">Head of service</th>' in html
    assert 'name="raci-0-role_0"' in html


@pytest.mark.parametrize("rows", [1, 20])
def test_the_page_costs_the_same_queries_for_1_and_20_rows(
    client, learner, portfolio, rows, django_assert_num_queries
):
    ImplementationPlan.objects.create(portfolio=portfolio, roles="Lead\nAdvisers")
    RaciActivityFactory.create_batch(rows, portfolio=portfolio)
    ResponseProtocolFactory.create_batch(rows, portfolio=portfolio)
    BudgetLineFactory.create_batch(rows, portfolio=portfolio)
    TimelineTaskFactory.create_batch(rows, portfolio=portfolio)
    client.force_login(learner)

    # session, user, portfolio (with cohort, learner, assessor), plan, budget lines, activities,
    # protocols, tasks, the step's version token with the person's draft (one query)
    with django_assert_num_queries(9):
        assert client.get(url(portfolio)).status_code == 200
