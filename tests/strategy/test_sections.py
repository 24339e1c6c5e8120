from __future__ import annotations

import pytest
from django.urls import reverse

from core.sections import all_sections, get_section
from evidence.models import Evidence
from strategy import services
from tests.factories import CriterionFactory, CriterionGroupFactory, FrameworkFactory

EXPECTED = {
    "strategy.vision": {"CSSMS": {"1.1", "1.2", "1.3", "2.1", "2.4", "2.5"}},
    "strategy.objectives": {"CFACSD22": {"K14"}, "CSSMS": {"2.5"}},
    "strategy.platforms": {"CFACSD22": {"P2", "K3"}, "CSSMS": {"2.2"}},
    "strategy.risks": {"CSSMS": {"2.5", "3.5"}},
    "strategy.regulation": {"CFACSD22": {"P8", "K8"}},
    "strategy.implementation": {
        "CFACSD22": {"P9", "P10", "P11", "P12", "K6", "K7", "K10", "K11"},
        "CSSMS": {"2.6"},
    },
    "strategy.monitoring": {"CFACSD22": {"P13", "P14", "K12", "K13", "K14"}, "CSSMS": {"1.6"}},
    "strategy.pitch": {"CSSMS": {"3.1", "3.2", "3.3", "3.4", "3.5"}},
}


def test_the_eight_steps_are_registered_in_order_in_the_strategy_stage():
    strategy = [s for s in all_sections() if s.key.startswith("strategy.")]

    assert [s.key for s in strategy] == list(EXPECTED)
    assert [s.order for s in strategy] == [210, 220, 230, 240, 250, 260, 270, 280]
    assert {s.stage for s in strategy} == {"Strategy"}
    for section in strategy:
        assert section.url(7) == reverse(section.url_name, kwargs={"portfolio_pk": 7})


@pytest.mark.parametrize("key", list(EXPECTED))
def test_each_step_maps_to_its_default_criteria_with_a_one_sentence_note(key):
    section = get_section(key)

    assert {fw: set(notes) for fw, notes in section.default_criteria.items()} == EXPECTED[key]
    for notes in section.default_criteria.values():
        for note in notes.values():
            assert note.endswith(".")
            assert note.count(". ") == 0, note


@pytest.mark.django_db
def test_saving_a_step_maps_it_to_the_cohorts_criteria(learner):
    portfolio = learner.portfolios.get()
    unit = FrameworkFactory(code="CSSMS")
    group = CriterionGroupFactory(framework=unit)
    for code in ["1.1", "1.2", "1.3", "2.1", "2.4", "2.5", "3.1"]:
        CriterionFactory(group=group, code=code)
    portfolio.cohort.frameworks.add(unit)

    services.save_vision(
        portfolio=portfolio, values={"vision_statement": "Help within the hour."}, actor=learner
    )

    evidence = Evidence.objects.get(portfolio=portfolio, section_key="strategy.vision")
    assert evidence.section_complete is False
    assert evidence.description == "Help within the hour."
    codes = sorted(m.criterion.code for m in evidence.mappings.select_related("criterion"))
    assert codes == ["1.1", "1.2", "1.3", "2.1", "2.4", "2.5"]
    assert all(m.is_default and m.note for m in evidence.mappings.all())
