"""Every credential page checks who is asking, and the public ones show only what they may."""

from __future__ import annotations

import base64
import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry, PortfolioVersion
from credentials.models import CohortCredentialPolicy, Credential
from credentials.verification import MAX_TOKEN_LENGTH
from tests.conftest import finish
from tests.credentials.conftest import sign_off
from tests.factories import PortfolioFactory

pytestmark = pytest.mark.django_db


def _url(name, credential=None):
    return reverse(f"credentials:{name}", args=[credential.public_id] if credential else [])


# --- The learner's downloads ---------------------------------------------------------------


def test_the_learner_downloads_their_credential_as_a_jwt(client, learner, credential):
    client.force_login(learner)

    response = finish(client.get(_url("download_jwt", credential)))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vc+jwt"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content.decode() == credential.token


def test_the_learner_reads_it_as_json(client, learner, credential):
    client.force_login(learner)

    claims = json.loads(client.get(_url("download_json", credential)).content)

    assert claims["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert claims["id"] == credential.urn


@pytest.mark.parametrize("name", ["download_jwt", "download_json"])
@pytest.mark.parametrize("who", ["other_learner", "assessor", "tutor", "iqa", "outsider", "staff"])
def test_it_checks_ownership_of_the_downloads(request, client, credential, name, who):
    client.force_login(request.getfixturevalue(who))

    assert client.get(_url(name, credential)).status_code == 404


@pytest.mark.parametrize("name", ["download_jwt", "download_json"])
def test_the_downloads_need_a_log_in(client, credential, name):
    response = client.get(_url(name, credential))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_unknown_credential_is_404_for_its_learner_too(client, learner, credential):
    client.force_login(learner)

    assert client.get(reverse("credentials:download_jwt", args=[uuid.uuid4()])).status_code == 404


# --- The public page ---------------------------------------------------------------------------


def test_the_public_page_needs_no_log_in_and_shows_only_the_allowed_fields(
    client, credential, learner, criteria
):
    portfolio = credential.version.portfolio

    page = client.get(credential.get_absolute_url()).content.decode()

    assert 'data-verdict="valid"' in page
    assert learner.display_name in page
    assert credential.achievement_name in page
    assert "Not revoked" in page
    assert "Social Customer Service Portfolios" in page  # the issuer
    assert criteria[0].text in page
    # Nothing else of the portfolio: no evidence, no comment, no assessor, no cohort, no e-mail.
    assert "Weekend response screenshot" not in page
    assert "Well done." not in page
    assert portfolio.assessor.display_name not in page
    assert portfolio.cohort.name not in page
    assert learner.email not in page
    assert learner.username not in page


def test_the_public_page_says_revoked_but_not_why(client, credential, staff):
    client.force_login(staff)
    client.post(_url("revoke", credential), {"reason": "Malpractice found by the awarding body."})
    client.logout()

    page = client.get(credential.get_absolute_url()).content.decode()

    assert 'data-verdict="revoked"' in page
    assert "Revoked</strong> on" in page
    assert "Malpractice" not in page


def test_an_unknown_public_id_is_404(client, db):
    assert client.get(reverse("credentials:public", args=[uuid.uuid4()])).status_code == 404


# --- The verification page ---------------------------------------------------------------------


def test_pasting_a_good_credential_verifies_it(client, credential, learner):
    page = client.post(_url("verify"), {"token": credential.token}).content.decode()

    assert 'data-verdict="valid"' in page
    assert learner.display_name in page


def test_uploading_the_jwt_file_verifies_it(client, credential):
    upload = SimpleUploadedFile(
        "credential.jwt", credential.token.encode(), content_type="application/octet-stream"
    )

    page = client.post(_url("verify"), {"file": upload}).content.decode()

    assert 'data-verdict="valid"' in page


def test_a_tampered_credential_is_invalid_and_names_no_one(client, credential, learner):
    header, payload, signature = credential.token.split(".")
    middle = len(payload) // 2
    changed = "B" if payload[middle] != "B" else "C"
    tampered = f"{header}.{payload[:middle]}{changed}{payload[middle + 1 :]}.{signature}"

    page = client.post(_url("verify"), {"token": tampered}).content.decode()

    assert 'data-verdict="invalid_signature"' in page
    assert learner.display_name not in page


@pytest.mark.parametrize("garbage", ["not a token", "<script>alert(1)</script>", "a.b.c"])
def test_garbage_is_answered_calmly(client, db, garbage):
    response = client.post(_url("verify"), {"token": garbage})

    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_a_huge_paste_is_refused_by_the_form(client, db):
    response = client.post(_url("verify"), {"token": "a" * (MAX_TOKEN_LENGTH + 10)})

    page = response.content.decode()
    assert response.status_code == 200
    assert "data-verdict" not in page
    assert "at most" in page


def test_a_huge_or_binary_upload_is_refused(client, db):
    big = SimpleUploadedFile("big.jwt", b"a" * (MAX_TOKEN_LENGTH + 1))
    binary = SimpleUploadedFile("x.jwt", b"\xff\xfe\x00")

    assert "far larger" in client.post(_url("verify"), {"file": big}).content.decode()
    assert "is not a credential" in client.post(_url("verify"), {"file": binary}).content.decode()


def test_an_empty_form_asks_for_a_credential(client, db):
    assert "Paste a credential or upload" in client.post(_url("verify"), {}).content.decode()


def test_an_alg_none_token_is_refused_on_the_page(client, credential):
    header = base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=").decode()
    payload = credential.token.split(".")[1]

    page = client.post(_url("verify"), {"token": f"{header}.{payload}.AAAA"}).content.decode()

    assert 'data-verdict="refused_algorithm"' in page


# --- The issuer, published -----------------------------------------------------------------------


def test_the_issuer_profile_and_keys_are_public(client, credential, signing_key):
    profile = client.get(_url("issuer")).json()
    jwks = json.loads(client.get(_url("jwks")).content)

    assert profile["id"] == "https://portfolio.example.ac.uk/credentials/issuer"
    assert profile["type"] == ["Profile"]
    assert profile["jwks_uri"].endswith("/credentials/issuer/jwks.json")
    assert [key["kid"] for key in jwks["keys"]] == [signing_key.thumbprint()]
    assert all("d" not in key for key in jwks["keys"])


def test_the_achievement_is_published(client, credential):
    key = credential.version.portfolio.cohort.frameworks.get().code

    document = client.get(reverse("credentials:achievement", args=[key])).json()

    assert document["type"] == ["Achievement"]
    assert client.get(reverse("credentials:achievement", args=["NOPE"])).status_code == 404


# --- Staff: the list and revocation ----------------------------------------------------------------


@pytest.mark.parametrize("who", ["learner", "assessor", "tutor", "iqa"])
def test_only_staff_see_the_list_and_revoke(request, client, credential, who):
    client.force_login(request.getfixturevalue(who))

    assert client.get(_url("staff_list")).status_code == 403
    assert client.post(_url("revoke", credential), {"reason": "x"}).status_code == 403
    assert not Credential.objects.get(pk=credential.pk).is_revoked


def test_staff_revoke_with_a_reason_recorded_in_the_audit_trail(client, credential, staff, learner):
    client.force_login(staff)
    assert credential.learner_name in client.get(_url("staff_list")).content.decode()

    response = client.post(_url("revoke", credential), {"reason": "Issued in error."})

    assert response.status_code == 302
    credential.refresh_from_db()
    assert (credential.revoked_by, credential.revocation_reason) == (staff, "Issued in error.")
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CREDENTIAL_REVOKED)
    assert (entry.actor, entry.version) == (staff, credential.version)
    assert "Issued in error." in entry.summary
    assert learner.notifications.filter(subject="Your credential has been revoked").exists()


def test_a_revocation_needs_a_reason_and_happens_once(client, credential, staff):
    client.force_login(staff)

    client.post(_url("revoke", credential), {"reason": "  "})
    assert not Credential.objects.get(pk=credential.pk).is_revoked
    client.post(_url("revoke", credential), {"reason": "First."})
    client.post(_url("revoke", credential), {"reason": "Second."})

    assert Credential.objects.get(pk=credential.pk).revocation_reason == "First."
    assert AuditEntry.objects.filter(action=AuditEntry.Action.CREDENTIAL_REVOKED).count() == 1


def _more_credentials(cohort, count):
    """Signed-off versions with their credentials, made directly: only the list is under test."""
    for _ in range(count):
        portfolio = PortfolioFactory(cohort=cohort)
        version = PortfolioVersion.objects.create(
            portfolio=portfolio, number=1, submitted_by=portfolio.learner, snapshot={}, digest="0" * 64
        )
        Credential.objects.create(
            version=version,
            learner_name=portfolio.learner.display_name,
            achievement_name="An achievement",
            issued_at=timezone.now(),
            key_id="k",
            token="a.b.c",
        )


def test_the_staff_list_costs_the_same_with_1_and_20_credentials(
    client, staff, credential, cohort, django_assert_num_queries
):
    client.force_login(staff)
    # the session, the user, the count for the pager, the page of credentials with their version,
    # learner, cohort and who revoked them
    with django_assert_num_queries(4):
        client.get(_url("staff_list"))
    _more_credentials(cohort, 19)
    with django_assert_num_queries(4):
        page = client.get(_url("staff_list")).content.decode()
    assert page.count("Revoke</button>") == 20


def test_the_public_page_asks_search_engines_to_leave_it_alone(client, credential):
    assert client.get(credential.get_absolute_url())["X-Robots-Tag"] == "noindex, nofollow"


# --- The card on the portfolio's page ----------------------------------------------------------------


def test_the_learner_sees_the_card_after_sign_off(client, learner, credential):
    client.force_login(learner)

    page = client.get(
        reverse("portfolio:portfolio_detail", args=[credential.version.portfolio_id])
    ).content.decode()

    assert 'data-testid="credential-card"' in page
    assert _url("download_jwt", credential) in page
    assert f"http://testserver{credential.get_absolute_url()}" in page


def test_the_assessor_sees_only_that_there_is_one(client, assessor, credential):
    client.force_login(assessor)

    page = client.get(
        reverse("portfolio:portfolio_detail", args=[credential.version.portfolio_id])
    ).content.decode()

    assert 'data-testid="credential-card"' in page
    assert _url("download_jwt", credential) not in page


def test_a_held_credential_is_explained(
    client, learner, cohort, version, assessor, criteria, django_capture_on_commit_callbacks
):
    CohortCredentialPolicy.objects.create(cohort=cohort, require_iqa=True)
    sign_off(version, assessor, criteria, django_capture_on_commit_callbacks)
    client.force_login(learner)

    page = client.get(reverse("portfolio:portfolio_detail", args=[version.portfolio_id])).content.decode()

    assert 'data-testid="credential-held"' in page
