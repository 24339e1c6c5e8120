"""Drafts of edit forms (core/drafts.py): kept per person and form, offered back,
never readable by anyone else, refused when hostile in size, gone once saved or expired."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core import drafts
from core.models import FormDraft
from strategy.models import Vision
from tests.factories import TutorFactory
from tests.form_pages import edit_form

pytestmark = pytest.mark.django_db

TYPED = "Help within the hour, every day of the week."


@pytest.fixture
def portfolio(learner):
    return learner.portfolios.get()


def vision_url(portfolio):
    return reverse("strategy:vision", kwargs={"portfolio_pk": portfolio.pk})


def _opened(client, portfolio) -> dict:
    return edit_form(client.get(vision_url(portfolio)).content.decode())


def _keep(client, data: dict, **fields):
    return client.post(reverse("portfolio:draft_save"), {**data, **fields})


def test_it_keeps_a_draft_and_offers_it_back_on_the_next_opening(client, learner, portfolio):
    client.force_login(learner)
    data = _opened(client, portfolio)

    response = _keep(client, data, **{"vision-vision_statement": TYPED})

    assert response.status_code == 200
    assert "saved_at" in response.json()
    draft = FormDraft.objects.get(owner=learner)
    assert draft.fields["vision-vision_statement"] == TYPED
    assert "csrfmiddlewaretoken" not in draft.fields
    assert "draft_key" not in draft.fields
    page = client.get(vision_url(portfolio)).content.decode()
    assert "You have unsaved text from" in page
    assert TYPED in page  # in the draft's data, for Restore
    assert not Vision.objects.filter(portfolio=portfolio, vision_statement=TYPED).exists()


def test_it_keeps_the_draft_for_its_person_after_their_session_expired(client, learner, portfolio):
    client.force_login(learner)
    data = _opened(client, portfolio)
    client.logout()

    response = _keep(client, data, **{"vision-vision_statement": TYPED})
    client.force_login(learner)

    assert response.status_code == 200
    assert FormDraft.objects.get(owner=learner).fields["vision-vision_statement"] == TYPED
    assert "You have unsaved text from" in client.get(vision_url(portfolio)).content.decode()


def test_a_save_deletes_the_persons_draft_of_that_form(client, learner, portfolio):
    client.force_login(learner)
    data = _opened(client, portfolio)
    _keep(client, data, **{"vision-vision_statement": TYPED})

    assert client.post(vision_url(portfolio), {**data, "vision-vision_statement": TYPED}).status_code == 302

    assert not FormDraft.objects.filter(owner=learner).exists()


def test_a_draft_equal_to_the_saved_record_is_not_offered(client, learner, portfolio):
    """A draft sent as the save left the page (and arriving after it) says nothing new."""
    client.force_login(learner)
    data = _opened(client, portfolio)
    client.post(vision_url(portfolio), {**data, "vision-vision_statement": TYPED})
    _keep(client, data, **{"vision-vision_statement": TYPED})

    page = client.get(vision_url(portfolio)).content.decode()

    assert "You have unsaved text from" not in page
    assert not FormDraft.objects.filter(owner=learner).exists()


def test_an_expired_draft_is_not_offered(client, learner, portfolio):
    client.force_login(learner)
    _keep(client, _opened(client, portfolio), **{"vision-vision_statement": TYPED})
    FormDraft.objects.update(updated_at=timezone.now() - timedelta(days=31))

    assert "You have unsaved text from" not in client.get(vision_url(portfolio)).content.decode()


def test_keeping_a_draft_deletes_expired_drafts(client, learner, other_learner, portfolio):
    client.force_login(learner)
    data = _opened(client, portfolio)
    FormDraft.objects.create(
        owner=other_learner, scope="old", path="/", fields={}, updated_at=timezone.now() - timedelta(days=31)
    )

    _keep(client, data, **{"vision-vision_statement": TYPED})

    assert not FormDraft.objects.filter(scope="old").exists()


def test_it_checks_ownership_of_a_draft_to_discard(client, learner, other_learner, portfolio):
    client.force_login(learner)
    _keep(client, _opened(client, portfolio), **{"vision-vision_statement": TYPED})
    draft = FormDraft.objects.get(owner=learner)
    client.force_login(other_learner)

    response = client.post(reverse("portfolio:draft_discard", args=[draft.pk]))

    assert response.status_code == 404
    assert FormDraft.objects.filter(pk=draft.pk).exists()


def test_its_owner_discards_a_draft(client, learner, portfolio):
    client.force_login(learner)
    _keep(client, _opened(client, portfolio), **{"vision-vision_statement": TYPED})
    draft = FormDraft.objects.get(owner=learner)

    response = client.post(
        reverse("portfolio:draft_discard", args=[draft.pk]), headers={"X-Requested-With": "fetch"}
    )

    assert response.status_code == 204
    assert not FormDraft.objects.exists()


def test_it_refuses_another_persons_draft_key(client, learner, other_learner, portfolio):
    client.force_login(learner)
    data = _opened(client, portfolio)
    client.force_login(other_learner)

    response = _keep(client, data, **{"vision-vision_statement": "Planted text."})

    assert response.status_code == 404
    assert not FormDraft.objects.exists()


@pytest.mark.parametrize("key", ["", "forged", "eyJ1IjoxfQ:forged:signature"])
def test_it_refuses_a_forged_draft_key(client, learner, key):
    client.force_login(learner)

    response = client.post(reverse("portfolio:draft_save"), {"draft_key": key, "vision-x": "text"})

    assert response.status_code == 400
    assert not FormDraft.objects.exists()


def test_it_refuses_an_old_draft_key(client, learner, portfolio, monkeypatch):
    client.force_login(learner)
    data = _opened(client, portfolio)
    monkeypatch.setattr(drafts, "DRAFT_KEY_MAX_AGE", -1)

    assert _keep(client, data, **{"vision-vision_statement": TYPED}).status_code == 400


@pytest.mark.parametrize(
    "hostile",
    [
        {"vision-vision_statement": "x" * (drafts.MAX_DRAFT_CHARS + 1)},
        {f"field-{i}": "x" for i in range(drafts.MAX_DRAFT_FIELDS + 1)},
        {"n" * (drafts.MAX_FIELD_NAME + 1): "x"},
    ],
    ids=["too-long", "too-many-fields", "long-name"],
)
def test_it_refuses_hostile_sizes(client, learner, portfolio, hostile):
    client.force_login(learner)
    data = _opened(client, portfolio)

    response = _keep(client, data, **hostile)

    assert response.status_code == 413
    assert not FormDraft.objects.exists()


def test_another_tutor_of_the_cohort_never_sees_a_tutors_draft(client, tutor, cohort):
    other = TutorFactory(username="tutor2")
    cohort.memberships.create(user=other, role="tutor")
    url = reverse("portfolio:cohort_edit", args=[cohort.pk])
    client.force_login(tutor)
    _keep(client, edit_form(client.get(url).content.decode()), organisation="Typed by the first tutor")
    client.force_login(other)

    page = client.get(url).content.decode()

    assert "You have unsaved text from" not in page
    assert "Typed by the first tutor" not in page


def test_the_draft_endpoint_only_takes_posts(client, learner):
    client.force_login(learner)

    assert client.get(reverse("portfolio:draft_save")).status_code == 405


def test_a_new_items_draft_is_offered_and_ends_when_the_item_is_added(client, learner, portfolio):
    client.force_login(learner)
    url = reverse("evidence:add", kwargs={"portfolio_pk": portfolio.pk, "kind": "reflection"})
    data = edit_form(client.get(url).content.decode())
    _keep(client, data, title="Weekend cover", body="What I learnt from the weekend rota.")

    assert "You have unsaved text from" in client.get(url).content.decode()
    response = client.post(
        url,
        {**data, "title": "Weekend cover", "body": "What I learnt from the weekend rota.", "action": "save"},
    )

    assert response.status_code == 302
    assert not FormDraft.objects.exists()


def test_the_draft_sent_as_a_saved_page_is_left_is_not_kept(client, learner, portfolio):
    client.force_login(learner)
    data = _opened(client, portfolio)
    client.post(vision_url(portfolio), {**data, "vision-vision_statement": TYPED})

    response = _keep(client, data, after_submit="1", **{"vision-vision_statement": TYPED})

    assert response.status_code == 200
    assert not FormDraft.objects.exists()


def test_the_draft_sent_after_a_refused_save_is_kept(client, learner, portfolio):
    """The save never arrived (the session had expired): the record did not move on."""
    client.force_login(learner)
    data = _opened(client, portfolio)
    client.logout()

    _keep(client, data, after_submit="1", **{"vision-vision_statement": TYPED})

    assert FormDraft.objects.get(owner=learner).fields["vision-vision_statement"] == TYPED
