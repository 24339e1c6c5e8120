from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evidence import services
from evidence.models import CriterionMapping
from tests.evidence.factories import EvidenceFactory, MappingFactory
from tests.factories import CriterionFactory

pytestmark = pytest.mark.django_db


def test_the_item_picker_saves_ticked_criteria_with_their_notes(client, learner, portfolio, criteria):
    evidence = EvidenceFactory(portfolio=portfolio)
    p1, p2, _ = criteria["standard"]
    client.force_login(learner)

    response = client.post(
        reverse("evidence:mappings", args=[portfolio.pk, evidence.pk]),
        {f"c-{p1.pk}-on": "on", f"c-{p1.pk}-note": "Shows our service offer.", f"c-{p2.pk}-on": "on"},
    )

    assert response.status_code == 302
    assert dict(evidence.mappings.values_list("criterion__code", "note")) == {
        p1.code: "Shows our service offer.",
        p2.code: "",
    }


def test_the_picker_offers_the_crosswalked_criterion_with_the_same_note(client, learner, portfolio, criteria):
    evidence = EvidenceFactory(portfolio=portfolio)
    p1 = criteria["standard"][0]
    linked = criteria["unit"][0]
    MappingFactory(evidence=evidence, criterion=p1, note="Shows our service offer.")
    client.force_login(learner)

    page = client.get(reverse("evidence:mappings", args=[portfolio.pk, evidence.pk]))

    assert [(s["criterion"], s["note"]) for s in page.context["suggestions"]] == [
        (linked, "Shows our service offer.")
    ]
    client.post(
        reverse("evidence:mapping_add", args=[portfolio.pk, evidence.pk]),
        {"criterion": linked.pk, "note": "Shows our service offer."},
    )
    assert evidence.mappings.filter(criterion=linked, note="Shows our service offer.").exists()


def test_unticking_removes_a_mapping(client, learner, portfolio, criteria):
    evidence = EvidenceFactory(portfolio=portfolio)
    MappingFactory(evidence=evidence, criterion=criteria["standard"][0])
    client.force_login(learner)

    client.post(reverse("evidence:mappings", args=[portfolio.pk, evidence.pk]), {})

    assert not evidence.mappings.exists()


def test_a_criterion_outside_the_cohort_is_ignored_by_the_picker_and_refused_by_the_service(
    client, learner, portfolio, criteria
):
    evidence = EvidenceFactory(portfolio=portfolio)
    stranger = CriterionFactory()
    client.force_login(learner)

    client.post(reverse("evidence:mappings", args=[portfolio.pk, evidence.pk]), {f"c-{stranger.pk}-on": "on"})
    assert not evidence.mappings.exists()
    with pytest.raises(services.EvidenceError, match="not part of this cohort"):
        services.set_evidence_mappings(evidence=evidence, wanted={stranger.pk: ""}, actor=learner)


def test_the_criterion_picker_maps_several_items_at_once(client, learner, portfolio, criteria):
    first, second = EvidenceFactory(portfolio=portfolio), EvidenceFactory(portfolio=portfolio)
    criterion = criteria["standard"][1]
    client.force_login(learner)

    response = client.post(
        reverse("evidence:criterion", args=[portfolio.pk, criterion.pk]),
        {f"e-{first.pk}-on": "on", f"e-{first.pk}-note": "I did this.", f"e-{second.pk}-on": "on"},
    )

    assert response.status_code == 302
    assert response["Location"].endswith(f"#criterion-{criterion.pk}")
    assert set(CriterionMapping.objects.filter(criterion=criterion).values_list("evidence_id", "note")) == {
        (first.pk, "I did this."),
        (second.pk, ""),
    }


def test_the_criterion_picker_cannot_map_another_learners_item(
    client, learner, other_learner, portfolio, criteria
):
    foreign = EvidenceFactory(portfolio=other_learner.portfolios.get())
    client.force_login(learner)

    client.post(
        reverse("evidence:criterion", args=[portfolio.pk, criteria["standard"][0].pk]),
        {f"e-{foreign.pk}-on": "on"},
    )

    assert not CriterionMapping.objects.exists()


def test_a_note_that_is_too_long_is_refused_with_a_message(client, learner, portfolio, criteria):
    evidence = EvidenceFactory(portfolio=portfolio)
    p1 = criteria["standard"][0]
    client.force_login(learner)

    response = client.post(
        reverse("evidence:mappings", args=[portfolio.pk, evidence.pk]),
        {f"c-{p1.pk}-on": "on", f"c-{p1.pk}-note": "x" * 2001},
        follow=True,
    )

    assert "under 2000 characters" in response.content.decode()
    assert not evidence.mappings.exists()


def test_saving_one_mapping_says_one_criterion(client, learner, portfolio, criteria):
    evidence = EvidenceFactory(portfolio=portfolio)
    p1 = criteria["standard"][0]
    client.force_login(learner)

    response = client.post(
        reverse("evidence:mappings", args=[portfolio.pk, evidence.pk]),
        {f"c-{p1.pk}-on": "on", f"c-{p1.pk}-note": "Shows our service offer."},
        follow=True,
    )

    assert "saved: 1 criterion." in response.content.decode()


def test_the_picker_reads_the_criteria_trees_once_a_minute_and_sees_a_change_at_once(
    client, learner, portfolio, criteria, django_assert_max_num_queries
):
    evidence = EvidenceFactory(portfolio=portfolio)
    client.force_login(learner)
    url = reverse("evidence:mappings", args=[portfolio.pk, evidence.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as second:
        page = client.get(url)
    assert not [q for q in second.captured_queries if '"portfolio_criterion"' in q["sql"].split("WHERE")[0]]
    assert page.context["frameworks"][0].groups.all()  # the trees came whole from the cache

    unit = criteria["unit"][0]
    unit.text = "Reworded by a new release of the unit."
    unit.save()  # saved in this process: the kept trees go
    assert "Reworded by a new release of the unit." in client.get(url).content.decode()


def test_each_view_of_the_criteria_trees_gets_its_own_objects(portfolio, criteria):
    from core.selectors import cohort_framework_trees

    first, again = cohort_framework_trees(portfolio.cohort), cohort_framework_trees(portfolio.cohort)

    assert [f.pk for f in first] == [f.pk for f in again]
    assert first[0] is not again[0]
    first[0].groups.all()[0].criteria.all()[0].framework = None  # a page's annotation stays its own
    assert again[0].groups.all()[0].criteria.all()[0].framework is not None
