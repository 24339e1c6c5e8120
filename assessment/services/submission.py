"""Submission: the learner freezes the working copy as a new version."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import Max

from assessment.selectors import latest_version, version_state
from assessment.services.base import AssessmentError, record_entry, version_url
from core.access import can_edit
from core.models import AuditEntry, Portfolio, PortfolioVersion, User, VersionFile, VersionState
from core.services import notify
from core.versions import build_snapshot, digest_of, run_on_submit

log = logging.getLogger(__name__)

DECLARATION = (
    "I confirm that this portfolio is my own work. Where I have used other people's words, "
    "data or images I have said so, and the interactions marked as real took place as shown."
)


@transaction.atomic
def submit_portfolio(*, portfolio: Portfolio, declaration_signed: bool, actor: User) -> PortfolioVersion:
    """Freeze the working copy as version n+1, after the learner signs the declaration."""
    if not can_edit(actor, portfolio):
        raise AssessmentError("Only the learner can submit their portfolio.")
    if not declaration_signed:
        raise AssessmentError("Sign the authenticity declaration before you submit.", field="declaration")
    portfolio = Portfolio.objects.select_for_update().select_related("learner", "cohort").get(pk=portfolio.pk)
    previous = latest_version(portfolio)
    if previous is not None:
        state = version_state(previous)
        if state == VersionState.AWAITING_REVIEW:
            raise AssessmentError(
                f"Version {previous.number} is still waiting for your assessor: "
                "submit again once it is returned."
            )
        if state == VersionState.SIGNED_OFF:
            raise AssessmentError("Your portfolio has been signed off: it cannot be submitted again.")
    snapshot = build_snapshot(portfolio)
    number = (portfolio.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = PortfolioVersion.objects.create(
        portfolio=portfolio,
        number=number,
        submitted_by=actor,
        declaration=DECLARATION,
        snapshot=snapshot,
        digest=digest_of(snapshot),
    )
    VersionFile.objects.bulk_create(
        [
            VersionFile(
                version=version,
                evidence_id=item["id"],
                name=item["file"]["name"],
                original_name=item["file"]["original_name"],
                content_type=item["file"]["content_type"],
                size=item["file"]["size"],
                sha256=item["file"]["sha256"],
            )
            for item in snapshot["parts"].get("evidence", {}).get("items", [])
            if item.get("file")
        ]
    )
    run_on_submit(version)
    record_entry(
        portfolio=portfolio,
        version=version,
        action=AuditEntry.Action.SUBMITTED,
        summary=(
            f"Version {number} submitted with the authenticity declaration signed "
            f"(digest {version.digest[:12]}…)."
        ),
        actor=actor,
    )
    notify(
        recipients=[portfolio.assessor],
        portfolio=portfolio,
        subject=f"{portfolio.learner.display_name} submitted version {number}",
        body="A portfolio is waiting for your review.",
        url=version_url(version),
    )
    log.info("portfolio %s version %s submitted by %s", portfolio.pk, number, actor.username)
    return version
