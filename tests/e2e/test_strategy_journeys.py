from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.conf import settings
from playwright.sync_api import expect

from core.models import Criterion, Portfolio
from demo.people import build_demo
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SOON = (date.today() + timedelta(days=120)).isoformat()
STARTED = (date.today() - timedelta(days=10)).isoformat()


@pytest.fixture
def fresh_learner(page):
    """learner5 of the demo cohort (learner4 is signed off): an empty strategy, logged in."""
    build_demo(learners=5)
    portfolio = Portfolio.objects.get(learner__username="learner5")
    log_in(page, "learner5", settings.DEMO_PASSWORD)
    page.wait_for_url(re.compile(r"/portfolios/\d+/$"))
    return portfolio


def fill(page, values: dict[str, str]) -> None:
    for name, value in values.items():
        field = page.locator(f'[name="{name}"]')
        if field.evaluate("el => el.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)


def open_step(page, portfolio, step: str) -> None:
    page.goto(f"/portfolios/{portfolio.pk}/strategy/{step}/")


def save(page) -> None:
    page.get_by_role("button", name="Save").click()


def assert_complete_on_portfolio_page(page, portfolio, titles: list[str]) -> None:
    page.goto(f"/portfolios/{portfolio.pk}/")
    for title in titles:
        item = page.locator("li.list-group-item").filter(has=page.get_by_role("link", name=title, exact=True))
        assert item.locator(".badge").inner_text().endswith("Complete"), title


def objective(index: int, metric: str, baseline: str, target: str) -> dict[str, str]:
    p = f"objectives-{index}"
    return {
        f"{p}-statement": f"Cut the first response time for the social team to under an hour ({index + 1}).",
        f"{p}-metric_key": metric,
        f"{p}-baseline": baseline,
        f"{p}-target": target,
        f"{p}-start": STARTED,
        f"{p}-deadline": SOON,
        f"{p}-owner": "Team leader",
        f"{p}-business_objective": "More customers buy again.",
    }


def risk(index: int, category: str) -> dict[str, str]:
    p = f"risks-{index}"
    return {
        f"{p}-category": category,
        f"{p}-description": f"A {category.replace('_', ' ')} risk.",
        f"{p}-likelihood": "3",
        f"{p}-impact": "4",
        f"{p}-owner": "Social media lead",
        f"{p}-mitigation": "A mitigation that lowers it.",
        f"{p}-residual_likelihood": "1",
        f"{p}-residual_impact": "3",
    }


def coverage_row_text(page, portfolio, framework: str, code: str) -> str:
    criterion = Criterion.objects.get(framework__code=framework, code=code)
    page.goto(f"/portfolios/{portfolio.pk}/evidence/coverage/")
    return page.locator(f"#criterion-{criterion.pk}").inner_text()


def test_a_learner_completes_the_first_four_strategy_steps(page, fresh_learner):
    portfolio = fresh_learner
    # Unit criterion 3.5 (analyse the risks) has no evidence before the risk register.
    assert "No evidence" in coverage_row_text(page, portfolio, "CSSMS", "3.5")

    open_step(page, portfolio, "vision")
    for textarea in page.locator("form textarea").all():
        textarea.fill("Written in full for Fernleaf Home.")
    save(page)
    assert page.get_by_text("Saved. This step is complete.").is_visible()

    open_step(page, portfolio, "objectives")
    fill(page, objective(0, "median_first_response", "300", "45"))
    fill(page, objective(1, "csat", "71", "82"))
    save(page)
    assert page.locator("#step-state").inner_text().strip() == "Complete"
    assert page.locator(".smart-pass").count() == 10

    open_step(page, portfolio, "platforms")
    for index, (name, score) in enumerate([("Facebook", "5"), ("TikTok", "2")]):
        fill(page, {f"platforms-{index}-platform": name})
        for criterion in ["audience_fit", "customer_usage", "service_features", "cost", "staffing"]:
            fill(page, {f"platforms-{index}-{criterion}": score})
    fill(page, {"weights-justification": "Our customers ask for help on Facebook, not TikTok."})
    save(page)
    assert page.locator("#platform-ranking-table").get_by_text("Facebook").is_visible()
    expect(page.locator('[data-plotly-figure="platform-ranking-data"] .main-svg').first).to_be_visible(
        timeout=20_000
    )

    open_step(page, portfolio, "risks")
    fill(page, risk(0, "data_security"))
    fill(page, risk(1, "negative_publicity"))
    fill(page, risk(2, "regulation"))
    save(page)
    assert page.locator("#step-state").inner_text().strip() == "Complete"
    expect(page.locator('[data-plotly-figure="risk-heat-map-data"] .main-svg').first).to_be_visible(
        timeout=20_000
    )

    assert_complete_on_portfolio_page(
        page, portfolio, ["Vision and fit", "SMART objectives", "Platform selection", "Risk register"]
    )
    # The coverage matrix fills as the steps are completed: the register now evidences 3.5.
    row = coverage_row_text(page, portfolio, "CSSMS", "3.5")
    assert "Risk register" in row
    assert "Evidenced" in row


def test_a_learner_completes_the_last_four_strategy_steps(page, fresh_learner):
    portfolio = fresh_learner

    open_step(page, portfolio, "regulation")
    fill(page, {"checks-0-improvement": "Weekend cover on Facebook and X."})
    for law in ["consumer_rights", "data_protection", "equality", "advertising", "platform_terms"]:
        fill(page, {f"checks-0-{law}_status": "complies", f"checks-0-{law}_note": "Checked and noted."})
    save(page)
    assert page.get_by_text("Saved. This step is complete.").is_visible()

    open_step(page, portfolio, "implementation")
    fill(page, {"plan-roles": "Team leader\nAdvisers"})
    save(page)  # a draft: the matrix now has a column per role
    assert page.get_by_text("Saved as a draft").is_visible()
    fill(
        page,
        {
            "raci-0-activity": "Set up the social inbox",
            "raci-0-role_0": "A",
            "raci-0-role_1": "R",
            "protocols-0-platform": "Facebook",
            "protocols-0-first_response_minutes": "60",
            "protocols-0-hours_covered": "Every day 8am–8pm",
            "budget-0-item": "Inbox add-on",
            "budget-0-amount": "7200",
            "tasks-0-task": "Weekend pilot",
            "tasks-0-start": STARTED,
            "tasks-0-end": SOON,
        },
    )
    for name in [
        "escalation_path",
        "crisis_framework",
        "brand_voice",
        "voice_do",
        "voice_dont",
        "training_needs",
        "technology",
        "capability_review",
    ]:
        fill(page, {f"plan-{name}": "Planned in detail."})
    save(page)
    assert page.locator("#step-state").inner_text().strip() == "Complete"
    assert page.locator("#budget-total").inner_text() == "Total budget: £7,200.00"
    expect(page.locator('[data-plotly-figure="implementation-timeline-data"] .main-svg').first).to_be_visible(
        timeout=20_000
    )

    open_step(page, portfolio, "monitoring")
    fill(
        page,
        {
            "cycles-0-title": "Weekend pilot",
            "cycles-0-started_on": STARTED,
            "cycles-0-reviewed_on": date.today().isoformat(),
            "cycles-0-plan_step": "Halve weekend waits.",
            "cycles-0-do_step": "Two advisers at weekends.",
            "cycles-0-check_step": "Waits fell from 300 to 95 minutes.",
            "cycles-0-act_step": "Add alerts.",
            "cycles-0-metric_key": "median_first_response",
            "cycles-0-value_before": "300",
            "cycles-0-value_after": "95",
        },
    )
    save(page)
    assert page.locator("#cycle-comparison").get_by_text("better").is_visible()

    open_step(page, portfolio, "pitch")
    for textarea in page.locator("form textarea").all():
        textarea.fill("Argued with figures.")
    fill(
        page,
        {
            "pitch-audience": "Head of customer service",
            "pitch-headline": "Answer within the hour and keep customers.",
            "pitch-response_time_now": "300",
            "pitch-response_time_projected": "45",
            "pitch-cost_per_contact_now": "4.80",
            "pitch-cost_per_contact_projected": "3.10",
            "pitch-retention_now": "22",
            "pitch-retention_projected": "27",
            "pitch-nps_now": "18",
            "pitch-nps_projected": "30",
        },
    )
    save(page)
    assert page.locator("#step-state").inner_text().strip() == "Complete"
    page.get_by_role("link", name="Open the presentation view").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Answer within the hour and keep customers.")

    assert_complete_on_portfolio_page(
        page,
        portfolio,
        ["Regulation check", "Implementation plan", "Monitoring and review", "Champion pitch"],
    )


def test_bad_input_is_refused_at_the_field_and_rows_can_be_added(page, fresh_learner):
    portfolio = fresh_learner
    open_step(page, portfolio, "risks")
    rows_before = page.locator(".formset-row").count()

    page.get_by_role("button", name="Add another risk").click()
    assert page.locator(".formset-row").count() == rows_before + 1
    fill(page, {**risk(0, "data_security"), "risks-0-likelihood": "6"})
    fill(page, risk(rows_before, "crisis"))
    save(page)

    error = page.locator("#error_1_id_risks-0-likelihood, .invalid-feedback").filter(has_text="Score from 1")
    assert error.first.is_visible()
    assert page.locator("#step-state").inner_text().strip() == "Not complete yet"
    page.goto(f"/portfolios/{portfolio.pk}/")
    item = page.locator("li.list-group-item").filter(has=page.get_by_role("link", name="Risk register"))
    assert item.locator(".badge").inner_text() == "Not started"
