"""The demo's rich learner is ready to submit: every must-fix rule passes."""

from __future__ import annotations

import pytest

from core.models import Portfolio
from demo.people import build_demo
from readiness.checks import MUST, check_portfolio

pytestmark = pytest.mark.django_db


def test_the_demo_learner_passes_every_must_fix_rule():
    build_demo(learners=2)
    portfolio = Portfolio.objects.get(learner__username="learner")

    report = check_portfolio(portfolio)

    assert [(f.rule.id, f.details) for f in report.failed if f.severity == MUST] == []
