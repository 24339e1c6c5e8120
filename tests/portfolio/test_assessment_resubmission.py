"""Feedback per criterion, version n+1, and what changed since the last review."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assessment import services as assessment
from core.versions import diff_snapshots
from evidence import services as evidence_services
from evidence.selectors import coverage_for
from tests.evidence.factories import EvidenceFactory
from tests.portfolio.conftest import decide

pytestmark = pytest.mark.django_db


def _snapshot(items, audit_rows=()):
    return {
        "parts": {
            "evidence": {"items": items},
            "audit": {"gap": {"title": "Service gaps", "rows": list(audit_rows)}},
        }
    }


def test_the_diff_names_sections_evidence_and_rows_added_changed_and_removed():
    before = _snapshot(
        [
            {"id": 1, "kind": "section", "section_key": "audit.gaps", "title": "Gaps", "description": "two"},
            {"id": 2, "kind": "file", "title": "Screenshot"},
            {"id": 3, "kind": "reflection", "title": "Old reflection"},
        ],
        [{"id": 10, "title": "Weekend cover"}],
    )
    after = _snapshot(
        [
            {
                "id": 1,
                "kind": "section",
                "section_key": "audit.gaps",
                "title": "Gaps",
                "description": "three",
            },
            {"id": 2, "kind": "file", "title": "Screenshot"},
            {"id": 4, "kind": "transcript", "title": "New complaint"},
        ],
        [{"id": 10, "title": "Weekend cover"}, {"id": 11, "title": "Damaged items"}],
    )

    diff = diff_snapshots(before, after)

    assert diff.sections.changed == ["Gaps"]
    assert (diff.evidence.added, diff.evidence.removed, diff.evidence.changed) == (
        ["New complaint"],
        ["Old reflection"],
        [],
    )
    assert diff.content.added == ["Service gaps: Damaged items"]
    assert not diff_snapshots(after, after).any


def _return_with_feedback(version, assessor, criteria):
    decide(version, criteria[0], assessor)
    decide(version, criteria[1], assessor, status="not_yet_met", feedback="Show the weekend response times.")
    assessment.return_version(version=version, comment="Nearly there.", actor=assessor)


def test_the_learner_sees_feedback_per_criterion_and_on_the_matrix(
    client, version, learner, assessor, criteria
):
    _return_with_feedback(version, assessor, criteria)
    client.force_login(learner)

    page = client.get(reverse("portfolio:versions", args=[version.portfolio_id])).content.decode()
    coverage = coverage_for(version.portfolio)
    matrix = client.get(reverse("evidence:coverage", args=[version.portfolio_id])).content.decode()

    assert "Show the weekend response times." in page
    assert coverage.for_criterion(criteria[1].pk).decision == "not_yet_met"
    assert coverage.for_criterion(criteria[0].pk).decision_label == "Met"
    assert "Not yet met" in matrix


def test_after_resubmission_the_assessor_sees_what_changed(
    client, version, learner, assessor, criteria, filled
):
    _return_with_feedback(version, assessor, criteria)
    EvidenceFactory(portfolio=version.portfolio, title="Weekend response times, March")
    evidence_services.delete_evidence(evidence=filled["file"], actor=learner)

    second = assessment.submit_portfolio(portfolio=version.portfolio, declaration_signed=True, actor=learner)
    client.force_login(assessor)
    review = client.get(reverse("portfolio:version_detail", args=[version.portfolio_id, 2])).content.decode()
    response = client.get(reverse("portfolio:version_changes", args=[version.portfolio_id, 2]))
    space = client.get(
        reverse("portfolio:workspace", args=[version.portfolio_id, 2]), {"c": criteria[1].pk}
    ).content.decode()

    assert second.number == 2
    assert "Changes since version 1" in review
    assert "Show the weekend response times." in space  # the previous version's feedback
    assert "Changed since version 1" in space  # its evidence was removed
    assert response.context["diff"].evidence.added == ["Weekend response times, March"]
    assert response.context["diff"].evidence.removed == ["Weekend response screenshot"]
    # version 1 still shows the removed file and can serve it
    first = client.get(reverse("portfolio:version_detail", args=[version.portfolio_id, 1])).content.decode()
    assert "Weekend response screenshot" in first


def test_the_old_version_can_no_longer_be_decided_after_resubmission(
    client, version, learner, assessor, criteria
):
    _return_with_feedback(version, assessor, criteria)
    assessment.submit_portfolio(portfolio=version.portfolio, declaration_signed=True, actor=learner)
    client.force_login(assessor)

    response = client.post(
        reverse("portfolio:decide", args=[version.portfolio_id, 1, criteria[2].pk]), {"status": "met"}
    )

    assert response.status_code == 403
    assert version.decisions.count() == 2
