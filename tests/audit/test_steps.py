"""Guided steps: drafts are kept, completeness is computed, each save becomes evidence."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import OrganisationProfile, PlatformPresence, ServiceProcess
from core.sections import all_sections
from evidence.models import Evidence

pytestmark = pytest.mark.django_db


def management(total: int, initial: int = 0) -> dict:
    return {
        "rows-TOTAL_FORMS": str(total),
        "rows-INITIAL_FORMS": str(initial),
        "rows-MIN_NUM_FORMS": "0",
        "rows-MAX_NUM_FORMS": "1000",
    }


def organisation_post(processes: list[tuple[str, str]], **header) -> dict:
    data = {f"header-{key}": value for key, value in header.items()} | management(len(processes))
    for index, (name, how) in enumerate(processes):
        data[f"rows-{index}-name"] = name
        data[f"rows-{index}-how_it_runs"] = how
    return data


@pytest.fixture
def portfolio(learner):
    return learner.portfolios.get()


def test_the_six_steps_are_registered_as_audit_sections():
    audit = [s for s in all_sections() if s.key.startswith("audit.")]

    assert [s.key for s in audit] == [
        "audit.organisation",
        "audit.presence",
        "audit.customers",
        "audit.communities",
        "audit.competitors",
        "audit.gaps",
    ]
    assert [s.order for s in audit] == [110, 120, 130, 140, 150, 160]
    assert {s.stage for s in audit} == {"Audit"}
    assert set(audit[1].default_criteria["CFACSD22"]) == {"P2", "P3", "K3", "K4"}
    assert set(audit[1].default_criteria["CSSMS"]) == {"1.4", "1.5"}
    assert audit[4].default_criteria == {"CSSMS": {"2.3": audit[4].default_criteria["CSSMS"]["2.3"]}}


def test_a_draft_is_saved_and_recorded_as_evidence_in_progress(client, learner, portfolio):
    client.force_login(learner)

    response = client.post(
        reverse("audit:organisation", args=[portfolio.pk]),
        organisation_post([("Returns", "")], name="Fernleaf Home"),
    )

    assert response.status_code == 302
    assert OrganisationProfile.objects.get(portfolio=portfolio).name == "Fernleaf Home"
    assert ServiceProcess.objects.get(portfolio=portfolio).name == "Returns"
    evidence = Evidence.objects.get(portfolio=portfolio, section_key="audit.organisation")
    assert evidence.section_complete is False
    assert "Fernleaf Home" in evidence.description


def test_the_step_is_complete_when_everything_needed_is_there(client, learner, portfolio):
    client.force_login(learner)
    processes = [("Orders", "By phone"), ("Deliveries", "Slots by text"), ("Returns", "Collection booked")]

    client.post(
        reverse("audit:organisation", args=[portfolio.pk]),
        organisation_post(
            processes, name="Fernleaf Home", service_offer="Delivery and assembly", products="Sofas"
        ),
    )

    assert (
        Evidence.objects.get(portfolio=portfolio, section_key="audit.organisation").section_complete is True
    )


def test_an_invalid_row_saves_nothing_and_keeps_what_was_typed(client, learner, portfolio):
    client.force_login(learner)
    data = management(1) | {
        "header-text": "Inboxes per platform",
        "rows-0-platform": "facebook",
        "rows-0-audience": "-40",
        "rows-0-service_use": "Delivery questions",
    }

    response = client.post(reverse("audit:presence", args=[portfolio.pk]), data)

    assert response.status_code == 400
    assert PlatformPresence.objects.count() == 0
    assert not Evidence.objects.filter(section_key="audit.presence").exists()
    content = response.content.decode()
    assert "Delivery questions" in content
    assert "Inboxes per platform" in content
    assert "Ensure this value is greater than or equal to 0" in content


def test_a_row_ticked_for_deletion_is_removed(client, learner, portfolio):
    row = ServiceProcess.objects.create(portfolio=portfolio, name="Old process")
    client.force_login(learner)
    data = (
        organisation_post([])
        | management(1, initial=1)
        | {
            "rows-0-id": str(row.pk),
            "rows-0-name": "Old process",
            "rows-0-DELETE": "on",
        }
    )

    client.post(reverse("audit:organisation", args=[portfolio.pk]), data)

    assert not ServiceProcess.objects.filter(pk=row.pk).exists()


def test_a_row_of_another_portfolio_cannot_be_changed_through_the_formset(
    client, learner, other_learner, portfolio
):
    stranger = ServiceProcess.objects.create(portfolio=other_learner.portfolios.get(), name="Theirs")
    client.force_login(learner)
    data = (
        organisation_post([])
        | management(1, initial=1)
        | {
            "rows-0-id": str(stranger.pk),
            "rows-0-name": "Mine now",
        }
    )

    client.post(reverse("audit:organisation", args=[portfolio.pk]), data)

    stranger.refresh_from_db()
    assert stranger.name == "Theirs"
    assert stranger.portfolio == other_learner.portfolios.get()


def test_the_assessor_reads_the_step_without_a_save_button(client, assessor, learner, portfolio):
    OrganisationProfile.objects.create(portfolio=portfolio, name="Fernleaf Home")
    client.force_login(assessor)

    response = client.get(reverse("audit:organisation", args=[portfolio.pk]))

    assert response.status_code == 200
    assert "Fernleaf Home" in response.content.decode()
    assert "Save</button>" not in response.content.decode()


def test_the_step_page_shows_guidance_and_criteria(client, learner, portfolio):
    client.force_login(learner)

    response = client.get(reverse("audit:competitors", args=[portfolio.pk]))

    content = response.content.decode()
    assert "What assessors look for" in content
    assert "CSSMS 2.3" in content


@pytest.mark.parametrize("rows", [1, 20])
def test_a_step_page_costs_the_same_queries_for_1_or_20_rows(
    client, learner, portfolio, rows, django_assert_num_queries
):
    ServiceProcess.objects.bulk_create(
        [ServiceProcess(portfolio=portfolio, name=f"P{i}") for i in range(rows)]
    )
    client.force_login(learner)
    client.get(reverse("audit:organisation", args=[portfolio.pk]))

    # session, user, portfolio (access), organisation profile, the process rows,
    # the step's version token with the person's draft (one query)
    with django_assert_num_queries(6):
        client.get(reverse("audit:organisation", args=[portfolio.pk]))
