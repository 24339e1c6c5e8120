"""Launches from the simulated platform, validated by pylti1p3's real checks."""

from __future__ import annotations

import time
from datetime import timedelta

import jwt
import pytest
import time_machine
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import SESSION_KEY
from django.utils import timezone

from core.models import Cohort, Membership, Portfolio, Role
from lti.models import CourseLink, LoginState, LtiAccount
from lti.services import forget_stale_logins
from tests.factories import LearnerFactory
from tests.lti.conftest import launch, start_login
from tests.lti.platform_sim import INSTRUCTOR, LEARNER
from tests.sso.test_mfa import CHALLENGE, enrol_totp

pytestmark = pytest.mark.django_db


def test_a_teachers_first_launch_creates_the_cohort_and_the_roster_fills_it(
    client, platform, registration, django_capture_on_commit_callbacks
):
    platform.members = [
        {
            "user_id": "teacher-1",
            "roles": [INSTRUCTOR],
            "status": "Active",
            "given_name": "Tess",
            "family_name": "Teach",
        },
        {
            "user_id": "learner-1",
            "roles": [LEARNER],
            "status": "Active",
            "given_name": "Lee",
            "family_name": "Learn",
        },
        {"user_id": "learner-2", "roles": [LEARNER], "status": "Active", "email": "l2@college.example"},
        {"user_id": "gone-1", "roles": [LEARNER], "status": "Inactive"},
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response, _, _ = launch(client, platform, sub="teacher-1", roles=[INSTRUCTOR])

    course = CourseLink.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/cohorts/{course.cohort_id}/"
    assert course.cohort.name == "Customer service 101"
    teacher = LtiAccount.objects.get(sub="teacher-1").user
    assert teacher.role == Role.TUTOR
    assert Membership.objects.filter(cohort=course.cohort, user=teacher, role=Role.TUTOR).exists()
    learners = set(
        Portfolio.objects.filter(cohort=course.cohort).values_list("learner__lti_accounts__sub", flat=True)
    )
    assert learners == {"learner-1", "learner-2"}
    assert course.lineitem_url.endswith("/lineitems/1")
    # The roster's service token was asked for with an assertion the tool's published key verifies.
    request = platform.token_requests[0]
    assert request["client_assertion_type"] == ["urn:ietf:params:oauth:client-assertion-type:jwt-bearer"]
    published = jwt.PyJWKSet.from_dict(client.get("/lti/jwks.json").json()).keys[0]
    assertion = jwt.decode(
        request["client_assertion"][0], published.key, algorithms=["RS256"], audience=f"{platform.base}/token"
    )
    assert assertion["iss"] == assertion["sub"] == platform.client_id
    # The teacher is signed in and may open the cohort's page.
    assert client.get(response["Location"]).status_code == 200


def test_instructors_become_assessors_when_the_centre_says_so(client, platform, registration):
    registration.teacher_role = Role.ASSESSOR
    registration.save()
    launch(client, platform, sub="teacher-1", roles=[INSTRUCTOR])
    assert Membership.objects.get().role == Role.ASSESSOR


def test_a_learners_launch_lands_on_their_portfolio(client, platform, registration):
    launch(client, platform, sub="teacher-1", roles=[INSTRUCTOR])
    client.logout()
    response, _, _ = launch(client, platform, sub="learner-9", roles=[LEARNER])

    portfolio = Portfolio.objects.get(learner__lti_accounts__sub="learner-9")
    assert response.status_code == 302
    assert response["Location"] == f"/portfolios/{portfolio.pk}/"
    assert client.get(response["Location"]).status_code == 200
    # Launching again finds the same account by its sub.
    client.logout()
    launch(client, platform, sub="learner-9", roles=[LEARNER])
    assert LtiAccount.objects.filter(sub="learner-9").count() == 1


def test_a_learner_cannot_open_a_course_no_teacher_has_set_up(client, platform, registration):
    response, _, _ = launch(client, platform, sub="learner-9", roles=[LEARNER])
    assert response.status_code == 403
    assert b"not set up yet" in response.content
    assert not Cohort.objects.exists()


def test_an_existing_account_is_linked_only_when_the_platform_vouches_for_its_emails(
    client, platform, registration
):
    launch(client, platform, sub="teacher-1", roles=[INSTRUCTOR])
    existing = LearnerFactory(email="ada@college.example")
    client.logout()
    launch(client, platform, sub="learner-a", roles=[LEARNER], email="ada@college.example")
    assert LtiAccount.objects.get(sub="learner-a").user != existing

    # Two accounts now share the address: even a trusted platform's e-mail links neither.
    registration.trust_email = True
    registration.save()
    client.logout()
    launch(client, platform, sub="learner-b", roles=[LEARNER], email="ada@college.example")
    assert LtiAccount.objects.get(sub="learner-b").user != existing

    grace = LearnerFactory(email="grace@college.example")
    client.logout()
    launch(client, platform, sub="learner-c", roles=[LEARNER], email="GRACE@college.example")
    assert LtiAccount.objects.get(sub="learner-c").user == grace


def test_a_launch_whose_state_cookie_was_blocked_opens_in_a_window_of_its_own(client, platform, registration):
    launch(client, platform, sub="teacher-1", roles=[INSTRUCTOR])
    client.logout()
    auth = start_login(client, platform, sub="learner-3")
    client.cookies.clear()  # the browser kept no third-party cookie
    claims = platform.claims(sub="learner-3", roles=[LEARNER], nonce=auth["nonce"])
    response = client.post("/lti/launch/", {"id_token": platform.id_token(claims), "state": auth["state"]})

    assert response.status_code == 200
    assert "X-Frame-Options" not in response  # the platform may show this page in its iframe
    link = response.context["ticket"].token
    opened = client.get(f"/lti/open/{link}/")
    portfolio = Portfolio.objects.get(learner__lti_accounts__sub="learner-3")
    assert opened["Location"] == f"/portfolios/{portfolio.pk}/"
    # The ticket works once.
    client.logout()
    again = client.get(f"/lti/open/{link}/")
    assert again.status_code == 403


def test_a_framed_launch_is_not_signed_in_inside_the_iframe(client, platform, registration):
    auth = start_login(client, platform, sub="teacher-1")
    claims = platform.claims(sub="teacher-1", roles=[INSTRUCTOR], nonce=auth["nonce"])
    response = client.post(
        "/lti/launch/",
        {"id_token": platform.id_token(claims), "state": auth["state"]},
        headers={"Sec-Fetch-Dest": "iframe"},
    )
    assert response.status_code == 200
    assert b"new window" in response.content
    assert "_auth_user_id" not in client.session


# --- Staff with a second factor -------------------------------------------------------------


@pytest.fixture
def staff_must_enrol(settings):
    settings.MFA_REQUIRED_ROLES = ["assessor", "tutor", "iqa", "staff", "eqa"]


def test_a_teacher_with_an_authenticator_app_gives_its_code_after_the_launch_and_lands(
    client, platform, registration, staff_must_enrol
):
    launch(client, platform, sub="teacher-1", roles=[INSTRUCTOR])
    totp = enrol_totp(client)  # a tutor must, before anything else
    client.logout()

    # The next launch: not logged out as a bypass of the second factor, but asked for it.
    response, _, _ = launch(client, platform, sub="teacher-1", roles=[INSTRUCTOR])
    assert response.status_code == 302
    assert response["Location"] == CHALLENGE
    assert SESSION_KEY not in client.session  # the launch alone opens nothing

    with time_machine.travel(timezone.now() + timedelta(seconds=60)):  # a code not used before
        answered = client.post(CHALLENGE, {"code": totp.now()})
    course = CourseLink.objects.get()
    assert answered["Location"] == f"/cohorts/{course.cohort_id}/"
    landed = client.get(answered["Location"])
    assert landed.status_code == 200
    # Named as the platform named them, not by the username the launch generated (lti-…).
    page = landed.content.decode()
    assert "Successfully signed in as Ada Lovelace." in page
    assert "signed in as lti-" not in page


def test_a_ticket_of_a_teacher_with_an_authenticator_app_asks_for_its_code(
    client, platform, registration, staff_must_enrol
):
    launch(client, platform, sub="teacher-1", roles=[INSTRUCTOR])
    enrol_totp(client)
    client.logout()
    auth = start_login(client, platform, sub="teacher-1")
    client.cookies.clear()  # the browser kept no third-party cookie
    claims = platform.claims(sub="teacher-1", roles=[INSTRUCTOR], nonce=auth["nonce"])
    response = client.post("/lti/launch/", {"id_token": platform.id_token(claims), "state": auth["state"]})

    opened = client.get(f"/lti/open/{response.context['ticket'].token}/")
    assert opened["Location"] == CHALLENGE
    assert SESSION_KEY not in client.session


def test_a_learner_is_signed_in_by_the_launch_alone(client, platform, registration, staff_must_enrol):
    launch(client, platform, sub="teacher-1", roles=[INSTRUCTOR])
    client.logout()
    response, _, _ = launch(client, platform, sub="learner-1", roles=[LEARNER])
    portfolio = Portfolio.objects.get(learner__lti_accounts__sub="learner-1")
    assert response["Location"] == f"/portfolios/{portfolio.pk}/"
    assert client.get(response["Location"]).status_code == 200


# --- Refused: each with the refusal page, never a traceback ----------------------------------


def _refused(response, because: str = "") -> None:
    assert response.status_code in (400, 403)
    assert b"The launch from your course was refused" in response.content
    assert because in response.content.decode().replace("&#x27;", "'"), response.content.decode()
    assert "_auth_user_id" not in response.wsgi_request.session


def test_a_replayed_launch_is_refused(client, platform, registration):
    first, auth, token = launch(client, platform, sub="teacher-1", roles=[INSTRUCTOR])
    assert first.status_code == 302
    client.logout()
    _refused(client.post("/lti/launch/", {"id_token": token, "state": auth["state"]}), "State not found")


def test_a_wrong_nonce_is_refused(client, platform, registration):
    _refused(
        launch(client, platform, sub="teacher-1", roles=[INSTRUCTOR], nonce="not-the-one-we-sent")[0],
        "Invalid Nonce",
    )


def test_a_wrong_audience_is_refused(client, platform, registration):
    _refused(
        launch(client, platform, sub="teacher-1", roles=[INSTRUCTOR], aud="someone-elses-tool")[0],
        "Registration not found",
    )


def test_an_expired_token_is_refused(client, platform, registration):
    past = int(time.time()) - 3600
    _refused(
        launch(client, platform, sub="teacher-1", roles=[INSTRUCTOR], iat=past - 300, exp=past)[0],
        "Signature has expired",
    )


def test_a_forged_signature_is_refused(client, platform, registration):
    auth = start_login(client, platform, sub="teacher-1")
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = forger.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    claims = platform.claims(sub="teacher-1", roles=[INSTRUCTOR], nonce=auth["nonce"])
    _refused(
        client.post(
            "/lti/launch/", {"id_token": platform.id_token(claims, key_pem=pem), "state": auth["state"]}
        )
    )
    assert not Cohort.objects.exists()


def test_an_unknown_issuer_is_refused(client, platform, registration):
    _refused(
        launch(client, platform, sub="teacher-1", roles=[INSTRUCTOR], iss="https://evil.example")[0],
        "Registration not found",
    )


def test_an_unknown_deployment_is_refused(client, platform, registration):
    claim = "https://purl.imsglobal.org/spec/lti/claim/deployment_id"
    _refused(
        launch(client, platform, sub="teacher-1", roles=[INSTRUCTOR], **{claim: "not-deployed"})[0],
        "Unable to find deployment",
    )


def test_a_launch_without_a_login_is_refused(client, platform, registration):
    claims = platform.claims(sub="teacher-1", roles=[INSTRUCTOR], nonce="n")
    _refused(
        client.post("/lti/launch/", {"id_token": platform.id_token(claims), "state": "state-made-up"}),
        "State not found",
    )


def test_garbage_is_refused(client, platform, registration):
    _refused(client.post("/lti/launch/", {"id_token": "not.a.jwt", "state": "x"}))
    _refused(client.post("/lti/launch/", {}))


def test_a_login_from_an_unregistered_platform_is_refused(client, platform, registration):
    response = client.get("/lti/login/", {"iss": "https://evil.example", "login_hint": "x", "client_id": "c"})
    assert response.status_code == 400
    assert b"not registered" in response.content


def test_the_launch_takes_only_posts(client):
    assert client.get("/lti/launch/").status_code == 405


def test_the_jwks_publishes_the_tools_public_key(client):
    keys = client.get("/lti/jwks.json").json()["keys"]
    assert keys[0]["kty"] == "RSA"
    assert keys[0]["alg"] == "RS256"
    assert "d" not in keys[0]


def test_stale_login_states_and_tickets_are_forgotten(client, platform, registration):
    start_login(client, platform, sub="teacher-1")
    start_login(client, platform, sub="teacher-2")
    LoginState.objects.filter(pk=LoginState.objects.first().pk).update(
        created_at=timezone.now() - timedelta(days=2)
    )
    assert forget_stale_logins() == {"states_deleted": 1, "tickets_deleted": 0}
    assert LoginState.objects.count() == 1
