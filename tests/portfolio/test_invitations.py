from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from core import services
from core.models import Invitation, Membership, Portfolio, User
from tests.factories import InvitationFactory, LearnerFactory

pytestmark = pytest.mark.django_db

GOOD_FORM = {
    "first_name": "Jo",
    "last_name": "Bloggs",
    "username": "jbloggs",
    "password1": "a-long-pass-phrase-77",
    "password2": "a-long-pass-phrase-77",
}


def accept_url(invitation: Invitation) -> str:
    return reverse("portfolio:invitation_accept", args=[services.invitation_token(invitation)])


def test_a_tutor_invites_by_email_with_a_signed_link(
    client, tutor, cohort, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(tutor)

    # The link's signature carries the second it was made: the clock stands still, so the link
    # rebuilt below is the one the e-mail holds however slow the machine.
    with time_machine.travel(timezone.now(), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("portfolio:cohort_invite", args=[cohort.pk]),
                {"email": "Jo@Example.org", "role": "learner"},
            )

        assert response.status_code == 302
        invitation = Invitation.objects.get()
        assert invitation.email == "jo@example.org"
        assert invitation.status == "pending"
        assert len(mailoutbox) == 1
        assert mailoutbox[0].to == ["jo@example.org"]
        assert accept_url(invitation) in mailoutbox[0].body


def test_accepting_creates_the_account_and_the_portfolio(client, cohort):
    invitation = InvitationFactory(cohort=cohort, role="learner", email="jo@example.org")

    response = client.post(accept_url(invitation), GOOD_FORM)

    assert response.status_code == 302
    user = User.objects.get(username="jbloggs")
    assert user.email == "jo@example.org"
    assert user.role == "learner"
    assert user.check_password("a-long-pass-phrase-77")
    assert Portfolio.objects.filter(cohort=cohort, learner=user).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    # The new person is logged in and lands on their own home page.
    assert client.get(reverse("portfolio:home")).status_code == 302
    assert "/accounts/login/" not in client.get(reverse("portfolio:home"))["Location"]


def test_accepting_as_assessor_creates_a_membership(client, cohort):
    invitation = InvitationFactory(cohort=cohort, role="assessor")

    client.post(accept_url(invitation), GOOD_FORM)

    assert Membership.objects.filter(cohort=cohort, user__username="jbloggs", role="assessor").exists()


def test_it_refuses_a_used_invitation(client, cohort):
    invitation = InvitationFactory(cohort=cohort)
    client.post(accept_url(invitation), GOOD_FORM)
    client.logout()

    response = client.post(accept_url(invitation), {**GOOD_FORM, "username": "someoneelse"})

    assert response.status_code == 410
    assert b"already been used" in response.content
    assert not User.objects.filter(username="someoneelse").exists()


def test_it_refuses_an_expired_invitation(client, cohort):
    invitation = InvitationFactory(cohort=cohort)

    with time_machine.travel(timezone.now() + timedelta(days=15)):
        response = client.post(accept_url(invitation), GOOD_FORM)

    assert response.status_code == 410
    assert b"expired" in response.content
    assert User.objects.count() == User.objects.exclude(username="jbloggs").count()
    assert not Portfolio.objects.filter(learner__username="jbloggs").exists()


def test_it_refuses_an_invitation_past_its_own_expiry(client, cohort):
    invitation = InvitationFactory(cohort=cohort, expires_at=timezone.now() - timedelta(minutes=1))

    response = client.get(accept_url(invitation))

    assert response.status_code == 410


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: token[:-3] + ("abc" if not token.endswith("abc") else "xyz"),
        lambda token: "not-a-token",
        lambda token: signing.dumps({"i": 999999, "n": "guess"}, salt=services.INVITATION_SALT),
        lambda token: signing.dumps({"i": 1}, salt="some.other.salt"),
    ],
    ids=["tampered", "garbage", "forged-id", "wrong-salt"],
)
def test_it_refuses_a_tampered_token_and_creates_nothing(client, cohort, mangle):
    invitation = InvitationFactory(cohort=cohort)
    users_before = User.objects.count()

    response = client.post(
        reverse("portfolio:invitation_accept", args=[mangle(services.invitation_token(invitation))]),
        GOOD_FORM,
    )

    assert response.status_code == 400
    assert b"not valid" in response.content
    assert User.objects.count() == users_before


def test_a_token_for_another_nonce_is_refused(client, cohort):
    invitation = InvitationFactory(cohort=cohort)
    token = signing.dumps({"i": invitation.pk, "n": "another-nonce"}, salt=services.INVITATION_SALT)

    response = client.get(reverse("portfolio:invitation_accept", args=[token]))

    assert response.status_code == 400


def test_a_withdrawn_invitation_cannot_be_used(client, tutor, cohort):
    invitation = InvitationFactory(cohort=cohort)
    client.force_login(tutor)
    client.post(reverse("portfolio:invitation_revoke", args=[cohort.pk, invitation.pk]))
    client.logout()

    response = client.post(accept_url(invitation), GOOD_FORM)

    assert response.status_code == 410
    assert not User.objects.filter(username="jbloggs").exists()


def test_inviting_again_withdraws_the_earlier_link(tutor, cohort):
    first = services.invite_person(cohort=cohort, email="jo@example.org", role="learner", actor=tutor)
    second = services.invite_person(cohort=cohort, email="jo@example.org", role="learner", actor=tutor)

    first.refresh_from_db()
    assert first.status == "withdrawn"
    assert second.status == "pending"


def test_a_form_error_saves_nothing(client, cohort):
    invitation = InvitationFactory(cohort=cohort)

    response = client.post(accept_url(invitation), {**GOOD_FORM, "password2": "different-pass-phrase-88"})

    assert response.status_code == 200
    assert "do not match" in response.content.decode()
    assert not User.objects.filter(username="jbloggs").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_a_weak_password_is_refused_at_the_field(client, cohort):
    invitation = InvitationFactory(cohort=cohort)

    response = client.post(
        accept_url(invitation), {**GOOD_FORM, "password1": "password", "password2": "password"}
    )

    assert response.status_code == 200
    assert "too common" in response.content.decode()
    assert not User.objects.filter(username="jbloggs").exists()


def test_an_existing_address_must_log_in_to_accept(client, cohort):
    LearnerFactory(username="already", email="jo@example.org")
    invitation = InvitationFactory(cohort=cohort, email="jo@example.org")

    response = client.post(accept_url(invitation), GOOD_FORM)

    assert "log in to accept" in response.content.decode()
    assert not User.objects.filter(username="jbloggs").exists()


def test_a_logged_in_person_with_the_invited_address_joins(client, cohort):
    existing = LearnerFactory(username="already", email="jo@example.org")
    invitation = InvitationFactory(cohort=cohort, email="jo@example.org")
    client.force_login(existing)

    response = client.post(accept_url(invitation))

    assert response.status_code == 302
    assert Portfolio.objects.filter(cohort=cohort, learner=existing).exists()


def test_a_logged_in_person_with_another_address_cannot_take_the_invitation(client, cohort, learner):
    invitation = InvitationFactory(cohort=cohort, email="someone.else@example.org", role="learner")
    client.force_login(learner)

    response = client.post(accept_url(invitation), follow=True)

    assert "another e-mail address" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_only_the_cohorts_tutor_can_invite(client, cohort, assessor, outsider):
    url = reverse("portfolio:cohort_invite", args=[cohort.pk])
    client.force_login(assessor)
    assert client.post(url, {"email": "x@example.org", "role": "learner"}).status_code == 403
    client.force_login(outsider)
    assert client.post(url, {"email": "x@example.org", "role": "learner"}).status_code == 404
    assert not Invitation.objects.exists()


def test_the_invitation_email_link_works(
    client, tutor, cohort, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.invite_person(cohort=cohort, email="jo@example.org", role="learner", actor=tutor)

    link = re.search(r"http\S+/invitations/\S+/", mailoutbox[0].body).group(0)
    response = client.get(link.replace(settings.SITE_URL, ""))

    assert response.status_code == 200
    assert b"Create my account and join" in response.content
