from __future__ import annotations

import pytest

from tests.factories import CriterionFactory, CriterionGroupFactory, FrameworkFactory


@pytest.fixture
def portfolio(learner):
    return learner.portfolios.select_related("cohort").get()


@pytest.fixture
def criteria(portfolio):
    """The cohort's standard (3 criteria from the factory) and a unit linked by the crosswalk."""
    standard = portfolio.cohort.frameworks.get()
    unit = FrameworkFactory(code="UNIT", kind="unit", title="The unit")
    group = CriterionGroupFactory(framework=unit, code="1", title="Understand the strategy")
    unit_criteria = [CriterionFactory(group=group, code=f"1.{i}", order=i) for i in (1, 2)]
    portfolio.cohort.frameworks.add(unit)
    std = list(standard.criteria.order_by("order"))
    std[0].crosswalk_out.create(target=unit_criteria[0], rationale="Both ask for the service offer.")
    return {"standard": std, "unit": unit_criteria}
