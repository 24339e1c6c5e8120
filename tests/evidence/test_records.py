"""Observation records: the assessor writes them, the learner confirms them with the
record's digest, and a change after confirmation sends them back to the learner."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import Notification
from core.versions import digest_of
from evidence import records
from evidence.files import check_upload
from evidence.models import CriterionMapping, Evidence, Observation, RecordAttachment
from evidence.services import EvidenceError, delete_evidence, set_criterion_mappings, set_evidence_mappings
from tests.evidence.factories import EvidenceFactory, make_observation, observation_data, png_bytes
from tests.factories import CriterionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(criteria):
    return criteria["standard"][:2]


# --- Services ---------------------------------------------------------------------------


def test_it_records_an_observation_mapped_with_notes(portfolio, two, learner):
    evidence = make_observation(portfolio, two)

    assert evidence.kind == Evidence.Kind.OBSERVATION
    assert evidence.observation.assessor == portfolio.assessor
    notes = dict(evidence.mappings.values_list("criterion_id", "note"))
    assert notes == {c.pk: f"Seen: {c.code} shown in the pitch." for c in two}
    assert evidence.observation.status == "awaiting"
    assert Notification.objects.filter(recipient=learner, url=evidence.get_absolute_url()).exists()


def test_a_record_mapped_to_no_criterion_is_refused_and_nothing_is_stored(portfolio, two):
    with pytest.raises(EvidenceError, match="at least one criterion"):
        make_observation(portfolio, two, notes={})

    assert not Evidence.objects.exists()
    assert not Observation.objects.exists()
    assert not Notification.objects.exists()


def test_a_criterion_without_a_note_is_refused(portfolio, two):
    with pytest.raises(EvidenceError, match="each criterion"):
        make_observation(portfolio, two, notes={two[0].pk: "Seen.", two[1].pk: "   "})

    assert not Evidence.objects.exists()


def test_a_criterion_of_another_cohort_is_refused(portfolio, two):
    stranger = CriterionFactory()

    with pytest.raises(EvidenceError, match="not part of this cohort"):
        make_observation(portfolio, [two[0], stranger])

    assert not Evidence.objects.exists()


@pytest.mark.parametrize("minutes", [0, -5, 1441, None])
def test_an_impossible_duration_is_refused(portfolio, two, minutes):
    with pytest.raises(EvidenceError):
        make_observation(portfolio, two, duration_minutes=minutes)

    assert not Evidence.objects.exists()


def test_only_the_assigned_assessor_records(portfolio, two, other_assessor, learner):
    for actor in (other_assessor, learner):
        with pytest.raises(EvidenceError):
            records.create_observation(portfolio=portfolio, data=observation_data(two), actor=actor)

    assert not Evidence.objects.exists()


def test_the_confirmation_is_signed_with_the_digest_of_the_content(portfolio, two, learner):
    evidence = make_observation(portfolio, two)
    expected = digest_of(
        {
            "kind": "observation",
            "title": "Observation: champion pitch",
            "occurred_on": "2026-11-03",
            "assessor_id": portfolio.assessor_id,
            "place": "Fernleaf Home, team room",
            "duration_minutes": 25,
            "activity": "Amira pitched the social media plan to the team.",
            "questions": "Q: Why reply within the hour? A: Customers expect it.",
            "criteria": sorted([c.pk, f"Seen: {c.code} shown in the pitch."] for c in two),
            "attachments": [],
        }
    )

    observation = records.confirm_record(
        evidence=evidence, accept=True, comment="", read_digest=expected, actor=learner
    )

    assert observation.confirmed_digest == expected == records.record_digest(evidence)
    assert observation.status == "confirmed"
    assert Notification.objects.filter(recipient=portfolio.assessor).exists()


def test_a_record_changed_after_confirmation_needs_confirming_again(portfolio, two, learner):
    evidence = make_observation(portfolio, two)
    records.confirm_record(
        evidence=evidence,
        accept=True,
        comment="",
        read_digest=evidence.observation.content_digest,
        actor=learner,
    )
    Notification.objects.all().delete()

    changed = records.update_observation(
        evidence=evidence,
        data=observation_data(two, notes={two[0].pk: "Seen: a different note."}),
        actor=portfolio.assessor,
    )

    assert changed.observation.status == "changed"
    assert list(changed.mappings.values_list("criterion_id", flat=True)) == [two[0].pk]
    assert Notification.objects.filter(recipient=learner).exists()


def test_saving_the_same_content_keeps_the_confirmation(portfolio, two, learner):
    evidence = make_observation(portfolio, two)
    records.confirm_record(
        evidence=evidence,
        accept=True,
        comment="",
        read_digest=evidence.observation.content_digest,
        actor=learner,
    )

    same = records.update_observation(evidence=evidence, data=observation_data(two), actor=portfolio.assessor)

    assert same.observation.status == "confirmed"


def test_a_confirmation_of_an_older_text_is_refused(portfolio, two, learner):
    evidence = make_observation(portfolio, two)
    read = evidence.observation.content_digest
    records.update_observation(
        evidence=evidence, data=observation_data(two, place="Head office"), actor=portfolio.assessor
    )

    with pytest.raises(EvidenceError, match="changed while you were reading"):
        records.confirm_record(evidence=evidence, accept=True, comment="", read_digest=read, actor=learner)

    assert Observation.objects.get().confirmed_digest == ""


def test_a_comment_needs_words(portfolio, two, learner):
    evidence = make_observation(portfolio, two)
    digest = evidence.observation.content_digest

    with pytest.raises(EvidenceError, match="comment"):
        records.confirm_record(
            evidence=evidence, accept=False, comment=" ", read_digest=digest, actor=learner
        )
    observation = records.confirm_record(
        evidence=evidence, accept=False, comment="It was 20 minutes.", read_digest=digest, actor=learner
    )

    assert observation.status == "commented"


def test_the_learner_cannot_change_delete_or_remap_a_record(portfolio, two, learner):
    evidence = make_observation(portfolio, two)
    mine = EvidenceFactory(portfolio=portfolio)

    with pytest.raises(EvidenceError):
        delete_evidence(evidence=evidence, actor=learner)
    with pytest.raises(EvidenceError):
        set_evidence_mappings(evidence=evidence, wanted={}, actor=learner)
    # The criterion's own picker sets the learner's items and leaves the record's mapping.
    set_criterion_mappings(portfolio=portfolio, criterion=two[0], wanted={mine.pk: "Mine."}, actor=learner)

    assert set(CriterionMapping.objects.filter(criterion=two[0]).values_list("evidence_id", flat=True)) == {
        evidence.pk,
        mine.pk,
    }


def test_the_version_keeps_the_record_and_its_confirmation(portfolio, two, learner):
    from evidence.snapshot import evidence_snapshot

    evidence = make_observation(portfolio, two)
    records.confirm_record(
        evidence=evidence,
        accept=True,
        comment="",
        read_digest=evidence.observation.content_digest,
        actor=learner,
    )

    item = next(i for i in evidence_snapshot(portfolio)["items"] if i["id"] == evidence.pk)

    assert item["record"]["place"] == "Fernleaf Home, team room"
    assert item["record"]["status"] == "confirmed"
    assert item["record"]["confirmed_digest"] == evidence.observation.content_digest
    assert len(item["mappings"]) == 2


# --- Views --------------------------------------------------------------------------------


def _form(criteria, **changes):
    data = {
        "title": "Observation: champion pitch",
        "occurred_on": "2026-11-03",
        "place": "Team room",
        "duration_minutes": "25",
        "activity": "The pitch.",
        "questions": "",
    }
    for c in criteria:
        data[f"c-{c.pk}-on"] = "on"
        data[f"c-{c.pk}-note"] = f"Saw {c.code}."
    data.update(changes)
    return data


def test_the_assessor_records_an_observation_through_the_page(client, portfolio, two):
    client.force_login(portfolio.assessor)
    url = reverse("evidence:observation_add", kwargs={"portfolio_pk": portfolio.pk})

    assert client.get(url).status_code == 200
    response = client.post(url, _form(two))

    evidence = Evidence.objects.get(kind="observation")
    assert response.status_code == 302
    assert response["Location"] == evidence.get_absolute_url()
    assert evidence.mappings.count() == 2


def test_the_page_refuses_a_record_with_no_criterion_and_stores_nothing(client, portfolio, two):
    client.force_login(portfolio.assessor)
    url = reverse("evidence:observation_add", kwargs={"portfolio_pk": portfolio.pk})

    response = client.post(url, _form([]))

    assert response.status_code == 400
    assert "at least one criterion" in response.content.decode()
    assert not Evidence.objects.exists()


def test_hostile_input_is_shown_as_text_and_forged_ids_map_nothing(client, portfolio, two):
    client.force_login(portfolio.assessor)
    stranger = CriterionFactory()
    url = reverse("evidence:observation_add", kwargs={"portfolio_pk": portfolio.pk})
    data = _form(two, place="<script>alert(1)</script>", **{f"c-{stranger.pk}-on": "on", "c-x-on": "on"})
    data[f"c-{two[0].pk}-note"] = "<img src=x onerror=alert(1)>"

    response = client.post(url, data, follow=True)

    evidence = Evidence.objects.get()
    assert set(evidence.mappings.values_list("criterion_id", flat=True)) == {c.pk for c in two}
    page = response.content.decode()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)" in page
    assert "<img src=x" not in page


def test_a_learner_cannot_record_an_observation(client, portfolio, two, learner):
    client.force_login(learner)
    url = reverse("evidence:observation_add", kwargs={"portfolio_pk": portfolio.pk})

    assert client.get(url).status_code == 403
    assert client.post(url, _form(two)).status_code == 403
    assert not Evidence.objects.exists()


def test_another_assessor_gets_404(client, portfolio, two, other_assessor):
    evidence = make_observation(portfolio, two)
    client.force_login(other_assessor)

    for url in (
        reverse("evidence:observation_add", kwargs={"portfolio_pk": portfolio.pk}),
        reverse("evidence:observation_edit", kwargs={"portfolio_pk": portfolio.pk, "pk": evidence.pk}),
        evidence.get_absolute_url(),
    ):
        assert client.get(url).status_code == 404


def test_an_observation_of_another_portfolio_gives_404_under_mine(client, portfolio, two, other_learner):
    other = other_learner.portfolios.get()
    foreign = make_observation(other, two[:1])
    client.force_login(portfolio.assessor)

    url = reverse("evidence:observation_edit", kwargs={"portfolio_pk": portfolio.pk, "pk": foreign.pk})

    assert client.get(url).status_code == 404


def test_the_learner_confirms_on_the_item_page(client, portfolio, two, learner):
    evidence = make_observation(portfolio, two)
    client.force_login(learner)
    page = client.get(evidence.get_absolute_url()).content.decode()
    assert "I accept this record" in page
    assert reverse("evidence:edit", kwargs={"portfolio_pk": portfolio.pk, "pk": evidence.pk}) not in page

    response = client.post(
        reverse("evidence:record_confirm", kwargs={"portfolio_pk": portfolio.pk, "pk": evidence.pk}),
        {"action": "accept", "digest": evidence.observation.content_digest},
        follow=True,
    )

    assert "Confirmed by the learner" in response.content.decode()
    assert Observation.objects.get().status == "confirmed"


def test_the_learner_cannot_reach_the_record_through_the_learner_pages(client, portfolio, two, learner):
    evidence = make_observation(portfolio, two)
    client.force_login(learner)
    kwargs = {"portfolio_pk": portfolio.pk, "pk": evidence.pk}

    for name in ("evidence:edit", "evidence:delete", "evidence:mappings"):
        assert client.get(reverse(name, kwargs=kwargs)).status_code == 404
    assert client.post(reverse("evidence:delete", kwargs=kwargs)).status_code == 404
    assert Evidence.objects.filter(pk=evidence.pk).exists()


def test_the_evidence_list_costs_the_same_with_1_and_20_records(
    client, portfolio, two, learner, django_assert_num_queries
):
    client.force_login(learner)
    url = reverse("evidence:list", kwargs={"portfolio_pk": portfolio.pk})
    make_observation(portfolio, two)
    client.get(url)
    # session, user, portfolio (with cohort, learner, assessor), the items with their
    # observations and counts (one query)
    with django_assert_num_queries(4) as one:
        client.get(url)
    for _ in range(19):
        make_observation(portfolio, two)

    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(url)

    assert response.content.decode().count("Awaiting the learner") == 20


# --- Photos and files ------------------------------------------------------------------------


def test_the_assessor_attaches_a_photo_checked_like_any_upload(client, portfolio, two, learner, settings):
    client.force_login(portfolio.assessor)
    url = reverse("evidence:observation_add", kwargs={"portfolio_pk": portfolio.pk})
    photo = SimpleUploadedFile("pitch.png", png_bytes(), content_type="image/png")

    response = client.post(url, {**_form(two), "attachments": [photo]})

    assert response.status_code == 302
    attachment = RecordAttachment.objects.get()
    assert attachment.original_name == "pitch.png"
    assert attachment.file.name.startswith(f"evidence/{portfolio.pk}/")
    client.force_login(learner)
    download = client.get(
        reverse(
            "evidence:record_attachment",
            kwargs={
                "portfolio_pk": portfolio.pk,
                "pk": attachment.evidence_id,
                "attachment_pk": attachment.pk,
            },
        )
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content)[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_refused_file_refuses_the_whole_record_and_stores_nothing(client, portfolio, two, settings):
    client.force_login(portfolio.assessor)
    url = reverse("evidence:observation_add", kwargs={"portfolio_pk": portfolio.pk})
    good = SimpleUploadedFile("pitch.png", png_bytes(), content_type="image/png")
    disguised = SimpleUploadedFile(
        "notes.png", b"<html><script>alert(1)</script></html>", content_type="image/png"
    )

    response = client.post(url, {**_form(two), "attachments": [good, disguised]})

    assert response.status_code == 400
    assert "notes.png" in response.content.decode()
    assert not Evidence.objects.exists()
    assert not RecordAttachment.objects.exists()
    media = settings.MEDIA_ROOT
    assert not any(p.is_file() for p in Path(media).rglob("*"))


def test_an_attachment_added_after_confirmation_needs_confirming_again(portfolio, two, learner):
    evidence = make_observation(portfolio, two)
    records.confirm_record(
        evidence=evidence,
        accept=True,
        comment="",
        read_digest=evidence.observation.content_digest,
        actor=learner,
    )

    records.update_observation(
        evidence=evidence,
        data=observation_data(two, uploads=[check_upload("pitch.png", png_bytes())]),
        actor=portfolio.assessor,
    )

    assert Observation.objects.get().status == "changed"
    assert RecordAttachment.objects.filter(evidence=evidence).count() == 1


def test_an_attachment_of_another_record_gives_404(client, portfolio, two, learner):
    evidence = make_observation(portfolio, two, uploads=[check_upload("pitch.png", png_bytes())])
    other = make_observation(portfolio, two)
    attachment = evidence.attachments.get()
    client.force_login(learner)

    response = client.get(
        reverse(
            "evidence:record_attachment",
            kwargs={"portfolio_pk": portfolio.pk, "pk": other.pk, "attachment_pk": attachment.pk},
        )
    )

    assert response.status_code == 404
