"""The audit trail is append-only and readable by tutors and quality assurers;
notifications go out in the app and by e-mail."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from assessment import services as assessment
from core.models import AuditEntry, Notification
from tests.portfolio.conftest import decide

pytestmark = pytest.mark.django_db


def test_every_step_of_the_cycle_is_recorded(version, assessor, iqa, criteria):
    first = decide(version, criteria[0], assessor, status="not_yet_met", feedback="More please.")
    assessment.return_version(version=version, comment="", actor=assessor)
    assessment.sample_decisions(decisions=[first], actor=iqa)

    actions = list(AuditEntry.objects.order_by("pk").values_list("action", "actor__username"))

    assert actions == [
        ("submitted", "learner1"),
        ("decided", "assessor1"),
        ("returned", "assessor1"),
        ("sampled", "iqa1"),
    ]


def test_an_audit_entry_cannot_be_changed_or_deleted(version):
    entry = AuditEntry.objects.get()
    entry.summary = "Nothing happened."
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    with pytest.raises(ValueError, match="append-only"):
        entry.delete()
    assert AuditEntry.objects.get().summary.startswith("Version 1 submitted")


@pytest.mark.parametrize(("persona", "status"), [("tutor", 200), ("iqa", 200), ("outsider", 404)])
def test_tutors_and_quality_assurers_read_the_trail(client, version, persona, status, request):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(reverse("portfolio:trail", args=[version.portfolio_id]))

    assert response.status_code == status
    if status == 200:
        assert "Version 1 submitted" in response.content.decode()


def test_submit_return_and_sign_off_notify_in_the_app_and_by_email(
    filled, portfolio, learner, assessor, criteria, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        version = assessment.submit_portfolio(portfolio=portfolio, declaration_signed=True, actor=learner)
    decide(version, criteria[0], assessor, status="not_yet_met", feedback="Add the weekend figures.")
    with django_capture_on_commit_callbacks(execute=True):
        assessment.return_version(version=version, comment="Close.", actor=assessor)

    assert Notification.objects.filter(recipient=assessor).count() == 1
    assert Notification.objects.get(recipient=learner).subject == "Version 1 has been returned with feedback"
    assert [m.to for m in mail.outbox] == [[assessor.email], [learner.email]]
    assert "/versions/1/" in mail.outbox[1].body


def test_the_navigation_counts_unread_notifications(client, version, assessor):
    client.force_login(assessor)

    before = client.get(reverse("portfolio:notifications_count")).content.decode()
    page = client.get(reverse("portfolio:notifications")).content.decode()
    client.post(reverse("portfolio:notifications_read"))
    after = client.get(reverse("portfolio:notifications_count")).content.decode()

    assert '1<span class="visually-hidden"> unread</span>' in before
    assert "unread" not in after
    assert "submitted version 1" in page
    assert reverse("portfolio:notifications_count") in page  # loaded into the navigation
