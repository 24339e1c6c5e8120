from __future__ import annotations

import pytest

from core import sections
from evidence.models import CriterionMapping, Evidence
from evidence.selectors import workflow_steps
from evidence.services import record_section
from tests.factories import CriterionFactory, CriterionGroupFactory, FrameworkFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def section(monkeypatch):
    registry = dict(sections._REGISTRY)
    monkeypatch.setattr(sections, "_REGISTRY", registry)
    monkeypatch.setattr(sections, "reverse", lambda name, kwargs: f"/steps/{kwargs['portfolio_pk']}/")
    return sections.register_section(
        sections.Section(
            key="test.organisation",
            title="The organisation",
            order=1,
            url_name="portfolio:portfolio_detail",
            default_criteria={
                "STD": {"Z1": "Describes the service offer.", "S9": "Not in the cohort's framework."}
            },
        )
    )


@pytest.fixture
def learner_portfolio(learner):
    portfolio = learner.portfolios.get()
    framework = portfolio.cohort.frameworks.get()
    CriterionFactory(group=framework.groups.get(), code="Z1")
    # A criterion of a framework the cohort is not assessed against is never mapped.
    CriterionFactory(group=CriterionGroupFactory(framework=FrameworkFactory(code="OTHER")), code="S9")
    return portfolio


def test_saving_a_section_maps_it_to_its_criteria_with_notes(section, learner_portfolio, learner):
    evidence = record_section(
        portfolio=learner_portfolio, key=section.key, complete=False, summary="Draft", actor=learner
    )

    assert evidence.kind == Evidence.Kind.SECTION
    assert evidence.title == "The organisation"
    mappings = list(evidence.mappings.select_related("criterion"))
    assert [(m.criterion.code, m.note, m.is_default) for m in mappings] == [
        ("Z1", "Describes the service offer.", True)
    ]


def test_saving_again_updates_the_row_and_leaves_the_learners_mappings_alone(
    section, learner_portfolio, learner
):
    evidence = record_section(
        portfolio=learner_portfolio, key=section.key, complete=False, summary="v1", actor=learner
    )
    CriterionMapping.objects.filter(evidence=evidence).delete()  # the learner removed the default

    again = record_section(
        portfolio=learner_portfolio, key=section.key, complete=True, summary="v2", actor=learner
    )

    assert again.pk == evidence.pk
    assert again.section_complete is True
    assert again.description == "v2"
    assert not again.mappings.exists()
    assert Evidence.objects.filter(portfolio=learner_portfolio).count() == 1


def test_the_workflow_shows_each_steps_state(section, learner_portfolio, learner):
    assert [s.state for s in workflow_steps(learner_portfolio) if s.section.key == section.key] == ["empty"]

    record_section(portfolio=learner_portfolio, key=section.key, complete=False, summary="", actor=learner)
    assert [s.state for s in workflow_steps(learner_portfolio) if s.section.key == section.key] == [
        "in progress"
    ]

    record_section(portfolio=learner_portfolio, key=section.key, complete=True, summary="", actor=learner)
    assert [s.state for s in workflow_steps(learner_portfolio) if s.section.key == section.key] == [
        "complete"
    ]


def test_a_section_cannot_be_registered_twice_differently(section):
    with pytest.raises(ValueError, match="registered twice"):
        sections.register_section(sections.Section(key=section.key, title="Other", order=2, url_name="x"))
