"""Every e-mail the app sends is plain text: apostrophes and ampersands arrive as typed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from core.models import Notification
from core.password_reset import send_password_reset_links
from core.tasks import send_eqa_grant_email, send_invitation_email, send_notification_email
from evidence.models import WitnessRequest
from evidence.tasks import send_witness_request_email
from tests.factories import (
    CohortFactory,
    EqaGrantFactory,
    InvitationFactory,
    PortfolioFactory,
    TutorFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ESCAPES = ("&#x27;", "&#39;", "&amp;", "&quot;", "&lt;", "&gt;")


def send_invitation():
    tutor = TutorFactory(first_name="Siân", last_name="O'Neill & Co")
    cohort = CohortFactory(name='Tom\'s "Tuesday" <group>', organisation="Fernleaf & Sons", created_by=tutor)
    invitation = InvitationFactory(cohort=cohort, invited_by=tutor)
    assert send_invitation_email(invitation.pk)
    return ["O'Neill & Co", 'Tom\'s "Tuesday" <group>', "Fernleaf & Sons"]


def send_notification():
    learner = UserFactory(first_name="Amira", last_name="Khan")
    portfolio = PortfolioFactory(learner=learner)
    note = Notification.objects.create(
        recipient=learner,
        portfolio=portfolio,
        subject="Amira Khan's portfolio & evidence were returned",
        body='Look at "Risk register" & <Vision> again.',
        url="/portfolios/1/",
    )
    assert send_notification_email(note.pk)
    return ["Amira Khan's portfolio & evidence were returned", 'Look at "Risk register" & <Vision> again.']


def send_eqa_grant():
    tutor = TutorFactory(first_name="Siân", last_name="O'Neill & Co")
    cohort = CohortFactory(name='Tom\'s "Tuesday" <group>', organisation="Fernleaf & Sons", created_by=tutor)
    grant = EqaGrantFactory(cohort=cohort, eqa=None, purpose="Moderation of O'Neill's & others' <sample>")
    assert send_eqa_grant_email(grant.pk)
    return ["O'Neill & Co", 'Tom\'s "Tuesday" <group>', "Fernleaf & Sons", "O'Neill's & others' <sample>"]


def send_witness_request():
    learner = UserFactory(first_name="Siân", last_name="O'Neill & Co")
    portfolio = PortfolioFactory(learner=learner)
    witness_request = WitnessRequest.objects.create(
        portfolio=portfolio,
        requested_by=learner,
        name="Jo O'Brien & Partner",
        job_title="Team leader",
        relationship="Line manager",
        organisation="Fernleaf & Sons",
        email="jo@example.org",
        activity='The "weekend" rota <pilot> & its review',
        expires_at=timezone.now() + timedelta(days=21),
    )
    assert send_witness_request_email(witness_request.pk)
    return ["Jo O'Brien & Partner", "O'Neill & Co", 'The "weekend" rota <pilot> & its review']


def send_password_reset():
    UserFactory(
        username="o'brien&co", first_name="Róisín", last_name="O'Brien & Daughters", email="rob@example.org"
    )
    assert send_password_reset_links(email="rob@example.org") == 1
    return ["O'Brien & Daughters", "(o'brien&co)"]


SENDERS = {
    "invitation": send_invitation,
    "notification": send_notification,
    "EQA access": send_eqa_grant,
    "witness request": send_witness_request,
    "password reset": send_password_reset,
}
# Every plain-text template an e-mail is made from, and the sender above that renders it.
TEMPLATES = {
    "portfolio/email/invitation.txt": "invitation",
    "portfolio/email/notification.txt": "notification",
    "portfolio/email/eqa_grant.txt": "EQA access",
    "evidence/email/witness_request.txt": "witness request",
    "registration/password_reset_email.txt": "password reset",
    "registration/password_reset_subject.txt": "password reset",
}


@pytest.mark.parametrize("kind", SENDERS)
def test_apostrophes_and_ampersands_arrive_as_themselves(kind, mailoutbox):
    expected = SENDERS[kind]()

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    text = message.subject + "\n" + message.body
    for words in expected:
        assert words in text
    assert not any(escape in text for escape in ESCAPES), text
    assert message.content_subtype == "plain"


def test_every_text_email_template_is_covered_above():
    root = Path(settings.BASE_DIR) / "templates"
    found = {
        str(path.relative_to(root))
        for path in root.rglob("*.txt")
        if "email" in path.parts or path.name.startswith("password_reset")
    }

    assert found == set(TEMPLATES), "a new e-mail template needs a sender in SENDERS"
