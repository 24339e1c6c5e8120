"""Submission freezes a numbered version that nothing done afterwards can change."""

from __future__ import annotations

import hashlib

import pytest
from django.urls import reverse

from assessment import services as assessment
from core.models import AuditEntry, PortfolioVersion, VersionFile
from core.versions import canonical_json, digest_of
from evidence import services as evidence_services

pytestmark = pytest.mark.django_db


def _items(version):
    return {item["title"]: item for item in version.snapshot["parts"]["evidence"]["items"]}


def test_it_refuses_a_submission_without_the_declaration(client, learner, portfolio, filled):
    client.force_login(learner)

    response = client.post(reverse("portfolio:submit", args=[portfolio.pk]), {})

    assert response.status_code == 400
    assert "Sign the authenticity declaration" in response.content.decode()
    assert not PortfolioVersion.objects.exists()
    with pytest.raises(assessment.AssessmentError):
        assessment.submit_portfolio(portfolio=portfolio, declaration_signed=False, actor=learner)


def test_a_refusal_opens_on_an_error_summary_that_links_to_the_declaration(
    client, learner, portfolio, filled
):
    # The declaration sits below the long readiness check: an error shown only beside it was
    # thousands of pixels out of sight when the page was drawn again.
    client.force_login(learner)

    response = client.post(reverse("portfolio:submit", args=[portfolio.pk]), {})

    page = response.content.decode()
    summary = page[page.index("data-error-summary") :]
    summary = summary[: summary.index("</div>")]
    assert "There is a problem" in summary
    assert '<a class="alert-link" href="#id_declaration">Sign the authenticity declaration' in summary
    assert page.index("data-error-summary") < page.index('id="readiness-heading"')
    assert "<title>Error: Submit my portfolio" in page
    checkbox = page[page.index('id="id_declaration"') - 120 :]
    checkbox = checkbox[: checkbox.index("</div>") + 6]
    assert "is-invalid" in checkbox
    assert 'aria-describedby="declaration-error"' in checkbox
    assert 'id="declaration-error">Sign the authenticity declaration' in checkbox


def test_a_refusal_without_a_field_at_fault_is_summarised_without_a_link(client, learner, portfolio, version):
    client.force_login(learner)

    response = client.post(reverse("portfolio:submit", args=[portfolio.pk]), {"declaration": "on"})

    page = response.content.decode()
    assert response.status_code == 400
    summary = page[page.index("data-error-summary") :]
    assert "<li>Version 1 is still waiting for your assessor" in summary
    assert 'id="id_declaration"' not in page  # nothing to sign while version 1 waits


def test_a_page_without_an_error_has_no_summary(client, learner, portfolio, filled):
    client.force_login(learner)

    page = client.get(reverse("portfolio:submit", args=[portfolio.pk])).content.decode()

    assert "data-error-summary" not in page
    assert "is-invalid" not in page


def test_submitting_freezes_every_section_item_message_file_and_mapping(client, learner, portfolio, filled):
    client.force_login(learner)

    response = client.post(reverse("portfolio:submit", args=[portfolio.pk]), {"declaration": "on"})

    assert response.status_code == 302
    version = portfolio.versions.get()
    assert version.number == 1
    items = _items(version)
    assert items["Organisation"]["section_complete"] is True
    assert items["Organisation"]["mappings"][0]["note"] == "Describes the service offer."
    stored = filled["file"]
    assert items["Weekend response screenshot"]["file"] == {
        "name": stored.file.name,
        "original_name": "screenshot.png",
        "content_type": "image/png",
        "size": stored.file_size,
        "sha256": stored.sha256,
        "removed_on_upload": "",
    }
    assert [m["text"] for m in items["Delivery complaint on X"]["messages"]] == [
        "My sofa arrived damaged.",
        "Sorry to hear that.",
    ]
    assert version.digest == hashlib.sha256(canonical_json(version.snapshot).encode()).hexdigest()
    assert VersionFile.objects.get(version=version).name == stored.file.name
    assert AuditEntry.objects.get(action="submitted").version == version


def test_nothing_the_learner_does_afterwards_changes_the_version(version, learner, filled, criteria):
    before = canonical_json(version.snapshot)

    evidence_services.update_evidence(
        evidence=filled["transcript"],
        values={
            "title": "Renamed",
            "platform": "x",
            "visibility": "public",
            "scenario": "complaint",
            "origin": "real",
        },
        actor=learner,
    )
    evidence_services.set_evidence_mappings(
        evidence=filled["file"], wanted={criteria[0].pk: "New note"}, actor=learner
    )
    evidence_services.delete_evidence(evidence=filled["file"], actor=learner)

    version = PortfolioVersion.objects.get(pk=version.pk)
    assert canonical_json(version.snapshot) == before
    assert digest_of(version.snapshot) == version.digest


def test_a_version_refuses_to_be_saved_again_or_deleted(version):
    version.digest = "0" * 64
    with pytest.raises(ValueError, match="append-only"):
        version.save()
    with pytest.raises(ValueError, match="append-only"):
        version.delete()
    assert PortfolioVersion.objects.get(pk=version.pk).digest != "0" * 64


def test_a_file_a_version_refers_to_survives_deleting_the_evidence(
    client, version, learner, assessor, filled, django_capture_on_commit_callbacks
):
    stored = filled["file"]
    storage, name = stored.file.storage, stored.file.name

    with django_capture_on_commit_callbacks(execute=True):
        evidence_services.delete_evidence(evidence=stored, actor=learner)

    assert storage.exists(name)
    client.force_login(assessor)
    kept = version.files.get()
    response = client.get(reverse("portfolio:version_file", args=[version.portfolio_id, 1, kept.pk]))
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    response.close()
    assert hashlib.sha256(content).hexdigest() == kept.sha256


def test_a_file_no_version_refers_to_is_still_removed(learner, portfolio, django_capture_on_commit_callbacks):
    from tests.evidence.factories import FileEvidenceFactory

    item = FileEvidenceFactory(portfolio=portfolio)
    storage, name = item.file.storage, item.file.name

    with django_capture_on_commit_callbacks(execute=True):
        evidence_services.delete_evidence(evidence=item, actor=learner)

    assert not storage.exists(name)


def test_another_learner_cannot_fetch_a_versions_file(client, version, other_learner):
    client.force_login(other_learner)
    kept = version.files.get()

    response = client.get(reverse("portfolio:version_file", args=[version.portfolio_id, 1, kept.pk]))

    assert response.status_code == 404


def test_it_refuses_a_second_submission_while_the_first_waits(version, portfolio, learner):
    with pytest.raises(assessment.AssessmentError, match="still waiting"):
        assessment.submit_portfolio(portfolio=portfolio, declaration_signed=True, actor=learner)
    assert portfolio.versions.count() == 1


def test_only_the_learner_can_submit(client, assessor, tutor, portfolio, filled):
    for person in (assessor, tutor):
        client.force_login(person)
        response = client.post(reverse("portfolio:submit", args=[portfolio.pk]), {"declaration": "on"})
        assert response.status_code == 403
    assert not PortfolioVersion.objects.exists()


def test_the_snapshot_includes_the_guided_steps_of_other_apps(portfolio, learner):
    from audit.models import OrganisationProfile

    OrganisationProfile.objects.create(portfolio=portfolio, name="Fernleaf Home")

    version = assessment.submit_portfolio(portfolio=portfolio, declaration_signed=True, actor=learner)

    rows = version.snapshot["parts"]["audit"]["organisationprofile"]["rows"]
    assert rows[0]["name"] == "Fernleaf Home"
    assert set(version.snapshot["parts"]) >= {"audit", "evidence", "strategy"}
