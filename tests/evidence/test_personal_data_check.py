"""The warning before saving, one-click redaction and "save anyway", through the pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from evidence.models import Evidence
from tests.evidence.test_add_evidence import transcript_data

pytestmark = pytest.mark.django_db


def reflection_url(portfolio):
    return reverse("evidence:add", kwargs={"portfolio_pk": portfolio.pk, "kind": "reflection"})


REFLECTION = {
    "title": "Handling Mrs B's complaint",
    "occurred_on": "2026-03-04",
    "body": "She gave her order number FH-482913 and e-mailed jo.b@example.org from LS6 2AB.",
}


def test_it_warns_before_saving_and_saves_nothing(client, learner, portfolio):
    client.force_login(learner)

    response = client.post(reflection_url(portfolio), {**REFLECTION, "action": "save"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "may contain customers’ personal data" in page
    for text in ("FH-482913", "jo.b@example.org", "LS6 2AB"):
        assert text in page
    assert not Evidence.objects.exists()


def test_one_click_redacts_one_finding_and_keeps_the_others(client, learner, portfolio):
    client.force_login(learner)
    first = client.post(reflection_url(portfolio), {**REFLECTION, "action": "save"})
    token = next(item.token for item in first.context["findings"] if item.finding.kind == "email")

    response = client.post(reflection_url(portfolio), {**REFLECTION, "redact": token})

    body = response.context["form"]["body"].value()
    assert "[e-mail removed]" in body
    assert "FH-482913" in body
    assert "LS6 2AB" in body
    assert [item.finding.kind for item in response.context["findings"]] == ["reference", "postcode"]
    assert not Evidence.objects.exists()


def test_redact_all_then_save(client, learner, portfolio):
    client.force_login(learner)
    response = client.post(reflection_url(portfolio), {**REFLECTION, "redact": "all"})
    body = response.context["form"]["body"].value()
    assert response.context["findings"] == []

    saved = client.post(reflection_url(portfolio), {**REFLECTION, "body": body, "action": "save"})

    assert saved.status_code == 302
    assert Evidence.objects.get().body == (
        "She gave her order number [reference removed] and e-mailed [e-mail removed] from [postcode removed]."
    )


def test_the_learner_can_save_anyway_when_it_is_not_a_customer(client, learner, portfolio):
    client.force_login(learner)

    response = client.post(reflection_url(portfolio), {**REFLECTION, "action": "save_anyway"})

    assert response.status_code == 302
    assert "FH-482913" in Evidence.objects.get().body


def test_transcript_messages_are_checked_and_redacted_per_message(client, learner, portfolio):
    client.force_login(learner)
    url = reverse("evidence:add", kwargs={"portfolio_pk": portfolio.pk, "kind": "transcript"})
    data = transcript_data(
        **{"messages-0-text": "@sam_b here, call me on 07700 900123 about @FernleafHome's van"}
    )

    warned = client.post(url, {**data, "action": "save"})
    found = [(item.where, item.finding.text) for item in warned.context["findings"]]
    assert found == [("Message 1", "@sam_b"), ("Message 1", "07700 900123")]
    phone = warned.context["findings"][1].token

    redacted = client.post(url, {**data, "redact": phone})

    assert redacted.context["formset"].forms[0]["text"].value() == (
        "@sam_b here, call me on [phone number removed] about @FernleafHome's van"
    )
    assert not Evidence.objects.exists()


def test_saving_anyway_is_remembered_for_the_item_and_not_asked_again(client, learner, portfolio):
    client.force_login(learner)
    client.post(reflection_url(portfolio), {**REFLECTION, "action": "save_anyway"})
    item = Evidence.objects.get()
    edit = reverse("evidence:edit", kwargs={"portfolio_pk": portfolio.pk, "pk": item.pk})

    response = client.post(edit, {**REFLECTION, "title": "Handling a complaint", "action": "save"})

    assert response.status_code == 302  # no warning for what was already confirmed not personal
    assert item.not_personal_marks.count() == 3
    # Something new is still asked about.
    changed = {**REFLECTION, "body": REFLECTION["body"] + " Call 07700 900321.", "action": "save"}
    assert "This may contain customers’ personal data" in client.post(edit, changed).content.decode()
