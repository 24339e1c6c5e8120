from __future__ import annotations

import pytest
from django.urls import reverse

from evidence.models import Evidence
from strategy.completeness import PITCH_FIELDS
from strategy.models import ChampionPitch

pytestmark = pytest.mark.django_db

FIGURES = {
    "response_time_now": "300",
    "response_time_projected": "45",
    "cost_per_contact_now": "4.80",
    "cost_per_contact_projected": "3.10",
    "retention_now": "22",
    "retention_projected": "27",
    "nps_now": "18",
    "nps_projected": "30",
}


@pytest.fixture
def portfolio(learner):
    return learner.portfolios.get()


def url(portfolio, name="pitch"):
    return reverse(f"strategy:{name}", kwargs={"portfolio_pk": portfolio.pk})


def full_pitch():
    values = {name: f"About {label}." for name, label in PITCH_FIELDS}
    values.update(FIGURES)
    return {f"pitch-{k}": v for k, v in values.items()}


def test_a_full_pitch_completes_the_step_and_presents_the_figures(client, learner, portfolio):
    client.force_login(learner)

    assert client.post(url(portfolio), full_pitch()).status_code == 302

    assert Evidence.objects.get(portfolio=portfolio, section_key="strategy.pitch").section_complete
    slides = client.get(url(portfolio, "pitch_presentation")).content.decode()
    assert "£4.80 → £3.10" in slides
    assert "Down by £1.70 — an improvement" in slides
    assert "18 → 30" in slides


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("nps_projected", "150", "A Net Promoter Score runs from −100 to +100."),
        ("retention_now", "120", "A percentage runs from 0 to 100."),
        ("cost_per_contact_now", "-1", "This figure cannot be negative."),
    ],
)
def test_it_refuses_figures_that_cannot_be_true(client, learner, portfolio, field, value, message):
    client.force_login(learner)

    response = client.post(url(portfolio), {**full_pitch(), f"pitch-{field}": value})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ChampionPitch.objects.exists()


def test_the_presentation_view_is_readable_by_the_assessor(client, learner, assessor, portfolio):
    client.force_login(learner)
    client.post(url(portfolio), full_pitch())
    client.force_login(assessor)

    response = client.get(url(portfolio, "pitch_presentation"))

    assert response.status_code == 200
    assert "About the case in one sentence." in response.content.decode()


def test_speaker_notes_are_saved_and_shown_only_in_the_presenters_view(client, learner, portfolio):
    client.force_login(learner)
    notes = {"pitch-notes_opening": "Thank the board first.", "pitch-notes_actions": "Then stop and wait."}

    assert client.post(url(portfolio), {**full_pitch(), **notes}).status_code == 302

    assert ChampionPitch.objects.get().speaker_notes == {
        "opening": "Thank the board first.",
        "actions": "Then stop and wait.",
    }
    audience = client.get(url(portfolio, "pitch_presentation")).content.decode()
    presenter = client.get(url(portfolio, "pitch_presentation") + "?view=presenter").content.decode()
    assert "Thank the board first." not in audience
    assert "Thank the board first." in presenter
    assert "Then stop and wait." in presenter


def test_a_note_longer_than_the_limit_is_refused_and_nothing_is_saved(client, learner, portfolio):
    client.force_login(learner)

    response = client.post(url(portfolio), {**full_pitch(), "pitch-notes_risks": "x" * 2001})

    assert response.status_code == 200
    assert "at most 2000 characters" in response.content.decode()
    assert not ChampionPitch.objects.exists()


def test_the_deck_leaves_out_slides_with_nothing_to_show(client, learner, portfolio):
    client.force_login(learner)
    values = {k: v for k, v in full_pitch().items() if not k.endswith(("_now", "_projected"))}
    client.post(url(portfolio), values)

    slides = client.get(url(portfolio, "pitch_presentation")).content.decode()

    assert 'data-slide="benefits"' not in slides  # no figures
    assert 'data-slide="evidence"' not in slides  # no service data imported
    assert 'data-slide="actions"' in slides
