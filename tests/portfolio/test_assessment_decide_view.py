"""Saving a criterion decision on the version page: the outcome is shown beside that
criterion's form, where the assessor is, and a refused form keeps what was typed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.models import CriterionDecision
from tests.portfolio.conftest import decide

pytestmark = pytest.mark.django_db


def _decide_url(version, criterion):
    return reverse("portfolio:decide", args=[version.portfolio_id, version.number, criterion.pk])


def _card(page: str, criterion) -> str:
    """The criterion's section of the page."""
    start = page.index(f'<section class="card mb-2" id="criterion-{criterion.pk}"')
    return page[start : page.index("</section>", start)]


def _top_messages(page: str) -> str:
    """The page's usual message area, above the content."""
    start = page.index('<main id="main"')
    return page[start : page.index('<div class="page-header', start)]


def test_a_refused_decision_is_explained_in_its_card_with_what_was_typed_kept(
    client, version, assessor, criteria, filled
):
    client.force_login(assessor)

    response = client.post(
        _decide_url(version, criteria[1]),
        {"feedback": "Response times are shown for weekdays only.", "based_on": ""},
    )

    page = response.content.decode()
    card = _card(page, criteria[1])
    assert response.status_code == 400
    assert not CriterionDecision.objects.exists()
    assert "Choose met or not yet met. Your decision was not saved." in card
    assert "Response times are shown for weekdays only.</textarea>" in card
    assert f'aria-describedby="decision-error-{criteria[1].pk}"' in card  # the radios' fieldset
    assert "Choose met or not yet met" not in _top_messages(page)
    assert "Choose met or not yet met" not in _card(page, criteria[0])
    # The form posts to an address ending in the card's anchor: the browser opens the
    # redrawn page there, not at the top.
    assert f'/decide/#criterion-{criteria[1].pk}"' in card


def test_a_refused_decision_keeps_the_status_and_the_evidence_ticked(
    client, version, assessor, criteria, filled
):
    client.force_login(assessor)

    response = client.post(
        _decide_url(version, criteria[1]), {"status": "not_yet_met", "feedback": "  ", "based_on": ""}
    )

    card = _card(response.content.decode(), criteria[1])
    assert response.status_code == 400
    assert "feedback is needed when a criterion is not yet met" in card
    assert 'value="not_yet_met" id="notmet-' in card
    assert f'id="notmet-{criteria[1].pk}" checked' in card
    assert f'id="ev-{criteria[1].pk}-{filled["file"].pk}">' in card  # unticked, as sent
    assert "is-invalid" in card[card.index("<textarea") :]


def test_a_saved_decision_is_confirmed_in_its_card(client, version, assessor, criteria, filled):
    client.force_login(assessor)

    response = client.post(
        _decide_url(version, criteria[2]),
        {"status": "met", "evidence": [filled["transcript"].pk], "based_on": ""},
    )

    assert response.status_code == 302
    assert response["Location"].endswith(f"/versions/1/#criterion-{criteria[2].pk}")
    page = client.get(response["Location"]).content.decode()
    assert f"Decision on {criteria[2].code} saved." in _card(page, criteria[2])
    assert "saved." not in _top_messages(page)
    # Shown once: the next visit is quiet.
    assert "saved." not in client.get(response["Location"]).content.decode()


def test_other_messages_still_show_at_the_top(client, version, assessor, criteria):
    client.force_login(assessor)

    response = client.post(
        reverse("portfolio:close_version", args=[version.portfolio_id, 1]),
        {"outcome": "sign_off"},
        follow=True,
    )

    assert "Every criterion must be met" in _top_messages(response.content.decode())


def test_a_conflict_keeps_what_was_typed_on_top_of_the_decision_that_won(client, version, assessor, criteria):
    client.force_login(assessor)
    url = _decide_url(version, criteria[0])
    winner = decide(version, criteria[0], assessor, status="met", feedback="Clear.")

    response = client.post(url, {"status": "not_yet_met", "feedback": "Too thin.", "based_on": ""})

    card = _card(response.content.decode(), criteria[0])
    assert response.status_code == 409
    assert "after you opened this page, so yours was not saved" in card
    assert "Clear." in card  # the decision that won, shown above the form
    assert "Too thin.</textarea>" in card
    assert f'name="based_on" value="{winner.pk}"' in card
    # Saving again replaces the winner knowingly.
    client.post(url, {"status": "not_yet_met", "feedback": "Too thin.", "based_on": winner.pk})
    assert CriterionDecision.objects.get(superseded_by__isnull=True).feedback == "Too thin."
