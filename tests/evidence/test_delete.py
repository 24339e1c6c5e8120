from __future__ import annotations

import pytest
from django.urls import reverse

from evidence.models import Evidence
from tests.evidence.factories import EvidenceFactory, FileEvidenceFactory, MappingFactory

pytestmark = pytest.mark.django_db


def test_the_confirmation_lists_criteria_that_would_lose_their_only_evidence(
    client, learner, portfolio, criteria
):
    p1, p2, _p3 = criteria["standard"]
    doomed = EvidenceFactory(portfolio=portfolio, title="Doomed")
    other = EvidenceFactory(portfolio=portfolio)
    MappingFactory(evidence=doomed, criterion=p1)
    MappingFactory(evidence=doomed, criterion=p2)
    MappingFactory(evidence=other, criterion=p2)
    # Another learner's evidence for p1 does not save this learner's p1.
    MappingFactory(evidence=EvidenceFactory(), criterion=p1)
    client.force_login(learner)

    response = client.get(reverse("evidence:delete", args=[portfolio.pk, doomed.pk]))

    assert response.context["losing"] == [p1]
    assert "1 criterion would be left with no evidence" in response.content.decode()
    assert Evidence.objects.filter(pk=doomed.pk).exists()


def test_deleting_removes_the_item_and_its_stored_file(
    client, learner, portfolio, settings, django_capture_on_commit_callbacks
):
    evidence = FileEvidenceFactory(portfolio=portfolio)
    path = settings.MEDIA_ROOT / evidence.file.name
    assert path.exists()
    client.force_login(learner)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("evidence:delete", args=[portfolio.pk, evidence.pk]))

    assert response.status_code == 302
    assert not Evidence.objects.filter(pk=evidence.pk).exists()
    assert not path.exists()


def test_a_section_cannot_be_deleted_here(client, learner, portfolio):
    section = Evidence.objects.create(
        portfolio=portfolio, kind="section", section_key="audit.x", title="Audit"
    )
    client.force_login(learner)

    response = client.post(reverse("evidence:delete", args=[portfolio.pk, section.pk]))

    assert response.status_code == 404
    assert Evidence.objects.filter(pk=section.pk).exists()
