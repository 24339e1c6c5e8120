"""Each readiness rule passes on a complete portfolio and fails when its point is missing."""

from __future__ import annotations

import pytest

from readiness.checks import MUST, SEVERITIES, all_rules, check_portfolio
from tests.portfolio.readiness_builders import BREAKERS, build_full

pytestmark = pytest.mark.django_db

RULE_IDS = [rule.id for rule in all_rules()]


@pytest.fixture
def portfolio(learner):
    return learner.portfolios.get()


@pytest.fixture
def full(portfolio):
    return build_full(portfolio)


def _finding(portfolio, rule_id):
    return next(f for f in check_portfolio(portfolio).findings if f.rule.id == rule_id)


def test_every_rule_has_a_way_to_break_it_in_the_tests():
    assert set(BREAKERS) == set(RULE_IDS)


def test_a_full_portfolio_passes_every_rule(full):
    report = check_portfolio(full)

    assert [(f.rule.id, f.details) for f in report.failed] == []
    assert report.ready


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_the_rule_fails_when_its_point_is_missing(full, rule_id):
    BREAKERS[rule_id](full)

    finding = _finding(full, rule_id)

    assert not finding.passed
    assert finding.details, "a failed rule says what is missing"


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_a_fresh_portfolio_passes_no_rule(portfolio, rule_id):
    # Even a rule about rows the portfolio does not have yet (a mapping without a note, a
    # transcript with personal data) is not "already done" when there is nothing to check.
    finding = _finding(portfolio, rule_id)

    assert not finding.passed
    assert finding.details, "it says why: nothing written yet"


def test_a_fresh_portfolio_is_not_ready(portfolio):
    report = check_portfolio(portfolio)

    assert not report.ready
    assert report.passed == []
    assert report.must_fix == sum(1 for rule in all_rules() if rule.severity == MUST)


@pytest.mark.parametrize("rule", all_rules(), ids=RULE_IDS)
def test_each_rule_is_well_formed(rule, portfolio):
    assert rule.severity in SEVERITIES
    assert rule.message.endswith(".")
    assert rule.fix_url(portfolio.pk).startswith("/"), "every rule links to the page that fixes it"
    for code in rule.criteria:
        framework, _, criterion = code.partition(" ")
        assert framework in {"CFACSD22", "CSSMS"}
        assert criterion


def test_personal_data_ignores_the_organisations_own_handle(full):
    assert _finding(full, "evidence.personal_data").passed


def test_personal_data_names_what_it_found(full):
    BREAKERS["evidence.personal_data"](full)

    details = " ".join(_finding(full, "evidence.personal_data").details)

    assert "e-mail address" in details
    assert "order or account number" in details


def test_an_objective_past_its_deadline_fails_the_smart_rule_with_the_test_it_fails(full):
    BREAKERS["strategy.objectives_smart"](full)

    details = " ".join(_finding(full, "strategy.objectives_smart").details)

    assert "Time-bound" in details


def test_a_criterion_only_claimed_without_a_note_is_not_covered(full):
    BREAKERS["evidence.mapping_notes"](full)

    finding = _finding(full, "evidence.criteria_covered")

    assert not finding.passed
    assert "only claimed" in finding.details[0]
