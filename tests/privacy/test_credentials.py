"""The learner's verifiable credential in data protection: in the archive whole, revoked and
anonymised on erasure (its public page then says *revoked* and names nobody), deleted with the
assessment record (docs/data-protection.md, docs/credentials.md)."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from credentials.models import Credential
from credentials.services import ERASED_REASON, revoke_credential
from privacy import archive as archives
from privacy import erasure
from privacy.retention import ASSESSMENT_RECORD, CREDENTIAL, WORKING_COPY, Action, rule_for
from tests.privacy.conftest import end_cohort

pytestmark = pytest.mark.django_db


@pytest.fixture
def finished(assessed, learner):
    """Signed off with its credential issued, and the cohort ended yesterday."""
    end_cohort(learner, timezone.localdate() - timedelta(days=1))
    return learner


@pytest.fixture
def credential(assessed):
    return Credential.objects.get(version=assessed)


def test_the_archive_holds_the_signed_credential_and_its_revocation_state(finished, credential, staff):
    revoke_credential(credential=credential, reason="Issued to the wrong unit.", actor=staff)
    target = io.BytesIO()
    archives.write_archive(learner=finished, target=target)
    data = json.loads(zipfile.ZipFile(target).read("data.json"))

    [row] = data["records"]["credentials.credential"]["rows"]
    assert row["token"] == credential.token
    assert row["learner_name"] == credential.learner_name
    assert row["revocation_reason"] == "Issued to the wrong unit."
    assert row["revoked_at"]


def test_the_credential_is_kept_as_long_as_the_assessment_record_and_goes_before_its_version():
    rule = rule_for("credentials.credential")
    assert rule.policy is CREDENTIAL
    assert CREDENTIAL.keep_for == ASSESSMENT_RECORD.keep_for
    assert CREDENTIAL.action_for(due=True) == Action.DELETE
    assert CREDENTIAL.action_for(due=False) == Action.ANONYMISE
    labels = [r.pattern for r in erasure.RETENTION]
    assert labels.index("credentials.credential") < labels.index("portfolio.portfolioversion")


def test_erasure_revokes_the_credential_and_its_public_page_names_nobody(
    client, staff, finished, credential, django_capture_on_commit_callbacks
):
    name, token = credential.learner_name, credential.token
    assert name in client.get(credential.get_absolute_url()).content.decode()
    client.force_login(staff)
    preview = client.get(reverse("privacy:erasure", args=[finished.pk]))
    line = next(line for line in preview.context["plan"].erased if line.label == "credentials.credential")
    assert line.action == Action.ANONYMISE

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("privacy:erasure", args=[finished.pk]), {"confirm": "yes"})

    credential.refresh_from_db()
    assert credential.is_revoked
    assert credential.is_erased
    assert credential.revocation_reason == ERASED_REASON
    assert credential.revoked_by == staff
    assert credential.learner_name == ""
    assert credential.token == ""
    client.logout()
    response = client.get(credential.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["verification"].verdict == "revoked"
    assert name not in page
    assert "Revoked" in page
    assert ERASED_REASON not in page  # the public page says revoked, not why
    assert credential.achievement_name in page
    # A copy shared before is answered revoked, with no name of the centre's.
    verified = client.post(reverse("credentials:verify"), {"token": token})
    assert verified.context["verification"].verdict == "revoked"
    # Nothing is left to do on a second request.
    assert not [
        line
        for line in erasure.plan_for(finished, on_request=True).erased
        if line.label == "credentials.credential"
    ]


def test_the_erased_learner_has_no_download_left(finished, credential, staff, client):
    erasure.erase_learner(learner=finished, actor=staff)
    finished.is_active = True
    finished.save()
    client.force_login(finished)
    for name in ("credentials:download_jwt", "credentials:download_json"):
        assert client.get(reverse(name, args=[credential.public_id])).status_code == 404


def test_a_credential_revoked_before_keeps_its_revocation_on_erasure(finished, credential, staff):
    revoke_credential(credential=credential, reason="Issued to the wrong unit.", actor=staff)
    revoked_at = Credential.objects.get(pk=credential.pk).revoked_at

    erasure.erase_learner(learner=finished, actor=staff)

    credential.refresh_from_db()
    assert (credential.revoked_at, credential.revocation_reason) == (revoked_at, "Issued to the wrong unit.")
    assert credential.is_erased


def test_the_retention_job_keeps_the_credential_with_the_record_then_deletes_it(
    learner, assessed, credential
):
    end_cohort(learner, timezone.localdate())
    erasure.apply_retention(today=timezone.localdate() + WORKING_COPY.keep_for + timedelta(days=1))
    credential.refresh_from_db()
    assert credential.token
    assert not credential.is_revoked

    erasure.apply_retention(today=timezone.localdate() + ASSESSMENT_RECORD.keep_for + timedelta(days=1))
    assert not Credential.objects.filter(pk=credential.pk).exists()
