"""Saving a criterion decision from the marking workspace: in place with htmx (the panel comes
back with the outcome, the list and the progress out of band), or as a plain form post (back to
the workspace on that criterion); a refused form keeps what was typed, a conflict shows in the
panel."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.models import CriterionDecision
from tests.portfolio.conftest import decide

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _decide_url(version, criterion):
    return reverse("portfolio:decide", args=[version.portfolio_id, version.number, criterion.pk])


def _panel(page: str) -> str:
    """The panel of the chosen criterion."""
    start = page.index('<section id="ws-panel"')
    return page[start : page.index("</section>", start)]


def test_a_refused_decision_is_explained_in_the_panel_with_what_was_typed_kept(
    client, version, assessor, criteria, filled
):
    client.force_login(assessor)

    response = client.post(
        _decide_url(version, criteria[1]),
        {"feedback": "Response times are shown for weekdays only.", "based_on": ""},
        **HTMX,
    )

    panel = _panel(response.content.decode())
    assert response.status_code == 400
    assert not CriterionDecision.objects.exists()
    assert f'data-pk="{criteria[1].pk}"' in panel
    assert "Choose met or not yet met. Your decision was not saved." in panel
    assert "Response times are shown for weekdays only.</textarea>" in panel
    assert f'aria-describedby="decision-error-{criteria[1].pk}"' in panel  # the radios' fieldset


def test_a_refused_decision_keeps_the_status_and_the_evidence_ticked(
    client, version, assessor, criteria, filled
):
    client.force_login(assessor)

    response = client.post(
        _decide_url(version, criteria[1]), {"status": "not_yet_met", "feedback": "  ", "based_on": ""}, **HTMX
    )

    panel = _panel(response.content.decode())
    assert response.status_code == 400
    assert "feedback is needed when a criterion is not yet met" in panel
    assert 'id="ws-notmet" checked' in panel
    assert f'value="{filled["file"].pk}" id="ws-ev-{filled["file"].pk}">' in panel  # unticked, as sent
    assert "is-invalid" in panel[panel.index("<textarea") :]


def test_a_decision_saved_in_place_updates_the_panel_the_list_and_the_progress(
    client, version, assessor, criteria, filled
):
    client.force_login(assessor)

    response = client.post(
        _decide_url(version, criteria[2]),
        {"status": "met", "evidence": [filled["transcript"].pk], "based_on": ""},
        **HTMX,
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert f"Decision on {criteria[2].code} saved." in _panel(page)
    assert '<nav id="ws-list" class="ws-list" aria-label="Criteria" hx-swap-oob="true">' in page
    assert '<div id="ws-progress" class="ws-progress" hx-swap-oob="true">' in page
    assert f"1 of {len(criteria)} decided" in page
    decision = CriterionDecision.objects.get()
    assert decision.evidence_ids == [filled["transcript"].pk]
    # The panel stands on the decision just saved: saving again replaces it knowingly.
    assert f'name="based_on" value="{decision.pk}"' in _panel(page)


def test_a_plain_form_post_goes_back_to_the_workspace_on_that_criterion(client, version, assessor, criteria):
    client.force_login(assessor)

    response = client.post(_decide_url(version, criteria[2]), {"status": "met", "based_on": ""})

    assert response.status_code == 302
    assert response["Location"].endswith(f"/versions/1/workspace/?c={criteria[2].pk}")
    page = client.get(response["Location"]).content.decode()
    assert f"Decision on {criteria[2].code} saved." in page
    assert f'data-pk="{criteria[2].pk}"' in _panel(page)


def test_a_conflict_shows_in_the_panel_on_top_of_the_decision_that_won(client, version, assessor, criteria):
    client.force_login(assessor)
    url = _decide_url(version, criteria[0])
    winner = decide(version, criteria[0], assessor, status="met", feedback="Clear.")

    response = client.post(url, {"status": "not_yet_met", "feedback": "Too thin.", "based_on": ""}, **HTMX)

    panel = _panel(response.content.decode())
    assert response.status_code == 409
    assert "after you opened this page, so yours was not saved" in panel
    assert "Clear." in panel  # the decision that won, shown above the form
    assert "Too thin.</textarea>" in panel
    assert f'name="based_on" value="{winner.pk}"' in panel
    # Saving again replaces the winner knowingly.
    client.post(url, {"status": "not_yet_met", "feedback": "Too thin.", "based_on": winner.pk}, **HTMX)
    assert CriterionDecision.objects.get(superseded_by__isnull=True).feedback == "Too thin."
