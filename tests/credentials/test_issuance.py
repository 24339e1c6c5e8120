"""A credential is issued once the sign-off commits (and, where the centre says so, once IQA
has accepted the version), exactly once per version, with the claims of OB 3.0."""

from __future__ import annotations

import base64
import json

import pytest
from django.core.management import call_command
from joserfc import jwt

from assessment import services as assessment
from core.models import AuditEntry, Framework, OutboxMessage, QualitySample
from core.selectors import criteria_for
from credentials import services
from credentials.models import CohortCredentialPolicy, Credential
from credentials.tasks import issue_version_credential
from tests.credentials.conftest import sign_off
from tests.portfolio.conftest import decide

pytestmark = pytest.mark.django_db


def _claims(credential, signing_key):
    return jwt.decode(credential.token, signing_key, algorithms=["ES256"]).claims


def test_it_issues_a_credential_when_the_sign_off_commits(
    version, assessor, criteria, learner, signing_key, django_capture_on_commit_callbacks
):
    for criterion in criteria:
        decide(version, criterion, assessor)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assessment.sign_off_version(version=version, comment="", actor=assessor)
        # Queued in the sign-off's own transaction: a crash after the commit cannot lose it.
        assert OutboxMessage.objects.filter(task="credentials.tasks.issue_version_credential").exists()
    assert not Credential.objects.exists()  # nothing before the commit

    for callback in callbacks:
        callback()

    credential = Credential.objects.get(version=version)
    assert credential.learner_name == learner.display_name
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CREDENTIAL_ISSUED)
    assert (entry.portfolio, entry.version, entry.actor) == (version.portfolio, version, assessor)
    assert learner.notifications.filter(subject="Your credential is ready").exists()


def test_a_returned_version_gets_no_credential(
    version, assessor, criteria, django_capture_on_commit_callbacks
):
    decide(version, criteria[0], assessor, status="not_yet_met", feedback="More please.")
    with django_capture_on_commit_callbacks(execute=True):
        assessment.return_version(version=version, comment="", actor=assessor)

    assert services.issue_credential(version=version) is None
    assert not Credential.objects.exists()


def test_issuing_again_does_not_duplicate(credential, signed_off):
    again = services.issue_credential(version=signed_off)
    issue_version_credential.apply(args=[signed_off.pk])
    services.issue_owed()

    assert again.pk == credential.pk
    assert Credential.objects.count() == 1
    assert AuditEntry.objects.filter(action=AuditEntry.Action.CREDENTIAL_ISSUED).count() == 1


def test_the_outbox_sweep_issues_what_a_lost_message_left_owed(signed_off, credential):
    Credential.objects.all().delete()  # as if the message had been lost

    assert services.issue_owed() == {"issued": 1}
    assert Credential.objects.filter(version=signed_off).count() == 1


def test_without_a_key_in_production_nothing_is_issued_until_one_is_set(
    settings, version, assessor, criteria, django_capture_on_commit_callbacks
):
    key = settings.CREDENTIAL_SIGNING_KEY
    settings.CREDENTIAL_SIGNING_KEY, settings.TESTING, settings.DEBUG = "", False, False

    sign_off(version, assessor, criteria, django_capture_on_commit_callbacks)  # the sign-off still succeeds

    assert not Credential.objects.exists()
    assert services.issue_owed() == {"issued": 0, "no_key": 1}
    settings.CREDENTIAL_SIGNING_KEY = key
    assert services.issue_owed() == {"issued": 1}


def test_an_unreadable_key_fails_neither_the_sign_off_nor_the_sweep(
    settings, version, assessor, criteria, django_capture_on_commit_callbacks
):
    key = settings.CREDENTIAL_SIGNING_KEY
    settings.CREDENTIAL_SIGNING_KEY = "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----"

    sign_off(version, assessor, criteria, django_capture_on_commit_callbacks)

    assert not Credential.objects.exists()
    assert services.issue_owed() == {"issued": 0, "no_key": 1}
    settings.CREDENTIAL_SIGNING_KEY = key
    assert services.issue_owed() == {"issued": 1}


def test_the_jwt_follows_the_open_badges_3_data_model(credential, signing_key, learner, criteria):
    header = json.loads(base64.urlsafe_b64decode(credential.token.split(".")[0] + "=="))
    claims = _claims(credential, signing_key)

    assert header["alg"] == "ES256"
    assert header["typ"] == "JWT"
    assert (
        header["kid"]
        == f"https://portfolio.example.ac.uk/credentials/issuer/jwks.json#{signing_key.thumbprint()}"
    )
    assert claims["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert claims["@context"][1].startswith("https://purl.imsglobal.org/spec/ob/v3p0/context-3.0")
    assert claims["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert claims["id"] == claims["jti"] == f"urn:uuid:{credential.public_id}"
    assert claims["issuer"]["id"] == claims["iss"] == "https://portfolio.example.ac.uk/credentials/issuer"
    assert claims["issuer"]["type"] == ["Profile"]
    assert claims["validFrom"].endswith("Z")
    assert claims["nbf"] == int(credential.issued_at.timestamp())
    subject = claims["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["identifier"][0]["identityHash"] == learner.display_name
    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"]
    assert achievement["name"] == credential.achievement_name
    narrative = achievement["criteria"]["narrative"]
    for criterion in criteria:
        assert f"- {criterion.code} {criterion.text}" in narrative
    assert achievement["id"].startswith("https://portfolio.example.ac.uk/credentials/achievements/")


def test_the_achievement_names_the_unit_first_and_the_standard_after(
    version, assessor, signing_key, django_capture_on_commit_callbacks
):
    call_command("import_framework", "frameworks/cfacsd22.yaml", "frameworks/unit-cssms.yaml", verbosity=0)
    cohort = version.portfolio.cohort
    cohort.frameworks.set(Framework.objects.filter(code__in=["CFACSD22", "CSSMS"]))
    criteria = list(criteria_for(version.portfolio))
    sign_off(version, assessor, criteria, django_capture_on_commit_callbacks)

    credential = Credential.objects.get(version=version)
    achievement = _claims(credential, signing_key)["credentialSubject"]["achievement"]
    assert achievement["name"] == "Develop and promote a customer service social media strategy"
    assert [a["targetCode"] for a in achievement["alignment"]] == ["CSSMS", "CFACSD22"]
    assert "- P14 " in achievement["criteria"]["narrative"]
    assert "- 3.5 " in achievement["criteria"]["narrative"]
    assert achievement["id"].endswith("/credentials/achievements/CSSMS+CFACSD22")


# --- Internal quality assurance first, where the centre requires it ---------------------------


@pytest.fixture
def iqa_first(cohort):
    CohortCredentialPolicy.objects.create(cohort=cohort, require_iqa=True)


def test_where_iqa_is_required_the_credential_waits_for_its_acceptance(
    iqa_first, version, assessor, iqa, criteria, django_capture_on_commit_callbacks
):
    sign_off(version, assessor, criteria, django_capture_on_commit_callbacks)
    assert not Credential.objects.exists()  # signed off, but not yet sampled

    with django_capture_on_commit_callbacks(execute=True):
        [sample] = assessment.sample_decisions(decisions=[version.decisions.first()], actor=iqa)
    assert not Credential.objects.exists()  # sampled, not yet reviewed

    with django_capture_on_commit_callbacks(execute=True):
        assessment.record_finding(sample=sample, finding=QualitySample.Finding.AGREED, comment="", actor=iqa)
    assert Credential.objects.filter(version=version).count() == 1


def test_an_iqa_action_holds_the_credential_until_the_assessor_answers(
    iqa_first, version, assessor, iqa, criteria, django_capture_on_commit_callbacks
):
    sign_off(version, assessor, criteria, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        [sample] = assessment.sample_decisions(decisions=[version.decisions.first()], actor=iqa)
        assessment.record_finding(
            sample=sample, finding=QualitySample.Finding.ACTION, comment="Cite the evidence.", actor=iqa
        )
    assert not Credential.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        assessment.answer_action(sample=sample, response="Cited it in the feedback.", actor=assessor)
    assert Credential.objects.filter(version=version).count() == 1


def test_iqa_accepted_before_the_sign_off_lets_it_issue_at_once(
    iqa_first, version, assessor, iqa, criteria, django_capture_on_commit_callbacks
):
    for criterion in criteria:
        decide(version, criterion, assessor)
    with django_capture_on_commit_callbacks(execute=True):
        [sample] = assessment.sample_decisions(decisions=[version.decisions.first()], actor=iqa)
        assessment.record_finding(sample=sample, finding=QualitySample.Finding.AGREED, comment="", actor=iqa)
        assessment.sign_off_version(version=version, comment="", actor=assessor)

    assert Credential.objects.filter(version=version).count() == 1


def test_the_setting_requires_iqa_for_cohorts_without_a_policy(
    settings, version, assessor, criteria, django_capture_on_commit_callbacks
):
    settings.CREDENTIALS_REQUIRE_IQA = True

    sign_off(version, assessor, criteria, django_capture_on_commit_callbacks)

    assert not Credential.objects.exists()
    assert services.issue_owed() == {"issued": 0}
